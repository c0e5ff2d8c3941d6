package view

import (
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/render"
)

// indent is where a problem's text starts (after the severity label).
const indent = "        "

// Text draws a view for a terminal or a file in one language. It reads v
// and writes w; it decides nothing about what to show.
func Text(w io.Writer, v *Report, l i18n.Lang, st render.Styler) {
	tw := &textWriter{w: w, l: l, st: st, width: st.Columns()}
	tw.head(v)
	for i, p := range v.Problems {
		tw.problem(p, i == 0, v.Limit)
	}
	for i, s := range v.Sections {
		if !s.Title.IsZero() {
			tw.margin = 2
		}
		// Untitled fact blocks follow each other without a blank line.
		if (i == 0 || !s.Title.IsZero()) && len(s.Lines) > 0 {
			tw.blank()
		}
		tw.section(s)
	}
	tw.replies(v.Replies)
	tw.notes(v.Notes, v.Passed, v.FullNotes)
	for _, tb := range v.Tables {
		tw.blank()
		tw.line(st.Bold(tb.Title.In(l)))
		io.WriteString(w, strings.TrimRight(tb.Body.In(l), "\n")+"\n")
		tw.last = false
	}
	for _, t := range v.Transcripts {
		tw.blank()
		tw.line(st.Bold(t.Title.In(l)))
		for _, x := range t.Lines {
			tw.line("  " + x)
		}
	}
}

type textWriter struct {
	w     io.Writer
	l     i18n.Lang
	st    render.Styler
	width int
	// last tells whether the last line written was blank.
	last bool
	// margin is the indent of fact lines (2 under a section title).
	margin int
	// titleLen is the number of lines of the last problem's title.
	titleLen int
}

func (t *textWriter) line(s string) {
	io.WriteString(t.w, s+"\n")
	t.last = s == ""
}

func (t *textWriter) blank() {
	if !t.last {
		t.line("")
	}
}

// wrap writes text wrapped at the width with a first-line and a rest prefix.
func (t *textWriter) wrap(text, first, rest string) {
	for _, l := range wrapLines(text, t.width, first, rest) {
		t.line(l)
	}
}

func wrapLines(text string, width int, first, rest string) []string {
	// Colour escapes in the prefix take no columns.
	width += utf8.RuneCountInString(first) - utf8.RuneCountInString(stripANSI(first))
	return strings.Split(render.WrapHang(text, width, first, rest), "\n")
}

// head is line 1 the verdict, line 2 what was checked.
func (t *textWriter) head(v *Report) {
	l, st := t.l, t.st
	t.line(tr(l, "Verdict: ", "Ergebnis: ") + st.Verdict(v.Verdict, l))
	ctx := "mxprobe " + v.Command + " " + v.Target
	if !v.Context.IsZero() {
		ctx += "  " + v.Context.In(l)
	}
	for _, x := range wrapLines(ctx, t.width, "", "  ") {
		t.line(st.Dim(x))
	}
	if !v.Error.IsZero() {
		t.wrap(v.Error.In(l), "  ", "  ")
	}
}

// problem draws one problem. The lead puts what to do before the detail
// so that cause and advice stand in the first five lines.
func (t *textWriter) problem(p Problem, lead bool, limit int) {
	lines := t.problemLines(p, lead)
	if p.Brief {
		lines = lines[:t.titleLen]
	}
	if limit > 0 && len(lines) > limit {
		lines = append(lines[:limit-1], indent+"…")
	}
	if !lead && !p.Brief {
		t.blank()
	}
	for _, s := range lines {
		t.line(s)
	}
}

func (t *textWriter) problemLines(p Problem, lead bool) []string {
	l, st := t.l, t.st
	title := p.Title.In(l)
	if p.Code != "" {
		title += " (" + p.Code + ")"
	}
	ids := ""
	if own := ownIDs(p); len(own) > 0 {
		ids = "[" + strings.Join(own, ", ") + "]"
		title += " " + ids
	}
	out := t.dimmed(wrapLines(title, t.width, st.Severity(p.Severity, l)+" ", indent), ids)
	t.titleLen = len(out)
	if p.Reply != "" {
		out = append(out, wrapLines(tr(l, "“", "„")+p.Reply+tr(l, "”", "“"), t.width, indent, indent+" ")...)
	}
	detail := func() {
		if !p.Detail.IsZero() {
			out = append(out, wrapLines(p.Detail.In(l), t.width, indent, indent)...)
		}
	}
	if !lead {
		detail()
	}
	for _, a := range p.Advice {
		out = append(out, wrapLines(a.In(l), t.width, indent+"→ ", indent+"  ")...)
	}
	if lead {
		detail()
	}
	if c := p.Cause; c != nil {
		ct := tr(l, "Cause: ", "Ursache: ") + c.Title.In(l) + " [" + c.ID + "]"
		out = append(out, t.dimmed(wrapLines(ct, t.width, indent, indent+"  "), "["+c.ID+"]")...)
		if !c.Detail.IsZero() {
			out = append(out, wrapLines(c.Detail.In(l), t.width, indent+"  ", indent+"  ")...)
		}
		for _, a := range c.Advice {
			out = append(out, wrapLines(a.In(l), t.width, indent+"  → ", indent+"    ")...)
		}
	}
	for _, e := range p.Evidence {
		out = append(out, st.Dim(render.WrapHang(e, t.width, indent+"· ", indent+"  ")))
	}
	if p.More > 0 {
		out = append(out, st.Dim(indent+moreText(p.More, true).In(l)))
	}
	return out
}

