package cli

import (
	"bufio"
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/render"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/view"
)

// sendOptions are the options of `probe send`.
type sendOptions struct {
	g   *Globals
	po  *probeOptions
	ctx context.Context

	to, from, helo        string
	ownMailbox            bool
	route, control        routeFlags
	dkimKey, dkimSelector string
	dkimDomain            string
	verp                  bool
}

type routeFlags struct {
	via, relay, mx, tls, smtpUser, smtpPasswordFile string
	port                                            int
}

// newProbeSendCmd builds `probe send`; runF is probeSendRun except in tests.
func newProbeSendCmd(g *Globals, po *probeOptions, runF func(*sendOptions) error) *cobra.Command {
	o := &sendOptions{g: g, po: po}
	cmd := &cobra.Command{
		Use:   "send --to SEED --from ADDRESS",
		Short: "Send a tagged probe to a seed mailbox you control",
		Long: `Send one probe to a seed mailbox you own at the destination. The probe carries a
unique, never reused token in its Message-ID, an X-Mxprobe-Id header and the
subject, and a short neutral text. When the server offers DSN (RFC 3461) the
envelope asks for NOTIFY=SUCCESS,FAILURE,DELAY, RET=HDRS, ENVID=token, ORCPT.
The acceptance is recorded: every reply, the final reply verbatim, Microsoft's
InternalId and Hostname, the queue id, MX host and IP, TLS.

Routes: --via direct resolves the MX and delivers from this host (port 25);
--via submit --relay HOST:PORT hands the probe to your real sending
infrastructure with TLS and AUTH. --control-via sends the same probe with its
own token over a second, known-good path to the same seed.

With --lab the probe goes into the in-process lab, which lives only as long
as the command: probe send --lab therefore watches the lab's seed mailbox
until every verdict is final (the lab windows end within seconds), and a later
"probe confirm --lab --pending" finds nothing left to look for.

This is not an address verification tool: --i-own-this-mailbox, or the seed in
MXPROBE_SEEDS or $XDG_CONFIG_HOME/mxprobe/seeds, is required.

Exit status as in check: a refusal (5xx) is a fail, a deferral (4xx) a warn;
either exits 1 only at or above --fail-on (default fail, so a deferral alone
exits 0; --fail-on warn counts it). 3 when no reply decided the hand-over
(connection, TLS, authentication).`,
		Example: `  mxprobe probe send --to me@hotmail.com --from news@example.com --i-own-this-mailbox
  MXPROBE_SMTP_USER=news MXPROBE_SMTP_PASSWORD=… mxprobe probe send --to me@hotmail.com \
      --from news@example.com --via submit --relay smtp.example.com:587 --control-via direct`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ctx = cmd.Context()
			return runF(o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.to, "to", "", "the seed address (a mailbox you own)")
	f.StringVar(&o.from, "from", "", "sender address (header From and envelope sender)")
	f.BoolVar(&o.ownMailbox, "i-own-this-mailbox", false, "confirm that the seed mailbox is yours")
	addHELOFlag(cmd, &o.helo)
	f.StringVar(&o.dkimKey, "dkim-key", "", "PEM private key to DKIM-sign the probe with")
	f.StringVar(&o.dkimSelector, "dkim-sign-selector", "", "DKIM selector to sign with (the one --dkim-key's public key is published under)")
	f.StringVar(&o.dkimDomain, "dkim-sign-domain", "", "DKIM signing domain d= (default: the --from domain)")
	f.BoolVar(&o.verp, "verp", false, "put the token into the envelope sender (local+mxp-TOKEN@domain) to match bounces without DSN")
	o.route.register(cmd, "", "the probe")
	o.control.register(cmd, "control-", "the control probe")
	addFailOn(cmd, &po.failOn)
	addNetFlags(cmd, g, flagLab|flagResolver|flagCAFile)
	_ = cmd.RegisterFlagCompletionFunc("via", fixedCompletion("direct", "submit"))
	_ = cmd.RegisterFlagCompletionFunc("control-via", fixedCompletion("direct", "submit"))
	_ = cmd.RegisterFlagCompletionFunc("tls", fixedCompletion("opportunistic", "starttls", "implicit", "none"))
	return cmd
}

func (r *routeFlags) register(cmd *cobra.Command, prefix, what string) {
	f := cmd.Flags()
	def := "direct"
	if prefix != "" {
		def = ""
	}
	f.StringVar(&r.via, prefix+"via", def, "route of "+what+": direct (MX, port 25) or submit (--"+prefix+"relay)")
	f.StringVar(&r.relay, prefix+"relay", "", "submission server HOST:PORT for "+what+" (--"+prefix+"via submit)")
	f.StringVar(&r.mx, prefix+"mx", "", "deliver "+what+" to this MX HOST[:PORT] instead of resolving the MX")
	f.IntVar(&r.port, prefix+"port", 0, "SMTP port for --"+prefix+"via direct (default 25; labs)")
	f.StringVar(&r.tls, prefix+"tls", "", "TLS of "+what+": opportunistic (direct default), starttls (submit default), implicit, none")
	f.StringVar(&r.smtpUser, prefix+"smtp-user", "", "SMTP AUTH user for "+what+" (or MXPROBE_"+envPrefix(prefix)+"SMTP_USER)")
	f.StringVar(&r.smtpPasswordFile, prefix+"smtp-password-file", "", "file holding the SMTP AUTH password for "+what+" (or MXPROBE_"+envPrefix(prefix)+"SMTP_PASSWORD)")
}

func envPrefix(prefix string) string {
	if prefix == "" {
		return ""
	}
	return "CONTROL_"
}

// seedConfigured reports whether addr is a configured seed (MXPROBE_SEEDS,
// or one per line in $XDG_CONFIG_HOME/mxprobe/seeds).
func seedConfigured(g *Globals, addr string) bool {
	for _, s := range strings.Split(g.IO.Getenv("MXPROBE_SEEDS"), ",") {
		if strings.EqualFold(strings.TrimSpace(s), addr) {
			return true
		}
	}
	dir := g.IO.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		if h := g.IO.Getenv("HOME"); h != "" {
			dir = filepath.Join(h, ".config")
		}
	}
	if dir == "" {
		return false
	}
	b, err := readSmallFile(filepath.Join(dir, "mxprobe", "seeds"), 1<<20)
	if err != nil {
		return false
	}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		if strings.EqualFold(strings.TrimSpace(sc.Text()), addr) {
			return true
		}
	}
	return false
}

