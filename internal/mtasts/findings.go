package mtasts

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
)

// Finding ids of this package (a public contract).
const (
	FindingOK          = "mtasts.ok"
	FindingNone        = "mtasts.none"
	FindingInvalid     = "mtasts.invalid"
	FindingFetchFailed = "mtasts.fetch_failed"
	FindingTesting     = "mtasts.testing"
	FindingModeNone    = "mtasts.mode_none"
	FindingMXMismatch  = "mtasts.mx_mismatch"
	FindingWarning     = "mtasts.warning"
	FindingTempError   = "mtasts.temperror"
)

func init() {
	report.Register(
		report.Def{ID: FindingOK, Severity: report.OK,
			Title:  i18n.T("MTA-STS policy is valid and enforced", "MTA-STS-Richtlinie ist gültig und wird durchgesetzt"),
			Advice: i18n.T("Nothing to do. Change the id= in the TXT record whenever you change the policy.", "Nichts zu tun. Bei jeder Änderung der Richtlinie die id= im TXT-Eintrag ändern.")},
		report.Def{ID: FindingNone, Severity: report.Info,
			Title: i18n.T("No MTA-STS policy", "Keine MTA-STS-Richtlinie"),
			Advice: i18n.T("Without MTA-STS (RFC 8461) or DANE, senders fall back to unencrypted or unauthenticated delivery when an attacker strips STARTTLS. Publish a policy at https://mta-sts.<domain>/.well-known/mta-sts.txt and a TXT record \"v=STSv1; id=…\" at _mta-sts.<domain>; start with mode: testing.",
				"Ohne MTA-STS (RFC 8461) oder DANE weichen Absender auf unverschlüsselte oder nicht authentisierte Zustellung aus, wenn ein Angreifer STARTTLS unterdrückt. Veröffentlichen Sie eine Richtlinie unter https://mta-sts.<domain>/.well-known/mta-sts.txt und einen TXT-Eintrag „v=STSv1; id=…“ unter _mta-sts.<domain>; beginnen Sie mit mode: testing.")},
		report.Def{ID: FindingInvalid, Severity: report.Warn,
			Title: i18n.T("MTA-STS record or policy is invalid", "MTA-STS-Eintrag oder -Richtlinie ist ungültig"),
			Advice: i18n.T("Senders treat the domain as having no MTA-STS policy, so it offers no protection. Fix the problem shown in the evidence: exactly one TXT record \"v=STSv1; id=<1–32 letters/digits>\", and a policy with version: STSv1, mode, mx and max_age lines.",
				"Absender behandeln die Domain, als hätte sie keine MTA-STS-Richtlinie; sie bietet also keinen Schutz. Beheben Sie den in den Belegen genannten Fehler: genau ein TXT-Eintrag „v=STSv1; id=<1–32 Buchstaben/Ziffern>“ und eine Richtlinie mit den Zeilen version: STSv1, mode, mx und max_age.")},
		report.Def{ID: FindingFetchFailed, Severity: report.Warn,
			Title: i18n.T("MTA-STS policy could not be fetched", "MTA-STS-Richtlinie konnte nicht abgerufen werden"),
			Advice: i18n.T("The TXT record announces a policy, but https://mta-sts.<domain>/.well-known/mta-sts.txt did not deliver it: it needs a certificate valid for mta-sts.<domain> from a public CA, status 200 without redirect, Content-Type text/plain and at most 64 KiB. Senders without a cached policy deliver unprotected; those with one keep using the old policy.",
				"Der TXT-Eintrag kündigt eine Richtlinie an, aber https://mta-sts.<domain>/.well-known/mta-sts.txt hat sie nicht geliefert: nötig sind ein für mta-sts.<domain> gültiges Zertifikat einer öffentlichen CA, Status 200 ohne Weiterleitung, Content-Type text/plain und höchstens 64 KiB. Absender ohne zwischengespeicherte Richtlinie stellen ungeschützt zu, solche mit einer nutzen die alte weiter.")},
		report.Def{ID: FindingTesting, Severity: report.Info,
			Title: i18n.T("MTA-STS is in testing mode", "MTA-STS ist im Testmodus"),
			Advice: i18n.T("In mode testing senders only report TLS problems (via TLS-RPT) and still deliver without protection. When the reports show no failures, switch to mode: enforce and change the id= in the TXT record.",
				"Im Modus testing melden Absender TLS-Probleme nur (per TLS-RPT) und stellen trotzdem ungeschützt zu. Wenn die Berichte keine Fehler zeigen, stellen Sie auf mode: enforce um und ändern Sie die id= im TXT-Eintrag.")},
		report.Def{ID: FindingModeNone, Severity: report.Info,
			Title: i18n.T("MTA-STS policy has mode none", "MTA-STS-Richtlinie hat den Modus none"),
			Advice: i18n.T("Mode none withdraws MTA-STS. If that is not intended, publish mode: testing or enforce with mx lines for all MX hosts.",
				"Der Modus none zieht MTA-STS zurück. Ist das nicht beabsichtigt, veröffentlichen Sie mode: testing oder enforce mit mx-Zeilen für alle MX-Hosts.")},
		report.Def{ID: FindingMXMismatch, Severity: report.Fail,
			Title: i18n.T("MX host not covered by the MTA-STS policy", "MX-Host nicht von der MTA-STS-Richtlinie abgedeckt"),
			Advice: i18n.T("With mode enforce, compliant senders (Gmail, Microsoft, …) refuse to deliver to an MX host that matches no mx line of the policy. Add an mx line for the host (\"mx: mail.example.com\" or \"mx: *.example.com\" for one label), then change the id= in the TXT record.",
				"Im Modus enforce stellen regelkonforme Absender (Gmail, Microsoft, …) nicht an einen MX-Host zu, der zu keiner mx-Zeile der Richtlinie passt. Ergänzen Sie eine mx-Zeile für den Host („mx: mail.example.com“ oder „mx: *.example.com“ für genau eine Ebene) und ändern Sie danach die id= im TXT-Eintrag.")},
		report.Def{ID: FindingWarning, Severity: report.Warn,
			Title: i18n.T("MTA-STS record or policy has flaws", "MTA-STS-Eintrag oder -Richtlinie hat Mängel"),
			Advice: i18n.T("The record and the policy are valid, but the evidence lists details that some senders handle differently (duplicate fields, blank lines, a short max_age). Clean them up.",
				"Eintrag und Richtlinie sind gültig, aber die Belege nennen Details, die manche Absender anders behandeln (doppelte Felder, Leerzeilen, ein kurzes max_age). Bereinigen Sie diese.")},
		report.Def{ID: FindingTempError, Severity: report.Warn,
			Title: i18n.T("MTA-STS lookup failed: the DNS gave no answer", "MTA-STS-Abfrage fehlgeschlagen: das DNS hat nicht geantwortet"),
			Advice: i18n.T("This does not mean there is no policy. Try again or with another resolver (--resolver).",
				"Das heißt nicht, dass es keine Richtlinie gibt. Versuchen Sie es erneut oder mit einem anderen Resolver (--resolver).")},
	)
}

