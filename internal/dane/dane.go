// Package dane looks up and checks DANE TLSA records for SMTP (RFC 7672,
// RFC 6698): the records at "_25._tcp.<mx host>", whether the answer was
// DNSSEC-authenticated (without that, DANE means nothing), which records a
// sending MTA can use, and whether a server's certificate chain matches them.
package dane

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Certificate usages, selectors and matching types (RFC 6698 §2.1, RFC 7218
// acronyms).
const (
	UsagePKIXTA = 0 // PKIX-TA: not for SMTP (RFC 7672 §3.1.3)
	UsagePKIXEE = 1 // PKIX-EE: not for SMTP (RFC 7672 §3.1.3)
	UsageDANETA = 2 // DANE-TA: a trust anchor in the server's chain
	UsageDANEEE = 3 // DANE-EE: the server's own certificate or key

	SelectorCert = 0 // the full certificate
	SelectorSPKI = 1 // the SubjectPublicKeyInfo

	MatchFull   = 0 // the selected content itself
	MatchSHA256 = 1
	MatchSHA512 = 2
)

// Status is the outcome of a TLSA lookup.
type Status string

const (
	// StatusNone: no TLSA records (NXDOMAIN or NODATA): DANE is not used.
	StatusNone Status = "none"
	// StatusUsable: the answer is DNSSEC-authenticated and holds at least
	// one record a sending MTA can use (RFC 7672 §3.1).
	StatusUsable Status = "usable"
	// StatusUnusable: authenticated, but no record is usable (only PKIX
	// usages, unknown parameters or malformed data).
	StatusUnusable Status = "unusable"
	// StatusUnauthenticated: records exist but the answer was not
	// DNSSEC-validated (AD bit not set): senders ignore them.
	StatusUnauthenticated Status = "unauthenticated"
	// StatusTempError: the lookup failed (timeout, SERVFAIL …).
	StatusTempError Status = "temperror"
)

// Errors explaining a Result; match with errors.Is.
var (
	ErrNoRecords       = errors.New("dane: no TLSA records")
	ErrUnauthenticated = errors.New("dane: TLSA answer not DNSSEC-authenticated")
	ErrUnusable        = errors.New("dane: no usable TLSA record")
	ErrTemporary       = errors.New("dane: TLSA lookup failed")
	ErrSyntax          = errors.New("dane: invalid TLSA record")
)

// Record is one TLSA record with its usability for SMTP.
type Record struct {
	resolver.TLSA
	// Text is the presentation form, e.g. "3 1 1 ab12…".
	Text string `json:"text"`
	// Usable is set when a sending MTA uses this record (RFC 7672 §3.1).
	Usable bool `json:"usable"`
	// Problem explains why the record is not usable.
	Problem string `json:"problem,omitempty"`
}

// Result is the typed outcome of Lookup. Status is always set.
type Result struct {
	// Host and Port are the server; Name is the TLSA owner "_25._tcp.<host>".
	Host string `json:"host"`
	Port int    `json:"port"`
	Name string `json:"name"`
	// Status: none, usable, unusable, unauthenticated, temperror.
	Status Status `json:"status"`
	// DNSStatus is the raw status of the TLSA query.
	DNSStatus resolver.Status `json:"dns_status"`
	// Authentic is the DNSSEC AD bit of the answer.
	Authentic bool `json:"authentic"`
	// Records are the TLSA records in answer order.
	Records []Record `json:"records"`
	// Verification is the match of a server's certificate chain against
	// the records, filled in by Verify (nil until then).
	Verification *MatchDetail `json:"verification,omitempty"`
	// Error explains a status other than usable.
	Error string `json:"error,omitempty"`
	Err   error  `json:"-"`
}

// Usable returns the records a sending MTA would use.
func (r Result) Usable() []resolver.TLSA {
	var out []resolver.TLSA
	for _, rec := range r.Records {
		if rec.Usable {
			out = append(out, rec.TLSA)
		}
	}
	return out
}

// Lookup queries the TLSA records of an SMTP server, "_<port>._tcp.<host>"
// (RFC 6698 §3, RFC 7672 §2.2.3), and keeps the records with their DNSSEC
// status. port 0 means 25. host should be the MX host name as published
// (RFC 7672 §2.2.2 also allows its CNAME-expanded name).
func Lookup(ctx context.Context, r resolver.Lookuper, host string, port int) Result {
	if port <= 0 {
		port = 25
	}
	host = aLabel(host)
	res := Result{Host: host, Port: port, Name: fmt.Sprintf("_%d._tcp.%s", port, host), Records: []Record{}}
	fail := func(s Status, err error) Result {
		res.Status, res.Err, res.Error = s, err, err.Error()
		return res
	}
	ans := r.Lookup(ctx, res.Name, resolver.TypeTLSA)
	res.DNSStatus, res.Authentic = ans.Status, ans.Authentic
	switch {
	case ans.Status.Temporary():
		// RFC 7672 §2.2: a DANE sender whose MX address records are secure
		// must defer delivery when the TLSA lookup fails.
		return fail(StatusTempError, fmt.Errorf("%w: %s: %s", ErrTemporary, res.Name, ans.Status))
	case ans.Status != resolver.StatusOK || len(ans.TLSA) == 0:
		return fail(StatusNone, fmt.Errorf("%w at %s (%s)", ErrNoRecords, res.Name, ans.Status))
	}
	usable := 0
	for _, t := range ans.TLSA {
		rec := Record{TLSA: t, Text: Format(t)}
		rec.Problem = problem(t)
		rec.Usable = rec.Problem == ""
		if rec.Usable {
			usable++
		}
		res.Records = append(res.Records, rec)
	}
	switch {
	case !ans.Authentic:
		// RFC 7672 §2.2: only TLSA records from a validated (secure) answer
		// may be used; an insecure answer means "no DANE".
		return fail(StatusUnauthenticated, fmt.Errorf("%w: %s (%d records, AD bit not set)", ErrUnauthenticated, res.Name, len(res.Records)))
	case usable == 0:
		return fail(StatusUnusable, fmt.Errorf("%w at %s", ErrUnusable, res.Name))
	}
	res.Status = StatusUsable
	return res
}

// problem says why a record is unusable for SMTP ("" when usable).
func problem(t resolver.TLSA) string {
	switch t.Usage {
	case UsagePKIXTA, UsagePKIXEE:
		// RFC 7672 §3.1.3: PKIX-TA(0) and PKIX-EE(1) SHOULD NOT be published
		// for SMTP; SMTP clients treat them as unusable.
		return fmt.Sprintf("usage %d (PKIX-%s) is not used for SMTP (RFC 7672 §3.1.3)", t.Usage, map[uint8]string{0: "TA", 1: "EE"}[t.Usage])
	case UsageDANETA, UsageDANEEE:
	default:
		return fmt.Sprintf("unknown certificate usage %d", t.Usage)
	}
	if t.Selector > SelectorSPKI {
		return fmt.Sprintf("unknown selector %d", t.Selector)
	}
	switch t.MatchingType {
	case MatchFull:
		if len(t.Data) == 0 {
			return "empty association data"
		}
		// RFC 7672 §3.1.2 recommends digests; full data is legal.
		if err := checkFull(t); err != nil {
			return err.Error()
		}
	case MatchSHA256:
		if len(t.Data) != 32 {
			return fmt.Sprintf("SHA-256 data is %d bytes, want 32", len(t.Data))
		}
	case MatchSHA512:
		if len(t.Data) != 64 {
			return fmt.Sprintf("SHA-512 data is %d bytes, want 64", len(t.Data))
		}
	default:
		return fmt.Sprintf("unknown matching type %d", t.MatchingType)
	}
	return ""
}

// Format returns the presentation form "usage selector type HEX".
func Format(t resolver.TLSA) string {
	return fmt.Sprintf("%d %d %d %s", t.Usage, t.Selector, t.MatchingType, hex.EncodeToString(t.Data))
}

// aLabel normalises a domain: trimmed, lower case, without the trailing dot,
// Unicode labels converted to A-labels (resolver.ToASCII) when valid.
func aLabel(d string) string {
	d = strings.TrimSpace(d)
	if a, err := resolver.ToASCII(d); err == nil {
		return a
	}
	return strings.ToLower(strings.TrimSuffix(d, "."))
}
