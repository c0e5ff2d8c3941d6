package spf

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/mxprobe/mxprobe/internal/i18n"
)

// Macros, RFC 7208 §7.
//
//	macro-string = *( macro-expand / macro-literal )
//	macro-expand = ( "%{" macro-letter transformers *delimiter "}" )
//	               / "%%" / "%_" / "%-"
//	macro-literal = %x21-24 / %x26-7E   ; visible characters except "%"
//	macro-letter = "s" / "l" / "o" / "d" / "i" / "p" / "h" / "c" / "r" / "t" / "v"
//	transformers = *DIGIT [ "r" ]
//	delimiter    = "." / "-" / "+" / "," / "/" / "_" / "="
//
// A macro string is parsed once (at record parse time, so that a syntax error
// anywhere in the record is a permerror, RFC 7208 §4.6) and expanded later
// against the evaluation context.

// macroKind distinguishes the parts of a parsed macro string.
type macroKind uint8

const (
	partLiteral macroKind = iota // literal text
	partEscape                   // "%%", "%_" or "%-": a macro-expand with a fixed value
	partMacro                    // "%{...}"
)

// maxTransformerDigits caps the DIGIT transformer; any value at least as large
// as the number of parts keeps all parts (RFC 7208 §7.3), so saturating is
// harmless and avoids integer overflow on hostile input.
const maxTransformerDigits = 128

type macroPart struct {
	kind    macroKind
	text    string // literal text, or the expansion of an escape
	letter  byte   // lower-case macro letter (partMacro)
	upper   bool   // upper-case letter: URL-escape the value (RFC 7208 §7.3)
	digits  int    // keep this many right-hand parts; 0 = all
	reverse bool   // "r" transformer
	delims  string // split characters; "" means "."
	raw     string // the macro as written, for String
}

// macroString is a parsed macro-string.
type macroString []macroPart

// macroContext selects which macro letters and characters are allowed.
type macroContext uint8

const (
	ctxDomain  macroContext = iota // domain-spec and unknown-modifier values
	ctxExplain                     // explain-string: also c, r, t and SP (RFC 7208 §6.2, §7.1)
)

// MacroError is a syntax error in a macro string.
type MacroError struct {
	Macro  string // the macro string
	Pos    int    // byte offset of the error
	Reason i18n.Text
}

func (e *MacroError) Error() string { return e.Text().EN }

// Text describes the error in English and German.
func (e *MacroError) Text() i18n.Text {
	return i18n.Text{
		EN: fmt.Sprintf("invalid macro string %q at offset %d: %s", e.Macro, e.Pos, e.Reason.EN),
		DE: fmt.Sprintf("ungültiger Makro-String %q an Position %d: %s", e.Macro, e.Pos, e.Reason.DE),
	}
}

func isMacroLetter(c byte, ctx macroContext) bool {
	switch c | 0x20 { // ABNF strings are case-insensitive (RFC 5234 §2.3)
	case 's', 'l', 'o', 'd', 'i', 'p', 'h', 'v':
		return true
	case 'c', 'r', 't':
		// RFC 7208 §7.1: "c", "r" and "t" are only allowed in explanation text.
		return ctx == ctxExplain
	}
	return false
}

func isDelimiter(c byte) bool {
	switch c {
	case '.', '-', '+', ',', '/', '_', '=':
		return true
	}
	return false
}

