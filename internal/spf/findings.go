package spf

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
)

// Finding ids of the SPF check (a public contract). Every Result gives
// exactly one spf.<result> finding, plus findings for specific causes.
const (
	IDPass            = "spf.pass"
	IDFail            = "spf.fail"
	IDSoftfail        = "spf.softfail"
	IDNeutral         = "spf.neutral"
	IDNone            = "spf.none"
	IDPermerror       = "spf.permerror"
	IDTemperror       = "spf.temperror"
	IDLookupLimit     = "spf.lookup_limit"
	IDVoidLimit       = "spf.void_limit"
	IDMXLimit         = "spf.mx_limit"
	IDMultipleRecords = "spf.multiple_records"
	IDSyntaxError     = "spf.syntax_error"
	IDLoop            = "spf.include_loop"
	IDIncludeNone     = "spf.include_none"
	IDRedirectNone    = "spf.redirect_none"
	IDPTRUsed         = "spf.ptr_used"
)

func init() {
	report.Register(
		report.Def{ID: IDPass, Severity: report.OK,
			Title: i18n.T("SPF: the IP address is authorised (pass)",
				"SPF: Die IP-Adresse ist autorisiert (pass)"),
			Advice: i18n.T("Nothing to do.", "Nichts zu tun.")},
		report.Def{ID: IDFail, Severity: report.Fail,
			Title: i18n.T("SPF: the domain does not authorise this IP address (fail)",
				"SPF: Die Domain autorisiert diese IP-Adresse nicht (fail)"),
			Advice: i18n.T("If this server may send for the domain, the domain owner must add it to the SPF record (e.g. an ip4:/ip6: term or the provider's include:). Otherwise receivers will reject or junk the mail.",
				"Wenn dieser Server für die Domain senden darf, muss der Inhaber der Domain ihn in den SPF-Eintrag aufnehmen (z. B. mit ip4:/ip6: oder dem include: des Anbieters). Sonst weisen Empfänger die Mails ab oder stufen sie als Spam ein.")},
		report.Def{ID: IDSoftfail, Severity: report.Warn,
			Title: i18n.T("SPF: the IP address is probably not authorised (softfail)",
				"SPF: Die IP-Adresse ist wahrscheinlich nicht autorisiert (softfail)"),
			Advice: i18n.T("Receivers usually accept such mail but mark it as suspicious. If this server sends for the domain, add it to the SPF record.",
				"Empfänger nehmen solche Mails meist an, markieren sie aber als verdächtig. Wenn dieser Server für die Domain sendet, nehmen Sie ihn in den SPF-Eintrag auf.")},
		report.Def{ID: IDNeutral, Severity: report.Warn,
			Title: i18n.T("SPF: the domain makes no statement about this IP address (neutral)",
				"SPF: Die Domain trifft keine Aussage über diese IP-Adresse (neutral)"),
			Advice: i18n.T("A neutral result gives no protection and no benefit. List all sending servers and end the record with ~all or -all.",
				"Ein neutrales Ergebnis bietet weder Schutz noch Vorteil. Führen Sie alle sendenden Server auf und beenden Sie den Eintrag mit ~all oder -all.")},
		report.Def{ID: IDNone, Severity: report.Warn,
			Title: i18n.T("SPF: the domain publishes no SPF record (none)",
				"SPF: Die Domain veröffentlicht keinen SPF-Eintrag (none)"),
			Advice: i18n.T(`Publish one TXT record starting with "v=spf1" that lists the servers sending for the domain; large providers (Gmail, Microsoft, Yahoo) expect SPF or DKIM, bulk senders both.`,
				`Veröffentlichen Sie einen TXT-Eintrag, der mit „v=spf1“ beginnt und die sendenden Server der Domain aufführt; große Anbieter (Gmail, Microsoft, Yahoo) erwarten SPF oder DKIM, Massenversender beides.`)},
		report.Def{ID: IDPermerror, Severity: report.Fail,
			Title: i18n.T("SPF: the record is broken (permerror)",
				"SPF: Der Eintrag ist fehlerhaft (permerror)"),
			Advice: i18n.T("Receivers treat a permerror like a missing or failing SPF record. The domain owner must fix the record; the detail names the problem.",
				"Empfänger behandeln einen permerror wie einen fehlenden oder fehlschlagenden SPF-Eintrag. Der Inhaber der Domain muss den Eintrag korrigieren; die Details nennen das Problem.")},
		report.Def{ID: IDTemperror, Severity: report.Warn,
			Title: i18n.T("SPF: the check could not be completed (temperror)",
				"SPF: Die Prüfung konnte nicht abgeschlossen werden (temperror)"),
			Advice: i18n.T("A DNS lookup failed or timed out; this says nothing about the record. Try again later or with another resolver (--resolver). If it persists, the domain's name servers need attention.",
				"Eine DNS-Abfrage ist fehlgeschlagen oder hat zu lange gedauert; das sagt nichts über den Eintrag aus. Versuchen Sie es später oder mit einem anderen Resolver (--resolver) erneut. Bleibt der Fehler, müssen die Nameserver der Domain geprüft werden.")},
		report.Def{ID: IDLookupLimit, Severity: report.Fail,
			Title: i18n.T("SPF: more than 10 DNS lookups",
				"SPF: Mehr als 10 DNS-Abfragen"),
			Advice: i18n.T("RFC 7208 §4.6.4 allows at most 10 terms that query DNS (include, a, mx, ptr, exists, redirect), counting nested includes. Replace a and mx by ip4:/ip6:, drop includes of services no longer used, or ask providers for a flatter include.",
				"RFC 7208 §4.6.4 erlaubt höchstens 10 Terme mit DNS-Abfragen (include, a, mx, ptr, exists, redirect), verschachtelte includes mitgezählt. Ersetzen Sie a und mx durch ip4:/ip6:, entfernen Sie includes nicht mehr genutzter Dienste oder bitten Sie Anbieter um ein flacheres include.")},
		report.Def{ID: IDVoidLimit, Severity: report.Fail,
			Title: i18n.T("SPF: more than 2 lookups without an answer",
				"SPF: Mehr als 2 Abfragen ohne Antwort"),
			Advice: i18n.T("RFC 7208 §4.6.4: terms whose names do not exist or have no records count as void lookups; more than two are a permerror. Remove terms that point to names that no longer exist.",
				"RFC 7208 §4.6.4: Terme, deren Namen nicht existieren oder keine Einträge haben, zählen als ergebnislose Abfragen; mehr als zwei ergeben einen permerror. Entfernen Sie Terme, die auf nicht mehr existierende Namen zeigen.")},
		report.Def{ID: IDMXLimit, Severity: report.Fail,
			Title: i18n.T("SPF: an mx term finds more than 10 MX records",
				"SPF: Ein mx-Term findet mehr als 10 MX-Einträge"),
			Advice: i18n.T("RFC 7208 §4.6.4 limits an mx term to 10 MX host names. List the addresses with ip4:/ip6: instead.",
				"RFC 7208 §4.6.4 begrenzt einen mx-Term auf 10 MX-Hostnamen. Führen Sie die Adressen stattdessen mit ip4:/ip6: auf.")},
		report.Def{ID: IDMultipleRecords, Severity: report.Fail,
			Title: i18n.T("SPF: more than one SPF record",
				"SPF: Mehr als ein SPF-Eintrag"),
			Advice: i18n.T(`A domain must publish exactly one TXT record starting with "v=spf1" (RFC 7208 §4.5). Merge the records into one.`,
				`Eine Domain darf nur genau einen TXT-Eintrag veröffentlichen, der mit „v=spf1“ beginnt (RFC 7208 §4.5). Führen Sie die Einträge zu einem zusammen.`)},
		report.Def{ID: IDSyntaxError, Severity: report.Fail,
			Title: i18n.T("SPF: syntax error in the record",
				"SPF: Syntaxfehler im Eintrag"),
			Advice: i18n.T("Correct the named term; a single invalid term makes the whole record unusable (RFC 7208 §4.6).",
				"Korrigieren Sie den genannten Term; ein einziger ungültiger Term macht den ganzen Eintrag unbrauchbar (RFC 7208 §4.6).")},
		report.Def{ID: IDLoop, Severity: report.Fail,
			Title: i18n.T("SPF: include or redirect loop",
				"SPF: Schleife aus include oder redirect"),
			Advice: i18n.T("An include: or redirect= leads back to a record already being evaluated. Remove the term that closes the loop.",
				"Ein include: oder redirect= führt zurück zu einem Eintrag, der bereits ausgewertet wird. Entfernen Sie den Term, der die Schleife schließt.")},
		report.Def{ID: IDIncludeNone, Severity: report.Fail,
			Title: i18n.T("SPF: an included domain has no SPF record",
				"SPF: Eine eingebundene Domain hat keinen SPF-Eintrag"),
			Advice: i18n.T("include: of a domain without SPF record is a permerror (RFC 7208 §5.2). Check the provider's current include name, or remove the term.",
				"include: einer Domain ohne SPF-Eintrag ist ein permerror (RFC 7208 §5.2). Prüfen Sie den aktuellen include-Namen des Anbieters oder entfernen Sie den Term.")},
		report.Def{ID: IDRedirectNone, Severity: report.Fail,
			Title: i18n.T("SPF: the redirect target has no SPF record",
				"SPF: Das Ziel von redirect hat keinen SPF-Eintrag"),
			Advice: i18n.T("redirect= to a domain without SPF record is a permerror (RFC 7208 §6.1). Point it to a domain that publishes a record.",
				"redirect= auf eine Domain ohne SPF-Eintrag ist ein permerror (RFC 7208 §6.1). Lassen Sie es auf eine Domain mit SPF-Eintrag zeigen.")},
		report.Def{ID: IDPTRUsed, Severity: report.Warn,
			Title: i18n.T("SPF: the record uses the ptr mechanism",
				"SPF: Der Eintrag verwendet den ptr-Mechanismus"),
			Advice: i18n.T("RFC 7208 §5.5 says ptr SHOULD NOT be used: it is slow, unreliable and some receivers ignore it. Use ip4:/ip6: or a: instead.",
				"Laut RFC 7208 §5.5 SOLLTE ptr nicht verwendet werden: Er ist langsam, unzuverlässig, und manche Empfänger ignorieren ihn. Verwenden Sie stattdessen ip4:/ip6: oder a:.")},
	)
}

