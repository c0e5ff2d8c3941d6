package spf

import (
	"net/netip"
	"strings"
	"testing"
)

// rfcEnv is the context of the RFC 7208 §7.4 examples.
func rfcEnv(ip string) *macroEnv {
	return &macroEnv{
		sender: "strong-bad@email.example.com", local: "strong-bad", senderDom: "email.example.com",
		domain: "email.example.com", ip: netip.MustParseAddr(ip), helo: "mx.example.org",
		receiver: "checker.example.net", timestamp: 1700000000,
		ptr: func() string { return "mx.example.org" },
	}
}

func expandStr(t *testing.T, s string, ctx macroContext, env *macroEnv) string {
	t.Helper()
	m, err := parseMacroString(s, ctx)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	out, err := m.expand(env)
	if err != nil {
		t.Fatalf("expand %q: %v", s, err)
	}
	return out
}

// TestMacroRFCExamples checks the examples of RFC 7208 §7.4.
func TestMacroRFCExamples(t *testing.T) {
	v4 := rfcEnv("192.0.2.3")
	for _, tc := range []struct{ in, want string }{
		{"%{s}", "strong-bad@email.example.com"},
		{"%{o}", "email.example.com"},
		{"%{d}", "email.example.com"},
		{"%{d4}", "email.example.com"},
		{"%{d3}", "email.example.com"},
		{"%{d2}", "example.com"},
		{"%{d1}", "com"},
		{"%{dr}", "com.example.email"},
		{"%{d2r}", "example.email"},
		{"%{l}", "strong-bad"},
		{"%{l-}", "strong.bad"},
		{"%{lr}", "strong-bad"},
		{"%{lr-}", "bad.strong"},
		{"%{l1r-}", "strong"},
		{"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
		{"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
		{"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
		{"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
		{"%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
		// Escapes and the other letters.
		{"%%%_%-", "% %20"},
		{"%{h}", "mx.example.org"},
		{"%{p}", "mx.example.org"},
		{"%{p2}", "example.org"},
		{"%{i}", "192.0.2.3"},
	} {
		if got := expandStr(t, tc.in, ctxDomain, v4); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.in, got, tc.want)
		}
	}
	v6 := rfcEnv("2001:db8::cb01")
	if got, want := expandStr(t, "%{ir}.%{v}._spf.%{d2}", ctxDomain, v6),
		"1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"; got != want {
		t.Errorf("IPv6 %%{ir}: %q, want %q", got, want)
	}
}

func TestMacroExplainLetters(t *testing.T) {
	env := rfcEnv("2001:db8::cb01")
	got := expandStr(t, "%{c} via %{r} at %{t}: %{v}", ctxExplain, env)
	if want := "2001:db8::cb01 via checker.example.net at 1700000000: ip6"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// RFC 7208 §7.1: c, r, t are only allowed in explanation text.
	for _, s := range []string{"%{c}", "%{r}.example.com", "%{t}"} {
		if _, err := parseMacroString(s, ctxDomain); err == nil {
			t.Errorf("%q accepted outside explanation text", s)
		}
	}
}

// TestMacroURLEscape: upper-case letters URL-escape everything outside the
// unreserved set (RFC 7208 §7.3).
func TestMacroURLEscape(t *testing.T) {
	env := rfcEnv("192.0.2.3")
	env.local = "~jack&jill=up-a_b3.c"
	env.helo = "JUMPIN' JUPITER"
	for _, tc := range []struct{ in, want string }{
		{"%{L}", "~jack%26jill%3Dup-a_b3.c"},
		{"%{H}", "JUMPIN%27%20JUPITER"},
		{"%{S}", "strong-bad%40email.example.com"},
		{"%{D2}", "example.com"},
	} {
		if got := expandStr(t, tc.in, ctxDomain, env); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMacroDelimiters(t *testing.T) {
	env := rfcEnv("192.0.2.3")
	env.local = "foo-bar+zip+quux"
	for _, tc := range []struct{ in, want string }{
		{"%{l2r+-}", "bar.foo"},
		{"%{l+-}", "foo.bar.zip.quux"},
		{"%{l=}", "foo-bar+zip+quux"},
		{"%{l99}", "foo-bar+zip+quux"},
		{"%{l99999999999999999999}", "foo-bar+zip+quux"}, // saturates, no overflow
	} {
		if got := expandStr(t, tc.in, ctxDomain, env); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMacroSyntaxErrors(t *testing.T) {
	for _, tc := range []struct{ in, reason string }{
		{"%", "at the end"},
		{"foo%", "at the end"},
		{"%(ir)", `followed by '('`},
		{"%{", "unterminated"},
		{"%{d", "unterminated"},
		{"%{x}", "unknown macro letter"},
		{"%{a}", "unknown macro letter"},
		{"%{d0}", "nonzero"},
		{"%{d2x}", "unexpected"},
		{"%{d r}", "unexpected"},
		{"a b", "not allowed"},
		{"a\x00b", "not allowed"},
		{"caf\xc3\xa9", "not allowed"},
	} {
		_, err := parseMacroString(tc.in, ctxDomain)
		if err == nil {
			t.Errorf("%q: no error", tc.in)
			continue
		}
		if !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%q: error %q does not mention %q", tc.in, err, tc.reason)
		}
	}
	// Spaces are allowed in explanation text only.
	if _, err := parseMacroString("Not authorised: %{i}", ctxExplain); err != nil {
		t.Errorf("explanation with spaces: %v", err)
	}
}

func TestMacroStringRoundTrip(t *testing.T) {
	for _, s := range []string{"%{ir}.%{v}._spf.%{d2}", "a%%b%_c%-d", "%{L2r+-}x", "%{s}", "plain.example.com"} {
		m, err := parseMacroString(s, ctxDomain)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.String(); got != s {
			t.Errorf("String() = %q, want %q", got, s)
		}
	}
}

func TestTruncateName(t *testing.T) {
	long := strings.Repeat("abcdefghi.", 30) + "example.com" // 311 characters
	got := truncateName(long)
	if len(got) > 253 || !strings.HasSuffix(got, ".example.com") || strings.HasPrefix(got, ".") {
		t.Errorf("truncateName: %d characters: %q", len(got), got)
	}
	if len(got) < 253-10 {
		t.Errorf("truncated too much: %d", len(got))
	}
}
