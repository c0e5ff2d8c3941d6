package rules

import (
	"slices"
	"strings"
	"sync"

	"github.com/mxprobe/mxprobe/internal/provider/acmatch"
)

// replyRule joins a marker in a receiver's reply (or bounce) to the rules
// it names. All needles are lower case; a marker matches when any needle
// occurs (codes only as whole codes, not inside a longer number), and when
// every word of also occurs as well.
type replyRule struct {
	needles []string
	also    []string
	rules   []string
	marks   uint64 // bits of needles in needleMatcher (set when it is built)
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
	l := strings.ToLower(reply)
	found := needlesIn(l)
	if found == 0 {
		return nil
	}
	var out []string
	for _, rr := range replyRules {
		if rr.marks&found == 0 || !allWords(l, rr.also) {
			continue
		}
		for _, id := range rr.rules {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// needleMatcher finds every needle of replyRules in one pass over a reply
// (the explainer asks for each line of a log, so one strings.Index per
// needle cost more than the rest of the lookup); it also sets each rule's
// marks, the bit of every needle it names.
var needleMatcher = sync.OnceValue(func() *acmatch.Matcher {
	var pats []string
	for i := range replyRules {
		rr := &replyRules[i]
		for _, n := range rr.needles {
			k := slices.Index(pats, n)
			if k < 0 {
				k = len(pats)
				pats = append(pats, n)
			}
			rr.marks |= 1 << k
		}
	}
	if len(pats) > 64 {
		panic("rules: more than 64 reply needles; widen replyRule.marks")
	}
	return acmatch.Build(pats)
})

// needlesIn returns the bits of the needles that occur in l as whole codes
// (wholeAt).
func needlesIn(l string) uint64 {
	m := needleMatcher()
	var found uint64
	m.Scan(l, func(p int32, end int) {
		if wholeAt(l, end-m.Len(p), end) {
			found |= 1 << p
		}
	})
	return found
}

func allWords(l string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(l, w) {
			return false
		}
	}
	return true
}

// wholeAt reports whether l[i:end] is not directly preceded or followed by
// a digit or dot-digit (so "5.7.26" does not match "5.7.260" or "15.7.26").
func wholeAt(l string, i, end int) bool {
	before := i == 0 || !isDigit(l[i-1]) && l[i-1] != '.'
	after := end == len(l) || !isDigit(l[end]) && !(l[end] == '.' && end+1 < len(l) && isDigit(l[end+1]))
	return before && after
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
