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

func init() {
	report.Register(
		report.Def{ID: FindingOK, Severity: report.OK,
			Title:  i18n.T("TLS-RPT record is valid", "TLS-RPT-Eintrag ist gültig"),
			Advice: i18n.T("Nothing to do. Make sure someone reads the reports.", "Nichts zu tun. Dafür sorgen, dass jemand die Berichte liest.")},
		report.Def{ID: FindingNone, Severity: report.Info,
			Title: i18n.T("No TLS-RPT record", "Kein TLS-RPT-Eintrag"),
			Advice: i18n.T("Without TLS-RPT (RFC 8460) you do not learn when senders fail to establish TLS with your MX hosts. Publish a TXT record at _smtp._tls.<domain>, e.g. \"v=TLSRPTv1; rua=mailto:tls-reports@example.com\" — especially when you use MTA-STS or DANE.",
				"Ohne TLS-RPT (RFC 8460) erfahren Sie nicht, wenn Absender keine TLS-Verbindung zu Ihren MX-Hosts aufbauen können. Einen TXT-Eintrag unter _smtp._tls.<domain> veröffentlichen, z. B. „v=TLSRPTv1; rua=mailto:tls-reports@example.com“ – besonders, wenn Sie MTA-STS oder DANE nutzen.")},
		report.Def{ID: FindingInvalid, Severity: report.Warn,
			Title: i18n.T("TLS-RPT record is invalid and will be ignored", "TLS-RPT-Eintrag ist ungültig und wird ignoriert"),
			Advice: i18n.T("Senders ignore an invalid record, or several records, completely (RFC 8460 §3). Publish exactly one TXT record at _smtp._tls.<domain> of the form \"v=TLSRPTv1; rua=mailto:address\" (or rua=https://…).",
				"Absender ignorieren einen ungültigen Eintrag oder mehrere Einträge vollständig (RFC 8460 §3). Veröffentlichen Sie genau einen TXT-Eintrag unter _smtp._tls.<domain> der Form „v=TLSRPTv1; rua=mailto:adresse“ (oder rua=https://…).")},
		report.Def{ID: FindingTempError, Severity: report.Warn,
			Title: i18n.T("TLS-RPT lookup failed: the DNS gave no answer", "TLS-RPT-Abfrage fehlgeschlagen: das DNS hat nicht geantwortet"),
			Advice: i18n.T("This does not mean there is no record. Try again or with another resolver (--resolver).",
				"Das heißt nicht, dass es keinen Eintrag gibt. Versuchen Sie es erneut oder mit einem anderen Resolver (--resolver).")},
	)
}

// Findings turns a Result into findings.
func Findings(res Result) []report.Finding {
	switch res.Status {
	case StatusValid:
		targets := make([]string, len(res.Parsed.RUA))
		for i, u := range res.Parsed.RUA {
			targets[i] = u.Target
		}
		ev := []string{res.Name + " TXT " + res.Record}
		for _, w := range res.Warnings {
			ev = append(ev, "warning: "+w)
		}
		f := report.New(FindingOK,
			report.Detailf("Reports go to %s.", "Berichte gehen an %s.", strings.Join(targets, ", ")), ev...)
		if len(res.Warnings) > 0 {
			f.Detail.EN += " The record has a flaw that strict senders may not accept (see evidence)."
			f.Detail.DE += " Der Eintrag hat einen Mangel, den strenge Absender eventuell nicht akzeptieren (siehe Belege)."
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
		ev = append(ev, "error: "+res.Error)
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
