package check

import (
	"context"
	"crypto/x509"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/mxprobe/mxprobe/internal/dane"
	"github.com/mxprobe/mxprobe/internal/dkim"
	"github.com/mxprobe/mxprobe/internal/dmarc"
	"github.com/mxprobe/mxprobe/internal/dnsbl"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/iprev"
	"github.com/mxprobe/mxprobe/internal/mx"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/smtpconn"
	"github.com/mxprobe/mxprobe/internal/smtpprobe"
	"github.com/mxprobe/mxprobe/internal/spf"
	"github.com/mxprobe/mxprobe/internal/tlsrpt"
)

// Options configure `mxprobe check` for one target.
type Options struct {
	Target Target
	// MailFrom is the reverse path ("" = null sender <>), FromDomain its domain.
	MailFrom   string
	FromDomain string
	// HELO is our EHLO name ("" = the host's FQDN, never localhost).
	HELO string
	// IP overrides the detected outbound IP for the sender checks.
	IP            netip.Addr
	DKIMSelectors []string
	// Port is the SMTP port (default 25).
	Port         int
	Only4, Only6 bool
	// AllMX probes every address of every MX instead of stopping at the
	// first that answers.
	AllMX           bool
	NoAcceptAllTest bool
	Lang            i18n.Lang
	Resolver        resolver.Lookuper
	// RootCAs verifies server certificates (nil: system roots).
	RootCAs    *x509.CertPool
	DNSBLZones []dnsbl.Zone
	Timeouts   smtpprobe.Timeouts
	Policy     PolicyOptions
	Version    string
	// Pacer spaces sessions per operator (bulk mode); nil: no pacing.
	Pacer *Pacer
}

// smtpFields are the SMTP facts of one MX address (embedded in MXAddress).
type smtpFields struct {
	// Tried tells whether a dialogue was attempted with this address.
	Tried bool `json:"tried"`
	// SMTP is the RCPT probe; AcceptAllTest the second session with a
	// nonexistent recipient.
	SMTP          *smtpprobe.Result `json:"smtp,omitempty"`
	AcceptAllTest *smtpprobe.Result `json:"accept_all_test,omitempty"`
	// Explanations explain every non-2xx reply of the dialogue.
	Explanations []Explanation `json:"explanations,omitempty"`
}

// Sender is the sender's side of deliverability: `sender{}` in the JSON.
type Sender struct {
	// IP is the outbound address as the destination sees it; IPSource says
	// how it was learned: "flag" (--ip), "ehlo"/"banner" (echoed by the
	// server), "socket" (our local address).
	IP       netip.Addr    `json:"ip"`
	IPSource string        `json:"ip_source"`
	HELO     string        `json:"helo"`
	MailFrom string        `json:"mail_from"`
	PTR      *iprev.Result `json:"ptr"`
	// HELOMatchesPTR: the EHLO name is one of the forward-confirmed PTR names.
	HELOMatchesPTR bool          `json:"helo_matches_ptr"`
	SPF            *spf.Result   `json:"spf"`
	DKIM           *dkim.Result  `json:"dkim"`
	DMARC          *dmarc.Result `json:"dmarc"`
	DNSBL          *dnsbl.Result `json:"dnsbl"`
}

// Report is the typed result of `mxprobe check` for one target (JSON
// contract: docs/json.md, schema docs/schema/check.schema.json).
type Report struct {
	SchemaVersion int                `json:"schema_version"`
	Tool          Tool               `json:"tool"`
	Command       string             `json:"command"`
	Target        Target             `json:"target"`
	StartedAt     time.Time          `json:"started_at"`
	DurationMS    float64            `json:"duration_ms"`
	Verdict       report.Verdict     `json:"verdict"`
	Findings      []report.Localized `json:"findings"`
	Provider      *ProviderInfo      `json:"provider"`
	MXLookup      MXLookup           `json:"mx_lookup"`
	MX            []*MXHost          `json:"mx"`
	Sender        Sender             `json:"sender"`
	Policy        Policy             `json:"policy"`
	// Error is set when the target could not be checked at all (bulk mode
	// keeps going with the next target).
	Error string `json:"error,omitempty"`

	raw        []report.Finding
	incomplete bool
}

