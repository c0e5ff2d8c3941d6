package cli

import (
	"net/netip"

	"github.com/spf13/cobra"

	"github.com/mxprobe/mxprobe/internal/check"
	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/render"
)

type dnsOptions struct {
	ip        string
	from      string
	helo      string
	selectors []string
	failOn    string
}

func init() {
	addCommand(func(g *Globals) *cobra.Command {
		o := &dnsOptions{}
		cmd := &cobra.Command{
			Use:   "dns DOMAIN",
			Short: "Check a domain's DNS for mail: MX, rDNS, SPF, DKIM, DMARC, MTA-STS, TLS-RPT, DANE",
			Long: `Check the DNS side of a mail domain: MX hosts with their addresses and rDNS,
the SPF record (evaluated for --ip with --from and --helo, RFC 7208 §2.3/§2.4),
DKIM keys (--dkim-selector, else common selectors), DMARC, MTA-STS, TLS-RPT and
the TLSA records of each MX. Nothing is sent over SMTP.`,
			Example: `  mxprobe dns example.com
  mxprobe dns example.com --ip 203.0.113.5 --from you@example.com --dkim-selector s1
  mxprobe dns --lab ok.lab.test --format json`,
			Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error { return dnsRun(cmd, g, o, args[0]) },
		}
		f := cmd.Flags()
		f.StringVar(&o.ip, "ip", "", "evaluate SPF for this sending IP")
		f.StringVar(&o.from, "from", "", "MAIL FROM address whose domain SPF, DKIM and DMARC are checked for")
		f.StringVar(&o.helo, "helo", "", "EHLO/HELO name for SPF (used when MAIL FROM is empty)")
		f.StringArrayVar(&o.selectors, "dkim-selector", nil, "DKIM selector to look up (repeatable)")
		addFailOn(cmd, &o.failOn)
		return cmd
	})
}

func dnsRun(cmd *cobra.Command, g *Globals, o *dnsOptions, arg string) error {
	tgt, err := check.ParseTarget(arg)
	if err != nil {
		return err
	}
	failOn, err := parseFailOn(o.failOn)
	if err != nil {
		return err
	}
	opts := check.DNSOptions{Target: tgt, HELO: o.helo, DKIMSelectors: o.selectors, Version: Version().Version}
	if o.ip != "" {
		ip, err := netip.ParseAddr(o.ip)
		if err != nil {
			return exitcode.UsageError("invalid --ip %q", o.ip)
		}
		opts.IP = ip.Unmap()
	}
	if o.from != "" {
		addr, dom, err := check.ParseAddress(o.from)
		if err != nil {
			return err
		}
		opts.MailFrom, opts.FromDomain = addr, dom
	}
	env, err := g.setup()
	if err != nil {
		return err
	}
	defer env.Close()
	opts.Resolver = env.Resolver
	opts.Policy.Fetcher = env.Fetcher
	ctx, cancel := g.withTimeout(cmd.Context())
	defer cancel()
	rep := check.RunDNS(ctx, opts)
	if err := interrupted(cmd); err != nil {
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
		rep.RenderText(g.IO.Out, check.TextOptions{Lang: g.Lang, Style: render.Styler{Color: g.Color()}, Verbose: g.Verbose, Quiet: g.Quiet})
	}
	return verdictExit(rep.Verdict, rep.RawFindings(), failOn)
}
