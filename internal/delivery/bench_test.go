package delivery

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkScanSeed10k scans a 10,000-message seed mailbox (plus junk and
// archive) for one probe: server-side SEARCH, only the match fetched.
// go test -run='^$' -bench=ScanSeed -benchmem ./internal/delivery/
func BenchmarkScanSeed10k(b *testing.B) {
	w := newWorld(b, worldOpts{})
	for i := 0; i < 10000; i++ {
		msg := fmt.Sprintf("From: n%d@news.test\r\nTo: seed@dest.test\r\nSubject: newsletter %d\r\nMessage-ID: <n%d@news.test>\r\n\r\nbody %d\r\n", i, i, i, i)
		if _, err := w.seed.Append("INBOX", []byte(msg), t0.Add(-time.Hour)); err != nil {
			b.Fatal(err)
		}
	}
	p := w.send(b, seedAddr)
	o := w.seedIMAP()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sc := ScanSeed(context.Background(), o, []string{p.Token}, p.StartedAt)
		if !sc.Complete || len(sc.Found) != 1 {
			b.Fatalf("%+v", sc)
		}
	}
}

// BenchmarkVerdict recomputes the verdict over a ledger of 1,000 probes
// with 20 scans each.
func BenchmarkVerdict(b *testing.B) {
	var e evb
	var toks []string
	for i := 0; i < 1000; i++ {
		tok := mustToken(b)
		toks = append(toks, tok)
		e.send(tok, t0.Add(time.Duration(i)*time.Second), OutcomeAccepted)
	}
	for s := 0; s < 20; s++ {
		e.scan(t0.Add(time.Duration(s)*time.Hour), true, toks, seen(toks[s], "INBOX", RoleInbox, t0))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Verdict(e.evs, t0.Add(30*time.Hour), DefaultWindows())
	}
}
