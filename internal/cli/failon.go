package cli

import (
	"github.com/spf13/cobra"

	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
)

// addFailOn registers --fail-on (with completion) on a checking command.
func addFailOn(cmd *cobra.Command, dst *string) {
	cmd.Flags().StringVar(dst, "fail-on", "fail", "exit 1 when a finding is at or above this severity: ok, info, warn, fail")
	_ = cmd.RegisterFlagCompletionFunc("fail-on", fixedCompletion("ok", "info", "warn", "fail"))
}

func parseFailOn(s string) (report.Severity, error) {
	sev, ok := report.ParseSeverity(s)
	if !ok {
		return "", usageErr("--fail-on", i18n.T("invalid --fail-on %q: use ok, info, warn or fail", "ungültiges --fail-on %q: Geben Sie ok, info, warn oder fail an"), s)
	}
	return sev, nil
}

// verdictExit maps a verdict and findings to the exit code (DESIGN.md):
// incomplete → 3, a finding at or above failOn → 1, else 0.
func verdictExit(v report.Verdict, fs []report.Finding, failOn report.Severity) error {
	if v == report.VerdictIncomplete {
		return exitcode.Silent(exitcode.Incomplete)
	}
	for _, f := range fs {
		if f.Severity.Rank() >= failOn.Rank() {
			return exitcode.Silent(exitcode.Problems)
		}
	}
	return nil
}