// resultIDs maps a result word to its finding id.
var resultIDs = map[Status]string{
	Pass: IDPass, Fail: IDFail, Softfail: IDSoftfail, Neutral: IDNeutral,
	None: IDNone, Permerror: IDPermerror, Temperror: IDTemperror,
}

// Findings turns a result into findings: always one spf.<result>, then one
// per specific cause (limits, syntax, loops, missing targets) and
// observations of the evaluated records (ptr). Details are in English and
// German and name the matched term, the path through includes and
// redirects, and the lookup count; the evidence holds the record.
func Findings(res Result) []report.Finding {
	ev := evidence(res)
	var out []report.Finding

	id, ok := resultIDs[res.Status]
	if !ok {
		id = IDPermerror
	}
	cause := Describe(res.Err)
	where := ""
	if p := errorPath(res.Tree); p != "" && !errors.Is(res.Err, ErrLoop) { // a loop's text shows its chain
		where = " (" + p + ")"
	}
	var detail i18n.Text
	switch res.Status {
	case Pass, Fail, Softfail, Neutral:
		if path := matchPath(res.Tree); path != "" {
			detail = report.Detailf("SPF of %s gives %s: matched %s (%d of 10 DNS lookups used).",
				"SPF von %s ergibt %s: Treffer %s (%d von 10 DNS-Abfragen verwendet).",
				res.Domain, res.Status, path, res.Lookups)
		} else {
			detail = report.Detailf("SPF of %s gives %s: no term matched, which is neutral by default (RFC 7208 §4.7).",
				"SPF von %s ergibt %s: Kein Term hat gepasst, das ist standardmäßig neutral (RFC 7208 §4.7).",
				res.Domain, res.Status)
		}
		if res.Status == Fail && res.Explanation != "" {
			detail.EN += fmt.Sprintf(" The domain explains: %q", res.Explanation)
			detail.DE += fmt.Sprintf(" Erklärung der Domain: %q", res.Explanation)
		}
	case None:
		if errors.Is(res.Err, ErrHELONotName) {
			return []report.Finding{report.New(IDNone, report.Detailf(
				"With the null sender <> SPF is evaluated for the EHLO name, and the EHLO name %s is not a domain name: there is no SPF record to check (RFC 7208 §2.3). Set --helo to the sending host's DNS name.",
				"Beim leeren Absender <> wird SPF für den EHLO-Namen ausgewertet, und der EHLO-Name %s ist kein Domainname: Es gibt keinen SPF-Eintrag zu prüfen (RFC 7208 §2.3). Geben Sie mit --helo den DNS-Namen des sendenden Hosts an.",
				heloShown(res.Domain))).WithSeverity(report.Info)}
		}
		if errors.Is(res.Err, ErrInvalidDomain) {
			detail = i18n.Text{
				EN: fmt.Sprintf("SPF cannot be checked: %s.", cause.EN),
				DE: fmt.Sprintf("SPF kann nicht geprüft werden: %s.", cause.DE),
			}
		} else {
			detail = report.Detailf("%s has no TXT record starting with \"v=spf1\".",
				"%s hat keinen TXT-Eintrag, der mit „v=spf1“ beginnt.", res.Domain)
		}
	case Temperror:
		detail = i18n.Text{
			EN: fmt.Sprintf("SPF of %s could not be evaluated: %s%s; the result is unknown, not \"no record\".", res.Domain, cause.EN, where),
			DE: fmt.Sprintf("SPF von %s konnte nicht ausgewertet werden: %s%s; das Ergebnis ist unbekannt, nicht „kein Eintrag“.", res.Domain, cause.DE, where),
		}
	default: // permerror
		detail = i18n.Text{
			EN: fmt.Sprintf("SPF of %s is a permerror: %s%s.", res.Domain, cause.EN, where),
			DE: fmt.Sprintf("SPF von %s ergibt permerror: %s%s.", res.Domain, cause.DE, where),
		}
	}
	if res.Identity == IdentityHELO && res.Domain != "" {
		// The null sender's identity is the EHLO name (RFC 7208 §2.3): say
		// so where the domain is named.
		detail.EN = strings.Replace(detail.EN, res.Domain, "the EHLO name "+res.Domain, 1)
		if strings.HasPrefix(detail.EN, "the ") {
			detail.EN = "The " + detail.EN[4:]
		}
		detail.DE = strings.Replace(strings.Replace(detail.DE, "SPF von "+res.Domain, "SPF des EHLO-Namens "+res.Domain, 1),
			res.Domain+" hat", "Der EHLO-Name "+res.Domain+" hat", 1)
	}
	out = append(out, report.New(id, detail, ev...))

	// Specific causes, with the same bilingual description.
	causeDetail := i18n.Text{EN: cause.EN + where + ".", DE: cause.DE + where + "."}
	if errors.Is(res.Err, ErrSyntax) {
		causeDetail = i18n.Text{EN: upperFirst(causeDetail.EN), DE: upperFirst(causeDetail.DE)}
	}
	switch {
	case errors.Is(res.Err, ErrTooManyLookups):
		out = append(out, report.New(IDLookupLimit, causeDetail, ev...))
	case errors.Is(res.Err, ErrTooManyVoidLookups):
		out = append(out, report.New(IDVoidLimit, causeDetail, ev...))
	case errors.Is(res.Err, ErrTooManyMX):
		out = append(out, report.New(IDMXLimit, causeDetail, ev...))
	case errors.Is(res.Err, ErrMultipleRecords):
		out = append(out, report.New(IDMultipleRecords, causeDetail, ev...))
	case errors.Is(res.Err, ErrLoop):
		out = append(out, report.New(IDLoop, causeDetail, ev...))
	case errors.Is(res.Err, ErrSyntax):
		out = append(out, report.New(IDSyntaxError, causeDetail, ev...))
	case errors.Is(res.Err, ErrIncludeNone):
		out = append(out, report.New(IDIncludeNone, causeDetail, ev...))
	case errors.Is(res.Err, ErrRedirectNone):
		out = append(out, report.New(IDRedirectNone, causeDetail, ev...))
	}

	// Observations of the evaluated records.
	if ptr := ptrDomains(res.Tree); len(ptr) > 0 {
		out = append(out, report.New(IDPTRUsed, report.Detailf(
			"The ptr mechanism is used by: %s.", "Der ptr-Mechanismus wird verwendet von: %s.",
			strings.Join(ptr, ", ")), ev...))
	}
	return out
}

