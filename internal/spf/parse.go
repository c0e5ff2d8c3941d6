package spf

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/mxprobe/mxprobe/internal/i18n"
)

// Record syntax, RFC 7208 §4.5, §4.6.1 and §12 (collected ABNF):
//
//	record    = version terms *SP
//	version   = "v=spf1"
//	terms     = *( 1*SP ( directive / modifier ) )
//	directive = [ qualifier ] mechanism
//	qualifier = "+" / "-" / "?" / "~"
//	modifier  = redirect / explanation / unknown-modifier
//	unknown-modifier = name "=" macro-string
//	name      = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
//
// Parse validates the whole record before anything is evaluated: RFC 7208
// §4.6 lets an implementation do that, and the test suite requires syntax
// errors anywhere in the record to be detected (detect-errors-anywhere).

// Qualifier is a directive's qualifier (RFC 7208 §4.6.2).
type Qualifier byte

const (
	QualifierPass     Qualifier = '+'
	QualifierFail     Qualifier = '-'
	QualifierSoftfail Qualifier = '~'
	QualifierNeutral  Qualifier = '?'
)

// Status is the result a matching directive with this qualifier produces.
func (q Qualifier) Status() Status {
	switch q {
	case QualifierFail:
		return Fail
	case QualifierSoftfail:
		return Softfail
	case QualifierNeutral:
		return Neutral
	}
	return Pass
}

// Mechanism names (RFC 7208 §5).
type Mechanism string

const (
	MechAll     Mechanism = "all"
	MechInclude Mechanism = "include"
	MechA       Mechanism = "a"
	MechMX      Mechanism = "mx"
	MechPTR     Mechanism = "ptr"
	MechIP4     Mechanism = "ip4"
	MechIP6     Mechanism = "ip6"
	MechExists  Mechanism = "exists"
)

// queriesDNS reports whether the mechanism counts against the limit of 10
// DNS-querying terms (RFC 7208 §4.6.4).
func (m Mechanism) queriesDNS() bool {
	switch m {
	case MechInclude, MechA, MechMX, MechPTR, MechExists:
		return true
	}
	return false
}

// Directive is one qualified mechanism.
type Directive struct {
	Qualifier Qualifier `json:"qualifier"`
	Mechanism Mechanism `json:"mechanism"`
	// DomainSpec is the domain-spec as written ("" when the mechanism has
	// none and uses the current <domain>).
	DomainSpec string `json:"domain_spec,omitempty"`
	// Net is the network of ip4/ip6 (with the CIDR length applied).
	Net netip.Prefix `json:"net,omitzero"`
	// CIDR4 and CIDR6 are the dual-cidr-length of a and mx (defaults 32 and 128).
	CIDR4 int `json:"cidr4,omitempty"`
	CIDR6 int `json:"cidr6,omitempty"`
	// Text is the term exactly as written in the record.
	Text string `json:"text"`

	spec macroString
}

// Modifier is a name=value term other than redirect and exp.
type Modifier struct {
	Name  string `json:"name"` // lower-case
	Value string `json:"value"`
}

// Record is a parsed, syntactically valid SPF record.
type Record struct {
	Text       string      `json:"text"`
	Directives []Directive `json:"directives"`
	// Redirect and Exp are the domain-specs of the redirect= and exp=
	// modifiers ("" when absent).
	Redirect string     `json:"redirect,omitempty"`
	Exp      string     `json:"exp,omitempty"`
	Unknown  []Modifier `json:"unknown_modifiers,omitempty"`

	redirect, exp macroString
}

// HasAll reports whether the record has an "all" mechanism; RFC 7208 §6.1
// says a redirect is then ignored.
func (r *Record) HasAll() bool {
	for _, d := range r.Directives {
		if d.Mechanism == MechAll {
			return true
		}
	}
	return false
}

// UsesPTR reports whether the record uses the ptr mechanism, which RFC 7208
// §5.5 says SHOULD NOT be published.
func (r *Record) UsesPTR() bool {
	for _, d := range r.Directives {
		if d.Mechanism == MechPTR {
			return true
		}
	}
	return false
}

// IsSPF reports whether a TXT record is an SPF version 1 record: it starts
// with "v=spf1" (case-insensitive) followed by a space or the end of the
// record (RFC 7208 §4.5).
func IsSPF(txt string) bool {
	const v = "v=spf1"
	if len(txt) < len(v) || !strings.EqualFold(txt[:len(v)], v) {
		return false
	}
	return len(txt) == len(v) || txt[len(v)] == ' '
}

