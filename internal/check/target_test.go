package check

import (
	"errors"
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	good := []struct{ in, domain, uni, rcpt string }{
		{"hotmail.com", "hotmail.com", "hotmail.com", "postmaster@hotmail.com"},
		{"Alice@Example.TEST", "example.test", "example.test", "Alice@example.test"},
		{"müller.de", "xn--mller-kva.de", "müller.de", "postmaster@xn--mller-kva.de"},
		{"jörg@bücher.example", "xn--bcher-kva.example", "bücher.example", "jörg@xn--bcher-kva.example"},
	}
	for _, g := range good {
		tg, err := ParseTarget(g.in)
		if err != nil {
			t.Fatalf("%s: %v", g.in, err)
		}
		if tg.Domain != g.domain || tg.DomainUnicode != g.uni || tg.Rcpt != g.rcpt {
			t.Errorf("%s: got %+v", g.in, tg)
		}
	}
	for _, bad := range []string{"", "a b.example", "exa_mple..com", "@example.com", "x@", "-bad-.example", "<x@y.example>"} {
		if _, err := ParseTarget(bad); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%q: want invalid input, got %v", bad, err)
		}
	}
}

func TestParseAddress(t *testing.T) {
	if a, d, err := ParseAddress("<>"); err != nil || a != "" || d != "" {
		t.Fatalf("null sender: %q %q %v", a, d, err)
	}
	if a, d, err := ParseAddress("you@Straße.example"); err != nil || d != "xn--strae-oqa.example" || a != "you@xn--strae-oqa.example" {
		t.Fatalf("idn sender: %q %q %v", a, d, err)
	}
	if _, _, err := ParseAddress("nobody"); !errors.Is(err, ErrInvalidInput) {
		t.Fatal("want invalid input")
	}
	// RFC 7208 §4.3: an empty local part is postmaster.
	if a, d, err := ParseAddress("@Example.NET"); err != nil || a != "postmaster@example.net" || d != "example.net" {
		t.Fatalf("@domain: %q %q %v", a, d, err)
	}
	// RFC 5321 §4.1.2: quoted local parts.
	if a, _, err := ParseAddress(`"Macro Error"@example.com`); err != nil || a != `"Macro Error"@example.com` {
		t.Fatalf("quoted local part: %q %v", a, err)
	}
	for _, bad := range []string{`"unterminated@example.com`, `a"b@example.com`, `a..b@example.com`, `.a@example.com`} {
		if _, _, err := ParseAddress(bad); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: want invalid input, got %v", bad, err)
		}
	}
}

// TestTargetErrorsActionable: each refused input gets its own id and a
// message that says what to type instead, echoing at most 200 bytes.
func TestTargetErrorsActionable(t *testing.T) {
	long := strings.Repeat("x", 100_000) + "@example.com"
	cases := []struct{ in, id, hint string }{
		{"a@b@c", "target.multiple_at", "more than one @"},
		{"<user@ok.lab.test>", "target.angle_brackets", "type user@ok.lab.test"},
		{"192.0.2.1", "target.ip_literal", "--ip 192.0.2.1"},
		{"user@[192.0.2.1]", "target.ip_literal", "not a domain"},
		{"user@[IPv6:2001:db8::1]", "target.ip_literal", "--ip 2001:db8::1"},
		{long, "target.local_part_length", "at most 64"},
		{"", "target.empty", "give a domain"},
		{"bad..domain", "target.invalid_domain", "such as example.com"},
	}
	for _, c := range cases {
		_, err := ParseTarget(c.in)
		var ie *InputError
		if !errors.As(err, &ie) {
			t.Fatalf("%.40q: want *InputError, got %v", c.in, err)
		}
		if ie.ID != c.id || !strings.Contains(ie.Text.EN, c.hint) {
			t.Errorf("%.40q: id %s, message %q; want %s containing %q", c.in, ie.ID, ie.Text.EN, c.id, c.hint)
		}
		if ie.Text.DE == "" || ie.Text.DE == ie.Text.EN {
			t.Errorf("%.40q: no German message", c.in)
		}
		if len(ie.Text.EN) > 600 || strings.Contains(ie.Text.EN, "resolver:") {
			t.Errorf("%.40q: message too long or a raw error chain: %q", c.in, ie.Text.EN)
		}
	}
	if _, err := ParseTarget(`"a b"@example.com`); err != nil {
		t.Errorf("quoted local part refused: %v", err)
	}
}
