package cli

import (
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/render"
	"github.com/mxprobe/mxprobe/internal/view"
)

// listOptions are the options of `probe list`.
type listOptions struct {
	g            *Globals
	po           *probeOptions
	windowsGiven bool
}

// newProbeListCmd builds `probe list`; runF is probeListRun except in tests.
func newProbeListCmd(g *Globals, po *probeOptions, runF func(*listOptions) error) *cobra.Command {
	o := &listOptions{g: g, po: po}
	return &cobra.Command{
		Use:   "list",
		Short: "List the probes in the ledger with their current verdict",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.windowsGiven = windowsChanged(cmd)
			return runF(o)
		},
	}
}

// probeListRun prints every probe of the ledger with its verdict.
func probeListRun(o *listOptions) error {
	g := o.g
	win, err := o.po.windows()
	if err != nil {
		return err
	}
	j, err := o.po.judge(g, win, o.windowsGiven)
	if err != nil {
		return err
	}
	now, res := j.now, j.res
	sort.SliceStable(res.Probes, func(i, j int) bool { return res.Probes[i].SentAt.Before(res.Probes[j].SentAt) })
	if g.JSON() {
		out := struct {
			probeJSON
			Ledger string        `json:"ledger"`
			Probes []verdictJSON `json:"probes"`
		}{newProbeJSON("probe list", now), j.path, []verdictJSON{}}
		for _, v := range res.Probes {
			out.Probes = append(out.Probes, localizeVerdict(v, g.Lang))
		}
		return render.JSON(g.IO.Out, out)
	}
	if len(res.Probes) == 0 {
		fmt.Fprintln(g.IO.Out, i18n.T("No probes in the ledger ", "Keine Testmails im Ledger ").In(g.Lang)+j.path)
		return nil
	}
	printProbeList(g, res.Probes)
	return nil
}

// printProbeList prints the probes as a table (internal/view).
func printProbeList(g *Globals, vs []delivery.ProbeVerdict) {
	view.ProbeListText(g.IO.Out, vs, g.Lang, view.StylerFor(g.IO.Out, g.Color(), g.IO.OutTTY))
}
