package tlsrpt

import (
	"strings"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
)

// Finding ids of this package (a public contract).
const (
	FindingOK        = "tlsrpt.ok"
	FindingNone      = "tlsrpt.none"
	FindingInvalid   = "tlsrpt.invalid"
	FindingTempError = "tlsrpt.temperror"
)

// Findings turns a Result into findings.
func Findings(res Result) []report.Finding {
	switch res.Status {
	case StatusValid:
		targets := make([]string, len(res.Parsed.RUA))
		for i, u := range res.Parsed.RUA {
			targets[i] = u.Target
		}
		f := report.New(FindingOK,
			report.Detailf("Reports go to %s.", "Berichte gehen an %s.", strings.Join(targets, ", ")), res.Name+" TXT "+res.Record)
		if len(res.Warnings) > 0 {
			w := i18n.Join(i18n.OrEnglish(res.warningTexts, res.Warnings), "; ")
			f.Detail.EN += " The record has a flaw that strict senders may not accept: " + w.EN + "."
			f.Detail.DE += " Der Eintrag hat einen Mangel, den strenge Absender eventuell nicht akzeptieren: " + w.DE + "."
			f = f.WithSeverity(report.Warn)
		}
		return []report.Finding{f}
	case StatusInvalid:
		ev := []string{}
		for _, t := range res.TXT {
			if IsCandidate(t) {
				ev = append(ev, res.Name+" TXT "+t)
			}
		}
		ev = append(ev, res.Error)
		return []report.Finding{report.New(FindingInvalid,
			report.Detailf("Senders ignore the TLS-RPT record at %s (reason in the evidence).",
				"Absender ignorieren den TLS-RPT-Eintrag unter %s (Grund in den Belegen).", res.Name), ev...)}
	case StatusTempError:
		return []report.Finding{report.New(FindingTempError,
			report.Detailf("No answer for %s: %s.", "Keine Antwort zu %s: %s.", res.Name, res.DNSStatus), res.Name+" TXT: "+string(res.DNSStatus))}
	}
	return []report.Finding{report.New(FindingNone,
		report.Detailf("No TLS-RPT record at %s.", "Kein TLS-RPT-Eintrag unter %s.", res.Name), res.Name+" TXT: "+string(res.DNSStatus))}
}
