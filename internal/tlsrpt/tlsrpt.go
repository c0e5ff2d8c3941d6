// Package tlsrpt checks the SMTP TLS Reporting record of a domain
// (RFC 8460): the TXT record at "_smtp._tls.<domain>" that tells senders
// where to send daily reports about TLS failures.
package tlsrpt

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Errors explaining a Result; match with errors.Is.
var (
	ErrNoRecord  = errors.New("tlsrpt: no TLS-RPT record")
	ErrMultiple  = errors.New("tlsrpt: more than one TLS-RPT record")
	ErrSyntax    = errors.New("tlsrpt: syntax error")
	ErrTemporary = errors.New("tlsrpt: DNS lookup failed temporarily")
)

// Status is the outcome of a TLS-RPT check.
type Status string

const (
	StatusNone      Status = "none"      // no TLS-RPT record
	StatusValid     Status = "valid"     // exactly one record, syntactically valid
	StatusInvalid   Status = "invalid"   // a record exists but senders must ignore it (syntax, several records)
	StatusTempError Status = "temperror" // the DNS did not answer; not the same as "none"
)

// Version is the only defined record version (RFC 8460 §3).
const Version = "TLSRPTv1"

// maxRecordLen bounds the record text we parse (a TXT RRset can hold 64 KiB).
const maxRecordLen = 8192

// Record is a parsed TLS-RPT record.
type Record struct {
	// Version is "TLSRPTv1".
	Version string `json:"version"`
	// RUA lists where reports go, in record order.
	RUA []URI `json:"rua"`
	// Extensions are unknown key=value fields (RFC 8460 §3: ignored by senders).
	Extensions []Extension `json:"extensions,omitempty"`
}

// URI is one reporting destination.
type URI struct {
	// URI is the text as published.
	URI string `json:"uri"`
	// Scheme is "mailto" or "https".
	Scheme string `json:"scheme"`
	// Target is the mail address (mailto) or the host (https).
	Target string `json:"target"`
}

// Extension is an unknown key=value field.
type Extension struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// String renders the record in canonical form.
func (r Record) String() string {
	var b strings.Builder
	b.WriteString("v=" + r.Version + "; rua=")
	for i, u := range r.RUA {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(u.URI)
	}
	for _, e := range r.Extensions {
		b.WriteString("; " + e.Key + "=" + e.Value)
	}
	return b.String()
}

// IsCandidate reports whether a TXT string is meant as a TLS-RPT record
// (RFC 8460 §3; see resolver.HasVersionTag).
func IsCandidate(txt string) bool { return resolver.HasVersionTag(txt, Version) }

