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
			append(ev, res.Error)...)}
	case StatusFetchFailed:
		return []report.Finding{report.New(FindingFetchFailed,
			i18n.Text{
				EN: fmt.Sprintf("Fetching %s failed: %s.", PolicyURL(res.Domain), fetchReason(res.Err, false)),
				DE: fmt.Sprintf("Der Abruf von %s ist fehlgeschlagen: %s.", PolicyURL(res.Domain), fetchReason(res.Err, true)),
			}, append(ev, res.Error)...)}
	}

	p := res.Policy
	ev = append(ev, PolicyURL(res.Domain)+": "+strings.ReplaceAll(strings.TrimSpace(p.String()), "\n", "; "))
	var fs []report.Finding
	// The MX comparison first: a policy that does not list the MX is never
	// reported as "valid and enforced" beside it.
	var mismatch *report.Finding
	if res.MXChecked && len(res.MXMismatched) > 0 && p.Mode != ModeNone {
		f := report.New(FindingMXMismatch,
			report.Detailf("MX hosts not matched by any mx line of the policy: %s.", "MX-Hosts, die zu keiner mx-Zeile der Richtlinie passen: %s.", strings.Join(res.MXMismatched, ", ")),
			append(ev, "MX: "+strings.Join(res.MXMismatched, ", "))...)
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
		w := i18n.Join(i18n.OrEnglish(res.warningTexts, res.Warnings), "; ")
		n, we, wd := len(res.Warnings), w.EN, w.DE
		d := i18n.T(fmt.Sprintf("%d points of the MTA-STS setup of %s need attention: %s.", n, res.Domain, we),
			fmt.Sprintf("%d Punkte der MTA-STS-Einrichtung von %s verdienen Beachtung: %s.", n, res.Domain, wd))
		if n == 1 {
			d = i18n.T(fmt.Sprintf("One point of the MTA-STS setup of %s needs attention: %s.", res.Domain, we),
				fmt.Sprintf("Ein Punkt der MTA-STS-Einrichtung von %s verdient Beachtung: %s.", res.Domain, wd))
		}
		fs = append(fs, report.New(FindingWarning, d, ev...))
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
