package mx

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
)

// BenchmarkResolveLatency measures Resolve against the lab with 20 ms added
// per answer and no cache. The longest chain of dependent lookups is 2 (MX,
// then A/AAAA of all hosts at once), so the bound is 40 ms; "x_bound"
// reports mean wall time / bound (1.0 = perfectly concurrent), "p50_x_bound"
// the median.
func BenchmarkResolveLatency(b *testing.B) {
	const delay = 20 * time.Millisecond
	srv, err := dnsserver.Start("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	for i, h := range []string{"mx1.bench.test", "mx2.bench.test", "mx3.bench.test", "mx4.bench.test"} {
		if err := srv.AddMX("bench.test", uint16(10*(i/2)), h); err != nil {
			b.Fatal(err)
		}
		if err := srv.AddA(h, "192.0.2.1"); err != nil {
			b.Fatal(err)
		}
		if err := srv.AddAAAA(h, "2001:db8::1"); err != nil {
			b.Fatal(err)
		}
	}
	srv.SetDelay(delay)
	r, err := resolver.New(resolver.Config{Servers: []string{srv.Addr()}, Timeout: 2 * time.Second, NoCache: true})
	if err != nil {
		b.Fatal(err)
	}
	durs := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if res := Resolve(context.Background(), r, "bench.test"); res.Status != StatusOK || len(res.Addresses()) != 2 {
			b.Fatalf("%+v", res)
		}
		durs = append(durs, time.Since(t0))
	}
	b.ReportMetric(float64(time.Since(start))/float64(b.N)/float64(2*delay), "x_bound")
	// The median is robust against a loaded machine.
	slices.Sort(durs)
	b.ReportMetric(float64(durs[len(durs)/2])/float64(2*delay), "p50_x_bound")
}
