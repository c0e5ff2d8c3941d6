package mtasts

import (
	"errors"
	"strings"
	"testing"
)

func TestParseRecord(t *testing.T) {
	cases := []struct {
		in   string
		id   string // "" = invalid
		warn bool
	}{
		{"v=STSv1; id=20160831085700Z;", "20160831085700Z", false},
		{"v=STSv1;id=abc", "abc", false},
		{"v=STSv1; id=abc; ext-1.x=val:ue", "abc", false},
		{"v=STSv1 ; id=abc", "abc", true},
		{"v=STSv1; id=abc; id=def", "abc", true},
		{"v=STSv1; id=" + strings.Repeat("a", 32), strings.Repeat("a", 32), false},

		{"v=STSv1", "", false},
		{"v=STSv1;", "", false},
		{"v=STSv1; id=", "", false},
		{"v=STSv1; id=" + strings.Repeat("a", 33), "", false},
		{"v=STSv1; id=a-b", "", false},
		{"v=stsv1; id=abc", "", false},
		{"V=STSv1; id=abc", "", false},
		{"v=STSv2; id=abc", "", false},
		{"id=abc; v=STSv1", "", false},
		{"v=STSv1 id=abc", "", false},
		{"v=STSv1; id=abc;; x=1", "", false},
		{"v=STSv1; id=abc; x", "", false},
		{"v=STSv1; id=abc; x=a=b", "", false},
		{"v=STSv1; id=abc; _x=1", "", false},
		{"v=STSv1; id=abc; v=STSv1", "", false},
	}
	for _, c := range cases {
		rec, warns, err := ParseRecord(c.in)
		if c.id == "" {
			if err == nil || !errors.Is(err, ErrRecordSyntax) {
				t.Errorf("ParseRecord(%q) = %+v, %v; want a syntax error", c.in, rec, err)
			}
			continue
		}
		if err != nil || rec.ID != c.id {
			t.Errorf("ParseRecord(%q) = %+v, %v; want id %q", c.in, rec, err, c.id)
			continue
		}
		if (len(warns) > 0) != c.warn {
			t.Errorf("ParseRecord(%q): warnings %v, want warn=%v", c.in, warns, c.warn)
		}
	}
}

const goodPolicy = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.test\r\nmx: *.mx.example.test\r\nmax_age: 604800\r\n"

func TestParsePolicy(t *testing.T) {
	p, warns, err := ParsePolicy(goodPolicy)
	if err != nil || len(warns) != 0 {
		t.Fatalf("%v %v", err, warns)
	}
	if p.Version != "STSv1" || p.Mode != ModeEnforce || p.MaxAge != 604800 || len(p.MX) != 2 || !p.MX[1].Wildcard || p.MX[1].Domain != "mx.example.test" {
		t.Fatalf("%+v", p)
	}
	// The canonical form parses to the same policy.
	if again, _, err := ParsePolicy(p.String()); err != nil || again.String() != p.String() {
		t.Fatalf("round trip: %v", err)
	}

	valid := []struct {
		in   string
		warn bool
	}{
		{"version: STSv1\nmode: none\nmax_age: 86400", false}, // mode none needs no mx, no final LF needed
		{"mode: testing\nmx: MAIL.Example.test.\nmax_age: 31557600\nversion: STSv1\n", false},
		{"version: STSv1\nmode: enforce\nmx: a.example.test\nmax_age: 604800\nfoo_bar: some thing ü\n", false},
		{"version:STSv1\nmode:\tenforce  \nmx:a.example.test\nmax_age:604800\n", false},
		{"version: STSv1\nmode: enforce\nmode: testing\nmx: a.example.test\nmax_age: 604800\n", true}, // duplicate: first counts
		{"version: STSv1\nmode: enforce\nmx: a.example.test\nmax_age: 3600\n", true},                  // short max_age
		{"version: STSv1\n\nmode: enforce\nmx: a.example.test\nmax_age: 604800\n", true},              // blank line
		{"version: STSv1\r\nmode: enforce\nmx: a.example.test\nmax_age: 604800\n", true},              // mixed line ends
	}
	for _, c := range valid {
		p, warns, err := ParsePolicy(c.in)
		if err != nil {
			t.Errorf("ParsePolicy(%q): %v", c.in, err)
			continue
		}
		if (len(warns) > 0) != c.warn {
			t.Errorf("ParsePolicy(%q): warnings %v, want warn=%v", c.in, warns, c.warn)
		}
		if c.warn && strings.Contains(c.in, "mode: testing") && p.Mode != ModeEnforce {
			t.Errorf("duplicate mode: the first must count, got %s", p.Mode)
		}
	}

	invalid := []string{
		"",
		"\n\n",
		"mode: enforce\nmx: a.example.test\nmax_age: 604800\n",                      // no version
		"version: STSv1\nmx: a.example.test\nmax_age: 604800\n",                     // no mode
		"version: STSv1\nmode: enforce\nmx: a.example.test\n",                       // no max_age
		"version: STSv1\nmode: enforce\nmax_age: 604800\n",                          // no mx
		"version: STSv2\nmode: enforce\nmx: a.example.test\nmax_age: 604800\n",      // version
		"Version: STSv1\nmode: enforce\nmx: a.example.test\nmax_age: 604800\n",      // case-sensitive key → unknown field, version missing
		"version: STSv1\nmode: Enforce\nmx: a.example.test\nmax_age: 604800\n",      // case-sensitive value
		"version: STSv1\nmode: strict\nmx: a.example.test\nmax_age: 604800\n",       // unknown mode
		"version: STSv1\nmode: enforce\nmx: a.example.test\nmax_age: -1\n",          // sign
		"version: STSv1\nmode: enforce\nmx: a.example.test\nmax_age: 31557601\n",    // > 1 year
		"version: STSv1\nmode: enforce\nmx: a.example.test\nmax_age: 12345678901\n", // 11 digits
		"version: STSv1\nmode: enforce\nmx: *.*.example.test\nmax_age: 604800\n",    // one wildcard only
		"version: STSv1\nmode: enforce\nmx: mail.bücher.test\nmax_age: 604800\n",    // U-label
		"version: STSv1\nmode: enforce\nmx: 192.0.2.1\nmax_age: 604800\n",           // not a name… (digits-only labels are LDH, but see below)
		"version: STSv1\nmode: enforce\nmx: localhost\nmax_age: 604800\n",           // single label
		"version: STSv1\nmode: enforce\nmx: a_b.example.test\nmax_age: 604800\n",    // underscore
		"version: STSv1\nmode: enforce\nmx: a.example.test\nmax_age: 604800\n x: y", // leading blank
		"version: STSv1\nmode: enforce\nmx: a.example.test\nmax_age: 604800\nno colon here\n",
		"version: STSv1\nmode: enforce\nmx: a.example.test\nmax_age: 604800\nx:\n",   // empty extension
		"version: STSv1\rmode: enforce\rmx: a.example.test\rmax_age: 604800\r",       // bare CR
		"version: STSv1\nmode: enforce\nmx: a.example.test\nmax_age: 604800\n\x00",   // NUL
		"version: STSv1\nmode: enforce\nmx: a.example.test\nmax_age: 604800\n\xff\n", // not UTF-8
		"<html><body>Not found</body></html>",
	}
	for _, in := range invalid {
		p, _, err := ParsePolicy(in)
		if in == "version: STSv1\nmode: enforce\nmx: 192.0.2.1\nmax_age: 604800\n" {
			// An IPv4-looking pattern is syntactically a host name; it can
			// never match an MX host name, which MatchMX shows.
			if err != nil || MatchMX(p, "mail.example.test") {
				t.Errorf("IP-like pattern: %v", err)
			}
			continue
		}
		if err == nil || !errors.Is(err, ErrPolicySyntax) {
			t.Errorf("ParsePolicy(%q) = %+v, %v; want a syntax error", in, p, err)
		}
	}
}

