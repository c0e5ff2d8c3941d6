package statuscode

import (
	"strings"
	"sync"

	"github.com/mxprobe/mxprobe/internal/provider"
	"github.com/mxprobe/mxprobe/internal/provider/acmatch"
)

// One scan of the normalised reply text finds everything the explanation
// needs from it: the reason phrases, the provider rules' and the provider
// recogniser's fragments, the SMTP command markers, transient wording and
// which MTA wrappers may be present. All of it is one Aho-Corasick automaton,
// so the cost per line does not grow with the number of phrases.

type targetKind uint8

const (
	tReason targetKind = iota
	tRule
	tProvider
	tCommand
	tTransient
	tHint
)

type acTarget struct {
	kind   targetKind
	reason Reason
	weak   bool
	pair   int // >0: pair number; part 0 is the first half, 1 the second
	part   int
	idx    int // rule needle, provider needle, command marker or hint bit
}

// Wrapper hints: literals whose absence lets ParseReply skip a regexp.
const (
	hintInReplyTo uint16 = 1 << iota
	hintSaid
	hintExim
	hintGmail
	hintExchange
	hintAfter
	hintRcptEvidence
	hintProvCode // a provider's own error code may be present (provider_codes.go)
	hintAll      = 1<<iota - 1
)

var hintPhrases = []struct {
	text string
	bit  uint16
}{
	{"in reply to", hintInReplyTo}, {"said:", hintSaid}, {"smtp error from remote", hintExim},
	{"other server returned", hintGmail}, {"returned '", hintExchange}, {"remoteserver", hintExchange},
	{"after ", hintAfter}, {"no valid recipients", hintRcptEvidence}, {"need rcpt", hintRcptEvidence},
	{"no recipients specified", hintRcptEvidence}, {"rcpt commands were rejected", hintRcptEvidence},
	{"ofr", hintProvCode}, {"lpn", hintProvCode}, {"ouk_", hintProvCode}, {"aup#", hintProvCode},
}

// hintsOf computes the wrapper hints without the automaton (ParseReply).
func hintsOf(low string) uint16 {
	var h uint16
	for _, p := range hintPhrases {
		if containsStr(low, p.text) {
			h |= p.bit
		}
	}
	return h
}

var transientWords = []string{"temporar", "try again later", "try later", "will be retried", "delayed", "deferred",
	"greylist", "vorübergehend", "später erneut"}

const maxRuleNeedles = 256

// maxPairs bounds the "a … b" phrase pairs (one slot each per scan).
const maxPairs = 32

type features struct {
	strong, weak Reason
	rule         [maxRuleNeedles]bool
	prov         [256]bool
	cmd          int // 1 + index of the first matching commandMarkers entry, 0 = none
	transient    bool
	hints        uint16
	// provCode is the reason a provider's own error code in the text
	// stands for (provider_codes.go); provFirm: it outranks the words.
	provCode Reason
	provFirm bool
}

var (
	acOnce      sync.Once
	acm         *acmatch.Matcher
	acTargets   []acTarget
	ruleNeedles [][]int32 // rule index → needle indices
	reasonBit   map[Reason]uint64
)

func matcher() *acmatch.Matcher {
	acOnce.Do(func() {
		var pats []string
		add := func(p string, t acTarget) {
			pats = append(pats, p)
			acTargets = append(acTargets, t)
		}
		reasonBit = map[Reason]uint64{}
		pairN := 0
		for i, r := range reasonPriority {
			reasonBit[r] = 1 << uint(i)
			ps := reasonPhrases[r]
			for _, p := range ps.strong {
				add(p, acTarget{kind: tReason, reason: r})
			}
			for _, p := range ps.weak {
				add(p, acTarget{kind: tReason, reason: r, weak: true})
			}
			for _, pr := range ps.pairs {
				pairN++
				add(pr[0], acTarget{kind: tReason, reason: r, pair: pairN, part: 0})
				add(pr[1], acTarget{kind: tReason, reason: r, pair: pairN, part: 1})
			}
		}
		if pairN > maxPairs {
			panic("statuscode: too many phrase pairs")
		}
		idx := map[string]int{}
		ruleNeedles = make([][]int32, len(providerRules))
		for i, pr := range providerRules {
			for _, t := range pr.Text {
				n, ok := idx[t]
				if !ok {
					n = len(idx)
					idx[t] = n
					add(t, acTarget{kind: tRule, idx: n})
				}
				ruleNeedles[i] = append(ruleNeedles[i], int32(n))
			}
		}
		if len(idx) > maxRuleNeedles {
			panic("statuscode: too many provider rule needles")
		}
		pn := provider.TextNeedles()
		if len(pn) > len(features{}.prov) {
			panic("statuscode: too many provider needles")
		}
		for i, p := range pn {
			add(p, acTarget{kind: tProvider, idx: i})
		}
		for i, cm := range commandMarkers {
			add(cm.marker, acTarget{kind: tCommand, idx: i})
		}
		for _, w := range transientWords {
			add(w, acTarget{kind: tTransient})
		}
		for _, h := range hintPhrases {
			add(h.text, acTarget{kind: tHint, idx: int(h.bit)})
		}
		acm = acmatch.Build(pats)
	})
	return acm
}

// scanFeatures scans the normalised (lower-case) text once.
func scanFeatures(lower string, f *features) {
	if lower == "" {
		return
	}
	m := matcher()
	var sBits, wBits uint64
	var pairSeen [maxPairs]int
	m.Scan(lower, func(p int32, end int) {
		t := &acTargets[p]
		switch t.kind {
		case tReason:
			if t.pair > 0 {
				i := t.pair - 1
				if t.part == 0 {
					if pairSeen[i] == 0 {
						pairSeen[i] = end
					}
					return
				}
				if pairSeen[i] == 0 || pairSeen[i] > end-m.Len(p) {
					return
				}
			}
			if t.weak {
				wBits |= reasonBit[t.reason]
			} else {
				sBits |= reasonBit[t.reason]
			}
		case tRule:
			f.rule[t.idx] = true
		case tProvider:
			f.prov[t.idx] = true
		case tCommand:
			if f.cmd == 0 || t.idx+1 < f.cmd {
				f.cmd = t.idx + 1
			}
		case tTransient:
			f.transient = true
		case tHint:
			f.hints |= uint16(t.idx)
		}
	})
	if f.hints&hintProvCode != 0 {
		f.provCode, f.provFirm = providerCodeReason(lower)
	}
	for i, r := range reasonPriority {
		if sBits&(1<<uint(i)) != 0 && f.strong == "" {
			f.strong = r
		}
		if wBits&(1<<uint(i)) != 0 && f.weak == "" {
			f.weak = r
		}
	}
}

func containsStr(s, sub string) bool { return strings.Contains(s, sub) }
