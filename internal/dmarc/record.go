// Package dmarc checks a domain's DMARC policy (RFC 7489, with the tags np
// from RFC 9091 and t and psd from DMARCbis, published as RFC 9989): it parses
// and validates the record, discovers it at the domain or its organizational
// domain, checks external report destinations and computes identifier
// alignment.
//
// Checks compute typed, JSON-serialisable results and never print; Findings
// turns a result into report findings.
package dmarc

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/i18n"
)

// Sentinel errors of the record parser. Parse returns errors.Join of
// *TagError values, each wrapping one of these (match with errors.Is).
var (
	ErrEmpty        = errors.New("dmarc: empty record")
	ErrTooLong      = errors.New("dmarc: record too long")
	ErrVersion      = errors.New("dmarc: record does not start with v=DMARC1")
	ErrSyntax       = errors.New("dmarc: malformed tag")
	ErrDuplicateTag = errors.New("dmarc: duplicate tag")
	ErrBadValue     = errors.New("dmarc: invalid tag value")
	ErrNoPolicy     = errors.New("dmarc: no policy")
)

// MaxRecordLen bounds the record text the parser accepts.
const MaxRecordLen = 8192

// TagError is one problem in a DMARC record: which tag, which value, what is
// wrong (in both languages). Unwrap returns one of the Err* sentinels.
type TagError struct {
	Tag   string // lower-case tag name; empty for record-level problems
	Value string // offending value (shortened)
	Err   error
	text  i18n.Text
}

func (e *TagError) Error() string {
	if e.text.EN == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + ": " + e.text.EN
}

func (e *TagError) Unwrap() error { return e.Err }

// Text is the bilingual description for reports.
func (e *TagError) Text() i18n.Text { return e.text }

func tagErr(sentinel error, tag, value, en, de string, args ...any) *TagError {
	return &TagError{Tag: tag, Value: shorten(value), Err: sentinel,
		text: i18n.Text{EN: fmt.Sprintf(en, args...), DE: fmt.Sprintf(de, args...)}}
}

// TagErrors lists the *TagError values inside an error returned by Parse (in
// record order).
func TagErrors(err error) []*TagError {
	if err == nil {
		return nil
	}
	var out []*TagError
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			out = append(out, TagErrors(e)...)
		}
		return out
	}
	var te *TagError
	if errors.As(err, &te) {
		out = append(out, te)
	}
	return out
}

// Warning is a non-fatal observation: the record works, but something is
// questionable or has no effect. Code is a stable word.
//
// JSON: {"code", "tag", "detail"}; detail is English.
type Warning struct {
	Code   string `json:"code"`
	Tag    string `json:"tag,omitempty"`
	Detail string `json:"detail,omitempty"`
	text   i18n.Text
}

// Text is the bilingual description of the warning.
func (w Warning) Text() i18n.Text { return w.text }

func warn(code, tag, en, de string, args ...any) Warning {
	t := i18n.Text{EN: fmt.Sprintf(en, args...), DE: fmt.Sprintf(de, args...)}
	return Warning{Code: code, Tag: tag, Detail: t.EN, text: t}
}

// Policy words (RFC 7489 §6.3 p=).
const (
	PolicyNone       = "none"
	PolicyQuarantine = "quarantine"
	PolicyReject     = "reject"
)

// Tag is one tag=value pair as published (name lower-cased).
type Tag struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// URI is one reporting destination from rua= or ruf= (RFC 7489 §6.2).
//
// JSON: uri (as published, without the size limit), scheme, address (the
// mailbox of a mailto: URI), domain (the mailbox's domain or the URL's host,
// lower case), max_size (the "!size" suffix, if any).
type URI struct {
	URI     string `json:"uri"`
	Scheme  string `json:"scheme"`
	Address string `json:"address,omitempty"`
	Domain  string `json:"domain,omitempty"`
	MaxSize string `json:"max_size,omitempty"`
}

