package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/mxprobe/mxprobe/internal/check"
	"github.com/mxprobe/mxprobe/internal/dnsbl"
	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/lab"
	"github.com/mxprobe/mxprobe/internal/mxdialog"
	"github.com/mxprobe/mxprobe/internal/render"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/view"
)

// checkOptions are the options of `check`.
type checkOptions struct {
	g    *Globals
	ctx  context.Context
	args []string

	from, helo, ip  string
	selectors       []string
	port            int
	only4, only6    bool
	allMX           bool
	noAcceptAllTest bool
	failOn          string
	transcript      bool
	targetsFile     string
	concurrency     int
	dnsbl           []string
	delivery        deliveryFlags
	rules           rulesFlags
}

func init() {
	addCommand(func(g *Globals) *cobra.Command { return newCheckCmd(g, checkRun) })
}

// newCheckCmd builds `check`; runF is checkRun except in tests.
func newCheckCmd(g *Globals, runF func(*checkOptions) error) *cobra.Command {
	o := &checkOptions{g: g}
	o.delivery.probe.g = g
	cmd := &cobra.Command{
		Use:   "check DOMAIN|ADDRESS|-",
		Short: "Talk to a domain's MX hosts and report deliverability from both sides",
		Long: `Resolve the destination's MX hosts, hold a live SMTP dialogue with them
(banner, EHLO, STARTTLS, MAIL FROM, RCPT TO, RSET, QUIT — never DATA), and check
the sender's side as the destination sees it: outbound IP, rDNS/FCrDNS, EHLO
name, SPF, DKIM, DMARC and block lists, plus the destination's TLS, MTA-STS,
TLS-RPT and DANE. The RCPT is ADDRESS, or postmaster@DOMAIN (RFC 5321 §4.5.1).

A second session asks for a random, nonexistent recipient: when that is
accepted too, a 250 proves nothing about delivery (--no-accept-all-test
skips it). Toward Microsoft there is one RCPT per session.

Bulk mode: "check -" or --targets FILE reads one target per line and writes
one result per line (with --format json: NDJSON, input order). A line that is
not a target gives a result with an error object {id, message}; the other
lines are still checked. The exit code is the worst over all lines, ranked
0 < 1 (problems at or above --fail-on) < 2 (a line that is not a target)
< 3 (a check could not complete): a network failure is never hidden behind a
bad line. Input without any target exits 2.`,
		Example: `  mxprobe check hotmail.com
  mxprobe check user@example.com --from you@yourdomain.example --dkim-selector s1
  mxprobe check --lab drop.lab.test --from you@weak.lab.test --rules all --bulk
  mxprobe check - --format json --concurrency 20 < domains.txt`,
		Args: maxOneArg("DOMAIN|ADDRESS|-"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ctx, o.args = cmd.Context(), args
			return runF(o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.from, "from", "", "MAIL FROM address (default: the null sender <>, also with --lab; @domain means postmaster@domain)")
	addHELOFlag(cmd, &o.helo)
	f.StringVar(&o.ip, "ip", "", "outbound IP for the sender checks (default: as the destination sees it)")
	f.StringArrayVar(&o.selectors, "dkim-selector", nil, "DKIM selector to look up for the --from domain (repeatable)")
	f.IntVar(&o.port, "port", 0, "SMTP port of the MX hosts, also for the --deliver-to probe (default 25)")
	f.BoolVarP(&o.only4, "ipv4", "4", false, "use IPv4 addresses only")
	f.BoolVarP(&o.only6, "ipv6", "6", false, "use IPv6 addresses only")
	f.BoolVar(&o.allMX, "all-mx", false, "probe every address of every MX")
	f.BoolVar(&o.noAcceptAllTest, "no-accept-all-test", false, "skip the second session with a nonexistent recipient")
	f.BoolVar(&o.transcript, "transcript", false, "print the SMTP transcripts (JSON always carries them)")
	f.StringVar(&o.targetsFile, "targets", "", "read targets from FILE, one per line (bulk mode)")
	f.IntVar(&o.concurrency, "concurrency", 4, "targets checked at once in bulk mode")
	f.StringArrayVar(&o.dnsbl, "dnsbl", nil, "block-list zone to check the sender IP against (repeatable; default: Spamhaus ZEN, SpamCop, Barracuda, PSBL, Mailspike)")
	addFailOn(cmd, &o.failOn)
	addRulesFlags(cmd, &o.rules)
	addNetFlags(cmd, g, flagLab|flagResolver|flagCAFile)
	addDeliveryFlags(cmd, &o.delivery)
	return cmd
}

// validate refuses bad values and conflicting flags, naming the flag.
func (o *checkOptions) validate() (bulk bool, err error) {
	switch {
	case o.only4 && o.only6:
		return false, usageErr("-6", i18n.T("-4 and -6 exclude each other: give one of them", "-4 und -6 schließen sich aus: Geben Sie nur eine der beiden Optionen an"))
	case o.port < 0 || o.port > 65535:
		return false, usageErr("--port", i18n.T("invalid --port %d: use 1 to 65535", "ungültiger --port %d: Geben Sie 1 bis 65535 an"), fmt.Sprint(o.port))
	case o.concurrency < 1 || o.concurrency > 1000:
		return false, usageErr("--concurrency", i18n.T("invalid --concurrency %d: use 1 to 1000", "ungültige --concurrency %d: Geben Sie 1 bis 1000 an"), fmt.Sprint(o.concurrency))
	case o.targetsFile != "" && len(o.args) > 0:
		return false, usageErr("--targets", i18n.T("--targets %s and the argument %q exclude each other: put every target into the file, or drop --targets",
			"--targets %s und das Argument %q schließen sich aus: alle Ziele in die Datei schreiben oder --targets weglassen"), o.targetsFile, o.args[0])
	}
	bulk = o.targetsFile != "" || (len(o.args) == 1 && o.args[0] == "-")
	switch {
	case !bulk && len(o.args) != 1:
		return false, usageErr("DOMAIN", i18n.T("check needs a DOMAIN, an ADDRESS, - (targets on stdin) or --targets FILE", "check braucht eine DOMAIN, eine ADRESSE, - (Ziele auf stdin) oder --targets DATEI"))
	case o.delivery.mx != "" && o.delivery.deliverTo == "":
		return false, usageErr("--mx", i18n.T("--mx names the host the --deliver-to probe goes to: add --deliver-to ADDRESS, or drop --mx",
			"--mx nennt den Host, an den die Testmail von --deliver-to geht: Geben Sie --deliver-to ADRESSE an oder lassen Sie --mx weg"))
	case bulk && o.rules.message == "-" && (o.targetsFile == "" || o.targetsFile == "-"):
		return false, usageErr("--message", i18n.T("--message - and check - both read standard input: give the message as a file, or the targets with --targets FILE",
			"--message - und check - lesen beide die Standardeingabe: Geben Sie die Nachricht als Datei oder die Ziele mit --targets DATEI an"))
	case bulk && o.delivery.deliverTo != "":
		return false, usageErr("--deliver-to", i18n.T("--deliver-to proves delivery for one target, not in bulk mode: give one DOMAIN instead of - or --targets",
			"--deliver-to weist die Zustellung für ein Ziel nach, nicht im Massenmodus: Geben Sie eine DOMAIN statt - oder --targets an"))
	}
	return bulk, checkHELO(o.helo)
}

// baseOptions builds the check options every target shares.
func (o *checkOptions) baseOptions(env *runEnv) (check.Options, error) {
	g := o.g
	base := check.Options{HELO: o.helo, DKIMSelectors: o.selectors, Port: o.port, Only4: o.only4, Only6: o.only6,
		AllMX: o.allMX, NoAcceptAllTest: o.noAcceptAllTest, Version: Version().Version}
	ro, err := o.rules.options(g.IO.In)
	if err != nil {
		return base, err
	}
	base.RulesOptions = ro
	if o.ip != "" {
		ip, err := netip.ParseAddr(o.ip)
		if err != nil {
			return base, usageErr("--ip", i18n.T("invalid --ip %q: give an IPv4 or IPv6 address such as 192.0.2.1", "ungültige --ip %q: Geben Sie eine IPv4- oder IPv6-Adresse wie 192.0.2.1 an"), o.ip)
		}
		base.IP = ip.Unmap()
	}
	from := o.from
	if from == "" && g.Lab && o.delivery.deliverTo != "" {
		from = "postmaster@" + lab.SenderDomain // the lab probe needs a sender
	}
	if from != "" {
		if base.MailFrom, base.FromDomain, err = check.ParseAddress(from); err != nil {
			return base, err
		}
	}
	if base.HELO == "" {
		base.HELO = env.HELO
	}
	if base.Port == 0 {
		base.Port = env.Port
	}
	base.Resolver, base.RootCAs, base.DNSBLZones = env.Resolver, env.RootCAs, env.DNSBLZones
	for _, z := range o.dnsbl {
		if err = resolver.ValidateDomain(z); err != nil {
			return base, usageErr("--dnsbl", i18n.T("invalid --dnsbl zone %q: %v; give a zone such as zen.spamhaus.org", "ungültige --dnsbl-Zone %q: %v; geben Sie eine Zone wie zen.spamhaus.org an"), z, err)
		}
		base.DNSBLZones = append(base.DNSBLZones, dnsbl.ZoneFor(z))
	}
	base.Policy.Fetcher = env.Fetcher
	if g.Lab {
		// Lab servers answer within milliseconds; a tarpit shows as such.
		base.Timeouts = mxdialog.Timeouts{Connect: 3 * time.Second, Banner: 5 * time.Second, Command: 5 * time.Second}
	}
	return base, nil
}

// checkRun checks one target (with --deliver-to: and proves delivery) or,
// in bulk mode, many.
func checkRun(o *checkOptions) error {
	g := o.g
	failOn, err := parseFailOn(o.failOn)
	if err != nil {
		return err
	}
	bulk, err := o.validate()
	if err != nil {
		return err
	}
	var tgt check.Target
	if !bulk {
		// An invalid target is refused before the network is touched.
		if tgt, err = check.ParseTarget(o.args[0]); err != nil {
			return o.invalidTarget(o.args[0], err)
		}
	}
	env, err := g.F.env(g)
	if err != nil {
		return err
	}
	defer env.Close()
	base, err := o.baseOptions(env)
	if err != nil {
		return err
	}
	if bulk {
		return o.bulk(base, failOn)
	}
	base.Target = tgt
	if o.delivery.deliverTo != "" {
		return checkDeliver(o, base, env, failOn)
	}
	ctx, cancel := g.withTimeout(o.ctx)
	defer cancel()
	rep := check.Run(ctx, base)
	if err := interruptedCtx(o.ctx); err != nil {
		return err
	}
	if g.ciFormat() {
		err = writeCI(g, failOn, ciCheck(g, rep))
	} else {
		err = o.print(rep)
	}
	if err != nil {
		return err
	}
	return verdictExit(rep.Verdict, rep.RawFindings(), failOn)
}

// invalidTarget reports a target that does not parse: under --format json
// the same result object bulk mode writes for such a line (with its error
// object) goes to stdout, then exit 2 with the one-line message.
func (o *checkOptions) invalidTarget(input string, err error) error {
	if o.g.JSON() {
		if e := render.JSON(o.g.IO.Out, failedJSON(check.Failed(input, Version().Version, err), err, o.g.Lang)); e != nil {
			return e
		}
	} else if o.g.ciFormat() {
		if e := writeCI(o.g, report.Fail, ciCheck(o.g, check.Failed(input, Version().Version, err))); e != nil {
			return e
		}
	}
	return err
}

func (o *checkOptions) print(rep *check.Report) error {
	g := o.g
	if g.JSON() {
		rep.Localize(g.Lang)
		return render.JSON(g.IO.Out, rep)
	}
	view.Text(g.IO.Out, view.Check(rep, view.Options{Mode: view.ModeFor(g.Quiet, g.Verbose), Transcript: o.transcript}), g.Lang, view.StylerFor(g.IO.Out, g.Color(), g.IO.OutTTY))
	return nil
}

// bulk checks many targets (check.RunBulk) and writes one line per target
// in input order. The exit code is the worst over all lines (see rank).
func (o *checkOptions) bulk(base check.Options, failOn report.Severity) error {
	g := o.g
	targets, err := o.readTargets()
	if err != nil {
		return err
	}
	bo := check.BulkOptions{Base: base, Concurrency: o.concurrency, Timeout: g.Timeout, PaceGap: time.Second}
	if g.Lab {
		bo.PaceGap = 0 // one loopback lab: pacing would only slow the demo
	}
	worst := exitcode.OK
	ci := newCIWriter(g, failOn)
	progress := g.IO.ErrTTY && !g.Quiet
	err = check.RunBulk(o.ctx, targets, bo, func(i int, rep *check.Report) error {
		if progress {
			fmt.Fprintf(g.IO.ErrOut, "\r[%d/%d] %s\x1b[K", i+1, len(targets), check.Clip(rep.Target.Input))
		}
		code := exitcode.Of(verdictExit(rep.Verdict, rep.RawFindings(), failOn))
		if rep.Error != "" {
			code = exitcode.Usage
		}
		if rank(code) > rank(worst) {
			worst = code
		}
		if g.ciFormat() {
			return ci.Add(ciCheck(g, rep))
		}
		return o.emitBulk(rep)
	})
	if err == nil && g.ciFormat() {
		err = ci.Close()
	}
	if progress {
		fmt.Fprint(g.IO.ErrOut, "\r\x1b[K")
	}
	if e := interruptedCtx(o.ctx); e != nil {
		return e
	}
	if err != nil {
		return err
	}
	if worst != exitcode.OK {
		return exitcode.Silent(worst)
	}
	return nil
}

// emitBulk writes one bulk result: an NDJSON line, or a text line.
func (o *checkOptions) emitBulk(rep *check.Report) error {
	g := o.g
	rep.Localize(g.Lang)
	if g.JSON() {
		if rep.Error != "" {
			_, perr := check.ParseTarget(rep.Target.Input)
			return render.JSONLine(g.IO.Out, failedJSON(rep, perr, g.Lang))
		}
		return render.JSONLine(g.IO.Out, rep)
	}
	return view.BulkLine(g.IO.Out, rep, g.Lang, view.StylerFor(g.IO.Out, g.Color(), g.IO.OutTTY))
}

// readTargets reads the bulk input (--targets FILE or stdin).
func (o *checkOptions) readTargets() ([]string, error) {
	var in io.Reader = o.g.IO.In
	name := "-"
	if o.targetsFile != "" && o.targetsFile != "-" {
		f, err := os.Open(o.targetsFile)
		if err != nil {
			return nil, usageErr("--targets", i18n.T("cannot read --targets: %v", "--targets ist nicht lesbar: %v"), err)
		}
		defer f.Close()
		in, name = f, o.targetsFile
	}
	targets, err := check.ReadTargets(in)
	switch {
	case errors.Is(err, check.ErrNoTargets):
		return nil, usageErr("--targets", i18n.T("no targets in %s: give one domain or address per line (# starts a comment)",
			"keine Ziele in %s: Geben Sie eine Domain oder Adresse pro Zeile an (# leitet einen Kommentar ein)"), name)
	case errors.Is(err, check.ErrTooManyTargets):
		return nil, usageErr("--targets", i18n.T("too many targets in %s: at most %d per run; split the list", "zu viele Ziele in %s: höchstens %d pro Lauf; die Liste aufteilen"), name, fmt.Sprint(check.MaxTargets))
	case err != nil:
		return nil, usageErr("--targets", i18n.T("cannot read the targets from %s: %v (a line may have at most %d bytes)", "die Ziele aus %s sind nicht lesbar: %v (eine Zeile darf höchstens %d Bytes haben)"), name, err, fmt.Sprint(check.MaxTargetLine))
	}
	return targets, nil
}

// rank orders exit codes for the bulk rule "the worst over all lines":
// 0 < 1 (problems) < 2 (a line that is not a target) < 3 (a check could not
// complete) < anything else.
func rank(code int) int {
	switch code {
	case exitcode.OK:
		return 0
	case exitcode.Problems:
		return 1
	case exitcode.Usage:
		return 2
	case exitcode.Incomplete:
		return 3
	}
	return 4
}

// jsonError is the error object of a result whose input was refused.
type jsonError struct {
	ID      string `json:"id"`
	Message string `json:"message"`
}

// failedResult is a check result whose target was refused: "error" is an
// object {id, message} instead of the report's string.
type failedResult struct {
	*check.Report
	Error *jsonError `json:"error"`
}

func failedJSON(rep *check.Report, err error, lang i18n.Lang) failedResult {
	rep.Localize(lang)
	return failedResult{Report: rep, Error: inputErrorJSON(err, rep.Error, lang)}
}

// inputErrorJSON is the error object of refused input: the typed input
// error's id and text in lang, else target.invalid with fallback.
func inputErrorJSON(err error, fallback string, lang i18n.Lang) *jsonError {
	je := &jsonError{ID: "target.invalid", Message: fallback}
	var ie *check.InputError
	if errors.As(err, &ie) {
		je.ID, je.Message = ie.ID, ie.Text.In(lang)
	}
	return je
}
