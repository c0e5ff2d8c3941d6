package cli

import (
	"context"
	"net/netip"
	"time"

	"github.com/spf13/cobra"

	"github.com/mxprobe/mxprobe/internal/check"
	"github.com/mxprobe/mxprobe/internal/cireport"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/mx"
	"github.com/mxprobe/mxprobe/internal/render"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/view"
)

// dnsOptions are the options of `dns`.
type dnsOptions struct {
	g      *Globals
	ctx    context.Context
	target string

	ip, from, helo string
	selectors      []string
	failOn         string
	rules          rulesFlags
}

func init() {
	addCommand(func(g *Globals) *cobra.Command { return newDNSCmd(g, dnsRun) })
}

// newDNSCmd builds `dns`; runF is dnsRun except in tests.
func newDNSCmd(g *Globals, runF func(*dnsOptions) error) *cobra.Command {
	o := &dnsOptions{g: g}
	cmd := &cobra.Command{
		Use:   "dns DOMAIN",
		Short: "Check a domain's DNS for mail: MX, rDNS, SPF, DKIM, DMARC, MTA-STS, TLS-RPT, DANE",
		Long: `Check the DNS side of a mail domain: MX hosts with their addresses and rDNS,
the SPF record (evaluated for --ip with --from and --helo, RFC 7208 §2.3/§2.4),
DKIM keys (--dkim-selector, else common selectors), DMARC, MTA-STS, TLS-RPT and
the TLSA records of each MX. Nothing is sent over SMTP. --from @domain
evaluates SPF for postmaster@domain (RFC 7208 §4.3).`,
		Example: `  mxprobe dns example.com
  mxprobe dns example.com --ip 203.0.113.5 --from you@example.com --dkim-selector s1
  mxprobe dns --lab ok.lab.test --format json`,
		Args: exactArgs(1, "DOMAIN"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ctx, o.target = cmd.Context(), args[0]
			return runF(o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.ip, "ip", "", "evaluate SPF for this sending IP")
	f.StringVar(&o.from, "from", "", "MAIL FROM address whose domain SPF, DKIM and DMARC are checked for (@domain: postmaster@domain)")
	addHELOFlag(cmd, &o.helo)
	f.StringArrayVar(&o.selectors, "dkim-selector", nil, "DKIM selector to look up (repeatable)")
	addFailOn(cmd, &o.failOn)
	addRulesFlags(cmd, &o.rules)
	addNetFlags(cmd, g, flagLab|flagResolver|flagCAFile)
	return cmd
}

// dnsRun checks the DNS side of one domain.
func dnsRun(o *dnsOptions) error {
	g := o.g
	tgt, err := check.ParseTarget(o.target)
	if err != nil {
		return o.invalidTarget(err)
	}
	failOn, err := parseFailOn(o.failOn)
	if err != nil {
		return err
	}
	if err := checkHELO(o.helo); err != nil {
		return err
	}
	opts := check.DNSOptions{Target: tgt, HELO: o.helo, DKIMSelectors: o.selectors, Version: Version().Version}
	if opts.RulesOptions, err = o.rules.options(g.IO.In); err != nil {
		return err
	}
	if o.ip != "" {
		ip, err := netip.ParseAddr(o.ip)
		if err != nil {
			return usageErr("--ip", i18n.T("invalid --ip %q: give an IPv4 or IPv6 address such as 192.0.2.1", "ungültige --ip %q: Geben Sie eine IPv4- oder IPv6-Adresse wie 192.0.2.1 an"), o.ip)
		}
		opts.IP = ip.Unmap()
	}
	if o.from != "" {
		if opts.MailFrom, opts.FromDomain, err = check.ParseAddress(o.from); err != nil {
			return err
		}
	}
	env, err := g.F.env(g)
	if err != nil {
		return err
	}
	defer env.Close()
	opts.Resolver = env.Resolver
	opts.Policy.Fetcher = env.Fetcher
	ctx, cancel := g.withTimeout(o.ctx)
	defer cancel()
	rep := check.RunDNS(ctx, opts)
	if err := interruptedCtx(o.ctx); err != nil {
		return err
	}
	if g.JSON() {
		rep.Localize(g.Lang)
		if err := render.JSON(g.IO.Out, rep); err != nil {
			return err
		}
	} else if g.ciFormat() {
		if err := writeCI(g, failOn, ciDNS(g, rep)); err != nil {
			return err
		}
	} else {
		view.Text(g.IO.Out, view.DNS(rep, view.Options{Mode: view.ModeFor(g.Quiet, g.Verbose)}), g.Lang, view.StylerFor(g.IO.Out, g.Color(), g.IO.OutTTY))
	}
	return verdictExit(rep.Verdict, rep.RawFindings(), failOn)
}

// invalidTarget reports a target that does not parse as `check` does:
// under --format json a DNS result object with verdict incomplete and the
// error object {id, message} goes to stdout, under junit/github an error
// case for the target, then exit 2 with the one-line message (docs/cli.md).
func (o *dnsOptions) invalidTarget(err error) error {
	g := o.g
	if g.ciFormat() {
		t := cireport.Target{Command: "dns", Name: o.target, Verdict: report.VerdictIncomplete, StartedAt: time.Now().UTC(), Error: err.Error()}
		if e := writeCI(g, report.Fail, t); e != nil {
			return e
		}
		return err
	}
	if !g.JSON() {
		return err
	}
	rep := &check.DNSReport{SchemaVersion: check.SchemaVersion, Tool: check.Tool{Name: "mxprobe", Version: Version().Version}, Command: "dns",
		Target: check.Target{Input: o.target}, StartedAt: time.Now().UTC(), Verdict: report.VerdictIncomplete,
		Findings: []report.Localized{}, MXLookup: check.MXLookup{Status: mx.StatusInvalid}, MX: []*check.MXHost{}}
	if e := render.JSON(g.IO.Out, failedDNSResult{DNSReport: rep, Error: inputErrorJSON(err, err.Error(), g.Lang)}); e != nil {
		return e
	}
	return err
}

// failedDNSResult is a dns result whose target was refused.
type failedDNSResult struct {
	*check.DNSReport
	Error *jsonError `json:"error"`
}