// Parse parses one TLS-RPT record (RFC 8460 §3):
//
//	tlsrpt-record = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
//	field-delim   = *WSP ";" *WSP
//	tlsrpt-rua    = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
//
// Warnings name deviations that strict senders may punish but that do not
// make the record invalid.
func Parse(txt string) (rec *Record, warnings []i18n.Text, err error) {
	if len(txt) > maxRecordLen {
		return nil, nil, fmt.Errorf("%w: record longer than %d bytes", ErrSyntax, maxRecordLen)
	}
	for i := 0; i < len(txt); i++ {
		if c := txt[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return nil, nil, fmt.Errorf("%w: control character 0x%02x at offset %d", ErrSyntax, c, i)
		}
	}
	// RFC 8460 §3: the version tag is case-sensitive (%s) and comes first.
	rest, ok := strings.CutPrefix(txt, "v="+Version)
	if !ok {
		return nil, nil, fmt.Errorf("%w: record must begin with \"v=%s\"", ErrSyntax, Version)
	}
	if !strings.HasPrefix(rest, ";") {
		if strings.TrimLeft(rest, " \t") == "" {
			return nil, nil, fmt.Errorf("%w: rua= missing (the rua field is required)", ErrSyntax)
		}
		if !strings.HasPrefix(strings.TrimLeft(rest, " \t"), ";") {
			return nil, nil, fmt.Errorf("%w: expected \";\" after \"v=%s\"", ErrSyntax, Version)
		}
		// Senders that look for the exact prefix "v=TLSRPTv1;" discard this.
		warnings = append(warnings, i18n.T("blank between \"v=TLSRPTv1\" and \";\": senders that match the exact prefix \"v=TLSRPTv1;\" ignore the record (RFC 8460 §3)",
			"Leerzeichen zwischen „v=TLSRPTv1“ und „;“: Absender, die genau das Präfix „v=TLSRPTv1;“ erwarten, ignorieren den Eintrag (RFC 8460 §3)"))
	}

	rec = &Record{Version: Version}
	fields := strings.Split(rest, ";")[1:]
	seenRUA := false
	for i, f := range fields {
		f = strings.Trim(f, " \t")
		if f == "" {
			if i == len(fields)-1 {
				break // one trailing delimiter is allowed
			}
			return nil, warnings, fmt.Errorf("%w: empty field (\";;\")", ErrSyntax)
		}
		key, val, ok := strings.Cut(f, "=")
		if !ok {
			return nil, warnings, fmt.Errorf("%w: field %q is not key=value", ErrSyntax, f)
		}
		if !validKey(key) {
			return nil, warnings, fmt.Errorf("%w: invalid field name %q", ErrSyntax, key)
		}
		switch key {
		case "rua":
			if seenRUA {
				return nil, warnings, fmt.Errorf("%w: rua= given twice", ErrSyntax)
			}
			seenRUA = true
			uris, err := parseRUA(val)
			if err != nil {
				return nil, warnings, err
			}
			rec.RUA = uris
		case "v":
			return nil, warnings, fmt.Errorf("%w: v= given twice", ErrSyntax)
		default:
			// tlsrpt-ext-value = 1*(%x21-3A / %x3C / %x3E-7E)
			if val == "" || strings.IndexFunc(val, func(r rune) bool { return r <= 0x20 || r >= 0x7f || r == '=' }) >= 0 {
				return nil, warnings, fmt.Errorf("%w: invalid value for %s", ErrSyntax, key)
			}
			rec.Extensions = append(rec.Extensions, Extension{Key: key, Value: val})
		}
	}
	if !seenRUA {
		return nil, warnings, fmt.Errorf("%w: rua= missing (the rua field is required)", ErrSyntax)
	}
	return rec, warnings, nil
}

// validKey: tlsrpt-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
func validKey(k string) bool {
	if k == "" || len(k) > 32 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '_' && c != '-' && c != '.') {
			return false
		}
	}
	return true
}

