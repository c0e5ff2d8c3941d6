package view

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/explain"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/provider"
	"github.com/mxprobe/mxprobe/internal/render"
	"github.com/mxprobe/mxprobe/internal/rules"
)

// Card is the explain card of one explanation, in one language: what a
// person reads after `mxprobe explain`. Explain builds it; ExplainText draws
// it and decides nothing.
type Card struct {
	// Quiet is the one line of -q (bounce, reason, responsible).
	Quiet string
	// Head is the reply (or the input) as given, clipped.
	Head string
	// Title is coloured by Tone (hard red, soft yellow, accepted green).
	Title   string
	Tone    render.Tone
	Summary string
	// Codes are the labelled code lines (reply code, class, subject,
	// detail, provider, tags, context).
	Codes []CardRow
	// Meaning is what the reply means; Disagree why code and text differ.
	Meaning  string
	Disagree string
	// Rules are the published sender rules the reply names
	// (rules.ForReply); when there are any, they take the place of the
	// generic advice (issue 14 item 4).
	Rules  []CardRule
	Advice []string
	// Fixable is "level — text" of "Can the sender fix it alone?".
	Fixable string
	Where   []CardLink
}

// CardRow is one labelled line; Note is wrapped under it (-v).
type CardRow struct {
	Label, Text, Note string
}

// CardRule is a published rule: its id, provider, text and advice in the
// card's language, and where the provider publishes it.
type CardRule struct {
	ID, Provider, Text, Advice, Source string
}

// CardLink is one place to go; Text is shown with -v.
type CardLink struct {
	Title, URL, Text string
}

// CardOptions choose what a card holds.
type CardOptions struct {
	Quiet, Verbose bool
}

var explainRespText = map[string]i18n.Text{
	explain.RespRecipient:     i18n.T("the recipient", "der Empfänger"),
	explain.RespListOwner:     i18n.T("whoever keeps the address list", "wer die Adressliste pflegt"),
	explain.RespSenderAdmin:   i18n.T("the sending side's mail administrator", "der Mailadministrator der Absenderseite"),
	explain.RespReceiverAdmin: i18n.T("the receiving side's mail administrator", "der Mailadministrator der Empfängerseite"),
	explain.RespNobody:        i18n.T("nobody for now (transient or accepted)", "vorerst niemand (vorübergehend oder angenommen)"),
}

var explainBounceText = map[string]i18n.Text{
	"hard":    i18n.T("Hard bounce (permanent failure)", "Endgültig unzustellbar (dauerhafter Fehler)"),
	"soft":    i18n.T("Soft bounce (temporary failure)", "Zurückstellung (vorübergehender Fehler)"),
	"none":    i18n.T("Not a bounce (accepted)", "Keine Unzustellbarkeit (angenommen)"),
	"unknown": i18n.T("Bounce type unknown (no code)", "Art der Unzustellbarkeit unbekannt (kein Code)"),
}

var explainLevelText = map[string]i18n.Text{
	explain.ActHigh:   i18n.T("yes, mostly", "ja, meistens"),
	explain.ActMedium: i18n.T("partly", "teilweise"),
	explain.ActLow:    i18n.T("rarely", "selten"),
	explain.ActNone:   i18n.T("no", "nein"),
}

// BounceTone is the colour of a bounce type.
func BounceTone(bounce string) render.Tone {
	switch bounce {
	case "hard":
		return render.Bad
	case "soft":
		return render.Caution
	case "none":
		return render.Good
	}
	return render.Plain
}

// Explain builds the card of x (already in language l).
func Explain(x explain.Localized, l i18n.Lang, o CardOptions) *Card {
	c := &Card{Quiet: fmt.Sprintf("%s %s %s", x.Bounce, x.Reason, x.Responsible)}
	if o.Quiet {
		return c
	}
	c.Head = x.Input
	if x.Reply != "" {
		c.Head = x.Reply
	}
	c.Head = Clip(c.Head, 2000)
	c.Title, c.Tone = x.Title, BounceTone(x.Bounce)
	c.Summary = explainBounceText[x.Bounce].In(l) + " · " + tr(l, "reason", "Grund") + ": " + string(x.Reason) +
		" · " + tr(l, "responsible", "zuständig") + ": " + explainRespText[x.Responsible].In(l) + " (" + x.Responsible + ")"
	c.Codes = cardCodes(x, l, o.Verbose)
	c.Meaning = x.Description
	if !x.Consistent {
		c.Disagree = x.Inconsistency
	}
	for _, r := range x.Rules {
		if rule, ok := rules.RuleByID(r.ID); ok {
			c.Rules = append(c.Rules, CardRule{ID: r.ID, Provider: r.Provider, Text: rule.Text.In(l), Advice: rule.Advice.In(l), Source: r.Source})
		}
	}
	if len(c.Rules) == 0 {
		c.Advice = x.Advice
	}
	c.Fixable = explainLevelText[x.Actionable.Level].In(l) + " — " + x.Actionable.Text
	if x.Provider != nil {
		for _, g := range x.Provider.Guidance {
			if g.URL != "" && ruleSource(c.Rules, g.URL) {
				continue // named with the rule already
			}
			lk := CardLink{Title: g.Title, URL: g.URL}
			if o.Verbose {
				lk.Text = g.Text
			}
			c.Where = append(c.Where, lk)
		}
	}
	return c
}

