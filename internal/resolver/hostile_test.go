package resolver_test

import (
	"context"
	"net"
	"net/netip"
	"testing"

	"github.com/miekg/dns"

	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
)

// rawServer serves h on a loopback UDP port (for answers dnsserver does not
// produce on purpose).
func rawServer(t *testing.T, h dns.HandlerFunc) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, Handler: h, NotifyStartedFunc: func() { close(started) }}
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	t.Cleanup(func() { _ = srv.Shutdown() })
	return pc.LocalAddr().String()
}

func TestOnlyChainRecordsAccepted(t *testing.T) {
	addr := rawServer(t, func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		for _, l := range []string{
			"evil.test. 60 IN A 203.0.113.66",      // unrelated owner (cache poisoning attempt)
			"in.test. 60 IN CNAME target.test.",    //
			"target.test. 60 IN A 192.0.2.1",       //
			"target.test. 60 IN MX 10 x.test.",     // other type
			"target.test. 60 CH A 203.0.113.67",    // other class
			"other.test. 60 IN CNAME target.test.", // not in our chain
		} {
			rr, err := dns.NewRR(l)
			if err != nil {
				panic(err)
			}
			m.Answer = append(m.Answer, rr)
		}
		_ = w.WriteMsg(m)
	})
	r, err := resolver.New(resolver.Config{Servers: []string{addr}, Attempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	a := r.Lookup(context.Background(), "in.test", resolver.TypeA)
	if a.Status != resolver.StatusOK || len(a.IPs) != 1 || a.IPs[0] != netip.MustParseAddr("192.0.2.1") || len(a.CNAMEs) != 1 {
		t.Fatalf("%+v", a)
	}
	if a.TTL.Seconds() != 60 {
		t.Errorf("TTL %v", a.TTL)
	}
}

func TestNoEDNSFallback(t *testing.T) {
	s := startServer(t)
	must(t, s.AddA("old.lab.test", "192.0.2.1"))
	s.SetRule("old.lab.test", 0, dnsserver.Rule{NoEDNS: true})
	r := newResolver(t, resolver.Config{}, s)
	a := r.Lookup(context.Background(), "old.lab.test", resolver.TypeA)
	if a.Status != resolver.StatusOK || len(a.IPs) != 1 {
		t.Fatalf("%s %v", a.Status, a.Err)
	}
	if s.Count("old.lab.test", resolver.TypeA) != 2 {
		t.Errorf("%d queries, want 2 (with and without EDNS)", s.Count("old.lab.test", resolver.TypeA))
	}
}

func TestGarbageAnswer(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	go func() {
		buf := make([]byte, 512)
		for range 4 {
			n, from, err := pc.ReadFrom(buf)
			if err != nil || n < 2 {
				return
			}
			// Echo the ID, then garbage.
			_, _ = pc.WriteTo(append(buf[:2:2], 0x81, 0x80, 0xff, 0xff, 0, 1), from)
		}
	}()
	r, err := resolver.New(resolver.Config{Servers: []string{pc.LocalAddr().String()}, Attempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	a := r.Lookup(context.Background(), "x.test", resolver.TypeA)
	if a.Status != resolver.StatusError || a.Err == nil {
		t.Fatalf("%s %v", a.Status, a.Err)
	}
	t.Log(a.Err)
}
