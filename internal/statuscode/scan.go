package statuscode

// Hand-written scanners for reply codes and enhanced status codes. They
// replace regular expressions on the hot path of --lines (a line is scanned
// several times); each mirrors the regexp named in its comment.

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// digitsAt reads 1–3 digits at s[i:] and returns the value and the index after.
func digitsAt(s string, i int) (int, int, bool) {
	n, j := 0, i
	for j < len(s) && j-i < 3 && isDigit(s[j]) {
		n = n*10 + int(s[j]-'0')
		j++
	}
	if j == i || (j < len(s) && isDigit(s[j])) {
		return 0, 0, false
	}
	return n, j, true
}

// enhancedAt parses an enhanced code at s[i:] with a word boundary after it:
// [245]\.\d{1,3}\.\d{1,3}\b (RFC 3463 §2).
func enhancedAt(s string, i int) (Enhanced, int, bool) {
	if i+5 > len(s) || (s[i] != '2' && s[i] != '4' && s[i] != '5') || s[i+1] != '.' {
		return Enhanced{}, 0, false
	}
	sub, j, ok := digitsAt(s, i+2)
	if !ok || j >= len(s) || s[j] != '.' {
		return Enhanced{}, 0, false
	}
	det, k, ok := digitsAt(s, j+1)
	if !ok || (k < len(s) && isWordByte(s[k])) {
		return Enhanced{}, 0, false
	}
	return Enhanced{Class: int(s[i] - '0'), Subject: sub, Detail: det}, k, true
}

// findEnhanced finds the first \b[245]\.\d{1,3}\.\d{1,3}\b at or after from.
func findEnhanced(s string, from int) (Enhanced, int, int, bool) {
	for i := from; i+5 <= len(s); i++ {
		c := s[i]
		if c != '2' && c != '4' && c != '5' || (i > 0 && isWordByte(s[i-1])) {
			continue
		}
		if e, end, ok := enhancedAt(s, i); ok {
			return e, i, end, true
		}
	}
	return Enhanced{}, 0, 0, false
}

// replyCodeAt reads a valid reply code (RFC 5321 §4.2) at s[i:] followed by
// a space, a hyphen or the end.
func replyCodeAt(s string, i int) (int, bool) {
	if i+3 > len(s) || !isDigit(s[i]) || !isDigit(s[i+1]) || !isDigit(s[i+2]) {
		return 0, false
	}
	if i+3 < len(s) && s[i+3] != ' ' && s[i+3] != '-' {
		return 0, false
	}
	c := int(s[i]-'0')*100 + int(s[i+1]-'0')*10 + int(s[i+2]-'0')
	return c, ValidReplyCode(c)
}

// codeStart parses a reply at the start of s:
// ^([2-5]\d\d)(?:[- ]|$)\s*(?:#?([245]\.\d{1,3}\.\d{1,3})\b)?
// It returns the code, the enhanced code (zero if absent) and the index
// where the text starts.
func codeStart(s string) (int, Enhanced, int, bool) {
	code, ok := replyCodeAt(s, 0)
	if !ok {
		return 0, Enhanced{}, 0, false
	}
	j := 3
	for j < len(s) && (s[j] == ' ' || s[j] == '-' || s[j] == '\t') {
		j++
	}
	k := j
	if k < len(s) && s[k] == '#' {
		k++
	}
	if e, end, ok := enhancedAt(s, k); ok {
		return code, e, end, true
	}
	return code, Enhanced{}, j, true
}

// codeInside finds "550 5.1.1" or "550-5.1.1" anywhere:
// \b([2-5]\d\d)[ -]#?([245]\.\d{1,3}\.\d{1,3})\b
func codeInside(s string) (code int, e Enhanced, start, end int, ok bool) {
	for i := 0; i+9 <= len(s); i++ {
		if s[i] < '2' || s[i] > '5' || (i > 0 && isWordByte(s[i-1])) {
			continue
		}
		c, ok := replyCodeAt(s, i)
		if !ok || i+3 >= len(s) {
			continue
		}
		k := i + 4
		if k < len(s) && s[k] == '#' {
			k++
		}
		if e, end, ok := enhancedAt(s, k); ok {
			return c, e, i, end, true
		}
	}
	return 0, Enhanced{}, 0, 0, false
}

// bareCode finds a reply code followed by text anywhere:
// (?:^|[\s:'"(\[])([2-5][0-5]\d)[ -][A-Za-z<'"#(\[]
func bareCode(s string) (code, start int, ok bool) {
	for i := 0; i+5 <= len(s); i++ {
		if s[i] < '2' || s[i] > '5' {
			continue
		}
		if i > 0 {
			switch s[i-1] {
			case ' ', '\t', '\n', '\r', '\f', '\v', ':', '\'', '"', '(', '[':
			default:
				continue
			}
		}
		c, ok := replyCodeAt(s, i)
		if !ok || i+4 >= len(s) {
			continue
		}
		n := s[i+4]
		if n >= 'A' && n <= 'Z' || n >= 'a' && n <= 'z' || n == '<' || n == '\'' || n == '"' || n == '#' || n == '(' || n == '[' {
			return c, i, true
		}
	}
	return 0, 0, false
}

// laterFailure finds a transient or permanent reply code after a positive
// one: \b[45]\d\d[ -]
func laterFailure(s string) (int, bool) {
	for i := 0; i+4 <= len(s); i++ {
		if (s[i] == '4' || s[i] == '5') && (i == 0 || !isWordByte(s[i-1])) {
			if _, ok := replyCodeAt(s, i); ok && i+3 < len(s) {
				return i, true
			}
		}
	}
	return 0, false
}
