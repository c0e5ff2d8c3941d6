package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/render"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/view"
)

// confirmOptions are the options of `probe confirm` and `probe watch`.
type confirmOptions struct {
	g   *Globals
	po  *probeOptions
	ctx context.Context

	tokens  []string
	pending bool
	seed    imapFlags
	dsn     imapFlags
	maildir string
	// windowsGiven: the user gave --expect, --drop-after or --final.
	windowsGiven bool
	// watch repeats the round until every verdict is final or until.
	watch bool
	until string
	name  string // "probe confirm" or "probe watch"
}

// newProbeConfirmCmd builds `probe confirm`; runF is probeConfirmRun except
// in tests.
func newProbeConfirmCmd(g *Globals, po *probeOptions, runF func(*confirmOptions) error) *cobra.Command {
	o := &confirmOptions{g: g, po: po, name: "probe confirm"}
	cmd := &cobra.Command{
		Use:   "confirm [TOKEN…] [--pending]",
		Short: "Look once for probes in the seed mailbox and for bounces",
		Long: `Gather evidence once. Over IMAP every selectable folder of the seed mailbox is
searched (INBOX, the junk folder — SPECIAL-USE \Junk, else by name — and all
others), read-only and with BODY.PEEK, so nothing is marked as read; the token is
confirmed in the headers, and the folder, arrival time and the receiver's spam
verdict headers are recorded. A DSN mailbox (--dsn-imap or --dsn-maildir) is
searched for RFC 3464 reports and bounces, complaint reports (ARF) and automatic
replies of the recipient's mailbox (RFC 3834), matched by ENVID, VERP address or
the returned headers. Without TOKEN (or with --pending) every probe whose verdict is
not final is looked for. A mailbox that cannot be read is recorded as an
incomplete scan, never as "not found".`,
		Example: `  MXPROBE_IMAP_PASSWORD=… mxprobe probe confirm --imap imaps://outlook.office365.com --imap-user me@hotmail.com
  mxprobe probe confirm k7w3q2zq5m4x6n2p7r3s --imap imaps://imap.gmx.net --imap-user me@gmx.de --imap-password-file ~/.gmx`,
	}
	cmd.RunE = confirmRunE(o, runF)
	cmd.Flags().BoolVar(&o.pending, "pending", false, "look for every probe whose verdict is not final, as probe list shows them (also with TOKENs)")
	o.register(cmd)
	return cmd
}

// confirmRunE hands the positional tokens and the windows' presence to o.
func confirmRunE(o *confirmOptions, runF func(*confirmOptions) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		o.ctx, o.tokens = cmd.Context(), args
		o.windowsGiven = windowsChanged(cmd)
		return runF(o)
	}
}

func (o *confirmOptions) register(cmd *cobra.Command) {
	o.seed.register(cmd, "imap", "seed mailbox")
	o.dsn.register(cmd, "dsn-imap", "DSN mailbox")
	cmd.Flags().StringVar(&o.maildir, "dsn-maildir", "", "maildir where bounces arrive (instead of --dsn-imap)")
	addFailOn(cmd, &o.po.failOn)
	addNetFlags(cmd, o.g, flagLab|flagCAFile)
}

// mailboxes builds the seed and DSN mailbox options. With --lab the lab's
// seed mailbox and DSN sink are the defaults.
func (o *confirmOptions) mailboxes(env *runEnv) (seed, dsn *delivery.IMAPOptions, err error) {
	g := o.g
	if seed, err = o.seed.options(g, "imap", "MXPROBE_IMAP_PASSWORD", env.RootCAs); err != nil {
		return nil, nil, err
	}
	if dsn, err = o.dsn.options(g, "dsn-imap", "MXPROBE_DSN_IMAP_PASSWORD", env.RootCAs); err != nil {
		return nil, nil, err
	}
	if env.Lab != nil {
		seed, dsn = labMailboxes(env.Lab, seed, dsn)
	}
	if dsn != nil && o.maildir != "" {
		return nil, nil, usageErr("--dsn-maildir", i18n.T("use --dsn-imap or --dsn-maildir, not both", "Geben Sie --dsn-imap oder --dsn-maildir an, nicht beides"))
	}
	if seed == nil && dsn == nil && o.maildir == "" {
		return nil, nil, usageErr("--imap", i18n.T("nothing to look in: give --imap URL (the seed mailbox) and/or --dsn-imap URL or --dsn-maildir DIR",
			"nichts zu durchsuchen: Geben Sie --imap URL (das Testpostfach) und/oder --dsn-imap URL oder --dsn-maildir VERZEICHNIS an"))
	}
	return seed, dsn, nil
}

