package check

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/i18n"
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

// ErrInvalidInput is matched (errors.Is) by every *InputError.
var ErrInvalidInput = errors.New("invalid input")

// InputError is a target or address that cannot be used: ID names the
// problem (a stable id, e.g. "target.ip_literal"), Text says what was wrong
// and what to type instead, in both languages, with at most maxEcho bytes of
// the input. The command layer maps it to exit code 2.
type InputError struct {
	ID    string
	Input string
	Text  i18n.Text
	Cause error
}

func (e *InputError) Error() string        { return e.Text.EN }
func (e *InputError) Unwrap() error        { return e.Cause }
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }

// maxEcho bounds how much input an error message repeats.
const maxEcho = 200

// Clip shortens s for an error message: at most 200 bytes, cut on a rune
// boundary, with the full length noted.
func Clip(s string) string {
	if len(s) <= maxEcho {
		return s
	}
	cut := maxEcho
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s…(%d bytes)", s[:cut], len(s))
}

func inputErr(id, input string, cause error, en, de string, args ...any) error {
	return &InputError{ID: id, Input: input, Cause: cause, Text: i18n.T(fmt.Sprintf(en, args...), fmt.Sprintf(de, args...))}
}

// lastLink is the last part of an error chain ("resolver: invalid domain
// name: empty label" → "empty label"): what the user can act on. The whole
// chain stays in InputError.Cause.
func lastLink(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return Clip(s)
}

// ParseTarget parses DOMAIN or user@DOMAIN. Invalid input is an
// *InputError.
func ParseTarget(s string) (Target, error) {
	in := strings.TrimSpace(s)
	q := fmt.Sprintf("%q", Clip(in))
	switch {
	case in == "":
		return Target{}, inputErr("target.empty", s, nil, "empty target: give a domain (example.com) or an address (user@example.com)",
			"leeres Ziel: eine Domain (example.com) oder eine Adresse (user@example.com) angeben")
	case !utf8.ValidString(in):
		return Target{}, inputErr("target.invalid", s, nil, "invalid target %s: not UTF-8 text", "ungültiges Ziel %s: kein UTF-8-Text", q)
	case strings.HasPrefix(in, "<") && strings.HasSuffix(in, ">"):
		bare := strings.TrimSuffix(strings.TrimPrefix(in, "<"), ">")
		return Target{}, inputErr("target.angle_brackets", s, nil, "invalid target %s: leave out the angle brackets and type %s",
			"ungültiges Ziel %s: die spitzen Klammern weglassen und %s eingeben", q, Clip(bare))
	}
	t := Target{Input: in}
	dom := in
	if i := strings.LastIndexByte(in, '@'); i >= 0 {
		t.LocalPart, dom = in[:i], in[i+1:]
		if err := checkLocalPart(in, t.LocalPart); err != nil {
			return Target{}, err
		}
		t.ExplicitRcpt = true
	} else if strings.ContainsAny(in, " \t\r\n<>\"") {
		return Target{}, inputErr("target.invalid", s, nil, "invalid target %s: a domain has no spaces, quotes or angle brackets",
			"ungültiges Ziel %s: eine Domain enthält keine Leerzeichen, Anführungszeichen oder spitzen Klammern", q)
	}
	if err := checkDomainPart(in, dom); err != nil {
		return Target{}, err
	}
	ascii, uni, err := resolver.NormalizeDomain(dom)
	if err != nil {
		return Target{}, inputErr("target.invalid_domain", s, err, "invalid domain %q in %s (%s); give a name such as example.com",
			"ungültige Domain %q in %s (%s); einen Namen wie example.com angeben", Clip(dom), q, lastLink(err))
	}
	t.Domain, t.DomainUnicode = ascii, uni
	if t.LocalPart == "" {
		t.LocalPart = "postmaster"
	}
	t.Rcpt = t.LocalPart + "@" + t.Domain
	return t, nil
}

