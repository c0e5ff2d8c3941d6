// Package asn maps an IP address to its origin AS (number, prefix, holder)
// through Team Cymru's IP-to-ASN DNS service, says whether the network is a
// hosting/cloud network or an access network, and asks the range-level
// block lists (UCEPROTECT levels 2 and 3) about it.
//
// Team Cymru's service (https://www.team-cymru.com/ip-asn-mapping) answers
// TXT queries:
//
//	<reversed IPv4>.origin.asn.cymru.com   "24940 | 88.198.0.0/16 | DE | ripencc | 2004-05-18"
//	<nibbles IPv6>.origin6.asn.cymru.com   same fields
//	AS24940.asn.cymru.com                  "24940 | DE | ripencc | 2002-06-03 | HETZNER-AS, DE"
//
// All lookups go through internal/resolver with deadlines from the context.
package asn

import (
	"context"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Zones are the DNS zones of the IP-to-ASN service (the lab serves its own
// copy under the same names on loopback).
type Zones struct {
	Origin  string // IPv4 origin zone
	Origin6 string // IPv6 origin zone
	ASN     string // AS description zone
}

// CymruZones are Team Cymru's public zones.
var CymruZones = Zones{Origin: "origin.asn.cymru.com", Origin6: "origin6.asn.cymru.com", ASN: "asn.cymru.com"}

// Status words of a Result.
const (
	StatusOK        = "ok"        // the origin AS is known
	StatusNone      = "none"      // the service has no origin for the address (unrouted, private)
	StatusTempError = "temperror" // the service could not be asked: unknown
	StatusError     = "error"     // invalid input or an unreadable answer
)

// Network kinds.
const (
	KindHosting = "hosting" // a hosting or cloud network (servers for rent)
	KindAccess  = "access"  // an access network (DSL, cable, mobile customers)
	KindUnknown = "unknown"
)

// Result is what is known about the network of one IP.
//
// JSON fields: ip, status (ok, none, temperror, error), asn, prefix (the
// announced prefix), country, registry, holder (the AS name as registered),
// kind (hosting, access, unknown), kind_source (table: the documented list of
// known networks; name: a word in the holder's name), range_listings, error.
type Result struct {
	IP            netip.Addr     `json:"ip"`
	Status        string         `json:"status"`
	ASN           uint32         `json:"asn,omitempty"`
	Prefix        string         `json:"prefix,omitempty"`
	Country       string         `json:"country,omitempty"`
	Registry      string         `json:"registry,omitempty"`
	Holder        string         `json:"holder,omitempty"`
	Kind          string         `json:"kind"`
	KindSource    string         `json:"kind_source,omitempty"`
	RangeListings []RangeListing `json:"range_listings"`
	Error         string         `json:"error,omitempty"`
}

// maxField bounds a TXT field kept from the service's answer.
const maxField = 128

// Lookup asks the IP-to-ASN service about ip, then (when an AS is found)
// for the AS's holder name, and classifies the network.
func Lookup(ctx context.Context, r resolver.Lookuper, z Zones, ip netip.Addr) Result {
	res := Result{IP: ip, Kind: KindUnknown, RangeListings: []RangeListing{}}
	ip = ip.Unmap()
	if !ip.IsValid() {
		res.Status, res.Error = StatusError, "invalid IP address"
		return res
	}
	zone := z.Origin
	suffix := ".in-addr.arpa"
	if ip.Is6() {
		zone, suffix = z.Origin6, ".ip6.arpa"
	}
	name := strings.TrimSuffix(resolver.ReverseName(ip), suffix) + "." + zone
	a := r.Lookup(ctx, name, resolver.TypeTXT)
	switch {
	case a.Status.Temporary():
		res.Status, res.Error = StatusTempError, "origin lookup "+name+": "+string(a.Status)
		return res
	case a.Status != resolver.StatusOK || len(a.TXT) == 0:
		res.Status = StatusNone
		return res
	}
	if !res.parseOrigin(a.TXT[0]) {
		res.Status, res.Error = StatusError, "unreadable answer at "+name
		return res
	}
	res.Status = StatusOK
	d := r.Lookup(ctx, "AS"+strconv.FormatUint(uint64(res.ASN), 10)+"."+z.ASN, resolver.TypeTXT)
	if d.Status == resolver.StatusOK && len(d.TXT) > 0 {
		f := fields(d.TXT[0])
		if len(f) >= 5 {
			res.Holder = f[4]
		}
	}
	res.Kind, res.KindSource = Classify(res.ASN, res.Holder)
	return res
}

// parseOrigin reads "ASN [ASN…] | prefix | CC | registry | date"; of several
// origin ASes (a multi-origin prefix) the first is kept.
func (res *Result) parseOrigin(txt string) bool {
	f := fields(txt)
	if len(f) < 3 {
		return false
	}
	first := strings.Fields(f[0])
	if len(first) == 0 {
		return false
	}
	n, err := strconv.ParseUint(first[0], 10, 32)
	if err != nil || n == 0 {
		return false
	}
	if _, err := netip.ParsePrefix(f[1]); err != nil {
		return false
	}
	res.ASN, res.Prefix, res.Country = uint32(n), f[1], f[2]
	if len(f) > 3 {
		res.Registry = f[3]
	}
	return true
}

// fields splits a Cymru TXT answer at "|", trimmed and bounded.
func fields(txt string) []string {
	parts := strings.SplitN(txt, "|", 8)
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		p = printable(strings.TrimSpace(strings.ToValidUTF8(p, "")))
		for len(p) > maxField {
			// Cut at a rune boundary.
			_, size := utf8.DecodeLastRuneInString(p)
			p = p[:len(p)-size]
		}
		out = append(out, p)
	}
	return out
}

// printable drops control characters from text that ends up in reports.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}