// sendOpts builds delivery options for one route.
func (r *routeFlags) sendOpts(g *Globals, prefix string, base delivery.SendOptions, env *runEnv) (delivery.SendOptions, error) {
	o := base
	switch r.via {
	case "direct":
		o.Route = delivery.RouteDirect
	case "submit":
		o.Route = delivery.RouteSubmit
	default:
		return o, usageErr("--"+prefix+"via", i18n.T("invalid --%svia %q: use direct or submit", "ungültiges --%svia %q: Geben Sie direct oder submit an"), prefix, r.via)
	}
	o.Relay, o.MX, o.Port, o.TLS = r.relay, r.mx, r.port, delivery.TLSMode(r.tls)
	switch o.TLS {
	case "", delivery.TLSOpportunistic, delivery.TLSStartTLS, delivery.TLSImplicit, delivery.TLSNone:
	default:
		return o, usageErr("--"+prefix+"tls", i18n.T("invalid --%stls %q: use opportunistic, starttls, implicit or none", "ungültiges --%stls %q: Geben Sie opportunistic, starttls, implicit oder none an"), prefix, r.tls)
	}
	if r.port < 0 || r.port > 65535 {
		return o, usageErr("--"+prefix+"port", i18n.T("invalid --%sport %d: use 1 to 65535", "ungültiger --%sport %d: Geben Sie 1 bis 65535 an"), prefix, r.port)
	}
	if o.Route == delivery.RouteSubmit {
		if r.relay == "" {
			return o, usageErr("--"+prefix+"relay", i18n.T("--%svia submit needs --%srelay HOST:PORT", "--%svia submit braucht --%srelay HOST:PORT"), prefix, prefix)
		}
		user := r.smtpUser
		if user == "" {
			user = g.IO.Getenv("MXPROBE_" + envPrefix(prefix) + "SMTP_USER")
		}
		pw := ""
		if r.smtpPasswordFile != "" {
			var err error
			if pw, err = readSecretFile("--"+prefix+"smtp-password-file", r.smtpPasswordFile); err != nil {
				return o, err
			}
		} else {
			pw = g.IO.Getenv("MXPROBE_" + envPrefix(prefix) + "SMTP_PASSWORD")
		}
		if user != "" || pw != "" {
			if user == "" || pw == "" {
				return o, usageErr("--"+prefix+"smtp-user", i18n.T("SMTP AUTH for --%srelay needs both a user and a password", "SMTP AUTH für --%srelay braucht Benutzer und Passwort"), prefix)
			}
			o.Auth = &delivery.Credentials{User: user, Password: pw}
		}
	} else {
		if r.relay != "" || r.smtpUser != "" || r.smtpPasswordFile != "" {
			return o, usageErr("--"+prefix+"relay", i18n.T("--%srelay and SMTP AUTH belong to --%svia submit", "--%srelay und SMTP AUTH gehören zu --%svia submit"), prefix, prefix)
		}
		if o.MX == "" {
			o.Resolver = env.Resolver
			if o.Port == 0 && env.Port != 25 {
				o.Port = env.Port
			}
		}
	}
	return o, nil
}

