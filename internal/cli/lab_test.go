package cli

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/exitcode"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestLabServesUntilCancelled runs `mxprobe lab`, uses the printed
// addresses from a second command, then stops it like Ctrl-C does.
func TestLabServesUntilCancelled(t *testing.T) {
	var out, errb syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	caFile := t.TempDir() + "/ca.pem"
	go func() {
		done <- Run(ctx, []string{"--lang", "de", "lab", "--ca-out", caFile},
			&IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errb, Getenv: func(string) string { return "" }})
	}()
	reDNS := regexp.MustCompile(`(?m)^  DNS\s+(\S+)`)
	rePort := regexp.MustCompile(`(?m)^  SMTP .* Port (\d+)`)
	deadline := time.Now().Add(20 * time.Second)
	// The listing ends with the "Strg-C" paragraph: wait for all of it.
	for !strings.Contains(out.String(), "Strg-C") {
		if time.Now().After(deadline) {
			t.Fatalf("lab did not start: %q %q", out.String(), errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	text := out.String()
	for _, want := range []string{"drop.lab.test", "still", "Szenarien", "--resolver", "--imap"} {
		if !strings.Contains(text, want) {
			t.Errorf("lab output lacks %q", want)
		}
	}
	dns := reDNS.FindStringSubmatch(text)
	port := rePort.FindStringSubmatch(text)
	if dns == nil || port == nil {
		t.Fatalf("no addresses in %q", text)
	}
	o, e, code := runCLI(t, nil, "check", "reject.lab.test", "--resolver", dns[1], "--port", port[1],
		"--ca-file", caFile, "--helo", "client.sender.lab.test", "--dnsbl", "bl.lab.test", "--format", "json")
	if code != exitcode.Problems || !strings.Contains(o, "smtp.rcpt_rejected") {
		t.Fatalf("check against the served lab: exit %d %s %s", code, e, o)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("lab exit %d: %s", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("lab did not stop")
	}
	if !strings.Contains(errb.String(), "Labor beendet") {
		t.Fatalf("no stop message: %q", errb.String())
	}
}
