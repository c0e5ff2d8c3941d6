package check

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"

	"github.com/mxprobe/mxprobe/internal/asn"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/iprev"
	"github.com/mxprobe/mxprobe/internal/mx"
	"github.com/mxprobe/mxprobe/internal/provider"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/rules"
	"github.com/mxprobe/mxprobe/internal/webcontact"
)

// RulesOptions select the provider rulebooks a sender is scored against
// (embedded in Options and DNSOptions; the CLI fills them from --rules,
// --bulk and --message).
type RulesOptions struct {
	// Rules: "" or "default" scores against the destination operator's
	// rulebook, "all" against every rulebook, "none" skips the scorecard.
	Rules string
	// Bulk: the sender sends bulk mail; failed bulk-level rules are
	// findings at warn instead of info.
	Bulk bool
	// Message is a raw RFC 5322 message whose headers and DKIM signatures
	// decide the message rules (--message FILE, or the probe message of
	// --deliver-to); nil leaves those rules unknown.
	Message []byte
	// ASNZones and RangeZones replace Team Cymru's zones and UCEPROTECT
	// levels 2/3 (nil: the public services; the lab's tests set them).
	ASNZones   *asn.Zones
	RangeZones []asn.RangeZone
	// Web configures the operator website check (nil: the MTA-STS
	// fetcher's CA pool and dialer, so --lab reaches the lab's server).
	Web *webcontact.Options
}

// Rules selections.
const (
	RulesDefault = "default"
	RulesAll     = "all"
	RulesNone    = "none"
)

// ValidRules reports whether s is a --rules value.
func ValidRules(s string) bool {
	return s == "" || s == RulesDefault || s == RulesAll || s == RulesNone
}

// selectBooks returns the rulebooks to score: every book with "all", the
// operator's with the default (none when the operator has no book).
func selectBooks(sel string, p *ProviderInfo) []rules.Book {
	switch sel {
	case RulesNone:
		return nil
	case RulesAll:
		return rules.Books()
	}
	if p == nil {
		return nil
	}
	name, ok := rules.ForProvider(p.Name, p.Kind)
	if !ok {
		return nil
	}
	b, _ := rules.BookFor(name)
	return []rules.Book{b}
}

// usesMeasure: some rule of books is decided by measurement m.
func usesMeasure(books []rules.Book, m string) bool {
	for _, b := range books {
		for _, r := range b.Rules {
			if r.Measure == m {
				return true
			}
		}
	}
	return false
}

// senderExtras measures what only the rulebooks need: the egress IP's
// network, whether the author domain receives mail, the operator website
// (when a book asks for it) and the message, concurrently.
func senderExtras(ctx context.Context, r resolver.Lookuper, o RulesOptions, books []rules.Book, f *rules.Facts, web webcontact.Options) {
	var wg sync.WaitGroup
	run := func(fn func()) {
		wg.Add(1)
		go func() { defer wg.Done(); fn() }()
	}
	if f.IP.IsValid() && f.Network == nil {
		run(func() {
			n := senderNetwork(ctx, r, o, f.IP)
			f.Network = &n
		})
	}
	if f.FromDomain != "" && usesMeasure(books, "from.mx") {
		run(func() { f.FromMX = fromMX(ctx, r, f.FromDomain) })
	}
	if name := ptrName(f.PTR); name != "" && usesMeasure(books, "web.contact") {
		run(func() {
			w := webcontact.Check(ctx, web, name)
			f.Website = &w
		})
	}
	if o.Message != nil && f.Message == nil {
		run(func() { f.Message = rules.ReadMessage(ctx, r, o.Message) })
	}
	wg.Wait()
}