// probeSendRun sends the probe (and its control) and reports the hand-over.
func probeSendRun(o *sendOptions) error {
	g, po := o.g, o.po
	win, failOn, err := po.windowsAndFailOn()
	if err != nil {
		return err
	}
	base, err := o.baseOptions(win)
	if err != nil {
		return err
	}
	env := &runEnv{Port: 25}
	needDNS := (o.route.via == "direct" && o.route.mx == "") || (o.control.via == "direct" && o.control.mx == "")
	if needDNS || g.Lab {
		if env, err = g.F.env(g); err != nil {
			return err
		}
		defer env.Close()
	} else if env.RootCAs, err = g.F.rootCAs(g); err != nil {
		return err
	}
	base.RootCAs = env.RootCAs
	if base.HelloName == "" {
		base.HelloName = env.HELO
	}
	mainOpts, ctlOpts, err := o.routes(base, env)
	if err != nil {
		return err
	}
	l, err := po.openLedger(g)
	if err != nil {
		return err
	}
	defer l.Close()
	_, st, err := l.Events()
	if err != nil {
		return err
	}
	ctx, cancel := g.withTimeout(o.ctx)
	defer cancel()
	probes, err := sendProbes(ctx, l, mainOpts, ctlOpts)
	if err != nil {
		return err
	}
	if err := interruptedCtx(o.ctx); err != nil {
		return err
	}
	ledgerWarnings(g, st, false)
	var vs []delivery.ProbeVerdict
	if env.Lab != nil {
		if vs, err = o.labWatch(env, l, probes, win); err != nil {
			return err
		}
	}
	if g.JSON() {
		out := struct {
			probeJSON
			Ledger   string            `json:"ledger"`
			Probes   []*delivery.Probe `json:"probes"`
			Verdicts []verdictJSON     `json:"verdicts,omitempty"`
		}{probeJSON: newProbeJSON("probe send", g.F.Clock.Now()), Ledger: l.Path(), Probes: probes}
		for _, v := range vs {
			out.Verdicts = append(out.Verdicts, localizeVerdict(v, g.Lang))
		}
		if err := render.JSON(g.IO.Out, out); err != nil {
			return err
		}
	} else {
		printSent(g, probes)
		if len(vs) > 0 {
			fmt.Fprintln(g.IO.Out)
			printVerdicts(g, vs, g.Verbose)
		}
	}
	if len(vs) > 0 {
		if err := probesExit(vs, failOn); err != nil {
			return err
		}
	}
	return sendExit(probes, failOn)
}

