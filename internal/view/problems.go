package view

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
)

// explained is an unsuccessful server reply and its explanation, as the
// problem builder needs it (filled from check.Explanation).
type explained struct {
	Where       string
	Session     string
	Line        string
	Title       i18n.Text
	Description i18n.Text
	Advice      []i18n.Text
}

// maxEvidence bounds the evidence lines of one problem outside Verbose.
const maxEvidence = 5

// problemSet builds the problems and notes of a report from its findings.
type problemSet struct {
	incomplete bool
	mode       Mode
	replies    []explained
}

// build groups findings by id (one block for all broken block-list zones,
// one line for N hosts without TLSA …), links replies and causes, and orders
// the problems by the rules in rank.go.
func (s problemSet) build(fs []report.Finding, lead *Problem) (problems []Problem, notes, passed []Note) {
	var order []string
	byID := map[string][]report.Finding{}
	for _, f := range fs {
		key := f.ID + "\x00" + string(f.Severity)
		if _, ok := byID[key]; !ok {
			order = append(order, key)
		}
		byID[key] = append(byID[key], f)
	}
	var rs []ranked
	if lead != nil {
		rs = append(rs, ranked{p: *lead, row: -1})
	}
	for i, key := range order {
		group := byID[key]
		f := group[0]
		if f.Severity.Rank() < report.Warn.Rank() {
			n := s.note(group)
			if f.Severity == report.OK {
				passed = append(passed, n)
			} else {
				notes = append(notes, n)
			}
			continue
		}
		p := s.problem(group)
		rule, row, pos := rankOf(f.ID, s.incomplete)
		p.Rule = rule
		rs = append(rs, ranked{p: p, row: row, pos: pos, seq: i})
	}
	sortProblems(rs)
	sortNotes(notes, s.incomplete)
	sortNotes(passed, s.incomplete)
	for _, r := range rs {
		problems = append(problems, r.p)
	}
	problems = linkCauses(mergeRestated(mergeSpecific(problems)))
	if s.mode != Verbose {
		// The reply's own step says what to do about the cause; the
		// cause's general advice only with -v.
		for i := range problems {
			if c := problems[i].Cause; c != nil && len(problems[i].Advice) > 0 {
				c.Advice = nil
			}
		}
	}
	return problems, notes, passed
}

// mergeRestated folds a problem whose detail another problem's detail
// quotes in full (spf.permerror "… is a permerror: <the loop>" and
// spf.include_loop "<the loop>") into one: the specific title, the full
// detail, both ids and both advice texts, at the better place.
func mergeRestated(ps []Problem) []Problem {
	for i := 0; i < len(ps); i++ {
		for j := 0; j < len(ps); j++ {
			a, b := ps[i], ps[j]
			if i == j || a.Reply != "" || b.Reply != "" || b.Detail.EN == "" || a.Detail.EN == b.Detail.EN ||
				!strings.Contains(a.Detail.EN, b.Detail.EN) || !strings.Contains(a.Detail.DE, b.Detail.DE) {
				continue
			}
			m := b
			m.Rule, m.Severity, m.Detail = a.Rule, a.Severity, a.Detail
			m.IDs = append(append([]string{}, b.IDs...), a.IDs...)
			m.Advice = append(append([]i18n.Text{}, b.Advice...), a.Advice...)
			m.Evidence = append(append([]string{}, b.Evidence...), a.Evidence...)
			lo, hi := min(i, j), max(i, j)
			ps[lo] = m
			ps = append(ps[:hi], ps[hi+1:]...)
			i = -1
			break
		}
	}
	return ps
}

// specificOf names, for a general finding, the specific findings that state
// the same fact more precisely: every untrusted certificate carries
// tls.cert_invalid (a contract for CI users who grep one id) next to
// tls.self_signed or tls.name_mismatch.
var specificOf = map[string][]string{
	"tls.cert_invalid": {"tls.self_signed", "tls.name_mismatch"},
}

