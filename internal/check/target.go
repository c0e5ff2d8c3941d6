package check

import (
	"strings"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/mailaddr"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Target is what a command checks: a domain, or an address whose domain is
// checked and which is used as the RCPT.
type Target struct {
	// Input is what the user typed.
	Input string `json:"input"`
	// Domain is the A-label form; DomainUnicode the Unicode form (equal for
	// ASCII domains).
	Domain        string `json:"domain"`
	DomainUnicode string `json:"domain_unicode"`
	// Rcpt is the recipient used at RCPT TO: the given address, else
	// postmaster@domain (RFC 5321 §4.5.1: every domain must accept it).
	Rcpt string `json:"rcpt"`
	// LocalPart is the local part of Rcpt.
	LocalPart string `json:"local_part"`
	// ExplicitRcpt tells whether the user named the address.
	ExplicitRcpt bool `json:"explicit_rcpt"`
}

// ParseTarget parses DOMAIN or user@DOMAIN. Invalid input is a usage error
// (exit code 2).
func ParseTarget(s string) (Target, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return Target{}, exitcode.UsageError("empty target: give a domain or an address")
	}
	if !utf8.ValidString(in) || strings.ContainsAny(in, "\t\r\n<>") {
		return Target{}, exitcode.UsageError("invalid target %q", s)
	}
	t := Target{Input: in}
	if strings.Contains(in, "@") {
		// One address parser for all of mxprobe (RFC 5321 §4.1.2, quoted
		// local parts included).
		a, err := mailaddr.Parse(in)
		if err != nil {
			return Target{}, exitcode.UsageError("%v", err)
		}
		if strings.HasPrefix(a.Domain, "[") {
			return Target{}, exitcode.UsageError("invalid target %q: an address literal has no MX to check", s)
		}
		t.LocalPart, t.Domain, t.DomainUnicode, t.ExplicitRcpt = a.Local, a.Domain, a.DomainUnicode, true
	} else {
		ascii, uni, err := resolver.NormalizeDomain(in)
		if err != nil {
			return Target{}, exitcode.UsageError("invalid domain %q: %v", in, err)
		}
		t.Domain, t.DomainUnicode = ascii, uni
	}
	if t.LocalPart == "" {
		t.LocalPart = "postmaster"
	}
	t.Rcpt = t.LocalPart + "@" + t.Domain
	return t, nil
}

// ParseAddress validates a sender address for --from ("" and "<>" are the
// null sender) and returns it with the domain in A-label form.
func ParseAddress(s string) (addr, domain string, err error) {
	a, err := mailaddr.ParsePath(s)
	if err != nil {
		return "", "", exitcode.UsageError("%v", err)
	}
	if strings.HasPrefix(a.Domain, "[") {
		return "", "", exitcode.UsageError("invalid address %q: the sender's domain must be a name (SPF and DMARC are looked up there)", s)
	}
	return a.String(), a.Domain, nil
}
