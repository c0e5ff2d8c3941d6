package view

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/explain"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/render"
)

const gmailSPF = "550-5.7.27 This message was blocked because it didn't pass SPF authentication.\n550 5.7.27 Gmail requires bulk email senders to authenticate with SPF. - gsmtp"

func card(t *testing.T, reply string, l i18n.Lang, st render.Styler, o CardOptions) string {
	t.Helper()
	var b bytes.Buffer
	x := explain.Explain(reply, explain.Options{MXHost: "gmail-smtp-in.l.google.com"})
	if err := ExplainText(&b, Explain(x.Localize(l), l, o), l, st); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestExplainCardStyler: one styler decides colour and width — escapes
// only when it says colour, every wrapped line within its width.
func TestExplainCardStyler(t *testing.T) {
	plain := card(t, "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in virtual mailbox table", i18n.EN, render.Styler{}, CardOptions{})
	if strings.Contains(plain, "\x1b[") {
		t.Errorf("escape codes without colour:\n%s", plain)
	}
	coloured := card(t, "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown", i18n.EN, render.Styler{Color: true}, CardOptions{})
	if !strings.Contains(coloured, "\x1b[31;1m") && !strings.Contains(coloured, "\x1b[1;31m") {
		t.Errorf("a hard bounce's title is not red with colour on:\n%q", coloured)
	}
	for _, w := range []int{50, 120} {
		out := card(t, "452 4.2.2 The recipient's inbox is out of storage space. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaTemp", i18n.DE, render.Styler{Width: w}, CardOptions{})
		inMeaning := false
		for _, ln := range strings.Split(out, "\n") {
			switch {
			case strings.HasPrefix(ln, "  Was es bedeutet"):
				inMeaning = true
			case ln == "":
				inMeaning = false
			case inMeaning && utf8.RuneCountInString(ln) > w:
				t.Errorf("width %d: line of %d runes: %q", w, utf8.RuneCountInString(ln), ln)
			}
		}
	}
	if q := card(t, gmailSPF, i18n.EN, render.Styler{}, CardOptions{Quiet: true}); q != "hard authfailure sender_admin\n" {
		t.Errorf("quiet card %q", q)
	}
}

// TestExplainCardRules: a reply that names a published rule shows the rule
// (id, text in the language, source) instead of the generic advice, in
// English and German.
func TestExplainCardRules(t *testing.T) {
	for _, c := range []struct {
		l           i18n.Lang
		head, text  string
		source, not string
	}{
		{i18n.EN, "The provider's published rule", "SPF passes", "Source: https://support.google.com/a/answer/81126", "What to do"},
		{i18n.DE, "Die veröffentlichte Regel des Anbieters", "SPF besteht", "Quelle: https://support.google.com/a/answer/81126", "Was zu tun ist"},
	} {
		out := card(t, gmailSPF, c.l, render.Styler{}, CardOptions{})
		for _, want := range []string{c.head, "google.bulk.spf", c.text, c.source} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: card lacks %q:\n%s", c.l, want, out)
			}
		}
		if n := strings.Count(out, "https://support.google.com/a/answer/81126"); n != 1 {
			t.Errorf("%s: the rule's source page stands %d times, want once:\n%s", c.l, n, out)
		}
		if strings.Contains(out, c.not) {
			t.Errorf("%s: card repeats the generic advice:\n%s", c.l, out)
		}
	}
	// Without a named rule the generic advice stays.
	out := card(t, "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown", i18n.DE, render.Styler{}, CardOptions{})
	if !strings.Contains(out, "Was zu tun ist") || strings.Contains(out, "veröffentlichte Regel") {
		t.Errorf("card without a rule:\n%s", out)
	}
}

// TestExplainTableRow: the --lines row keeps its fixed columns and colours
// the bounce only with colour on.
func TestExplainTableRow(t *testing.T) {
	x := explain.Explain("550 5.1.1 unknown\r\nuser", explain.Options{})
	row := string(AppendExplainRow(nil, 7, &x, render.Styler{}))
	if !strings.HasPrefix(row, "7      550  5.1.1    hard    ") || strings.Contains(row, "\r") || strings.Count(row, "\n") != 1 {
		t.Errorf("row %q", row)
	}
	if c := string(AppendExplainRow(nil, 7, &x, render.Styler{Color: true})); !strings.Contains(c, "\x1b[") {
		t.Errorf("coloured row %q", c)
	}
}