// Findings turns a Result into findings.
func Findings(res Result) []report.Finding {
	ev := []string{}
	if res.Record != "" {
		ev = append(ev, res.Name+" TXT "+res.Record)
	}
	if res.Fetch != nil {
		ev = append(ev, fetchEvidence(*res.Fetch))
	}
	switch res.Status {
	case StatusNone:
		return []report.Finding{report.New(FindingNone,
			report.Detailf("No MTA-STS record at %s.", "Kein MTA-STS-Eintrag unter %s.", res.Name), res.Name+" TXT: "+string(res.DNSStatus))}
	case StatusTempError:
		return []report.Finding{report.New(FindingTempError,
			report.Detailf("No answer for %s (%s).", "Keine Antwort zu %s (%s).", res.Name, res.DNSStatus), res.Name+" TXT: "+string(res.DNSStatus))}
	case StatusInvalid:
		return []report.Finding{report.New(FindingInvalid,
			report.Detailf("The MTA-STS setup of %s is invalid; senders ignore it.", "Die MTA-STS-Einrichtung von %s ist ungültig; Absender ignorieren sie.", res.Domain),
			append(ev, "error: "+res.Error)...)}
	case StatusFetchFailed:
		return []report.Finding{report.New(FindingFetchFailed,
			i18n.Text{
				EN: fmt.Sprintf("Fetching %s failed: %s.", PolicyURL(res.Domain), fetchReason(res.Err, false)),
				DE: fmt.Sprintf("Der Abruf von %s ist fehlgeschlagen: %s.", PolicyURL(res.Domain), fetchReason(res.Err, true)),
			}, append(ev, "error: "+res.Error)...)}
	}

	p := res.Policy
	ev = append(ev, "policy: "+strings.ReplaceAll(strings.TrimSpace(p.String()), "\n", "; "))
	var fs []report.Finding
	// The MX comparison first: a policy that does not list the MX is never
	// reported as "valid and enforced" beside it.
	var mismatch *report.Finding
	if res.MXChecked && len(res.MXMismatched) > 0 && p.Mode != ModeNone {
		f := report.New(FindingMXMismatch,
			report.Detailf("MX hosts not matched by any mx line of the policy: %s.", "MX-Hosts, die zu keiner mx-Zeile der Richtlinie passen: %s.", strings.Join(res.MXMismatched, ", ")),
			append(ev, "mx not matched: "+strings.Join(res.MXMismatched, ", "))...)
		if p.Mode == ModeTesting {
			// Only reported, mail still flows.
			f = f.WithSeverity(report.Warn)
		}
		mismatch = &f
	}
	switch {
	case p.Mode == ModeEnforce && mismatch == nil:
		fs = append(fs, report.New(FindingOK,
			report.Detailf("%s enforces MTA-STS (max_age %d s).", "%s setzt MTA-STS durch (max_age %d s).", res.Domain, p.MaxAge), ev...))
	case p.Mode == ModeTesting:
		fs = append(fs, report.New(FindingTesting,
			report.Detailf("%s publishes MTA-STS in mode testing.", "%s veröffentlicht MTA-STS im Modus testing.", res.Domain), ev...))
	case p.Mode == ModeNone:
		fs = append(fs, report.New(FindingModeNone,
			report.Detailf("%s publishes an MTA-STS policy with mode none.", "%s veröffentlicht eine MTA-STS-Richtlinie mit dem Modus none.", res.Domain), ev...))
	}
	if len(res.Warnings) > 0 {
		wev := make([]string, len(res.Warnings))
		for i, w := range res.Warnings {
			wev[i] = "warning: " + w
		}
		d := report.Detailf("%d points of the MTA-STS setup of %s need attention.", "%d Punkte der MTA-STS-Einrichtung von %s verdienen Beachtung.", len(res.Warnings), res.Domain)
		if len(res.Warnings) == 1 {
			d = report.Detailf("One point of the MTA-STS setup of %s needs attention.", "Ein Punkt der MTA-STS-Einrichtung von %s verdient Beachtung.", res.Domain)
		}
		fs = append(fs, report.New(FindingWarning, d, wev...))
	}
	if mismatch != nil {
		fs = append(fs, *mismatch)
	}
	return fs
}

