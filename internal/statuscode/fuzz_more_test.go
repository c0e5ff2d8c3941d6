package statuscode

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/i18n"
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

// FuzzExplain: any reply text, in both languages and with any MX host name,
// is explained without panicking; the hand-written JSON is byte for byte
// what encoding/json makes of the struct, and valid.
func FuzzExplain(f *testing.F) {
	for _, s := range []string{
		"550 5.7.1 Unfortunately, messages from [203.0.113.5] weren't sent. (S3150)",
		"451 4.7.500 Server busy. Please try again later from [192.0.2.1]. (S77719)",
		"550-5.1.1 The email account that you tried to reach does not exist.\n550 5.1.1 https://support.google.com/mail/?p=NoSuchUser",
		"host mx.example.test[192.0.2.1] said: 554 5.7.1 <a@b>: Relay access denied (in reply to RCPT TO command)",
		"SMTP error from remote mail server after RCPT TO:<a@b.example>: 550 unrouteable",
		"<mx.example #5.1.1 smtp;550 5.1.1 unknown>", "Remote Server returned '550 5.7.1 no'",
		"5.7.1", "550", "999 9.9.9", "250 2.6.0 <id@x> [InternalId=1, Hostname=H] Queued mail for delivery",
		"\x00\xff\xfe 421", "", strings.Repeat("550-", 200),
	} {
		f.Add(s, false, "")
		f.Add(s, true, "eur.olc.protection.outlook.com")
	}
	f.Fuzz(func(t *testing.T, s string, de bool, mx string) {
		opt := Options{Lang: i18n.EN, MXHost: mx}
		if de {
			opt.Lang = i18n.DE
		}
		x := Explain(s, opt)
		got := x.AppendJSON(nil)
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(plainExplanation(x)); err != nil {
			t.Fatal(err)
		}
		if want := bytes.TrimSuffix(b.Bytes(), []byte("\n")); !bytes.Equal(got, want) {
			t.Fatalf("%q:\n got %s\nwant %s", s, got, want)
		}
		if !json.Valid(got) {
			t.Fatalf("invalid JSON %s", got)
		}
		if x.Title == "" && strings.TrimSpace(s) != "" {
			t.Fatalf("%q: no title", s)
		}
		if len(x.Input) > MaxReplyLen || !utf8.ValidString(x.Title) {
			t.Fatalf("%q: input %d bytes, title %q", s, len(x.Input), x.Title)
		}
	})
}
