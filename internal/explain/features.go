package explain

import (
	"sync"

	"github.com/mxprobe/mxprobe/internal/provider"
	"github.com/mxprobe/mxprobe/internal/provider/acmatch"
	"github.com/mxprobe/mxprobe/internal/statuscode"
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
	tRcptEvidence
	tProvCode
)

type acTarget struct {
	kind   targetKind
	reason Reason
	weak   bool
	pair   int // >0: pair number; part 0 is the first half, 1 the second
	part   int
	idx    int // rule needle, provider needle, command marker or hint bit
}

// Literals that mark a reply as one given at or after RCPT (a transcript
// that goes on after a rejected recipient), and literals whose presence
// means a provider's own error code may be in the text (provider_codes.go).
var (
	rcptEvidencePhrases = []string{"no valid recipients", "need rcpt", "no recipients specified", "rcpt commands were rejected"}
	provCodePhrases     = []string{"ofr", "lpn", "ouk_", "aup#"}
)

var transientWords = []string{"temporar", "try again later", "try later", "will be retried", "delayed", "deferred",
	"greylist", "vorübergehend", "später erneut"}

const maxRuleNeedles = 256

// maxPairs bounds the "a … b" phrase pairs (one slot each per scan).
const maxPairs = 32

type features struct {
	// norm is the normalised (lower-case) reply text; it points into a
	// pooled buffer and is valid only while build runs.
	norm         string
	strong, weak Reason
	rule         [maxRuleNeedles]bool
	prov         [256]bool
	cmd          int // 1 + index of the first matching commandMarkers entry, 0 = none
	transient    bool
	hints        statuscode.Hints
	// rcptEvidence: the text shows the rejection came at RCPT.
	rcptEvidence bool
	// provCodeHint: a provider's own error code may be present.
	provCodeHint bool
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
			panic("explain: too many phrase pairs")
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
			panic("explain: too many provider rule needles")
		}
		pn := provider.TextNeedles()
		if len(pn) > len(features{}.prov) {
			panic("explain: too many provider needles")
		}
		for i, p := range pn {
			add(p, acTarget{kind: tProvider, idx: i})
		}
		for i, cm := range statuscode.CommandMarkers {
			add(cm.Marker, acTarget{kind: tCommand, idx: i})
		}
		for _, w := range transientWords {
			add(w, acTarget{kind: tTransient})
		}
		for _, h := range statuscode.HintPhrases {
			add(h.Text, acTarget{kind: tHint, idx: int(h.Bit)})
		}
		for _, p := range rcptEvidencePhrases {
			add(p, acTarget{kind: tRcptEvidence})
		}
		for _, p := range provCodePhrases {
			add(p, acTarget{kind: tProvCode})
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
			f.hints |= statuscode.Hints(t.idx)
		case tRcptEvidence:
			f.rcptEvidence = true
		case tProvCode:
			f.provCodeHint = true
		}
	})
	if f.provCodeHint {
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

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}
