package mtasts

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Syntax errors; match with errors.Is.
var (
	ErrRecordSyntax = errors.New("mtasts: TXT record syntax error")
	ErrPolicySyntax = errors.New("mtasts: policy syntax error")
)

// Version is the only defined version, of the record and of the policy.
const Version = "STSv1"

// MaxAgeLimit is the largest allowed max_age, about one year (RFC 8461 §3.2).
const MaxAgeLimit = 31557600

// MinRecommendedMaxAge: RFC 8461 §3.2 suggests max_age "in units of weeks
// or more"; shorter values make a sender's cached policy expire quickly and
// weaken the protection against downgrade attacks.
const MinRecommendedMaxAge = 7 * 24 * 3600

// Extension is an unknown key/value field of a record or policy (RFC 8461
// §3.1, §3.2: ignored by senders).
type Extension struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Record is a parsed "_mta-sts" TXT record (RFC 8461 §3.1).
type Record struct {
	Version    string      `json:"version"`
	ID         string      `json:"id"`
	Extensions []Extension `json:"extensions,omitempty"`
}

// IsCandidate reports whether a TXT string is meant as an MTA-STS record
// (RFC 8461 §3.1; see resolver.HasVersionTag).
func IsCandidate(txt string) bool { return resolver.HasVersionTag(txt, Version) }

// ParseRecord parses an MTA-STS TXT record (RFC 8461 §3.1):
//
//	sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]
//	sts-field-delim = *WSP ";" *WSP
//	sts-id          = %s"id=" 1*32(ALPHA / DIGIT)
//	sts-extension   = sts-ext-name "=" sts-ext-value
func ParseRecord(txt string) (rec *Record, warnings []i18n.Text, err error) {
	errf := func(format string, a ...any) (*Record, []i18n.Text, error) {
		return nil, warnings, fmt.Errorf("%w: "+format, append([]any{ErrRecordSyntax}, a...)...)
	}
	if len(txt) > 4096 {
		return errf("record longer than 4096 bytes")
	}
	rest, ok := strings.CutPrefix(txt, "v="+Version)
	if !ok {
		return errf("record must begin with \"v=%s\" (case-sensitive)", Version)
	}
	if trimmed := strings.TrimLeft(rest, " \t"); trimmed != rest && strings.HasPrefix(trimmed, ";") {
		warnings = append(warnings, i18n.T("blank between \"v=STSv1\" and \";\": senders that look for the exact prefix \"v=STSv1;\" ignore the record (RFC 8461 §3.1)",
			"Leerzeichen zwischen „v=STSv1“ und „;“: Absender, die genau nach dem Präfix „v=STSv1;“ suchen, ignorieren den Eintrag (RFC 8461 §3.1)"))
	}
	rest = strings.TrimLeft(rest, " \t")
	if rest == "" {
		return errf("id= missing")
	}
	if rest[0] != ';' {
		return errf("expected \";\" after \"v=%s\"", Version)
	}
	rec = &Record{Version: Version}
	fields := strings.Split(rest[1:], ";")
	for i, f := range fields {
		f = strings.Trim(f, " \t")
		if f == "" {
			if i == len(fields)-1 {
				break // one trailing delimiter is allowed
			}
			return errf("empty field (\";;\")")
		}
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return errf("field %q is not key=value", clip(f))
		}
		if !validKey(k) {
			return errf("invalid field name %q", clip(k))
		}
		switch k {
		case "id":
			if rec.ID != "" {
				// RFC 8461 §3.2 (also applied to the record): the first
				// occurrence counts.
				warnings = append(warnings, i18n.T("id= given more than once; the first is used", "id= mehrfach angegeben; der erste Wert gilt"))
				continue
			}
			if v == "" || len(v) > 32 || !alnum(v) {
				return errf("id %q must be 1 to 32 letters or digits", clip(v))
			}
			rec.ID = v
		case "v":
			return errf("v= given twice")
		default:
			if !validExtValue(v) {
				return errf("invalid value for %q", clip(k))
			}
			rec.Extensions = append(rec.Extensions, Extension{k, v})
		}
	}
	if rec.ID == "" {
		return errf("id= missing (it is required)")
	}
	return rec, warnings, nil
}

// String renders the record in canonical form.
func (r Record) String() string {
	s := "v=" + r.Version + "; id=" + r.ID
	for _, e := range r.Extensions {
		s += "; " + e.Key + "=" + e.Value
	}
	return s
}