func ruleSource(rs []CardRule, url string) bool {
	for _, r := range rs {
		if r.Source == url {
			return true
		}
	}
	return false
}

// cardCodes are the labelled lines of the codes, the provider and the
// context.
func cardCodes(x explain.Localized, l i18n.Lang, verbose bool) []CardRow {
	var rows []CardRow
	add := func(en, de, text string) { rows = append(rows, CardRow{Label: tr(l, en, de), Text: text}) }
	if x.Basic != nil {
		s := strconv.Itoa(x.Basic.Code) + "  " + x.Basic.Title
		if x.Basic.Reference != "" {
			s += " (" + x.Basic.Reference + ")"
		}
		add("Reply code", "Antwortcode", s)
	}
	if x.EnhancedCode != nil {
		if x.ClassTitle != "" {
			add("Class", "Klasse", (*x.EnhancedCode)[:1]+"  "+x.ClassTitle)
		}
		if x.Subject != nil {
			add("Subject", "Themenbereich", strconv.Itoa(x.Subject.Number)+"  "+x.Subject.Title)
		}
		if x.Detail != nil {
			s := *x.EnhancedCode + "  " + x.Detail.Title
			if x.Registered && x.Reference != "" {
				s += " (" + x.Reference + ")"
			}
			add("Detail", "Detail", s)
			if verbose {
				rows[len(rows)-1].Note = x.Detail.Description
			}
		}
	}
	if p := x.Provider; p != nil {
		s := p.Display
		if k := provider.KindText(p.Kind); !k.IsZero() {
			s += " (" + k.In(l) + ")"
		}
		if p.Rule != "" {
			s += " — " + tr(l, "rule", "Regel") + " " + p.Rule
		}
		add("Provider", "Anbieter", s)
		if len(p.Tags) > 0 {
			add("Tags", "Kennungen", strings.Join(p.Tags, " "))
		}
	}
	if x.Command != "" || x.RemoteHost != "" {
		var s string
		if x.Command != "" {
			s = tr(l, "answer to ", "Antwort auf ") + x.Command
		}
		if x.RemoteHost != "" {
			if x.Command != "" {
				s += ", "
			}
			s += x.RemoteHost
			if x.RemoteIP != "" {
				s += " [" + x.RemoteIP + "]"
			}
		}
		add("Context", "Kontext", s)
	}
	return rows
}

// ExplainText draws a card in language l: colour and width come from st
// (the one styler of the stream).
func ExplainText(w io.Writer, c *Card, l i18n.Lang, st render.Styler) error {
	cw := &cardWriter{w: w, width: st.Columns()}
	if c.Head == "" && c.Title == "" {
		cw.line(c.Quiet)
		return cw.err
	}
	cw.line(st.Bold(c.Head))
	cw.nl()
	cw.line("  " + st.Toned(c.Tone, c.Title))
	cw.line("  " + c.Summary)
	cw.nl()
	for _, r := range c.Codes {
		cw.line("  " + render.Pad(r.Label, 14) + r.Text)
		if r.Note != "" {
			cw.wrap(r.Note, "                ", "                ")
		}
	}
	cw.nl()
	cw.line("  " + st.Bold(tr(l, "What it means", "Was es bedeutet")))
	cw.wrap(c.Meaning, "    ", "    ")
	if c.Disagree != "" {
		cw.nl()
		cw.line("  " + st.Toned(render.Caution, tr(l, "Code and text disagree", "Code und Text widersprechen sich")))
		cw.wrap(c.Disagree, "    ", "    ")
	}
	if len(c.Rules) > 0 {
		cw.nl()
		cw.line("  " + st.Bold(tr(l, "The provider's published rule", "Die veröffentlichte Regel des Anbieters")))
		for i, r := range c.Rules {
			cw.line("    " + r.ID)
			cw.wrap(r.Text, "      ", "      ")
			if r.Advice != "" {
				cw.wrap(r.Advice, "      → ", "        ")
			}
			// A source shared by consecutive rules is named once, after them.
			if r.Source != "" && (i == len(c.Rules)-1 || c.Rules[i+1].Source != r.Source) {
				cw.line("    " + tr(l, "Source: ", "Quelle: ") + r.Source)
			}
		}
	}
	if len(c.Advice) > 0 {
		cw.nl()
		cw.line("  " + st.Bold(tr(l, "What to do", "Was zu tun ist")))
		for i, a := range c.Advice {
			p := fmt.Sprintf("    %d. ", i+1)
			cw.wrap(a, p, strings.Repeat(" ", len(p)))
		}
	}
	cw.nl()
	cw.line("  " + st.Bold(tr(l, "Can the sender fix it alone?", "Kann der Absender es allein beheben?")) + " " + c.Fixable)
	if len(c.Where) > 0 {
		cw.nl()
		cw.line("  " + st.Bold(tr(l, "Where to go", "Anlaufstellen")))
		for _, g := range c.Where {
			s := "    - " + g.Title
			if g.URL != "" {
				s += ": " + g.URL
			}
			cw.line(s)
			if g.Text != "" {
				cw.wrap(g.Text, "      ", "      ")
			}
		}
	}
	return cw.err
}

