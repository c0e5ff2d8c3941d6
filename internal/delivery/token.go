package delivery

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

// TokenLen is the length of a probe token: 20 base32 characters carry 100
// random bits, so two tokens never collide in practice.
const TokenLen = 20

// tokenEncoding is RFC 4648 base32 in lower case without padding: safe in a
// Message-ID, a header, a subject, an ENVID (xtext, RFC 3461 §4) and a VERP
// local part.
var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewToken returns a fresh random probe token from crypto/rand.
func NewToken() (string, error) {
	// 13 random bytes encode to 21 characters; the first 20 carry 100 bits.
	var raw [13]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	return tokenEncoding.EncodeToString(raw[:])[:TokenLen], nil
}

// ValidToken reports whether s has the shape of a probe token.
func ValidToken(s string) bool {
	if len(s) != TokenLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// findTokens returns the distinct valid tokens of want that occur in s.
func findTokens(s string, want map[string]bool) []string {
	var out []string
	ls := strings.ToLower(s)
	for t := range want {
		if strings.Contains(ls, t) {
			out = append(out, t)
		}
	}
	return out
}
