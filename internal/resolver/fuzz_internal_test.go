package resolver

import (
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func FuzzQueryName(f *testing.F) {
	for _, s := range []string{"example.com", "Example.COM.", "we!rd na me.test", `back\slash.test`, "müller.de", "a..b", "a..", ".", "", "\xff\xfe.test"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pres, out, err := queryName(s)
		if err != nil {
			return
		}
		if canon(pres) != pres {
			t.Fatalf("%q: presentation %q not canonical", s, pres)
		}
		if _, err := dns.PackDomainName(pres, make([]byte, 256), 0, nil, false); err != nil {
			t.Fatalf("%q: accepted, but %q does not pack: %v", s, pres, err)
		}
		if pres != "." && outName(pres) != out {
			t.Fatalf("%q: reported %q, wire name reads back as %q", s, out, outName(pres))
		}
		if strings.HasSuffix(out, ".") && out != "." {
			t.Fatalf("%q: reported name %q ends with a dot", s, out)
		}
	})
}

// FuzzStep feeds arbitrary DNS messages (untrusted input from the network)
// to the answer interpretation: it must not panic and must keep its bounds.
func FuzzStep(f *testing.F) {
	seed := func(rrs ...string) []byte {
		m := new(dns.Msg)
		m.SetQuestion("a.test.", dns.TypeA)
		m.Response = true
		for _, l := range rrs {
			rr, err := dns.NewRR(l)
			if err != nil {
				f.Fatal(err)
			}
			m.Answer = append(m.Answer, rr)
		}
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	f.Add(seed("a.test. 60 IN A 192.0.2.1"), uint16(dns.TypeA))
	f.Add(seed("a.test. 60 IN CNAME b.test.", "b.test. 60 IN CNAME a.test."), uint16(dns.TypeA))
	f.Add(seed("a.test. 60 IN CNAME b.test.", "b.test. 60 IN MX 0 .", "c.test. 60 IN MX 1 evil.test."), uint16(dns.TypeMX))
	f.Add(seed(`a.test. 60 IN TXT "v=spf1" " -all"`), uint16(dns.TypeTXT))
	f.Add(seed("a.test. 60 IN TLSA 3 1 1 DEADBEEF"), uint16(dns.TypeTLSA))
	f.Fuzz(func(t *testing.T, b []byte, qtype uint16) {
		msg := new(dns.Msg)
		if err := msg.Unpack(b); err != nil {
			return
		}
		ans := &Answer{Name: "a.test", Type: Type(qtype)}
		c := newChain("a.test.")
		done := c.step(ans, msg, Type(qtype))
		if len(ans.CNAMEs) > MaxCNAME {
			t.Fatalf("%d CNAMEs", len(ans.CNAMEs))
		}
		n := len(ans.IPs) + len(ans.MX) + len(ans.TXT) + len(ans.PTR) + len(ans.TLSA)
		if n > MaxRecords {
			t.Fatalf("%d records", n)
		}
		if !done && (n > 0 || ans.Status != "") {
			t.Fatalf("not done but status %q with %d records", ans.Status, n)
		}
		if done && ans.Status == "" {
			t.Fatal("done without a status")
		}
		switch Type(qtype) {
		case TypeA, TypeAAAA, TypeMX, TypeTXT, TypePTR, TypeCNAME, TypeNS, TypeTLSA:
			if ans.Status == StatusOK && n == 0 {
				t.Fatal("noerror without records")
			}
		}
		if ans.Status != StatusOK && n > 0 {
			t.Fatalf("status %s with %d records", ans.Status, n)
		}
	})
}
