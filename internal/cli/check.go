package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/mxprobe/mxprobe/internal/check"
	"github.com/mxprobe/mxprobe/internal/dnsbl"
	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/mxdialog"
	"github.com/mxprobe/mxprobe/internal/render"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

type checkOptions struct {
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
}

func init() {
	addCommand(func(g *Globals) *cobra.Command {
		o := &checkOptions{}
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
one JSON object per line (NDJSON, input order); the exit code is the worst.`,
			Example: `  mxprobe check hotmail.com
  mxprobe check user@example.com --from you@yourdomain.example --dkim-selector s1
  mxprobe check --lab drop.lab.test
  mxprobe check - --format json --concurrency 20 < domains.txt`,
			Args: cobra.MaximumNArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error { return checkRun(cmd, g, o, args) },
		}
		f := cmd.Flags()
		f.StringVar(&o.from, "from", "", "MAIL FROM address (default: the null sender <>)")
		f.StringVar(&o.helo, "helo", "", "EHLO name (default: this host's FQDN, never localhost)")
		f.StringVar(&o.ip, "ip", "", "outbound IP for the sender checks (default: as the destination sees it)")
		f.StringArrayVar(&o.selectors, "dkim-selector", nil, "DKIM selector of the --from domain (repeatable)")
		f.IntVar(&o.port, "port", 0, "SMTP port (default 25)")
		f.BoolVarP(&o.only4, "ipv4", "4", false, "use IPv4 addresses only")
		f.BoolVarP(&o.only6, "ipv6", "6", false, "use IPv6 addresses only")
		f.BoolVar(&o.allMX, "all-mx", false, "probe every address of every MX")
		f.BoolVar(&o.noAcceptAllTest, "no-accept-all-test", false, "skip the second session with a nonexistent recipient")
		f.BoolVar(&o.transcript, "transcript", false, "print the SMTP transcripts (JSON always carries them)")
		f.StringVar(&o.targetsFile, "targets", "", "read targets from FILE, one per line (bulk mode)")
		f.IntVar(&o.concurrency, "concurrency", 4, "targets checked at once in bulk mode")
		f.StringArrayVar(&o.dnsbl, "dnsbl", nil, "block-list zone to check the sender IP against (repeatable; default: Spamhaus ZEN, SpamCop, Barracuda, PSBL, Mailspike)")
		addFailOn(cmd, &o.failOn)
		addDeliveryFlags(cmd, &o.delivery)
		return cmd
	})
}

func checkRun(cmd *cobra.Command, g *Globals, o *checkOptions, args []string) error {
	failOn, err := parseFailOn(o.failOn)
	if err != nil {
		return err
	}
	if o.only4 && o.only6 {
		return exitcode.UsageError("-4 and -6 exclude each other")
	}
	if o.port < 0 || o.port > 65535 {
		return exitcode.UsageError("invalid --port %d", o.port)
	}
	if o.concurrency < 1 || o.concurrency > 1000 {
		return exitcode.UsageError("invalid --concurrency %d: use 1 to 1000", o.concurrency)
	}
	bulk := o.targetsFile != "" || (len(args) == 1 && args[0] == "-")
	if !bulk && len(args) != 1 {
		return exitcode.UsageError("check needs a DOMAIN, an ADDRESS, - or --targets FILE")
	}
	base := check.Options{HELO: o.helo, DKIMSelectors: o.selectors, Port: o.port, Only4: o.only4, Only6: o.only6,
		AllMX: o.allMX, NoAcceptAllTest: o.noAcceptAllTest, Lang: g.Lang, Version: Version().Version}
	if o.ip != "" {
		ip, err := netip.ParseAddr(o.ip)
		if err != nil {
			return exitcode.UsageError("invalid --ip %q", o.ip)
		}
		base.IP = ip.Unmap()
	}
	env, err := g.setup()
	if err != nil {
		return err
	}
	defer env.Close()
	if o.from == "" {
		o.from = env.From
	}
	if o.from != "" {
		if base.MailFrom, base.FromDomain, err = check.ParseAddress(o.from); err != nil {
			return err
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
		if err := resolver.ValidateDomain(z); err != nil {
			return exitcode.UsageError("invalid --dnsbl zone %q: %v", z, err)
		}
		base.DNSBLZones = append(base.DNSBLZones, dnsbl.ZoneFor(z))
	}
	base.Policy.Fetcher = env.Fetcher
	if g.Lab {
		// Lab servers answer within milliseconds; a tarpit shows as such.
		base.Timeouts = mxdialog.Timeouts{Connect: 3 * time.Second, Banner: 5 * time.Second, Command: 5 * time.Second}
	}
	if bulk {
		return checkBulk(cmd, g, o, base, args, failOn)
	}
	tgt, err := check.ParseTarget(args[0])
	if err != nil {
		return err
	}
	base.Target = tgt
	if o.delivery.deliverTo != "" {
		return checkDeliver(cmd, g, o, base, env, failOn)
	}
	ctx, cancel := g.withTimeout(cmd.Context())
	defer cancel()
	rep := check.Run(ctx, base)
	if err := interrupted(cmd); err != nil {
		return err
	}
	if err := printCheck(g, o, rep); err != nil {
		return err
	}
	return verdictExit(rep.Verdict, rep.RawFindings(), failOn)
}

func printCheck(g *Globals, o *checkOptions, rep *check.Report) error {
	if g.JSON() {
		rep.Localize(g.Lang)
		return render.JSON(g.IO.Out, rep)
	}
	rep.RenderText(g.IO.Out, check.TextOptions{Lang: g.Lang, Style: render.Styler{Color: g.Color()}, Verbose: g.Verbose, Quiet: g.Quiet, Transcript: o.transcript})
	return nil
}

// maxTargets bounds bulk input; maxTargetLine bounds one line.
const (
	maxTargets    = 1_000_000
	maxTargetLine = 1024
)

// checkBulk checks many targets concurrently and writes NDJSON in input
// order. The exit code is the worst over all targets.
func checkBulk(cmd *cobra.Command, g *Globals, o *checkOptions, base check.Options, args []string, failOn report.Severity) error {
	var in io.Reader = g.IO.In
	if o.targetsFile != "" && o.targetsFile != "-" {
		f, err := os.Open(o.targetsFile)
		if err != nil {
			return exitcode.UsageError("cannot read --targets: %v", err)
		}
		defer f.Close()
		in = f
	}
	var targets []string
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 4096), maxTargetLine)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if len(targets) >= maxTargets {
			return exitcode.UsageError("too many targets (limit %d)", maxTargets)
		}
		targets = append(targets, line)
	}
	if err := sc.Err(); err != nil {
		return exitcode.UsageError("cannot read targets: %v", err)
	}
	ctx, cancel := context.WithCancel(cmd.Context())
	defer cancel()
	// Per-operator pacing: checks whose first MX belongs to the same
	// operator run one after the other, a second apart. The wait happens
	// before a target's --timeout starts, so a long queue toward one
	// provider never turns into "incomplete" results.
	pacer := check.NewPacer(time.Second)
	if g.Lab {
		pacer = nil // one loopback lab: pacing would only slow the demo
	}
	type slot struct {
		rep  *check.Report
		done chan struct{}
	}
	slots := make([]*slot, len(targets))
	for i := range slots {
		slots[i] = &slot{done: make(chan struct{})}
	}
	sem := make(chan struct{}, o.concurrency)
	var wg sync.WaitGroup
	go func() {
		for i, t := range targets {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				for _, s := range slots[i:] {
					close(s.done)
				}
				return
			}
			wg.Add(1)
			go func(i int, t string) {
				defer wg.Done()
				defer func() { <-sem }()
				s := slots[i]
				defer close(s.done)
				opt := base
				tgt, err := check.ParseTarget(t)
				if err != nil {
					s.rep = check.Failed(t, base.Version, err)
					return
				}
				opt.Target = tgt
				if pacer != nil {
					release, err := pacer.Acquire(ctx, operatorKey(ctx, base, tgt.Domain))
					if err != nil {
						return // interrupted
					}
					defer release()
				}
				tctx, tcancel := context.WithTimeout(ctx, g.Timeout)
				s.rep = check.Run(tctx, opt)
				tcancel()
			}(i, t)
		}
	}()
	worst := 0
	progress := g.IO.ErrTTY && !g.Quiet
	for i, s := range slots {
		<-s.done
		if s.rep == nil {
			break // interrupted
		}
		if progress {
			fmt.Fprintf(g.IO.ErrOut, "\r[%d/%d] %s\x1b[K", i+1, len(slots), s.rep.Target.Input)
		}
		if g.JSON() {
			s.rep.Localize(g.Lang)
			if err := render.JSONLine(g.IO.Out, s.rep); err != nil {
				return err
			}
		} else {
			s.rep.Localize(g.Lang)
			fmt.Fprintf(g.IO.Out, "%-40s %-10s %s\n", s.rep.Target.Input, s.rep.Verdict, topID(s.rep))
		}
		code := exitcode.Of(verdictExit(s.rep.Verdict, s.rep.RawFindings(), failOn))
		if s.rep.Error != "" {
			code = exitcode.Usage
		}
		if rank(code) > rank(worst) {
			worst = code
		}
	}
	if progress {
		fmt.Fprint(g.IO.ErrOut, "\r\x1b[K")
	}
	wg.Wait()
	if err := interrupted(cmd); err != nil {
		return err
	}
	if worst != 0 {
		return exitcode.Silent(worst)
	}
	return nil
}

// rank orders exit codes by badness for "the worst over all targets".
func rank(code int) int {
	switch code {
	case exitcode.OK:
		return 0
	case exitcode.Problems:
		return 1
	case exitcode.Incomplete:
		return 2
	case exitcode.Usage:
		return 3
	}
	return 4
}

func topID(r *check.Report) string {
	if r.Error != "" {
		return r.Error
	}
	if len(r.Findings) > 0 && r.Findings[0].Severity.Rank() >= report.Warn.Rank() {
		return r.Findings[0].ID
	}
	return ""
}

// operatorKey is the pacing key of a target: the operator of its first MX
// host (the lookup is cached and reused by the check), else the domain.
func operatorKey(ctx context.Context, o check.Options, domain string) string {
	lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	a := o.Resolver.Lookup(lctx, domain, resolver.TypeMX)
	best := ""
	var pref uint16
	for _, m := range a.MX {
		if m.Host != "." && (best == "" || m.Preference < pref) {
			best, pref = m.Host, m.Preference
		}
	}
	if best == "" {
		return domain
	}
	return check.PaceKey(best)
}
