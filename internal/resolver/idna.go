package resolver

import (
	"fmt"
	"strings"

	"golang.org/x/net/idna"
)

// ToASCII converts a domain name to its A-label form with the UTS #46 lookup
// profile (non-transitional, so "ß" stays "ß": straße.de → xn--strae-oqa.de;
// RFC 5891 §5), lower-case and without the trailing dot:
// "Müller.de." → "xn--mller-kva.de". Pure-ASCII names are only lower-cased
// (their "xn--" labels must be valid Punycode), so names with underscores
// such as "_dmarc.example.com" pass; use ValidateDomain for host-name syntax.
func ToASCII(name string) (string, error) {
	n := strings.TrimSuffix(name, ".")
	if n == "" {
		return "", fmt.Errorf("%w: empty name", ErrInvalidName)
	}
	// RFC 1035 §3.1: labels are not empty (only the root's, once, at the end).
	if strings.HasSuffix(n, ".") || strings.HasPrefix(n, ".") || strings.Contains(n, "..") {
		return "", fmt.Errorf("%w: %q: empty label", ErrInvalidName, name)
	}
	if isASCII(n) {
		n = asciiLower(n)
		for _, l := range strings.Split(n, ".") {
			if strings.HasPrefix(l, "xn--") {
				if _, err := idna.Lookup.ToUnicode(l); err != nil {
					return "", fmt.Errorf("%w: %q: bad A-label %q: %v", ErrInvalidName, name, l, err)
				}
			}
		}
		return n, nil
	}
	a, err := idna.Lookup.ToASCII(n)
	if err != nil {
		return "", fmt.Errorf("%w: %q: %v", ErrInvalidName, name, err)
	}
	return strings.TrimSuffix(asciiLower(a), "."), nil
}

// ToUnicode converts A-labels to U-labels for display: "xn--mller-kva.de" →
// "müller.de". Labels that are not A-labels are kept (lower-cased).
func ToUnicode(name string) (string, error) {
	n := asciiLower(strings.TrimSuffix(name, "."))
	if n == "" {
		return "", fmt.Errorf("%w: empty name", ErrInvalidName)
	}
	labels := strings.Split(n, ".")
	for i, l := range labels {
		if !strings.HasPrefix(l, "xn--") {
			continue
		}
		u, err := idna.Lookup.ToUnicode(l)
		if err != nil {
			return "", fmt.Errorf("%w: %q: bad A-label %q: %v", ErrInvalidName, name, l, err)
		}
		labels[i] = u
	}
	return strings.Join(labels, "."), nil
}

// ValidateOptions relax ValidateDomain.
type ValidateOptions struct {
	SingleLabel bool // allow a name without a dot ("localhost")
	Underscore  bool // allow "_" in labels (service names such as _dmarc, _25._tcp)
}

// ValidateDomain checks that name (A-label form, trailing dot allowed) is a
// host name: letters, digits and hyphens (RFC 952, RFC 1123 §2.1), labels
// of 1–63 octets not starting or ending with a hyphen, at most 253 octets
// in all (RFC 1035 §2.3.4), at least one dot, and a top-level label that is
// not all-numeric (RFC 3696 §2, which also keeps IP addresses out).
func ValidateDomain(name string) error { return ValidateDomainOpts(name, ValidateOptions{}) }

// ValidateDomainOpts is ValidateDomain with options.
func ValidateDomainOpts(name string, o ValidateOptions) error {
	n := strings.TrimSuffix(name, ".")
	switch {
	case n == "":
		return fmt.Errorf("%w: empty name", ErrInvalidName)
	case len(n) > 253:
		return fmt.Errorf("%w: %d characters, at most 253 allowed", ErrInvalidName, len(n))
	case !o.SingleLabel && !strings.Contains(n, "."):
		return fmt.Errorf("%w: %q has no dot", ErrInvalidName, n)
	}
	labels := strings.Split(n, ".")
	for _, l := range labels {
		if l == "" {
			return fmt.Errorf("%w: %q has an empty label", ErrInvalidName, n)
		}
		if len(l) > 63 {
			return fmt.Errorf("%w: label %.20q… is %d characters, at most 63 allowed", ErrInvalidName, l, len(l))
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Errorf("%w: label %q starts or ends with a hyphen", ErrInvalidName, l)
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '-' || (o.Underscore && c == '_')
			if !ok {
				return fmt.Errorf("%w: label %q contains %q", ErrInvalidName, l, rune(c))
			}
		}
	}
	tld := labels[len(labels)-1]
	if len(labels) > 1 || !o.SingleLabel {
		allDigits := true
		for i := 0; i < len(tld); i++ {
			allDigits = allDigits && isDigit(tld[i])
		}
		if allDigits {
			return fmt.Errorf("%w: %q: the top-level label is numeric (an IP address is not a domain)", ErrInvalidName, n)
		}
	}
	return nil
}

// NormalizeDomain prepares a user-given domain: IDNA to A-labels (ToASCII),
// host-name syntax (ValidateDomain), and the Unicode form for display. The
// error wraps ErrInvalidName; the CLI turns it into exit code 2.
func NormalizeDomain(input string) (ascii, unicode string, err error) {
	ascii, err = ToASCII(strings.TrimSpace(input))
	if err != nil {
		return "", "", err
	}
	if err := ValidateDomain(ascii); err != nil {
		return "", "", err
	}
	unicode, err = ToUnicode(ascii)
	if err != nil {
		return "", "", err
	}
	return ascii, unicode, nil
}