func TestMatchMX(t *testing.T) {
	p, _, err := ParsePolicy(goodPolicy)
	if err != nil {
		t.Fatal(err)
	}
	for host, want := range map[string]bool{
		"mail.example.test":      true,
		"MAIL.example.test.":     true,
		"a.mx.example.test":      true, // one label for the wildcard
		"mx.example.test":        false,
		"a.b.mx.example.test":    false, // only one label
		"other.example.test":     false,
		"mail.example.test.evil": false,
		"":                       false,
	} {
		if got := MatchMX(p, host); got != want {
			t.Errorf("MatchMX(%q) = %v, want %v", host, got, want)
		}
	}
	if MatchMX(nil, "mail.example.test") {
		t.Error("nil policy matched")
	}
}

func FuzzParsePolicy(f *testing.F) {
	f.Add(goodPolicy)
	f.Add("version: STSv1\nmode: none\nmax_age: 86400")
	f.Add("version: STSv1\n\nmode: testing\nmx: *.example.test\nmax_age: 1\nx: y z\n")
	f.Fuzz(func(t *testing.T, s string) {
		p, _, err := ParsePolicy(s)
		if err != nil {
			if !errors.Is(err, ErrPolicySyntax) {
				t.Fatalf("error %v does not wrap ErrPolicySyntax", err)
			}
			return
		}
		if p.Version != Version || p.MaxAge < 0 || p.MaxAge > MaxAgeLimit || (p.Mode != ModeNone && len(p.MX) == 0) {
			t.Fatalf("accepted an invalid policy %+v from %q", p, s)
		}
		again, _, err := ParsePolicy(p.String())
		if err != nil || again.String() != p.String() {
			t.Fatalf("round trip of %q: %v", p.String(), err)
		}
		for _, m := range p.MX {
			if !m.Wildcard && !MatchMX(p, m.Domain) {
				t.Fatalf("pattern %q does not match its own domain", m.Pattern)
			}
			if m.Wildcard && !MatchMX(p, "x."+m.Domain) {
				t.Fatalf("wildcard %q does not match x.%s", m.Pattern, m.Domain)
			}
		}
	})
}

func FuzzParseRecord(f *testing.F) {
	f.Add("v=STSv1; id=20160831085700Z;")
	f.Add("v=STSv1 ;id=abc; ext=1")
	f.Fuzz(func(t *testing.T, s string) {
		rec, _, err := ParseRecord(s)
		if err != nil {
			if !errors.Is(err, ErrRecordSyntax) {
				t.Fatalf("error %v does not wrap ErrRecordSyntax", err)
			}
			return
		}
		if rec.ID == "" || len(rec.ID) > 32 {
			t.Fatalf("bad id %q accepted from %q", rec.ID, s)
		}
		again, _, err := ParseRecord(rec.String())
		if err != nil || again.String() != rec.String() {
			t.Fatalf("round trip of %q: %v", rec.String(), err)
		}
	})
}
