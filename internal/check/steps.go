package check

import (
	"context"
	"net/netip"
	"time"

	"github.com/mxprobe/mxprobe/internal/dane"
	"github.com/mxprobe/mxprobe/internal/dkim"
	"github.com/mxprobe/mxprobe/internal/dmarc"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/mtasts"
	"github.com/mxprobe/mxprobe/internal/mx"
	"github.com/mxprobe/mxprobe/internal/mxdialog"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/spf"
	"github.com/mxprobe/mxprobe/internal/tlsrpt"
)

// run is the state of one `check` while its steps run (see Run for their
// order). Steps started with r.g run concurrently with the later ones.
type run struct {
	ctx   context.Context
	o     Options
	start time.Time
	rep   *Report
	c     collector
	g     group
	dom   string

	senders  *senderSet
	dkimRes  *dkim.Result
	dmarcRes *dmarc.Result
	mxres    mx.Result
	nx       *nxProbe
	// targets are the MX addresses in the order a sender tries them; mains
	// the RCPT dialogues held with them.
	targets []addrTarget
	mains   []*mxdialog.Result

	phases phaseWatch
}

func newRun(ctx context.Context, o Options) *run {
	start := time.Now()
	if o.Port == 0 {
		o.Port = 25
	}
	rep := &Report{SchemaVersion: SchemaVersion, Tool: Tool{"mxprobe", o.Version}, Command: "check",
		Target: o.Target, StartedAt: start.UTC(), MX: []*MXHost{}}
	rep.Sender.MailFrom = o.MailFrom
	r := &run{ctx: ctx, o: o, start: start, rep: rep, dom: o.Target.Domain, senders: newSenderSet(ctx, o)}
	r.phases.watch(ctx, PhaseDNS)
	return r
}

// startPolicies fetches the destination's TLS-RPT and MTA-STS policies in
// the background (independent of everything else).
func (r *run) startPolicies() {
	r.g.Go(func() {
		res := tlsrpt.Check(r.ctx, r.o.Resolver, r.dom)
		r.rep.Policy.TLSRPT = &res
		r.c.addFor(r.dom, tlsrpt.Findings(res)...)
	})
	startMTASTS(r.ctx, &r.g, r.o.Resolver, r.dom, r.o.Policy, &r.rep.Policy)
}

// startSenderDomain checks DKIM and DMARC of the sending domain in the
// background; the null sender has none.
func (r *run) startSenderDomain() {
	if r.o.FromDomain == "" {
		r.c.add(report.New(IDNoFrom, report.Detailf("MAIL FROM is the null sender <>; SPF is evaluated for the EHLO name.",
			"MAIL FROM ist der leere Absender <>; SPF wird für den EHLO-Namen ausgewertet.")))
		return
	}
	r.g.Go(func() {
		res := dkim.CheckSelectors(r.ctx, r.o.Resolver, r.o.FromDomain, r.o.DKIMSelectors)
		r.dkimRes = &res
		r.c.addFor(r.o.FromDomain, dkim.Findings(res)...)
	})
	r.g.Go(func() {
		res := dmarc.Check(r.ctx, r.o.Resolver, r.o.FromDomain)
		r.dmarcRes = &res
		r.c.addFor(r.o.FromDomain, dmarc.Findings(res)...)
	})
}

// startDANE looks up the TLSA records of every MX host, in parallel with the
// address lookups of resolveTarget.
func (r *run) startDANE() <-chan map[string]*dane.Result {
	ch := make(chan map[string]*dane.Result, 1)
	go func() { ch <- lookupDANE(r.ctx, r.o.Resolver, r.dom, 25) }()
	return ch
}