// labWatch watches the probes in the in-process lab's mailboxes until
// every verdict is final (the lab windows end within seconds): the lab
// lives only as long as this command, so a later `probe confirm --lab` has
// nothing left to look at and finds every verdict final.
func (o *sendOptions) labWatch(env *runEnv, l *delivery.Ledger, probes []*delivery.Probe, win delivery.Windows) ([]delivery.ProbeVerdict, error) {
	g := o.g
	seed, dsn := labMailboxes(env.Lab, nil, nil)
	var tokens []string
	for _, p := range probes {
		tokens = append(tokens, p.Token)
	}
	copts := delivery.ConfirmOptions{Ledger: l, Tokens: tokens, Seed: seed, DSNIMAP: dsn, Windows: win, Now: g.F.Clock.Now}
	round := func(ctx context.Context) (*delivery.ConfirmResult, error) {
		ctx, cancel := g.withTimeout(ctx)
		defer cancel()
		return delivery.Confirm(ctx, copts)
	}
	res, err := round(o.ctx)
	if err != nil {
		return nil, err
	}
	wo := delivery.WatchOptions{Clock: g.F.Clock, Windows: win, Tokens: tokens, Round: round, UntilFinal: true}
	if res, err = delivery.Watch(o.ctx, wo, res); err != nil {
		if e := interruptedCtx(o.ctx); e != nil {
			return nil, e
		}
		return nil, err
	}
	var vs []delivery.ProbeVerdict
	for _, t := range tokens {
		if v, ok := res.Verdict.Get(t); ok {
			vs = append(vs, v)
		}
	}
	return vs, nil
}

// baseOptions checks the addresses and the DKIM key and builds what both
// routes share. The windows go into the ledger with the probe, so every
// later command judges it the same way.
func (o *sendOptions) baseOptions(win delivery.Windows) (delivery.SendOptions, error) {
	g := o.g
	if o.to == "" {
		return delivery.SendOptions{}, usageErr("--to", i18n.T("probe send needs --to SEED (a mailbox you own)", "probe send braucht --to ADRESSE (ein Testpostfach, das Ihnen gehört)"))
	}
	if o.from == "" {
		return delivery.SendOptions{}, usageErr("--from", i18n.T("probe send needs --from ADDRESS (the probe's sender)", "probe send braucht --from ADRESSE (den Absender der Testmail)"))
	}
	to, err := parseAddressFlag("--to", o.to)
	if err != nil {
		return delivery.SendOptions{}, err
	}
	from, err := parseAddressFlag("--from", o.from)
	if err != nil {
		return delivery.SendOptions{}, err
	}
	if !o.ownMailbox && !seedConfigured(g, to) {
		return delivery.SendOptions{}, usageErr("--i-own-this-mailbox", i18n.T(
			"probe send only sends to a seed mailbox you own: add --i-own-this-mailbox, or list the address in MXPROBE_SEEDS or $XDG_CONFIG_HOME/mxprobe/seeds",
			"probe send sendet nur an ein Testpostfach, das Ihnen gehört: Geben Sie --i-own-this-mailbox an oder tragen Sie die Adresse in MXPROBE_SEEDS oder $XDG_CONFIG_HOME/mxprobe/seeds ein"))
	}
	base := delivery.SendOptions{From: from, To: to, HelloName: o.helo, VERP: o.verp, Lang: g.Lang, Now: g.F.Clock.Now, Windows: &win}
	if err := checkHELO(o.helo); err != nil {
		return base, err
	}
	base.DKIM, err = o.dkim(from)
	return base, err
}