// Parse parses and validates a complete SPF record. A nil error means the
// whole record is syntactically valid; otherwise the error is a
// *SyntaxError explaining the first problem (a permerror for check_host).
func Parse(record string) (*Record, error) {
	if !IsSPF(record) {
		return nil, &SyntaxError{Reason: tr(`the record does not start with "v=spf1" followed by a space`, `der Eintrag beginnt nicht mit „v=spf1“ und einem Leerzeichen`)}
	}
	r := &Record{Text: record}
	seenRedirect, seenExp := false, false
	// RFC 7208 §4.6.1: terms are separated by one or more SP characters only;
	// any other whitespace or control character is part of a term and thus
	// invalid.
	for _, term := range strings.Split(record[len("v=spf1"):], " ") {
		if term == "" {
			continue
		}
		if name, value, ok := splitModifier(term); ok {
			lname := strings.ToLower(name)
			switch lname {
			case "redirect":
				// RFC 7208 §6: redirect and exp MUST NOT appear more than once.
				if seenRedirect {
					return nil, &SyntaxError{Term: term, Reason: tr(`"redirect=" appears more than once (RFC 7208 §6)`, `„redirect=“ kommt mehr als einmal vor (RFC 7208 §6)`)}
				}
				seenRedirect = true
				spec, err := parseDomainSpec(value)
				if err != nil {
					return nil, &SyntaxError{Term: term, Reason: textOf(err)}
				}
				r.Redirect, r.redirect = value, spec
			case "exp":
				if seenExp {
					return nil, &SyntaxError{Term: term, Reason: tr(`"exp=" appears more than once (RFC 7208 §6)`, `„exp=“ kommt mehr als einmal vor (RFC 7208 §6)`)}
				}
				seenExp = true
				// RFC 7208 §6.2 and erratum: an explicit empty "exp=" is a
				// permerror; only problems found later (DNS, the explanation
				// text) are ignored.
				spec, err := parseDomainSpec(value)
				if err != nil {
					return nil, &SyntaxError{Term: term, Reason: textOf(err)}
				}
				r.Exp, r.exp = value, spec
			default:
				// RFC 7208 §6: unknown modifiers are ignored, but their value
				// must still be a valid macro-string (§12: unknown-modifier).
				if _, err := parseMacroString(value, ctxDomain); err != nil {
					return nil, &SyntaxError{Term: term, Reason: textOf(err)}
				}
				r.Unknown = append(r.Unknown, Modifier{Name: lname, Value: value})
			}
			continue
		}
		d, err := parseDirective(term)
		if err != nil {
			return nil, err
		}
		r.Directives = append(r.Directives, d)
	}
	return r, nil
}

