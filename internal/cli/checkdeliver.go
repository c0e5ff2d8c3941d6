package cli

import (
	"errors"
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
	"github.com/mxprobe/mxprobe/internal/prove"
	"github.com/mxprobe/mxprobe/internal/render"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/view"
)

// deliveryFlags are the flags of `check --deliver-to`: the delivery proof in
// one run (send, watch, verdict, one exit code) — the CI form.
type deliveryFlags struct {
	deliverTo  string
	mx         string
	ownMailbox bool
	seed, dsn  imapFlags
	control    routeFlags
	wait       time.Duration
	probe      probeOptions
}

func addDeliveryFlags(cmd *cobra.Command, d *deliveryFlags) {
	f := cmd.Flags()
	f.StringVar(&d.deliverTo, "deliver-to", "", "after the check, send a tagged probe to this seed mailbox and prove its delivery")
	f.StringVar(&d.mx, "mx", "", "deliver the --deliver-to probe to this MX HOST[:PORT] instead of resolving the MX")
	f.BoolVar(&d.ownMailbox, "i-own-this-mailbox", false, "confirm that the --deliver-to mailbox is yours")
	d.seed.register(cmd, "imap", "seed mailbox")
	d.dsn.register(cmd, "dsn-imap", "DSN mailbox")
	f.StringVar(&d.control.via, "control-via", "", "also send a control probe over a known-good path: direct or submit")
	f.StringVar(&d.control.relay, "control-relay", "", "submission relay HOST:PORT of the control probe")
	f.StringVar(&d.control.tls, "control-tls", "", "TLS toward the control relay: opportunistic, starttls, implicit or none")
	f.StringVar(&d.control.smtpUser, "control-smtp-user", "", "SMTP AUTH user of the control relay (password from MXPROBE_CONTROL_SMTP_PASSWORD or --control-smtp-password-file)")
	f.StringVar(&d.control.smtpPasswordFile, "control-smtp-password-file", "", "file holding the control relay's SMTP AUTH password")
	durationFlag(f, &d.wait, "wait", 10*time.Minute, "how long to watch the seed mailbox for the probe")
	f.StringVar(&d.probe.ledger, "ledger", "", "ledger file (default $XDG_STATE_HOME/mxprobe/ledger.jsonl)")
	d.probe.windowFlags.register(f)
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

// checkDeliver runs the delivery proof (internal/prove) after building its
// options from the flags, and renders the report with the proof.
func checkDeliver(o *checkOptions, base check.Options, env *runEnv, failOn report.Severity) error {
	g := o.g
	po, err := o.proveOptions(base, env)
	if err != nil {
		return err
	}
	l, err := o.delivery.probe.openLedger(g)
	if err != nil {
		return err
	}
	defer l.Close()
	po.Ledger = l
	if !g.JSON() && !g.Quiet {
		po.Changed = func(at time.Time, tok string, st delivery.State) {
			fmt.Fprintf(g.IO.ErrOut, "%s  %s  %s\n", at.Format("15:04:05"), tok, st)
		}
	}
	res, err := prove.Run(o.ctx, po)
	if e := interruptedCtx(o.ctx); e != nil {
		return e
	}
	if errors.Is(err, prove.ErrNotSent) {
		return incomplete(err)
	}
	if err != nil {
		return err
	}
	if err := o.printDelivery(res, l.Path(), po.Windows); err != nil {
		return err
	}
	// One exit code: a suspected drop (4) wins, then the check's, then the
	// probe verdicts'.
	pe := probesExit(res.Verdicts, failOn)
	if exitcode.Of(pe) == exitcode.SilentDrop {
		return pe
	}
	if ce := verdictExit(res.Report.Verdict, res.Report.RawFindings(), failOn); ce != nil {
		return ce
	}
	return pe
}

// proveOptions builds the proof's options from the flags: the seed
// address at the checked domain, the windows, the mailboxes and routes (the
// lab supplies the seed mailbox, its DSN sink and a known-good relay).
func (o *checkOptions) proveOptions(base check.Options, env *runEnv) (prove.Options, error) {
	g, d := o.g, &o.delivery
	seedAddr, err := parseAddressFlag("--deliver-to", d.deliverTo)
	if err != nil {
		return prove.Options{}, err
	}
	if base.MailFrom == "" {
		return prove.Options{}, usageErr("--from", i18n.T("--deliver-to needs --from ADDRESS (the probe's sender)", "--deliver-to braucht --from ADRESSE (den Absender der Testmail)"))
	}
	if !d.ownMailbox && !seedConfigured(g, seedAddr) && !g.Lab {
		return prove.Options{}, usageErr("--i-own-this-mailbox", i18n.T(
			"--deliver-to only sends to a seed mailbox you own: add --i-own-this-mailbox, or list the address in MXPROBE_SEEDS or $XDG_CONFIG_HOME/mxprobe/seeds",
			"--deliver-to sendet nur an ein Testpostfach, das Ihnen gehört: Geben Sie --i-own-this-mailbox an oder tragen Sie die Adresse in MXPROBE_SEEDS oder $XDG_CONFIG_HOME/mxprobe/seeds ein"))
	}
	if i := strings.LastIndexByte(seedAddr, '@'); !strings.EqualFold(seedAddr[i+1:], base.Target.Domain) {
		return prove.Options{}, usageErr("--deliver-to", i18n.T("--deliver-to %s is not at the checked domain %s: give a seed address @%s",
			"--deliver-to %s liegt nicht bei der geprüften Domain %s: Geben Sie eine Adresse @%s an"), seedAddr, base.Target.Domain, base.Target.Domain)
	}
	win, err := d.probe.resolve(g.Lab)
	if err != nil {
		return prove.Options{}, err
	}
	po := prove.Options{Check: base, Windows: win, Wait: d.wait, Timeout: g.Timeout, Clock: g.F.Clock}
	if po.Seed, err = d.seed.options(g, "imap", "MXPROBE_IMAP_PASSWORD", env.RootCAs); err != nil {
		return po, err
	}
	if po.DSN, err = d.dsn.options(g, "dsn-imap", "MXPROBE_DSN_IMAP_PASSWORD", env.RootCAs); err != nil {
		return po, err
	}
	// The probe goes where the check went: --port (and the lab's port).
	po.Send = delivery.SendOptions{From: base.MailFrom, To: seedAddr, HelloName: base.HELO, RootCAs: env.RootCAs,
		Lang: g.Lang, Now: g.F.Clock.Now, Route: delivery.RouteDirect, Resolver: env.Resolver, Windows: &win}
	if base.Port != 25 {
		po.Send.Port = base.Port
	}
	// --mx sends the probe to one host, as probe send --mx does (the check
	// itself still talks to the resolved MX hosts).
	po.Send.MX = d.mx
	if env.Lab != nil {
		po.Seed, po.DSN = labMailboxes(env.Lab, po.Seed, po.DSN)
		if d.control.via == "" {
			po.Control = labControl(env.Lab, po.Send)
		}
	}
	if po.Seed == nil {
		return po, usageErr("--imap", i18n.T("--deliver-to needs --imap URL (the seed mailbox to look in)", "--deliver-to braucht --imap URL (das Testpostfach, in dem gesucht wird)"))
	}
	if d.control.via != "" {
		c, err := d.control.sendOpts(g, "control-", po.Send, env)
		if err != nil {
			return po, err
		}
		po.Control = &c
	}
	return po, nil
}

// labMailboxes are the lab's seed mailbox and DSN sink where none was given.
func labMailboxes(w *lab.World, seed, dsn *delivery.IMAPOptions) (*delivery.IMAPOptions, *delivery.IMAPOptions) {
	if seed == nil {
		seed = &delivery.IMAPOptions{URL: w.Seed.URL(), User: lab.SeedUser, Password: lab.SeedPassword}
	}
	if dsn == nil {
		dsn = &delivery.IMAPOptions{URL: w.DSNSink.URL(), User: lab.SeedUser, Password: lab.SeedPassword}
	}
	return seed, dsn
}

// labControl is the control probe over the lab's known-good relay.
func labControl(w *lab.World, send delivery.SendOptions) *delivery.SendOptions {
	c := send
	c.Route, c.Relay, c.TLS = delivery.RouteSubmit, "127.0.0.1:"+strconv.Itoa(w.Relay.Port()), delivery.TLSNone
	c.Auth = &delivery.Credentials{User: lab.RelayUser, Password: lab.RelayPassword}
	c.Resolver, c.Port = nil, 0
	return &c
}

// printDelivery renders the check report with the delivery proof.
func (o *checkOptions) printDelivery(res *prove.Result, ledger string, win delivery.Windows) error {
	g := o.g
	dr := &DeliveryReport{Ledger: ledger, Seed: res.Confirm.Seed, Window: win}
	for _, pr := range res.Probes {
		dr.Sent = append(dr.Sent, &sentSummary{Token: pr.Token, Role: pr.Role, Outcome: pr.Outcome, Reply: pr.Reply})
	}
	for _, v := range res.Verdicts {
		dr.Probes = append(dr.Probes, localizeVerdict(v, g.Lang))
	}
	rep := res.Report
	if g.JSON() {
		rep.Localize(g.Lang)
		return render.JSON(g.IO.Out, checkReportWithDelivery{rep, dr})
	}
	if g.ciFormat() {
		failOn, _ := parseFailOn(o.failOn)
		return writeCI(g, failOn, ciCheck(g, rep))
	}
	st := view.StylerFor(g.IO.Out, g.Color(), g.IO.OutTTY)
	view.Text(g.IO.Out, view.Check(rep, view.Options{Mode: view.ModeFor(g.Quiet, g.Verbose), Transcript: o.transcript, ProofShown: true}), g.Lang, st)
	// The proof shows the evidence; the advice stands once, in the report.
	view.DeliveryProof(g.IO.Out, res.Confirm, res.Verdicts, g.Lang, st, view.VerdictOptions{Quiet: g.Quiet, Verbose: g.Verbose})
	return nil
}