// mergeSpecific folds a general problem into the specific one that says the
// same thing: one problem, the specific title and advice, both ids.
func mergeSpecific(ps []Problem) []Problem {
	for i := 0; i < len(ps); i++ {
		for _, id := range specificOf[ps[i].ID] {
			j := indexOf(ps, id)
			if j < 0 {
				continue
			}
			ps[j].IDs = append(append([]string{}, ps[j].IDs...), ps[i].IDs...)
			if ps[i].Severity.Rank() > ps[j].Severity.Rank() {
				ps[j].Severity = ps[i].Severity
			}
			ps = append(ps[:i], ps[i+1:]...)
			i--
			break
		}
	}
	return ps
}

// problem folds the findings of one id into one problem.
func (s problemSet) problem(group []report.Finding) Problem {
	f := group[0]
	d, _ := report.Lookup(f.ID)
	p := Problem{ID: f.ID, IDs: []string{f.ID}, Severity: f.Severity, Title: d.Title, Detail: f.Detail}
	adv := d.Advice
	if !f.Advice.IsZero() {
		adv = f.Advice
	}
	if len(group) > 1 {
		p.Detail = groupedDetail(group)
	}
	if e, ok := s.replyOf(f); ok {
		// The reply tells more than the finding: its explanation is the
		// gist, its steps the advice; the full reply is shown once in
		// Report.Replies.
		p.line = e.Line
		p.Code, p.Reply = splitCodes(e.Line)
		p.Reply = ShortReply(p.Reply, 70)
		p.Detail = i18n.Text{}
		if len(e.Advice) > 0 {
			// The first step here, the explanation and the other steps
			// with the full reply (Report.Replies).
			p.Advice = e.Advice[:1]
		} else if !adv.IsZero() {
			p.Advice = []i18n.Text{adv}
		}
	} else if !adv.IsZero() {
		p.Advice = []i18n.Text{adv}
	}
	for _, g := range group {
		for _, ev := range g.Evidence {
			if s.isReply(ev) {
				continue
			}
			p.Evidence = appendUnique(p.Evidence, ev)
		}
	}
	if len(group) > 1 {
		p.Evidence = nil
		for _, g := range group {
			p.Evidence = appendUnique(p.Evidence, firstOr(g.Evidence, g.Detail.EN))
		}
	}
	if s.mode != Verbose && len(group) == 1 {
		// Outside -v evidence names the members of a group only.
		p.Evidence = nil
	}
	if s.mode != Verbose && len(p.Evidence) > maxEvidence {
		p.More = len(p.Evidence) - maxEvidence
		p.Evidence = p.Evidence[:maxEvidence]
	}
	return p
}

// groupedDetail says how many findings a group holds and keeps the detail
// of the first (the members are the evidence).
func groupedDetail(group []report.Finding) i18n.Text {
	n, first := len(group), group[0].Detail
	return i18n.Text{
		EN: fmt.Sprintf("%d cases (listed below); the first: %s", n, first.EN),
		DE: fmt.Sprintf("%d Fälle (unten aufgeführt); der erste: %s", n, first.DE),
	}
}

func firstOr(xs []string, def string) string {
	if len(xs) > 0 {
		return xs[0]
	}
	return def
}

func (s problemSet) note(group []report.Finding) Note {
	f := group[0]
	d, _ := report.Lookup(f.ID)
	n := Note{ID: f.ID, Severity: f.Severity, Title: d.Title, Detail: f.Detail}
	if len(group) > 1 {
		n.Detail = groupedDetail(group)
	}
	if factEvidence[f.ID] {
		return n
	}
	for _, g := range group {
		for _, ev := range g.Evidence {
			if !s.isReply(ev) {
				n.Evidence = appendUnique(n.Evidence, ev)
			}
		}
	}
	return n
}

// factEvidence are findings whose evidence the fact lines show already
// (the MX hosts with their addresses; the hosts without TLSA; the
// operator's help pages, in the reader's language under "Operator"): their
// evidence is not repeated.
var factEvidence = map[string]bool{"mx.ok": true, "dane.none": true, "provider.identified": true}

// replyOf finds the explained reply a finding quotes (its first evidence).
func (s problemSet) replyOf(f report.Finding) (explained, bool) {
	if len(f.Evidence) == 0 {
		return explained{}, false
	}
	for _, e := range s.replies {
		if e.Line == f.Evidence[0] {
			return e, true
		}
	}
	return explained{}, false
}