func upperFirst(s string) string {
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// errorPath describes where in the include/redirect tree an error happened,
// "example.com → include:_spf.example.net → redirect=_r.example.net", or ""
// when it happened in the top record.
func errorPath(root *Node) string {
	if root == nil {
		return ""
	}
	steps := []string{root.Domain}
	n := root
	for depth := 0; depth < 2*MaxLookups+2; depth++ {
		var next *Node
		for _, c := range n.Children {
			if c.Error != "" {
				next = c // evaluation stops at the first error: the last child
			}
		}
		if next == nil {
			break
		}
		steps = append(steps, next.Term)
		n = next
	}
	if len(steps) == 1 {
		return ""
	}
	return strings.Join(steps, " → ")
}

// evidence lists the raw facts of a result.
func evidence(res Result) []string {
	var ev []string
	if res.Record != "" {
		ev = append(ev, fmt.Sprintf("%s TXT %q", res.Domain, res.Record))
	}
	if res.Matched != "" {
		ev = append(ev, "matched: "+res.Matched)
	}
	ev = append(ev, fmt.Sprintf("lookups: %d/%d, void lookups: %d/%d", res.Lookups, MaxLookups, res.VoidLookups, MaxVoidLookups))
	if res.Explanation != "" {
		ev = append(ev, "explanation: "+res.Explanation)
	}
	return ev
}

// matchPath describes the chain of terms that decided the result, following
// redirects and matched includes: "example.com: include:_spf.example.net →
// _spf.example.net: ip4:192.0.2.0/24".
func matchPath(n *Node) string {
	var steps []string
	for depth := 0; n != nil && depth < 2*MaxLookups+2; depth++ {
		if n.Matched == "" {
			// Followed a redirect?
			var next *Node
			for _, c := range n.Children {
				if c.Via == "redirect" {
					next = c
				}
			}
			if next == nil {
				break
			}
			steps = append(steps, n.Domain+": "+next.Term)
			n = next
			continue
		}
		steps = append(steps, n.Domain+": "+n.Matched)
		var next *Node
		for _, c := range n.Children {
			if c.Via == "include" && c.Term == n.Matched {
				next = c // the last evaluation of that include is the one that matched
			}
		}
		n = next
	}
	return strings.Join(steps, " → ")
}

// ptrDomains lists the domains in the tree whose record uses ptr.
func ptrDomains(root *Node) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(n *Node, depth int)
	walk = func(n *Node, depth int) {
		if n == nil || depth > 2*MaxLookups+2 {
			return
		}
		if n.Record != "" && !seen[n.Domain] {
			if r, err := Parse(n.Record); err == nil && r.UsesPTR() {
				seen[n.Domain] = true
				out = append(out, n.Domain)
			}
		}
		for _, c := range n.Children {
			walk(c, depth+1)
		}
	}
	walk(root, 0)
	return out
}

// heloShown names an EHLO value in a text ("(empty)" for none).
func heloShown(h string) string {
	if h == "" {
		return `""`
	}
	return h
}
