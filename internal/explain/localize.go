package explain

import (
	"github.com/mxprobe/mxprobe/internal/i18n"
)

// Localized is an explanation rendered into one language: the JSON shape
// of `mxprobe explain --format json` (a public contract, docs/json.md).
// encoding/json of a Localized and Explanation.AppendJSON give the same
// bytes (TestAppendJSONMatchesEncodingJSON).
type Localized struct {
	Input         string         `json:"input"`
	Reply         string         `json:"reply,omitempty"`
	ReplyCode     *int           `json:"reply_code"`
	EnhancedCode  *string        `json:"enhanced_code"`
	Class         string         `json:"class,omitempty"`
	ClassTitle    string         `json:"class_title,omitempty"`
	Subject       *SubjectText   `json:"subject,omitempty"`
	Detail        *DetailText    `json:"detail,omitempty"`
	Registered    bool           `json:"registered"`
	Basic         *BasicText     `json:"basic,omitempty"`
	Reference     string         `json:"reference,omitempty"`
	Bounce        string         `json:"bounce"`
	Reason        Reason         `json:"reason"`
	ReasonSource  string         `json:"reason_source"`
	Provider      *ProviderText  `json:"provider,omitempty"`
	Consistent    bool           `json:"consistent"`
	Inconsistency string         `json:"inconsistency,omitempty"`
	Responsible   string         `json:"responsible"`
	Actionable    ActionableText `json:"actionable"`
	Title         string         `json:"title"`
	Description   string         `json:"description"`
	Advice        []string       `json:"advice"`
	Command       string         `json:"command,omitempty"`
	RemoteHost    string         `json:"remote_host,omitempty"`
	RemoteIP      string         `json:"remote_ip,omitempty"`
	// Rules are the published sender rules the reply names.
	Rules []RuleRef `json:"rules,omitempty"`
}

// SubjectText is SubjectInfo in one language.
type SubjectText struct {
	Number      int    `json:"number"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

// DetailText is DetailInfo in one language.
type DetailText struct {
	Title       string `json:"title"`
	Description string `json:"description"`
}

// BasicText is BasicInfo in one language.
type BasicText struct {
	Code        int    `json:"code"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Reference   string `json:"reference,omitempty"`
}

// ProviderText is ProviderInfo in one language.
type ProviderText struct {
	Name     string         `json:"name"`
	Kind     string         `json:"kind,omitempty"`
	Display  string         `json:"display"`
	Evidence string         `json:"evidence,omitempty"`
	Rule     string         `json:"rule,omitempty"`
	Meaning  string         `json:"meaning,omitempty"`
	Tags     []string       `json:"tags,omitempty"`
	Guidance []GuidanceText `json:"guidance,omitempty"`
}

// GuidanceText is a provider.Guidance in one language.
type GuidanceText struct {
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
	Text  string `json:"text"`
}

// ActionableText is Actionable in one language.
type ActionableText struct {
	Level string `json:"level"`
	By    string `json:"by"`
	Text  string `json:"text"`
}

// Localize renders x in lang.
func (x Explanation) Localize(lang i18n.Lang) Localized {
	l := Localized{
		Input: x.Input, Reply: x.Reply, ReplyCode: x.ReplyCode, EnhancedCode: x.EnhancedCode,
		Class: x.Class, ClassTitle: x.ClassTitle.In(lang), Registered: x.Registered, Reference: x.Reference,
		Bounce: x.Bounce, Reason: x.Reason, ReasonSource: x.ReasonSource, Consistent: x.Consistent,
		Inconsistency: x.Inconsistency.In(lang), Responsible: x.Responsible,
		Actionable: ActionableText{Level: x.Actionable.Level, By: x.Actionable.By, Text: x.Actionable.Text.In(lang)},
		Title:      x.Title.In(lang), Description: x.Description.In(lang),
		Command: x.Command, RemoteHost: x.RemoteHost, RemoteIP: x.RemoteIP, Rules: x.Rules,
	}
	if s := x.Subject; s != nil {
		l.Subject = &SubjectText{Number: s.Number, Title: s.Title.In(lang), Description: s.Description.In(lang)}
	}
	if d := x.Detail; d != nil {
		l.Detail = &DetailText{Title: d.Title.In(lang), Description: d.Description.In(lang)}
	}
	if b := x.Basic; b != nil {
		l.Basic = &BasicText{Code: b.Code, Title: b.Title.In(lang), Description: b.Description.In(lang), Reference: b.Reference}
	}
	if p := x.Provider; p != nil {
		pt := &ProviderText{Name: p.Name, Kind: p.Kind, Display: p.Display, Evidence: p.Evidence, Rule: p.Rule,
			Meaning: p.Meaning.In(lang), Tags: p.Tags}
		for _, g := range p.Guidance {
			pt.Guidance = append(pt.Guidance, GuidanceText{Title: g.Title.In(lang), URL: g.URL, Text: g.Text.In(lang)})
		}
		l.Provider = pt
	}
	if x.Advice != nil {
		l.Advice = make([]string, len(x.Advice))
		for i, a := range x.Advice {
			l.Advice[i] = a.In(lang)
		}
	}
	return l
}
