// Package mtasts checks a domain's MTA-STS setup (RFC 8461): the
// "_mta-sts.<domain>" TXT record, the policy served at
// https://mta-sts.<domain>/.well-known/mta-sts.txt (fetched with strict TLS,
// no redirects, size and time limits), its syntax, mode and max_age, and
// whether every MX host matches one of its mx patterns.
package mtasts

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Status is the outcome of an MTA-STS check.
type Status string

const (
	// StatusNone: no MTA-STS TXT record; the domain does not use MTA-STS.
	StatusNone Status = "none"
	// StatusValid: one valid record and a valid policy were found.
	StatusValid Status = "valid"
	// StatusInvalid: the record or the policy is invalid, or there are
	// several records; senders treat the domain as having no policy.
	StatusInvalid Status = "invalid"
	// StatusFetchFailed: the record exists but the policy could not be
	// fetched (TLS, HTTP status, redirect, size, timeout …).
	StatusFetchFailed Status = "fetch_failed"
	// StatusTempError: the TXT lookup failed; not the same as "none".
	StatusTempError Status = "temperror"
)

// Lookup errors; match with errors.Is.
var (
	ErrNoRecord  = errors.New("mtasts: no MTA-STS record")
	ErrMultiple  = errors.New("mtasts: more than one MTA-STS record")
	ErrTemporary = errors.New("mtasts: DNS lookup failed temporarily")
)

// Result is the typed outcome of Check. Status is always set.
type Result struct {
	// Domain is the policy domain; Name is "_mta-sts.<domain>".
	Domain string `json:"domain"`
	Name   string `json:"name"`
	// Status: none, valid, invalid, fetch_failed, temperror.
	Status Status `json:"status"`
	// DNSStatus is the raw status of the TXT query.
	DNSStatus resolver.Status `json:"dns_status"`
	// TXT holds every TXT string at Name.
	TXT []string `json:"txt,omitempty"`
	// Record is the MTA-STS record text; ParsedRecord its parsed form.
	Record       string  `json:"record,omitempty"`
	ParsedRecord *Record `json:"parsed_record,omitempty"`
	// Fetch describes the policy fetch (nil when none was attempted).
	Fetch *FetchInfo `json:"fetch,omitempty"`
	// PolicyText is the policy body as served (at most MaxBody bytes).
	PolicyText string `json:"policy_text,omitempty"`
	// Policy is the parsed policy (nil unless it parsed).
	Policy *Policy `json:"policy,omitempty"`
	// Warnings are deviations that do not invalidate record or policy.
	Warnings []string `json:"warnings,omitempty"`
	// warningTexts are the Warnings in both languages (for the findings).
	warningTexts []i18n.Text
	// MXChecked is set once MX hosts were compared with the policy;
	// MXMatched and MXMismatched list them.
	MXChecked    bool     `json:"mx_checked"`
	MXMatched    []string `json:"mx_matched,omitempty"`
	MXMismatched []string `json:"mx_mismatched,omitempty"`
	// Error explains a status other than valid.
	Error string `json:"error,omitempty"`
	Err   error  `json:"-"`
}

// Check looks up the MTA-STS record of domain, fetches and parses the
// policy with f (nil: a default Fetcher using r), and, when mxHosts is not
// nil, compares the MX hosts with the policy (see CheckMX). The MX lookup
// can run concurrently with Check: pass nil and call CheckMX afterwards.
func Check(ctx context.Context, r resolver.Lookuper, f *Fetcher, domain string, mxHosts []string) Result {
	domain = aLabel(domain)
	res := Result{Domain: domain, Name: "_mta-sts." + domain}
	fail := func(s Status, err error) Result {
		res.Status, res.Err, res.Error = s, err, err.Error()
		return res
	}
	if f == nil {
		f = &Fetcher{Resolver: r}
	} else if f.Resolver == nil && f.Dial == nil && f.Client == nil {
		c := *f
		c.Resolver = r
		f = &c
	}

	// RFC 8461 §3.1: the TXT record (CNAMEs are followed by the resolver).
	ans := r.Lookup(ctx, res.Name, resolver.TypeTXT)
	res.DNSStatus, res.TXT = ans.Status, ans.TXT
	switch {
	case ans.Status.Temporary():
		return fail(StatusTempError, fmt.Errorf("%w: TXT %s: %s", ErrTemporary, res.Name, ans.Status))
	case ans.Status != resolver.StatusOK:
		return fail(StatusNone, fmt.Errorf("%w at %s (%s)", ErrNoRecord, res.Name, ans.Status))
	}
	var cands []string
	for _, t := range ans.TXT {
		if IsCandidate(t) {
			cands = append(cands, t)
		}
	}
	var recErr error
	switch len(cands) {
	case 0:
		return fail(StatusNone, fmt.Errorf("%w at %s (no TXT record starts with \"v=%s\")", ErrNoRecord, res.Name, Version))
	case 1:
		res.Record = cands[0]
		rec, warns, err := ParseRecord(res.Record)
		res.ParsedRecord, recErr = rec, err
		res.addWarnings(warns)
	default:
		// RFC 8461 §3.1: if the number of records is not one, senders MUST
		// assume the domain has no MTA-STS policy.
		res.Record = cands[0]
		recErr = fmt.Errorf("%w at %s: %d records; senders ignore all of them", ErrMultiple, res.Name, len(cands))
	}

	// The policy is fetched also when the record is broken, so the report
	// shows every problem at once; the status stays "invalid".
	body, info, ferr := f.Fetch(ctx, domain)
	res.Fetch, res.PolicyText = &info, body
	switch {
	case recErr != nil:
		if ferr == nil {
			res.Policy, _, _ = ParsePolicy(body)
		}
		return fail(StatusInvalid, recErr)
	case ferr != nil:
		return fail(StatusFetchFailed, ferr)
	}
	p, warns, perr := ParsePolicy(body)
	res.addWarnings(warns)
	if perr != nil {
		return fail(StatusInvalid, perr)
	}
	res.Policy, res.Status = p, StatusValid
	if mxHosts != nil {
		res.CheckMX(mxHosts)
	}
	return res
}

// CheckMX compares MX host names with the policy's mx patterns (RFC 8461
// §4.1). With mode enforce, compliant senders do not deliver to a host that
// does not match. It does nothing without a valid policy.
func (r *Result) CheckMX(hosts []string) {
	if r.Policy == nil || r.Status != StatusValid {
		return
	}
	r.MXChecked = true
	r.MXMatched, r.MXMismatched = nil, nil
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSuffix(h, "."))
		if MatchMX(r.Policy, h) {
			r.MXMatched = append(r.MXMatched, h)
		} else {
			r.MXMismatched = append(r.MXMismatched, h)
		}
	}
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

func (r *Result) addWarnings(ws []i18n.Text) {
	for _, w := range ws {
		r.Warnings = append(r.Warnings, w.EN)
		r.warningTexts = append(r.warningTexts, w)
	}
}
