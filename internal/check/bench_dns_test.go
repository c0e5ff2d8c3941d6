package check

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/lab"
	"github.com/mxprobe/mxprobe/internal/mtasts"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// tracedLookup is one lookup seen by tracer: when it was asked and answered,
// relative to the start of the run.
type tracedLookup struct {
	name       string
	typ        resolver.Type
	start, end time.Duration
	cached     bool
}

// tracer wraps a Lookuper and records every lookup with its timing, so a
// benchmark can show which lookups waited for which (the "waves").
type tracer struct {
	next  resolver.Lookuper
	t0    time.Time
	delay time.Duration
	mu    sync.Mutex
	log   []tracedLookup
}

func (t *tracer) Lookup(ctx context.Context, name string, typ resolver.Type) *resolver.Answer {
	s := time.Since(t.t0)
	a := t.next.Lookup(ctx, name, typ)
	e := time.Since(t.t0)
	t.mu.Lock()
	// An answer much faster than the added latency came from the cache (or
	// joined a query already in flight).
	t.log = append(t.log, tracedLookup{name, typ, s, e, e-s < t.delay/2})
	t.mu.Unlock()
	return a
}

// waves is the number of sequential network waits the run took: each
// lookup that went to the server is put in the wave its start time falls in.
func (t *tracer) waves() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, l := range t.log {
		if l.cached {
			continue
		}
		if w := int(math.Round(float64(l.start)/float64(t.delay))) + 1; w > n {
			n = w
		}
	}
	return n
}

func (t *tracer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	l := append([]tracedLookup(nil), t.log...)
	sort.Slice(l, func(i, j int) bool { return l[i].start < l[j].start })
	var b strings.Builder
	for _, x := range l {
		c := ""
		if x.cached {
			c = " (cache/joined)"
		}
		fmt.Fprintf(&b, "  wave %d  %6.1f–%6.1f ms  %-5s %s%s\n", int(math.Round(float64(x.start)/float64(t.delay)))+1,
			float64(x.start.Microseconds())/1000, float64(x.end.Microseconds())/1000, x.typ, x.name, c)
	}
	return b.String()
}

// dnsChainOK is the longest chain of dependent lookups that go to the
// network in `mxprobe dns ok.lab.test --ip 127.0.0.1 --from a@sender.lab.test`
// with the lab's data:
//
//	MX ok.lab.test → A/AAAA mx.ok.lab.test → PTR 10.0.0.127.in-addr.arpa
//
// The forward confirmation of the PTR name (iprev, RFC 8601 §3) asks for the
// addresses of mx.ok.lab.test again, which the resolver's cache answers.
// Everything else is shorter: SPF of sender.lab.test matches ip4: in its
// first record (1), DKIM selectors in parallel (1), DMARC at
// _dmarc.sender.lab.test (1), TLS-RPT (1), DANE: MX → TLSA (2), MTA-STS: TXT
// (1, plus the policy host's address (2) when the fetch resolves it).
const dnsChainOK = 3

// BenchmarkDNSCheckSet runs the whole DNS check set of `mxprobe dns` for
// ok.lab.test with 20 ms added to every DNS answer and reports wall time
// against the longest chain of dependent lookups × 20 ms (target ≤ 1.2×).
// It also reports the waves: the sequential network waits the run took,
// counted from the start times of the lookups (-v prints them).
//
//	go test -run '^$' -bench DNSCheckSet -benchtime 10x ./internal/check/
func BenchmarkDNSCheckSet(b *testing.B) {
	const lat = 20 * time.Millisecond
	w, err := lab.Start(lab.Options{DNSDelay: lat, Only: []string{"ok.lab.test"}})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	tg, err := ParseTarget("ok.lab.test")
	if err != nil {
		b.Fatal(err)
	}
	var wall, ratio float64
	var tr *tracer
	for i := 0; i < b.N; i++ {
		// A fresh resolver (and cache) per run, like one process run.
		r, err := resolver.New(resolver.Config{Servers: []string{w.DNSAddr()}, Timeout: 2 * time.Second, Attempts: 1})
		if err != nil {
			b.Fatal(err)
		}
		tr = &tracer{next: r, delay: lat}
		o := DNSOptions{Target: tg, IP: netip.MustParseAddr(lab.ClientIP), MailFrom: "a@" + lab.SenderDomain,
			FromDomain: lab.SenderDomain, Resolver: tr,
			Policy: PolicyOptions{Fetcher: &mtasts.Fetcher{Resolver: tr, RootCAs: w.CA.Pool, Dial: w.HTTPS.DialContext}}}
		tr.t0 = time.Now()
		rep := RunDNS(context.Background(), o)
		d := time.Since(tr.t0)
		if rep.Verdict == "incomplete" {
			b.Fatalf("verdict %s: %+v", rep.Verdict, rep.raw)
		}
		wall += float64(d) / float64(time.Millisecond)
		ratio += float64(d) / float64(dnsChainOK*lat)
	}
	n := float64(b.N)
	b.ReportMetric(wall/n, "wall_ms")
	b.ReportMetric(float64(dnsChainOK*lat/time.Millisecond), "chain_ms")
	b.ReportMetric(ratio/n, "x_chain")
	b.ReportMetric(float64(tr.waves()), "waves")
	b.ReportMetric(0, "ns/op")
	if testing.Verbose() {
		b.Logf("lookups of the last run:\n%s", tr)
	}
}
