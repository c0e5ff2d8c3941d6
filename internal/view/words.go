package view

import (
	"fmt"
	"strings"

	"github.com/mxprobe/mxprobe/internal/i18n"
)

// both builds a text pair from a function that writes one language (the
// fact formatters below are written once for both languages).
func both(f func(l i18n.Lang) string) i18n.Text {
	return i18n.Text{EN: f(i18n.EN), DE: f(i18n.DE)}
}

// raw is a text that is the same in both languages (host names, records,
// server replies): it is never translated.
func raw(s string) i18n.Text { return i18n.Text{EN: s, DE: s} }

func tr(l i18n.Lang, en, de string) string { return i18n.T(en, de).In(l) }

// statusWords translates the result words of the checks (JSON keeps them
// English; the text view shows them in the reader's language).
var statusWords = map[string]i18n.Text{
	"ok":          i18n.T("ok", "in Ordnung"),
	"none":        i18n.T("none", "fehlt"),
	"valid":       i18n.T("valid", "gültig"),
	"invalid":     i18n.T("invalid", "ungültig"),
	"missing":     i18n.T("missing", "fehlt"),
	"temperror":   i18n.T("lookup failed", "Abfrage gescheitert"),
	"permerror":   i18n.T("permerror", "fehlerhaft"),
	"error":       i18n.T("error", "Fehler"),
	"pass":        i18n.T("pass", "bestanden"),
	"fail":        i18n.T("fail", "nicht autorisiert"),
	"softfail":    i18n.T("softfail", "wahrscheinlich nicht autorisiert"),
	"neutral":     i18n.T("neutral", "ohne Aussage"),
	"clean":       i18n.T("not listed", "nicht gelistet"),
	"listed":      i18n.T("listed", "gelistet"),
	"unknown":     i18n.T("not answered", "keine Antwort"),
	"broken":      i18n.T("broken", "defekt"),
	"skipped":     i18n.T("skipped", "übersprungen"),
	"enforce":     i18n.T("enforce", "erzwingend (enforce)"),
	"testing":     i18n.T("testing", "im Testmodus"),
	"found":       i18n.T("found", "gefunden"),
	"unusable":    i18n.T("unusable", "nicht nutzbar"),
	"usable":      i18n.T("usable", "nutzbar"),
	"fetch_error": i18n.T("policy not fetched", "Richtlinie nicht abrufbar"),
	"implicit":    i18n.T("implicit (no MX record)", "implizit (kein MX-Eintrag)"),
	"null":        i18n.T("null MX: accepts no mail", "Null-MX: nimmt keine E-Mail an"),
	"nxdomain":    i18n.T("the domain does not exist", "die Domain existiert nicht"),
	"nodata":      i18n.T("no record", "kein Eintrag"),
	"servfail":    i18n.T("DNS server failure", "DNS-Serverfehler"),
	"timeout":     i18n.T("no answer in time", "keine Antwort innerhalb der Frist"),
}

// word translates a result word; unknown words stay as they are.
func word(l i18n.Lang, s string) string {
	if t, ok := statusWords[strings.ToLower(s)]; ok {
		return t.In(l)
	}
	return s
}

// joinDot joins the non-empty parts with " · ".
func joinDot(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " · ")
}

// moreText is "… and N more" for bounded lists in every section.
func moreText(n int, verboseHint bool) i18n.Text {
	t := i18n.Plural(n, i18n.Tf("… and %d more", "… und %d weiterer", n), i18n.Tf("… and %d more", "… und %d weitere", n))
	if verboseHint {
		t.EN += " (-v lists all)"
		t.DE += " (-v listet alle)"
	}
	return t
}

func seconds(ms float64) string { return fmt.Sprintf("%.1f s", ms/1000) }
