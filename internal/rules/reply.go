package rules

import "strings"

// replyRule joins a marker in a receiver's reply (or bounce) to the rules
// it names. All needles are lower case; a marker matches when any needle
// occurs (codes only as whole codes, not inside a longer number), and when
// every word of also occurs as well.
type replyRule struct {
	needles []string
	also    []string
	rules   []string
}

// replyRules: the documented reply texts of each provider (Microsoft:
// high-volume blog, 5.7.515; Google: "SMTP errors and codes", answer
// 3726730; Yahoo: "SMTP error codes"; T-Online: the NOWL/BL texts quoted in
// admins' reports of postmaster.t-online.de section 4.1). More specific
// entries first.
var replyRules = []replyRule{
	{needles: []string{"5.7.515"}, rules: []string{"microsoft.bulk.spf", "microsoft.bulk.dkim", "microsoft.bulk.dmarc", "microsoft.bulk.alignment"}},
	{needles: []string{"5.7.26", "4.7.26"}, also: []string{"dmarc"}, rules: []string{"google.bulk.alignment", "google.bulk.dmarc"}},
	{needles: []string{"5.7.26", "4.7.26"}, rules: []string{"google.all.auth"}},
	{needles: []string{"5.7.27", "4.7.27"}, rules: []string{"google.bulk.spf"}},
	{needles: []string{"5.7.30", "4.7.30"}, rules: []string{"google.bulk.dkim"}},
	{needles: []string{"5.7.40", "4.7.40"}, also: []string{"dmarc"}, rules: []string{"google.bulk.dmarc"}},
	{needles: []string{"5.7.32", "4.7.32"}, rules: []string{"google.bulk.alignment"}},
	{needles: []string{"5.7.25", "4.7.25", "4.7.23"}, rules: []string{"google.all.ptr"}},
	{needles: []string{"5.7.29", "4.7.29"}, rules: []string{"google.all.tls"}},
	{needles: []string{"4.7.28"}, also: []string{"message-id"}, rules: []string{"google.all.message_id"}},
	{needles: []string{"(nowl)", "(bl)"}, also: []string{"t-online"}, rules: []string{"tonline.all.fcrdns", "tonline.all.operator_domain", "tonline.all.website"}},
	{needles: []string{"[tss04]"}, rules: []string{"yahoo.all.auth", "yahoo.bulk.dmarc", "yahoo.bulk.one_click"}},
	{needles: []string{"[bl21]", "[bl22]", "[bl23]"}, rules: []string{"yahoo.all.dnsbl", "gmx.all.dnsbl"}},
	{needles: []string{"5.7.9"}, also: []string{"unauthenticated"}, rules: []string{"yahoo.all.auth"}},
}

// maxReply bounds the text looked at (a reply line or a bounce's
// diagnostic; the markers sit near the start).
const maxReply = 8 << 10

// ForReply returns the ids of the rules a receiver's reply names, in table
// order without repeats (nil when it names none). The explainer and the
// check headline call it to point at the failed rule of the scorecard.
func ForReply(reply string) []string {
	if len(reply) > maxReply {
		reply = reply[:maxReply]
	}
	l := lowerNeedleText(reply)
	var out []string
	seen := map[string]bool{}
	for _, rr := range replyRules {
		if !anyMarker(l, rr.needles) || !allWords(l, rr.also) {
			continue
		}
		for _, id := range rr.rules {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}

// lowerNeedleText is strings.ToLower for finding ASCII needles and words:
// it lower-cases only ASCII letters, which finds exactly what ToLower's copy
// finds, because the only other runes ToLower turns into ASCII are U+0130
// (İ → i) and U+212A (Kelvin sign → k), and texts with those take ToLower
// itself. ToLower walks a text with any non-ASCII byte rune by rune and
// copies it; this walk was a third of ForReply's time per explained line.
func lowerNeedleText(s string) string {
	upper, lead := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c == 0xC4 || c == 0xE2: // lead bytes of U+0130 and U+212A
			lead = true
		}
	}
	if lead && (strings.Contains(s, "\u0130") || strings.Contains(s, "\u212a")) {
		return strings.ToLower(s)
	}
	if !upper {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func anyMarker(l string, needles []string) bool {
	for _, n := range needles {
		if containsWhole(l, n) {
			return true
		}
	}
	return false
}

func allWords(l string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(l, w) {
			return false
		}
	}
	return true
}

// containsWhole finds n in l not directly followed or preceded by a digit
// or dot-digit (so "5.7.26" does not match "5.7.260" or "15.7.26").
func containsWhole(l, n string) bool {
	for from := 0; from <= len(l)-len(n); {
		i := strings.Index(l[from:], n)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(n)
		before := i == 0 || !isDigit(l[i-1]) && l[i-1] != '.'
		after := end == len(l) || !isDigit(l[end]) && !(l[end] == '.' && end+1 < len(l) && isDigit(l[end+1]))
		if before && after {
			return true
		}
		from = i + 1
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
