// Package render holds the small text-rendering helpers every command shares:
// severity labels (coloured only when asked), wrapping at 80 columns and JSON
// encoding. Renderers never decide anything; they print typed results.
package render

import (
	"encoding/json"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/fatih/color"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
)

// Width is the text width reports are wrapped at.
const Width = 80

// Styler colours text when Color is set and wraps at Width (0: 80, the
// width of a non-terminal). fatih/color's global switch only looks at
// stdout, so every colour object here is forced on or off per call. The
// command layer decides both once per stream: colour only on a terminal
// without NO_COLOR or --no-color, the terminal's width or 80.
type Styler struct {
	Color bool
	Width int
}

// Columns is the width to wrap at: Width, bounded to 40…200, or 80.
func (s Styler) Columns() int {
	switch {
	case s.Width == 0:
		return Width
	case s.Width < 40:
		return 40
	case s.Width > 200:
		return 200
	}
	return s.Width
}

func (s Styler) paint(c *color.Color, text string) string {
	if !s.Color {
		return text
	}
	c.EnableColor()
	return c.Sprint(text)
}

// Bold prints a heading.
func (s Styler) Bold(text string) string { return s.paint(color.New(color.Bold), text) }

// Dim prints secondary text.
func (s Styler) Dim(text string) string { return s.paint(color.New(color.Faint), text) }

// Severity prints a fixed-width severity label such as "FAIL".
func (s Styler) Severity(sev report.Severity, lang i18n.Lang) string {
	label := SeverityLabel(sev, lang)
	switch sev {
	case report.Fail:
		return s.paint(color.New(color.FgRed, color.Bold), label)
	case report.Warn:
		return s.paint(color.New(color.FgYellow, color.Bold), label)
	case report.OK:
		return s.paint(color.New(color.FgGreen), label)
	}
	return s.paint(color.New(color.FgCyan), label)
}

// SeverityLabel is the uncoloured, padded label of a severity.
func SeverityLabel(sev report.Severity, lang i18n.Lang) string {
	var t i18n.Text
	switch sev {
	case report.Fail:
		t = i18n.T("FAIL", "FEHLER")
	case report.Warn:
		t = i18n.T("WARN", "WARNUNG")
	case report.OK:
		t = i18n.T("OK", "OK")
	default:
		t = i18n.T("INFO", "INFO")
	}
	return Pad(t.In(lang), 7)
}

// Verdict prints a verdict word coloured by its meaning.
func (s Styler) Verdict(v report.Verdict, lang i18n.Lang) string {
	label := VerdictLabel(v, lang)
	switch v {
	case report.VerdictFail:
		return s.paint(color.New(color.FgRed, color.Bold), label)
	case report.VerdictWarn, report.VerdictIncomplete:
		return s.paint(color.New(color.FgYellow, color.Bold), label)
	}
	return s.paint(color.New(color.FgGreen, color.Bold), label)
}

// VerdictLabel is the human word of a verdict.
func VerdictLabel(v report.Verdict, lang i18n.Lang) string {
	switch v {
	case report.VerdictFail:
		return i18n.T("FAIL — problems that stop or endanger delivery", "FEHLER — Probleme, die die Zustellung verhindern oder gefährden").In(lang)
	case report.VerdictWarn:
		return i18n.T("WARN — delivery works, but with risks", "WARNUNG — Zustellung möglich, aber mit Risiken").In(lang)
	case report.VerdictIncomplete:
		return i18n.T("INCOMPLETE — a check could not finish", "UNVOLLSTÄNDIG — eine Prüfung konnte nicht abgeschlossen werden").In(lang)
	}
	return i18n.T("OK — nothing found that blocks delivery", "OK — nichts gefunden, was die Zustellung verhindert").In(lang)
}

// Pad right-pads s with spaces to n runes.
func Pad(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
}

// Wrap breaks text into lines of at most width runes, each prefixed with
// indent (the first line too). Words longer than the width stay whole.
func Wrap(text string, width int, indent string) string {
	return WrapHang(text, width, indent, indent)
}

// JSON writes v as indented JSON followed by a newline.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// JSONLine writes v as one compact line (NDJSON).
func JSONLine(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// WrapHang wraps text like Wrap but with a different prefix for the first
// line (a hanging indent, e.g. "  · " then "    "). Every line, the first
// and the following ones, stays within width (words longer than a line stay
// whole).
func WrapHang(text string, width int, first, rest string) string {
	var b strings.Builder
	prefix := first
	for pi, para := range strings.Split(text, "\n") {
		if pi > 0 {
			b.WriteByte('\n')
			prefix = rest
		}
		line, n, empty := prefix, utf8.RuneCountInString(prefix), true
		for _, w := range strings.Fields(para) {
			wl := utf8.RuneCountInString(w)
			if !empty && n+1+wl > width {
				b.WriteString(line)
				b.WriteByte('\n')
				prefix = rest
				line, n, empty = prefix, utf8.RuneCountInString(prefix), true
			}
			if !empty {
				line += " "
				n++
			}
			line += w
			n += wl
			empty = false
		}
		b.WriteString(line)
	}
	return b.String()
}

// Tone is the meaning a coloured word carries.
type Tone int

const (
	// Plain is bold without a colour.
	Plain Tone = iota
	// Bad is red (a hard failure).
	Bad
	// Caution is yellow (a temporary failure, a warning).
	Caution
	// Good is green (accepted, passed).
	Good
)

// Toned prints text bold in the colour of its tone.
func (s Styler) Toned(t Tone, text string) string {
	switch t {
	case Bad:
		return s.paint(color.New(color.FgRed, color.Bold), text)
	case Caution:
		return s.paint(color.New(color.FgYellow, color.Bold), text)
	case Good:
		return s.paint(color.New(color.FgGreen, color.Bold), text)
	}
	return s.Bold(text)
}
