package mailaddr

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in, want string
		err      error
		utf8     bool
	}{
		{in: "user@example.com", want: "user@example.com"},
		{in: " <User@Example.COM> ", want: "User@example.com"},
		{in: `"Macro Error"@example.com`, want: `"Macro Error"@example.com`},
		{in: `"a\"b"@example.com`, want: `"a\"b"@example.com`},
		{in: `"a@b"@example.com`, want: `"a@b"@example.com`},
		{in: "first.last+tag@mail.example.org", want: "first.last+tag@mail.example.org"},
		{in: "jörg@müller.example", want: "jörg@xn--mller-kva.example", utf8: true},
		{in: "postmaster@[192.0.2.1]", want: "postmaster@[192.0.2.1]"},
		{in: "postmaster@[IPv6:2001:db8::1]", want: "postmaster@[IPv6:2001:db8::1]"},
		{in: "", err: ErrEmpty},
		{in: "<>", err: ErrEmpty},
		{in: "no-at-sign", err: ErrSyntax},
		{in: "@example.com", err: ErrLocalPart},
		{in: "a..b@example.com", err: ErrLocalPart},
		{in: ".a@example.com", err: ErrLocalPart},
		{in: "a.@example.com", err: ErrLocalPart},
		{in: "Macro Error@example.com", err: ErrLocalPart},
		{in: `"unterminated@example.com`, err: ErrLocalPart},
		{in: `""@example.com`, err: ErrLocalPart},
		{in: "a\r\nb@example.com", err: ErrLocalPart},
		{in: "user@", err: ErrDomain},
		{in: "user@exa mple.com", err: ErrDomain},
		{in: "user@[999.1.1.1]", err: ErrDomain},
		{in: "user@[2001:db8::1]", err: ErrDomain},
		{in: "a@b@example.com", err: ErrDomain},
		{in: strings.Repeat("x", 65) + "@example.com", err: ErrLocalPart},
		{in: "x@" + strings.Repeat("a", 250) + ".com", err: ErrTooLong},
		{in: strings.Repeat("x", 5000), err: ErrTooLong},
		{in: "bad\xff@example.com", err: ErrSyntax},
	}
	for _, tc := range cases {
		a, err := Parse(tc.in)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("%.40q: err %v, want %v", tc.in, err, tc.err)
			}
			if err != nil && len(err.Error()) > 400 {
				t.Errorf("%.40q: error echoes too much: %d bytes", tc.in, len(err.Error()))
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if a.String() != tc.want || a.NeedsSMTPUTF8() != tc.utf8 {
			t.Errorf("%q: got %q utf8 %v, want %q %v", tc.in, a.String(), a.NeedsSMTPUTF8(), tc.want, tc.utf8)
		}
	}
}

func TestValidLocalPart(t *testing.T) {
	for lp, want := range map[string]bool{
		"user": true, "first.last": true, `"Macro Error"`: true, `"a\"b"`: true, "jörg": true,
		"": false, "a..b": false, ".a": false, "a.": false, "Macro Error": false, `"a"b"`: false, "a@b": false,
		`"unterminated`: false, strings.Repeat("x", 65): false,
	} {
		if got := ValidLocalPart(lp); got != want {
			t.Errorf("%q: %v, want %v", lp, got, want)
		}
	}
}

func TestParsePathNull(t *testing.T) {
	for _, in := range []string{"", "<>", "  <>  "} {
		a, err := ParsePath(in)
		if err != nil || !a.IsNull() || a.String() != "" {
			t.Errorf("%q: %+v %v", in, a, err)
		}
	}
	if a, err := ParsePath("<a@example.com>"); err != nil || a.String() != "a@example.com" {
		t.Errorf("%+v %v", a, err)
	}
}

// FuzzParse: any input gives an address or an error, never a panic; what
// is accepted round-trips and stays within RFC 5321's limits.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"user@example.com", `"Macro Error"@example.com`, "<>", "a@[IPv6:::1]", `"\`, "ü@ü.de", "a@b@c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParsePath(s)
		if err != nil {
			if len(err.Error()) > 600 || !utf8.ValidString(strings.ToValidUTF8(err.Error(), "")) {
				t.Fatalf("error %d bytes", len(err.Error()))
			}
			return
		}
		if a.IsNull() {
			return
		}
		if len(a.Local) > MaxLocalPart || len(a.String())+2 > MaxPath+64 {
			t.Fatalf("too long: %q", a.String())
		}
		b, err := Parse(a.String())
		if err != nil || b.String() != a.String() {
			t.Fatalf("round trip %q: %q %v", a.String(), b.String(), err)
		}
	})
}
