package rules

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/i18n"
)

// statusWords are the table's status column.
var statusWords = map[string]i18n.Text{
	StatusPass:    i18n.T("pass", "erfüllt"),
	StatusFail:    i18n.T("FAIL", "VERLETZT"),
	StatusUnknown: i18n.T("unknown", "unbekannt"),
}

// Width is the text view's line width (the reports' 80 columns).
const Width = 80

// Table renders the full scorecard (for -v) within Width columns: per rule
// a line with status, id and level, then the requirement and its evidence
// wrapped below; then the sources with the dates they were read.
func Table(rs []Requirement, lang i18n.Lang) string {
	var b strings.Builder
	var srcOrder []string
	seen := map[string]bool{}
	for _, r := range rs {
		lvl := i18n.T("all senders", "alle Absender")
		if r.Level == LevelBulk {
			lvl = i18n.T("bulk", "Massenversand")
		}
		fmt.Fprintf(&b, "  %-9s %s (%s)\n", statusWords[r.Status].In(lang), r.Rule, lvl.In(lang))
		wrap(&b, r.Text.In(lang)+" — "+r.Evidence.In(lang), "            ")
		key := r.Source + " (" + i18n.T("read ", "gelesen am ").In(lang) + r.Read + ")"
		if !seen[key] {
			seen[key] = true
			srcOrder = append(srcOrder, key)
		}
	}
	b.WriteString("  " + i18n.T("Sources:", "Quellen:").In(lang) + "\n")
	for _, s := range srcOrder {
		wrap(&b, s, "    ")
	}
	return b.String()
}

// wrap writes text word-wrapped at Width with indent on every line (a word
// longer than the line, such as a URL, stands alone).
func wrap(b *strings.Builder, text, indent string) {
	line := indent
	for _, w := range strings.Fields(text) {
		if len(line) > len(indent) && utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) > Width {
			b.WriteString(line + "\n")
			line = indent
		}
		if len(line) > len(indent) {
			line += " "
		}
		line += w
	}
	b.WriteString(line + "\n")
}
