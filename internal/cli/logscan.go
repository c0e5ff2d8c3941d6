package cli

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/explain"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/logscan"
	"github.com/mxprobe/mxprobe/internal/render"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/view"
)

// logscanOptions are the options of `logscan`.
type logscanOptions struct {
	g    *Globals
	ctx  context.Context
	file string

	ledger  string
	failOn  string
	maxLine int
}

func init() {
	addCommand(func(g *Globals) *cobra.Command { return newLogscanCmd(g, logscanRun) })
}

// newLogscanCmd builds `logscan`; runF is logscanRun except in tests.
func newLogscanCmd(g *Globals, runF func(*logscanOptions) error) *cobra.Command {
	o := &logscanOptions{g: g}
	cmd := &cobra.Command{
		Use:   "logscan FILE|-",
		Short: "Summarise deliveries, deferrals and bounces from a Postfix or Exim log",
		Long: `Read a Postfix ("status=sent (250 …)") or Exim ("=>" … C="250 …") log as a
stream (gzip is detected) and summarise the deliveries per destination and
provider — Microsoft consumer (Outlook.com) and tenant (Exchange Online) shapes,
Gmail, GMX, WEB.DE —, the deferrals and bounces with the remote replies, and the
deliveries of mxprobe probes (joined by Message-ID; their verdicts come from the
ledger when it exists). --format json writes one JSON object per delivery
(NDJSON, "type":"delivery") and a final "type":"summary" line.

Exit status 1 when a bounce (or, with --fail-on warn, a deferral) is found.`,
		Example: `  mxprobe logscan /var/log/mail.log
  zcat /var/log/mail.log.2.gz | mxprobe logscan - --format json | jq 'select(.status=="bounced")'`,
		Args: exactArgs(1, "FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ctx, o.file = cmd.Context(), args[0]
			return runF(o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.ledger, "ledger", "", "probe ledger to join with (default $XDG_STATE_HOME/mxprobe/ledger.jsonl when it exists)")
	f.IntVar(&o.maxLine, "max-line", 64<<10, "longest line in bytes; longer lines are skipped and counted")
	addFailOn(cmd, &o.failOn)
	return cmd
}

// logRecordJSON is one NDJSON delivery line.
type logRecordJSON struct {
	Type string `json:"type"`
	probeJSON
	*logscan.Record
	// Explanation of a deferral or bounce (the short form of mxprobe explain).
	Explanation *shortExplanation `json:"explanation,omitempty"`
}

type shortExplanation struct {
	Title       string         `json:"title"`
	Reason      explain.Reason `json:"reason"`
	Bounce      string         `json:"bounce"`
	Responsible string         `json:"responsible"`
	Rule        string         `json:"rule,omitempty"`
}

// explainCache explains each distinct reply once (logs repeat the same
// refusals thousands of times); bounded.
type explainCache struct {
	lang i18n.Lang
	m    map[string]*explain.Explanation
}

func (c *explainCache) get(reply, host string) *explain.Explanation {
	if reply == "" {
		return nil
	}
	k := host + "\x00" + reply
	if e, ok := c.m[k]; ok {
		return e
	}
	e := explain.Explain(reply, explain.Options{MXHost: host})
	if len(c.m) < 10000 {
		c.m[k] = &e
	}
	return &e
}

func (c *explainCache) short(reply, host string) *shortExplanation {
	e := c.get(reply, host)
	if e == nil {
		return nil
	}
	s := &shortExplanation{Title: e.Title.In(c.lang), Reason: e.Reason, Bounce: e.Bounce, Responsible: e.Responsible}
	if e.Provider != nil {
		s.Rule = e.Provider.Rule
	}
	return s
}

type logSummaryJSON struct {
	Type string `json:"type"`
	probeJSON
	*logscan.Summary
	ProbeStates map[string]string `json:"probe_states,omitempty"`
}

// logscanRun summarises one log.
func logscanRun(o *logscanOptions) error {
	g, arg := o.g, o.file
	failOn, err := parseFailOn(o.failOn)
	if err != nil {
		return err
	}
	if o.maxLine < 256 || o.maxLine > 16<<20 {
		return usageErr("--max-line", i18n.T("invalid --max-line %d: use 256 to 16777216", "ungültiges --max-line %d: Geben Sie 256 bis 16777216 an"), o.maxLine)
	}
	var in io.Reader = g.IO.In
	if arg != "-" {
		f, err := os.Open(arg)
		if err != nil {
			return usageErr("FILE", i18n.T("cannot read %s: %v", "%s ist nicht lesbar: %v"), arg, err)
		}
		defer f.Close()
		in = f
	}
	br := bufio.NewReaderSize(in, 256<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return usageErr("FILE", i18n.T("%s: %v", "%s: %v"), arg, err)
		}
		defer zr.Close()
		in = zr
	} else {
		in = br
	}
	sc := logscan.NewScanner(logscan.Options{MaxLine: o.maxLine, Now: g.F.Clock.Now})
	sum := logscan.NewSummary()
	out := bufio.NewWriterSize(g.IO.Out, 64<<10)
	defer out.Flush()
	ctx := o.ctx
	ex := &explainCache{lang: g.Lang, m: map[string]*explain.Explanation{}}
	// One envelope and one encoder for every line (render.JSONLine's
	// settings): building them per line cost more than the scan itself.
	env := envelopeFor("logscan")
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	err = sc.Scan(in, func(r *logscan.Record) error {
		if r.Line%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		sum.Add(r)
		if g.JSON() {
			rec := logRecordJSON{Type: "delivery", probeJSON: env, Record: r}
			if r.Status != logscan.StatusSent && r.Code != 0 {
				rec.Explanation = ex.short(r.Reply, r.Relay)
			}
			return enc.Encode(rec)
		}
		return nil
	})
	if ierr := interruptedCtx(o.ctx); ierr != nil {
		return ierr
	}
	if err != nil {
		return usageErr("FILE", i18n.T("reading %s: %v", "Fehler beim Lesen von %s: %v"), arg, err)
	}
	sum.Finish(sc.Stats())
	states := probeStates(g, o, sum)
	if g.JSON() {
		if err := render.JSONLine(out, logSummaryJSON{Type: "summary", probeJSON: newProbeJSON("logscan", time.Time{}), Summary: sum, ProbeStates: states}); err != nil {
			return err
		}
	} else {
		printLogSummary(g, out, sum, states, ex)
	}
	if err := out.Flush(); err != nil {
		return err
	}
	switch {
	case sum.Totals.Bounced > 0 && report.Fail.Rank() >= failOn.Rank():
		return exitcode.Silent(exitcode.Problems)
	case sum.Totals.Deferred > 0 && report.Warn.Rank() >= failOn.Rank():
		return exitcode.Silent(exitcode.Problems)
	}
	return nil
}

// probeStates looks the probes of the log up in the ledger (read only; a
// missing ledger is not created).
func probeStates(g *Globals, o *logscanOptions, sum *logscan.Summary) map[string]string {
	if len(sum.Probes) == 0 {
		return nil
	}
	path := o.ledger
	if path == "" {
		p, err := delivery.DefaultLedgerPath(g.IO.Getenv)
		if err != nil {
			return nil
		}
		path = p
	}
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	l, err := delivery.OpenLedger(path)
	if err != nil {
		return nil
	}
	defer l.Close()
	evs, _, err := l.Events()
	if err != nil {
		return nil
	}
	res := delivery.Verdict(evs, g.F.Clock.Now(), delivery.DefaultWindows())
	states := map[string]string{}
	for _, r := range sum.Probes {
		if v, ok := res.Get(r.ProbeToken); ok {
			states[r.ProbeToken] = string(v.State)
		}
	}
	return states
}

func printLogSummary(g *Globals, w io.Writer, sum *logscan.Summary, states map[string]string, ex *explainCache) {
	st := view.StylerFor(w, g.Color(), g.IO.OutTTY)
	s := sum.Stats
	fmt.Fprintln(w, i18n.Text{
		EN: fmt.Sprintf("%d lines, %d deliveries (Postfix %d, Exim %d), %d overlong lines skipped", s.Lines, s.Records, s.Postfix, s.Exim, s.Overlong),
		DE: fmt.Sprintf("%d Zeilen, %d Zustellversuche (Postfix %d, Exim %d), %d überlange Zeilen übersprungen", s.Lines, s.Records, s.Postfix, s.Exim, s.Overlong),
	}.In(g.Lang))
	if s.Records == 0 {
		return
	}
	fmt.Fprintln(w)
	head := fmt.Sprintf("%-28s %-20s %8s %9s %8s", i18n.T("DESTINATION", "ZIEL").In(g.Lang), i18n.T("PROVIDER", "ANBIETER").In(g.Lang),
		i18n.T("SENT", "ZUGEST.").In(g.Lang), i18n.T("DEFERRED", "ZURÜCKG.").In(g.Lang), i18n.T("BOUNCED", "ABGEWIES.").In(g.Lang))
	fmt.Fprintln(w, st.Bold(head))
	for i, d := range sum.Destinations {
		if i >= 50 && !g.Verbose {
			fmt.Fprintln(w, st.Dim(i18n.Text{EN: fmt.Sprintf("… %d more destinations (-v shows all)", len(sum.Destinations)-i),
				DE: fmt.Sprintf("… %d weitere Ziele (-v zeigt alle)", len(sum.Destinations)-i)}.In(g.Lang)))
			break
		}
		fmt.Fprintf(w, "%-28s %-20s %8d %9d %8d\n", clipText(d.Domain, 28), d.Provider, d.Sent, d.Deferred, d.Bounced)
	}
	fmt.Fprintln(w)
	provs := make([]string, 0, len(sum.ByProvider))
	for p := range sum.ByProvider {
		provs = append(provs, p)
	}
	sort.Strings(provs)
	fmt.Fprintln(w, st.Bold(i18n.T("By provider", "Nach Anbieter").In(g.Lang)))
	for _, p := range provs {
		c := sum.ByProvider[p]
		fmt.Fprintf(w, "  %-20s %s\n", p, i18n.Text{
			EN: fmt.Sprintf("sent %d, deferred %d, bounced %d", c.Sent, c.Deferred, c.Bounced),
			DE: fmt.Sprintf("zugestellt %d, zurückgestellt %d, abgewiesen %d", c.Sent, c.Deferred, c.Bounced)}.In(g.Lang))
	}
	var problems bool
	for _, d := range sum.Destinations {
		if len(d.Problems) > 0 {
			problems = true
			break
		}
	}
	if problems {
		fmt.Fprintln(w)
		fmt.Fprintln(w, st.Bold(i18n.T("Deferrals and bounces", "Zurückstellungen und Abweisungen").In(g.Lang)))
		for _, d := range sum.Destinations {
			for _, p := range d.Problems {
				sev := report.Warn
				label := i18n.T("deferred", "zurückgestellt")
				if p.Status == logscan.StatusBounced {
					sev, label = report.Fail, i18n.T("bounced", "abgewiesen")
				}
				fmt.Fprintf(w, "  %s %s (%s) %s ×%d\n", st.Severity(sev, g.Lang), d.Domain, d.Provider, label.In(g.Lang), p.Count)
				fmt.Fprintln(w, render.Wrap(p.Reply, st.Columns(), "          "))
				if e := ex.get(p.Reply, ""); e != nil && e.ReplyCode != nil {
					fmt.Fprintln(w, render.WrapHang(e.Title.In(g.Lang), st.Columns(), "          = ", "            "))
				}
			}
		}
	}
	if len(sum.Probes) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, st.Bold(i18n.T("mxprobe probes", "mxprobe-Testmails").In(g.Lang)))
		for _, r := range sum.Probes {
			line := fmt.Sprintf("%s → %s: %s %s", r.ProbeToken, r.To, r.Status, r.Reply)
			if s, ok := states[r.ProbeToken]; ok {
				line += " [" + i18n.T("verdict: ", "Ergebnis: ").In(g.Lang) + s + "]"
			}
			fmt.Fprintln(w, render.WrapHang(line, st.Columns(), "  ", "      "))
		}
	}
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