// Mode is the policy mode (RFC 8461 §5).
type Mode string

const (
	ModeEnforce Mode = "enforce" // deliver only over validated TLS to a matching MX
	ModeTesting Mode = "testing" // deliver anyway; report failures (TLS-RPT)
	ModeNone    Mode = "none"    // no policy (used to withdraw MTA-STS)
)

// MXPattern is one "mx:" line: a host name or "*.<name>".
type MXPattern struct {
	// Pattern is the text as published, lower case.
	Pattern string `json:"pattern"`
	// Wildcard is set for "*." patterns; Domain is the rest.
	Wildcard bool   `json:"wildcard"`
	Domain   string `json:"domain"`
}

// Policy is a parsed MTA-STS policy (RFC 8461 §3.2).
type Policy struct {
	Version string `json:"version"`
	Mode    Mode   `json:"mode"`
	// MaxAge is max_age in seconds.
	MaxAge     int64       `json:"max_age"`
	MX         []MXPattern `json:"mx"`
	Extensions []Extension `json:"extensions,omitempty"`
}

// String renders the policy in canonical form (LF line ends).
func (p Policy) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "version: %s\nmode: %s\n", p.Version, p.Mode)
	for _, m := range p.MX {
		fmt.Fprintf(&b, "mx: %s\n", m.Pattern)
	}
	fmt.Fprintf(&b, "max_age: %d\n", p.MaxAge)
	for _, e := range p.Extensions {
		fmt.Fprintf(&b, "%s: %s\n", e.Key, e.Value)
	}
	return b.String()
}

// maxPolicyLines bounds the number of lines parsed (the body is already
// bounded to 64 KiB by the fetcher).
const maxPolicyLines = 10000

// ParsePolicy parses a policy body (RFC 8461 §3.2):
//
//	sts-policy-record = sts-policy-field *WSP *(sts-policy-term sts-policy-field *WSP) [sts-policy-term]
//	sts-policy-term   = LF / CRLF
//	sts-policy-field  = key ":" *WSP value
//
// version, mode and max_age are required, mx unless the mode is none; for
// every field but mx the first occurrence counts; unknown fields are kept as
// extensions. Warnings name deviations that some senders may not accept.
func ParsePolicy(body string) (p *Policy, warnings []i18n.Text, err error) {
	errf := func(line int, format string, a ...any) (*Policy, []i18n.Text, error) {
		prefix := ""
		if line > 0 {
			prefix = fmt.Sprintf("line %d: ", line)
		}
		return nil, warnings, fmt.Errorf("%w: %s"+format, append([]any{ErrPolicySyntax, prefix}, a...)...)
	}
	if !utf8.ValidString(body) {
		return errf(0, "policy is not valid UTF-8")
	}
	if strings.TrimSpace(body) == "" {
		return errf(0, "policy is empty")
	}
	lines := strings.Split(body, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1] // the final line terminator
	}
	if len(lines) > maxPolicyLines {
		return errf(0, "more than %d lines", maxPolicyLines)
	}
	p = &Policy{}
	seen := map[string]bool{}
	blank := false
	for i, line := range lines {
		n := i + 1
		line = strings.TrimSuffix(line, "\r")
		if strings.ContainsAny(line, "\r\x00") || strings.IndexFunc(line, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) >= 0 {
			return errf(n, "control character (bare CR or other) in line")
		}
		if strings.Trim(line, " \t") == "" {
			blank = true
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			return errf(n, "line starts with a blank")
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return errf(n, "%q is not \"key: value\"", clip(line))
		}
		if !validKey(k) {
			return errf(n, "invalid field name %q", clip(k))
		}
		v = strings.Trim(v, " \t")
		dup := seen[k]
		seen[k] = true
		if dup && k != "mx" {
			warnings = append(warnings, i18n.Tf("line %d: %s given more than once; the first is used (RFC 8461 §3.2)", "Zeile %d: %s mehrfach angegeben; der erste Wert gilt (RFC 8461 §3.2)", n, k))
			continue
		}
		switch k {
		case "version":
			if v != Version {
				return errf(n, "version must be %q, got %q", Version, clip(v))
			}
			p.Version = v
		case "mode":
			switch Mode(v) {
			case ModeEnforce, ModeTesting, ModeNone:
				p.Mode = Mode(v)
			default:
				return errf(n, "mode must be enforce, testing or none (lower case), got %q", clip(v))
			}
		case "max_age":
			if v == "" || len(v) > 10 || !digits(v) {
				return errf(n, "max_age must be 1 to 10 digits, got %q", clip(v))
			}
			a, _ := strconv.ParseInt(v, 10, 64)
			if a > MaxAgeLimit {
				return errf(n, "max_age %d exceeds the maximum of %d seconds (RFC 8461 §3.2)", a, MaxAgeLimit)
			}
			p.MaxAge = a
		case "mx":
			m, err := parsePattern(v)
			if err != nil {
				return errf(n, "%v", err)
			}
			p.MX = append(p.MX, m)
		default:
			if v == "" {
				return errf(n, "empty value for %q", clip(k))
			}
			p.Extensions = append(p.Extensions, Extension{k, v})
		}
	}
	for _, req := range []string{"version", "mode", "max_age"} {
		if !seen[req] {
			return errf(0, "%s: missing (required)", req)
		}
	}
	if len(p.MX) == 0 && p.Mode != ModeNone {
		return errf(0, "no mx: line (required unless mode is none)")
	}
	if blank {
		warnings = append(warnings, i18n.T("blank lines in the policy: the grammar of RFC 8461 §3.2 has none, strict parsers reject the policy",
			"Leerzeilen in der Richtlinie: Die Grammatik von RFC 8461 §3.2 kennt keine, strenge Parser verwerfen die Richtlinie"))
	}
	if strings.Contains(body, "\r\n") && strings.Count(body, "\n") != strings.Count(body, "\r\n") {
		warnings = append(warnings, i18n.T("mixed CRLF and LF line ends", "gemischte Zeilenenden CRLF und LF"))
	}
	if p.MaxAge < MinRecommendedMaxAge && p.Mode != ModeNone {
		warnings = append(warnings, i18n.Tf("max_age %d is shorter than a week; RFC 8461 §3.2 suggests weeks or more (e.g. 604800 to 31557600)",
			"max_age %d ist kürzer als eine Woche; RFC 8461 §3.2 empfiehlt Wochen oder mehr (z. B. 604800 bis 31557600)", p.MaxAge))
	}
	return p, warnings, nil
}

