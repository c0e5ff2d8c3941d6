package iprev

import (
	"fmt"
	"strings"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
)

// Finding ids of this package (a public contract).
const (
	FindingOK           = "rdns.ok"
	FindingMissing      = "rdns.missing"
	FindingNotConfirmed = "rdns.not_confirmed"
	FindingGeneric      = "rdns.generic"
	FindingMultiple     = "rdns.multiple"
	FindingTempError    = "rdns.temperror"
)

func init() {
	report.Register(
		report.Def{ID: FindingOK, Severity: report.OK,
			Title:  i18n.T("Reverse DNS is forward-confirmed", "Reverse-DNS ist vorwärts bestätigt"),
			Advice: i18n.T("Nothing to do.", "Nichts zu tun.")},
		report.Def{ID: FindingMissing, Severity: report.Fail,
			Title: i18n.T("No reverse DNS (PTR) for the IP address", "Kein Reverse-DNS (PTR) für die IP-Adresse"),
			Advice: i18n.T("Large mailbox providers (Gmail, Microsoft, Yahoo, GMX/WEB.DE, T-Online) reject or junk mail from addresses without PTR record. Only the owner of the address block can set it: ask your hosting or Internet provider to set the PTR to the server's host name, and make that name resolve back to the address.",
				"Große Postfachanbieter (Gmail, Microsoft, Yahoo, GMX/WEB.DE, T-Online) lehnen E-Mail von Adressen ohne PTR-Eintrag ab oder sortieren sie als Spam ein. Setzen kann ihn nur der Inhaber des Adressblocks: Bitten Sie Ihren Hosting- oder Internetanbieter, den PTR auf den Hostnamen des Servers zu setzen, und lassen Sie diesen Namen wieder auf die Adresse zeigen.")},
		report.Def{ID: FindingNotConfirmed, Severity: report.Fail,
			Title: i18n.T("Reverse DNS is not forward-confirmed", "Reverse-DNS ist nicht vorwärts bestätigt"),
			Advice: i18n.T("The PTR name does not resolve back to the IP address (FCrDNS fails), which many receivers treat like a missing PTR. Add an A/AAAA record for the PTR name pointing to this address, or have the provider change the PTR to a name that does.",
				"Der PTR-Name zeigt nicht zurück auf die IP-Adresse (FCrDNS schlägt fehl); viele Empfänger behandeln das wie einen fehlenden PTR. Legen Sie für den PTR-Namen einen A/AAAA-Eintrag an, der auf diese Adresse zeigt, oder bitten Sie den Anbieter, den PTR auf einen solchen Namen zu ändern.")},
		report.Def{ID: FindingGeneric, Severity: report.Warn,
			Title: i18n.T("Reverse DNS name looks generic or dynamic", "Reverse-DNS-Name wirkt generisch oder dynamisch"),
			Advice: i18n.T("Names with the IP address's digits or words like dyn, dsl, pool, dhcp or cable look like a dial-up or customer range; many receivers penalise or reject such senders. Ask the provider for a PTR with the server's own name (e.g. mail.example.com) that resolves back to the address.",
				"Namen mit den Ziffern der IP-Adresse oder Wörtern wie dyn, dsl, pool, dhcp oder cable wirken wie ein Einwahl- oder Kundenbereich; viele Empfänger werten solche Absender ab oder lehnen sie ab. Bitten Sie den Anbieter um einen PTR mit dem eigenen Namen des Servers (z. B. mail.example.com), der auf die Adresse zurückzeigt.")},
		report.Def{ID: FindingMultiple, Severity: report.Warn,
			Title: i18n.T("Several PTR records for one IP address", "Mehrere PTR-Einträge für eine IP-Adresse"),
			Advice: i18n.T("Receivers may pick any of the names, and some check only one. Keep exactly one PTR per address, naming the host that sends mail (it should match the HELO name).",
				"Empfänger können einen beliebigen Namen auswählen, manche prüfen nur einen. Behalten Sie genau einen PTR pro Adresse, der den sendenden Host nennt (er sollte zum HELO-Namen passen).")},
		report.Def{ID: FindingTempError, Severity: report.Warn,
			Title: i18n.T("Reverse DNS lookup failed: the DNS gave no answer", "Reverse-DNS-Abfrage fehlgeschlagen: das DNS hat nicht geantwortet"),
			Advice: i18n.T("This does not mean the PTR is missing: the question could not be answered (timeout, SERVFAIL or REFUSED). Try again; if it persists, the reverse zone's name servers (run by the address block's owner) are broken, and receivers will defer or reject mail from this address.",
				"Das heißt nicht, dass der PTR fehlt: die Frage konnte nicht beantwortet werden (Zeitüberschreitung, SERVFAIL oder REFUSED). Versuchen Sie es erneut; bleibt es so, sind die Nameserver der Reverse-Zone (betrieben vom Inhaber des Adressblocks) gestört, und Empfänger stellen E-Mail von dieser Adresse zurück oder lehnen sie ab.")},
	)
}

// Findings turns a Result into findings.
func Findings(res Result) []report.Finding {
	var fs []report.Finding
	ev := evidence(res)
	switch res.Result {
	case StatusPermError:
		if res.ReverseName == "" {
			return nil // invalid input, no lookup happened
		}
		fs = append(fs, report.New(FindingMissing,
			report.Detailf("%s has no PTR record (%s).", "%s hat keinen PTR-Eintrag (%s).", res.IP, res.PTRStatus), ev...))
	case StatusTempError:
		fs = append(fs, report.New(FindingTempError,
			report.Detailf("The reverse DNS of %s could not be checked.", "Das Reverse-DNS von %s konnte nicht geprüft werden.", res.IP), ev...))
	case StatusFail:
		fs = append(fs, report.New(FindingNotConfirmed,
			report.Detailf("%s has PTR %s, but no name resolves back to %s.", "%s hat den PTR %s, aber kein Name zeigt zurück auf %s.",
				res.IP, namesList(res.Names), res.IP), ev...))
	case StatusPass:
		fs = append(fs, report.New(FindingOK,
			report.Detailf("%s ↔ %s.", "%s ↔ %s.", res.IP, res.Host), ev...))
	}
	if len(res.Names) > 1 {
		fs = append(fs, report.New(FindingMultiple,
			report.Detailf("%s has %d PTR records: %s.", "%s hat %d PTR-Einträge: %s.", res.IP, len(res.Names), namesList(res.Names)), ev...))
	}
	if n, ok := res.Generic(); ok {
		fs = append(fs, report.New(FindingGeneric,
			report.Detailf("%s looks generic.", "%s wirkt generisch.", n.Name),
			n.Name+": "+n.GenericReason))
	}
	return fs
}

func evidence(res Result) []string {
	if res.ReverseName == "" {
		return nil
	}
	var ev []string
	if len(res.Names) == 0 {
		ev = append(ev, fmt.Sprintf("%s PTR: %s", res.ReverseName, res.PTRStatus))
	}
	for _, n := range res.Names {
		ev = append(ev, fmt.Sprintf("%s PTR %s", res.ReverseName, n.Name))
		switch {
		case !n.Checked:
			ev = append(ev, n.Name+": not checked (more than 10 names)")
		case len(n.IPs) > 0:
			parts := make([]string, len(n.IPs))
			for i, ip := range n.IPs {
				parts[i] = ip.String()
			}
			ev = append(ev, fmt.Sprintf("%s → %s", n.Name, strings.Join(parts, ", ")))
		default:
			ev = append(ev, fmt.Sprintf("%s → %s", n.Name, n.ForwardStatus))
		}
	}
	return ev
}
