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
				ev = append(ev, z.Zone.Lookup) // the zone's lookup and delisting page
			}
			if z.Error != "" {
				ev = append(ev, z.Error)
			}
			f := report.New(FindingListed, d, ev...)
			if policyOnly(z.Listings) {
				f = f.WithAdvice(advicePBL)
			}
			fs = append(fs, f)
		case StatusUnknown:
			ev := []string{fmt.Sprintf("%s A: %s", z.Query, answerText(z))}
			if z.Error != "" {
				ev = append(ev, z.Error)
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
			strings.Join(clean, ", ")))
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