// senderNetwork looks up the AS of ip (origin, then the AS's name) and its
// range listings (UCEPROTECT levels 2/3) concurrently: the range zones need
// only the IP, not the AS.
func senderNetwork(ctx context.Context, r resolver.Lookuper, o RulesOptions, ip netip.Addr) asn.Result {
	z := asn.CymruZones
	if o.ASNZones != nil {
		z = *o.ASNZones
	}
	zones := o.RangeZones
	if zones == nil {
		zones = asn.UCEPROTECTZones
	}
	var ranges []asn.RangeListing
	done := make(chan struct{})
	go func() {
		defer close(done)
		ranges = asn.CheckRanges(ctx, r, ip, zones)
	}()
	n := asn.Lookup(ctx, r, z, ip)
	<-done
	n.RangeListings = ranges
	return n
}

// scoresSender: the rulebook step runs (a sender is known and --rules is
// not "none"), so its network lookups are worth starting early.
func scoresSender(o RulesOptions, ip netip.Addr, mailFrom, fromDomain string) bool {
	return o.Rules != RulesNone && (ip.IsValid() || mailFrom != "" || fromDomain != "")
}

// prefetched are the rulebook facts that need no rulebook — the sender's
// PTR and network (with a known IP) and the message's facts — started with
// the first lookups and joined before scoring.
type prefetched struct {
	ptr     *iprev.Result
	network *asn.Result
	message *rules.MessageFacts
}

// prefetch starts them on g (under ctx, the run's deadline); ptr only when
// withPTR (dns: `check` has it from the sender checks).
func prefetch(ctx context.Context, g *group, r resolver.Lookuper, o RulesOptions, ip netip.Addr, withPTR bool) *prefetched {
	p := &prefetched{}
	if ip.IsValid() {
		if withPTR {
			g.Go(func() {
				res := iprev.Check(ctx, r, ip)
				p.ptr = &res
			})
		}
		g.Go(func() {
			n := senderNetwork(ctx, r, o, ip)
			p.network = &n
		})
	}
	if o.Message != nil {
		g.Go(func() { p.message = rules.ReadMessage(ctx, r, o.Message) })
	}
	return p
}

// ptrName is the name the website check starts from: the confirmed PTR
// name, else the first one.
func ptrName(p *iprev.Result) string {
	if p == nil {
		return ""
	}
	if p.Host != "" {
		return p.Host
	}
	if len(p.Names) > 0 {
		return p.Names[0].Name
	}
	return ""
}

// fromMX: RFC 5321 §5.1 — MX, else the implicit MX (an address record).
func fromMX(ctx context.Context, r resolver.Lookuper, dom string) *rules.MXFact {
	res := mx.Resolve(ctx, r, dom)
	switch {
	case res.Status == mx.StatusOK || res.Status == mx.StatusImplicit:
		m := &rules.MXFact{Status: rules.MXOK, Domain: dom}
		for _, h := range res.Hosts {
			m.Hosts = append(m.Hosts, h.Name)
		}
		return m
	case res.Status == mx.StatusTempError:
		return &rules.MXFact{Status: rules.MXTempError, Domain: dom, Detail: string(res.DNSStatus)}
	}
	return &rules.MXFact{Status: rules.MXNone, Domain: dom, Detail: string(res.Status)}
}

// webOptions: the explicit website options, else the MTA-STS fetcher's
// trust and dialer (so --lab reaches the lab's HTTPS server).
func webOptions(o RulesOptions, r resolver.Lookuper, p PolicyOptions) webcontact.Options {
	if o.Web != nil {
		w := *o.Web
		if w.Resolver == nil {
			w.Resolver = r
		}
		return w
	}
	w := webcontact.Options{Resolver: r}
	if p.Fetcher != nil {
		w.RootCAs, w.Dial = p.Fetcher.RootCAs, p.Fetcher.Dial
	}
	return w
}