// Record is a parsed DMARC record. Fields hold the values a receiver applies,
// defaults filled in (RFC 7489 §6.3).
//
// JSON fields: version (v), policy (p), policy_implicit (p absent or invalid,
// treated as none per RFC 7489 §6.6.3), subdomain_policy (sp, empty when
// absent: p applies), nonexistent_policy (np, RFC 9091; empty: sp applies),
// pct (default 100), rua, ruf, adkim and aspf ("r" or "s", default "r"),
// failure_options (fo, default ["0"]), report_formats (rf, default ["afrf"]),
// report_interval (ri, seconds, default 86400), testing (t=y, RFC 9989), psd
// (psd, "y", "n" or "u", default "u"), tags (every tag as published, in
// order), warnings.
type Record struct {
	Version           string    `json:"version"`
	Policy            string    `json:"policy"`
	PolicyImplicit    bool      `json:"policy_implicit,omitempty"`
	SubdomainPolicy   string    `json:"subdomain_policy,omitempty"`
	NonExistentPolicy string    `json:"nonexistent_policy,omitempty"`
	Percent           int       `json:"pct"`
	RUA               []URI     `json:"rua,omitempty"`
	RUF               []URI     `json:"ruf,omitempty"`
	ADKIM             string    `json:"adkim"`
	ASPF              string    `json:"aspf"`
	FailureOptions    []string  `json:"failure_options"`
	ReportFormats     []string  `json:"report_formats"`
	ReportInterval    uint32    `json:"report_interval"`
	Testing           bool      `json:"testing"`
	PSD               string    `json:"psd"`
	Tags              []Tag     `json:"tags"`
	Warnings          []Warning `json:"warnings,omitempty"`
}

// SubdomainPolicyOrDefault is the policy for subdomains: sp, else p.
func (r *Record) SubdomainPolicyOrDefault() string {
	if r.SubdomainPolicy != "" {
		return r.SubdomainPolicy
	}
	return r.Policy
}

// NonExistentPolicyOrDefault is the policy for non-existent subdomains
// (RFC 9091 §4.1): np, else sp, else p.
func (r *Record) NonExistentPolicyOrDefault() string {
	if r.NonExistentPolicy != "" {
		return r.NonExistentPolicy
	}
	return r.SubdomainPolicyOrDefault()
}

// Looks reports whether a TXT record claims to be a DMARC record: it starts
// with "v=DMARC1" (case-insensitively, whitespace around "=" allowed). RFC
// 7489 §6.6.3 discards TXT records at _dmarc names that do not; the
// case-insensitive match lets Parse explain a wrongly-cased version.
func Looks(txt string) bool {
	t := strings.TrimLeft(txt, " \t")
	name, rest, ok := strings.Cut(t, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(name), "v") {
		return false
	}
	rest = strings.TrimLeft(rest, " \t")
	if len(rest) < 6 || !strings.EqualFold(rest[:6], "DMARC1") {
		return false
	}
	// "v=DMARC10" is another version, not DMARC1.
	rest = strings.TrimLeft(rest[6:], " \t\\")
	return rest == "" || rest[0] == ';'
}

// Parse parses and validates a DMARC record.
//
// The returned record is non-nil whenever receivers would still apply it:
// invalid optional tags are ignored in favour of their defaults (RFC 7489
// §6.3), and a missing or invalid p/sp/np with a valid rua is treated as
// p=none (RFC 7489 §6.6.3). The error is nil for a clean record; otherwise it
// joins one *TagError per problem (see TagErrors). A nil record means the
// record is unusable: empty, no v=DMARC1 first, or no policy and no report
// address.
func Parse(txt string) (*Record, error) {
	if len(txt) > MaxRecordLen {
		return nil, tagErr(ErrTooLong, "", "", "%d bytes (at most %d accepted)", "%d Bytes (höchstens %d zulässig)", len(txt), MaxRecordLen)
	}
	if strings.TrimSpace(txt) == "" {
		return nil, tagErr(ErrEmpty, "", "", "", "")
	}
	p := parser{rec: &Record{Percent: 100, ADKIM: "r", ASPF: "r", FailureOptions: []string{"0"},
		ReportFormats: []string{"afrf"}, ReportInterval: 86400, PSD: "u"}}
	return p.parse(txt)
}

type parser struct {
	rec  *Record
	errs []error
	// invalidPolicy is set when p, sp or np has an invalid value.
	invalidPolicy bool
	havePolicy    bool
}

