// Package dnsbl checks an IP address against DNS block lists (RFC 5782):
// it decodes the return codes (Spamhaus SBL/CSS/XBL/DROP/PBL …), reads the
// TXT reason, treats Spamhaus's 127.255.255.0/24 answers as "query refused"
// rather than a listing, and probes every list's test entries so that a
// dead or parked list that answers "listed" for everything is not believed.
package dnsbl

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Status is the result for one zone or for all zones together.
type Status string

const (
	// StatusListed: the address is on the list (zone result) or on at
	// least one list (overall).
	StatusListed Status = "listed"
	// StatusNotListed: the list answered that the address is not on it.
	StatusNotListed Status = "not_listed"
	// StatusClean: overall, no list that could be asked lists the address.
	StatusClean Status = "clean"
	// StatusUnknown: no usable answer — query refused (Spamhaus
	// 127.255.255.x: public resolver or rate limit), timeout, SERVFAIL.
	StatusUnknown Status = "unknown"
	// StatusBroken: the list failed its health probe (RFC 5782 §5: 127.0.0.2
	// must be listed, 127.0.0.1 must not); its answers are not believed.
	StatusBroken Status = "broken"
	// StatusSkipped: the list does not answer for this address family.
	StatusSkipped Status = "skipped"
)

// Health is the outcome of a zone's health probe.
type Health string

const (
	HealthOK      Health = "ok"
	HealthBroken  Health = "broken"  // test entry missing, or lists everything, or nonsense answers
	HealthRefused Health = "refused" // the list refuses our resolver (error codes on the test entry)
	HealthUnknown Health = "unknown" // the probe lookups failed (timeout, SERVFAIL …)
)

// Errors explaining a zone result; match with errors.Is.
var (
	ErrRefused    = errors.New("dnsbl: query refused by the list")
	ErrTemporary  = errors.New("dnsbl: DNS lookup failed temporarily")
	ErrZoneBroken = errors.New("dnsbl: list failed its health probe")
	ErrUnexpected = errors.New("dnsbl: unexpected answer")
	ErrInvalidIP  = errors.New("dnsbl: invalid IP address")
)

// maxTXT bounds the reason text kept from a TXT answer.
const maxTXT = 512

// Listing is one return code of a listed address.
type Listing struct {
	// Answer is the A record returned, e.g. 127.0.0.4.
	Answer netip.Addr `json:"answer"`
	// Code is the decoded meaning.
	Code Code `json:"code"`
}

// ZoneResult is the outcome for one list.
type ZoneResult struct {
	Zone Zone `json:"zone"`
	// Query is the name asked, e.g. "7.100.51.198.zen.spamhaus.org".
	Query string `json:"query"`
	// Status: listed, not_listed, unknown, broken, skipped.
	Status Status `json:"status"`
	// DNSStatus is the raw status of the A query for the address.
	DNSStatus resolver.Status `json:"dns_status,omitempty"`
	// Answers are the A records returned for the address.
	Answers []netip.Addr `json:"answers,omitempty"`
	// Listings are the decoded answers (only when Status is listed).
	Listings []Listing `json:"listings,omitempty"`
	// Reason is the TXT record of the listing, if any (sanitised, bounded).
	Reason string `json:"reason,omitempty"`
	// Refusal decodes an error answer (only when the list refused the query).
	Refusal *Code `json:"refusal,omitempty"`
	// Health is the health probe's outcome; HealthDetail says what was seen.
	Health       Health `json:"health"`
	HealthDetail string `json:"health_detail,omitempty"`
	// Error explains a status other than listed/not_listed.
	Error string `json:"error,omitempty"`
	Err   error  `json:"-"`
}

// Result is the typed outcome of Check.
type Result struct {
	IP netip.Addr `json:"ip"`
	// Status: listed (on at least one list), clean (every list that could
	// be asked said no), unknown (not listed anywhere, but at least one list
	// could not be asked), skipped (no list answers for the address family).
	Status Status       `json:"status"`
	Zones  []ZoneResult `json:"zones"`
	// Defaults: the zones are mxprobe's built-in list (DefaultZones), not
	// ones the user configured (--dnsbl).
	Defaults bool `json:"defaults"`
	// Error explains an invalid input.
	Error string `json:"error,omitempty"`
	Err   error  `json:"-"`
}

// Listed returns the zones that list the address.
func (r Result) Listed() []ZoneResult {
	var out []ZoneResult
	for _, z := range r.Zones {
		if z.Status == StatusListed {
			out = append(out, z)
		}
	}
	return out
}