// RawFindings are the language-neutral findings.
func (r *Report) RawFindings() []report.Finding { return r.raw }

// Run checks one target: DNS, the SMTP dialogue with its MX hosts, the
// sender's side and the policies, as concurrently as their dependencies
// allow. It never returns nil.
func Run(ctx context.Context, o Options) *Report {
	start := time.Now()
	if o.Port == 0 {
		o.Port = 25
	}
	rep := &Report{SchemaVersion: SchemaVersion, Tool: Tool{"mxprobe", o.Version}, Command: "check",
		Target: o.Target, StartedAt: start.UTC(), MX: []*MXHost{}}
	rep.Sender.MailFrom = o.MailFrom
	var c collector
	var g group
	dom := o.Target.Domain

	// Independent of everything else: policies of the destination and the
	// authentication records of the sending domain.
	g.Go(func() {
		res := tlsrpt.Check(ctx, o.Resolver, dom)
		rep.Policy.TLSRPT = &res
		c.add(tlsrpt.Findings(res)...)
	})
	startMTASTS(ctx, &g, o.Resolver, dom, o.Policy, &rep.Policy)
	var dkimRes *dkim.Result
	var dmarcRes *dmarc.Result
	if o.FromDomain != "" {
		g.Go(func() {
			res := dkim.CheckSelectors(ctx, o.Resolver, o.FromDomain, o.DKIMSelectors)
			dkimRes = &res
			c.add(dkim.Findings(res)...)
		})
		g.Go(func() {
			res := dmarc.Check(ctx, o.Resolver, o.FromDomain)
			dmarcRes = &res
			c.add(dmarc.Findings(res)...)
		})
	} else {
		c.add(report.New(IDNoFrom, report.Detailf("MAIL FROM is the null sender <>; SPF is evaluated for the EHLO name.",
			"MAIL FROM ist der leere Absender <>; SPF wird für den EHLO-Namen ausgewertet.")))
	}

	// The sender checks start as soon as an outbound IP is known: --ip at
	// once, else our socket address toward the first MX, and again for the
	// address the server reports when that differs (NAT).
	var sMu sync.Mutex
	senderDone := map[netip.Addr]chan struct{}{}
	senderRes := map[netip.Addr]*Sender{}
	startSender := func(ip netip.Addr, helo string) {
		sMu.Lock()
		defer sMu.Unlock()
		if _, ok := senderDone[ip]; ok || !ip.IsValid() {
			return
		}
		done := make(chan struct{})
		senderDone[ip] = done
		s := &Sender{IP: ip}
		senderRes[ip] = s
		go func() {
			defer close(done)
			senderChecks(ctx, o, s, helo)
		}()
	}
	if o.IP.IsValid() {
		startSender(o.IP, o.HELO)
	}

	// The destination: MX (and, in parallel, TLSA of each MX host), then
	// rDNS of each address and the SMTP dialogue.
	var mxres mx.Result
	daneCh := make(chan map[string]*dane.Result, 1)
	go func() { daneCh <- lookupDANE(ctx, o.Resolver, dom, 25) }()
	mxres = mx.Resolve(ctx, o.Resolver, dom)
	c.add(mxFindingsForDelivery(mxres)...)
	rep.MX = hostsFrom(mxres)
	rep.MXLookup = MXLookup{Status: mxres.Status, DNSStatus: mxres.DNSStatus, Authentic: mxres.Authentic, NullMixed: mxres.NullMixed, Error: mxres.Error}
	if mxres.Status == mx.StatusTempError {
		c.setIncomplete()
		c.add(report.New(IDDNSTimeout, report.Detailf("The MX lookup of %s failed: %s.", "Die MX-Abfrage von %s ist gescheitert: %s.", dom, mxres.DNSStatus), mxres.Error))
	}
	rdnsAll(ctx, &g, o.Resolver, rep.MX)
	targets := addressOrder(rep.MX, o)
	if len(mxres.Addresses()) == 0 && anyHostTemporary(mxres.Hosts) {
		// No MX host has an address because the lookups failed (timeout,
		// SERVFAIL, a CNAME loop …): no dialogue was possible, so the
		// verdict stays open (exit 3), as for a failed MX lookup.
		c.setIncomplete()
	}
	if len(targets) > 0 && !o.IP.IsValid() {
		if ip, ok := localAddrToward(targets[0].addr.IP, o.Port); ok {
			startSender(ip, o.HELO)
		}
	}
	daneRes := <-daneCh
	for _, h := range rep.MX {
		if d, ok := daneRes[h.Host]; ok {
			h.DANE = d
			rep.Policy.DANE = append(rep.Policy.DANE, d)
		}
	}
	var mains []*smtpprobe.Result
	probeOne := func(t addrTarget) *smtpprobe.Result {
		po := smtpprobe.Options{Host: t.host.Host, Addr: netip.AddrPortFrom(t.addr.IP, uint16(o.Port)),
			HELO: o.HELO, MailFrom: o.MailFrom, RcptTo: o.Target.Rcpt, Timeouts: o.Timeouts, RootCAs: o.RootCAs}
		if t.host.DANE != nil {
			po.TLSA = t.host.DANE.Usable()
		}
		release, err := o.Pacer.Acquire(ctx, PaceKey(t.host.Host))
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
				t.addr.AcceptAllTest = smtpprobe.Probe(ctx, ao)
			})
		}
		t.addr.SMTP = smtpprobe.Probe(ctx, po)
		ag.Wait()
		return t.addr.SMTP
	}
	if o.AllMX {
		var pg group
		sem := make(chan struct{}, 4)
		for _, t := range targets {
			pg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				probeOne(t)
			})
		}
		pg.Wait()
		for _, t := range targets {
			mains = append(mains, t.addr.SMTP)
		}
	} else {
		for i, t := range targets {
			if ctx.Err() != nil {
				break
			}
			res := probeOne(t)
			mains = append(mains, res)
			if answered(res) {
				if rest := len(targets) - i - 1; rest > 0 {
					c.add(report.New(IDNotTried, report.Detailf("%d further address(es) not tried after %s answered.",
						"%d weitere Adresse(n) nicht versucht, nachdem %s geantwortet hat.", rest, res.Address)))
				}
				break
			}
		}
	}
	// The server's view of our IP (NAT) decides the sender checks.
	var seen *smtpprobe.Result
	for _, r := range mains {
		if r != nil && r.ClientIP != "" {
			seen = r
			break
		}
	}
	senderIP, senderSrc := o.IP, "flag"
	if !senderIP.IsValid() && seen != nil {
		if ip, err := netip.ParseAddr(seen.ClientIP); err == nil {
			senderIP, senderSrc = ip.Unmap(), seen.ClientIPSource
		}
	}
	if senderIP.IsValid() {
		sMu.Lock()
		_, already := senderDone[senderIP]
		nSpec := len(senderDone)
		sMu.Unlock()
		if !already && nSpec > 0 && !o.IP.IsValid() {
			c.add(report.New(IDIPMismatch, report.Detailf("The destination saw %s.", "Das Ziel hat %s gesehen.", senderIP)))
		}
		helo := o.HELO
		if seen != nil && seen.HELO != "" {
			helo = seen.HELO
		}
		startSender(senderIP, helo)
		sMu.Lock()
		done, s := senderDone[senderIP], senderRes[senderIP]
		sMu.Unlock()
		<-done
		// The HELO actually sent (smtpprobe picks the default).
		if seen != nil && seen.HELO != "" {
			s.HELO = seen.HELO
			s.HELOMatchesPTR = heloMatches(s.HELO, s.PTR)
		}
		s.IPSource = senderSrc
		s.MailFrom = o.MailFrom
		rep.Sender = *s
	}
	g.Wait()
	rep.Sender.DKIM, rep.Sender.DMARC = dkimRes, dmarcRes
	// A DNS failure on the sender's side leaves the verdict open (exit 3):
	// it is never read as "no record".
	if dkimRes != nil && dkimRes.Incomplete || dmarcRes != nil && dmarcRes.Incomplete ||
		rep.Sender.SPF != nil && rep.Sender.SPF.Status == spf.Temperror {
		c.setIncomplete()
	}

	// Findings of the dialogue, the MX addresses and the sender.
	dnsWorks := mxres.Status == mx.StatusOK || mxres.Status == mx.StatusImplicit
	var all []*smtpprobe.Result
	for _, t := range targets {
		if t.addr.SMTP != nil {
			all = append(all, t.addr.SMTP)
		}
		if t.addr.AcceptAllTest != nil {
			all = append(all, t.addr.AcceptAllTest)
		}
	}
	c.add(withReplyAdvice(smtpprobe.Findings(all, smtpprobe.FindingsOptions{DNSWorks: dnsWorks}), targets)...)
	c.add(daneFindings(rep.MX)...)
	for _, h := range rep.MX {
		for _, a := range h.Addresses {
			if a.PTR != nil {
				c.add(mxRDNSFindings(h.Host, *a.PTR)...)
				c.add(bannerPTRFindings(h.Host, a)...)
			}
			a.Explanations = explainAll(o, h.Host, a.SMTP, a.AcceptAllTest)
		}
	}
	if len(targets) > 0 && !anyAnswered(mains) && mxres.Status != mx.StatusNull {
		c.setIncomplete()
	}
	finishMTASTS(&c, &rep.Policy, rep.MX)
	c.add(mtastsTLSFindings(&rep.Policy, rep.MX)...)
	c.add(senderFindings(rep.Sender)...)
	rep.Provider = identifyProvider(rep, o)
	c.add(providerFindings(rep, o)...)
	if ctx.Err() != nil {
		c.setIncomplete()
	}
	rep.raw = c.fs
	rep.incomplete = c.incomplete
	rep.Verdict = report.VerdictOf(c.fs, c.incomplete)
	rep.DurationMS = since(start)
	return rep
}