func (p *parser) fail(e *TagError) { p.errs = append(p.errs, e) }

func (p *parser) warn(w Warning) { p.rec.Warnings = append(p.rec.Warnings, w) }

func (p *parser) parse(txt string) (*Record, error) {
	parts := strings.Split(txt, ";")
	empty, backslash := false, false
	seen := map[string]bool{}
	for i, part := range parts {
		// "v=DMARC1\; p=reject" is a zone-file escape pasted into a DNS web
		// form: the backslash ends up in the record and breaks the tag.
		if strings.HasSuffix(strings.TrimRight(part, " \t"), `\`) && i < len(parts)-1 {
			backslash = true
			part = strings.TrimSuffix(strings.TrimRight(part, " \t"), `\`)
		}
		spec := strings.Trim(part, " \t\r\n")
		if i == 0 {
			if err := p.version(spec); err != nil {
				return nil, err
			}
			seen["v"] = true
			continue
		}
		if spec == "" {
			if i < len(parts)-1 {
				empty = true
			}
			continue
		}
		name, value, ok := strings.Cut(spec, "=")
		if !ok {
			p.fail(tagErr(ErrSyntax, "", spec, "%q is not of the form tag=value and is ignored", "%q hat nicht die Form Tag=Wert und wird ignoriert", shorten(spec)))
			continue
		}
		name = strings.ToLower(strings.TrimSpace(name))
		value = strings.TrimSpace(value)
		if !validTagName(name) {
			p.fail(tagErr(ErrSyntax, "", spec, "%q is not a valid tag name; the tag is ignored", "%q ist kein gültiger Tag-Name; das Tag wird ignoriert", shorten(name)))
			continue
		}
		p.rec.Tags = append(p.rec.Tags, Tag{Name: name, Value: value})
		if seen[name] {
			if name == "v" {
				p.fail(tagErr(ErrDuplicateTag, name, value, "v= appears again later in the record", "v= kommt später im Eintrag noch einmal vor"))
			} else {
				p.fail(tagErr(ErrDuplicateTag, name, value, "%s= appears more than once; only the first is used", "%s= kommt mehrfach vor; nur das erste gilt", name))
			}
			continue
		}
		seen[name] = true
		p.tag(name, value)
	}
	if backslash {
		p.fail(tagErr(ErrSyntax, "", `\;`, `the record contains "\;": the backslash of a zone-file escape was published; lenient receivers strip it, strict ones reject the record`,
			`der Eintrag enthält "\;": der Backslash eines Zonendatei-Escapes wurde mitveröffentlicht; tolerante Empfänger entfernen ihn, strenge verwerfen den Eintrag`))
	}
	if empty {
		p.warn(warn("empty_tag", "", `the record contains an empty tag (";;"), which is ignored`, `der Eintrag enthält ein leeres Tag (";;"), das ignoriert wird`))
	}
	return p.finish()
}

// version checks the first tag. RFC 7489 §6.3 v=: "It MUST have the value of
// "DMARC1"… if it does not or it is absent, the entire retrieved record MUST
// be ignored. It MUST be the first tag in the list." The ABNF (§6.4) writes
// the value as %x44 %x4d %x41 %x52 %x43 %x31, i.e. case-sensitive.
func (p *parser) version(spec string) error {
	name, value, ok := strings.Cut(spec, "=")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || !strings.EqualFold(name, "v") {
		return tagErr(ErrVersion, "v", spec, "the record must start with v=DMARC1, it starts with %q", "der Eintrag muss mit v=DMARC1 beginnen, er beginnt mit %q", shorten(spec))
	}
	switch {
	case value == "DMARC1":
	case strings.EqualFold(value, "DMARC1"):
		p.fail(tagErr(ErrVersion, "v", value, "v=%s must be written exactly \"DMARC1\"; some receivers ignore the record", "v=%s muss genau \"DMARC1\" lauten; manche Empfänger ignorieren den Eintrag", value))
	default:
		return tagErr(ErrVersion, "v", value, "v=%s (only \"DMARC1\" is defined)", "v=%s (nur \"DMARC1\" ist definiert)", shorten(value))
	}
	p.rec.Version = "DMARC1"
	p.rec.Tags = append(p.rec.Tags, Tag{Name: "v", Value: value})
	return nil
}

func (p *parser) tag(name, value string) {
	r := p.rec
	switch name {
	case "p", "sp", "np":
		// RFC 7489 §6.3 p=/sp=, RFC 9091 §4.1 np=: none, quarantine or reject
		// (ABNF string literals are case-insensitive, RFC 5234 §2.3).
		pol, ok := policyWord(value)
		if !ok {
			p.invalidPolicy = true
			p.fail(tagErr(ErrBadValue, name, value, "%s=%s is not a policy (none, quarantine, reject)", "%s=%s ist keine Richtlinie (none, quarantine, reject)", name, shorten(value)))
			return
		}
		switch name {
		case "p":
			r.Policy, p.havePolicy = pol, true
		case "sp":
			r.SubdomainPolicy = pol
		case "np":
			r.NonExistentPolicy = pol
		}
	case "adkim", "aspf":
		// RFC 7489 §6.3: "r" (relaxed, default) or "s" (strict).
		switch v := strings.ToLower(value); v {
		case "r", "s":
			if name == "adkim" {
				r.ADKIM = v
			} else {
				r.ASPF = v
			}
		default:
			p.fail(tagErr(ErrBadValue, name, value, "%s=%s must be r or s; the default r applies", "%s=%s muss r oder s sein; es gilt der Standardwert r", name, shorten(value)))
		}
	case "pct":
		// RFC 7489 §6.3 pct: integer 0–100 (ABNF 1*3DIGIT). RFC 9989 drops
		// pct in favour of t=.
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 || n > 100 || len(value) > 3 || strings.ContainsAny(value, "+-") {
			p.fail(tagErr(ErrBadValue, name, value, "pct=%s must be a whole number from 0 to 100; the default 100 applies", "pct=%s muss eine ganze Zahl von 0 bis 100 sein; es gilt der Standardwert 100", shorten(value)))
			return
		}
		r.Percent = n
		if n < 100 {
			p.warn(warn("pct_partial", name, "pct=%d: the policy is applied to only %d%% of failing mail (pct is historic in RFC 9989; t=y is its replacement)",
				"pct=%d: die Richtlinie gilt nur für %d %% der durchfallenden Mails (pct ist in RFC 9989 abgeschafft; Ersatz ist t=y)", n, n))
		}
	case "rua", "ruf":
		uris := p.uriList(name, value)
		if name == "rua" {
			r.RUA = uris
		} else {
			r.RUF = uris
		}
	case "fo":
		// RFC 7489 §6.3 fo: colon-separated list of 0, 1, d, s.
		var fos []string
		for _, o := range strings.Split(value, ":") {
			o = strings.ToLower(strings.TrimSpace(o))
			switch o {
			case "0", "1", "d", "s":
				fos = append(fos, o)
			default:
				p.fail(tagErr(ErrBadValue, name, value, "fo=%s: %q is not a failure reporting option (0, 1, d, s)", "fo=%s: %q ist keine Fehlerbericht-Option (0, 1, d, s)", shorten(value), shorten(o)))
				return
			}
		}
		r.FailureOptions = fos
	case "rf":
		// RFC 7489 §6.3 rf: report formats from the IANA registry (§11.3),
		// which holds only "afrf". "iodef" appeared in drafts.
		var rfs []string
		for _, f := range strings.Split(value, ":") {
			f = strings.ToLower(strings.TrimSpace(f))
			switch f {
			case "afrf":
				rfs = append(rfs, f)
			case "iodef":
				p.warn(warn("rf_iodef", name, "rf=iodef is not a registered report format; receivers ignore it", "rf=iodef ist kein registriertes Berichtsformat; Empfänger ignorieren es"))
			default:
				p.fail(tagErr(ErrBadValue, name, value, "rf=%s: %q is not a report format (afrf)", "rf=%s: %q ist kein Berichtsformat (afrf)", shorten(value), shorten(f)))
				return
			}
		}
		if len(rfs) > 0 {
			r.ReportFormats = rfs
		}
	case "ri":
		// RFC 7489 §6.3 ri: 32-bit unsigned integer (seconds).
		n, err := strconv.ParseUint(value, 10, 32)
		if err != nil || strings.HasPrefix(value, "+") {
			p.fail(tagErr(ErrBadValue, name, value, "ri=%s must be a number of seconds (0 to 4294967295); the default 86400 applies", "ri=%s muss eine Sekundenzahl sein (0 bis 4294967295); es gilt der Standardwert 86400", shorten(value)))
			return
		}
		r.ReportInterval = uint32(n)
	case "t":
		// RFC 9989 t=: "y" (testing: policy not to be enforced) or "n".
		switch strings.ToLower(value) {
		case "y":
			r.Testing = true
		case "n":
		default:
			p.fail(tagErr(ErrBadValue, name, value, "t=%s must be y or n", "t=%s muss y oder n sein", shorten(value)))
		}
	case "psd":
		// RFC 9989 psd=: "y" (public suffix domain), "n" (organizational
		// domain) or "u" (unknown, default).
		switch v := strings.ToLower(value); v {
		case "y", "n", "u":
			r.PSD = v
		default:
			p.fail(tagErr(ErrBadValue, name, value, "psd=%s must be y, n or u", "psd=%s muss y, n oder u sein", shorten(value)))
		}
	default:
		// RFC 7489 §6.3: unknown tags MUST be ignored.
		p.warn(warn("unknown_tag", name, "unknown tag %s= is ignored", "unbekanntes Tag %s= wird ignoriert", shorten(name)))
	}
}

func policyWord(v string) (string, bool) {
	switch lv := strings.ToLower(v); lv {
	case PolicyNone, PolicyQuarantine, PolicyReject:
		return lv, true
	}
	return "", false
}

// uriList parses rua=/ruf= (RFC 7489 §6.4: dmarc-uri *(*WSP "," *WSP
// dmarc-uri), dmarc-uri = URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ]).
// Invalid entries are reported and dropped; the rest are kept.
func (p *parser) uriList(tag, value string) []URI {
	if value == "" {
		p.fail(tagErr(ErrBadValue, tag, value, "%s= is empty", "%s= ist leer", tag))
		return nil
	}
	var out []URI
	for _, raw := range strings.Split(value, ",") {
		raw = strings.TrimSpace(raw)
		u, err := parseURI(raw)
		if err != nil {
			err.Tag = tag
			p.fail(err)
			continue
		}
		if u.Scheme != "mailto" {
			// RFC 7489 §6.2 allows any URI but only requires mailto; RFC 9989
			// restricts destinations to mailto. Nobody sends to http(s).
			p.warn(warn("non_mailto_uri", tag, "%s=%s: receivers send reports only to mailto: addresses", "%s=%s: Empfänger senden Berichte nur an mailto:-Adressen", tag, shorten(raw)))
		}
		out = append(out, u)
	}
	return out
}

func parseURI(raw string) (URI, *TagError) {
	u := URI{URI: raw}
	// The size limit suffix: the last "!" followed by digits and an optional unit.
	if i := strings.LastIndexByte(raw, '!'); i >= 0 {
		size := raw[i+1:]
		digits := strings.TrimRight(size, "kmgtKMGT")
		if len(size)-len(digits) > 1 || digits == "" || strings.Trim(digits, "0123456789") != "" {
			return u, tagErr(ErrBadValue, "", raw, "%q has an invalid size limit (!number with optional k, m, g or t)", "%q hat eine ungültige Größenbegrenzung (!Zahl mit optional k, m, g oder t)", shorten(raw))
		}
		u.MaxSize = strings.ToLower(size)
		raw = raw[:i]
		u.URI = raw
	}
	scheme, rest, ok := strings.Cut(raw, ":")
	if !ok || scheme == "" || !validScheme(scheme) {
		return u, tagErr(ErrBadValue, "", raw, "%q is not a URI (expected mailto:address)", "%q ist keine URI (erwartet: mailto:Adresse)", shorten(raw))
	}
	u.Scheme = strings.ToLower(scheme)
	switch u.Scheme {
	case "mailto":
		addr, _, _ := strings.Cut(rest, "?") // RFC 6068 hfields are irrelevant here
		if dec, err := url.PathUnescape(addr); err == nil {
			addr = dec
		}
		at := strings.LastIndexByte(addr, '@')
		if at <= 0 || strings.ContainsAny(addr, " \t<>\",;&") || strings.Count(addr, "@") != 1 {
			return u, tagErr(ErrBadValue, "", raw, "%q is not a mailto: URI with one mail address", "%q ist keine mailto:-URI mit genau einer Mailadresse", shorten(raw))
		}
		dom := strings.TrimSuffix(strings.ToLower(addr[at+1:]), ".")
		if !validHostname(dom) {
			return u, tagErr(ErrBadValue, "", raw, "%q: %q is not a valid domain", "%q: %q ist keine gültige Domain", shorten(raw), shorten(dom))
		}
		u.Address, u.Domain = addr, dom
	case "http", "https":
		pu, err := url.Parse(raw)
		if err != nil || pu.Hostname() == "" {
			return u, tagErr(ErrBadValue, "", raw, "%q is not a valid URL", "%q ist keine gültige URL", shorten(raw))
		}
		u.Domain = strings.TrimSuffix(strings.ToLower(pu.Hostname()), ".")
	default:
		return u, tagErr(ErrBadValue, "", raw, "%q: the scheme %s: cannot receive DMARC reports (use mailto:)", "%q: das Schema %s: kann keine DMARC-Berichte empfangen (mailto: verwenden)", shorten(raw), shorten(scheme))
	}
	return u, nil
}

// validScheme: RFC 3986 §3.1 scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
func validScheme(s string) bool {
	for i, r := range s {
		isAlpha := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if i == 0 && !isAlpha {
			return false
		}
		if !isAlpha && !(r >= '0' && r <= '9') && r != '+' && r != '-' && r != '.' {
			return false
		}
	}
	return true
}

// validHostname checks LDH labels (RFC 1123 §2.1), 1–63 octets each, at most
// 253 in total, at least two labels.
func validHostname(s string) bool {
	if s == "" || len(s) > 253 || !strings.Contains(s, ".") {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

// validTagName: a letter followed by letters, digits or "_" (the shape of
// every registered DMARC tag, RFC 7489 §6.4).
func validTagName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		isAlpha := r >= 'a' && r <= 'z'
		if i == 0 && !isAlpha {
			return false
		}
		if !isAlpha && !(r >= '0' && r <= '9') && r != '_' {
			return false
		}
	}
	return true
}

func (p *parser) finish() (*Record, error) {
	r := p.rec
	hasRUA := len(r.RUA) > 0
	switch {
	case p.invalidPolicy:
		// RFC 7489 §6.6.3: a record without a valid p (or with an invalid sp)
		// is treated as p=none when rua holds a valid URI; otherwise DMARC is
		// not applied at all.
		if !hasRUA {
			return nil, errors.Join(append(p.errs, tagErr(ErrNoPolicy, "p", "", "with an invalid policy and no valid rua= the record is ignored",
				"mit ungültiger Richtlinie und ohne gültiges rua= wird der Eintrag ignoriert"))...)
		}
		r.Policy, r.SubdomainPolicy, r.NonExistentPolicy, r.PolicyImplicit = PolicyNone, "", "", true
	case !p.havePolicy:
		// RFC 7489 §6.3 makes p required; §6.6.3 applies p=none when rua is
		// valid, and RFC 9989 defines a missing p as none. A PSD record
		// (psd=y) may omit p too.
		if !hasRUA && r.PSD != "y" {
			return nil, errors.Join(append(p.errs, tagErr(ErrNoPolicy, "p", "", "the record has no p= and no valid rua=, so it has no effect",
				"der Eintrag hat weder p= noch ein gültiges rua= und bleibt daher wirkungslos"))...)
		}
		r.Policy, r.PolicyImplicit = PolicyNone, true
		p.warn(warn("p_missing", "p", "p= is missing: receivers apply p=none", "p= fehlt: Empfänger wenden p=none an"))
	}
	if len(p.errs) == 0 {
		return r, nil
	}
	return r, errors.Join(p.errs...)
}

// shorten cuts s to at most 60 runes for messages.
func shorten(s string) string {
	const max = 60
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}