// parsePattern parses an mx value: ["*."] Hostname, in A-labels (RFC 8461
// §3.2: U-labels are not allowed).
func parsePattern(v string) (MXPattern, error) {
	m := MXPattern{Pattern: strings.ToLower(v)}
	d := m.Pattern
	if rest, ok := strings.CutPrefix(d, "*."); ok {
		m.Wildcard, d = true, rest
	}
	d = strings.TrimSuffix(d, ".")
	if !validHostname(d) {
		return MXPattern{}, fmt.Errorf("mx %q is not a host name or \"*.\" pattern in A-label form", clip(v))
	}
	m.Domain = d
	return m, nil
}

// MatchMX reports whether an MX host matches a policy's mx patterns (RFC
// 8461 §4.1): case-insensitive; "*.example.com" matches exactly one more
// label ("mail.example.com", not "example.com" nor "a.b.example.com").
func MatchMX(p *Policy, host string) bool {
	if p == nil {
		return false
	}
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "" {
		return false
	}
	for _, m := range p.MX {
		if m.Wildcard {
			if _, parent, ok := strings.Cut(h, "."); ok && parent == m.Domain {
				return true
			}
		} else if h == m.Domain {
			return true
		}
	}
	return false
}

// validKey: (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
func validKey(k string) bool {
	if k == "" || len(k) > 32 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		an := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !an && (i == 0 || c != '_' && c != '-' && c != '.') {
			return false
		}
	}
	return true
}

// validExtValue: 1*(%x21-3A / %x3C / %x3E-7E)
func validExtValue(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x21 || c > 0x7e || c == ';' || c == '=' {
			return false
		}
	}
	return true
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validHostname checks LDH labels of 1–63 octets, at least two labels.
func validHostname(h string) bool {
	if len(h) > 253 || !strings.Contains(h, ".") {
		return false
	}
	for _, l := range strings.Split(h, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// clip shortens s for an error message, on a rune boundary.
func clip(s string) string {
	if len(s) <= 60 {
		return s
	}
	i := 60
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
