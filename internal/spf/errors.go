package spf

import (
	"errors"
	"fmt"

	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Sentinel errors; match them with errors.Is. The Result's status word is
// always set as well: a diagnostic must never lose the finding because an
// error explains it.
var (
	// ErrSyntax: the record is not valid SPF (permerror). The concrete error
	// is a *SyntaxError with the offending term.
	ErrSyntax = errors.New("spf: syntax error")
	// ErrMacro: a macro could not be expanded (permerror).
	ErrMacro = errors.New("spf: macro expansion failed")
	// ErrNoRecord: the domain publishes no SPF record (none).
	ErrNoRecord = errors.New("spf: no spf record")
	// ErrMultipleRecords: more than one SPF record (permerror, RFC 7208 §4.5).
	ErrMultipleRecords = errors.New("spf: multiple spf records")
	// ErrInvalidDomain: the domain is not a valid, multi-label name (none,
	// RFC 7208 §4.3).
	ErrInvalidDomain = errors.New("spf: invalid domain")
	// ErrInvalidInput: the query itself is unusable (no valid client IP).
	ErrInvalidInput = errors.New("spf: invalid query")
	// ErrTooManyLookups: more than 10 DNS-querying terms (permerror, RFC 7208 §4.6.4).
	ErrTooManyLookups = errors.New("spf: too many dns-querying terms")
	// ErrTooManyVoidLookups: more than 2 lookups without an answer
	// (permerror, RFC 7208 §4.6.4).
	ErrTooManyVoidLookups = errors.New("spf: too many void lookups")
	// ErrTooManyMX: an mx mechanism found more than 10 MX records
	// (permerror, RFC 7208 §4.6.4).
	ErrTooManyMX = errors.New("spf: too many mx records")
	// ErrLoop: an include or redirect leads back to a domain already being
	// evaluated (permerror; without the check the lookup limit would stop it).
	ErrLoop = errors.New("spf: include or redirect loop")
	// ErrIncludeNone: an include target has no SPF record (permerror, RFC 7208 §5.2).
	ErrIncludeNone = errors.New("spf: include target has no spf record")
	// ErrRedirectNone: a redirect target has no SPF record (permerror, RFC 7208 §6.1).
	ErrRedirectNone = errors.New("spf: redirect target has no spf record")
	// ErrDNS: a DNS lookup failed (temperror); the concrete error is a *DNSError.
	ErrDNS = errors.New("spf: dns lookup failed")
)

// DNSError is a failed lookup (SERVFAIL, REFUSED, timeout, …): temperror.
type DNSError struct {
	Name   string
	Type   resolver.Type
	Status resolver.Status
	Err    error
}

func (e *DNSError) Error() string {
	s := fmt.Sprintf("spf: dns lookup %s %s: %s", e.Type, e.Name, e.Status)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *DNSError) Is(target error) bool { return target == ErrDNS }

func (e *DNSError) Unwrap() error { return e.Err }