// dkim loads the signing key of --dkim-key (nil without one).
func (o *sendOptions) dkim(from string) (*delivery.DKIMOptions, error) {
	if o.dkimKey == "" && o.dkimSelector == "" {
		return nil, nil
	}
	if o.dkimKey == "" {
		return nil, usageErr("--dkim-key", i18n.T("--dkim-sign-selector needs --dkim-key FILE (the PEM private key)", "--dkim-sign-selector braucht --dkim-key DATEI (den privaten PEM-Schlüssel)"))
	}
	if o.dkimSelector == "" {
		return nil, usageErr("--dkim-sign-selector", i18n.T("--dkim-key needs --dkim-sign-selector NAME (the selector its public key is published under)", "--dkim-key braucht --dkim-sign-selector NAME (den Selektor, unter dem der öffentliche Schlüssel veröffentlicht ist)"))
	}
	b, err := readSmallFile(o.dkimKey, 1<<20)
	if err != nil {
		return nil, usageErr("--dkim-key", i18n.T("cannot read --dkim-key: %v", "--dkim-key ist nicht lesbar: %v"), err)
	}
	signer, err := delivery.ParseDKIMKey(b)
	if err != nil {
		return nil, usageErr("--dkim-key", i18n.T("--dkim-key holds no usable private key: %v", "--dkim-key enthält keinen verwendbaren privaten Schlüssel: %v"), err)
	}
	dom := o.dkimDomain
	if dom == "" {
		dom = from[strings.LastIndexByte(from, '@')+1:]
	}
	return &delivery.DKIMOptions{Domain: dom, Selector: o.dkimSelector, Signer: signer}, nil
}

// routes builds the send options of the probe and of its control (nil
// without --control-via).
func (o *sendOptions) routes(base delivery.SendOptions, env *runEnv) (delivery.SendOptions, *delivery.SendOptions, error) {
	mainOpts, err := o.route.sendOpts(o.g, "", base, env)
	if err != nil {
		return mainOpts, nil, err
	}
	if o.control.via == "" {
		if o.control.relay != "" || o.control.mx != "" {
			return mainOpts, nil, usageErr("--control-via", i18n.T("--control-relay and --control-mx need --control-via direct or submit", "--control-relay und --control-mx brauchen --control-via direct oder submit"))
		}
		return mainOpts, nil, nil
	}
	c, err := o.control.sendOpts(o.g, "control-", base, env)
	return mainOpts, &c, err
}

// sendProbes sends the probe, then its control (same group) when asked.
func sendProbes(ctx context.Context, l *delivery.Ledger, mainOpts delivery.SendOptions, ctlOpts *delivery.SendOptions) ([]*delivery.Probe, error) {
	mainOpts.Ledger = l
	p, err := delivery.Send(ctx, mainOpts)
	if p == nil {
		return nil, usageErr("--to", i18n.T("probe not sent: %v", "Testmail nicht gesendet: %v"), err)
	}
	probes := []*delivery.Probe{p}
	if ctlOpts != nil {
		c := *ctlOpts
		c.Ledger, c.Role, c.Group = l, delivery.RoleControl, p.Token
		cp, err := delivery.Send(ctx, c)
		if cp == nil {
			return nil, usageErr("--control-via", i18n.T("control probe not sent: %v", "Kontroll-Testmail nicht gesendet: %v"), err)
		}
		probes = append(probes, cp)
	}
	return probes, nil
}

// sendExit: a failed hand-over could not complete (3); a refusal or
// deferral is a problem (1) when its severity is at or above --fail-on — a
// deferral is warn, so with the default --fail-on fail it exits 0, as in
// check.
func sendExit(probes []*delivery.Probe, failOn report.Severity) error {
	incomplete, problem := false, false
	for _, p := range probes {
		if p.Outcome == delivery.OutcomeFailed {
			incomplete = true
		} else if view.OutcomeSeverity(p.Outcome).Rank() >= failOn.Rank() {
			problem = true
		}
	}
	switch {
	case incomplete:
		return exitcode.Silent(exitcode.Incomplete)
	case problem:
		return exitcode.Silent(exitcode.Problems)
	}
	return nil
}

func printSent(g *Globals, probes []*delivery.Probe) {
	view.SentText(g.IO.Out, probes, g.Lang, view.StylerFor(g.IO.Out, g.Color(), g.IO.OutTTY), g.Verbose)
}
