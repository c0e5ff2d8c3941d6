package dnsbl

import (
	"context"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
)

// BenchmarkCheckLatency: five lists, the address listed on one. Per list the
// address and both health probes go out at once, then the TXT reason of a
// listing: 2 dependent lookups, bound 40 ms at 20 ms per answer; "x_bound"
// is wall time / bound (mean; p50_x_bound: median).
func BenchmarkCheckLatency(b *testing.B) {
	const delay = 20 * time.Millisecond
	srv, err := dnsserver.Start("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	ip := netip.MustParseAddr("198.51.100.7")
	var zones []Zone
	for _, n := range []string{"a.bl.test", "b.bl.test", "c.bl.test", "d.bl.test", "e.bl.test"} {
		zones = append(zones, Zone{Name: n, Label: n})
		if err := srv.AddA("2.0.0.127."+n, "127.0.0.2"); err != nil {
			b.Fatal(err)
		}
	}
	if err := srv.AddA(QueryName(ip, "a.bl.test"), "127.0.0.2"); err != nil {
		b.Fatal(err)
	}
	if err := srv.AddTXT(QueryName(ip, "a.bl.test"), "listed"); err != nil {
		b.Fatal(err)
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
		if res := Check(context.Background(), r, ip, zones); res.Status != StatusListed {
			b.Fatalf("%+v", res)
		}
		durs = append(durs, time.Since(t0))
	}
	b.ReportMetric(float64(time.Since(start))/float64(b.N)/float64(2*delay), "x_bound")
	// The median is robust against a loaded machine.
	slices.Sort(durs)
	b.ReportMetric(float64(durs[len(durs)/2])/float64(2*delay), "p50_x_bound")
}
