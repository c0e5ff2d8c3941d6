package iprev

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Words that on their own mark an access-network (dynamic, residential) name,
// as used by ISPs for pools of customer addresses. Receivers such as Spamhaus
// PBL-style filters and many MTAs' "generic rDNS" rules treat these as "not a
// mail server".
var strongWords = map[string]bool{
	"dyn": true, "dynamic": true, "dynip": true, "dynamicip": true,
	"dsl": true, "adsl": true, "vdsl": true, "xdsl": true, "sdsl": true,
	"pool": true, "dhcp": true, "cable": true, "catv": true, "docsis": true,
	"dial": true, "dialup": true, "dialin": true, "dip": true,
	"ppp": true, "pppoe": true, "pppoa": true,
	"broadband": true, "cust": true, "customer": true, "subscriber": true,
	"residential": true, "resident": true, "unassigned": true, "noptr": true,
	"ftth": true, "fttc": true, "fttb": true, "fttx": true, "cpe": true, "modem": true,
	"gprs": true, "umts": true, "lte": true, "mobile": true,
}

// Words that mark a generic name only together with numbers from the
// address ("static-ip-192-0-2-1", "host-1-2-3-4", "client.1.2.3.4"): on
// their own they are common in hand-made names too.
var weakWords = map[string]bool{
	"static": true, "staticip": true, "ip": true, "host": true, "client": true, "clients": true,
	"user": true, "users": true, "home": true, "res": true, "bb": true, "nat": true,
	"wifi": true, "wlan": true, "rev": true, "reverse": true, "ptr": true, "addr": true,
	"unknown": true,
}

// Generic reports whether name looks like an automatically generated name
// for an access or pool address rather than a mail server's own name, and
// why. It looks only at the labels left of the registrable domain (public
// suffix list), so "dsl.example" is not flagged for a host "mail.dsl.example".
func Generic(name string, ip netip.Addr) (bool, string) {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	host := hostPart(name)
	if host == "" {
		return false, ""
	}
	tokens := tokenize(host)
	if why, ok := containsIP(host, tokens, ip.Unmap()); ok {
		return true, why
	}
	nums := 0
	for _, t := range tokens {
		if isDigits(t) {
			nums++
		}
	}
	for _, t := range tokens {
		if strongWords[t] {
			return true, fmt.Sprintf("contains %q, typical of dynamic or access-network names", t)
		}
	}
	for _, t := range tokens {
		if weakWords[t] && nums >= 2 {
			return true, fmt.Sprintf("contains %q together with numbers, typical of generic names", t)
		}
	}
	return false, ""
}

// hostPart returns the labels left of the registrable domain ("a.b" for
// "a.b.example.co.uk"); for a name that is itself a registrable domain or a
// public suffix it returns "".
func hostPart(name string) string {
	reg, err := publicsuffix.EffectiveTLDPlusOne(name)
	if err != nil || reg == name {
		return ""
	}
	return strings.TrimSuffix(name, "."+reg)
}

// tokenize splits at dots, dashes and underscores and between letters and
// digits: "dsl-dyn123.pool" → dsl, dyn, 123, pool.
func tokenize(s string) []string {
	var out []string
	start := -1
	kind := 0 // 1 letter, 2 digit
	flush := func(i int) {
		if start >= 0 {
			out = append(out, s[start:i])
		}
		start = -1
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		k := 0
		switch {
		case c >= '0' && c <= '9':
			k = 2
		case c >= 'a' && c <= 'z':
			k = 1
		}
		if k == 0 {
			flush(i)
			kind = 0
			continue
		}
		if k != kind {
			flush(i)
			start = i
		}
		kind = k
	}
	flush(len(s))
	return out
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// containsIP finds the address itself in the name: three or four octets in
// order or reversed ("192-0-2-1", "1.2.0.192"), zero-padded decimal
// ("192000002001"), eight hex digits ("c0000201"), or for IPv6 the last
// groups of the address.
func containsIP(host string, tokens []string, ip netip.Addr) (string, bool) {
	flat := strings.NewReplacer(".", "", "-", "", "_", "").Replace(host)
	if ip.Is4() {
		a := ip.As4()
		oct := []int{int(a[0]), int(a[1]), int(a[2]), int(a[3])}
		var nums []int
		for _, t := range tokens {
			if isDigits(t) && len(t) <= 3 {
				n, _ := strconv.Atoi(t)
				nums = append(nums, n)
			} else {
				nums = append(nums, -1) // a word breaks a run
			}
		}
		rev := []int{oct[3], oct[2], oct[1], oct[0]}
		for _, seq := range [][]int{oct, rev} {
			// Three consecutive octets already identify the address in a
			// name (the fourth often stands in the domain part).
			for k := 0; k+3 <= 4; k++ {
				if hasRun(nums, seq[k:k+3]) {
					return "contains the IP address's digits", true
				}
			}
		}
		padded := fmt.Sprintf("%03d%03d%03d%03d", a[0], a[1], a[2], a[3])
		if strings.Contains(flat, padded) {
			return "contains the IP address as zero-padded digits", true
		}
		hx := fmt.Sprintf("%02x%02x%02x%02x", a[0], a[1], a[2], a[3])
		if strings.Contains(flat, hx) {
			return "contains the IP address in hexadecimal", true
		}
		return "", false
	}
	if ip.Is6() {
		b := ip.As16()
		full := fmt.Sprintf("%x", b[:])
		if strings.Contains(flat, full[16:]) { // the interface identifier, full width
			return "contains the IPv6 address's hex digits", true
		}
		// The last three 16-bit groups written as separate hex tokens.
		var groups []string
		for i := 10; i < 16; i += 2 {
			groups = append(groups, strconv.FormatUint(uint64(b[i])<<8|uint64(b[i+1]), 16))
		}
		if groups[0] != "0" && strings.Contains(" "+strings.Join(hexTokens(host), " ")+" ", " "+strings.Join(groups, " ")+" ") {
			return "contains the IPv6 address's hex groups", true
		}
	}
	return "", false
}

func hasRun(nums, seq []int) bool {
	for i := 0; i+len(seq) <= len(nums); i++ {
		match := true
		for j := range seq {
			if nums[i+j] != seq[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// hexTokens splits at dots, dashes and underscores and strips leading zeros
// from hex-looking tokens.
func hexTokens(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '-' || r == '_' })
	for i, t := range f {
		t = strings.TrimLeft(t, "0")
		if t == "" {
			t = "0"
		}
		f[i] = t
	}
	return f
}