// labelWidth is the width of a fact's label column; texts start at
// column 2+labelWidth, sub lines two further per level.
const labelWidth = 13

func (t *textWriter) section(s Section) {
	if len(s.Lines) == 0 {
		return
	}
	if !s.Title.IsZero() {
		t.line(t.st.Bold(s.Title.In(t.l)))
	}
	for _, ln := range s.Lines {
		t.factLine(ln, 0)
	}
}

func (t *textWriter) factLine(ln Line, depth int) {
	col := strings.Repeat(" ", t.margin+labelWidth+2*depth)
	first := col
	if depth == 0 && !ln.Label.IsZero() {
		first = strings.Repeat(" ", t.margin) + render.Pad(ln.Label.In(t.l), labelWidth)
	}
	for _, s := range wrapLines(ln.Text.In(t.l), t.width, first, col+"  ") {
		if ln.Dim {
			s = t.st.Dim(s)
		}
		t.line(s)
	}
	for _, sub := range ln.Sub {
		t.factLine(sub, depth+1)
	}
}

// replies draws each unsuccessful reply once, in full, with the parts of
// its explanation not shown above.
func (t *textWriter) replies(rs []Reply) {
	if len(rs) == 0 {
		return
	}
	l := t.l
	for _, r := range rs {
		t.blank()
		t.wrap(t.st.Bold(tr(l, "Reply to ", "Antwort auf ")+r.Where), "", "  ")
		t.wrap(r.Line, "  ", "  ")
		expl := r.Title.In(l)
		if !r.Description.IsZero() {
			expl += " — " + r.Description.In(l)
		}
		t.wrap(expl, "  ", "  ")
		for _, a := range r.Advice {
			t.wrap(a.In(l), "  → ", "    ")
		}
		if r.More > 0 {
			t.line(t.st.Dim("    " + i18n.Plural(r.More, i18n.Tf("… and %d more step (-v shows all)", "… und %d weiterer Schritt (-v zeigt alle)", r.More),
				i18n.Tf("… and %d more steps (-v shows all)", "… und %d weitere Schritte (-v zeigt alle)", r.More)).In(l)))
		}
		for _, a := range r.Also {
			t.wrap(a.In(l), "  ", "  ")
		}
	}
}

// notes draws info findings as one line of titles, or each with its
// detail and evidence when full is set; then the passed ones.
func (t *textWriter) notes(ns, passed []Note, full bool) {
	l, st := t.l, t.st
	if len(ns) > 0 && !full {
		t.blank()
		var titles []string
		for _, n := range ns {
			titles = append(titles, n.Title.In(l))
		}
		t.wrap(strings.Join(titles, " · "), tr(l, "Notes: ", "Hinweise: "), "  ")
		return
	}
	for i, group := range [][]Note{ns, passed} {
		if len(group) == 0 {
			continue
		}
		t.blank()
		t.line(st.Bold([]i18n.Text{i18n.T("Notes", "Hinweise"), i18n.T("Passed", "Bestanden")}[i].In(l)))
		for _, n := range group {
			for _, x := range t.dimmed(wrapLines(n.Title.In(l)+" ["+n.ID+"]", t.width, "  "+st.Severity(n.Severity, l)+" ", "          "), "["+n.ID+"]") {
				t.line(x)
			}
			if !n.Detail.IsZero() {
				t.wrap(n.Detail.In(l), "          ", "          ")
			}
			for _, e := range n.Evidence {
				t.line(st.Dim(render.WrapHang(e, t.width, "          · ", "            ")))
			}
		}
	}
}

// dimmed greys the finding ids in wrapped lines (after wrapping, so the
// escapes do not count as columns).
func (t *textWriter) dimmed(lines []string, ids string) []string {
	if ids == "" || !t.st.Color {
		return lines
	}
	for i, x := range lines {
		lines[i] = strings.Replace(x, ids, t.st.Dim(ids), 1)
	}
	return lines
}

// stripANSI removes colour escapes (for width arithmetic).
func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			for i < len(s) && s[i] != 'm' {
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// ownIDs are the finding ids a problem stands for, without its cause's.
func ownIDs(p Problem) []string {
	ids := p.IDs
	if len(ids) == 0 && p.ID != "" {
		ids = []string{p.ID}
	}
	var out []string
	for _, id := range ids {
		if p.Cause == nil || !slices.Contains(p.Cause.IDs, id) {
			out = append(out, id)
		}
	}
	return out
}
