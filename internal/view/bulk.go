package view

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/check"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/render"
)

// BulkLine writes the one text line of a target in bulk mode: the target,
// its verdict word and the lead problem of its view (the same lead as the
// full report: docs/report.md) — its id and reply codes, and its title when
// that fits in the width. It reads rep only.
func BulkLine(w io.Writer, rep *check.Report, l i18n.Lang, st render.Styler) error {
	line := fmt.Sprintf("%-30s %-10s", check.Clip(rep.Target.Input), rep.Verdict)
	if rep.Error != "" {
		line += " " + rep.Error
	} else if v := Check(rep, Options{Mode: Quiet}); len(v.Problems) > 0 {
		p := v.Problems[0]
		lead := p.ID
		if p.ID == "" {
			lead = p.Title.In(l)
		}
		if p.Code != "" {
			lead += " (" + p.Code + ")"
		}
		line += " " + lead
		if full := line + " — " + p.Title.In(l); p.ID != "" && utf8.RuneCountInString(full) <= st.Columns() {
			line = full
		}
	}
	_, err := io.WriteString(w, strings.TrimRight(line, " ")+"\n")
	return err
}