// checkDomainPart refuses IP literals and bare IPs: mxprobe checks a
// domain's MX hosts, which an address has none of.
func checkDomainPart(in, dom string) error {
	d := strings.TrimSuffix(strings.TrimPrefix(dom, "["), "]")
	d = strings.TrimPrefix(strings.TrimPrefix(d, "IPv6:"), "ipv6:")
	if _, err := netip.ParseAddr(d); err == nil {
		return inputErr("target.ip_literal", in, nil,
			"%q is an IP address, not a domain: check the domain whose MX points there (mxprobe check example.com), or look at the sender side with mxprobe dns example.com --ip %s",
			"%q ist eine IP-Adresse, keine Domain: die Domain prüfen, deren MX dorthin zeigt (mxprobe check example.com), oder die Absenderseite mit mxprobe dns example.com --ip %s ansehen",
			Clip(in), d)
	}
	return nil
}

// checkLocalPart validates the local part of an address: 1 to 64 octets
// (RFC 5321 §4.5.3.1.1), a Dot-string or a Quoted-string (§4.1.2).
func checkLocalPart(in, lp string) error {
	q := fmt.Sprintf("%q", Clip(in))
	switch {
	case lp == "":
		return inputErr("target.empty_local_part", in, nil, "invalid address %s: nothing before the @; type the domain alone (%s) to check it",
			"ungültige Adresse %s: vor dem @ steht nichts; die Domain allein (%s) eingeben, um sie zu prüfen", q, Clip(in[1:]))
	case len(lp) > 64:
		return inputErr("target.local_part_length", in, nil, "invalid address %s: the local part has %d octets, at most 64 are allowed (RFC 5321 §4.5.3.1.1)",
			"ungültige Adresse %s: der lokale Teil hat %d Oktette, erlaubt sind höchstens 64 (RFC 5321 §4.5.3.1.1)", q, len(lp))
	case !strings.HasPrefix(lp, "\"") && strings.Contains(lp, "@"):
		return inputErr("target.multiple_at", in, nil, "invalid address %s: more than one @; an address is local@domain (quote an @ in the local part: \"a@b\"@example.com)",
			"ungültige Adresse %s: mehr als ein @; eine Adresse ist lokal@domain (ein @ im lokalen Teil in Anführungszeichen: \"a@b\"@example.com)", q)
	case !ValidLocalPart(lp):
		return inputErr("target.invalid_local_part", in, nil, "invalid address %s: the local part is neither dot-atoms nor a quoted string (RFC 5321 §4.1.2); quote it: \"%s\"@domain",
			"ungültige Adresse %s: der lokale Teil ist weder Dot-Atom noch Quoted-String (RFC 5321 §4.1.2); in Anführungszeichen setzen: \"%s\"@domain", q, Clip(strings.Trim(lp, "\"")))
	}
	return nil
}

// ValidLocalPart reports whether lp is an RFC 5321 §4.1.2 Local-part
// (Dot-string or Quoted-string, UTF-8 as RFC 6531 allows); the one parser
// is internal/mailaddr.
func ValidLocalPart(lp string) bool { return mailaddr.ValidLocalPart(lp) }

// ParseAddress validates a sender address for --from ("" and "<>" are the
// null sender) and returns it with the domain in A-label form. An empty
// local part ("@example.com") becomes postmaster, as SPF evaluation does
// (RFC 7208 §4.3); quoted local parts are kept as given (RFC 5321 §4.1.2).
func ParseAddress(s string) (addr, domain string, err error) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
	if s == "" {
		return "", "", nil
	}
	q := fmt.Sprintf("%q", Clip(s))
	i := strings.LastIndexByte(s, '@')
	if i < 0 || i == len(s)-1 {
		return "", "", inputErr("address.invalid", s, nil, "invalid address %s: expected local@domain (or @domain for postmaster@domain)",
			"ungültige Adresse %s: erwartet lokal@domain (oder @domain für postmaster@domain)", q)
	}
	lp := s[:i]
	if lp == "" {
		lp = "postmaster" // RFC 7208 §4.3
	} else if err := checkLocalPart(s, lp); err != nil {
		return "", "", err
	}
	if err := checkDomainPart(s, s[i+1:]); err != nil {
		return "", "", err
	}
	ascii, _, err := resolver.NormalizeDomain(s[i+1:])
	if err != nil {
		return "", "", inputErr("address.invalid_domain", s, err, "invalid address %s: the domain %q is not usable (%s)",
			"ungültige Adresse %s: die Domain %q ist nicht verwendbar (%s)", q, Clip(s[i+1:]), lastLink(err))
	}
	return lp + "@" + ascii, ascii, nil
}