func anyHostTemporary(hosts []mx.Host) bool {
	for _, h := range hosts {
		if h.Temporary() {
			return true
		}
	}
	return false
}

type addrTarget struct {
	host *MXHost
	addr *MXAddress
}

// addressOrder lists the addresses in the order a sender tries them (RFC
// 5321 §5.1: MX preference, then each host's addresses), filtered by -4/-6.
func addressOrder(hosts []*MXHost, o Options) []addrTarget {
	var out []addrTarget
	for _, h := range hosts {
		if h.IPLiteral {
			continue
		}
		for _, a := range h.Addresses {
			if o.Only4 && !a.IP.Is4() || o.Only6 && !a.IP.Is6() {
				continue
			}
			out = append(out, addrTarget{h, a})
		}
	}
	return out
}

// answered: the server greeted us with 2xx — a sender would stop here and
// not try the next MX (RFC 5321 §5.1 moves on only when there is no
// connection or a 4xx/5xx greeting).
func answered(r *smtpprobe.Result) bool {
	return r != nil && r.Banner != nil && r.Banner.Code >= 200 && r.Banner.Code < 300
}

func anyAnswered(rs []*smtpprobe.Result) bool {
	for _, r := range rs {
		if answered(r) && r.Phase == smtpprobe.PhaseDone {
			return true
		}
		if r != nil && r.Rcpt != nil {
			return true
		}
	}
	return false
}

