// Package mx resolves where mail for a domain goes (RFC 5321 §5.1, RFC 7505)
// and flags the ways that can go wrong: no MX, null MX, implicit MX, an MX
// target that is a CNAME or an IP literal or has no address, NXDOMAIN — and
// keeps "the DNS did not answer" apart from "there is no record".
package mx

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sort"
	"strings"
	"sync"

	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Status is the outcome of resolving a domain's mail exchangers.
type Status string

const (
	// StatusOK: at least one MX record; see Host for per-host problems.
	StatusOK Status = "ok"
	// StatusImplicit: no MX records, mail goes to the domain's own A/AAAA
	// addresses (RFC 5321 §5.1 "implicit MX").
	StatusImplicit Status = "implicit"
	// StatusNull: the domain publishes a null MX (RFC 7505): it accepts no mail.
	StatusNull Status = "null"
	// StatusNone: the domain exists but has neither MX nor address records,
	// so no mail can be delivered to it.
	StatusNone Status = "none"
	// StatusNXDomain: the domain does not exist.
	StatusNXDomain Status = "nxdomain"
	// StatusTempError: the DNS did not give an answer (timeout, SERVFAIL,
	// REFUSED …). Never read this as "no MX".
	StatusTempError Status = "temperror"
	// StatusInvalid: the input is not a valid domain name (callers normally
	// reject such input before, as a usage error).
	StatusInvalid Status = "invalid"
)

// Errors explaining a Result; match with errors.Is.
var (
	ErrNXDomain  = errors.New("mx: domain does not exist")
	ErrNullMX    = errors.New("mx: null MX, the domain accepts no mail")
	ErrNoMX      = errors.New("mx: no MX and no address records")
	ErrTemporary = errors.New("mx: DNS lookup failed temporarily")
	ErrInvalid   = errors.New("mx: invalid domain name")
)

// Host is one mail exchanger with its addresses.
type Host struct {
	// Preference from the MX record (0 for an implicit MX).
	Preference uint16 `json:"preference"`
	// Name is the MX target, lower case, without the trailing dot.
	Name string `json:"name"`
	// Implicit is set when there is no MX record and the domain itself is
	// used as the mail exchanger (RFC 5321 §5.1).
	Implicit bool `json:"implicit,omitempty"`
	// IPLiteral is set when the MX target is an address, not a host name
	// (RFC 5321 §5.1 and RFC 7505 §3: an MX target must be a domain name).
	IPLiteral bool `json:"ip_literal,omitempty"`
	// CNAMEs is the alias chain when the MX target is a CNAME, which RFC 2181
	// §10.3 forbids; empty when the name is canonical.
	CNAMEs []string `json:"cnames,omitempty"`
	// IPs are the IPv4 addresses followed by the IPv6 addresses.
	IPs []netip.Addr `json:"ips"`
	// AStatus and AAAAStatus are the outcomes of the address lookups
	// ("" when not looked up, e.g. for an IP literal).
	AStatus    resolver.Status `json:"a_status,omitempty"`
	AAAAStatus resolver.Status `json:"aaaa_status,omitempty"`
	// Error explains a host that has no usable address (empty when it has one).
	Error string `json:"error,omitempty"`
}

// Temporary reports whether the host's addresses could not be determined
// because a lookup failed (and none was found by the other).
func (h Host) Temporary() bool {
	return len(h.IPs) == 0 && (h.AStatus.Temporary() || h.AAAAStatus.Temporary())
}

// Usable reports whether a sender could connect to this host.
func (h Host) Usable() bool { return !h.IPLiteral && len(h.IPs) > 0 }

// Result is the typed outcome of Resolve. Status is always set, also when
// Err is not nil.
type Result struct {
	// Domain is the queried domain as A-label, without the trailing dot.
	Domain string `json:"domain"`
	// Status is the overall outcome (ok, implicit, null, none, nxdomain,
	// temperror, invalid).
	Status Status `json:"status"`
	// DNSStatus is the raw status of the MX query (noerror, nodata, nxdomain,
	// servfail, refused, timeout, error).
	DNSStatus resolver.Status `json:"dns_status"`
	// Authentic is the DNSSEC AD bit of the MX answer.
	Authentic bool `json:"authentic"`
	// NullMixed is set when a null MX is published next to other MX records,
	// which RFC 7505 §3 forbids; the null record is then ignored.
	NullMixed bool `json:"null_mixed,omitempty"`
	// Hosts in the order a sender tries them: ascending preference, random
	// among equal preferences (RFC 5321 §5.1). Empty for null, none, nxdomain
	// and temperror.
	Hosts []Host `json:"hosts"`
	// Error explains a non-ok status in English (the same text as Err).
	Error string `json:"error,omitempty"`
	// Err is the machine-matchable form of Error (see the Err… variables).
	Err error `json:"-"`
}

