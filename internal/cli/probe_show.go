package cli

import (
	"fmt"
	"strings"

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
	win, err := o.po.windows()
	if err != nil {
		return err
	}
	failOn, err := parseFailOn(o.po.failOn)
	if err != nil {
		return err
	}
	if !delivery.ValidToken(o.token) {
		return usageErr("TOKEN", i18n.T("invalid token %q: a token is the 20 characters probe send printed (see probe list)",
			"ungültiges Token %q: ein Token sind die 20 Zeichen, die probe send ausgegeben hat (siehe probe list)"), o.token)
	}
	l, err := o.po.openLedger(g)
	if err != nil {
		return err
	}
	defer l.Close()
	evs, st, err := l.Events()
	if err != nil {
		return err
	}
	ledgerWarnings(g, st, false)
	now := g.F.Clock.Now()
	res := delivery.VerdictWith(evs, now, delivery.VerdictOptions{Windows: win, Override: o.windowsGiven})
	v, ok := res.Get(o.token)
	if !ok {
		return usageErr("TOKEN", i18n.T("no probe %s in the ledger %s: probe list shows the tokens", "keine Probe %s im Ledger %s: probe list zeigt die Tokens"), o.token, l.Path())
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
		printTimeline(g, pack, v)
		printVerdicts(g, []delivery.ProbeVerdict{v}, true)
	}
	return probesExit([]delivery.ProbeVerdict{v}, failOn)
}

func printTimeline(g *Globals, evs []delivery.Event, v delivery.ProbeVerdict) {
	st := view.StylerFor(g.IO.Out, g.Color(), g.IO.OutTTY)
	w := g.IO.Out
	fmt.Fprintln(w, st.Bold(i18n.T("Timeline", "Zeitleiste").In(g.Lang)))
	for _, ev := range evs {
		at := ev.At.UTC().Format("2006-01-02 15:04:05Z")
		var line string
		switch ev.Kind {
		case delivery.KindSent:
			p := ev.Sent
			line = fmt.Sprintf("%s %s (%s) %s → %s: %s", i18n.T("sent", "gesendet").In(g.Lang), p.Token, p.Role, p.Route, orMX(p), outcomeText[p.Outcome].In(g.Lang))
			if p.Reply != "" {
				line += " — " + strings.ReplaceAll(p.Reply, "\n", " | ")
			}
			if p.Error != "" {
				line += " — " + p.Error
			}
		case delivery.KindScan:
			sc := ev.Scan
			what := i18n.T("scan", "Durchsuchung")
			if sc.Purpose == delivery.PurposeDSN {
				what = i18n.T("DSN scan", "DSN-Durchsuchung")
			}
			state := i18n.T("complete", "vollständig")
			if !sc.Complete {
				state = i18n.T("incomplete: ", "unvollständig: ")
			}
			line = what.In(g.Lang) + " " + sc.Mailbox + " " + state.In(g.Lang) + sc.Error
			for _, f := range sc.Found {
				line += fmt.Sprintf("; %s %s %s (%s)", f.Token, i18n.T("in", "in").In(g.Lang), f.Folder, f.Role)
			}
			if sc.Complete && len(sc.Found) == 0 && sc.Purpose == delivery.PurposeSeed {
				line += "; " + i18n.T("not found", "nicht gefunden").In(g.Lang)
			}
		case delivery.KindDSN:
			d := ev.DSN
			line = fmt.Sprintf("%s %s: %s %s %s (%s %s)", i18n.T("bounce report for", "Unzustellbarkeitsmeldung zu").In(g.Lang), ev.Token, d.Action, d.Status, d.DiagnosticCode,
				i18n.T("matched by", "zugeordnet über").In(g.Lang), d.MatchedBy)
		}
		fmt.Fprintln(w, render.WrapHang(line, st.Columns(), "  "+at+"  ", "                        "))
	}
	fmt.Fprintln(w)
}

func orMX(p *delivery.Probe) string {
	if p.Relay != "" {
		return p.Relay
	}
	if p.MXHost != "" {
		return p.MXHost
	}
	return "-"
}
