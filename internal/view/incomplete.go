package view

import (
	"fmt"
	"time"

	"github.com/mxprobe/mxprobe/internal/check"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/mx"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/spf"
)

// whyIncomplete is the lead of an incomplete run whose deadline passed: it
// names the deadline and the phase it cut. nil when the deadline did not
// pass (the findings then say why).
func whyIncomplete(rep *check.Report, o Options) *Problem {
	if o.Deadline <= 0 {
		return nil
	}
	return deadlineProblem(o.Deadline, cutPhase(rep))
}

// deadlineProblem says that the deadline d passed and cut phase short.
func deadlineProblem(d time.Duration, phase i18n.Text) *Problem {
	return &Problem{
		Rule: RuleDeadline, Severity: report.Warn,
		Title: i18n.Text{
			EN: fmt.Sprintf("The time limit of %s passed during %s", d, phase.EN),
			DE: fmt.Sprintf("Das Zeitlimit von %s ist während %s abgelaufen", d, phase.DE),
		},
		Detail: i18n.T("What did not finish is unknown, not failed.", "Was nicht fertig wurde, ist unbekannt, nicht gescheitert."),
		Advice: []i18n.Text{i18n.T("Run again with a longer --timeout (the default is 60s).",
			"Führen Sie den Befehl mit einem längeren --timeout erneut aus (Standard: 60s).")},
	}
}

// cutPhase names the first step of the run that did not finish (German
// in the dative: "während der MX-Abfrage").
func cutPhase(rep *check.Report) i18n.Text {
	dom := rep.Target.Domain
	if rep.MXLookup.Status == mx.StatusTempError {
		return i18n.Tf("the MX lookup of %s", "der MX-Abfrage von %s", dom)
	}
	addrs := 0
	for _, h := range rep.MX {
		addrs += len(h.Addresses)
	}
	if addrs == 0 && len(rep.MX) > 0 {
		return i18n.T("the address lookups of the MX hosts", "den Adressabfragen der MX-Hosts")
	}
	for _, h := range sortedHosts(rep.MX) {
		for _, a := range h.Addresses {
			if a.SMTP != nil && a.SMTP.Error != nil {
				return i18n.Text{
					EN: fmt.Sprintf("the SMTP dialogue with %s (%s)", h.Host, phaseText(a.SMTP.Error.Phase, i18n.EN)),
					DE: fmt.Sprintf("dem SMTP-Dialog mit %s (%s)", h.Host, phaseText(a.SMTP.Error.Phase, i18n.DE)),
				}
			}
		}
	}
	s := rep.Sender
	if s.SPF != nil && s.SPF.Status == spf.Temperror || s.DKIM != nil && s.DKIM.Incomplete || s.DMARC != nil && s.DMARC.Incomplete {
		return i18n.T("the sender checks (SPF, DKIM, DMARC)", "den Absenderprüfungen (SPF, DKIM, DMARC)")
	}
	return i18n.T("the checks after the SMTP dialogue", "den Prüfungen nach dem SMTP-Dialog")
}

// noDialogue is the lead of an incomplete run without a finding that says
// why: no MX address answered the dialogue.
func noDialogue(rep *check.Report) Problem {
	p := Problem{Rule: "why-incomplete", Severity: report.Warn,
		Title: i18n.T("No SMTP dialogue took place", "Es kam kein SMTP-Dialog zustande"),
		Advice: []i18n.Text{i18n.T("Without a dialogue there is no verdict on delivery; run again later or from another network.",
			"Ohne Dialog gibt es kein Urteil über die Zustellung; prüfen Sie später oder aus einem anderen Netz erneut.")}}
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
