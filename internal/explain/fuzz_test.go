package explain

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/statuscode"
)

// FuzzExplain: any reply text, in both languages and with any MX host name,
// is explained without panicking; the hand-written JSON is byte for byte
// what encoding/json makes of the localised struct, and valid.
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
		lang := i18n.EN
		if de {
			lang = i18n.DE
		}
		x := Explain(s, Options{MXHost: mx})
		got := x.AppendJSON(nil, lang)
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		l := x.Localize(lang)
		if err := enc.Encode(l); err != nil {
			t.Fatal(err)
		}
		if want := bytes.TrimSuffix(b.Bytes(), []byte("\n")); !bytes.Equal(got, want) {
			t.Fatalf("%q:\n got %s\nwant %s", s, got, want)
		}
		if !json.Valid(got) {
			t.Fatalf("invalid JSON %s", got)
		}
		// Explain never fails and always fills the contract fields.
		if x.Reason == "" || x.Bounce == "" || x.Responsible == "" || x.Advice == nil {
			t.Fatalf("incomplete explanation for %q: %+v", s, x)
		}
		if utf8.ValidString(s) && !utf8.ValidString(l.Title+l.Description) {
			t.Fatal("invalid UTF-8 in texts")
		}
		if l.Title == "" && strings.TrimSpace(s) != "" {
			t.Fatalf("%q: no title", s)
		}
		if len(x.Input) > statuscode.MaxReplyLen || !utf8.ValidString(l.Title) {
			t.Fatalf("%q: input %d bytes, title %q", s, len(x.Input), l.Title)
		}
	})
}
