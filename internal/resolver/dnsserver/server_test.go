package dnsserver_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
)

func start(t *testing.T) *dnsserver.Server {
	t.Helper()
	s, err := dnsserver.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func ask(t *testing.T, s *dnsserver.Server, network, name string, qtype uint16, edns bool) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	if edns {
		m.SetEdns0(1232, true)
	}
	c := &dns.Client{Net: network, Timeout: 2 * time.Second}
	r, _, err := c.Exchange(m, s.Addr())
	if err != nil {
		t.Fatalf("%s %s over %s: %v", name, dns.TypeToString[qtype], network, err)
	}
	return r
}

func TestAnswers(t *testing.T) {
	s := start(t)
	if err := s.AddRR(
		"ok.lab.test. 300 IN MX 10 mx.ok.lab.test.",
		"mx.ok.lab.test. 300 IN A 192.0.2.1",
		"lab.test. 3600 IN SOA ns.lab.test. hostmaster.lab.test. 7 3600 600 86400 120",
	); err != nil {
		t.Fatal(err)
	}
	if err := s.AddRR("bad. IN MX nope"); err == nil {
		t.Error("AddRR accepted a bad line")
	}
	for _, c := range []struct {
		name    string
		qtype   uint16
		rcode   int
		answers int
		soa     bool
	}{
		{"ok.lab.test", dns.TypeMX, dns.RcodeSuccess, 1, false},
		{"OK.Lab.Test", dns.TypeMX, dns.RcodeSuccess, 1, false},
		{"ok.lab.test", dns.TypeA, dns.RcodeSuccess, 0, true},        // NODATA
		{"ok.lab.test", dns.TypeCNAME, dns.RcodeSuccess, 0, true},    // NODATA
		{"lab.test", dns.TypeA, dns.RcodeSuccess, 0, true},           // NODATA at the apex
		{"test", dns.TypeA, dns.RcodeSuccess, 0, true},               // empty non-terminal
		{"nope.lab.test", dns.TypeA, dns.RcodeNameError, 0, true},    // NXDOMAIN
		{"x.mx.ok.lab.test", dns.TypeA, dns.RcodeNameError, 0, true}, // below an existing name
	} {
		for _, network := range []string{"udp", "tcp"} {
			r := ask(t, s, network, c.name, c.qtype, true)
			if r.Rcode != c.rcode || len(r.Answer) != c.answers || (len(r.Ns) == 1) != c.soa || !r.Authoritative {
				t.Errorf("%s %s %s: %s", network, c.name, dns.TypeToString[c.qtype], r)
			}
			if r.IsEdns0() == nil {
				t.Errorf("%s %s: no OPT in the answer to an EDNS query", network, c.name)
			}
		}
	}
	// The zone's own SOA is used where there is one.
	if r := ask(t, s, "udp", "nope.lab.test", dns.TypeA, false); r.Ns[0].(*dns.SOA).Minttl != 120 {
		t.Errorf("SOA %v", r.Ns[0])
	}
	if s.Count("ok.lab.test", resolver.TypeMX) != 4 || s.Count("ok.lab.test", 0) != 8 {
		t.Errorf("counts %d %d", s.Count("ok.lab.test", resolver.TypeMX), s.Count("ok.lab.test", 0))
	}
	if s.Queries() != 17 {
		t.Errorf("%d queries, want 17", s.Queries())
	}
	s.ResetCounts()
	if s.Queries() != 0 || len(s.Received()) != 0 {
		t.Error("ResetCounts")
	}

	s.Remove("mx.ok.lab.test", resolver.TypeA)
	if r := ask(t, s, "udp", "mx.ok.lab.test", dns.TypeA, false); r.Rcode != dns.RcodeNameError {
		t.Errorf("after Remove: %s", dns.RcodeToString[r.Rcode])
	}
}