// probeConfirmRun looks for the probes once (watch: until every verdict is
// final) and reports the verdicts.
func probeConfirmRun(o *confirmOptions) error {
	g, po := o.g, o.po
	win, failOn, err := po.windowsAndFailOn()
	if err != nil {
		return err
	}
	for _, a := range o.tokens {
		if err := checkToken(a); err != nil {
			return err
		}
	}
	env := &runEnv{}
	if g.Lab {
		if env, err = g.F.env(g); err != nil {
			return err
		}
		defer env.Close()
	} else if env.RootCAs, err = g.F.rootCAs(g); err != nil {
		return err
	}
	seed, dsn, err := o.mailboxes(env)
	if err != nil {
		return err
	}
	l, err := po.openLedger(g)
	if err != nil {
		return err
	}
	defer l.Close()
	copts := delivery.ConfirmOptions{Ledger: l, Tokens: o.tokens, Pending: o.pending || len(o.tokens) == 0, Seed: seed, DSNIMAP: dsn,
		DSNMaildir: o.maildir, Windows: win, WindowsFallback: !o.windowsGiven, Now: g.F.Clock.Now}
	round := func(ctx context.Context) (*delivery.ConfirmResult, error) {
		ctx, cancel := g.withTimeout(ctx)
		defer cancel()
		res, err := delivery.Confirm(ctx, copts)
		if errors.Is(err, delivery.ErrUnknownToken) {
			return nil, usageErr("TOKEN", i18n.T("%v: probe list shows the tokens in the ledger", "%v: probe list zeigt die Tokens im Ledger"), err.Error())
		}
		return res, err
	}
	res, err := round(o.ctx)
	if err != nil {
		return err
	}
	ledgerWarnings(g, res.Ledger, res.Healed)
	watched := res.Tokens
	if len(o.tokens) > 0 {
		watched = o.tokens
	}
	if o.watch {
		if res, err = o.watchRounds(win, watched, res, round); err != nil {
			return err
		}
	}
	if err := interruptedCtx(o.ctx); err != nil {
		return err
	}
	return o.report(res, watched, failOn)
}

// watchRounds runs delivery.Watch, printing each change of state on stderr.
func (o *confirmOptions) watchRounds(win delivery.Windows, watched []string, res *delivery.ConfirmResult,
	round func(context.Context) (*delivery.ConfirmResult, error)) (*delivery.ConfirmResult, error) {
	g := o.g
	wo := delivery.WatchOptions{Clock: g.F.Clock, Windows: win, Tokens: watched, Round: round}
	if o.until != "" {
		if d, err := time.ParseDuration(o.until); err == nil && d > 0 {
			wo.Stop = g.F.Clock.Now().Add(d)
		} else if t, err := time.Parse(time.RFC3339, o.until); err == nil {
			wo.Stop = t
		} else {
			return nil, usageErr("--until", i18n.T("invalid --until %q: give a duration (30m) or an RFC 3339 time (2026-12-01T10:00:00Z)",
				"ungültiges --until %q: Geben Sie eine Dauer (30m) oder eine RFC-3339-Zeit (2026-12-01T10:00:00Z) an"), o.until)
		}
	}
	if !g.JSON() && !g.Quiet {
		wo.Changed = func(at time.Time, tok string, st delivery.State) {
			fmt.Fprintf(g.IO.ErrOut, "%s  %s  %s\n", at.Format("15:04:05"), tok, st)
		}
	}
	res, err := delivery.Watch(o.ctx, wo, res)
	if err != nil {
		if e := interruptedCtx(o.ctx); e != nil {
			return nil, e
		}
	}
	return res, err
}

// report prints the verdicts of the watched probes and returns the exit.
func (o *confirmOptions) report(res *delivery.ConfirmResult, watched []string, failOn report.Severity) error {
	g := o.g
	var vs []delivery.ProbeVerdict
	for _, t := range watched {
		if v, ok := res.Verdict.Get(t); ok {
			vs = append(vs, v)
		}
	}
	if g.JSON() {
		out := struct {
			probeJSON
			Seed   *delivery.Scan `json:"seed_scan,omitempty"`
			DSN    *delivery.Scan `json:"dsn_scan,omitempty"`
			Probes []verdictJSON  `json:"probes"`
		}{probeJSON: newProbeJSON(o.name, g.F.Clock.Now()), Seed: res.Seed, DSN: res.DSN, Probes: []verdictJSON{}}
		for _, v := range vs {
			out.Probes = append(out.Probes, localizeVerdict(v, g.Lang))
		}
		if err := render.JSON(g.IO.Out, out); err != nil {
			return err
		}
	} else {
		printScans(g, res)
		if len(vs) == 0 {
			fmt.Fprintln(g.IO.Out, i18n.T("No probe to look for (all verdicts are final).", "Keine Testmail zu suchen (alle Ergebnisse sind endgültig).").In(g.Lang))
		}
		printVerdicts(g, vs, g.Verbose)
	}
	if o.watch && len(watched) > 0 && !res.Verdict.AllSettled(watched...) {
		// --until passed before every verdict was final.
		if err := probesExit(vs, failOn); err != nil {
			return err
		}
		return exitcode.Silent(exitcode.Incomplete)
	}
	return probesExit(vs, failOn)
}

func printScans(g *Globals, res *delivery.ConfirmResult) { view.ScansText(g.IO.Out, res, g.Lang) }

// pollInterval is the back-off of probe watch: from a quarter of the expect
// window (1 s … 1 min), doubling, up to an eighth of the drop-after window
// (at most 15 min).
