package cli

import (
	"github.com/spf13/cobra"

	"github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/render"
	"github.com/mxprobe/mxprobe/internal/view"
)

// showOptions are the options of `probe show`.
type showOptions struct {
	g            *Globals
	po           *probeOptions
	token        string
	windowsGiven bool
}

// newProbeShowCmd builds `probe show`; runF is probeShowRun except in tests.
func newProbeShowCmd(g *Globals, po *probeOptions, runF func(*showOptions) error) *cobra.Command {
	o := &showOptions{g: g, po: po}
	cmd := &cobra.Command{
		Use:   "show TOKEN",
		Short: "Show a probe's timeline, evidence and verdict (--format json: the evidence pack)",
		Long: `Show one probe: the timeline of its events, the evidence (acceptance, scans,
bounces), the verdict with its reasons, what is still missing for a higher
confidence, and what to do next. With --format json this is the evidence pack
to attach to a provider support request.`,
		Args: exactArgs(1, "TOKEN"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.token, o.windowsGiven = args[0], windowsChanged(cmd)
			return runF(o)
		},
	}
	addFailOn(cmd, &po.failOn)
	return cmd
}

// probeShowRun prints one probe's evidence pack and verdict.
func probeShowRun(o *showOptions) error {
	g := o.g
	win, failOn, err := o.po.windowsAndFailOn()
	if err != nil {
		return err
	}
	if err := checkToken(o.token); err != nil {
		return err
	}
	j, err := o.po.judge(g, win, o.windowsGiven)
	if err != nil {
		return err
	}
	evs, now, res := j.events, j.now, j.res
	v, ok := res.Get(o.token)
	if !ok {
		return usageErr("TOKEN", i18n.T("no probe %s in the ledger %s: probe list shows the tokens", "keine Testmail %s im Ledger %s: probe list zeigt die Tokens"), o.token, j.path)
	}
	pack := delivery.Evidence(evs, v)
	if g.JSON() {
		out := struct {
			probeJSON
			Windows  delivery.Windows `json:"windows"`
			Verdict  verdictJSON      `json:"verdict"`
			Controls []verdictJSON    `json:"controls,omitempty"`
			Events   []delivery.Event `json:"events"`
		}{probeJSON: newProbeJSON("probe show", now), Windows: v.Windows, Verdict: localizeVerdict(v, g.Lang), Events: pack}
		for _, c := range v.Controls {
			if cv, ok := res.Get(c.Token); ok {
				out.Controls = append(out.Controls, localizeVerdict(cv, g.Lang))
			}
		}
		if err := render.JSON(g.IO.Out, out); err != nil {
			return err
		}
	} else {
		st := view.StylerFor(g.IO.Out, g.Color(), g.IO.OutTTY)
		view.TimelineText(g.IO.Out, view.Timeline(pack), g.Lang, st)
		view.VerdictsText(g.IO.Out, []delivery.ProbeVerdict{v}, g.Lang, st, view.VerdictOptions{Quiet: g.Quiet, Verbose: true})
	}
	return probesExit([]delivery.ProbeVerdict{v}, failOn)
}