func (s problemSet) isReply(line string) bool {
	for _, e := range s.replies {
		if e.Line == line {
			return true
		}
	}
	return false
}

// linkCauses attaches to a refusal the sender problem its reply names (the
// missing PTR of "550 … no PTR record") and moves the refusal to the better
// of the two places: a cause beats its symptoms, and the cause is listed
// once, with the refusal.
func linkCauses(ps []Problem) []Problem {
	for i := 0; i < len(ps); i++ {
		p := ps[i]
		if p.line == "" || !isRefusal(p.ID) || p.Cause != nil {
			continue
		}
		j := -1
		for _, id := range causeIDs(p.line) {
			if k := indexOf(ps, id); k >= 0 && k != i {
				j = k
				break
			}
		}
		if j < 0 {
			continue
		}
		cause := ps[j]
		p.Cause = &cause
		p.IDs = append(append([]string{}, p.IDs...), cause.IDs...)
		rest := make([]Problem, 0, len(ps))
		for k, q := range ps {
			if k != i && k != j {
				rest = append(rest, q)
			}
		}
		at := min(i, j)
		ps = append(append(rest[:at:at], p), rest[at:]...)
		i = at
	}
	return ps
}

func indexOf(ps []Problem, id string) int {
	for i, p := range ps {
		if p.ID == id {
			return i
		}
	}
	return -1
}

func appendUnique(xs []string, x string) []string {
	if x == "" {
		return xs
	}
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

var reCodes = regexp.MustCompile(`^([2-5]\d\d)(?:[ -]([245]\.\d{1,3}\.\d{1,3}))?\s*`)

// splitCodes splits a reply line into its codes ("550 5.7.1") and its text.
func splitCodes(line string) (codes, text string) {
	m := reCodes.FindStringSubmatch(line)
	if m == nil {
		return "", line
	}
	return strings.TrimSpace(m[1] + " " + m[2]), line[len(m[0]):]
}

var (
	reLeadAddr  = regexp.MustCompile(`^<[^<>\s]*>:\s*`)
	reURL       = regexp.MustCompile(`\s*\(?https?://\S+`)
	reSentence  = regexp.MustCompile(`[.!?;](\s|$)`)
	reTokenCode = regexp.MustCompile(`\((?:[A-Z]{1,4}\d{2,6}|[A-Z]{2}:[A-Z0-9]{1,4})\)|\bRE:R\d\b|#[a-z][a-z0-9-]+`)
)

// ShortReply shortens a server reply to what matters in a headline: the
// codes and the first sentence, plus a provider's reference code from
// later in the text ("(S3150)"), at most max runes. The full reply is shown
// elsewhere in the view.
func ShortReply(line string, max int) string {
	line = strings.Join(strings.Fields(line), " ")
	if m := reLeadAddr.FindStringIndex(line); m != nil && m[1] < len(line) {
		// Postfix style "<rcpt>: Recipient address rejected: …": the
		// address is known from the context.
		line = line[m[1]:]
	}
	if utf8.RuneCountInString(line) <= max {
		return line
	}
	text := reURL.ReplaceAllString(line, "")
	first := text
	if loc := reSentence.FindStringIndex(text[min(len(text), 12):]); loc != nil {
		first = text[:loc[0]+12+1]
	}
	tail := ""
	if code := reTokenCode.FindString(text[len(first):]); code != "" && !strings.Contains(first, code) && utf8.RuneCountInString(code) <= max/3 {
		tail = " … " + code
	}
	budget := max - utf8.RuneCountInString(tail)
	if r := []rune(first); len(r) > budget {
		first = strings.TrimSpace(string(r[:budget-1])) + "…"
	} else if tail == "" && first != text {
		first += " …"
	}
	if r := []rune(first + tail); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return first + tail
}

// briefBelowLead marks problems as brief: the default view names them in
// one line each. In full stay the lead and the problems of the highest
// severity present (all fail ones when there are any; an incomplete run's
// warn lead stays in full too); -q and -v show every problem in full.
func briefBelowLead(ps []Problem) {
	top := 0
	for _, p := range ps {
		top = max(top, p.Severity.Rank())
	}
	for i := 1; i < len(ps); i++ {
		ps[i].Brief = ps[i].Severity.Rank() < top
	}
}