// localAddrToward is our source address toward ip (a UDP "connect" sends no
// packet; the kernel only picks the route).
func localAddrToward(ip netip.Addr, port int) (netip.Addr, bool) {
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port))))
	if err != nil {
		return netip.Addr{}, false
	}
	defer conn.Close()
	ap := conn.LocalAddr().(*net.UDPAddr).AddrPort()
	return ap.Addr().Unmap(), true
}

// senderChecks fills the sender-side results for ip.
func senderChecks(ctx context.Context, o Options, s *Sender, helo string) {
	var g group
	g.Go(func() {
		res := iprev.Check(ctx, o.Resolver, s.IP)
		s.PTR = &res
	})
	g.Go(func() {
		zones := o.DNSBLZones
		if zones == nil {
			zones = dnsbl.DefaultZones()
		}
		res := dnsbl.Check(ctx, o.Resolver, s.IP, zones)
		s.DNSBL = &res
	})
	g.Go(func() {
		h := helo
		if h == "" {
			h = smtpconn.HostnameHELO() // the one default-HELO rule
		}
		res := spf.Check(ctx, o.Resolver, s.IP, o.MailFrom, h)
		s.SPF = &res
	})
	g.Wait()
	s.HELO = helo
}

func heloMatches(helo string, p *iprev.Result) bool {
	if p == nil {
		return false
	}
	h := strings.TrimSuffix(strings.ToLower(helo), ".")
	for _, n := range p.Names {
		if n.Confirmed && strings.TrimSuffix(strings.ToLower(n.Name), ".") == h {
			return true
		}
	}
	return false
}

