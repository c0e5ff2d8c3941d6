package check

import (
	"strings"
	"testing"
)

// FuzzParseTarget: targets come from the command line and from --targets
// files (one per line, anything). An accepted target has an A-label domain
// and an RCPT address that parses back to the same target.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"example.com", "user@example.com", "bücher.example", "xn--bcher-kva.example", "a@b@c.example",
		"@example.com", "example..com", " example.com ", "EXAMPLE.COM.", "_dmarc.example.com", "a<b>@x.example",
		strings.Repeat("a", 64) + "@x.example", strings.Repeat("a", 65) + "@x.example", "\xff.example", "[192.0.2.1]", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseTarget(s)
		if err != nil {
			return
		}
		for i := 0; i < len(tg.Domain); i++ {
			if tg.Domain[i] >= 0x80 {
				t.Fatalf("%q: domain %q is not ASCII", s, tg.Domain)
			}
		}
		if tg.Rcpt != tg.LocalPart+"@"+tg.Domain || tg.LocalPart == "" {
			t.Fatalf("%q: %+v", s, tg)
		}
		again, err := ParseTarget(tg.Rcpt)
		if err != nil || again.Domain != tg.Domain || again.Rcpt != tg.Rcpt {
			t.Fatalf("%q → %q → %+v %v", s, tg.Rcpt, again, err)
		}
	})
}
