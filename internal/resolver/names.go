package resolver

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"

	"github.com/miekg/dns"
)

// queryName validates and normalises a name given to Lookup. It returns the
// canonical presentation form for the wire (lower-case, fully qualified,
// escaped as miekg/dns prints it) and the form reported in Answer.Name
// (lower-case, no trailing dot).
//
// Names are plain text: labels separated by dots, no escapes; any other byte
// is allowed (RFC 2181 §11), as SPF macro expansion can produce them. A name
// with non-ASCII characters that is a valid IDN is converted to A-labels.
func queryName(name string) (pres, out string, err error) {
	n := strings.TrimSuffix(name, ".")
	if n == "" {
		if name == "." {
			return ".", ".", nil
		}
		return "", "", fmt.Errorf("%w: empty name", ErrInvalidName)
	}
	if strings.HasSuffix(n, ".") || strings.HasPrefix(n, ".") {
		return "", n, fmt.Errorf("%w: %q: empty label", ErrInvalidName, name)
	}
	if !isASCII(n) && utf8.ValidString(n) {
		if a, err := ToASCII(n); err == nil {
			n = a
		}
	}
	n = asciiLower(n)
	// Pack to check label and name lengths and empty labels (RFC 1035
	// §2.3.4: labels ≤ 63 octets, names ≤ 255 octets on the wire).
	buf := make([]byte, 256)
	off, err := dns.PackDomainName(dns.Fqdn(strings.ReplaceAll(n, `\`, `\\`)), buf, 0, nil, false)
	if err != nil {
		return "", n, fmt.Errorf("%w: %q: %v", ErrInvalidName, n, err)
	}
	p, _, err := dns.UnpackDomainName(buf[:off], 0)
	if err != nil {
		return "", n, fmt.Errorf("%w: %q: %v", ErrInvalidName, n, err)
	}
	return canon(p), n, nil
}

// canon is the comparison form of a presentation-format name from a message.
func canon(p string) string { return asciiLower(dns.Fqdn(p)) }

// outName turns a presentation-format name into the reported form:
// escapes undone, no trailing dot.
func outName(p string) string {
	return strings.TrimSuffix(unescape(p, true), ".")
}

// unescape undoes miekg/dns presentation escapes (\c and \DDD). In names
// (name true) an escaped dot stays escaped, so it is not read as a label
// separator.
func unescape(s string, name bool) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			if v := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0'); v < 256 {
				if name && v == '.' {
					b.WriteString(`\.`)
				} else {
					b.WriteByte(byte(v))
				}
				i += 3
				continue
			}
		}
		if name && s[i+1] == '.' {
			b.WriteString(`\.`)
		} else {
			b.WriteByte(s[i+1])
		}
		i++
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// asciiLower lower-cases A–Z only (RFC 4343: DNS is case-insensitive for
// ASCII letters only).
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// ReverseName is the name for a PTR lookup of ip: d.c.b.a.in-addr.arpa
// (RFC 1035 §3.5) or the nibble form under ip6.arpa (RFC 3596 §2.5),
// without the trailing dot. IPv4-mapped IPv6 addresses use in-addr.arpa.
func ReverseName(ip netip.Addr) string {
	ip = ip.Unmap()
	if ip.Is4() {
		a := ip.As4()
		return fmt.Sprintf("%d.%d.%d.%d.in-addr.arpa", a[3], a[2], a[1], a[0])
	}
	if !ip.Is6() {
		return ""
	}
	a := ip.As16()
	const hexd = "0123456789abcdef"
	b := make([]byte, 0, 64+8)
	for i := len(a) - 1; i >= 0; i-- {
		b = append(b, hexd[a[i]&0xf], '.', hexd[a[i]>>4], '.')
	}
	return string(append(b, "ip6.arpa"...))
}