// splitModifier recognises name "=" value with
// name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ), the "=" immediately after
// the name (RFC 7208 §4.6.1).
func splitModifier(term string) (name, value string, ok bool) {
	if term == "" || !isAlpha(term[0]) {
		return "", "", false
	}
	i := 1
	for i < len(term) && (isAlpha(term[i]) || isDigit(term[i]) || term[i] == '-' || term[i] == '_' || term[i] == '.') {
		i++
	}
	if i < len(term) && term[i] == '=' {
		return term[:i], term[i+1:], true
	}
	return "", "", false
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func parseDirective(term string) (Directive, error) {
	d := Directive{Qualifier: QualifierPass, Text: term}
	rest := term
	switch rest[0] {
	case '+', '-', '~', '?':
		d.Qualifier = Qualifier(rest[0])
		rest = rest[1:]
	}
	n := strings.IndexAny(rest, ":/")
	if n < 0 {
		n = len(rest)
	}
	name, args := strings.ToLower(rest[:n]), rest[n:]
	bad := func(en, de string, a ...any) (Directive, error) {
		return Directive{}, &SyntaxError{Term: term, Reason: tr(en, de, a...)}
	}
	badErr := func(err error) (Directive, error) {
		return Directive{}, &SyntaxError{Term: term, Reason: textOf(err)}
	}
	switch Mechanism(name) {
	case MechAll:
		// RFC 7208 §5.1: all = "all", nothing after it.
		d.Mechanism = MechAll
		if args != "" {
			return bad(`"all" takes no argument`, `„all“ hat kein Argument`)
		}
	case MechInclude, MechExists:
		// RFC 7208 §5.2 and §5.7: "include" / "exists" ":" domain-spec.
		d.Mechanism = Mechanism(name)
		if !strings.HasPrefix(args, ":") {
			return bad(`%q needs ":" and a domain`, `%q braucht „:“ und eine Domain`, name)
		}
		spec, err := parseDomainSpec(args[1:])
		if err != nil {
			return badErr(err)
		}
		d.DomainSpec, d.spec = args[1:], spec
	case MechPTR:
		// RFC 7208 §5.5: ptr = "ptr" [ ":" domain-spec ] — no CIDR.
		d.Mechanism = MechPTR
		if args == "" {
			break
		}
		if args[0] != ':' {
			return bad(`"ptr" takes no CIDR length`, `„ptr“ hat keine CIDR-Länge`)
		}
		spec, err := parseDomainSpec(args[1:])
		if err != nil {
			return badErr(err)
		}
		d.DomainSpec, d.spec = args[1:], spec
	case MechA, MechMX:
		// RFC 7208 §5.3 and §5.4: "a"/"mx" [ ":" domain-spec ] [ dual-cidr-length ].
		d.Mechanism = Mechanism(name)
		spec, c4, c6, err := splitDualCIDR(args)
		if err != nil {
			return badErr(err)
		}
		d.CIDR4, d.CIDR6 = c4, c6
		if spec == "" {
			break
		}
		if spec[0] != ':' {
			return bad("invalid CIDR length %q", "ungültige CIDR-Länge %q", spec)
		}
		ds, err := parseDomainSpec(spec[1:])
		if err != nil {
			return badErr(err)
		}
		d.DomainSpec, d.spec = spec[1:], ds
	case MechIP4, MechIP6:
		// RFC 7208 §5.6: "ip4" ":" ip4-network [ ip4-cidr-length ],
		// "ip6" ":" ip6-network [ ip6-cidr-length ].
		d.Mechanism = Mechanism(name)
		if !strings.HasPrefix(args, ":") || len(args) == 1 {
			return bad(`%q needs ":" and an address`, `%q braucht „:“ und eine Adresse`, name)
		}
		addr, length, hasLen := strings.Cut(args[1:], "/")
		max := 32
		if name == "ip6" {
			max = 128
		}
		bits := max
		if hasLen {
			var err error
			if bits, err = parseCIDR(length, max); err != nil {
				return badErr(err)
			}
		}
		ip, err := netip.ParseAddr(addr)
		switch {
		case err != nil || ip.Zone() != "":
			return bad("%q is not a valid %s address", "%q ist keine gültige %s-Adresse", addr, map[bool]string{true: "IPv6", false: "IPv4"}[name == "ip6"])
		case name == "ip4" && !ip.Is4():
			return bad("%q is not an IPv4 address", "%q ist keine IPv4-Adresse", addr)
		case name == "ip6" && !ip.Is6():
			return bad("%q is not an IPv6 address (use ip4: for IPv4)", "%q ist keine IPv6-Adresse (für IPv4 ip4: verwenden)", addr)
		}
		d.Net = netip.PrefixFrom(ip, bits).Masked()
	default:
		if name == "redirect" || name == "exp" {
			return bad(`%q is a modifier and needs "=" (e.g. %s=example.com)`, `%q ist ein Modifikator und braucht „=“ (z. B. %s=example.com)`, name, name)
		}
		if eq := strings.IndexByte(rest, '='); eq >= 0 && eq < n {
			return bad(`%q is not a valid modifier name (a letter, then letters, digits, "-", "_" or ".")`, `%q ist kein gültiger Modifikatorname (ein Buchstabe, dann Buchstaben, Ziffern, „-“, „_“ oder „.“)`, rest[:eq])
		}
		if name == "" {
			return bad("missing mechanism name", "Name des Mechanismus fehlt")
		}
		return bad("unknown mechanism %q", "unbekannter Mechanismus %q", name)
	}
	return d, nil
}

// splitDualCIDR splits the argument of a/mx into the ":domain-spec" part
// and the dual-cidr-length suffix:
//
//	dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]
//
// The suffix is taken greedily from the end: a domain-spec can contain "/",
// but its domain-end (a toplabel or a macro) never ends in "/digits".
func splitDualCIDR(args string) (spec string, c4, c6 int, err error) {
	c4, c6 = 32, 128
	rest := args
	if i := strings.LastIndex(rest, "//"); i >= 0 && allDigits(rest[i+2:]) {
		if c6, err = parseCIDR(rest[i+2:], 128); err != nil {
			return "", 0, 0, err
		}
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '/'); i >= 0 && allDigits(rest[i+1:]) {
		if c4, err = parseCIDR(rest[i+1:], 32); err != nil {
			return "", 0, 0, err
		}
		rest = rest[:i]
	}
	if strings.Contains(rest, "/") && !strings.HasPrefix(rest, ":") {
		return "", 0, 0, reasonf("invalid CIDR length %q", "ungültige CIDR-Länge %q", args)
	}
	return rest, c4, c6, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// parseCIDR parses a CIDR length: "0" or a number without leading zeros, at
// most max (RFC 7208 §5.6: ip4-cidr-length 0-32, ip6-cidr-length 0-128).
func parseCIDR(s string, max int) (int, error) {
	if !allDigits(s) || len(s) > 3 {
		return 0, reasonf("invalid CIDR length %q", "ungültige CIDR-Länge %q", "/"+s)
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, reasonf("CIDR length %q has a leading zero", "CIDR-Länge %q hat eine führende Null", "/"+s)
	}
	n, _ := strconv.Atoi(s)
	if n > max {
		return 0, reasonf("CIDR length /%d is larger than %d", "CIDR-Länge /%d ist größer als %d", n, max)
	}
	return n, nil
}

// parseDomainSpec validates a domain-spec (RFC 7208 §7.1):
//
//	domain-spec = macro-string domain-end
//	domain-end  = ( "." toplabel [ "." ] ) / macro-expand
//	toplabel    = ( *alphanum ALPHA *alphanum ) /
//	              ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
func parseDomainSpec(s string) (macroString, error) {
	if s == "" {
		return nil, reasonf("empty domain", "leere Domain")
	}
	m, err := parseMacroString(s, ctxDomain)
	if err != nil {
		return nil, err
	}
	last := m[len(m)-1]
	if last.kind != partLiteral {
		return m, nil // ends in a macro-expand
	}
	t := strings.TrimSuffix(last.text, ".")
	dot := strings.LastIndexByte(t, '.')
	if dot < 0 {
		if len(m) == 1 {
			return nil, reasonf("%q is not a fully qualified domain name (it needs a dot and a top-level label)", "%q ist kein vollständiger Domainname (es fehlen ein Punkt und eine Top-Level-Domain)", s)
		}
		return nil, reasonf("%q does not end in a macro or in a dot and a top-level label", "%q endet weder mit einem Makro noch mit einem Punkt und einer Top-Level-Domain", s)
	}
	top := t[dot+1:]
	if reason := checkTopLabel(top); !reason.IsZero() {
		if allDigits(top) && looksLikeIPv4(s) {
			return nil, reasonf("%q is an IP address, not a domain (use ip4:%s)", "%q ist eine IP-Adresse, keine Domain (ip4:%s verwenden)", s, s)
		}
		return nil, &reasonError{i18n.Text{EN: fmt.Sprintf("%q: top-level label %q %s", s, top, reason.EN), DE: fmt.Sprintf("%q: Top-Level-Label %q %s", s, top, reason.DE)}}
	}
	return m, nil
}

func looksLikeIPv4(s string) bool {
	ip, err := netip.ParseAddr(s)
	return err == nil && ip.Is4()
}

// checkTopLabel returns why top is not a toplabel, or the zero Text.
func checkTopLabel(top string) i18n.Text {
	if top == "" {
		return tr("is empty", "ist leer")
	}
	hasAlpha, hasDash := false, false
	for i := 0; i < len(top); i++ {
		c := top[i]
		switch {
		case isAlpha(c):
			hasAlpha = true
		case isDigit(c):
		case c == '-':
			hasDash = true
		default:
			return tr("contains %q (only letters, digits and hyphens)", "enthält %q (nur Buchstaben, Ziffern und Bindestriche)", c)
		}
	}
	if top[0] == '-' || top[len(top)-1] == '-' {
		return tr("starts or ends with a hyphen", "beginnt oder endet mit einem Bindestrich")
	}
	if !hasAlpha && !hasDash {
		return tr("is all-numeric", "besteht nur aus Ziffern")
	}
	return i18n.Text{}
}
