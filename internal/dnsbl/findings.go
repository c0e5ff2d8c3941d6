package dnsbl

import (
	"fmt"
	"strings"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
)

// Finding ids of this package (a public contract).
const (
	FindingClean      = "dnsbl.clean"
	FindingListed     = "dnsbl.listed"
	FindingUnknown    = "dnsbl.unknown"
	FindingZoneBroken = "dnsbl.zone_broken"
)

// Advice for the specific cases, used with Finding.WithAdvice.
var (
	advicePBL = i18n.T("The Spamhaus PBL is not about spam: it marks addresses that should not send mail directly (dynamic or customer ranges). Send through your provider's or your mail service's relay (smarthost). If this really is a mail server with a static address and its own rDNS, its owner can request removal at check.spamhaus.org.",
		"Die Spamhaus PBL ist kein Spam-Vorwurf: sie kennzeichnet Adressen, die E-Mail nicht direkt versenden sollen (dynamische oder Kundenbereiche). Senden Sie über das Relay (Smarthost) Ihres Providers oder Mail-Dienstes. Ist es wirklich ein Mailserver mit fester Adresse und eigenem rDNS, kann sein Betreiber die Austragung unter check.spamhaus.org beantragen.")
	advicePublicResolver = i18n.T("Spamhaus refused the query because it came through a public or shared resolver (8.8.8.8, 1.1.1.1, 9.9.9.9, many cloud resolvers) or exceeded the free-use volume. This says nothing about the address. Query with your own recursive resolver (--resolver) or use a Spamhaus Data Query Service key (zone <key>.zen.dq.spamhaus.net).",
		"Spamhaus hat die Anfrage abgewiesen, weil sie über einen öffentlichen oder geteilten Resolver kam (8.8.8.8, 1.1.1.1, 9.9.9.9, viele Cloud-Resolver) oder das kostenlose Kontingent überschritt. Über die Adresse sagt das nichts. Fragen Sie mit einem eigenen rekursiven Resolver ab (--resolver) oder verwenden Sie einen Schlüssel für den Spamhaus Data Query Service (Zone <schlüssel>.zen.dq.spamhaus.net).")
)

// adviceDefaultsBroken replaces "remove the zone from your configuration"
// for the built-in lists, which the user never configured.
var adviceDefaultsBroken = i18n.T("These are mxprobe's built-in lists; you configured none, so there is nothing to remove. A list fails its test (RFC 5782 §5: 127.0.0.2 listed, 127.0.0.1 not) when it refuses this resolver — many refuse public or shared resolvers — or has been retired. Ask through your own recursive resolver (--resolver), or name the lists to ask with --dnsbl.",
	"Das sind die eingebauten Sperrlisten von mxprobe; Sie haben keine konfiguriert, es gibt also nichts zu entfernen. Eine Liste besteht den Test (RFC 5782 §5: 127.0.0.2 gelistet, 127.0.0.1 nicht) nicht, wenn sie diesen Resolver abweist – viele weisen öffentliche oder geteilte Resolver ab – oder eingestellt wurde. Fragen Sie über Ihren eigenen rekursiven Resolver (--resolver) oder nennen Sie die zu fragenden Listen mit --dnsbl.")

func init() {
	report.Register(
		report.Def{ID: FindingClean, Severity: report.OK,
			Title:  i18n.T("Not listed on the checked block lists", "Auf den geprüften Sperrlisten nicht gelistet"),
			Advice: i18n.T("Nothing to do.", "Nichts zu tun.")},
		report.Def{ID: FindingListed, Severity: report.Fail,
			Title: i18n.T("IP address is on a block list", "IP-Adresse steht auf einer Sperrliste"),
			Advice: i18n.T("Receivers using this list reject or junk mail from the address. First find and stop the cause (compromised account or machine, open relay, a form that sends mail, bad list hygiene), then request delisting on the list's lookup page (in the evidence). Only the address's operator can do this.",
				"Empfänger, die diese Liste nutzen, lehnen E-Mail von der Adresse ab oder sortieren sie als Spam ein. Finden und beseitigen Sie zuerst die Ursache (kompromittiertes Konto oder System, offenes Relay, ein Formular, das E-Mail verschickt, schlechte Listenpflege) und beantragen Sie dann auf der Abfrageseite der Liste (in den Belegen) die Austragung. Das kann nur der Betreiber der Adresse.")},
		report.Def{ID: FindingUnknown, Severity: report.Warn,
			Title: i18n.T("Block list could not be asked", "Sperrliste konnte nicht abgefragt werden"),
			Advice: i18n.T("The list refused the query or did not answer (timeout, SERVFAIL); whether the address is listed is unknown. Try again, or with your own recursive resolver (--resolver): many lists refuse queries from public resolvers.",
				"Die Liste hat die Anfrage abgewiesen oder nicht beantwortet (Zeitüberschreitung, SERVFAIL); ob die Adresse gelistet ist, ist unbekannt. Versuchen Sie es erneut oder mit einem eigenen rekursiven Resolver (--resolver): Viele Listen beantworten keine Anfragen öffentlicher Resolver.")},
		report.Def{ID: FindingZoneBroken, Severity: report.Warn,
			Title: i18n.T("Block list failed its health check and was ignored", "Sperrliste hat den Funktionstest nicht bestanden und wurde ignoriert"),
			Advice: i18n.T("Every list must list the test address 127.0.0.2 and must not list 127.0.0.1 (RFC 5782 §5). This one does not, so it is dead, parked or answers \"listed\" for everything; its answer for your address means nothing. Remove the zone from your configuration, and from your mail server's if it uses it.",
				"Jede Liste muss die Testadresse 127.0.0.2 führen und darf 127.0.0.1 nicht führen (RFC 5782 §5). Diese tut das nicht; sie ist also eingestellt, geparkt oder meldet alles als gelistet, ihre Antwort zu Ihrer Adresse bedeutet nichts. Entfernen Sie die Zone aus Ihrer Konfiguration – auch aus der Ihres Mailservers, falls er sie nutzt.")},
	)
}