// QueryName is the name to look up for ip in zone (RFC 5782 §2.1: the
// octets reversed; §2.4: IPv6 as 32 reversed nibbles).
func QueryName(ip netip.Addr, zone string) string {
	rev := resolver.ReverseName(ip.Unmap())
	rev = strings.TrimSuffix(strings.TrimSuffix(rev, "in-addr.arpa"), "ip6.arpa")
	return rev + strings.TrimSuffix(zone, ".")
}

// Probe addresses of RFC 5782 §5: every IPv4 list MUST list 127.0.0.2 and
// MUST NOT list 127.0.0.1.
var (
	probeListed   = netip.MustParseAddr("127.0.0.2")
	probeUnlisted = netip.MustParseAddr("127.0.0.1")
	loopback8     = netip.MustParsePrefix("127.0.0.0/8")
)

// Check looks ip up in every zone concurrently (nil zones: DefaultZones)
// and probes each zone's health. IPv6 addresses are looked up only in zones
// with IPv6 set. The health probe always uses the IPv4 test entries, which
// every list has.
func Check(ctx context.Context, r resolver.Lookuper, ip netip.Addr, zones []Zone) Result {
	ip = ip.Unmap()
	res := Result{IP: ip, Zones: []ZoneResult{}, Defaults: zones == nil}
	if !ip.IsValid() {
		res.Status, res.Err = StatusUnknown, ErrInvalidIP
		res.Error = res.Err.Error()
		return res
	}
	if zones == nil {
		zones = DefaultZones()
	}
	res.Zones = make([]ZoneResult, len(zones))
	var wg sync.WaitGroup
	for i, z := range zones {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res.Zones[i] = checkZone(ctx, r, ip, z)
		}()
	}
	wg.Wait()

	listed, clean, unknown, skipped := 0, 0, 0, 0
	for _, z := range res.Zones {
		switch z.Status {
		case StatusListed:
			listed++
		case StatusNotListed:
			clean++
		case StatusUnknown:
			unknown++
		case StatusSkipped:
			skipped++
		}
	}
	switch {
	case listed > 0:
		res.Status = StatusListed
	case skipped > 0 && skipped == len(res.Zones):
		// No list answers for this address family (an IPv6 sender and
		// IPv4-only lists): not checked, which is neither clean nor a
		// failure to answer.
		res.Status = StatusSkipped
	case unknown > 0 || clean == 0:
		res.Status = StatusUnknown
	default:
		res.Status = StatusClean
	}
	return res
}

