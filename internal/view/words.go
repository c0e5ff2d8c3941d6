package view

import (
	"fmt"
	"github.com/mxprobe/mxprobe/internal/asn"
	"github.com/mxprobe/mxprobe/internal/check"
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

// label is the reader's word for a status value of a kind (the glossary's
// labels, check.StatusLabel: JSON keeps the values).
func label(l i18n.Lang, kind, status string) string { return check.StatusLabel(kind, status, l) }

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

// networkText is the sender's network (check.NetworkLine) without its own
// "Network:" label: the fact line has one.
func networkText(n *asn.Result, l i18n.Lang) string {
	s := check.NetworkLine(n, l)
	for _, p := range []string{"Network: ", "Netz: "} {
		s = strings.TrimPrefix(s, p)
	}
	return s
}