// scoreRules is the rulebook step of `check`: with a known sender it looks
// up the sender's network, holds the sender's facts against the selected
// rulebooks (none when the operator has no book), fills rep.Requirements and
// returns the findings of the failed rules.
func scoreRules(ctx context.Context, o Options, rep *Report, pre *prefetched) []report.Finding {
	if o.MailFrom == "" && !o.IP.IsValid() && o.FromDomain == "" {
		return nil
	}
	if o.Rules == RulesNone {
		return nil
	}
	// The sender's network is shown whenever the sender is known; the
	// rulebooks only for an operator that has one (or with Rules=all).
	books := selectBooks(o.Rules, rep.Provider)
	s := &rep.Sender
	f := rules.Facts{IP: s.IP, PTR: s.PTR, HELO: s.HELO, HELOMatchesPTR: s.HELOMatchesPTR, MailFrom: o.MailFrom,
		FromDomain: o.FromDomain, SPF: s.SPF, DKIM: s.DKIM, DMARC: s.DMARC, DNSBL: s.DNSBL, DestinationTLS: destinationTLS(rep)}
	// The sender checks looked up the network of the settled IP already.
	f.Network = s.network
	if pre != nil {
		f.Message = pre.message
	}
	senderExtras(ctx, o.Resolver, o.RulesOptions, books, &f, webOptions(o.RulesOptions, o.Resolver, o.Policy))
	s.Network, s.Website = f.Network, f.Website
	rep.Message = f.Message
	ro := rules.Options{Bulk: o.Bulk}
	rep.requirements = rules.Score(f, books, ro)
	rep.scored = &scoreInput{facts: f, books: books, opts: ro, resolver: o.Resolver}
	return append(rules.Findings(rep.requirements, ro), rules.MessageFindings(f)...)
}

// scoreInput keeps what a check's scorecard was computed from, so that a
// message known only later (the probe of --deliver-to) can be added.
type scoreInput struct {
	facts    rules.Facts
	books    []rules.Book
	opts     rules.Options
	resolver resolver.Lookuper
}

// AddMessage decides the message rules with msg — the probe message of
// --deliver-to, as sent or as found in the seed mailbox — re-scores the
// rulebooks, replaces the rulebook findings and recomputes the verdict. A
// report without a scorecard is left alone.
func (r *Report) AddMessage(ctx context.Context, msg []byte) {
	if r.scored == nil || msg == nil {
		return
	}
	f := r.scored.facts
	had := f.Message != nil
	f.Message = rules.ReadMessage(ctx, r.scored.resolver, msg)
	r.Message = f.Message
	r.requirements = rules.Score(f, r.scored.books, r.scored.opts)
	kept := r.raw[:0:0]
	for _, x := range r.raw {
		if x.ID != rules.IDFailed && x.ID != rules.IDBulkFailed {
			kept = append(kept, x)
		}
	}
	r.raw = append(kept, rules.Findings(r.requirements, r.scored.opts)...)
	if !had {
		// The message's own findings (signatures, alignment) once; a
		// report checked with --message keeps those of its message.
		r.raw = append(r.raw, rules.MessageFindings(f)...)
	}
	r.Verdict = report.VerdictOf(r.raw, r.incomplete)
}

// localizeRules renders the scorecard and the range lists' "used by" in
// lang (called from Report.Localize / DNSReport.Localize).
func localizeRules(reqs []rules.Requirement, n *asn.Result, lang i18n.Lang) []rules.Localized {
	if n != nil {
		asn.Localize(n.RangeListings, lang)
	}
	if len(reqs) == 0 {
		return nil
	}
	return rules.Localize(reqs, lang)
}

// destinationTLS: did STARTTLS work with an MX of the destination?
func destinationTLS(rep *Report) *bool {
	var seen, ok bool
	for _, h := range rep.MX {
		for _, a := range h.Addresses {
			if a.SMTP == nil || a.SMTP.Extensions == nil || !a.SMTP.Extensions.STARTTLS {
				continue
			}
			seen = true
			if a.SMTP.TLS != nil && a.SMTP.TLS.Error == "" {
				ok = true
			}
		}
	}
	if !seen {
		return nil
	}
	return &ok
}

// RawRequirements are the scored rules in both languages (the text view
// renders them: one line per unmet rule, rules.Table with -v).
func (r *Report) RawRequirements() []rules.Requirement { return r.requirements }

