package cli

import (
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/lab"
)

// TestResolverFlagAndEnv: --resolver and MXPROBE_RESOLVER select the DNS
// servers of every command; a dead first server fails over to the next.
func TestResolverFlagAndEnv(t *testing.T) {
	w, err := lab.Start(lab.Options{Only: []string{"ok.lab.test"}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	dead := "127.0.0.1:9" // discard port: nothing answers DNS there
	out, errOut, code := runCLI(t, map[string]string{"MXPROBE_RESOLVER": dead + "," + w.DNSAddr()},
		"dns", "--format", "json", "--timeout", "20s", "ok.lab.test")
	if code != exitcode.OK && code != exitcode.Problems {
		t.Fatalf("env resolver: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `"mx.ok.lab.test"`) && !strings.Contains(out, `"host": "mx.ok.lab.test"`) {
		t.Fatalf("MX not resolved through MXPROBE_RESOLVER: %s", out)
	}
	out, _, _ = runCLI(t, nil, "dns", "--format", "json", "--resolver", dead, "--resolver", w.DNSAddr(), "ok.lab.test")
	if !strings.Contains(out, "mx.ok.lab.test") {
		t.Fatalf("MX not resolved through --resolver failover: %s", out)
	}
	_, errOut, code = runCLI(t, nil, "dns", "--resolver", "not an address", "ok.lab.test")
	if code != exitcode.Usage || !strings.Contains(errOut, "--resolver") {
		t.Fatalf("bad --resolver: exit %d %q", code, errOut)
	}
}