// Findings turns a Result into findings: one per listing, refused/failed
// list and broken list, plus one dnsbl.clean when nothing is listed.
func Findings(res Result) []report.Finding {
	if res.Err != nil {
		return nil
	}
	var fs []report.Finding
	var clean []string
	var broken []ZoneResult
	for _, z := range res.Zones {
		switch z.Status {
		case StatusListed:
			m := meanings(z.Listings)
			d := i18n.Text{
				EN: fmt.Sprintf("%s is listed on %s: %s.", res.IP, z.Zone.Label, m.EN),
				DE: fmt.Sprintf("%s steht auf %s: %s.", res.IP, z.Zone.Label, m.DE),
			}
			ev := []string{fmt.Sprintf("%s A %s", z.Query, joinIPs(z.Answers))}
			if z.Reason != "" {
				ev = append(ev, fmt.Sprintf("%s TXT %q", z.Query, z.Reason))
			}
			if z.Zone.Lookup != "" {
				ev = append(ev, "lookup/delist: "+z.Zone.Lookup)
			}
			if z.Error != "" {
				ev = append(ev, "note: "+z.Error)
			}
			f := report.New(FindingListed, d, ev...)
			if policyOnly(z.Listings) {
				f = f.WithAdvice(advicePBL)
			}
			fs = append(fs, f)
		case StatusUnknown:
			ev := []string{fmt.Sprintf("%s A: %s", z.Query, answerText(z))}
			if z.Error != "" {
				ev = append(ev, "error: "+z.Error)
			}
			d := report.Detailf("%s could not be asked about %s.", "%s konnte zu %s nicht abgefragt werden.", z.Zone.Label, res.IP)
			if z.Refusal != nil {
				d = i18n.Text{
					EN: fmt.Sprintf("%s refused the query for %s: %s.", z.Zone.Label, res.IP, z.Refusal.Meaning.EN),
					DE: fmt.Sprintf("%s hat die Anfrage zu %s abgewiesen: %s.", z.Zone.Label, res.IP, z.Refusal.Meaning.DE),
				}
			}
			f := report.New(FindingUnknown, d, ev...)
			if z.Refusal != nil && (z.Refusal.Name == "public-resolver" || z.Refusal.Name == "rate-limit") {
				f = f.WithAdvice(advicePublicResolver)
			}
			fs = append(fs, f)
		case StatusBroken:
			broken = append(broken, z)
		case StatusNotListed:
			clean = append(clean, z.Zone.Label)
		}
	}
	if len(broken) > 0 {
		fs = append(fs, brokenFinding(broken, res.Defaults))
	}
	if res.Status == StatusSkipped {
		d := report.Detailf("None of the %d block lists answers for IPv6 addresses; %s was not looked up.",
			"Keine der %d Sperrlisten beantwortet Anfragen zu IPv6-Adressen; %s wurde nicht nachgeschlagen.", len(res.Zones), res.IP)
		if len(res.Zones) == 1 {
			d = report.Detailf("The block list does not answer for IPv6 addresses; %s was not looked up.",
				"Die Sperrliste beantwortet keine Anfragen zu IPv6-Adressen; %s wurde nicht nachgeschlagen.", res.IP)
		}
		fs = append(fs, report.New(FindingUnknown, d).WithSeverity(report.Info))
	}
	if res.Status == StatusClean || (res.Status == StatusUnknown && len(clean) > 0) {
		fs = append(fs, report.New(FindingClean,
			report.Detailf("%s is not listed on %s.", "%s steht nicht auf %s.", res.IP, strings.Join(clean, ", ")),
			"zones: "+strings.Join(clean, ", ")))
	}
	return fs
}

// brokenFinding groups the lists that failed their health check into one
// finding; for the built-in lists the advice says that there is nothing to
// remove (the user configured none).
func brokenFinding(zs []ZoneResult, defaults bool) report.Finding {
	var names, ev []string
	for _, z := range zs {
		names = append(names, fmt.Sprintf("%s (%s)", z.Zone.Label, z.Zone.Name))
		e := fmt.Sprintf("%s A: %s", z.Query, answerText(z))
		if z.Error != "" {
			e += " — " + z.Error
		}
		ev = append(ev, e)
	}
	d := report.Detailf("%d block lists failed the health check; their answers were ignored: %s.",
		"%d Sperrlisten haben den Funktionstest nicht bestanden; ihre Antworten wurden ignoriert: %s.", len(zs), strings.Join(names, ", "))
	if len(zs) == 1 {
		d = report.Detailf("%s failed the health check; its answer was ignored.",
			"%s hat den Funktionstest nicht bestanden; ihre Antwort wurde ignoriert.", names[0])
	}
	f := report.New(FindingZoneBroken, d, ev...)
	if defaults {
		f = f.WithAdvice(adviceDefaultsBroken)
	}
	return f
}

func policyOnly(ls []Listing) bool {
	for _, l := range ls {
		if !l.Code.Policy {
			return false
		}
	}
	return len(ls) > 0
}

func answerText(z ZoneResult) string {
	if len(z.Answers) > 0 {
		return joinIPs(z.Answers)
	}
	return string(z.DNSStatus)
}
