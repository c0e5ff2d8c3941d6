package spf_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/spf"
)

func TestParseValid(t *testing.T) {
	r, err := spf.Parse("v=spf1 +a -mx:%{d2}/24//64 ~ptr ?ip4:192.0.2.1/24 ip6:2001:DB8::/32 include:_spf.example.com exists:%{ir}.%{v}._spf.%{d2} -all redirect=example.net exp=explain.%{d} foo.bar-baz_x=%{s}")
	if err != nil {
		t.Fatal(err)
	}
	want := []spf.Directive{
		{Qualifier: '+', Mechanism: spf.MechA, CIDR4: 32, CIDR6: 128, Text: "+a"},
		{Qualifier: '-', Mechanism: spf.MechMX, DomainSpec: "%{d2}", CIDR4: 24, CIDR6: 64, Text: "-mx:%{d2}/24//64"},
		{Qualifier: '~', Mechanism: spf.MechPTR, Text: "~ptr"},
		{Qualifier: '?', Mechanism: spf.MechIP4, Net: netip.MustParsePrefix("192.0.2.0/24"), Text: "?ip4:192.0.2.1/24"},
		{Qualifier: '+', Mechanism: spf.MechIP6, Net: netip.MustParsePrefix("2001:db8::/32"), Text: "ip6:2001:DB8::/32"},
		{Qualifier: '+', Mechanism: spf.MechInclude, DomainSpec: "_spf.example.com", Text: "include:_spf.example.com"},
		{Qualifier: '+', Mechanism: spf.MechExists, DomainSpec: "%{ir}.%{v}._spf.%{d2}", Text: "exists:%{ir}.%{v}._spf.%{d2}"},
		{Qualifier: '-', Mechanism: spf.MechAll, Text: "-all"},
	}
	if len(r.Directives) != len(want) {
		t.Fatalf("%d directives, want %d", len(r.Directives), len(want))
	}
	for i, w := range want {
		g := r.Directives[i]
		if g.Qualifier != w.Qualifier || g.Mechanism != w.Mechanism || g.DomainSpec != w.DomainSpec || g.Net != w.Net || g.Text != w.Text {
			t.Errorf("directive %d = %+v, want %+v", i, g, w)
		}
		if (w.Mechanism == spf.MechA || w.Mechanism == spf.MechMX) && (g.CIDR4 != w.CIDR4 || g.CIDR6 != w.CIDR6) {
			t.Errorf("directive %d CIDR = %d/%d, want %d/%d", i, g.CIDR4, g.CIDR6, w.CIDR4, w.CIDR6)
		}
	}
	if r.Redirect != "example.net" || r.Exp != "explain.%{d}" {
		t.Errorf("redirect %q exp %q", r.Redirect, r.Exp)
	}
	if len(r.Unknown) != 1 || r.Unknown[0].Name != "foo.bar-baz_x" || r.Unknown[0].Value != "%{s}" {
		t.Errorf("unknown modifiers %+v", r.Unknown)
	}
	if !r.HasAll() || !r.UsesPTR() {
		t.Error("HasAll/UsesPTR")
	}
}

