package check

import (
	"context"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/lab"
	"github.com/mxprobe/mxprobe/internal/mtasts"
	"github.com/mxprobe/mxprobe/internal/mxdialog"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// labOptions builds check options against w for target.
func labOptions(t testing.TB, w *lab.World, target string, cache bool) Options {
	r, err := resolver.New(resolver.Config{Servers: []string{w.DNSAddr()}, Timeout: 2 * time.Second, Attempts: 1, NoCache: !cache})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := ParseTarget(target)
	if err != nil {
		t.Fatal(err)
	}
	return Options{Target: tg, MailFrom: "postmaster@" + lab.SenderDomain, FromDomain: lab.SenderDomain,
		HELO: lab.ClientName, Port: int(w.SMTPPort), Resolver: r, RootCAs: w.CA.Pool,
		DNSBLZones: lab.DNSBLZones(), DKIMSelectors: []string{lab.DKIMSelector},
		Policy: PolicyOptions{Fetcher: &mtasts.Fetcher{Resolver: r, RootCAs: w.CA.Pool, Dial: w.HTTPS.DialContext}}}
}

// roundTrips counts the sequential waits of one SMTP session: the banner
// and every change from client to server lines in the transcript.
func roundTrips(r *mxdialog.Result) int {
	n, last := 0, "C"
	for _, l := range r.Transcript {
		if l.Dir == "S" && last != "S" {
			n++
		}
		last = l.Dir
	}
	return n
}

// BenchmarkCheckCriticalPath runs one check of ok.lab.test with 20 ms added
// to every DNS answer and SMTP reply and reports wall time against the
// critical path: MX lookup + address lookup + the SMTP session's round trips,
// each × 20 ms (everything else runs beside it). Target ≤ 1.25×.
func BenchmarkCheckCriticalPath(b *testing.B) {
	const lat = 20 * time.Millisecond
	w, err := lab.Start(lab.Options{DNSDelay: lat, SMTPLatency: lat, Only: []string{"ok.lab.test"}})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	var ratio, wall float64
	var tr *tracer
	for i := 0; i < b.N; i++ {
		o := labOptions(b, w, "ok.lab.test", true)
		// The DNS lookups are traced (-v prints those of the last run).
		tr = &tracer{next: o.Resolver, delay: lat}
		o.Resolver, o.Policy.Fetcher.Resolver = tr, tr
		start := time.Now()
		tr.t0 = start
		rep := Run(context.Background(), o)
		d := time.Since(start)
		if rep.Verdict != "ok" {
			b.Fatalf("verdict %s: %+v", rep.Verdict, rep.raw)
		}
		smtp := rep.MX[0].Addresses[0].SMTP
		crit := time.Duration(2+roundTrips(smtp)) * lat
		ratio += float64(d) / float64(crit)
		wall += float64(d.Milliseconds())
	}
	b.ReportMetric(ratio/float64(b.N), "x_critical_path")
	b.ReportMetric(wall/float64(b.N), "wall_ms")
	if testing.Verbose() {
		b.Logf("DNS lookups of the last run:\n%s", tr)
	}
}
