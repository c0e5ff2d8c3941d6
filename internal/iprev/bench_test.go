package iprev

import (
	"context"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
)

// BenchmarkCheckLatency: PTR, then the forward lookups of all names at once:
// 2 dependent lookups, bound 40 ms at 20 ms per answer; "x_bound" is wall
// time / bound (mean; p50_x_bound: median).
func BenchmarkCheckLatency(b *testing.B) {
	const delay = 20 * time.Millisecond
	srv, err := dnsserver.Start("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	for _, n := range []string{"a.bench.test", "b.bench.test", "c.bench.test"} {
		if err := srv.AddPTR("192.0.2.1", n); err != nil {
			b.Fatal(err)
		}
		if err := srv.AddA(n, "192.0.2.9"); err != nil {
			b.Fatal(err)
		}
	}
	if err := srv.AddA("c.bench.test", "192.0.2.1"); err != nil {
		b.Fatal(err)
	}
	srv.SetDelay(delay)
	r, err := resolver.New(resolver.Config{Servers: []string{srv.Addr()}, Timeout: 2 * time.Second, NoCache: true})
	if err != nil {
		b.Fatal(err)
	}
	ip := netip.MustParseAddr("192.0.2.1")
	durs := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if res := Check(context.Background(), r, ip); res.Result != StatusPass {
			b.Fatalf("%+v", res)
		}
		durs = append(durs, time.Since(t0))
	}
	b.ReportMetric(float64(time.Since(start))/float64(b.N)/float64(2*delay), "x_bound")
	// The median is robust against a loaded machine.
	slices.Sort(durs)
	b.ReportMetric(float64(durs[len(durs)/2])/float64(2*delay), "p50_x_bound")
}

func BenchmarkGeneric(b *testing.B) {
	ip := netip.MustParseAddr("198.51.100.7")
	for i := 0; i < b.N; i++ {
		Generic("static.7.100.51.198.clients.your-server.de", ip)
	}
}
