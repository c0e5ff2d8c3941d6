package spf_test

import (
	"context"
	"net/netip"
	"testing"

	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/spf"
)

// benchWorld publishes a typical provider-style record: three includes (one
// nested), mx and a; the client is only listed in the nested include, so
// every term up to it is evaluated (6 DNS-querying terms, 8 queries).
func benchWorld(b *testing.B, cfg resolver.Config) *world {
	w := newWorld(b, cfg)
	w.txt("bench.test", "v=spf1 mx a include:_spf1.bench.test include:_spf2.bench.test include:_spf3.bench.test -all")
	w.txt("_spf1.bench.test", "v=spf1 ip4:192.0.2.0/25 ip4:192.0.2.128/26 ip6:2001:db8:1::/48 ~all")
	w.txt("_spf2.bench.test", "v=spf1 ip4:198.51.100.0/24 include:_spf2b.bench.test ~all")
	w.txt("_spf2b.bench.test", "v=spf1 ip4:203.0.113.0/25 ip6:2001:db8:2::/48 ~all")
	w.txt("_spf3.bench.test", "v=spf1 ip4:203.0.113.128/25 ip6:2001:db8:3::/48 ~all")
	if err := w.srv.AddMX("bench.test", 10, "mx.bench.test"); err != nil {
		b.Fatal(err)
	}
	w.a("mx.bench.test", "192.0.2.250")
	w.a("bench.test", "192.0.2.251")
	return w
}

func benchCheck(b *testing.B, w *world) {
	ip := netip.MustParseAddr("203.0.113.200")
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		res := spf.CheckHost(ctx, w.r, spf.Query{IP: ip, Domain: "bench.test"})
		if res.Status != spf.Pass || res.Lookups != 6 {
			b.Fatalf("got %s after %d lookups (%v)", res.Status, res.Lookups, res.Err)
		}
	}
}

// BenchmarkCheckHostIncludes: every query goes over loopback UDP to the
// authoritative test server (resolver cache off).
func BenchmarkCheckHostIncludes(b *testing.B) {
	benchCheck(b, benchWorld(b, resolver.Config{NoCache: true}))
}

// BenchmarkCheckHostIncludesCached: the same with the resolver's cache, as
// in one mxprobe run that checks several identities of one domain.
func BenchmarkCheckHostIncludesCached(b *testing.B) {
	benchCheck(b, benchWorld(b, resolver.Config{}))
}