func checkZone(ctx context.Context, r resolver.Lookuper, ip netip.Addr, z Zone) ZoneResult {
	zr := ZoneResult{Zone: z, Query: QueryName(ip, z.Name)}
	fail := func(s Status, err error) ZoneResult {
		zr.Status, zr.Err, zr.Error = s, err, err.Error()
		return zr
	}
	if ip.Is6() && !z.IPv6 {
		zr.Status, zr.Health = StatusSkipped, HealthUnknown
		zr.Error = "the list does not answer IPv6 queries"
		return zr
	}

	// The address and both probes at once.
	var ans, pos, neg *resolver.Answer
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); ans = r.Lookup(ctx, zr.Query, resolver.TypeA) }()
	go func() { defer wg.Done(); pos = r.Lookup(ctx, QueryName(probeListed, z.Name), resolver.TypeA) }()
	go func() { defer wg.Done(); neg = r.Lookup(ctx, QueryName(probeUnlisted, z.Name), resolver.TypeA) }()
	wg.Wait()

	zr.Health, zr.HealthDetail = health(z, pos, neg)
	zr.DNSStatus = ans.Status
	if ans.Status == resolver.StatusOK {
		zr.Answers = ans.IPs
	}

	// An error code anywhere (the address or the probe) means the list
	// refuses us: unknown, never listed.
	if ref := refusal(z, ans); ref != nil {
		zr.Refusal = ref
		return fail(StatusUnknown, fmt.Errorf("%w: %s answered %s (%s)", ErrRefused, z.Name, joinIPs(ans.IPs), ref.Meaning.EN))
	}
	switch zr.Health {
	case HealthRefused:
		zr.Refusal = refusal(z, pos)
		if zr.Refusal == nil {
			zr.Refusal = refusal(z, neg)
		}
		return fail(StatusUnknown, fmt.Errorf("%w: %s: %s", ErrRefused, z.Name, zr.HealthDetail))
	case HealthBroken:
		return fail(StatusBroken, fmt.Errorf("%w: %s: %s", ErrZoneBroken, z.Name, zr.HealthDetail))
	}

	switch {
	case ans.Status.Temporary():
		return fail(StatusUnknown, fmt.Errorf("%w: %s: %s", ErrTemporary, zr.Query, ans.Status))
	case ans.Status == resolver.StatusNXDomain || ans.Status == resolver.StatusNoData:
		if zr.Health == HealthUnknown {
			// We cannot tell a healthy "no" from a dead list.
			return fail(StatusUnknown, fmt.Errorf("%w: %s: health probe failed: %s", ErrTemporary, z.Name, zr.HealthDetail))
		}
		zr.Status = StatusNotListed
		return zr
	case ans.Status != resolver.StatusOK:
		return fail(StatusUnknown, fmt.Errorf("%w: %s: %s", ErrTemporary, zr.Query, ans.Status))
	}
	for _, a := range ans.IPs {
		if !loopback8.Contains(a.Unmap()) {
			// RFC 5782 §2.1: list entries are A records in 127.0.0.0/8;
			// anything else is a wildcard or parked zone.
			return fail(StatusBroken, fmt.Errorf("%w: %s answered %s, outside 127.0.0.0/8", ErrUnexpected, zr.Query, a))
		}
		c, _ := z.decode(a)
		zr.Listings = append(zr.Listings, Listing{Answer: a.Unmap(), Code: c})
	}
	zr.Status = StatusListed
	if zr.Health == HealthUnknown {
		// A listing is still a listing, but say we could not verify the list.
		zr.Error = "health probe failed: " + zr.HealthDetail
	}
	// RFC 5782 §2.1: the TXT record at the same name gives the reason.
	if txt := r.Lookup(ctx, zr.Query, resolver.TypeTXT); txt.Status == resolver.StatusOK {
		zr.Reason = sanitize(strings.Join(txt.TXT, " "))
	}
	return zr
}

// refusal returns the decoded error answer when a contains one.
func refusal(z Zone, a *resolver.Answer) *Code {
	if a == nil || a.Status != resolver.StatusOK {
		return nil
	}
	for _, ip := range a.IPs {
		if c, isErr := z.decode(ip); isErr {
			return &c
		}
	}
	return nil
}

// health evaluates the RFC 5782 §5 test entries.
func health(z Zone, pos, neg *resolver.Answer) (Health, string) {
	if refusal(z, pos) != nil || refusal(z, neg) != nil {
		return HealthRefused, "the test entries return error codes"
	}
	if pos.Status.Temporary() || neg.Status.Temporary() {
		return HealthUnknown, fmt.Sprintf("test entry lookups failed (127.0.0.2: %s, 127.0.0.1: %s)", pos.Status, neg.Status)
	}
	if neg.Status == resolver.StatusOK {
		return HealthBroken, fmt.Sprintf("127.0.0.1 is listed (%s): the list answers \"listed\" for everything (parked or wildcard zone)", joinIPs(neg.IPs))
	}
	if pos.Status != resolver.StatusOK {
		return HealthBroken, fmt.Sprintf("the test entry 127.0.0.2 is not listed (%s): the list is dead or not answering", pos.Status)
	}
	for _, a := range pos.IPs {
		if !loopback8.Contains(a.Unmap()) {
			return HealthBroken, fmt.Sprintf("the test entry 127.0.0.2 answers %s, outside 127.0.0.0/8 (parked or wildcard zone)", a)
		}
	}
	return HealthOK, ""
}

// sanitize keeps printable text and bounds its length.
func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= maxTXT {
			b.WriteString("…")
			break
		}
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			r = ' '
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

func joinIPs(ips []netip.Addr) string {
	parts := make([]string, len(ips))
	for i, ip := range ips {
		parts[i] = ip.String()
	}
	return strings.Join(parts, ", ")
}

// meaning joins the decoded listings for a detail text.
func meanings(ls []Listing) i18n.Text {
	var en, de []string
	for _, l := range ls {
		en = append(en, fmt.Sprintf("%s (%s)", l.Code.Meaning.EN, l.Answer))
		de = append(de, fmt.Sprintf("%s (%s)", l.Code.Meaning.DE, l.Answer))
	}
	return i18n.T(strings.Join(en, "; "), strings.Join(de, "; "))
}
