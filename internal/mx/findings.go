package mx

import (
	"fmt"
	"strings"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Finding ids of this package (a public contract).
const (
	FindingOK         = "mx.ok"
	FindingNone       = "mx.none"
	FindingNull       = "mx.null"
	FindingNullMixed  = "mx.null_mixed"
	FindingImplicit   = "mx.implicit"
	FindingNXDomain   = "mx.nxdomain"
	FindingTempError  = "mx.temperror"
	FindingCNAME      = "mx.cname"
	FindingIPLiteral  = "mx.ip_literal"
	FindingNoAddress  = "mx.no_address"
	FindingHostFailed = "mx.host_temperror"
)

func init() {
	report.Register(
		report.Def{ID: FindingOK, Severity: report.OK,
			Title:  i18n.T("MX records resolve to reachable addresses", "MX-Einträge zeigen auf erreichbare Adressen"),
			Advice: i18n.T("Nothing to do.", "Nichts zu tun.")},
		report.Def{ID: FindingNone, Severity: report.Fail,
			Title: i18n.T("No MX record and no address: the domain cannot receive mail",
				"Kein MX-Eintrag und keine Adresse: die Domain kann keine E-Mail empfangen"),
			Advice: i18n.T("The domain owner must publish an MX record pointing to a mail server (for example \"example.com. MX 10 mail.example.com.\"). If the domain is not meant to receive mail, publish a null MX (\"MX 0 .\", RFC 7505) instead.",
				"Der Inhaber der Domain muss einen MX-Eintrag veröffentlichen, der auf einen Mailserver zeigt (zum Beispiel „example.com. MX 10 mail.example.com.“). Soll die Domain keine E-Mail empfangen, veröffentlichen Sie stattdessen einen Null-MX („MX 0 .“, RFC 7505).")},
		report.Def{ID: FindingNull, Severity: report.Info,
			Title: i18n.T("Null MX: this domain accepts no mail (RFC 7505)",
				"Null-MX: diese Domain nimmt keine E-Mail an (RFC 7505)"),
			Advice: i18n.T("Mail to this domain is refused on purpose. If the domain should receive mail, its owner must replace the \"MX 0 .\" record with real MX records.",
				"E-Mail an diese Domain wird absichtlich abgelehnt. Soll die Domain E-Mail empfangen, muss ihr Inhaber den Eintrag „MX 0 .“ durch echte MX-Einträge ersetzen.")},
		report.Def{ID: FindingNullMixed, Severity: report.Fail,
			Title: i18n.T("Null MX published together with other MX records",
				"Null-MX zusammen mit weiteren MX-Einträgen veröffentlicht"),
			Advice: i18n.T("RFC 7505 §3 forbids other MX records next to a null MX; senders behave differently. The domain owner must remove either the \"MX 0 .\" record or the other MX records.",
				"RFC 7505 §3 verbietet weitere MX-Einträge neben einem Null-MX; Absender verhalten sich dann unterschiedlich. Der Inhaber der Domain muss entweder den Eintrag „MX 0 .“ oder die übrigen MX-Einträge entfernen.")},
		report.Def{ID: FindingImplicit, Severity: report.Warn,
			Title: i18n.T("No MX record: mail goes to the domain's own address (implicit MX)",
				"Kein MX-Eintrag: E-Mail geht an die Adresse der Domain selbst (implizites MX)"),
			Advice: i18n.T("This works (RFC 5321 §5.1), but many senders and filters treat a domain without MX as suspicious. Publish an explicit MX record for the host that accepts mail.",
				"Das funktioniert (RFC 5321 §5.1), aber viele Absender und Filter halten eine Domain ohne MX für verdächtig. Veröffentlichen Sie einen ausdrücklichen MX-Eintrag für den Host, der E-Mail annimmt.")},
		report.Def{ID: FindingNXDomain, Severity: report.Fail,
			Title:  i18n.T("The domain does not exist (NXDOMAIN)", "Die Domain existiert nicht (NXDOMAIN)"),
			Advice: i18n.T("Check the spelling of the domain. If it is correct, the domain is not (or no longer) registered or its DNS delegation is broken.", "Prüfen Sie die Schreibweise der Domain. Stimmt sie, ist die Domain nicht (mehr) registriert oder ihre DNS-Delegation ist defekt.")},
		report.Def{ID: FindingTempError, Severity: report.Warn,
			Title: i18n.T("MX lookup failed: the DNS gave no answer",
				"MX-Abfrage fehlgeschlagen: das DNS hat nicht geantwortet"),
			Advice: i18n.T("This is not \"no MX record\": the question could not be answered (timeout, SERVFAIL or REFUSED). Try again or with another resolver (--resolver); if it persists, the domain's name servers are broken and senders will queue or bounce mail.",
				"Das heißt nicht „kein MX-Eintrag“: die Frage konnte nicht beantwortet werden (Zeitüberschreitung, SERVFAIL oder REFUSED). Versuchen Sie es erneut oder mit einem anderen Resolver (--resolver); bleibt es so, sind die Nameserver der Domain gestört und Absender stellen E-Mail zurück oder weisen sie ab.")},
		report.Def{ID: FindingCNAME, Severity: report.Warn,
			Title: i18n.T("MX target is an alias (CNAME)", "MX-Ziel ist ein Alias (CNAME)"),
			Advice: i18n.T("RFC 2181 §10.3 and RFC 5321 §5.1 require the MX to name the host itself, not an alias. Most senders cope, some refuse. Point the MX record at the canonical host name (the CNAME's target).",
				"RFC 2181 §10.3 und RFC 5321 §5.1 verlangen, dass der MX den Host selbst nennt, keinen Alias. Die meisten Absender kommen damit zurecht, manche verweigern die Zustellung. Lassen Sie den MX-Eintrag auf den kanonischen Hostnamen (das Ziel des CNAME) zeigen.")},
		report.Def{ID: FindingIPLiteral, Severity: report.Fail,
			Title: i18n.T("MX target is an IP address, not a host name", "MX-Ziel ist eine IP-Adresse statt eines Hostnamens"),
			Advice: i18n.T("An MX record must name a host (RFC 5321 §5.1); senders look the \"address\" up as a name and fail. Create an A/AAAA record for a host name and use that name in the MX record.",
				"Ein MX-Eintrag muss einen Hostnamen nennen (RFC 5321 §5.1); Absender fragen die „Adresse“ als Namen ab und scheitern. Legen Sie einen A/AAAA-Eintrag für einen Hostnamen an und verwenden Sie diesen Namen im MX-Eintrag.")},
		report.Def{ID: FindingNoAddress, Severity: report.Fail,
			Title: i18n.T("MX host has no address", "MX-Host hat keine Adresse"),
			Advice: i18n.T("The MX host name has no A or AAAA record (or does not exist), so senders cannot connect to it. Add the address records or fix the MX record.",
				"Der MX-Hostname hat keinen A- oder AAAA-Eintrag (oder existiert nicht), Absender können ihn also nicht erreichen. Legen Sie die Adresseinträge an oder korrigieren Sie den MX-Eintrag.")},
		report.Def{ID: FindingHostFailed, Severity: report.Warn,
			Title: i18n.T("Address lookup of an MX host failed", "Adressabfrage eines MX-Hosts fehlgeschlagen"),
			Advice: i18n.T("The DNS did not answer the A/AAAA question for this MX host (timeout, SERVFAIL or REFUSED); this does not mean the record is missing. Try again; if it persists, the name servers of the MX host's zone are broken.",
				"Das DNS hat die A/AAAA-Frage für diesen MX-Host nicht beantwortet (Zeitüberschreitung, SERVFAIL oder REFUSED); das heißt nicht, dass der Eintrag fehlt. Versuchen Sie es erneut; bleibt es so, sind die Nameserver der Zone des MX-Hosts gestört.")},
	)
}

// Findings turns a Result into findings.
func Findings(res Result) []report.Finding {
	var fs []report.Finding
	switch res.Status {
	case StatusNXDomain:
		return append(fs, report.New(FindingNXDomain,
			report.Detailf("%s does not exist.", "%s existiert nicht.", res.Domain), res.Domain+" MX: NXDOMAIN"))
	case StatusTempError:
		return append(fs, report.New(FindingTempError,
			i18n.Text{
				EN: fmt.Sprintf("No answer for the MX of %s (%s).", res.Domain, res.DNSStatus.Text().EN),
				DE: fmt.Sprintf("Keine Antwort zum MX von %s (%s).", res.Domain, res.DNSStatus.Text().DE),
			},
			res.Domain+" MX: "+string(res.DNSStatus), res.Error))
	case StatusNull:
		return append(fs, report.New(FindingNull,
			report.Detailf("%s publishes \"MX 0 .\".", "%s veröffentlicht „MX 0 .“.", res.Domain), res.Domain+" MX 0 ."))
	case StatusNone:
		return append(fs, report.New(FindingNone,
			report.Detailf("%s has no MX, A or AAAA record.", "%s hat keinen MX-, A- oder AAAA-Eintrag.", res.Domain), res.Domain+" MX: "+string(res.DNSStatus)))
	case StatusInvalid:
		return nil
	case StatusImplicit:
		fs = append(fs, report.New(FindingImplicit,
			report.Detailf("%s has no MX record; mail goes to %s.", "%s hat keinen MX-Eintrag; E-Mail geht an %s.", res.Domain, joinIPs(res.Hosts[0])),
			res.Domain+" MX: "+string(res.DNSStatus)))
	}
	if res.NullMixed {
		fs = append(fs, report.New(FindingNullMixed,
			report.Detailf("%s publishes \"MX 0 .\" and other MX records.", "%s veröffentlicht „MX 0 .“ und weitere MX-Einträge.", res.Domain)))
	}

	usable := 0
	for _, h := range res.Hosts {
		if h.Usable() {
			usable++
		}
	}
	for _, h := range res.Hosts {
		ev := hostEvidence(h)
		if len(h.CNAMEs) > 0 {
			fs = append(fs, report.New(FindingCNAME,
				report.Detailf("%s is an alias of %s.", "%s ist ein Alias von %s.", h.Name, h.CNAMEs[len(h.CNAMEs)-1]),
				h.Name+" CNAME "+strings.Join(h.CNAMEs, " → ")))
		}
		switch {
		case h.IPLiteral:
			fs = append(fs, report.New(FindingIPLiteral,
				report.Detailf("The MX target %q is an IP address.", "Das MX-Ziel „%s“ ist eine IP-Adresse.", h.Name), ev))
		case h.Usable():
		case h.Temporary():
			fs = append(fs, report.New(FindingHostFailed,
				i18n.Text{
					EN: fmt.Sprintf("No answer for the addresses of %s (A: %s, AAAA: %s).", h.Name, h.AStatus.Text().EN, h.AAAAStatus.Text().EN),
					DE: fmt.Sprintf("Keine Antwort zu den Adressen von %s (A: %s, AAAA: %s).", h.Name, h.AStatus.Text().DE, h.AAAAStatus.Text().DE),
				}, ev))
		default:
			f := report.New(FindingNoAddress, i18n.Text{
				EN: fmt.Sprintf("%s: %s.", h.Name, h.Error),
				DE: fmt.Sprintf("%s: %s.", h.Name, noAddressDE(h)),
			}, ev)
			if usable > 0 {
				// Other hosts still take mail: degraded, not broken.
				f = f.WithSeverity(report.Warn)
			}
			fs = append(fs, f)
		}
	}
	if usable > 0 && res.Status == StatusOK {
		ev := make([]string, 0, len(res.Hosts))
		for _, h := range res.Hosts {
			ev = append(ev, hostEvidence(h))
		}
		fs = append(fs, report.New(FindingOK,
			report.Detailf("%d of %d MX hosts have addresses.", "%d von %d MX-Hosts haben Adressen.", usable, len(res.Hosts)), ev...))
	}
	return fs
}

func noAddressDE(h Host) string {
	if h.AStatus == resolver.StatusNXDomain || h.AAAAStatus == resolver.StatusNXDomain {
		return "der Host existiert nicht (NXDOMAIN)"
	}
	return "kein A- oder AAAA-Eintrag"
}

func hostEvidence(h Host) string {
	s := fmt.Sprintf("MX %d %s", h.Preference, h.Name)
	if h.Implicit {
		s = "implicit MX " + h.Name
	}
	if len(h.IPs) > 0 {
		s += " → " + joinIPs(h)
	} else if h.AStatus != "" {
		s += fmt.Sprintf(" → A %s, AAAA %s", h.AStatus, h.AAAAStatus)
	}
	return s
}

func joinIPs(h Host) string {
	parts := make([]string, len(h.IPs))
	for i, ip := range h.IPs {
		parts[i] = ip.String()
	}
	return strings.Join(parts, ", ")
}
