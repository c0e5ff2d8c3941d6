package rules

import (
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
)

// Options tune Score.
type Options struct {
	// Bulk: the sender sends bulk mail, so bulk-level rules weigh like
	// all-sender rules (findings at warn instead of info).
	Bulk bool
}

// Requirement is one rule held against the facts.
type Requirement struct {
	Provider    string
	Rule        string
	Level       string
	Status      string // pass, fail, unknown
	Measurement string
	Text        i18n.Text
	Advice      i18n.Text
	Evidence    i18n.Text
	Source      string
	Read        string
}

// Localized is a Requirement in one language: the `requirements[]` items of
// the JSON reports (docs/json.md).
type Localized struct {
	Provider    string `json:"provider"`
	Rule        string `json:"rule"`
	Level       string `json:"level"`
	Status      string `json:"status"`
	Measurement string `json:"measurement"`
	Text        string `json:"text"`
	Evidence    string `json:"evidence"`
	Advice      string `json:"advice,omitempty"`
	Source      string `json:"source"`
	Read        string `json:"read"`
}

// Score holds facts against every rule of books, in book order.
func Score(f Facts, books []Book, _ Options) []Requirement {
	var out []Requirement
	for _, b := range books {
		for _, r := range b.Rules {
			m, ok := Measurements[r.Measure]
			o := notMeasured
			if ok {
				o = m(&f)
			}
			out = append(out, Requirement{Provider: b.Provider, Rule: r.ID, Level: r.Level, Status: o.status,
				Measurement: r.Measure, Text: r.Text, Advice: r.Advice, Evidence: o.evidence, Source: r.SourceURL, Read: r.Read})
		}
	}
	return out
}

// Localize renders requirements in lang; advice only where a rule is not met.
func Localize(rs []Requirement, lang i18n.Lang) []Localized {
	out := make([]Localized, 0, len(rs))
	for _, r := range rs {
		l := Localized{Provider: r.Provider, Rule: r.Rule, Level: r.Level, Status: r.Status, Measurement: r.Measurement,
			Text: r.Text.In(lang), Evidence: r.Evidence.In(lang), Source: r.Source, Read: r.Read}
		if r.Status != StatusPass {
			l.Advice = r.Advice.In(lang)
		}
		out = append(out, l)
	}
	return out
}

// Finding ids (public contract).
const (
	// IDFailed: a rule for all senders is not met.
	IDFailed = "rules.failed"
	// IDBulkFailed: a rule for bulk senders is not met (info unless the
	// sender says it sends bulk mail).
	IDBulkFailed = "rules.bulk_failed"
)

func init() {
	report.Register(report.Def{ID: IDFailed, Severity: report.Warn,
		Title: i18n.T("A receiver's published sender requirement is not met", "Eine veröffentlichte Absender-Anforderung eines Empfängers ist nicht erfüllt"),
		Advice: i18n.T("Fix what the rule names; receivers enforce these rules with rejections or the junk folder.",
			"Beheben Sie, was die Regel nennt; Empfänger setzen diese Regeln mit Ablehnungen oder dem Spam-Ordner durch.")})
	report.Register(report.Def{ID: IDBulkFailed, Severity: report.Info,
		Title: i18n.T("A bulk-sender requirement of a receiver is not met", "Eine Anforderung eines Empfängers an Massenversender ist nicht erfüllt"),
		Advice: i18n.T("It matters once you send bulk mail (e.g. over 5,000 messages a day to one provider); give --bulk to weigh it as a warning.",
			"Das zählt, sobald Sie Massen-Mail versenden (z. B. über 5.000 Nachrichten am Tag an einen Anbieter); mit --bulk wird es als Warnung gewertet.")})
}

// Findings turns failed requirements into findings: all-sender rules at
// warn, bulk rules at info (warn with o.Bulk). Each carries the rule's advice.
func Findings(rs []Requirement, o Options) []report.Finding {
	var out []report.Finding
	for _, r := range rs {
		if r.Status != StatusFail {
			continue
		}
		id := IDFailed
		if r.Level == LevelBulk {
			id = IDBulkFailed
		}
		f := report.New(id, i18n.T(r.Rule+": "+r.Text.EN+" — "+r.Evidence.EN, r.Rule+": "+r.Text.DE+" — "+r.Evidence.DE), r.Rule, r.Source)
		if r.Level == LevelBulk && o.Bulk {
			f.Severity = report.Warn
		}
		f.Advice = r.Advice
		out = append(out, f)
	}
	return out
}
