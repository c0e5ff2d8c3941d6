package check

import (
	"context"
	"net/netip"
	"time"

	"github.com/mxprobe/mxprobe/internal/asn"
	"github.com/mxprobe/mxprobe/internal/dane"
	"github.com/mxprobe/mxprobe/internal/dkim"
	"github.com/mxprobe/mxprobe/internal/dmarc"
	"github.com/mxprobe/mxprobe/internal/iprev"
	"github.com/mxprobe/mxprobe/internal/mx"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/rules"
	"github.com/mxprobe/mxprobe/internal/spf"
	"github.com/mxprobe/mxprobe/internal/tlsrpt"
)

// DNSOptions configure `mxprobe dns`.
type DNSOptions struct {
	Target Target
	// SPF inputs: IP to evaluate (invalid: SPF record shown, not evaluated),
	// MAIL FROM (may be empty) and HELO (RFC 7208 §2.3/§2.4).
	IP       netip.Addr
	MailFrom string
	HELO     string
	// FromDomain is the domain of MailFrom ("" without --from: the target).
	FromDomain    string
	DKIMSelectors []string
	Resolver      resolver.Lookuper
	Policy        PolicyOptions
	Version       string
	RulesOptions
}

// DNSReport is the typed result of `mxprobe dns` (JSON: docs/json.md).
type DNSReport struct {
	SchemaVersion int                `json:"schema_version"`
	Tool          Tool               `json:"tool"`
	Command       string             `json:"command"`
	Target        Target             `json:"target"`
	StartedAt     time.Time          `json:"started_at"`
	DurationMS    float64            `json:"duration_ms"`
	Verdict       report.Verdict     `json:"verdict"`
	Findings      []report.Localized `json:"findings"`
	MXLookup      MXLookup           `json:"mx_lookup"`
	MX            []*MXHost          `json:"mx"`
	// SPF is evaluated for the given IP (or only fetched without one).
	SPF *spf.Result `json:"spf"`
	// SPFRecord is filled instead of SPF when no --ip was given.
	SPFRecord *SPFRecord    `json:"spf_record,omitempty"`
	DKIM      *dkim.Result  `json:"dkim"`
	DMARC     *dmarc.Result `json:"dmarc"`
	Policy
	// Requirements and Network: the rulebook scorecard (rules.go).
	Requirements []rules.Localized `json:"requirements,omitempty"`
	Network      *asn.Result       `json:"network,omitempty"`
	// Deadline: see Report.Deadline.
	Deadline     *Deadline `json:"deadline,omitempty"`
	raw          []report.Finding
	requirements []rules.Requirement
}

// RawFindings are the language-neutral findings.
func (r *DNSReport) RawFindings() []report.Finding { return r.raw }

