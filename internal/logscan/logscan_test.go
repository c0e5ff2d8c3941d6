package logscan

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// goldenNow is the reference clock of the golden files: the syslog stamps
// without a year ("Mar  3", "Nov 28") resolve to 2026.
var goldenNow = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

var update = flag.Bool("update", false, "rewrite the golden files")

func scanFile(t *testing.T, name string) ([]*Record, *Summary) {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "testdata", "logscan", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := NewScanner(Options{Now: func() time.Time { return goldenNow }, Location: time.UTC})
	sum := NewSummary()
	var recs []*Record
	if err := sc.Scan(f, func(r *Record) error {
		recs = append(recs, r)
		sum.Add(r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sum.Finish(sc.Stats())
	return recs, sum
}

func TestGolden(t *testing.T) {
	for _, name := range []string{"postfix.log", "exim.log", "postfix-lmtp.log"} {
		t.Run(name, func(t *testing.T) {
			recs, _ := scanFile(t, name)
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			for _, r := range recs {
				enc.Encode(r)
			}
			golden := filepath.Join("..", "..", "testdata", "logscan", strings.TrimSuffix(name, ".log")+".golden.ndjson")
			if *update {
				os.WriteFile(golden, b.Bytes(), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(want, b.Bytes()) {
				t.Fatalf("output differs from %s (run with -update after checking):\n%s", golden, b.String())
			}
		})
	}
}

func TestPostfix(t *testing.T) {
	recs, sum := scanFile(t, "postfix.log")
	byTo := map[string]*Record{}
	for _, r := range recs {
		byTo[r.To] = r
	}
	ms := byTo["seed@hotmail.com"]
	if ms == nil || ms.Status != StatusSent || ms.Provider != "microsoft_consumer" || ms.Acceptance == nil ||
		ms.Acceptance.InternalID != "21474840105" || !ms.Acceptance.EchoedOurs || ms.ProbeToken != "k7w3q2zq5m4x6n2p7r3s" ||
		ms.MessageID != "mxprobe.k7w3q2zq5m4x6n2p7r3s@sender.example" || ms.RelayIP != "192.0.2.10" || ms.Code != 250 || ms.Enhanced != "2.6.0" {
		t.Fatalf("microsoft consumer: %+v %+v", ms, ms.Acceptance)
	}
	if r := byTo["info@tenant.example"]; r.Provider != "microsoft_tenant" || r.Acceptance.Provider != "microsoft" {
		t.Fatalf("tenant %+v", r)
	}
	if r := byTo["someone@gmail.com"]; r.Provider != "gmail" || r.Acceptance.QueueID != "a640c23a62f3a-abc1234567si123456.321" {
		t.Fatalf("gmail %+v", r.Acceptance)
	}
	if r := byTo["someone@gmx.de"]; r.Provider != "gmx" || r.Acceptance.QueueID != "1MxYZ-1abcde2FGH-00zx12" {
		t.Fatalf("gmx %+v", r)
	}
	if r := byTo["other@outlook.com"]; r.Status != StatusDeferred || r.Code != 451 || r.Enhanced != "4.7.650" || !strings.HasPrefix(r.Reply, "451 4.7.650 The mail server") || strings.Contains(r.Reply, "in reply to") {
		t.Fatalf("deferral %+v", r)
	}
	if r := byTo["x@live.de"]; r.Status != StatusBounced || r.Code != 550 || !strings.Contains(r.Reply, "S3150") {
		t.Fatalf("bounce %+v", r)
	}
	if r := byTo["v@slow.example"]; r.Status != StatusDeferred || r.Code != 0 || !strings.Contains(r.Reply, "Connection timed out") {
		t.Fatalf("timeout %+v", r)
	}
	if r := byTo["u@gmx.net"]; r == nil || r.TimeRaw != "2026-03-03T10:00:12.345678+01:00" || r.Time != r.TimeRaw || r.QueueID != "4XJqQl1Kz3z9rwF" {
		t.Fatalf("rfc3339 line %+v", r)
	}
	if sum.Totals.Sent != 6 || sum.Totals.Deferred != 3 || sum.Totals.Bounced != 3 || len(sum.Probes) != 1 {
		t.Fatalf("totals %+v probes %d", sum.Totals, len(sum.Probes))
	}
	if c := sum.ByProvider["microsoft_consumer"]; c.Sent != 1 || c.Deferred != 1 || c.Bounced != 1 {
		t.Fatalf("by provider %+v", c)
	}
}

func TestExim(t *testing.T) {
	recs, sum := scanFile(t, "exim.log")
	byTo := map[string]*Record{}
	for _, r := range recs {
		byTo[r.To] = r
	}
	ms := byTo["seed@hotmail.com"]
	if ms == nil || ms.Provider != "microsoft_consumer" || ms.ProbeToken != "k7w3q2zq5m4x6n2p7r3s" || ms.Acceptance.InternalID != "21474840106" || ms.Relay != "hotmail-com.olc.protection.outlook.com" {
		t.Fatalf("%+v", ms)
	}
	if r := byTo["reader2@gmail.com"]; r == nil || r.Status != StatusSent || r.MessageID != "20260303100002.1vxAbd@sender.example" {
		t.Fatalf("-> line %+v", r)
	}
	if r := byTo["slow@gmx.de"]; r.Status != StatusDeferred || r.Code != 451 || r.Enhanced != "4.3.2" || r.RelayIP != "198.51.100.20" {
		t.Fatalf("defer %+v", r)
	}
	if r := byTo["gone@outlook.com"]; r.Status != StatusBounced || !strings.HasPrefix(r.Reply, "550 5.7.1 Unfortunately") {
		t.Fatalf("bounce %+v", r)
	}
	if r := byTo["later@hotmail.com"]; !strings.HasPrefix(r.Reply, "451 4.7.650") {
		t.Fatalf("MAIL FROM defer %q", r.Reply)
	}
	if r := byTo["boss@tenant.example"]; r == nil || r.Provider != "microsoft_tenant" || r.TimeRaw != "2026-03-03 10:00:10.123 +0100" || r.Time != "2026-03-03T10:00:10.123+01:00" {
		t.Fatalf("new id format %+v", r)
	}
	if r := byTo["user@sender.example"]; r == nil || r.Reply != "" || r.Acceptance != nil {
		t.Fatalf("local %+v", r)
	}
	if sum.Stats.Exim != int64(len(recs)) || sum.Totals.Bounced != 2 {
		t.Fatalf("%+v", sum.Stats)
	}
}

func TestOverlongAndBinary(t *testing.T) {
	var in bytes.Buffer
	in.WriteString(strings.Repeat("x", 200000) + "\n")
	in.WriteString("\x00\xff\xfe postfix]: : status=\n")
	in.WriteString("Mar  3 10:00:01 mail postfix/smtp[1]: ABCDEF1234: to=<a@b.example>, relay=mx.b.example[192.0.2.1]:25, dsn=2.0.0, status=sent (250 ok)\n")
	in.WriteString(strings.Repeat("y", 100000)) // overlong, no newline
	sc := NewScanner(Options{MaxLine: 4096})
	var n int
	if err := sc.Scan(&in, func(r *Record) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	st := sc.Stats()
	if n != 1 || st.Overlong != 2 || st.Lines != 4 {
		t.Fatalf("records %d stats %+v", n, st)
	}
}

func TestQueueMapBounded(t *testing.T) {
	sc := NewScanner(Options{MaxQueue: 10})
	for i := 0; i < 1000; i++ {
		sc.Line([]byte("Mar  3 10:00:00 mail postfix/cleanup[1]: ABCDE" + strings.Repeat("F", i%7) + string(rune('A'+i%26)) + ": message-id=<x@y>"))
	}
	if len(sc.queue) > 10 {
		t.Fatalf("queue map grew to %d", len(sc.queue))
	}
}

func FuzzLine(f *testing.F) {
	for _, name := range []string{"postfix.log", "exim.log", "postfix-lmtp.log"} {
		b, _ := os.ReadFile(filepath.Join("..", "..", "testdata", "logscan", name))
		for _, l := range bytes.Split(b, []byte("\n")) {
			f.Add(l)
		}
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		sc := NewScanner(Options{MaxQueue: 4})
		r := sc.Line(line)
		if r == nil {
			return
		}
		if r.Status != StatusSent && r.Status != StatusDeferred && r.Status != StatusBounced {
			t.Fatalf("status %q", r.Status)
		}
		if r.MTA != "postfix" && r.MTA != "exim" {
			t.Fatalf("mta %q", r.MTA)
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatal(err)
		}
	})
}

// TestDovecotLMTP: Dovecot's LMTP quotes the recipient, not the Message-ID
// ("250 2.0.0 <rcpt> SESSION Saved"), and local parts keep their case
// (RFC 5321 §2.4) while domains are lower-cased. Found by the integration
// run against Postfix and Dovecot.
func TestDovecotLMTP(t *testing.T) {
	recs, sum := scanFile(t, "postfix-lmtp.log")
	if len(recs) != 4 {
		t.Fatalf("%d records", len(recs))
	}
	probe, junk, old, full := recs[0], recs[1], recs[2], recs[3]
	if probe.To != "seed@accept.example" || probe.Domain != "accept.example" || probe.ProbeToken != "a2b3c4d5e6f7g2h3j4k5" {
		t.Fatalf("probe %+v", probe)
	}
	if a := probe.Acceptance; a == nil || a.EchoedMessageID != "" || a.EchoedOurs || a.Provider != "dovecot" || a.QueueID != "qk9KGZ3jZmXyFQAAmQ9Vnw" {
		t.Fatalf("probe acceptance %+v", probe.Acceptance)
	}
	if junk.To != "seed+Junk@accept.example" || junk.Acceptance.EchoedMessageID != "" || junk.Acceptance.QueueID != "rL0KGZ3jZmXyFQAAmQ9Vnw" {
		t.Fatalf("junk %+v %+v", junk, junk.Acceptance)
	}
	if old.To != "Old.User@accept.example" || old.Acceptance.EchoedMessageID != "" || old.Acceptance.Provider != "dovecot" || old.Acceptance.QueueID != "" {
		t.Fatalf("old dovecot %+v %+v", old, old.Acceptance)
	}
	if full.Status != StatusBounced || full.Code != 552 || full.Acceptance != nil {
		t.Fatalf("bounce %+v", full)
	}
	if len(sum.Destinations) != 1 || sum.Destinations[0].Domain != "accept.example" || sum.Destinations[0].Sent != 3 {
		t.Fatalf("destinations %+v", sum.Destinations)
	}
}