func TestTruncationBySize(t *testing.T) {
	s := start(t)
	for i := range 200 {
		if err := s.AddMX("big.lab.test", uint16(i), fmt.Sprintf("mx%d.big.lab.test", i)); err != nil {
			t.Fatal(err)
		}
	}
	if r := ask(t, s, "udp", "big.lab.test", dns.TypeMX, false); !r.Truncated {
		t.Error("512-byte UDP answer not truncated")
	}
	if r := ask(t, s, "udp", "big.lab.test", dns.TypeMX, true); !r.Truncated || func() int { r.Compress = true; return r.Len() }() > 1232 {
		t.Errorf("EDNS 1232 answer: TC %v, %d bytes", r.Truncated, r.Len())
	}
	if r := ask(t, s, "tcp", "big.lab.test", dns.TypeMX, true); r.Truncated || len(r.Answer) != 200 {
		t.Errorf("TCP: TC %v, %d answers", r.Truncated, len(r.Answer))
	}
}

func TestRules(t *testing.T) {
	s := start(t)
	for _, n := range []string{"sf", "ref", "tc", "ad", "wq", "wid", "old"} {
		if err := s.AddA(n+".lab.test", "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
	}
	s.SetRule("sf.lab.test", 0, dnsserver.Rule{ServFail: true})
	s.SetRule("ref.lab.test", resolver.TypeA, dnsserver.Rule{Refused: true})
	s.SetRule("tc.lab.test", 0, dnsserver.Rule{Truncate: true})
	s.SetRule("ad.lab.test", 0, dnsserver.Rule{AD: true})
	s.SetRule("wq.lab.test", 0, dnsserver.Rule{WrongQuestion: true})
	s.SetRule("wid.lab.test", 0, dnsserver.Rule{WrongID: true})
	s.SetRule("old.lab.test", 0, dnsserver.Rule{NoEDNS: true})
	if r := ask(t, s, "udp", "sf.lab.test", dns.TypeA, false); r.Rcode != dns.RcodeServerFailure {
		t.Error("ServFail")
	}
	if r := ask(t, s, "udp", "ref.lab.test", dns.TypeA, false); r.Rcode != dns.RcodeRefused {
		t.Error("Refused")
	}
	if r := ask(t, s, "udp", "ref.lab.test", dns.TypeAAAA, false); r.Rcode != dns.RcodeSuccess {
		t.Error("a type-specific rule applied to another type")
	}
	if r := ask(t, s, "udp", "tc.lab.test", dns.TypeA, false); !r.Truncated || len(r.Answer) != 0 {
		t.Error("Truncate over UDP")
	}
	if r := ask(t, s, "tcp", "tc.lab.test", dns.TypeA, false); r.Truncated || len(r.Answer) != 1 {
		t.Error("Truncate over TCP")
	}
	if r := ask(t, s, "udp", "ad.lab.test", dns.TypeA, false); !r.AuthenticatedData {
		t.Error("AD")
	}
	if r := ask(t, s, "udp", "wq.lab.test", dns.TypeA, false); strings.EqualFold(r.Question[0].Name, "wq.lab.test.") {
		t.Error("WrongQuestion")
	}
	if r := ask(t, s, "udp", "old.lab.test", dns.TypeA, true); r.Rcode != dns.RcodeFormatError || r.IsEdns0() != nil {
		t.Error("NoEDNS with EDNS")
	}
	if r := ask(t, s, "udp", "old.lab.test", dns.TypeA, false); r.Rcode != dns.RcodeSuccess {
		t.Error("NoEDNS without EDNS")
	}
	// miekg's client rejects an answer with the wrong ID.
	m := new(dns.Msg)
	m.SetQuestion("wid.lab.test.", dns.TypeA)
	c := &dns.Client{Timeout: 200 * time.Millisecond}
	if _, _, err := c.Exchange(m, s.Addr()); err == nil {
		t.Error("WrongID: the answer was accepted")
	}
	s.SetRule("sf.lab.test", 0, dnsserver.Rule{})
	if r := ask(t, s, "udp", "sf.lab.test", dns.TypeA, false); r.Rcode != dns.RcodeSuccess {
		t.Error("zero Rule did not remove the rule")
	}
}

// TestPointerLoop: the answer is a compression pointer to itself, over UDP
// and TCP; miekg's parser must refuse it (and not loop).
func TestPointerLoop(t *testing.T) {
	s := start(t)
	s.AddMX("loop.lab.test", 10, "mx.lab.test")
	s.SetRule("loop.lab.test", resolver.TypeMX, dnsserver.Rule{PointerLoop: true})
	for _, network := range []string{"udp", "tcp"} {
		m := new(dns.Msg)
		m.SetQuestion("loop.lab.test.", dns.TypeMX)
		c := &dns.Client{Net: network, Timeout: 2 * time.Second}
		_, _, err := c.Exchange(m, s.Addr())
		if err == nil || !strings.Contains(err.Error(), "compression pointers") {
			t.Errorf("%s: %v, want a compression pointer error", network, err)
		}
	}
}

func TestDelayedAnswerDoesNotBlockClose(t *testing.T) {
	s, err := dnsserver.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.SetDelay(time.Hour)
	m := new(dns.Msg)
	m.SetQuestion("x.lab.test.", dns.TypeA)
	sent := make(chan struct{})
	go func() {
		c := &dns.Client{Timeout: 300 * time.Millisecond}
		_, _, _ = c.Exchange(m, s.Addr())
		close(sent)
	}()
	<-sent // the client gave up; the handler still sleeps
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs on a delayed answer")
	}
}