func senderFindings(s Sender) []report.Finding {
	var out []report.Finding
	if s.PTR != nil {
		out = append(out, iprev.Findings(*s.PTR)...)
		if s.PTR.Result == iprev.StatusPass && s.HELO != "" && !s.HELOMatchesPTR {
			out = append(out, report.New(IDHeloPTR, report.Detailf("EHLO %s, but %s resolves to %s.", "EHLO %s, aber %s löst auf %s auf.", s.HELO, s.IP, s.PTR.Host), s.HELO, s.PTR.Host))
		}
	}
	if s.SPF != nil {
		out = append(out, spf.Findings(*s.SPF)...)
	}
	if s.DNSBL != nil {
		out = append(out, dnsbl.Findings(*s.DNSBL)...)
	}
	return out
}

// mxFindingsForDelivery adapts the MX findings to a delivery attempt: a null
// MX is a valid statement for the domain (info in `dns`), but mail to it
// cannot be delivered (fail in `check`); a failed MX lookup is reported once,
// as dns.timeout.
func mxFindingsForDelivery(res mx.Result) []report.Finding {
	var out []report.Finding
	for _, f := range mx.Findings(res) {
		switch f.ID {
		case mx.FindingNull:
			f.Severity = report.Fail
		case mx.FindingTempError:
			continue
		}
		out = append(out, f)
	}
	return out
}

// Failed is the report of a target that could not be checked at all (bulk
// mode reports it in place and goes on).
func Failed(input, version string, err error) *Report {
	return &Report{SchemaVersion: SchemaVersion, Tool: Tool{"mxprobe", version}, Command: "check",
		Target: Target{Input: input}, StartedAt: time.Now().UTC(), Verdict: report.VerdictIncomplete,
		Error: err.Error(), MXLookup: MXLookup{Status: mx.StatusInvalid}, MX: []*MXHost{}}
}

// bannerPTRFindings compares the name an MX greets with to its address's
// PTR names (destination-side hygiene, info only).
func bannerPTRFindings(host string, a *MXAddress) []report.Finding {
	if a.SMTP == nil || a.SMTP.BannerHost == "" || a.PTR == nil || len(a.PTR.Names) == 0 {
		return nil
	}
	bh := strings.TrimSuffix(strings.ToLower(a.SMTP.BannerHost), ".")
	for _, n := range a.PTR.Names {
		if strings.EqualFold(strings.TrimSuffix(n.Name, "."), bh) {
			return nil
		}
	}
	return []report.Finding{report.New(IDBannerPTR, report.Detailf("%s (%s) greets as %s; its PTR is %s.",
		"%s (%s) grüßt als %s; sein PTR ist %s.", host, a.IP, a.SMTP.BannerHost, a.PTR.Names[0].Name), a.SMTP.BannerHost)}
}

// AddFindings adds findings learnt after Run (the delivery proof of
// `check --deliver-to`) and recomputes the verdict; incomplete marks a
// result that could not be reached (an inconclusive delivery proof).
func (r *Report) AddFindings(incomplete bool, fs ...report.Finding) {
	r.raw = append(r.raw, fs...)
	r.incomplete = r.incomplete || incomplete
	r.Verdict = report.VerdictOf(r.raw, r.incomplete)
}
