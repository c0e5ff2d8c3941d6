package tlsrpt

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in      string
		ok      bool
		targets []string
		warn    bool
	}{
		{"v=TLSRPTv1; rua=mailto:reports@example.com", true, []string{"reports@example.com"}, false},
		{"v=TLSRPTv1;rua=mailto:a@example.com,https://rep.example.net/tlsrpt", true, []string{"a@example.com", "rep.example.net"}, false},
		{"v=TLSRPTv1; rua=mailto:a@example.com , mailto:b@example.org;", true, []string{"a@example.com", "b@example.org"}, false},
		{"v=TLSRPTv1; rua=mailto:a@example.com; ext_1=value", true, []string{"a@example.com"}, false},
		{"v=TLSRPTv1 ; rua=mailto:a@example.com", true, []string{"a@example.com"}, true},
		{"v=TLSRPTv1; rua=mailto:tls%2Drep@example.com?subject=x", true, []string{"tls-rep@example.com"}, false},
		{"v=TLSRPTv1; rua=https://[2001:db8::1]/r", true, []string{"[2001:db8::1]"}, false},

		{"v=TLSRPTv1", false, nil, false},                                                     // rua missing
		{"v=TLSRPTv1;", false, nil, false},                                                    // rua missing
		{"v=tlsrptv1; rua=mailto:a@example.com", false, nil, false},                           // version is case-sensitive
		{"v=TLSRPTv2; rua=mailto:a@example.com", false, nil, false},                           // unknown version
		{"rua=mailto:a@example.com; v=TLSRPTv1", false, nil, false},                           // version must be first
		{"v=TLSRPTv1; rua=http://rep.example.net/", false, nil, false},                        // only https
		{"v=TLSRPTv1; rua=a@example.com", false, nil, false},                                  // no scheme
		{"v=TLSRPTv1; rua=mailto:example.com", false, nil, false},                             // not an address
		{"v=TLSRPTv1; rua=mailto:a@exa_mple.com", false, nil, false},                          // bad domain
		{"v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com", false, nil, false}, // twice
		{"v=TLSRPTv1; rua=", false, nil, false},                                               // empty
		{"v=TLSRPTv1; rua=mailto:a@example.com;; x=y", false, nil, false},                     // empty field
		{"v=TLSRPTv1; rua=mailto:a@example.com; x y=1", false, nil, false},                    // bad key
		{"v=TLSRPTv1; rua=mailto:a@example.com; x=", false, nil, false},                       // empty ext value
		{"v=TLSRPTv1; rua=mailto:a!b@example.com", false, nil, false},                         // unencoded !
		{"v=TLSRPTv1; rua=mailto:a%2C@example.com", false, nil, false},                        // two addresses
		{"v=TLSRPTv1; rua=https://user:pw@rep.example/", false, nil, false},                   // userinfo
		{"v=TLSRPTv1; rua=mailto:a@example.com\x00", false, nil, false},                       // control char
		{"v=TLSRPTv1; rua=mailto:a@example.com; v=TLSRPTv1", false, nil, false},               // v twice
	}
	for _, c := range cases {
		rec, warns, err := Parse(c.in)
		if (err == nil) != c.ok {
			t.Errorf("Parse(%q): err=%v, want ok=%v", c.in, err, c.ok)
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Errorf("Parse(%q): error %v does not wrap ErrSyntax", c.in, err)
			}
			continue
		}
		var got []string
		for _, u := range rec.RUA {
			got = append(got, u.Target)
		}
		if strings.Join(got, " ") != strings.Join(c.targets, " ") {
			t.Errorf("Parse(%q): targets %v, want %v", c.in, got, c.targets)
		}
		if (len(warns) > 0) != c.warn {
			t.Errorf("Parse(%q): warnings %v, want warn=%v", c.in, warns, c.warn)
		}
		// The canonical form parses to the same record.
		again, _, err := Parse(rec.String())
		if err != nil || len(again.RUA) != len(rec.RUA) {
			t.Errorf("round trip of %q via %q: %v", c.in, rec.String(), err)
		}
	}
}

func TestIsCandidate(t *testing.T) {
	for in, want := range map[string]bool{
		"v=TLSRPTv1; rua=mailto:a@example.com": true,
		"v=TLSRPTv1 ;rua=x":                    true,
		"v=TLSRPTv1":                           true,
		"v=TLSRPTv10; rua=x":                   false,
		"v=spf1 -all":                          false,
		" v=TLSRPTv1;":                         false,
	} {
		if got := IsCandidate(in); got != want {
			t.Errorf("IsCandidate(%q) = %v, want %v", in, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"v=TLSRPTv1; rua=mailto:reports@example.com",
		"v=TLSRPTv1;rua=mailto:a@example.com,https://rep.example.net/tlsrpt;",
		"v=TLSRPTv1 ; rua=mailto:a%2C@example.com; x=1",
		"v=TLSRPTv1; rua=https://[::1]:8443/x?y",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rec, _, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("error %v does not wrap ErrSyntax", err)
			}
			return
		}
		if len(rec.RUA) == 0 {
			t.Fatalf("valid record without rua: %q", s)
		}
		for _, u := range rec.RUA {
			if u.Scheme != "mailto" && u.Scheme != "https" {
				t.Fatalf("scheme %q accepted in %q", u.Scheme, s)
			}
		}
		// What we accept, we can print and parse again identically.
		again, _, err := Parse(rec.String())
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", rec.String(), s, err)
		}
		if again.String() != rec.String() {
			t.Fatalf("round trip changed %q to %q", rec.String(), again.String())
		}
	})
}