// resolveTarget resolves the MX hosts and their addresses, starts their rDNS
// checks and orders the addresses to try.
func (r *run) resolveTarget() {
	r.mxres = mx.Resolve(r.ctx, r.o.Resolver, r.dom)
	mxres := r.mxres
	r.nx = startNXProbe(r.ctx, &r.g, r.o.Resolver, mxres, r.dom)
	r.c.add(mxFindingsForDelivery(mxres)...)
	r.rep.MX = hostsFrom(mxres)
	r.rep.MXLookup = MXLookup{Status: mxres.Status, DNSStatus: mxres.DNSStatus, Authentic: mxres.Authentic, NullMixed: mxres.NullMixed, Error: mxres.Error}
	if mxres.Status == mx.StatusTempError {
		r.c.setIncomplete()
		// The error chain stays in mx_lookup.error (JSON); the evidence is
		// the status a user can act on.
		r.c.add(report.New(DNSFailureID(mxres.DNSStatus), report.Detailf("The MX lookup of %s failed: %s.", "Die MX-Abfrage von %s ist gescheitert: %s.", r.dom, mxres.DNSStatus),
			r.dom+" MX: "+string(mxres.DNSStatus)))
	}
	rdnsAll(r.ctx, &r.g, r.o.Resolver, r.rep.MX)
	r.targets = addressOrder(r.rep.MX, r.o)
	r.noFamily()
	if len(mxres.Addresses()) == 0 && anyHostTemporary(mxres.Hosts) {
		// No MX host has an address because the lookups failed (timeout,
		// SERVFAIL, a CNAME loop …): no dialogue was possible, so the
		// verdict stays open (exit 3), as for a failed MX lookup.
		r.c.setIncomplete()
	}
	if len(r.targets) > 0 && !r.o.IP.IsValid() {
		if ip, ok := localAddrToward(r.targets[0].addr.IP, r.o.Port); ok {
			r.senders.start(ip, r.o.HELO)
		}
	}
}

// attachDANE hangs each host's TLSA result on it.
func (r *run) attachDANE(res map[string]*dane.Result) {
	for _, h := range r.rep.MX {
		if d, ok := res[h.Host]; ok {
			h.DANE = d
			r.rep.Policy.DANE = append(r.rep.Policy.DANE, d)
		}
	}
}

// dialogue holds the RCPT dialogue with the MX addresses: every address
// with --all-mx (at most 4 at once), else in order until one answers.
func (r *run) dialogue() {
	r.phases.enter(PhaseSMTP)
	if r.o.AllMX {
		var pg group
		sem := make(chan struct{}, 4)
		for _, t := range r.targets {
			pg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				r.probeOne(t)
			})
		}
		pg.Wait()
		for _, t := range r.targets {
			r.mains = append(r.mains, t.addr.SMTP)
		}
		return
	}
	for i, t := range r.targets {
		if r.ctx.Err() != nil {
			break
		}
		res := r.probeOne(t)
		r.mains = append(r.mains, res)
		if answered(res) {
			if rest := len(r.targets) - i - 1; rest > 0 {
				r.c.add(report.New(IDNotTried, i18n.Plural(rest,
					i18n.Tf("1 further address not tried after %s answered.", "1 weitere Adresse nicht versucht, nachdem %s geantwortet hat.", res.Address),
					i18n.Tf("%d further addresses not tried after %s answered.", "%d weitere Adressen nicht versucht, nachdem %s geantwortet hat.", rest, res.Address))))
			}
			break
		}
	}
}

// probeOne holds the dialogue with one address, and the accept-all test
// beside it.
func (r *run) probeOne(t addrTarget) *mxdialog.Result {
	o := r.o
	po := mxdialog.Options{Host: t.host.Host, Addr: netip.AddrPortFrom(t.addr.IP, uint16(o.Port)),
		HELO: o.HELO, MailFrom: o.MailFrom, RcptTo: o.Target.Rcpt, Timeouts: o.Timeouts, RootCAs: o.RootCAs}
	if t.host.DANE != nil {
		po.TLSA = t.host.DANE.Usable()
	}
	release, err := o.Pacer.Acquire(r.ctx, PaceKey(t.host.Host))
	if err != nil {
		return nil
	}
	defer release()
	t.addr.Tried = true
	var ag group
	if !o.NoAcceptAllTest {
		ag.Go(func() {
			ao := po
			ao.AcceptAllTest = true
			t.addr.AcceptAllTest = mxdialog.Run(r.ctx, ao)
		})
	}
	t.addr.SMTP = mxdialog.Run(r.ctx, po)
	ag.Wait()
	return t.addr.SMTP
}

// senderSide settles the sender's IP — the server's view of it (NAT) wins
// over our socket address — and waits for its checks.
func (r *run) senderSide() {
	r.phases.enter(PhaseSender)
	o := r.o
	var seen *mxdialog.Result
	for _, m := range r.mains {
		if m != nil && m.ClientIP != "" {
			seen = m
			break
		}
	}
	senderIP, senderSrc := o.IP, "flag"
	if !senderIP.IsValid() && seen != nil {
		if ip, err := netip.ParseAddr(seen.ClientIP); err == nil {
			senderIP, senderSrc = ip.Unmap(), seen.ClientIPSource
		}
	}
	if !senderIP.IsValid() {
		return
	}
	if already, n := r.senders.started(senderIP); !already && n > 0 && !o.IP.IsValid() {
		r.c.add(report.New(IDIPMismatch, report.Detailf("The destination saw %s.", "Das Ziel hat %s gesehen.", senderIP)))
	}
	helo := o.HELO
	if seen != nil && seen.HELO != "" {
		helo = seen.HELO
	}
	r.senders.start(senderIP, helo)
	s := r.senders.wait(senderIP)
	// The HELO actually sent (mxdialog picks the default).
	if seen != nil && seen.HELO != "" {
		s.HELO = seen.HELO
		s.HELOMatchesPTR = heloMatches(s.HELO, s.PTR)
	}
	settleSPF(r.ctx, o, s)
	s.IPSource = senderSrc
	s.MailFrom = o.MailFrom
	r.rep.Sender = *s
}

