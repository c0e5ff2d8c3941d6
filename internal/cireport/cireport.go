// Package cireport writes the results of `mxprobe check` and `mxprobe dns`
// in the formats CI systems show natively:
//
//   - JUnit XML (--format junit): one <testsuite> per target, one <testcase>
//     per check (finding), failed when the finding is at or above --fail-on.
//     GitLab ("artifacts:reports:junit"), Jenkins and most others show it as
//     a test report. The shape is the common denominator of the JUnit XML
//     readers (the Ant JUnit schema as Jenkins and GitLab read it):
//     testsuites > testsuite > testcase > failure | error.
//   - GitHub Actions workflow commands (--format github): one annotation
//     line per finding that deserves attention ("::error title=…::…",
//     "::warning", "::notice"), shown on the run's summary page.
//
// The package only formats typed results; it never decides a verdict: the
// caller passes the findings, the verdict and --fail-on.
package cireport

import (
	"io"
	"time"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
)

// Formats this package writes (the values of --format).
const (
	FormatJUnit  = "junit"
	FormatGitHub = "github"
)

// IsFormat reports whether f is one of the CI formats.
func IsFormat(f string) bool { return f == FormatJUnit || f == FormatGitHub }

// Target is one checked target as the CI formats see it.
type Target struct {
	// Command is "check" or "dns"; Name the target as given.
	Command, Name string
	Verdict       report.Verdict
	StartedAt     time.Time
	Duration      time.Duration
	// Findings in the report's order (most severe first), localised.
	Findings []report.Localized
	// Error is set when the target could not be checked at all (an invalid
	// line in bulk mode).
	Error string
}

// Options tune the output.
type Options struct {
	// FailOn is the --fail-on severity: a finding at or above it fails its
	// test case and becomes an ::error annotation.
	FailOn report.Severity
	Lang   i18n.Lang
}

// Writer writes targets in one CI format. GitHub annotations are written
// as each target is added; JUnit XML is one document, written by Close.
type Writer struct {
	w       io.Writer
	format  string
	opt     Options
	targets []Target
	err     error
}

// NewWriter returns a writer for format (FormatJUnit or FormatGitHub).
func NewWriter(w io.Writer, format string, opt Options) *Writer {
	if opt.FailOn == "" {
		opt.FailOn = report.Fail
	}
	return &Writer{w: w, format: format, opt: opt}
}

// Add writes (github) or keeps (junit) one target.
func (w *Writer) Add(t Target) error {
	if w.err != nil {
		return w.err
	}
	if w.format == FormatGitHub {
		w.err = writeGitHub(w.w, t, w.opt)
		return w.err
	}
	w.targets = append(w.targets, t)
	return nil
}

// Close writes the JUnit document (github: nothing left to write).
func (w *Writer) Close() error {
	if w.err != nil || w.format != FormatJUnit {
		return w.err
	}
	w.err = writeJUnit(w.w, w.targets, w.opt)
	return w.err
}

// failed reports whether a finding fails its test case.
func failed(f report.Localized, failOn report.Severity) bool {
	return f.Severity.Rank() >= failOn.Rank()
}

// Texts shared by both formats.
var (
	txtIncomplete = i18n.T("The check could not complete: a network or DNS failure or a timeout prevented a verdict (exit code 3).",
		"Die Prüfung konnte nicht abgeschlossen werden: ein Netzwerk- oder DNS-Fehler oder eine Zeitüberschreitung verhinderte ein Ergebnis (Exit-Code 3).")
	txtInvalid         = i18n.T("The target could not be checked", "Das Ziel konnte nicht geprüft werden")
	txtIncompleteTitle = i18n.T("check incomplete", "Prüfung unvollständig")
	txtVerdict         = i18n.T("verdict", "Ergebnis")
)