// scoreDNSRules is the rulebook step of `dns`: the sender is known from
// --ip or --from; DNS facts only (no dialogue, no block lists).
func scoreDNSRules(ctx context.Context, o DNSOptions, rep *DNSReport, pre *prefetched) []report.Finding {
	if !o.IP.IsValid() && o.MailFrom == "" && o.FromDomain == "" {
		return nil
	}
	var p *ProviderInfo
	for _, h := range rep.MX {
		if info, ok := provider.Identify(h.Host, ""); ok {
			p = &ProviderInfo{Name: info.Name, Kind: info.Kind}
			break
		}
	}
	if o.Rules == RulesNone {
		return nil
	}
	books := selectBooks(o.Rules, p)
	fromDom := o.FromDomain
	if fromDom == "" {
		fromDom = rep.Target.Domain
	}
	f := rules.Facts{IP: o.IP, HELO: o.HELO, MailFrom: o.MailFrom, FromDomain: fromDom, SPF: rep.SPF, DKIM: rep.DKIM, DMARC: rep.DMARC}
	if pre != nil {
		f.PTR, f.Network, f.Message = pre.ptr, pre.network, pre.message
	}
	if o.IP.IsValid() {
		if f.PTR == nil {
			res := iprev.Check(ctx, o.Resolver, o.IP)
			f.PTR = &res
		}
		f.HELOMatchesPTR = heloMatches(o.HELO, f.PTR)
	}
	senderExtras(ctx, o.Resolver, o.RulesOptions, books, &f, webOptions(o.RulesOptions, o.Resolver, o.Policy))
	rep.Network = f.Network
	rep.requirements = rules.Score(f, books, rules.Options{Bulk: o.Bulk})
	return rules.Findings(rep.requirements, rules.Options{Bulk: o.Bulk})
}

// RawRequirements are the scored rules of `dns` in both languages.
func (r *DNSReport) RawRequirements() []rules.Requirement { return r.requirements }

// ReplyRules are the scorecard's rules that the destination's replies name
// (rules.ForReply over every reply of the dialogue), failed ones first: the
// check headline points at them instead of generic advice.
func (r *Report) ReplyRules() []rules.Requirement {
	var text strings.Builder
	for _, h := range r.MX {
		for _, a := range h.Addresses {
			if a.SMTP == nil {
				continue
			}
			for _, rp := range a.SMTP.Replies {
				if rp.Code >= 400 {
					fmt.Fprintf(&text, "%d %s %s\n", rp.Code, rp.EnhancedCode, rp.Text)
				}
			}
		}
	}
	ids := rules.ForReply(text.String())
	if len(ids) == 0 {
		return nil
	}
	var failed, other []rules.Requirement
	for _, id := range ids {
		for _, q := range r.requirements {
			if q.Rule != id {
				continue
			}
			if q.Status == rules.StatusFail {
				failed = append(failed, q)
			} else {
				other = append(other, q)
			}
		}
	}
	return append(failed, other...)
}

// NetworkLine is the sender's network in one line for the text view:
// "AS64496 LABHOST-AS Lab Hosting GmbH, DE (hosting network), 127.0.0.0/24"
// plus any range listing ("" when not measured).
func NetworkLine(n *asn.Result, lang i18n.Lang) string {
	if n == nil {
		return ""
	}
	if n.Status != asn.StatusOK {
		return i18n.T("Network: AS unknown ("+n.Status+")", "Netz: AS unbekannt ("+n.Status+")").In(lang)
	}
	kind := map[string]i18n.Text{asn.KindHosting: i18n.T("hosting network", "Hosting-Netz"),
		asn.KindAccess: i18n.T("access network", "Zugangsnetz"), asn.KindUnknown: i18n.T("kind unknown", "Art unbekannt")}[n.Kind]
	line := fmt.Sprintf("%s AS%d %s (%s), %s", i18n.T("Network:", "Netz:").In(lang), n.ASN, n.Holder, kind.In(lang), n.Prefix)
	for _, l := range n.RangeListings {
		if l.Status == asn.RangeListed {
			line += "; " + i18n.T("listed on ", "gelistet auf ").In(lang) + l.Label
		}
	}
	return line
}