// RunDNS runs the DNS checks of one domain concurrently.
func RunDNS(ctx context.Context, o DNSOptions) *DNSReport {
	start := time.Now()
	rep := &DNSReport{SchemaVersion: SchemaVersion, Tool: Tool{"mxprobe", o.Version}, Command: "dns",
		Target: o.Target, StartedAt: start.UTC()}
	var c collector
	var g group
	var phases phaseWatch
	phases.watch(ctx, PhaseDNS)
	dom := o.Target.Domain
	fromDom := o.FromDomain
	if fromDom == "" {
		fromDom = dom
	}
	var mxres mx.Result
	var daneRes map[string]*dane.Result
	var nx *nxProbe
	g.Go(func() {
		mxres = mx.Resolve(ctx, o.Resolver, dom)
		c.add(mx.Findings(mxres)...)
		rep.MX = hostsFrom(mxres)
		// rDNS of every MX address (and the TLD of an NXDOMAIN target),
		// concurrently.
		var ig group
		nx = startNXProbe(ctx, &ig, o.Resolver, mxres, dom)
		rdnsAll(ctx, &ig, o.Resolver, rep.MX)
		ig.Wait()
	})
	g.Go(func() { daneRes = lookupDANE(ctx, o.Resolver, dom, 25) })
	g.Go(func() {
		q := o.MailFrom
		if q == "" && o.FromDomain == "" {
			q = "postmaster@" + dom
		}
		if !o.IP.IsValid() {
			// Without an IP there is nothing to evaluate: show and validate
			// the record only.
			rec := spfRecord(ctx, o.Resolver, spfDomain(q, o.HELO))
			rep.SPFRecord = &rec
			c.addFor(rec.Domain, rec.findings()...)
			return
		}
		res := spf.Check(ctx, o.Resolver, o.IP, q, o.HELO)
		rep.SPF = &res
		c.addFor(spfDomain(q, o.HELO), spf.Findings(res)...)
		if res.Status == spf.Temperror {
			c.setIncomplete()
		}
	})
	g.Go(func() {
		res := dkim.CheckSelectors(ctx, o.Resolver, fromDom, o.DKIMSelectors)
		rep.DKIM = &res
		c.addFor(fromDom, dkim.Findings(res)...)
		if res.Incomplete {
			c.setIncomplete()
		}
	})
	g.Go(func() {
		res := dmarc.Check(ctx, o.Resolver, fromDom)
		rep.DMARC = &res
		c.addFor(fromDom, dmarc.Findings(res)...)
		if res.Incomplete {
			c.setIncomplete()
		}
	})
	g.Go(func() {
		res := tlsrpt.Check(ctx, o.Resolver, dom)
		rep.TLSRPT = &res
		c.addFor(dom, tlsrpt.Findings(res)...)
	})
	startMTASTS(ctx, &g, o.Resolver, dom, o.Policy, &rep.Policy)
	// The rulebook facts that need no rulebook run with the first wave.
	var pre *prefetched
	if scoresSender(o.RulesOptions, o.IP, o.MailFrom, o.FromDomain) {
		pre = prefetch(ctx, &g, o.Resolver, o.RulesOptions, o.IP, true)
	}
	g.Wait()
	finishMTASTS(&c, dom, &rep.Policy, rep.MX)

	rep.MXLookup = MXLookup{Status: mxres.Status, DNSStatus: mxres.DNSStatus, Authentic: mxres.Authentic, NullMixed: mxres.NullMixed, Error: mxres.Error}
	if mxres.Status == mx.StatusTempError || len(mxres.Addresses()) == 0 && anyHostTemporary(mxres.Hosts) {
		c.setIncomplete()
	}
	for _, h := range rep.MX {
		if d, ok := daneRes[h.Host]; ok {
			h.DANE = d
			rep.DANE = append(rep.DANE, d)
		}
		for _, a := range h.Addresses {
			if a.PTR != nil {
				c.add(mxRDNSFindings(h.Host, *a.PTR)...)
			}
		}
	}
	c.add(daneFindings(rep.MX)...)
	c.add(scoreDNSRules(ctx, o, rep, pre)...)
	judgeNXDomain(&c, mxres, dom, nx)
	if ctx.Err() != nil {
		c.setIncomplete()
	}
	if d := phases.stop(ctx, start); d != nil {
		rep.Deadline = d
		c.add(deadlineFinding(*d))
	}
	rep.raw = c.fs
	rep.Verdict = report.VerdictOf(c.fs, c.incomplete)
	rep.DurationMS = since(start)
	return rep
}

// spfDomain is the domain SPF is evaluated for (RFC 7208 §2.3/§2.4).
func spfDomain(mailFrom, helo string) string {
	if i := lastAt(mailFrom); i >= 0 {
		return mailFrom[i+1:]
	}
	return helo
}

func lastAt(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '@' {
			return i
		}
	}
	return -1
}

// mxRDNSFindings reports rDNS problems of an MX address; for a receiver
// they are hints (info), not delivery blockers.
func mxRDNSFindings(host string, res iprev.Result) []report.Finding {
	var out []report.Finding
	for _, f := range iprev.Findings(res) {
		if f.Severity == report.OK {
			continue
		}
		f.Severity = report.Info
		f.Evidence = append([]string{"MX " + host}, f.Evidence...)
		out = append(out, f)
	}
	return out
}
