// Package mailaddr is mxprobe's one parser of envelope addresses (RFC 5321
// §4.1.2 Mailbox, with the SMTPUTF8 extension of RFC 6531 §3.3): dot-string
// and quoted local parts such as "Macro Error"@example.com, domains in
// U-label or A-label form, address literals, and the null reverse-path <>.
// Input is bounded; error messages echo at most 200 bytes of it.
package mailaddr

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Limits of RFC 5321 §4.5.3.1.
const (
	MaxLocalPart = 64  // §4.5.3.1.1
	MaxPath      = 256 // §4.5.3.1.3, angle brackets included
	// MaxInput bounds what Parse reads at all (surrounding space and angle
	// brackets included).
	MaxInput = 1024
)

// Sentinel errors, wrapped in *Error; match them with errors.Is.
var (
	ErrEmpty     = errors.New("mailaddr: empty address")
	ErrTooLong   = errors.New("mailaddr: address too long")
	ErrLocalPart = errors.New("mailaddr: invalid local part")
	ErrDomain    = errors.New("mailaddr: invalid domain")
	ErrSyntax    = errors.New("mailaddr: not an address of the form local@domain")
)

// Error is a rejected address. Input holds at most 200 bytes of it, and
// the message quotes at most 200 bytes of that.
type Error struct {
	Input string
	Err   error
	// Detail says more (the IDNA or host-name error), or is empty.
	Detail string
}

func (e *Error) Error() string {
	msg := "invalid address " + clip(strconv.Quote(e.Input)) + ": " + strings.TrimPrefix(e.Err.Error(), "mailaddr: ")
	if e.Detail != "" {
		msg += ": " + clip(e.Detail)
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Address is a parsed mailbox. The zero Address is the null path <>.
type Address struct {
	// Local is the local part as written: a dot-string, or a quoted string
	// with its quotes ("\"Macro Error\"").
	Local string
	// Domain is in A-label form, lower case, without a trailing dot; or an
	// address literal in brackets ("[192.0.2.1]").
	Domain string
	// DomainUnicode is Domain for display (U-labels).
	DomainUnicode string
}

// IsNull reports whether a is the null path <> (RFC 5321 §4.5.5).
func (a Address) IsNull() bool { return a.Local == "" && a.Domain == "" }

// String is the address in SMTP form, local@domain with the A-label domain
// ("" for the null path).
func (a Address) String() string {
	if a.IsNull() {
		return ""
	}
	return a.Local + "@" + a.Domain
}

// NeedsSMTPUTF8 reports whether the local part has non-ASCII characters,
// which only the SMTPUTF8 extension can carry (RFC 6531 §3.3).
func (a Address) NeedsSMTPUTF8() bool {
	for i := 0; i < len(a.Local); i++ {
		if a.Local[i] >= 0x80 {
			return true
		}
	}
	return false
}

// Parse parses a mailbox: local@domain, optionally in angle brackets,
// surrounding white space ignored. The null path is not a mailbox: use
// ParsePath where <> is allowed.
func Parse(s string) (Address, error) {
	a, err := ParsePath(s)
	if err == nil && a.IsNull() {
		return Address{}, &Error{Input: clip(s), Err: ErrEmpty}
	}
	return a, err
}

// ParsePath parses a reverse-path (RFC 5321 §4.1.2): a mailbox, or the null
// path given as "" or "<>".
func ParsePath(s string) (Address, error) {
	if len(s) > MaxInput {
		return Address{}, &Error{Input: clip(s), Err: ErrTooLong}
	}
	in := strings.TrimSpace(s)
	if strings.HasPrefix(in, "<") && strings.HasSuffix(in, ">") {
		in = in[1 : len(in)-1]
	}
	if in == "" {
		return Address{}, nil
	}
	bad := func(err error, detail string) (Address, error) {
		return Address{}, &Error{Input: clip(s), Err: err, Detail: detail}
	}
	if len(in)+2 > MaxPath {
		return bad(ErrTooLong, "")
	}
	if !utf8.ValidString(in) {
		return bad(ErrSyntax, "not UTF-8")
	}
	n, err := localPartLen(in)
	if err != nil {
		return bad(ErrLocalPart, err.Error())
	}
	if n >= len(in) || in[n] != '@' {
		return bad(ErrSyntax, "")
	}
	local, dom := in[:n], in[n+1:]
	if len(local) > MaxLocalPart {
		return bad(ErrLocalPart, fmt.Sprintf("longer than %d octets", MaxLocalPart))
	}
	ascii, uni, err := domain(dom)
	if err != nil {
		return bad(ErrDomain, err.Error())
	}
	return Address{Local: local, Domain: ascii, DomainUnicode: uni}, nil
}

// ValidLocalPart reports whether lp, all of it, is an RFC 5321 §4.1.2
// Local-part: a Dot-string (with RFC 6531 UTF-8) or a Quoted-string.
func ValidLocalPart(lp string) bool {
	if lp == "" || len(lp) > MaxLocalPart || !utf8.ValidString(lp) {
		return false
	}
	n, err := localPartLen(lp + "@")
	return err == nil && n == len(lp)
}

// localPartLen returns the length of the local part at the start of s:
// Dot-string or Quoted-string (RFC 5321 §4.1.2).
func localPartLen(s string) (int, error) {
	if strings.HasPrefix(s, `"`) {
		return quotedLen(s)
	}
	i, atomStart := 0, 0
	for i < len(s) && s[i] != '@' {
		c := s[i]
		switch {
		case c == '.':
			if i == atomStart {
				return 0, errors.New("empty atom (leading, trailing or double dot)")
			}
			atomStart = i + 1
		case c >= 0x80: // RFC 6531 §3.3: UTF8-non-ascii is atext
		case !isAtext(c):
			return 0, fmt.Errorf("character %q needs a quoted local part", c)
		}
		i++
	}
	if i == atomStart {
		return 0, errors.New("empty atom (leading, trailing or double dot)")
	}
	return i, nil
}

// quotedLen: Quoted-string = DQUOTE *QcontentSMTP DQUOTE, with qtextSMTP
// %d32-33 / %d35-91 / %d93-126 and quoted-pairSMTP "\" %d32-126.
func quotedLen(s string) (int, error) {
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			if i == 1 {
				return 0, errors.New("empty quoted string")
			}
			return i + 1, nil
		case c == '\\':
			if i+1 >= len(s) || s[i+1] < 32 || s[i+1] > 126 {
				return 0, errors.New("bad quoted pair")
			}
			i++
		case c < 32 || c == 127:
			return 0, fmt.Errorf("control character %q", c)
		}
	}
	return 0, errors.New("unterminated quoted string")
}

// isAtext: RFC 5322 §3.2.3 atext (ALPHA / DIGIT / "!#$%&'*+-/=?^_`{|}~").
func isAtext(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// domain checks a domain (host-name syntax after IDNA, RFC 5890) or an
// address literal (RFC 5321 §4.1.3).
func domain(d string) (ascii, uni string, err error) {
	if strings.HasPrefix(d, "[") && strings.HasSuffix(d, "]") {
		lit := d[1 : len(d)-1]
		v6, isV6 := strings.CutPrefix(lit, "IPv6:")
		a, perr := netip.ParseAddr(v6)
		if perr != nil || a.Zone() != "" || isV6 != (a.Is6() && !a.Is4In6()) {
			return "", "", errors.New("not an address literal")
		}
		return d, d, nil
	}
	if d == "" {
		return "", "", errors.New("empty")
	}
	return resolver.NormalizeDomain(d)
}

func clip(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
