package check

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/exitcode"
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
	if !utf8.ValidString(in) || strings.ContainsAny(in, " \t\r\n<>") {
		return Target{}, exitcode.UsageError("invalid target %q", s)
	}
	t := Target{Input: in}
	dom := in
	if i := strings.LastIndexByte(in, '@'); i >= 0 {
		t.LocalPart = in[:i]
		dom = in[i+1:]
		if t.LocalPart == "" || len(t.LocalPart) > 64 {
			return Target{}, exitcode.UsageError("invalid address %q: the local part must have 1 to 64 octets", s)
		}
		t.ExplicitRcpt = true
	}
	ascii, uni, err := resolver.NormalizeDomain(dom)
	if err != nil {
		return Target{}, exitcode.UsageError("invalid domain %q: %v", dom, err)
	}
	t.Domain, t.DomainUnicode = ascii, uni
	if t.LocalPart == "" {
		t.LocalPart = "postmaster"
	}
	t.Rcpt = t.LocalPart + "@" + t.Domain
	return t, nil
}

// ParseAddress validates a sender address for --from ("" and "<>" are the
// null sender) and returns it with the domain in A-label form.
func ParseAddress(s string) (addr, domain string, err error) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
	if s == "" {
		return "", "", nil
	}
	i := strings.LastIndexByte(s, '@')
	if i <= 0 || i == len(s)-1 {
		return "", "", exitcode.UsageError("invalid address %q: expected local@domain", s)
	}
	ascii, _, err := resolver.NormalizeDomain(s[i+1:])
	if err != nil {
		return "", "", exitcode.UsageError("invalid address %q: %v", s, err)
	}
	if strings.ContainsAny(s[:i], " \t\r\n<>") {
		return "", "", exitcode.UsageError("invalid address %q", s)
	}
	return fmt.Sprintf("%s@%s", s[:i], ascii), ascii, nil
}