func TestParseEdgeCasesValid(t *testing.T) {
	for _, rec := range []string{
		"v=spf1",
		"V=SPF1 -ALL",
		"v=spf1 a  -all ",                      // several spaces, trailing space
		"v=spf1 a:foo:bar/baz.example.com",     // ":" and "/" inside a domain-spec
		"v=spf1 a:foo.example.xn--zckzah",      // dash in the top label
		"v=spf1 include:o.spf.example.com.",    // trailing dot
		"v=spf1 a:%{H} exists:%{l}%%%_%-.%{d}", // ends in a macro
		"v=spf1 ip6:::1.1.1.1/0 ip4:0.0.0.0/0",
		"v=spf1 a//0 mx/0",
		"v=spf1 default=+ moo.cow=",
		"v=spf1 exp=%{d}",
	} {
		if _, err := spf.Parse(rec); err != nil {
			t.Errorf("%q: %v", rec, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ rec, term, reason string }{
		{"v=spf10 -all", "", `"v=spf1"`},
		{"spf1 -all", "", `"v=spf1"`},
		{"v=spf1 -all moo", "moo", "unknown mechanism"},
		{"v=spf1 -all.", "-all.", "unknown mechanism"},
		{"v=spf1 -all:foo", "-all:foo", "no argument"},
		{"v=spf1 -all/8", "-all/8", "no argument"},
		{"v=spf1 redirect:example.com", "redirect:example.com", "modifier"},
		{"v=spf1 moo.cow/far_out=man:dog/cat", "moo.cow/far_out=man:dog/cat", "unknown mechanism"},
		{"v=spf1 1up=foo", "1up=foo", "not a valid modifier name"},
		{"v=spf1 =all", "=all", "not a valid modifier name"},
		{"v=spf1 -", "-", "missing mechanism"},
		{"v=spf1 a:foo-bar", "a:foo-bar", "fully qualified"},
		{"v=spf1 a:museum.", "a:museum.", "fully qualified"},
		{"v=spf1 a:111.222.33.44", "a:111.222.33.44", "use ip4:"},
		{"v=spf1 a:abc.123", "a:abc.123", "all-numeric"},
		{"v=spf1 a:example.-com", "a:example.-com", "hyphen"},
		{"v=spf1 a:example.com:8080", "a:example.com:8080", "contains"},
		{"v=spf1 a:", "a:", "empty domain"},
		{"v=spf1 a:foo.example.com\x00", "a:foo.example.com\x00", "not allowed"},
		{"v=spf1 a/33", "a/33", "larger than 32"},
		{"v=spf1 a//129", "a//129", "larger than 128"},
		{"v=spf1 a/24/64", "a/24/64", "larger than 32"},
		{"v=spf1 ip4:1.2.3.4/032", "ip4:1.2.3.4/032", "leading zero"},
		{"v=spf1 ip4", "ip4", "needs"},
		{"v=spf1 ip4:1.2.3", "ip4:1.2.3", "not a valid"},
		{"v=spf1 ip4:1.2.3.4:8080", "ip4:1.2.3.4:8080", "not a valid"},
		{"v=spf1 ip4:1.2.3.4//32", "ip4:1.2.3.4//32", "invalid CIDR"},
		{"v=spf1 ip4:::1", "ip4:::1", "not an IPv4"},
		{"v=spf1 ip6:1.2.3.4", "ip6:1.2.3.4", "not an IPv6"},
		{"v=spf1 ip6::CAFE::BABE", "ip6::CAFE::BABE", "not a valid"},
		{"v=spf1 ip6:fe80::1%eth0", "ip6:fe80::1%eth0", "not a valid"},
		{"v=spf1 ip6:::1.1.1.1//33", "ip6:::1.1.1.1//33", "invalid CIDR"},
		{"v=spf1 ptr/0", "ptr/0", "no CIDR"},
		{"v=spf1 ptr:", "ptr:", "empty domain"},
		{"v=spf1 include", "include", "needs"},
		{"v=spf1 include:ip5.example.com/24", "include:ip5.example.com/24", "contains"},
		{"v=spf1 exists:mail.example.com/24", "exists:mail.example.com/24", "contains"},
		{"v=spf1 exists", "exists", "needs"},
		{"v=spf1 exists:%(ir).sbl.example.com", "exists:%(ir).sbl.example.com", "followed by"},
		{"v=spf1 a:%{a}.example.com", "a:%{a}.example.com", "unknown macro letter"},
		{"v=spf1 -all exp=%{r}.example.com", "exp=%{r}.example.com", "only allowed in explanation"},
		{"v=spf1 exp= -all", "exp=", "empty domain"},
		{"v=spf1 exp=-all", "exp=-all", "fully qualified"},
		{"v=spf1 ?all redirect=", "redirect=", "empty domain"},
		{"v=spf1 exp=a.example.com exp=b.example.com", "exp=b.example.com", "more than once"},
		{"v=spf1 redirect=a.example.com -all REDIRECT=a.example.com", "REDIRECT=a.example.com", "more than once"},
		{"v=spf1 -all foo=%abc", "foo=%abc", "followed by"},
		{"v=spf1 a:ctrl.example.com\rptr -all", "a:ctrl.example.com\rptr", "not allowed"},
		{"v=spf1 ip4:192.0.2.5\n include:x.example.com", "ip4:192.0.2.5\n", "not a valid"},
		{"v=spf1 a:example.net \u0096all", "\u0096all", "unknown mechanism"},
	} {
		_, err := spf.Parse(tc.rec)
		if err == nil {
			t.Errorf("%q: no error", tc.rec)
			continue
		}
		var se *spf.SyntaxError
		if !errors.As(err, &se) || !errors.Is(err, spf.ErrSyntax) {
			t.Errorf("%q: error %T %v is not a *SyntaxError wrapping ErrSyntax", tc.rec, err, err)
			continue
		}
		if se.Term != tc.term {
			t.Errorf("%q: term %q, want %q", tc.rec, se.Term, tc.term)
		}
		if !strings.Contains(se.Reason.EN, tc.reason) {
			t.Errorf("%q: reason %q does not mention %q", tc.rec, se.Reason.EN, tc.reason)
		}
		if !se.Reason.Complete() || se.Reason.DE == se.Reason.EN {
			t.Errorf("%q: reason not in German: %+v", tc.rec, se.Reason)
		}
	}
}

func TestIsSPF(t *testing.T) {
	for rec, want := range map[string]bool{
		"v=spf1":        true,
		"v=spf1 -all":   true,
		"V=Spf1 -all":   true,
		"v=spf10":       false,
		"v=spf1mx":      false,
		"v=spf2.0/pra":  false,
		" v=spf1 -all":  false,
		"v=spf1\t-all":  false,
		"spf2.0/mfrom ": false,
	} {
		if got := spf.IsSPF(rec); got != want {
			t.Errorf("IsSPF(%q) = %v", rec, got)
		}
	}
}
