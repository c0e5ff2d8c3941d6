package view

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzShortReply: server replies are untrusted; shortening one never
// panics, never grows past the limit and keeps valid UTF-8 valid.
func FuzzShortReply(f *testing.F) {
	for _, s := range []string{
		"550 5.7.1 Unfortunately, messages from [203.0.113.5] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.",
		"450 4.7.1 <a@b>: Recipient address rejected: Greylisted, please try again later",
		"554-Bad DNS PTR resource record",
		"", "<>:", "5", "550 5.7.1", strings.Repeat("x", 300), "421 RE:R1 #ip-reputation",
		"550 5.1.1 " + strings.Repeat("a", 59) + ". more", "550 " + strings.Repeat("word ", 20) + "#" + strings.Repeat("a", 100),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		codes, text := splitCodes(s)
		if codes != "" && !strings.HasPrefix(s, codes[:3]) {
			t.Fatalf("codes %q not from %q", codes, s)
		}
		out := ShortReply(text, 70)
		if n := utf8.RuneCountInString(out); n > 70 {
			t.Fatalf("ShortReply(%q) has %d runes, limit 70: %q", text, n, out)
		}
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 from valid input: %q", out)
		}
	})
}
