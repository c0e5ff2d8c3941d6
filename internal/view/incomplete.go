package view

import (
	"fmt"

	"github.com/mxprobe/mxprobe/internal/check"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
)

// noDialogue is the lead of an incomplete run without a finding that says
// why: no MX address answered the dialogue.
func noDialogue(rep *check.Report) Problem {
	p := Problem{Rule: "why-incomplete", Severity: report.Warn,
		Title: i18n.T("No SMTP dialogue took place", "Es kam kein SMTP-Dialog zustande"),
		Advice: []i18n.Text{i18n.T("Without a dialogue there is no verdict on delivery; run again later or from another network.",
			"Ohne Dialog gibt es keine Aussage über die Zustellung; prüfen Sie später oder aus einem anderen Netz erneut.")}}
	for _, h := range sortedHosts(rep.MX) {
		for _, a := range h.Addresses {
			if a.SMTP != nil && a.SMTP.Error != nil {
				e := a.SMTP.Error
				p.Detail = both(func(l i18n.Lang) string {
					return fmt.Sprintf(tr(l, "%s (%s) stopped %s: %s.", "%s (%s) hat %s abgebrochen: %s."), h.Host, a.IP, phaseText(e.Phase, l), errorClassText(e.Class, l))
				})
				p.Evidence = append(p.Evidence, oneLine(e.Detail, 120))
				return p
			}
		}
	}
	return p
}
