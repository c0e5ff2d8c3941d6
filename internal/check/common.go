// Package check is the orchestrator of `mxprobe dns` and `mxprobe check`: it
// runs the individual checks concurrently (wall time approaches the longest
// chain of dependent lookups), collects their typed results and findings,
// and derives the verdict. It never prints; see render.go for the text form.
package check

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/mxprobe/mxprobe/internal/dane"
	"github.com/mxprobe/mxprobe/internal/iprev"
	"github.com/mxprobe/mxprobe/internal/mx"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// SchemaVersion of the JSON reports (see docs/json.md and
// docs/schema/*.json). Bump only for incompatible changes.
const SchemaVersion = 1

// Tool identifies the program in reports.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// MXLookup is the outcome of the MX resolution of the target domain.
type MXLookup struct {
	Status    mx.Status       `json:"status"`
	DNSStatus resolver.Status `json:"dns_status"`
	Authentic bool            `json:"authentic"`
	NullMixed bool            `json:"null_mixed,omitempty"`
	Error     string          `json:"error,omitempty"`
}

// MXHost is one mail exchanger of the target with its addresses.
type MXHost struct {
	Host       string          `json:"host"`
	Preference uint16          `json:"preference"`
	Implicit   bool            `json:"implicit,omitempty"`
	IPLiteral  bool            `json:"ip_literal,omitempty"`
	CNAMEs     []string        `json:"cnames,omitempty"`
	AStatus    resolver.Status `json:"a_status,omitempty"`
	AAAAStatus resolver.Status `json:"aaaa_status,omitempty"`
	Error      string          `json:"error,omitempty"`
	Addresses  []*MXAddress    `json:"addresses"`
	// DANE is the TLSA lookup of _25._tcp.<host> (and, after a dialogue,
	// its match against the live certificate chain).
	DANE *dane.Result `json:"dane,omitempty"`
}

// MXAddress is one address of an MX host.
type MXAddress struct {
	IP netip.Addr `json:"ip"`
	// PTR is the rDNS / FCrDNS (iprev) result of the address.
	PTR *iprev.Result `json:"ptr,omitempty"`
	// SMTP fields are filled by `check` (see check.go).
	smtpFields
}

func hostsFrom(res mx.Result) []*MXHost {
	out := make([]*MXHost, 0, len(res.Hosts))
	for _, h := range res.Hosts {
		mh := &MXHost{Host: h.Name, Preference: h.Preference, Implicit: h.Implicit, IPLiteral: h.IPLiteral,
			CNAMEs: h.CNAMEs, AStatus: h.AStatus, AAAAStatus: h.AAAAStatus, Error: h.Error, Addresses: []*MXAddress{}}
		for _, ip := range h.IPs {
			mh.Addresses = append(mh.Addresses, &MXAddress{IP: ip})
		}
		out = append(out, mh)
	}
	return out
}

// group runs functions concurrently and waits for all.
type group struct{ wg sync.WaitGroup }

func (g *group) Go(f func()) {
	g.wg.Add(1)
	go func() { defer g.wg.Done(); f() }()
}
func (g *group) Wait() { g.wg.Wait() }

// collector gathers findings from concurrent checks. Findings added with
// addFor carry the domain whose records they judge, so that the rules in
// judge.go can drop them together.
type collector struct {
	mu         sync.Mutex
	fs         []report.Finding
	doms       []string // parallel to fs ("" for untagged findings)
	incomplete bool
}

func (c *collector) add(fs ...report.Finding) { c.addFor("", fs...) }

// addFor adds findings about the records of domain.
func (c *collector) addFor(domain string, fs ...report.Finding) {
	c.mu.Lock()
	for _, f := range fs {
		c.fs = append(c.fs, f)
		c.doms = append(c.doms, domain)
	}
	c.mu.Unlock()
}

// drop removes the findings for which del is true.
func (c *collector) drop(del func(f report.Finding, domain string) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fs, doms := c.fs[:0], c.doms[:0]
	for i, f := range c.fs {
		if !del(f, c.doms[i]) {
			fs, doms = append(fs, f), append(doms, c.doms[i])
		}
	}
	c.fs, c.doms = fs, doms
}

// dropDomain removes the findings tagged with domain.
func (c *collector) dropDomain(domain string) {
	norm := func(d string) string { return strings.TrimSuffix(strings.ToLower(d), ".") }
	c.drop(func(_ report.Finding, d string) bool { return d != "" && norm(d) == norm(domain) })
}

// dropID removes every finding with id.
func (c *collector) dropID(id string) {
	c.drop(func(f report.Finding, _ string) bool { return f.ID == id })
}

func (c *collector) setIncomplete() {
	c.mu.Lock()
	c.incomplete = true
	c.mu.Unlock()
}

// maxParallelDANE bounds the TLSA lookups in flight per target.
const maxParallelDANE = 16

// lookupDANE starts TLSA lookups for every MX host as soon as the MX
// records are known, in parallel with the address lookups of mx.Resolve (the
// resolver de-duplicates the shared MX query).
func lookupDANE(ctx context.Context, r resolver.Lookuper, domain string, port int) map[string]*dane.Result {
	a := r.Lookup(ctx, domain, resolver.TypeMX)
	out := map[string]*dane.Result{}
	if a.Status != resolver.StatusOK {
		return out
	}
	var mu sync.Mutex
	var g group
	// Bounded like the address lookups of package mx: a domain with 1,000
	// MX records must not fire 1,000 TLSA queries at once, which overflows
	// the DNS server's (or the kernel's) UDP queue and turns into false
	// timeouts.
	sem := make(chan struct{}, maxParallelDANE)
	for _, m := range a.MX {
		host := m.Host
		if host == "." || host == "" {
			continue
		}
		g.Go(func() {
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
			}
			res := dane.Lookup(ctx, r, host, port)
			mu.Lock()
			out[host] = &res
			mu.Unlock()
		})
	}
	g.Wait()
	return out
}

func since(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }

// maxRDNS bounds the rDNS checks of MX addresses in flight (a domain may
// publish hundreds of MX hosts).
const maxRDNS = 16

// rdnsAll checks the rDNS of every MX address on g, at most maxRDNS at once.
func rdnsAll(ctx context.Context, g *group, r resolver.Lookuper, hosts []*MXHost) {
	sem := make(chan struct{}, maxRDNS)
	for _, h := range hosts {
		for _, a := range h.Addresses {
			g.Go(func() {
				select {
				case sem <- struct{}{}:
				case <-ctx.Done():
					return
				}
				defer func() { <-sem }()
				res := iprev.Check(ctx, r, a.IP)
				a.PTR = &res
			})
		}
	}
}

// daneFindings reports the TLSA state of every MX host; hosts without any
// TLSA record are summed up in one finding instead of one per host.
func daneFindings(hosts []*MXHost) []report.Finding {
	var out []report.Finding
	var none []string
	var first *report.Finding
	for _, h := range hosts {
		if h.DANE == nil {
			continue
		}
		for _, f := range dane.Findings(*h.DANE) {
			if f.ID == "dane.none" {
				none = append(none, h.Host)
				if first == nil {
					f := f
					first = &f
				}
				continue
			}
			out = append(out, f)
		}
	}
	if first != nil {
		if len(none) > 1 {
			first.Detail = report.Detailf("None of the %d MX hosts publishes TLSA records (_25._tcp.<mx>).",
				"Keiner der %d MX-Hosts veröffentlicht TLSA-Einträge (_25._tcp.<mx>).", len(none))
			if len(none) > 10 {
				none = append(none[:10], "…")
			}
			first.Evidence = none
		}
		out = append(out, *first)
	}
	return out
}
