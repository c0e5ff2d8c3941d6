package spf

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/resolver"
)

// FuzzParse: the record parser never panics, accepts only records that
// start with v=spf1, and a parsed record keeps every term it was given.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"v=spf1 -all",
		"v=spf1 +a -mx:%{d2}/24//64 ~ptr ?ip4:192.0.2.1/24 ip6:2001:DB8::/32 include:_spf.example.com exists:%{ir}.%{v}._spf.%{d2} -all redirect=example.net exp=explain.%{d} foo=%{s}",
		"v=spf1 a:foo:bar/baz.example.com",
		"v=spf1 a/24/64",
		"v=spf1 ip6:::1.1.1.1//33",
		"v=spf1 moo.cow-far_out=man:dog/cat",
		"v=spf1 exists:%(ir).sbl.example.com",
		"v=spf1 a:%{l99999999999999999999r+-}.x",
		"v=spf1 \x80a:example.net -all",
		"v=spf1 redirect=a.example redirect=b.example",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			if r != nil {
				t.Fatalf("record and error for %q", s)
			}
			return
		}
		if !IsSPF(s) {
			t.Fatalf("accepted a record without version: %q", s)
		}
		n := len(r.Directives) + len(r.Unknown)
		if r.Redirect != "" {
			n++
		}
		if r.Exp != "" {
			n++
		}
		// An accepted record is printable US-ASCII, so Fields splits it
		// exactly where the parser does (at SP).
		if want := len(strings.Fields(s[6:])); n != want {
			t.Fatalf("%q: %d terms parsed, %d in the record", s, n, want)
		}
		for _, d := range r.Directives {
			if d.spec != nil {
				if _, err := parseMacroString(d.spec.String(), ctxDomain); err != nil {
					t.Fatalf("%q: round trip of %q: %v", s, d.DomainSpec, err)
				}
			}
		}
	})
}

// FuzzMacro: parsing and expanding a macro string never panics, the output
// is bounded, and String() round-trips.
func FuzzMacro(f *testing.F) {
	for _, s := range []string{
		"%{ir}.%{v}._spf.%{d2}", "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "%{L}%%%_%-", "%{c} %{r} %{t}",
		"%{p}", "%{d0}", "%{", "%", "%{s9999r.-+,/_=}", "http://example.com/why.html?l=%{L}",
	} {
		f.Add(s, "local-part+x@example.com", "192.0.2.1", true)
	}
	f.Fuzz(func(t *testing.T, s, sender, ip string, explain bool) {
		ctx := ctxDomain
		if explain {
			ctx = ctxExplain
		}
		m, err := parseMacroString(s, ctx)
		if err != nil {
			return
		}
		if got := m.String(); got != s {
			t.Fatalf("String() = %q, input %q", got, s)
		}
		addr, _ := netip.ParseAddr(ip)
		local, dom, _ := strings.Cut(sender, "@")
		env := &macroEnv{sender: sender, local: local, senderDom: dom, domain: dom, ip: addr.Unmap(), helo: dom, receiver: "r.example", ptr: func() string { return "unknown" }}
		out, err := m.expand(env)
		if err == nil && len(out) > maxExpansion+len(s)+3*len(sender)+200 {
			t.Fatalf("expansion of %q is %d bytes", s, len(out))
		}
	})
}

// mapLookuper is an in-memory Lookuper for the check_host fuzz target:
// TXT records from a map, one A/AAAA record for names starting with "a",
// MX and PTR pointing to such names, NXDOMAIN for everything else.
type mapLookuper struct {
	txt   map[string][]string
	calls int
}

func (m *mapLookuper) Lookup(_ context.Context, name string, t resolver.Type) *resolver.Answer {
	m.calls++
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	a := &resolver.Answer{Name: name, Type: t, Status: resolver.StatusNXDomain}
	switch t {
	case resolver.TypeTXT:
		if v, ok := m.txt[name]; ok {
			a.Status, a.TXT = resolver.StatusOK, v
		}
	case resolver.TypeA:
		if strings.HasPrefix(name, "a") {
			a.Status, a.IPs = resolver.StatusOK, []netip.Addr{netip.MustParseAddr("192.0.2.1")}
		}
	case resolver.TypeAAAA:
		if strings.HasPrefix(name, "a") {
			a.Status, a.IPs = resolver.StatusOK, []netip.Addr{netip.MustParseAddr("2001:db8::1")}
		}
	case resolver.TypeMX:
		for i := range 12 {
			a.Status = resolver.StatusOK
			a.MX = append(a.MX, resolver.MX{Preference: uint16(i), Host: fmt.Sprintf("a%d.%s", i, name)})
		}
	case resolver.TypePTR:
		for i := range 12 {
			a.Status = resolver.StatusOK
			a.PTR = append(a.PTR, fmt.Sprintf("a%d.example.test", i))
		}
	}
	return a
}

// FuzzCheckHost: check_host() on hostile records never panics, always
// returns an RFC 7208 result word, and stays within the processing limits
// (bounded number of DNS queries).
func FuzzCheckHost(f *testing.F) {
	f.Add("v=spf1 include:b.test mx ptr a:%{d} exists:%{ir}.%{l}.x.test -all exp=e.test", "v=spf1 redirect=a.test", "%{p} %{c} %{t}", "u@a.test", true)
	f.Add("v=spf1 redirect=b.test", "v=spf1 include:a.test", "x", "", false)
	f.Fuzz(func(t *testing.T, recA, recB, exp, sender string, v6 bool) {
		m := &mapLookuper{txt: map[string][]string{
			"a.test": {recA}, "b.test": {recB}, "e.test": {exp},
		}}
		ip := netip.MustParseAddr("192.0.2.1")
		if v6 {
			ip = netip.MustParseAddr("2001:db8::1")
		}
		res := CheckHost(context.Background(), m, Query{IP: ip, Domain: "a.test", Sender: sender, HELO: "h.test"})
		if _, ok := resultIDs[res.Status]; !ok {
			t.Fatalf("result word %q", res.Status)
		}
		if res.Lookups > MaxLookups+1 || res.VoidLookups > MaxVoidLookups+1 {
			t.Fatalf("limits exceeded: %d lookups, %d void", res.Lookups, res.VoidLookups)
		}
		// 1 record + 10 terms × (1 + 10 names) + %{p} (1 + 10) + exp (1).
		if m.calls > 1+MaxLookups*(1+MaxNames)+1+MaxNames+1 {
			t.Fatalf("%d DNS queries", m.calls)
		}
		if (res.Err == nil) != (res.Error == "") {
			t.Fatalf("Err %v vs Error %q", res.Err, res.Error)
		}
		_ = Findings(res)
	})
}
