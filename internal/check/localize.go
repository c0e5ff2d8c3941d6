package check

import (
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
)

// The text views of the reports live in internal/view; the JSON output
// carries the findings localised into one language.

// Localize fills the JSON findings in lang (most severe first) and sets
// the language the explanations are encoded in.
func (r *Report) Localize(lang i18n.Lang) {
	r.Findings = report.LocalizeAll(r.raw, lang)
	r.Requirements = localizeRules(r.requirements, r.Sender.Network, lang)
	if r.Provider != nil {
		for i := range r.Provider.Guidance {
			g := &r.Provider.Guidance[i]
			g.Title, g.Text = g.TitleText.In(lang), g.TextText.In(lang)
		}
	}
	for _, h := range r.MX {
		for _, a := range h.Addresses {
			for i := range a.Explanations {
				a.Explanations[i].lang = lang
			}
		}
	}
}

// Localize fills the JSON findings (and the rulebook scorecard) in lang.
func (r *DNSReport) Localize(lang i18n.Lang) {
	r.Findings = report.LocalizeAll(r.raw, lang)
	r.Requirements = localizeRules(r.requirements, r.Network, lang)
}
