package smtpconn

import (
	"fmt"
	"net/netip"
	"os"
	"strings"
)

// HostnameHELO returns the system host name when it is fully qualified and
// usable in EHLO, else "". It is the first choice of the one default-HELO
// rule (DefaultHELO); callers that must fill a name before they know their
// local address use it, and leave the rest to Conn.
func HostnameHELO() string {
	h, err := os.Hostname()
	if err != nil {
		return ""
	}
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	if !strings.Contains(h, ".") || strings.HasPrefix(h, "localhost") || strings.HasSuffix(h, ".localdomain") || CheckHELO(h) != nil {
		return ""
	}
	return h
}

// DefaultHELO is mxprobe's one rule for the name in EHLO/HELO: RFC 5321
// §4.1.4 asks for the client's fully qualified domain name, else an
// address literal (§4.1.3) of the connection's local address — never
// "localhost", and never a name we do not own (such as the sender's
// domain).
func DefaultHELO(local netip.Addr) string {
	if h := HostnameHELO(); h != "" {
		return h
	}
	return AddressLiteral(local)
}

// AddressLiteral writes an address as an RFC 5321 §4.1.3 address literal:
// "[192.0.2.1]" or "[IPv6:2001:db8::1]".
func AddressLiteral(a netip.Addr) string {
	if a.Is6() && !a.Is4In6() {
		return "[IPv6:" + a.WithZone("").String() + "]"
	}
	return "[" + a.Unmap().String() + "]"
}

// CheckHELO rejects names that cannot introduce a client: not a host name
// or address literal, "localhost", or longer than a domain may be (RFC
// 1035 §2.3.4).
func CheckHELO(name string) error {
	if strings.HasPrefix(name, "[") && strings.HasSuffix(name, "]") {
		if _, ok := addressLiteral(name[1 : len(name)-1]); ok {
			return nil
		}
		return fmt.Errorf("HELO %q: not an address literal", shorten(name))
	}
	if name == "" || len(name) > 253 || strings.EqualFold(name, "localhost") || strings.ContainsAny(name, " \t\r\n\x00<>") {
		return fmt.Errorf("HELO %q: not a usable host name", shorten(name))
	}
	return nil
}