// collect gathers the findings of the dialogue, the MX addresses, the
// sender and the policies once every step has finished.
func (r *run) collect() {
	rep := r.rep
	rep.Sender.DKIM, rep.Sender.DMARC = r.dkimRes, r.dmarcRes
	// A DNS failure on the sender's side leaves the verdict open (exit 3):
	// it is never read as "no record".
	if r.dkimRes != nil && r.dkimRes.Incomplete || r.dmarcRes != nil && r.dmarcRes.Incomplete ||
		rep.Sender.SPF != nil && rep.Sender.SPF.Status == spf.Temperror {
		r.c.setIncomplete()
	}
	dnsWorks := r.mxres.Status == mx.StatusOK || r.mxres.Status == mx.StatusImplicit
	var all []*mxdialog.Result
	for _, t := range r.targets {
		if t.addr.SMTP != nil {
			all = append(all, t.addr.SMTP)
		}
		if t.addr.AcceptAllTest != nil {
			all = append(all, t.addr.AcceptAllTest)
		}
	}
	r.c.add(withReplyAdvice(mxdialog.Findings(all, mxdialog.FindingsOptions{DNSWorks: dnsWorks}), r.targets)...)
	r.c.add(daneFindings(rep.MX)...)
	for _, h := range rep.MX {
		for _, a := range h.Addresses {
			if a.PTR != nil {
				r.c.add(mxRDNSFindings(h.Host, *a.PTR)...)
				r.c.add(bannerPTRFindings(h.Host, a)...)
			}
			a.Explanations = explainAll(r.o, h.Host, a.SMTP, a.AcceptAllTest)
		}
	}
	if len(r.targets) > 0 && !anyAnswered(r.mains) && r.mxres.Status != mx.StatusNull {
		r.c.setIncomplete()
	}
	finishMTASTS(&r.c, r.dom, &rep.Policy, rep.MX)
	if v := mtastsTLSFindings(&rep.Policy, rep.MX); len(v) > 0 {
		// "valid and enforced" is not said beside its contradiction.
		r.c.dropID(mtasts.FindingOK)
		r.c.add(v...)
	}
	r.c.add(senderFindings(rep.Sender)...)
	rep.Provider = identifyProvider(rep, r.o)
	r.c.add(providerFindings(rep, r.o)...)
	judgeNXDomain(&r.c, r.mxres, r.dom, r.nx)
}

// noFamily: -4/-6 left no address although the MX hosts have some of the
// other family — no dialogue can take place, so the run is incomplete and
// says why (a check that talked to no MX is never OK).
func (r *run) noFamily() {
	if len(r.targets) > 0 || !r.o.Only4 && !r.o.Only6 || len(r.mxres.Addresses()) == 0 {
		return
	}
	fam, other := "IPv6", "IPv4"
	if r.o.Only4 {
		fam, other = "IPv4", "IPv6"
	}
	var hosts []string
	for _, h := range r.rep.MX {
		hosts = append(hosts, h.Host)
	}
	r.c.setIncomplete()
	r.c.add(report.New(IDNoFamily, report.Detailf("No MX host of %s has an %s address (%s only), so no SMTP dialogue took place.",
		"Kein MX-Host von %s hat eine %s-Adresse (nur %s); es fand daher kein SMTP-Dialog statt.", r.dom, fam, other), bounded(hosts, 5)...))
}

// verdict derives the verdict from the findings; a run cut short by its
// deadline says so, with the step it cut (Report.Deadline).
func (r *run) verdict() *Report {
	rep := r.rep
	if r.ctx.Err() != nil {
		r.c.setIncomplete()
	}
	if d := r.phases.stop(r.ctx, r.start); d != nil {
		rep.Deadline = d
		r.c.add(deadlineFinding(*d))
	}
	rep.raw = r.c.fs
	rep.incomplete = r.c.incomplete
	rep.Verdict = report.VerdictOf(r.c.fs, r.c.incomplete)
	rep.DurationMS = since(r.start)
	return rep
}