func parseRUA(val string) ([]URI, error) {
	if strings.TrimSpace(val) == "" {
		return nil, fmt.Errorf("%w: rua= is empty", ErrSyntax)
	}
	var out []URI
	for _, part := range strings.Split(val, ",") {
		part = strings.Trim(part, " \t")
		u, err := ParseURI(part)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// ParseURI checks one rua URI: "mailto:" with one address (RFC 6068) or
// "https:" with a host (RFC 8460 §3; commas and "!" must be percent-encoded).
func ParseURI(s string) (URI, error) {
	if s == "" {
		return URI{}, fmt.Errorf("%w: empty rua URI", ErrSyntax)
	}
	if strings.ContainsAny(s, " \t!") {
		return URI{}, fmt.Errorf("%w: rua URI %q contains a blank or an unencoded \"!\"", ErrSyntax, s)
	}
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok {
		return URI{}, fmt.Errorf("%w: rua URI %q has no scheme (mailto: or https:)", ErrSyntax, s)
	}
	switch strings.ToLower(scheme) {
	case "mailto":
		addr, _, _ := strings.Cut(rest, "?")
		dec, err := url.PathUnescape(addr)
		if err != nil {
			return URI{}, fmt.Errorf("%w: rua URI %q: bad percent-encoding", ErrSyntax, s)
		}
		if strings.Contains(dec, ",") {
			return URI{}, fmt.Errorf("%w: rua URI %q names more than one address; use one mailto: per address", ErrSyntax, s)
		}
		at := strings.LastIndexByte(dec, '@')
		if at <= 0 || at == len(dec)-1 {
			return URI{}, fmt.Errorf("%w: rua URI %q: %q is not a mail address", ErrSyntax, s, dec)
		}
		if !validHost(dec[at+1:]) {
			return URI{}, fmt.Errorf("%w: rua URI %q: invalid domain %q", ErrSyntax, s, dec[at+1:])
		}
		return URI{URI: s, Scheme: "mailto", Target: dec}, nil
	case "https":
		u, err := url.Parse(s)
		if err != nil {
			return URI{}, fmt.Errorf("%w: rua URI %q: %v", ErrSyntax, s, err)
		}
		if u.Host == "" || u.Opaque != "" {
			return URI{}, fmt.Errorf("%w: rua URI %q has no host", ErrSyntax, s)
		}
		if u.User != nil {
			return URI{}, fmt.Errorf("%w: rua URI %q must not carry user information", ErrSyntax, s)
		}
		if !validHost(u.Hostname()) {
			return URI{}, fmt.Errorf("%w: rua URI %q: invalid host %q", ErrSyntax, s, u.Hostname())
		}
		return URI{URI: s, Scheme: "https", Target: u.Host}, nil
	}
	return URI{}, fmt.Errorf("%w: rua URI %q: scheme %q is not allowed (only mailto: and https:, RFC 8460 §3)", ErrSyntax, s, scheme)
}

// validHost accepts a DNS host name (LDH labels, 1–63 octets each) or an IP
// address.
func validHost(h string) bool {
	if _, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
		return true
	}
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	for _, l := range strings.Split(h, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// Result is the typed outcome of Check. Status is always set.
type Result struct {
	// Domain is the policy domain; Name is the queried "_smtp._tls.<domain>".
	Domain string `json:"domain"`
	Name   string `json:"name"`
	// Status: none, valid, invalid, temperror.
	Status Status `json:"status"`
	// DNSStatus is the raw status of the TXT query.
	DNSStatus resolver.Status `json:"dns_status"`
	// TXT holds every TXT string found at Name (also non-TLS-RPT ones).
	TXT []string `json:"txt,omitempty"`
	// Record is the TLS-RPT record text that was evaluated.
	Record string `json:"record,omitempty"`
	// Parsed is the parsed record (nil unless Status is valid).
	Parsed *Record `json:"parsed,omitempty"`
	// Warnings are deviations that do not invalidate the record.
	Warnings []string `json:"warnings,omitempty"`
	// warningTexts are the Warnings in both languages (for the findings).
	warningTexts []i18n.Text
	// Error explains a status other than valid.
	Error string `json:"error,omitempty"`
	Err   error  `json:"-"`
}

// Check looks up and validates the TLS-RPT record of domain (RFC 8460 §3).
func Check(ctx context.Context, r resolver.Lookuper, domain string) Result {
	domain = aLabel(domain)
	res := Result{Domain: domain, Name: "_smtp._tls." + domain}
	ans := r.Lookup(ctx, res.Name, resolver.TypeTXT)
	res.DNSStatus = ans.Status
	res.TXT = ans.TXT
	fail := func(s Status, err error) Result {
		res.Status, res.Err, res.Error = s, err, err.Error()
		return res
	}
	switch {
	case ans.Status.Temporary():
		e := ""
		if ans.Err != nil {
			e = " (" + ans.Err.Error() + ")"
		}
		return fail(StatusTempError, fmt.Errorf("%w: TXT %s: %s%s", ErrTemporary, res.Name, ans.Status, e))
	case ans.Status != resolver.StatusOK:
		return fail(StatusNone, fmt.Errorf("%w at %s (%s)", ErrNoRecord, res.Name, ans.Status))
	}
	var cands []string
	for _, t := range ans.TXT {
		if IsCandidate(t) {
			cands = append(cands, t)
		}
	}
	switch len(cands) {
	case 0:
		return fail(StatusNone, fmt.Errorf("%w at %s (no TXT record starts with \"v=%s\")", ErrNoRecord, res.Name, Version))
	case 1:
	default:
		// RFC 8460 §3: if the number of records is not one, senders MUST
		// assume the domain does not implement TLS-RPT.
		res.Record = cands[0]
		return fail(StatusInvalid, fmt.Errorf("%w at %s: %d records; senders ignore all of them", ErrMultiple, res.Name, len(cands)))
	}
	res.Record = cands[0]
	rec, warns, err := Parse(res.Record)
	res.warningTexts = warns
	for _, w := range warns {
		res.Warnings = append(res.Warnings, w.EN)
	}
	if err != nil {
		return fail(StatusInvalid, err)
	}
	res.Parsed, res.Status = rec, StatusValid
	return res
}

// aLabel normalises a domain: trimmed, lower case, without the trailing dot,
// Unicode labels converted to A-labels (resolver.ToASCII) when valid.
func aLabel(d string) string {
	d = strings.TrimSpace(d)
	if a, err := resolver.ToASCII(d); err == nil {
		return a
	}
	return strings.ToLower(strings.TrimSuffix(d, "."))
}
