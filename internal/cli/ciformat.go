package cli

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/mxprobe/mxprobe/internal/check"
	"github.com/mxprobe/mxprobe/internal/cireport"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
)

// ciFormat reports whether a CI format (--format junit|github) was asked
// for; only check and dns write them (internal/cireport).
func (g *Globals) ciFormat() bool { return cireport.IsFormat(g.Format) }

// checkCIFormat refuses a CI format on a command that does not write one.
func checkCIFormat(g *Globals, cmd *cobra.Command) error {
	if !g.ciFormat() {
		return nil
	}
	switch cmd.Name() {
	case "check", "dns":
		return nil
	}
	return usageErr("--format", i18n.T("--format %s is for check and dns; %s takes text or json",
		"--format %s gibt es nur für check und dns; %s kennt text oder json"), g.Format, cmd.CommandPath())
}

// newCIWriter writes reports to stdout in the CI format asked for.
func newCIWriter(g *Globals, failOn report.Severity) *cireport.Writer {
	return cireport.NewWriter(g.IO.Out, g.Format, cireport.Options{FailOn: failOn, Lang: g.Lang})
}

// ciCheck is a check report as a CI target.
func ciCheck(g *Globals, r *check.Report) cireport.Target {
	r.Localize(g.Lang)
	return cireport.Target{Command: "check", Name: r.Target.Input, Verdict: r.Verdict, StartedAt: r.StartedAt,
		Duration: time.Duration(r.DurationMS * float64(time.Millisecond)), Findings: r.Findings, Error: r.Error}
}

// ciDNS is a dns report as a CI target.
func ciDNS(g *Globals, r *check.DNSReport) cireport.Target {
	r.Localize(g.Lang)
	return cireport.Target{Command: "dns", Name: r.Target.Input, Verdict: r.Verdict, StartedAt: r.StartedAt,
		Duration: time.Duration(r.DurationMS * float64(time.Millisecond)), Findings: r.Findings}
}

// writeCI writes one target in the CI format.
func writeCI(g *Globals, failOn report.Severity, t cireport.Target) error {
	w := newCIWriter(g, failOn)
	if err := w.Add(t); err != nil {
		return err
	}
	return w.Close()
}
