package rules

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/mxprobe/mxprobe/internal/i18n"
)

// FailedLines renders one line per failed rule for the default text view
// (the answer-first budget): "<rule>: <text> (<evidence>)". Unknown and
// passed rules are left to the full table.
func FailedLines(rs []Requirement, lang i18n.Lang) []string {
	var out []string
	for _, r := range rs {
		if r.Status == StatusFail {
			out = append(out, fmt.Sprintf("%s: %s (%s)", r.Rule, r.Text.In(lang), r.Evidence.In(lang)))
		}
	}
	return out
}

// statusWords are the table's status column.
var statusWords = map[string]i18n.Text{
	StatusPass:    i18n.T("pass", "erfüllt"),
	StatusFail:    i18n.T("FAIL", "VERLETZT"),
	StatusUnknown: i18n.T("unknown", "unbekannt"),
}

// Table renders the full scorecard (for -v): one row per rule with status,
// rule id, level, text and evidence, then each book's sources.
func Table(rs []Requirement, lang i18n.Lang) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", i18n.T("status", "Status").In(lang), i18n.T("rule", "Regel").In(lang),
		i18n.T("level", "Ebene").In(lang), i18n.T("requirement — evidence", "Anforderung — Beleg").In(lang))
	sources := map[string]bool{}
	var srcOrder []string
	for _, r := range rs {
		lvl := i18n.T("all senders", "alle Absender")
		if r.Level == LevelBulk {
			lvl = i18n.T("bulk", "Massenversand")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s — %s\n", statusWords[r.Status].In(lang), r.Rule, lvl.In(lang), r.Text.In(lang), r.Evidence.In(lang))
		key := r.Source + " (" + i18n.T("read ", "gelesen am ").In(lang) + r.Read + ")"
		if !sources[key] {
			sources[key] = true
			srcOrder = append(srcOrder, key)
		}
	}
	tw.Flush()
	b.WriteString(i18n.T("Sources:", "Quellen:").In(lang) + "\n")
	for _, s := range srcOrder {
		b.WriteString("  " + s + "\n")
	}
	return b.String()
}