func TestAddWhileServing(t *testing.T) {
	s := start(t)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := range 50 {
				_ = s.AddA(fmt.Sprintf("h%d-%d.lab.test", i, j), "192.0.2.1")
				s.SetRule(fmt.Sprintf("h%d-%d.lab.test", i, j), 0, dnsserver.Rule{AD: true})
			}
		}()
		go func() {
			defer wg.Done()
			c := &dns.Client{Timeout: time.Second}
			for j := range 50 {
				m := new(dns.Msg)
				m.SetQuestion(fmt.Sprintf("h%d-%d.lab.test.", i, j), dns.TypeA)
				_, _, _ = c.Exchange(m, s.Addr())
			}
		}()
	}
	wg.Wait()
	if s.Queries() != 200 {
		t.Errorf("%d queries, want 200", s.Queries())
	}
}

func TestHelpers(t *testing.T) {
	s := start(t)
	long := strings.Repeat("x", 300)
	for _, err := range []error{
		s.AddTXT("t.lab.test", long),
		s.AddAAAA("h.lab.test", "2001:db8::1"),
		s.AddMX("null.lab.test", 0, "."),
		s.AddPTR("2001:db8::1", "h.lab.test"),
		s.AddCNAME("alias.lab.test", "h.lab.test"),
		s.AddTLSA("_25._tcp.h.lab.test", 3, 1, 1, []byte{1, 2}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, err := range []error{
		s.AddA("h.lab.test", "2001:db8::1"),
		s.AddAAAA("h.lab.test", "192.0.2.1"),
		s.AddA(strings.Repeat("a", 64)+".test", "192.0.2.1"),
		s.AddA("a..test", "192.0.2.1"),
	} {
		if err == nil {
			t.Error("bad input accepted")
		}
	}
	r := ask(t, s, "tcp", "t.lab.test", dns.TypeTXT, false)
	if txt := r.Answer[0].(*dns.TXT).Txt; len(txt) != 2 || len(txt[0]) != 255 || len(txt[1]) != 45 {
		t.Errorf("long TXT not split in 255+45: %d parts", len(txt))
	}
	if r := ask(t, s, "udp", "null.lab.test", dns.TypeMX, false); r.Answer[0].(*dns.MX).Mx != "." {
		t.Error("null MX")
	}
	if r := ask(t, s, "udp", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", dns.TypePTR, false); len(r.Answer) != 1 {
		t.Error("PTR by IP")
	}
	if r := ask(t, s, "udp", "alias.lab.test", dns.TypeAAAA, false); len(r.Answer) != 2 {
		t.Errorf("CNAME chased: %v", r.Answer)
	}
	s.SetChaseCNAME(false)
	if r := ask(t, s, "udp", "alias.lab.test", dns.TypeAAAA, false); len(r.Answer) != 1 {
		t.Errorf("CNAME not chased: %v", r.Answer)
	}
}