// Addresses returns every usable address in host order, without duplicates.
func (r Result) Addresses() []netip.Addr {
	seen := map[netip.Addr]bool{}
	var out []netip.Addr
	for _, h := range r.Hosts {
		if !h.Usable() {
			continue
		}
		for _, ip := range h.IPs {
			if !seen[ip] {
				seen[ip] = true
				out = append(out, ip)
			}
		}
	}
	return out
}

// maxParallelHosts bounds the goroutines resolving host addresses.
const maxParallelHosts = 16

// Resolve looks up the MX records of domain and the A and AAAA records of
// every MX host (concurrently), following RFC 5321 §5.1 and RFC 7505.
func Resolve(ctx context.Context, r resolver.Lookuper, domain string) Result {
	name, err := Normalize(domain)
	res := Result{Domain: name, Hosts: []Host{}}
	if err != nil {
		res.Domain = domain
		return res.fail(StatusInvalid, fmt.Errorf("%w: %q: %v", ErrInvalid, domain, err))
	}

	ans := r.Lookup(ctx, name, resolver.TypeMX)
	res.DNSStatus, res.Authentic = ans.Status, ans.Authentic
	switch {
	case ans.Status == resolver.StatusNXDomain:
		return res.fail(StatusNXDomain, fmt.Errorf("%w: %s", ErrNXDomain, name))
	case ans.Status.Temporary():
		// A timeout or SERVFAIL is not "no MX": falling back to the implicit
		// MX here would send mail to the wrong place (RFC 5321 §5.1 only
		// allows the fallback when the MX lookup succeeded without records).
		return res.fail(StatusTempError, fmt.Errorf("%w: MX %s: %s%s", ErrTemporary, name, ans.Status, errSuffix(ans.Err)))
	case ans.Status == resolver.StatusOK && len(ans.MX) > 0:
		return resolveHosts(ctx, r, res, ans.MX)
	default: // NODATA (or an OK answer without MX records)
		return implicit(ctx, r, res)
	}
}

// resolveHosts handles a non-empty MX RRset.
func resolveHosts(ctx context.Context, r resolver.Lookuper, res Result, records []resolver.MX) Result {
	var hosts []Host
	nulls := 0
	for _, m := range records {
		target := strings.TrimSuffix(strings.ToLower(m.Host), ".")
		if target == "" || m.Host == "." {
			// RFC 7505 §3: a null MX has the root as target ("." in master
			// files); our resolver keeps it as ".".
			nulls++
			continue
		}
		hosts = append(hosts, Host{Preference: m.Preference, Name: target})
	}
	if nulls > 0 && len(hosts) == 0 {
		res.Status = StatusNull
		res.Err = fmt.Errorf("%w: %s", ErrNullMX, res.Domain)
		res.Error = res.Err.Error()
		return res
	}
	// RFC 7505 §3: a domain with a null MX MUST NOT publish other MX records.
	// Senders then use the real ones, so we keep them and flag the mix.
	res.NullMixed = nulls > 0

	order(hosts)
	lookupAll(ctx, r, hosts)
	res.Hosts = hosts
	res.Status = StatusOK
	return res
}

// implicit applies the RFC 5321 §5.1 fallback: no MX records, so the domain
// itself is the mail exchanger with preference 0.
func implicit(ctx context.Context, r resolver.Lookuper, res Result) Result {
	h := []Host{{Name: res.Domain, Implicit: true}}
	lookupAll(ctx, r, h)
	switch {
	case len(h[0].IPs) > 0:
		res.Status = StatusImplicit
		res.Hosts = h
		return res
	case h[0].Temporary():
		return res.fail(StatusTempError, fmt.Errorf("%w: no MX for %s and the A/AAAA lookups failed (A %s, AAAA %s)",
			ErrTemporary, res.Domain, h[0].AStatus, h[0].AAAAStatus))
	}
	return res.fail(StatusNone, fmt.Errorf("%w: %s", ErrNoMX, res.Domain))
}

