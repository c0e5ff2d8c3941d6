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
	// Labels are language-neutral: the decisive term after an arrow, the
	// DNS-querying terms and void lookups against the limits of RFC 7208
	// §4.6.4, the exp= text (§6.2) under the modifier's name.
	if res.Matched != "" {
		ev = append(ev, "→ "+res.Matched)
	}
	ev = append(ev, fmt.Sprintf("DNS %d/%d, void %d/%d (RFC 7208 §4.6.4)", res.Lookups, MaxLookups, res.VoidLookups, MaxVoidLookups))
	if res.Explanation != "" {
		ev = append(ev, "exp: "+res.Explanation)
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
