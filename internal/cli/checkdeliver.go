package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mxprobe/mxprobe/internal/check"
	"github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/lab"
	"github.com/mxprobe/mxprobe/internal/render"
	"github.com/mxprobe/mxprobe/internal/report"
)

// deliveryFlags are the flags of `check --deliver-to`: the delivery proof in
// one run (send, watch, verdict, one exit code) — the CI form.
type deliveryFlags struct {
	deliverTo  string
	ownMailbox bool
	seed, dsn  imapFlags
	control    routeFlags
	wait       time.Duration
	probe      probeOptions
}

func addDeliveryFlags(cmd *cobra.Command, d *deliveryFlags) {
	f := cmd.Flags()
	f.StringVar(&d.deliverTo, "deliver-to", "", "after the check, send a tagged probe to this seed mailbox and prove its delivery")
	f.BoolVar(&d.ownMailbox, "i-own-this-mailbox", false, "confirm that the --deliver-to mailbox is yours")
	d.seed.register(cmd, "imap", "seed mailbox")
	d.dsn.register(cmd, "dsn-imap", "DSN mailbox")
	f.StringVar(&d.control.via, "control-via", "", "also send a control probe over a known-good path: direct or submit")
	f.StringVar(&d.control.relay, "control-relay", "", "submission relay HOST:PORT of the control probe")
	f.StringVar(&d.control.tls, "control-tls", "", "TLS toward the control relay: opportunistic, starttls, implicit or none")
	f.StringVar(&d.control.smtpUser, "control-smtp-user", "", "SMTP AUTH user of the control relay (password from MXPROBE_CONTROL_SMTP_PASSWORD or --control-smtp-password-file)")
	f.StringVar(&d.control.smtpPasswordFile, "control-smtp-password-file", "", "file holding the control relay's SMTP AUTH password")
	f.DurationVar(&d.wait, "wait", 10*time.Minute, "how long to watch the seed mailbox for the probe")
	f.StringVar(&d.probe.ledger, "ledger", "", "ledger file (default $XDG_STATE_HOME/mxprobe/ledger.jsonl)")
	f.DurationVar(&d.probe.expect, "expect", 0, "a healthy delivery shows up within this time (default 15m; 1s with --lab)")
	f.DurationVar(&d.probe.dropAfter, "drop-after", 0, "missing after this time: silent drop suspected (default 24h; 2s with --lab)")
	f.DurationVar(&d.probe.final, "final", 0, "after this time the verdict is final (default 72h; 4s with --lab)")
}

// DeliveryReport is `delivery{}` in the check JSON.
type DeliveryReport struct {
	Ledger string           `json:"ledger"`
	Probes []verdictJSON    `json:"probes"`
	Seed   *delivery.Scan   `json:"seed_scan,omitempty"`
	Sent   []*sentSummary   `json:"sent"`
	Window delivery.Windows `json:"windows"`
}

type sentSummary struct {
	Token   string           `json:"token"`
	Role    delivery.Role    `json:"role"`
	Outcome delivery.Outcome `json:"outcome"`
	Reply   string           `json:"reply,omitempty"`
}

// checkReportWithDelivery is the JSON of `check --deliver-to`.
type checkReportWithDelivery struct {
	*check.Report
	Delivery *DeliveryReport `json:"delivery"`
}