func fetchEvidence(fi FetchInfo) string {
	s := "GET " + fi.URL
	if fi.RemoteAddr != "" {
		s += " (" + fi.RemoteAddr + ")"
	}
	if fi.StatusCode != 0 {
		s += fmt.Sprintf(" → %d", fi.StatusCode)
		if fi.ContentType != "" {
			s += ", " + fi.ContentType
		}
		if fi.Location != "" {
			s += ", Location: " + fi.Location
		}
		s += fmt.Sprintf(", %d bytes", fi.Bytes)
	}
	return s
}

// fetchReason names the kind of fetch failure in one language.
func fetchReason(err error, de bool) string {
	pick := func(en, deText string) string {
		if de {
			return deText
		}
		return en
	}
	switch {
	case errors.Is(err, ErrRedirect):
		return pick("the server answered with a redirect, which senders must not follow", "der Server hat mit einer Weiterleitung geantwortet, der Absender nicht folgen dürfen")
	case errors.Is(err, ErrTLS):
		return pick("the TLS certificate is not valid for the policy host", "das TLS-Zertifikat ist für den Richtlinien-Host nicht gültig")
	case errors.Is(err, ErrTooLarge):
		return pick("the policy is larger than 64 KiB", "die Richtlinie ist größer als 64 KiB")
	case errors.Is(err, ErrContentType):
		return pick("the media type is not text/plain", "der Medientyp ist nicht text/plain")
	case errors.Is(err, ErrStatus):
		return pick("the HTTP status is not 200", "der HTTP-Status ist nicht 200")
	case errors.Is(err, ErrTimeout):
		return pick("the server did not answer in time", "der Server hat nicht rechtzeitig geantwortet")
	case errors.Is(err, ErrNoPolicyHost):
		return pick("the host mta-sts.<domain> does not exist in DNS", "der Host mta-sts.<domain> existiert im DNS nicht")
	}
	return pick("connection or protocol error", "Verbindungs- oder Protokollfehler")
}
