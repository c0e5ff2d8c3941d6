// Package resolver is mxprobe's DNS client and the only package (with its
// test-server subpackage dnsserver) that imports github.com/miekg/dns.
// Every other package sees DNS through the typed Answer below.
package resolver

import (
	"context"
	"net/netip"
	"time"
)

// Type is a DNS query type mxprobe uses.
type Type uint16

// Query types (values are the IANA RR type numbers).
const (
	TypeA     Type = 1
	TypeNS    Type = 2
	TypeCNAME Type = 5
	TypeSOA   Type = 6
	TypePTR   Type = 12
	TypeMX    Type = 15
	TypeTXT   Type = 16
	TypeAAAA  Type = 28
	TypeTLSA  Type = 52
)

func (t Type) String() string {
	switch t {
	case TypeA:
		return "A"
	case TypeNS:
		return "NS"
	case TypeCNAME:
		return "CNAME"
	case TypeSOA:
		return "SOA"
	case TypePTR:
		return "PTR"
	case TypeMX:
		return "MX"
	case TypeTXT:
		return "TXT"
	case TypeAAAA:
		return "AAAA"
	case TypeTLSA:
		return "TLSA"
	}
	return "TYPE?"
}

// Status is the outcome of one lookup. NXDOMAIN, NODATA, SERVFAIL, REFUSED and
// timeout stay distinct everywhere: a timeout is never "no record".
type Status string

const (
	StatusOK       Status = "noerror"  // at least one record of the asked type
	StatusNXDomain Status = "nxdomain" // the name does not exist
	StatusNoData   Status = "nodata"   // the name exists, no record of this type
	StatusServFail Status = "servfail"
	StatusRefused  Status = "refused"
	StatusTimeout  Status = "timeout"
	StatusError    Status = "error" // other failures: malformed answer, network error, CNAME loop …
)

// Temporary reports whether the status means "we could not find out" rather
// than an authoritative answer (RFC 7208 temperror, iprev temperror, …).
func (s Status) Temporary() bool {
	return s == StatusServFail || s == StatusRefused || s == StatusTimeout || s == StatusError
}

// Exists reports whether the answer proves the name exists (records or NODATA).
func (s Status) Exists() bool { return s == StatusOK || s == StatusNoData }

// MX is one MX record.
type MX struct {
	Preference uint16 `json:"preference"`
	Host       string `json:"host"` // fully qualified, without the trailing dot; "." for null MX is kept as "."
}

// TLSA is one TLSA record (RFC 6698).
type TLSA struct {
	Usage        uint8  `json:"usage"`
	Selector     uint8  `json:"selector"`
	MatchingType uint8  `json:"matching_type"`
	Data         []byte `json:"data"`
}

// Answer is the typed result of one (name, type) lookup. Exactly the fields
// for the asked type are filled. Names are lower-case A-labels without the
// trailing dot.
type Answer struct {
	Name      string        `json:"name"`
	Type      Type          `json:"-"`
	Status    Status        `json:"status"`
	Authentic bool          `json:"authentic"`        // DNSSEC AD bit of the response
	Server    string        `json:"server,omitempty"` // address of the server that answered
	TTL       time.Duration `json:"-"`
	// CNAMEs is the chain followed from Name to the final owner (empty if none).
	CNAMEs []string `json:"cnames,omitempty"`

	IPs  []netip.Addr `json:"ips,omitempty"`  // A, AAAA
	MX   []MX         `json:"mx,omitempty"`   // MX, in answer order
	TXT  []string     `json:"txt,omitempty"`  // TXT: one entry per record, character-strings concatenated
	PTR  []string     `json:"ptr,omitempty"`  // PTR targets, CNAME, NS targets
	TLSA []TLSA       `json:"tlsa,omitempty"` // TLSA

	// Truncated is set when the answer held more than MaxRecords records of
	// the asked type; only the first MaxRecords are kept.
	Truncated bool `json:"truncated,omitempty"`

	// Err explains a non-OK status (nil for OK, NXDOMAIN and NODATA).
	Err error `json:"-"`
}

// Lookuper is what checks depend on. *Resolver implements it; checks never
// see miekg/dns.
type Lookuper interface {
	Lookup(ctx context.Context, name string, t Type) *Answer
}
