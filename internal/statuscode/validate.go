package statuscode

import (
	"strconv"
	"strings"
)

// Validate reports whether s is acceptable as a single explain argument:
// a basic code (RFC 5321 §4.2 shape), an enhanced code (RFC 3463 syntax), or
// a reply with some text. It returns the one-line reason otherwise.
func Validate(s string) error {
	in := strings.TrimSpace(s)
	if in == "" {
		return ErrEmpty
	}
	if allDigits(in) {
		if len(in) != 3 {
			return ErrBadReplyCode
		}
		if n, _ := strconv.Atoi(in); !ValidReplyCode(n) {
			return ErrBadReplyCode
		}
		return nil
	}
	if onlyCodeChars(in) {
		_, err := ParseEnhanced(in)
		return err
	}
	if len(in) >= 4 && allDigits(in[:3]) && (in[3] == ' ' || in[3] == '-') {
		if n, _ := strconv.Atoi(in[:3]); !ValidReplyCode(n) {
			return ErrBadReplyCode
		}
	}
	return nil
}

func onlyCodeChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return true
}

func bareBasic(s string) (int, bool) {
	if len(s) != 3 || !allDigits(s) {
		return 0, false
	}
	n, _ := strconv.Atoi(s)
	return n, ValidReplyCode(n)
}

// ParseBare reads input that is nothing but a code: a basic reply code
// ("550", RFC 5321 §4.2) or an enhanced status code ("5.7.1", RFC 3463 §2).
// ok is false for anything else, including a reply with text.
func ParseBare(s string) (r Reply, ok bool) {
	if c, ok := bareBasic(s); ok {
		return Reply{Code: c}, true
	}
	if onlyCodeChars(s) {
		if e, err := ParseEnhanced(s); err == nil {
			return Reply{Enhanced: e}, true
		}
	}
	return Reply{}, false
}
