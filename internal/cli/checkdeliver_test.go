package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/exitcode"
)

// TestCheckDeliverLab runs the CI form of the delivery proof against the
// in-process lab: send, watch, verdict and one exit code.
func TestCheckDeliverLab(t *testing.T) {
	schema := compileSchema(t, "check.schema.json")
	cases := []struct {
		domain, from string
		code         int
		state        string
		confidence   string
	}{
		{"drop.lab.test", "you@weak.lab.test", exitcode.SilentDrop, "silent_drop_suspected", "medium"},
		{"ok.lab.test", "you@sender.lab.test", 0, "delivered_inbox", ""},
		{"junk.lab.test", "you@sender.lab.test", 0, "delivered_junk", ""},
		{"reject.lab.test", "you@sender.lab.test", exitcode.Problems, "rejected", ""},
	}
	for _, c := range cases {
		t.Run(c.domain, func(t *testing.T) {
			env := map[string]string{"XDG_STATE_HOME": t.TempDir()}
			out, errOut, code := runCLI(t, env, "check", "--lab", "--format", "json", c.domain,
				"--from", c.from, "--deliver-to", "seed@"+c.domain, "--drop-after", "1s", "--final", "2s", "--expect", "500ms", "--wait", "20s")
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, c.code, errOut)
			}
			m := validate(t, schema, out)
			if _, ok := findingIDs(m)["delivery."+c.state]; !ok {
				t.Errorf("findings lack delivery.%s: %v", c.state, findingIDs(m))
			}
			if c.state == "silent_drop_suspected" && m["verdict"] != "fail" {
				t.Errorf("headline verdict %v with a suspected drop", m["verdict"])
			}
			var r struct {
				Delivery struct {
					Probes []struct {
						Token      string `json:"token"`
						Role       string `json:"role"`
						State      string `json:"state"`
						Confidence string `json:"confidence"`
					} `json:"probes"`
				} `json:"delivery"`
			}
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatal(err)
			}
			var main, control int
			for _, p := range r.Delivery.Probes {
				if p.Role == "control" {
					control++
					if p.State != "delivered_inbox" {
						t.Errorf("control probe %s: %s", p.Token, p.State)
					}
					continue
				}
				main++
				if p.State != c.state || p.Confidence != c.confidence {
					t.Errorf("probe %s: %s/%s, want %s/%s", p.Token, p.State, p.Confidence, c.state, c.confidence)
				}
			}
			if main != 1 || control != 1 {
				t.Fatalf("want one probe and one control, got %d/%d: %s", main, control, out)
			}
		})
	}
}

func TestCheckDeliverNeedsOwnership(t *testing.T) {
	_, errOut, code := runCLI(t, map[string]string{"XDG_STATE_HOME": t.TempDir()}, "check", "example.test", "--from", "a@b.test",
		"--deliver-to", "seed@example.test", "--imap", "imaps://127.0.0.1:1", "--imap-user", "seed")
	if code != exitcode.Usage || !strings.Contains(errOut, "i-own-this-mailbox") {
		t.Fatalf("exit %d %q", code, errOut)
	}
}
