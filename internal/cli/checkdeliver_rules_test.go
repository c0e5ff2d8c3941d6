package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/exitcode"
)

// deliverArgs are the flags of a short delivery proof on the lab.
var deliverArgs = []string{"--drop-after", "1s", "--final", "2s", "--expect", "500ms", "--wait", "20s"}

// TestCheckDeliverRescoresWithProbe: after the probe is sent, the report is
// scored with the probe message — Message-ID from the message, TLS from the
// topmost Received field of the copy in the seed mailbox (the lab MX writes
// "with ESMTPS" after STARTTLS). Without --deliver-to both stay unknown.
func TestCheckDeliverRescoresWithProbe(t *testing.T) {
	schema := compileSchema(t, "check.schema.json")
	base := []string{"check", "--lab", "-o", "json", "ok.lab.test", "--from", "you@sender.lab.test", "--rules", "all"}
	out, errOut, code := runCLI(t, nil, base...)
	if code != 0 {
		t.Fatalf("check: exit %d; %s", code, errOut)
	}
	st, _ := requirementStatus(validate(t, schema, out))
	if st["google.all.tls"] != "unknown" || st["google.all.message_id"] != "unknown" {
		t.Fatalf("without a message: tls %q, message_id %q", st["google.all.tls"], st["google.all.message_id"])
	}
	env := map[string]string{"XDG_STATE_HOME": t.TempDir()}
	out, errOut, code = runCLI(t, env, append(append(base, "--deliver-to", "seed@ok.lab.test"), deliverArgs...)...)
	if code != 0 {
		t.Fatalf("deliver: exit %d; %s", code, errOut)
	}
	m := validate(t, schema, out)
	st, _ = requirementStatus(m)
	for id, want := range map[string]string{"google.all.tls": "pass", "google.all.message_id": "pass", "gmx.all.message_id": "pass"} {
		if st[id] != want {
			t.Errorf("with the probe: %s %q, want %q", id, st[id], want)
		}
	}
	msg, _ := m["message"].(map[string]any)
	if rcv, _ := msg["received"].(string); !strings.Contains(rcv, "by mx.ok.lab.test with ESMTPS") {
		t.Errorf("message.received %q: not the seed copy's Received field", rcv)
	}
}

// TestCheckDeliverMX: --mx sends the --deliver-to probe to the given host
// instead of the destination's MX. drop.lab.test's MX discards (a suspected
// silent drop, exit 4); sent to ok.lab.test's host (127.0.0.10, the lab's
// port) the probe lands in the seed inbox. The check itself still talks to
// drop.lab.test's MX.
func TestCheckDeliverMX(t *testing.T) {
	state := t.TempDir()
	out, errOut, code := runCLI(t, map[string]string{"XDG_STATE_HOME": state}, append([]string{"check", "--lab", "-o", "json", "drop.lab.test",
		"--from", "you@sender.lab.test", "--deliver-to", "seed@drop.lab.test", "--mx", "127.0.0.10"}, deliverArgs...)...)
	if code != 0 {
		t.Fatalf("exit %d, want 0 (delivered via --mx); %s", code, errOut)
	}
	m := validate(t, compileSchema(t, "check.schema.json"), out)
	var r struct {
		MX       []struct{ Host string } `json:"mx"`
		Delivery struct {
			Probes []struct{ Role, State string } `json:"probes"`
			Sent   []struct{ Role, Reply string } `json:"sent"`
		} `json:"delivery"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.MX) != 1 || r.MX[0].Host != "drop-lab-test.olc.protection.outlook.com" {
		t.Errorf("the check's MX: %+v", r.MX)
	}
	for _, p := range r.Delivery.Probes {
		if p.Role == "probe" && p.State != "delivered_inbox" {
			t.Errorf("probe %s, want delivered_inbox", p.State)
		}
	}
	for _, s := range r.Delivery.Sent {
		if s.Role == "probe" && strings.Contains(s.Reply, "Queued mail for delivery") {
			t.Errorf("the probe went to drop.lab.test's MX: %q", s.Reply)
		}
	}
	if _, ok := findingIDs(m)["delivery.silent_drop_suspected"]; ok {
		t.Error("silent drop suspected although --mx routed the probe to a delivering host")
	}
	led, err := os.ReadFile(filepath.Join(state, "mxprobe", "ledger.jsonl"))
	if err != nil || !strings.Contains(string(led), `"mx_ip":"127.0.0.10"`) {
		t.Errorf("ledger does not record the --mx host 127.0.0.10 (%v)", err)
	}
	// Without --mx the same probe is discarded (exit 4).
	_, _, code = runCLI(t, map[string]string{"XDG_STATE_HOME": t.TempDir()}, append([]string{"check", "--lab", "-o", "json", "drop.lab.test",
		"--from", "you@sender.lab.test", "--deliver-to", "seed@drop.lab.test"}, deliverArgs...)...)
	if code != exitcode.SilentDrop {
		t.Errorf("without --mx: exit %d, want %d", code, exitcode.SilentDrop)
	}
}
