// Package labdns is the DNS part of the lab for package tests: a loopback
// authoritative server (internal/resolver/dnsserver) and a real resolver
// pointed at it. Only tests import it; the checks' tests share it instead
// of each starting its own pair.
package labdns

import (
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
)

// Timeout is the resolver's per-attempt timeout: short, so "no answer"
// cases stay fast; with one attempt a dropped query is a timeout, not a retry.
const Timeout = 300 * time.Millisecond

// Start starts the server on 127.0.0.1 and a resolver on it; both are
// closed when the test ends.
func Start(t testing.TB) (*dnsserver.Server, *resolver.Resolver) {
	t.Helper()
	srv, err := dnsserver.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	r, err := resolver.New(resolver.Config{Servers: []string{srv.Addr()}, Timeout: Timeout, Attempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return srv, r
}
