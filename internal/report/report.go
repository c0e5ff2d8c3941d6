// Package report holds findings — the unit every check contributes — and the
// public registry of finding ids. Checks build findings; renderers localise them.
package report

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/mxprobe/mxprobe/internal/i18n"
)

// Severity of a finding. Order: ok < info < warn < fail.
type Severity string

const (
	OK   Severity = "ok"
	Info Severity = "info"
	Warn Severity = "warn"
	Fail Severity = "fail"
)

// Rank orders severities; unknown values rank as info.
func (s Severity) Rank() int {
	switch s {
	case OK:
		return 0
	case Info:
		return 1
	case Warn:
		return 2
	case Fail:
		return 3
	}
	return 1
}

// ParseSeverity parses a --fail-on value.
func ParseSeverity(s string) (Severity, bool) {
	switch Severity(strings.ToLower(s)) {
	case OK, Info, Warn, Fail:
		return Severity(strings.ToLower(s)), true
	}
	return "", false
}

// Def is the registered definition of a finding id: its default severity and
// its bilingual title and advice. Ids are a public contract (CI users grep them).
type Def struct {
	ID       string
	Severity Severity
	Title    i18n.Text
	Advice   i18n.Text
}

var (
	regMu sync.RWMutex
	reg   = map[string]Def{}
)

// Register adds finding definitions; packages call it from init. A duplicate
// id panics at start-up (a programming error caught by every test run).
func Register(defs ...Def) {
	regMu.Lock()
	defer regMu.Unlock()
	for _, d := range defs {
		if _, dup := reg[d.ID]; dup {
			panic("report: duplicate finding id " + d.ID)
		}
		reg[d.ID] = d
	}
}

// Lookup returns the definition of id.
func Lookup(id string) (Def, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	d, ok := reg[id]
	return d, ok
}

// All returns every registered definition sorted by id.
func All() []Def {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]Def, 0, len(reg))
	for _, d := range reg {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Finding is one observation of a check, language-neutral. Detail is a
// bilingual sentence with the specifics; Evidence holds raw facts (records,
// reply lines, IPs) that are never translated.
type Finding struct {
	ID       string
	Severity Severity
	Detail   i18n.Text
	Evidence []string
	// Advice overrides the registered advice when set (e.g. provider-specific).
	Advice i18n.Text
}

// New builds a finding with the registered default severity. An unregistered
// id panics: every id must be in the public table.
func New(id string, detail i18n.Text, evidence ...string) Finding {
	d, ok := Lookup(id)
	if !ok {
		panic("report: unregistered finding id " + id)
	}
	return Finding{ID: id, Severity: d.Severity, Detail: detail, Evidence: evidence}
}

// WithSeverity returns a copy with another severity.
func (f Finding) WithSeverity(s Severity) Finding { f.Severity = s; return f }

// WithAdvice returns a copy with specific advice.
func (f Finding) WithAdvice(a i18n.Text) Finding { f.Advice = a; return f }

// Localized is a finding rendered into one language: the JSON shape of
// `findings[]` (id, severity, title, detail, advice, evidence).
type Localized struct {
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	Detail   string   `json:"detail,omitempty"`
	Advice   string   `json:"advice,omitempty"`
	Evidence []string `json:"evidence,omitempty"`
}

// Localize renders f in lang.
func (f Finding) Localize(lang i18n.Lang) Localized {
	d, _ := Lookup(f.ID)
	adv := d.Advice
	if !f.Advice.IsZero() {
		adv = f.Advice
	}
	return Localized{
		ID: f.ID, Severity: f.Severity,
		Title: d.Title.In(lang), Detail: f.Detail.In(lang), Advice: adv.In(lang),
		Evidence: f.Evidence,
	}
}

// LocalizeAll renders and sorts findings: most severe first, then by id.
func LocalizeAll(fs []Finding, lang i18n.Lang) []Localized {
	out := make([]Localized, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.Localize(lang))
	}
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := out[i].Severity.Rank(), out[j].Severity.Rank(); a != b {
			return a > b
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Worst returns the highest severity among fs (OK when empty).
func Worst(fs []Finding) Severity {
	w := OK
	for _, f := range fs {
		if f.Severity.Rank() > w.Rank() {
			w = f.Severity
		}
	}
	return w
}

// Verdict is the overall result word of a report.
type Verdict string

const (
	VerdictOK         Verdict = "ok"
	VerdictWarn       Verdict = "warn"
	VerdictFail       Verdict = "fail"
	VerdictIncomplete Verdict = "incomplete"
)

// VerdictOf derives the verdict from findings; incomplete wins when a check
// could not finish.
func VerdictOf(fs []Finding, incomplete bool) Verdict {
	if incomplete {
		return VerdictIncomplete
	}
	switch Worst(fs) {
	case Fail:
		return VerdictFail
	case Warn:
		return VerdictWarn
	}
	return VerdictOK
}

// Detailf is a convenience for a bilingual detail with the same arguments.
func Detailf(en, de string, args ...any) i18n.Text {
	return i18n.Text{EN: fmt.Sprintf(en, args...), DE: fmt.Sprintf(de, args...)}
}
