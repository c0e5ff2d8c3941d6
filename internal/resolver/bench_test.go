package resolver_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/resolver"
)

// BenchmarkConcurrentLookups runs 100 distinct lookups at once against the
// loopback server with 20 ms added latency per answer (and one alone, for
// the fixed cost). One op is the whole batch; with lookups truly concurrent
// its wall time stays near 20 ms (reported as ms/batch and as the ratio to
// the 20 ms bound).
func BenchmarkConcurrentLookups(b *testing.B) {
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprint("lookups=", n), func(b *testing.B) { benchLookups(b, n) })
	}
}

func benchLookups(b *testing.B, n int) {
	const delay = 20 * time.Millisecond
	s := startServer(b)
	for i := range n {
		must(b, s.AddA(fmt.Sprintf("h%d.bench.test", i), "192.0.2.1"))
	}
	s.SetDelay(delay)
	ctx := context.Background()
	var total time.Duration
	b.ResetTimer()
	for range b.N {
		// A fresh resolver per batch, so every lookup goes to the server.
		r := newResolverFor(b, s.Addr())
		start := time.Now()
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if a := r.Lookup(ctx, fmt.Sprintf("h%d.bench.test", i), resolver.TypeA); a.Status != resolver.StatusOK {
					b.Errorf("h%d: %s %v", i, a.Status, a.Err)
				}
			}()
		}
		wg.Wait()
		total += time.Since(start)
	}
	b.StopTimer()
	avg := total / time.Duration(b.N)
	b.ReportMetric(float64(avg)/float64(time.Millisecond), "ms/batch")
	b.ReportMetric(float64(avg)/float64(delay), "x-bound")
}

func newResolverFor(b *testing.B, addr string) *resolver.Resolver {
	// Two attempts: on a loaded machine a UDP datagram can be lost.
	r, err := resolver.New(resolver.Config{Servers: []string{addr}, Timeout: 2 * time.Second, Attempts: 2})
	if err != nil {
		b.Fatal(err)
	}
	return r
}
