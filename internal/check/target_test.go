package check

import (
	"testing"

	"github.com/mxprobe/mxprobe/internal/exitcode"
)

func TestParseTarget(t *testing.T) {
	good := []struct{ in, domain, uni, rcpt string }{
		{"hotmail.com", "hotmail.com", "hotmail.com", "postmaster@hotmail.com"},
		{"Alice@Example.TEST", "example.test", "example.test", "Alice@example.test"},
		{"müller.de", "xn--mller-kva.de", "müller.de", "postmaster@xn--mller-kva.de"},
		{"jörg@bücher.example", "xn--bcher-kva.example", "bücher.example", "jörg@xn--bcher-kva.example"},
		{`"Macro Error"@example.com`, "example.com", "example.com", `"Macro Error"@example.com`},
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
	for _, bad := range []string{"", "a b.example", "exa_mple..com", "@example.com", "x@", "-bad-.example", "<x@y.example>", "Macro Error@example.com", "a@b@c.example", "x@[192.0.2.1]"} {
		if _, err := ParseTarget(bad); exitcode.Of(err) != exitcode.Usage {
			t.Errorf("%q: want usage error, got %v", bad, err)
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
	if _, _, err := ParseAddress("nobody"); exitcode.Of(err) != exitcode.Usage {
		t.Fatal("want usage error")
	}
}