func checkDeliver(cmd *cobra.Command, g *Globals, o *checkOptions, base check.Options, env *runEnv, failOn report.Severity) error {
	d := &o.delivery
	clk, err := newProbeClock(g)
	if err != nil {
		return err
	}
	seedAddr, err := delivery.ParseAddress(d.deliverTo)
	if err != nil {
		return exitcode.UsageError("--deliver-to: %v", err)
	}
	if base.MailFrom == "" {
		return exitcode.UsageError("--deliver-to needs --from ADDRESS (the probe's sender)")
	}
	if !d.ownMailbox && !seedConfigured(g, seedAddr) && !g.Lab {
		return exitcode.UsageError("%s", i18n.T(
			"--deliver-to only sends to a seed mailbox you own: add --i-own-this-mailbox, or list the address in MXPROBE_SEEDS or $XDG_CONFIG_HOME/mxprobe/seeds",
			"--deliver-to sendet nur an ein Seed-Postfach, das Ihnen gehört: --i-own-this-mailbox angeben oder die Adresse in MXPROBE_SEEDS oder $XDG_CONFIG_HOME/mxprobe/seeds eintragen").In(g.Lang))
	}
	if i := strings.LastIndexByte(seedAddr, '@'); !strings.EqualFold(seedAddr[i+1:], base.Target.Domain) {
		return exitcode.UsageError("--deliver-to %s is not at the checked domain %s", seedAddr, base.Target.Domain)
	}
	// Windows: short in the lab so the demo ends in seconds.
	win := delivery.DefaultWindows()
	if g.Lab {
		win = delivery.Windows{Expect: time.Second, DropAfter: 2 * time.Second, Final: 4 * time.Second}
	}
	if d.probe.expect > 0 {
		win.Expect = d.probe.expect
	}
	if d.probe.dropAfter > 0 {
		win.DropAfter = d.probe.dropAfter
	}
	if d.probe.final > 0 {
		win.Final = d.probe.final
	}
	if err := win.Validate(); err != nil {
		return exitcode.UsageError("invalid windows: %v", err)
	}
	seed, err := d.seed.options(g, "imap", "MXPROBE_IMAP_PASSWORD", env.RootCAs)
	if err != nil {
		return err
	}
	dsn, err := d.dsn.options(g, "dsn-imap", "MXPROBE_DSN_IMAP_PASSWORD", env.RootCAs)
	if err != nil {
		return err
	}
	sendBase := delivery.SendOptions{From: base.MailFrom, To: seedAddr, HelloName: base.HELO, RootCAs: env.RootCAs,
		Lang: g.Lang, Now: clk.Now, Route: delivery.RouteDirect, Resolver: env.Resolver}
	if env.Port != 25 {
		sendBase.Port = env.Port
	}
	var ctlOpts *delivery.SendOptions
	if env.Lab != nil {
		// The lab supplies the seed mailbox, its DSN sink and a known-good
		// relay for the control probe.
		w := env.Lab
		if seed == nil {
			seed = &delivery.IMAPOptions{URL: w.Seed.URL(), User: lab.SeedUser, Password: lab.SeedPassword}
		}
		if dsn == nil {
			dsn = &delivery.IMAPOptions{URL: w.DSNSink.URL(), User: lab.SeedUser, Password: lab.SeedPassword}
		}
		if d.control.via == "" {
			c := sendBase
			c.Route, c.Relay, c.TLS = delivery.RouteSubmit, "127.0.0.1:"+strconv.Itoa(w.Relay.Port()), delivery.TLSNone
			c.Auth = &delivery.Credentials{User: lab.RelayUser, Password: lab.RelayPassword}
			c.Resolver, c.Port = nil, 0
			ctlOpts = &c
		}
	}
	if seed == nil {
		return exitcode.UsageError("--deliver-to needs --imap URL (the seed mailbox to look in)")
	}
	if d.control.via != "" {
		c, err := d.control.sendOpts(g, "control-", sendBase, env)
		if err != nil {
			return err
		}
		ctlOpts = &c
	}
	l, err := d.probe.openLedger(g)
	if err != nil {
		return err
	}
	defer l.Close()

	ctx, cancel := g.withTimeout(cmd.Context())
	rep := check.Run(ctx, base)
	cancel()
	if err := interrupted(cmd); err != nil {
		return err
	}
	// Send the probe (and its control), then watch.
	sctx, scancel := g.withTimeout(cmd.Context())
	mainOpts := sendBase
	mainOpts.Ledger = l
	p, err := delivery.Send(sctx, mainOpts)
	if p == nil {
		scancel()
		return exitcode.WithCode(exitcode.Incomplete, fmt.Errorf("probe not sent: %w", err))
	}
	probes := []*delivery.Probe{p}
	if ctlOpts != nil {
		c := *ctlOpts
		c.Ledger, c.Role, c.Group = l, delivery.RoleControl, p.Token
		if cp, _ := delivery.Send(sctx, c); cp != nil {
			probes = append(probes, cp)
		}
	}
	scancel()
	if err := interrupted(cmd); err != nil {
		return err
	}
	tokens := make([]string, 0, len(probes))
	for _, pr := range probes {
		tokens = append(tokens, pr.Token)
	}
	copts := delivery.ConfirmOptions{Ledger: l, Tokens: tokens, Seed: seed, DSNIMAP: dsn, Windows: win, Now: clk.Now}
	round := func() (*delivery.ConfirmResult, error) {
		rctx, rcancel := g.withTimeout(cmd.Context())
		defer rcancel()
		return delivery.Confirm(rctx, copts)
	}
	res, err := round()
	if err != nil {
		return err
	}
	res, err = watchLoop(cmd, g, clk, win, d.wait.String(), tokens, res, round)
	if err != nil {
		return err
	}
	if err := interrupted(cmd); err != nil {
		return err
	}
	dr := &DeliveryReport{Ledger: l.Path(), Seed: res.Seed, Window: win}
	var vs []delivery.ProbeVerdict
	for _, pr := range probes {
		dr.Sent = append(dr.Sent, &sentSummary{Token: pr.Token, Role: pr.Role, Outcome: pr.Outcome, Reply: pr.Reply})
		if v, ok := res.Verdict.Get(pr.Token); ok {
			vs = append(vs, v)
			dr.Probes = append(dr.Probes, localizeVerdict(v, g.Lang))
		}
	}
	// The delivery verdicts are findings of the report too, so the headline
	// verdict and the findings list reflect a suspected drop.
	for _, v := range vs {
		f := v.Finding()
		if v.Role == delivery.RoleControl {
			f = f.WithSeverity(report.Info)
			f.Evidence = append(f.Evidence, "role=control")
		}
		rep.AddFindings(v.State == delivery.StateInconclusive, f)
	}
	if g.JSON() {
		rep.Localize(g.Lang)
		if err := render.JSON(g.IO.Out, checkReportWithDelivery{rep, dr}); err != nil {
			return err
		}
	} else if g.ciFormat() {
		if err := writeCI(g, failOn, ciCheck(g, rep)); err != nil {
			return err
		}
	} else {
		rep.RenderText(g.IO.Out, check.TextOptions{Lang: g.Lang, Style: render.Styler{Color: g.Color()}, Verbose: g.Verbose, Quiet: g.Quiet, Transcript: o.transcript})
		fmt.Fprintln(g.IO.Out)
		fmt.Fprintln(g.IO.Out, render.Styler{Color: g.Color()}.Bold(i18n.T("Delivery proof", "Zustellnachweis").In(g.Lang)))
		printScans(g, res)
		printVerdicts(g, vs, g.Verbose)
	}
	// One exit code: a suspected drop (4) wins, then the check's, then the
	// probe verdicts'.
	pe := probesExit(vs, failOn)
	if exitcode.Of(pe) == exitcode.SilentDrop {
		return pe
	}
	if ce := verdictExit(rep.Verdict, rep.RawFindings(), failOn); ce != nil {
		return ce
	}
	return pe
}
