package cireport

import (
	"io"
	"strings"

	"github.com/mxprobe/mxprobe/internal/report"
)

// GitHub Actions workflow commands: "::command key=value,key=value::data".
// The runner decodes %25, %0D and %0A in the data and additionally %3A and
// %2C in property values (actions/toolkit, packages/core/src/command.ts:
// escapeData and escapeProperty; GitHub docs, "Workflow commands for GitHub
// Actions"). Anything else is passed through, so a reply line from a
// hostile server cannot end the command early or start a new one.

// escapeData escapes a command's message.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a property value (title=…).
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// annotation is one workflow-command line.
func annotation(level, title, msg string) string {
	return "::" + level + " title=" + escapeProperty(title) + "::" + escapeData(msg) + "\n"
}

// level maps a finding to an annotation level: at or above --fail-on an
// error (it fails the run), else warn → warning, info → notice; ok findings
// need no attention and are not annotated.
func level(f report.Localized, failOn report.Severity) string {
	switch {
	case failed(f, failOn) && f.Severity != report.OK:
		return "error"
	case f.Severity == report.Warn:
		return "warning"
	case f.Severity == report.Info:
		return "notice"
	}
	return ""
}

// writeGitHub writes one target's annotations: its findings, an error when
// it could not be checked or completed, and a closing notice with the
// verdict.
func writeGitHub(w io.Writer, t Target, o Options) error {
	var b strings.Builder
	head := "mxprobe " + t.Command + " " + t.Name
	if t.Error != "" {
		b.WriteString(annotation("error", head+": "+txtInvalid.In(o.Lang), t.Error))
	}
	for _, f := range t.Findings {
		lv := level(f, o.FailOn)
		if lv == "" {
			continue
		}
		msg := findingText(f)
		if msg == "" {
			msg = f.Title
		}
		b.WriteString(annotation(lv, head+": "+f.ID+" — "+f.Title, msg))
	}
	if t.Verdict == report.VerdictIncomplete && t.Error == "" {
		b.WriteString(annotation("error", head+": "+txtIncompleteTitle.In(o.Lang), txtIncomplete.In(o.Lang)))
	}
	if t.Error == "" {
		b.WriteString(annotation("notice", head, txtVerdict.In(o.Lang)+": "+string(t.Verdict)))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
