package statuscode

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParseEnhanced: enhanced status codes (RFC 3463 §2) from replies, DSN
// Status fields and the command line. A parsed code is in range and its
// string form parses back to the same code; everything else is ErrSyntax
// or ErrEmpty.
func FuzzParseEnhanced(f *testing.F) {
	for _, s := range []string{"5.7.1", "2.0.0", "4.7.650", "5.1.10", " 5.7.1\t", "5.7", "5.7.1.1", "6.0.0", "5.1000.1",
		"05.1.1", "5.-1.1", "5.+1.1", "5.1.1\x00", "٥.٧.١", "5..1", "", ".", "..", "5.7.1 ", "4.4.007", "2.6.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseEnhanced(s)
		if err != nil {
			if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrEmpty) {
				t.Fatalf("%q: unexpected error kind %v", s, err)
			}
			if !e.IsZero() {
				t.Fatalf("%q: error %v with a code %v", s, err, e)
			}
			return
		}
		if (e.Class != 2 && e.Class != 4 && e.Class != 5) || e.Subject < 0 || e.Subject > 999 || e.Detail < 0 || e.Detail > 999 {
			t.Fatalf("%q: out of range %+v", s, e)
		}
		back, err := ParseEnhanced(e.String())
		if err != nil || back != e {
			t.Fatalf("%q → %q → %+v %v", s, e.String(), back, err)
		}
		// Only the code's own characters: digits and two dots.
		if strings.Trim(strings.TrimSpace(s), "0123456789.") != "" || strings.Count(s, ".") != 2 {
			t.Fatalf("%q accepted", s)
		}
	})
}
