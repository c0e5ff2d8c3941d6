// Package view turns a typed report (check, dns) into what a person reads:
// the verdict, the most important cause with what to do, the other problems
// in order of importance, the facts in short, each server reply once in
// full, and — on request — every host and transcript. The view decides what
// to show and in which order (docs/report.md has the rules); the renderers in
// text.go only draw it and never change a report.
//
// Every text in a view is a language pair (i18n.Text): one view renders in
// English and in German.
package view

import (
	"github.com/mxprobe/mxprobe/internal/render"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
)

// Mode is how much a view shows.
type Mode int

const (
	// Default is the answer-first view: verdict, the lead cause and what to
	// do, the other problems, the facts in short, each reply once.
	Default Mode = iota
	// Quiet shows the verdict and the problems only (at most 8 lines each).
	Quiet
	// Verbose shows everything: every host, every finding with its
	// evidence, the transcripts.
	Verbose
)

// Options choose what a view holds.
type Options struct {
	Mode Mode
	// Transcript adds the SMTP transcripts (always in Verbose).
	Transcript bool
	// ProofShown: the command prints the delivery proof (evidence per
	// probe) after the report, so the delivery findings here keep their
	// title and advice only, and the probes' info/ok notes are left out.
	ProofShown bool
}

// Report is one rendered-to-be report.
type Report struct {
	// Command and Target form the first line ("mxprobe check example.org").
	Command string
	Target  string
	// Context is the short parenthesis after the target (RCPT, duration).
	Context i18n.Text
	Verdict report.Verdict
	// Error is why the target could not be checked at all.
	Error i18n.Text
	// Problems are the warn/fail findings (and, for an incomplete run, its
	// reason) in the order of docs/report.md; Problems[0] is the lead.
	Problems []Problem
	// Sections are the facts (destination, sender, policy).
	Sections []Section
	// Replies are the unsuccessful server replies, each once, in full,
	// with their explanation.
	Replies []Reply
	// Notes are the info findings, one title each, or with detail and
	// evidence when FullNotes is set (-v).
	Notes     []Note
	FullNotes bool
	// Passed are the ok findings (Verbose only).
	Passed []Note
	// Tables are preformatted blocks (-v: the rulebook scorecard).
	Tables []Table
	// Transcripts are the SMTP dialogues (Verbose or --transcript).
	Transcripts []Transcript
	// Limit is the Quiet budget: lines per problem (0: no limit).
	Limit int
}

// Problem is one problem, or several findings that share one cause.
type Problem struct {
	// ID is the finding id (the first one of a group); IDs all of a group.
	ID  string
	IDs []string
	// Rule names the ranking rule that placed it (docs/report.md).
	Rule     string
	Severity report.Severity
	Title    i18n.Text
	Detail   i18n.Text
	// Code and Reply are the server reply that shows the problem: its
	// codes, and its text shortened to what matters (the full reply is in
	// Report.Replies).
	Code  string
	Reply string
	// line is the full reply (for the cause rules).
	line string
	// Advice is what to do, most useful first.
	Advice []i18n.Text
	// Cause is a finding that explains this problem (e.g. the missing PTR
	// a rejection names); it is not listed on its own.
	Cause *Problem
	// Evidence are raw facts, deduplicated and bounded; More counts the
	// ones left out.
	Evidence []string
	More     int
	// Brief: shown as its title line only (the default view does this for
	// problems less severe than the lead; -q and -v show them in full).
	Brief bool
}

// Section is a titled block of fact lines.
type Section struct {
	Title i18n.Text
	Lines []Line
}

// Line is one fact: a short label and its text; Sub lines are indented
// under it.
type Line struct {
	Label i18n.Text
	Text  i18n.Text
	Dim   bool
	Sub   []Line
}

// Reply is one unsuccessful server reply with its explanation.
type Reply struct {
	// Where names the command and host ("RCPT TO → mx.example.org").
	Where string
	Line  string
	Title i18n.Text
	// Description explains the reply; Advice are the steps not already
	// shown with a problem.
	Description i18n.Text
	Advice      []i18n.Text
	// More counts the further steps left out (-v shows them).
	More int
	// Also names other sessions that got the same reply.
	Also []i18n.Text
}

// Note is a one-line finding (info or ok).
type Note struct {
	ID       string
	Severity report.Severity
	Title    i18n.Text
	Detail   i18n.Text
	Evidence []string
}

// Table is a titled preformatted block, one text per language.
type Table struct {
	Title i18n.Text
	Body  i18n.Text
}

// Transcript is one SMTP dialogue.
type Transcript struct {
	Title i18n.Text
	Lines []string
}

// ModeFor maps the global -q and -v flags to a mode (-v wins).
func ModeFor(quiet, verbose bool) Mode {
	switch {
	case verbose:
		return Verbose
	case quiet:
		return Quiet
	}
	return Default
}

// StylerFor is the one styler of a stream: colour as the command layer
// decided it (a terminal, no NO_COLOR, no --no-color), the terminal's width
// when out is one, else 80.
func StylerFor(out any, color, tty bool) render.Styler {
	st := render.Styler{Color: color}
	if tty {
		st.Width = render.TerminalWidth(out)
	}
	return st
}