// parseMacroString parses s as a macro-string (ctxDomain) or an
// explain-string (ctxExplain).
func parseMacroString(s string, ctx macroContext) (macroString, error) {
	var out macroString
	lit := strings.Builder{}
	flush := func() {
		if lit.Len() > 0 {
			out = append(out, macroPart{kind: partLiteral, text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c != '%' {
			switch {
			case c >= 0x21 && c <= 0x7e:
			case c == ' ' && ctx == ctxExplain: // explain-string = *( macro-string / SP )
			default:
				return nil, &MacroError{s, i, tr("character 0x%02x is not allowed (only visible US-ASCII)", "Zeichen 0x%02x ist nicht erlaubt (nur sichtbares US-ASCII)", c)}
			}
			lit.WriteByte(c)
			i++
			continue
		}
		// RFC 7208 §7.1: a "%" not followed by "{", "%", "-" or "_" is a syntax error.
		if i+1 >= len(s) {
			return nil, &MacroError{s, i, i18n.T(`"%" at the end of the string (write "%%" for a literal percent sign)`, `„%“ am Ende (für ein Prozentzeichen „%%“ schreiben)`)}
		}
		switch s[i+1] {
		case '%':
			flush()
			out = append(out, macroPart{kind: partEscape, text: "%"})
			i += 2
			continue
		case '_':
			flush()
			out = append(out, macroPart{kind: partEscape, text: " "})
			i += 2
			continue
		case '-':
			flush()
			out = append(out, macroPart{kind: partEscape, text: "%20"})
			i += 2
			continue
		case '{':
		default:
			return nil, &MacroError{s, i, tr(`"%%" followed by %q; expected "{", "%%", "_" or "-"`, `„%%“ gefolgt von %q; erwartet „{“, „%%“, „_“ oder „-“`, s[i+1])}
		}
		flush()
		start := i
		i += 2
		if i >= len(s) {
			return nil, &MacroError{s, start, i18n.T("unterminated macro", "Makro nicht abgeschlossen")}
		}
		p := macroPart{kind: partMacro}
		if !isMacroLetter(s[i], ctx) {
			reason := tr("unknown macro letter %q", "unbekannter Makrobuchstabe %q", s[i])
			if isMacroLetter(s[i], ctxExplain) {
				reason = tr("macro letter %q is only allowed in explanation text (exp= TXT record)",
					"Makrobuchstabe %q ist nur im Erklärungstext erlaubt (TXT-Eintrag von exp=)", s[i])
			}
			return nil, &MacroError{s, i, reason}
		}
		p.letter = s[i] | 0x20
		p.upper = s[i] >= 'A' && s[i] <= 'Z'
		i++
		// transformers = *DIGIT [ "r" ]
		dstart := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if p.digits < maxTransformerDigits {
				p.digits = p.digits*10 + int(s[i]-'0')
			}
			i++
		}
		if i > dstart && p.digits == 0 {
			// RFC 7208 §7.3: "If a DIGIT is specified, the value MUST be nonzero."
			return nil, &MacroError{s, dstart, i18n.T("transformer digits must be nonzero", "die Ziffern des Transformers dürfen nicht 0 sein")}
		}
		if i < len(s) && (s[i] == 'r' || s[i] == 'R') {
			p.reverse = true
			i++
		}
		dstart = i
		for i < len(s) && isDelimiter(s[i]) {
			i++
		}
		p.delims = s[dstart:i]
		if i >= len(s) {
			return nil, &MacroError{s, start, i18n.T("unterminated macro", "Makro nicht abgeschlossen")}
		}
		if s[i] != '}' {
			return nil, &MacroError{s, i, tr(`unexpected %q in macro; expected digits, "r", a delimiter or "}"`, `unerwartetes %q im Makro; erwartet Ziffern, „r“, ein Trennzeichen oder „}“`, s[i])}
		}
		i++
		p.raw = s[start:i]
		out = append(out, p)
	}
	flush()
	return out, nil
}

// macroEnv holds the values the macro letters expand to (RFC 7208 §7.3).
type macroEnv struct {
	sender    string     // s: <sender>, local-part@domain
	local     string     // l: local-part of <sender>
	senderDom string     // o: domain of <sender>
	domain    string     // d: <domain> currently evaluated
	ip        netip.Addr // i, c, v
	helo      string     // h
	receiver  string     // r (explanation only)
	timestamp int64      // t (explanation only)
	// ptr returns the validated domain name for %{p}; called at most when
	// the string uses %{p}.
	ptr func() string
}

// maxExpansion bounds the length of an expanded string; a record is at most a
// few kilobytes and each macro expands to a bounded value, so this is only a
// guard against hostile input (e.g. %{s} repeated with a very long sender).
const maxExpansion = 8192

// expand expands m in env. The result of a domain-spec is not validated here.
func (m macroString) expand(env *macroEnv) (string, error) {
	var b strings.Builder
	for _, p := range m {
		switch p.kind {
		case partLiteral, partEscape:
			b.WriteString(p.text)
		case partMacro:
			b.WriteString(expandOne(p, env))
		}
		if b.Len() > maxExpansion {
			return "", fmt.Errorf("%w: macro expansion longer than %d bytes", ErrMacro, maxExpansion)
		}
	}
	return b.String(), nil
}

// expandOne expands a single %{...} macro: RFC 7208 §7.3 transformers,
// delimiters and URL escaping for upper-case letters.
func expandOne(p macroPart, env *macroEnv) string {
	var v string
	switch p.letter {
	case 's':
		v = env.sender
	case 'l':
		v = env.local
	case 'o':
		v = env.senderDom
	case 'd':
		v = env.domain
	case 'i':
		v = dotFormat(env.ip)
	case 'c':
		// RFC 7208 §7.3: "c" is the SMTP client IP in its usual textual form
		// (dotted quad, or RFC 5952 for IPv6).
		if env.ip.IsValid() {
			v = env.ip.String()
		}
	case 'p':
		if env.ptr != nil {
			v = env.ptr()
		} else {
			v = "unknown"
		}
	case 'v':
		if env.ip.Is6() {
			v = "ip6"
		} else {
			v = "in-addr"
		}
	case 'h':
		v = env.helo
	case 'r':
		v = env.receiver
	case 't':
		v = strconv.FormatInt(env.timestamp, 10)
	}
	if p.digits > 0 || p.reverse || p.delims != "" {
		delims := p.delims
		if delims == "" {
			delims = "."
		}
		parts := splitAny(v, delims)
		if p.reverse {
			for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
				parts[i], parts[j] = parts[j], parts[i]
			}
		}
		if p.digits > 0 && p.digits < len(parts) {
			parts = parts[len(parts)-p.digits:]
		}
		// RFC 7208 §7.3: parts are rejoined with "." regardless of the delimiters.
		v = strings.Join(parts, ".")
	}
	if p.upper {
		v = urlEscape(v)
	}
	return v
}

// splitAny splits s at every byte contained in delims, keeping empty parts.
func splitAny(s, delims string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(delims, s[i]) >= 0 {
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// urlEscape escapes every byte outside the RFC 3986 unreserved set, as
// RFC 7208 §7.3 requires for upper-case macro letters.
func urlEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}

// dotFormat is the "i" macro value: the dotted quad for IPv4, and for IPv6
// the 32 nibbles separated by dots (RFC 7208 §7.3, the RFC 3596 §2.5 form,
// lower-case hex as in the RFC 7208 §7.4 examples).
func dotFormat(ip netip.Addr) string {
	if !ip.IsValid() {
		return ""
	}
	if ip.Is4() {
		return ip.String()
	}
	const hex = "0123456789abcdef"
	a := ip.As16()
	b := make([]byte, 0, 63)
	for i, x := range a {
		if i > 0 {
			b = append(b, '.')
		}
		b = append(b, hex[x>>4], '.', hex[x&0xf])
	}
	return string(b)
}
