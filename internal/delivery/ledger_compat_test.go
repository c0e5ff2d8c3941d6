package delivery

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLedgerFromReleaseBf95f63: a ledger written by mxprobe at commit
// bf95f63 (before the SMTP layer was unified; testdata/ledger/README.md)
// still loads, keeps what it recorded, and every probe is judged exactly as
// that binary judged it at four instants.
func TestLedgerFromReleaseBf95f63(t *testing.T) {
	src := filepath.Join("..", "..", "testdata", "ledger", "bf95f63-lab.jsonl")
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ledger.jsonl")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := OpenLedger(path)
	if err != nil {
		t.Fatal(err)
	}
	evs, st, err := l.Events()
	if err != nil || len(evs) != 14 {
		t.Fatalf("%d events, status %+v, %v", len(evs), st, err)
	}
	checkOldSends(t, evs)

	var want struct {
		Verdicts []struct {
			Now    time.Time        `json:"now"`
			Probes []map[string]any `json:"probes"`
		} `json:"verdicts"`
	}
	vb, err := os.ReadFile(strings.TrimSuffix(src, ".jsonl") + ".verdicts.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(vb, &want); err != nil || len(want.Verdicts) != 4 {
		t.Fatalf("verdicts fixture: %v (%d instants)", err, len(want.Verdicts))
	}
	for _, at := range want.Verdicts {
		res := Verdict(evs, at.Now, DefaultWindows())
		for _, wp := range at.Probes {
			tok := wp["token"].(string)
			v, ok := res.Get(tok)
			if !ok {
				t.Errorf("%s: probe %s not judged", at.Now, tok)
				continue
			}
			var got map[string]any
			b, _ := json.Marshal(v)
			_ = json.Unmarshal(b, &got)
			for k, w := range wp {
				if g := got[k]; !sameJSON(g, w) {
					t.Errorf("%s %s (%v): %s = %v, old binary said %v", at.Now.Format(time.RFC3339), tok, wp["to"], k, g, w)
				}
			}
		}
	}
}

// checkOldSends: the send records (TLS, transcript, AUTH redaction) read
// into today's types without loss.
func checkOldSends(t *testing.T, evs []Event) {
	t.Helper()
	var tlsSeen, authSeen bool
	for _, ev := range evs {
		p := ev.Sent
		if p == nil {
			continue
		}
		if len(p.Transcript) == 0 || p.Transcript[0].At.IsZero() || p.Transcript[0].Dir != "*" {
			t.Errorf("%s: transcript %+v", p.To, p.Transcript)
		}
		if p.TLS != nil && p.TLS.Version != "" {
			tlsSeen = true
			if p.TLS.PeerSubject == "" || p.TLS.PeerExpires.IsZero() || p.TLS.Cipher == "" {
				t.Errorf("%s: TLS %+v", p.To, p.TLS)
			}
			// Old records verified chain and name together in Verified.
			if p.TLS.Trusted() != p.TLS.Verified {
				t.Errorf("%s: trusted %v, verified %v", p.To, p.TLS.Trusted(), p.TLS.Verified)
			}
		}
		for _, l := range p.Transcript {
			if strings.HasPrefix(l.Text, "AUTH PLAIN") {
				authSeen = true
				if l.Text != "AUTH PLAIN ***" {
					t.Errorf("AUTH line %q", l.Text)
				}
			}
		}
	}
	if !tlsSeen || !authSeen {
		t.Errorf("fixture lacks TLS (%v) or AUTH (%v) sends", tlsSeen, authSeen)
	}
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