func (res Result) fail(s Status, err error) Result {
	res.Status, res.Err, res.Error = s, err, err.Error()
	return res
}

// order sorts by preference and shuffles hosts of equal preference
// (RFC 5321 §5.1: "randomize them to spread the load").
func order(hosts []Host) {
	rand.Shuffle(len(hosts), func(i, j int) { hosts[i], hosts[j] = hosts[j], hosts[i] })
	sort.SliceStable(hosts, func(i, j int) bool { return hosts[i].Preference < hosts[j].Preference })
}

// lookupAll fills in the addresses of every host, all hosts and both address
// families concurrently (bounded by maxParallelHosts).
func lookupAll(ctx context.Context, r resolver.Lookuper, hosts []Host) {
	sem := make(chan struct{}, maxParallelHosts)
	var wg sync.WaitGroup
	for i := range hosts {
		if lit, ok := ipLiteral(hosts[i].Name); ok {
			hosts[i].IPLiteral = true
			hosts[i].IPs = []netip.Addr{}
			hosts[i].Error = fmt.Sprintf("MX target %s is an IP address literal, not a host name (RFC 5321 §5.1)", lit)
			continue
		}
		wg.Add(1)
		go func(h *Host) {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				h.AStatus, h.AAAAStatus = resolver.StatusTimeout, resolver.StatusTimeout
				h.IPs = []netip.Addr{}
				h.Error = "lookup cancelled: " + ctx.Err().Error()
				return
			}
			lookupHost(ctx, r, h)
		}(&hosts[i])
	}
	wg.Wait()
}

// lookupHost queries A and AAAA of one host concurrently.
func lookupHost(ctx context.Context, r resolver.Lookuper, h *Host) {
	var a, aaaa *resolver.Answer
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a = r.Lookup(ctx, h.Name, resolver.TypeA) }()
	go func() { defer wg.Done(); aaaa = r.Lookup(ctx, h.Name, resolver.TypeAAAA) }()
	wg.Wait()

	h.AStatus, h.AAAAStatus = a.Status, aaaa.Status
	h.IPs = []netip.Addr{}
	for _, ans := range []*resolver.Answer{a, aaaa} {
		if ans.Status == resolver.StatusOK {
			h.IPs = append(h.IPs, ans.IPs...)
		}
		// RFC 2181 §10.3: the MX target must be the canonical name, not an
		// alias. (For an implicit MX the domain may well be an alias.)
		if len(ans.CNAMEs) > 0 && len(h.CNAMEs) == 0 && !h.Implicit {
			h.CNAMEs = append([]string(nil), ans.CNAMEs...)
		}
	}
	if len(h.IPs) > 0 {
		return
	}
	switch {
	case h.Temporary():
		// Name the cause (a CNAME loop, a malformed answer …), not only the
		// status words.
		cause := a.Err
		if cause == nil || !a.Status.Temporary() {
			cause = aaaa.Err
		}
		h.Error = fmt.Sprintf("address lookup failed: A %s, AAAA %s%s", a.Status, aaaa.Status, errSuffix(cause))
	case a.Status == resolver.StatusNXDomain || aaaa.Status == resolver.StatusNXDomain:
		h.Error = fmt.Sprintf("host %s does not exist (NXDOMAIN)", h.Name)
	default:
		h.Error = fmt.Sprintf("host %s has no A or AAAA record", h.Name)
	}
}

// ipLiteral reports whether name is an IP address written as an MX target:
// "192.0.2.1", "[192.0.2.1]" or "[IPv6:2001:db8::1]".
func ipLiteral(name string) (netip.Addr, bool) {
	s := strings.TrimSuffix(strings.TrimPrefix(name, "["), "]")
	if len(s) > 5 && strings.EqualFold(s[:5], "ipv6:") {
		s = s[5:]
	}
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return ip, true
}

// Normalize lower-cases a domain, removes one trailing dot and converts
// Unicode labels to A-labels (resolver.ToASCII: IDNA, UTS #46).
func Normalize(domain string) (string, error) {
	return resolver.ToASCII(strings.TrimSpace(domain))
}

func errSuffix(err error) string {
	if err == nil {
		return ""
	}
	return " (" + err.Error() + ")"
}