// NoteText draws the short card of a complaint report, auto-reply or junk
// report: a bold title, the text and the advice.
func NoteText(w io.Writer, title, text string, advice []string, st render.Styler) error {
	cw := &cardWriter{w: w, width: st.Columns()}
	cw.line("  " + st.Bold(title))
	cw.wrap(text, "  ", "  ")
	for _, a := range advice {
		cw.wrap(a, "  - ", "    ")
	}
	return cw.err
}

type cardWriter struct {
	w     io.Writer
	width int
	err   error
}

func (c *cardWriter) line(s string) {
	if c.err == nil {
		_, c.err = io.WriteString(c.w, s+"\n")
	}
}

func (c *cardWriter) nl() { c.line("") }

func (c *cardWriter) wrap(s, first, rest string) {
	c.line(render.WrapHang(strings.Join(strings.Fields(s), " "), c.width, first, rest))
}

// ExplainTableHeader writes the header of the --lines table (nothing in
// quiet mode).
func ExplainTableHeader(w io.Writer, l i18n.Lang, st render.Styler) error {
	_, err := io.WriteString(w, st.Bold(render.Pad(tr(l, "LINE", "ZEILE"), 6)+" "+render.Pad("CODE", 4)+" "+render.Pad("STATUS", 8)+" "+
		render.Pad(tr(l, "BOUNCE", "ART"), 7)+" "+render.Pad(tr(l, "REASON", "GRUND"), 15)+" "+
		render.Pad(tr(l, "PROVIDER", "ANBIETER"), 10)+" "+render.Pad(tr(l, "RESPONSIBLE", "ZUSTÄNDIG"), 14)+" "+
		tr(l, "REPLY", "ANTWORT"))+"\n")
	return err
}

// AppendExplainRow appends the table row of line n (fixed ASCII columns,
// so that the table streams) to b.
func AppendExplainRow(b []byte, n int, x *explain.Explanation, st render.Styler) []byte {
	b = appendPad(b, strconv.Itoa(n), 6)
	code, enh, prov := "-", "-", "-"
	if x.ReplyCode != nil {
		code = strconv.Itoa(*x.ReplyCode)
	}
	if x.EnhancedCode != nil {
		enh = *x.EnhancedCode
	}
	if x.Provider != nil {
		prov = x.Provider.Name
	}
	b = appendPad(b, code, 4)
	b = appendPad(b, enh, 8)
	if st.Color {
		b = append(b, st.Toned(BounceTone(x.Bounce), fmt.Sprintf("%-7s", x.Bounce))...)
		b = append(b, ' ')
	} else {
		b = appendPad(b, x.Bounce, 7)
	}
	reason := string(x.Reason)
	if !x.Consistent {
		reason += "*"
	}
	b = appendPad(b, reason, 15)
	b = appendPad(b, prov, 10)
	b = appendPad(b, x.Responsible, 14)
	text := x.Reply
	if text == "" {
		text = x.Input
	}
	b = append(b, Clip(strings.ReplaceAll(strings.ReplaceAll(text, "\r", " "), "\n", " "), 80)...)
	return append(b, '\n')
}

// appendPad appends s padded with spaces to n bytes and a separating space.
func appendPad(b []byte, s string, n int) []byte {
	b = append(b, s...)
	for i := len(s); i < n; i++ {
		b = append(b, ' ')
	}
	return append(b, ' ')
}

// Clip shortens s to n runes with an ellipsis.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	count := 0
	for i := range s {
		if count == n-1 {
			if utf8.RuneCountInString(s[i:]) <= 1 {
				return s
			}
			return s[:i] + "…"
		}
		count++
	}
	return s
}
