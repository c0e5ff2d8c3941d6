package cli

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/render"
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
	sort.SliceStable(res.Probes, func(i, j int) bool { return res.Probes[i].SentAt.Before(res.Probes[j].SentAt) })
	if g.JSON() {
		out := struct {
			probeJSON
			Ledger string        `json:"ledger"`
			Probes []verdictJSON `json:"probes"`
		}{newProbeJSON("probe list", now), l.Path(), []verdictJSON{}}
		for _, v := range res.Probes {
			out.Probes = append(out.Probes, localizeVerdict(v, g.Lang))
		}
		return render.JSON(g.IO.Out, out)
	}
	if len(res.Probes) == 0 {
		fmt.Fprintln(g.IO.Out, i18n.T("No probes in the ledger ", "Keine Proben im Ledger ").In(g.Lang)+l.Path())
		return nil
	}
	printProbeList(g, res.Probes)
	return nil
}

// printProbeList prints the probes as a table whose columns are as wide as
// their longest cell (silent_drop_suspected/medium is 28 characters).
func printProbeList(g *Globals, vs []delivery.ProbeVerdict) {
	head := []string{"TOKEN", i18n.T("SENT (UTC)", "GESENDET (UTC)").In(g.Lang), i18n.T("ROLE", "ROLLE").In(g.Lang),
		i18n.T("STATE", "ZUSTAND").In(g.Lang), i18n.T("TO", "AN").In(g.Lang)}
	rows := make([][]string, 0, len(vs))
	for _, v := range vs {
		state := string(v.State)
		if v.Confidence != "" {
			state += "/" + string(v.Confidence)
		}
		rows = append(rows, []string{v.Token, v.SentAt.UTC().Format("2006-01-02 15:04"), string(v.Role), state, v.To})
	}
	width := make([]int, len(head))
	for _, r := range append([][]string{head}, rows...) {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	line := func(r []string) string {
		var b strings.Builder
		for i, c := range r {
			if i == len(r)-1 {
				b.WriteString(c) // the last column is not padded
				break
			}
			b.WriteString(c)
			b.WriteString(strings.Repeat(" ", width[i]-utf8.RuneCountInString(c)+2))
		}
		return b.String()
	}
	st := render.Styler{Color: g.Color()}
	fmt.Fprintln(g.IO.Out, st.Bold(line(head)))
	for _, r := range rows {
		fmt.Fprintln(g.IO.Out, line(r))
	}
}
