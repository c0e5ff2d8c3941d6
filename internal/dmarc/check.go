package dmarc

import (
	"context"
	"sync"

	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Outcomes of Check.
const (
	StatusOK        = "ok"        // a usable record applies (it may still have errors)
	StatusInvalid   = "invalid"   // a record is published but unusable
	StatusMultiple  = "multiple"  // several DMARC records: receivers apply none (RFC 7489 §6.6.3)
	StatusMissing   = "missing"   // no record at the domain nor at its organizational domain
	StatusTempError = "temperror" // DNS failed: whether a record exists is unknown
	StatusError     = "error"     // invalid input domain
)

// Report authorisation states (RFC 7489 §7.1).
const (
	AuthInternal     = "internal"     // same organizational domain: no authorisation needed
	AuthAuthorized   = "authorized"   // the destination publishes v=DMARC1 at <policy domain>._report._dmarc.<dest>
	AuthUnauthorized = "unauthorized" // it does not: receivers will not send these reports
	AuthTempError    = "temperror"    // the lookup failed
	AuthSkipped      = "skipped"      // not checked (more than maxAuthChecks destinations)
)

// maxAuthChecks bounds the external-destination lookups per record.
const maxAuthChecks = 32

// Lookup is one DNS query the check made.
//
// JSON fields: name, status (resolver word: noerror, nxdomain, nodata,
// servfail, refused, timeout, error), error.
type Lookup struct {
	Name   string          `json:"name"`
	Status resolver.Status `json:"status"`
	Error  string          `json:"error,omitempty"`
}

// ReportAuth is the external reporting authorisation of one rua/ruf URI.
//
// JSON fields: tag ("rua" or "ruf"), uri, domain (the destination host),
// external (its organizational domain differs from the policy domain's),
// name (the queried <policy domain>._report._dmarc.<domain>), status
// (internal, authorized, unauthorized, temperror, skipped), dns_status,
// records (TXT found at name).
type ReportAuth struct {
	Tag       string          `json:"tag"`
	URI       string          `json:"uri"`
	Domain    string          `json:"domain"`
	External  bool            `json:"external"`
	Name      string          `json:"name,omitempty"`
	Status    string          `json:"status"`
	DNSStatus resolver.Status `json:"dns_status,omitempty"`
	Records   []string        `json:"records,omitempty"`
}

// Result is the DMARC check of one domain.
//
// JSON fields: domain (A-label), org_domain, status (ok, invalid,
// multiple, missing, temperror, error), policy_domain (where the record
// was found), at_org_domain (found at the organizational domain, not at
// the domain itself), records (the DMARC TXT records at the policy name),
// other_txt (non-DMARC TXT records there), record (parsed), errors (parse
// problems, English), effective_policy (the policy receivers apply to mail
// from domain: p, or sp when inherited from the organizational domain),
// reporting (authorisation of each rua/ruf destination), lookups (every DNS
// query), incomplete (a DNS failure left the verdict open), error.
type Result struct {
	Domain          string       `json:"domain"`
	OrgDomain       string       `json:"org_domain"`
	Status          string       `json:"status"`
	PolicyDomain    string       `json:"policy_domain,omitempty"`
	AtOrgDomain     bool         `json:"at_org_domain"`
	Records         []string     `json:"records,omitempty"`
	OtherTXT        []string     `json:"other_txt,omitempty"`
	Record          *Record      `json:"record,omitempty"`
	Errors          []string     `json:"errors,omitempty"`
	EffectivePolicy string       `json:"effective_policy,omitempty"`
	Reporting       []ReportAuth `json:"reporting,omitempty"`
	Lookups         []Lookup     `json:"lookups"`
	Incomplete      bool         `json:"incomplete"`
	Error           string       `json:"error,omitempty"`

	// ParseErr is the error returned by Parse (see TagErrors).
	ParseErr error `json:"-"`
}

// Check discovers and validates the DMARC record for domain (RFC 7489
// §6.6.3): the TXT record at _dmarc.<domain>, else at _dmarc.<organizational
// domain>. It then checks that every foreign report destination has
// authorised the reports (RFC 7489 §7.1). DNS failures give temperror,
// never "missing". Every lookup gets its deadline from ctx.
func Check(ctx context.Context, r resolver.Lookuper, domain string) Result {
	res := Result{Domain: domain, Lookups: []Lookup{}}
	d, err := resolver.ToASCII(domain)
	if err != nil {
		res.Status, res.Error = StatusError, err.Error()
		return res
	}
	res.Domain, res.OrgDomain = d, OrgDomain(d)

	found := res.discover(ctx, r, d)
	if !found && res.Status == "" && res.OrgDomain != d {
		// RFC 7489 §6.6.3 step 3: when no DMARC record is left at the
		// domain, query the organizational domain. Only an authoritative
		// "nothing there" leads here; a transient DNS error does not.
		res.AtOrgDomain = true
		found = res.discover(ctx, r, res.OrgDomain)
		if !found && res.Status == "" {
			res.AtOrgDomain = false
		}
	}
	if res.Status == "" {
		res.Status = StatusMissing
	}
	if res.Record != nil {
		res.EffectivePolicy = res.Record.Policy
		if res.AtOrgDomain {
			// RFC 7489 §6.3 sp: the policy for subdomains of the
			// organizational domain, p when absent.
			res.EffectivePolicy = res.Record.SubdomainPolicyOrDefault()
		}
		res.Reporting = checkReporting(ctx, r, res.PolicyDomain, res.Record)
	}
	return res
}

// discover queries _dmarc.<name>. It returns true when a DMARC record set
// (one or more) was found there, and sets Status for temperror, multiple,
// invalid or ok.
func (res *Result) discover(ctx context.Context, r resolver.Lookuper, name string) bool {
	q := "_dmarc." + name
	ans := r.Lookup(ctx, q, resolver.TypeTXT)
	l := Lookup{Name: q, Status: ans.Status}
	if ans.Err != nil {
		l.Error = ans.Err.Error()
	}
	res.Lookups = append(res.Lookups, l)
	switch {
	case ans.Status == resolver.StatusOK:
	case ans.Status == resolver.StatusNXDomain || ans.Status == resolver.StatusNoData:
		return false
	default:
		// A transient error ends discovery: falling back to the
		// organizational domain could apply the wrong policy.
		res.Status, res.Incomplete, res.PolicyDomain = StatusTempError, true, name
		return false
	}
	// RFC 7489 §6.6.3 steps 2/4: records that do not start with v=DMARC1
	// are discarded.
	var recs, other []string
	for _, t := range ans.TXT {
		if Looks(t) {
			recs = append(recs, t)
		} else {
			other = append(other, t)
		}
	}
	if len(recs) == 0 {
		if len(other) > 0 && res.OtherTXT == nil {
			res.OtherTXT = other
		}
		return false
	}
	res.PolicyDomain, res.Records, res.OtherTXT = name, recs, other
	if len(recs) > 1 {
		// RFC 7489 §6.6.3 step 5: with several records policy discovery
		// ends and DMARC is not applied. (A single but invalid record does
		// not lead to the organizational domain either: step 6.)
		res.Status = StatusMultiple
		return true
	}
	rec, err := Parse(recs[0])
	res.Record, res.ParseErr = rec, err
	for _, te := range TagErrors(err) {
		res.Errors = append(res.Errors, te.Error())
	}
	if rec == nil {
		res.Status = StatusInvalid
	} else {
		res.Status = StatusOK
	}
	return true
}

// checkReporting verifies external destinations (RFC 7489 §7.1): when the
// organizational domain of a URI's host differs from that of the domain the
// policy was found at, the destination must publish a TXT record starting
// with v=DMARC1 at <policy domain>._report._dmarc.<destination host>.
func checkReporting(ctx context.Context, r resolver.Lookuper, policyDomain string, rec *Record) []ReportAuth {
	var out []ReportAuth
	for _, x := range []struct {
		tag  string
		uris []URI
	}{{"rua", rec.RUA}, {"ruf", rec.RUF}} {
		for _, u := range x.uris {
			if u.Domain == "" {
				continue
			}
			ra := ReportAuth{Tag: x.tag, URI: u.URI, Domain: u.Domain, Status: AuthInternal}
			if OrgDomain(u.Domain) != OrgDomain(policyDomain) {
				ra.External, ra.Status = true, ""
				ra.Name = policyDomain + "._report._dmarc." + u.Domain
			}
			out = append(out, ra)
		}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	checked := 0
	for i := range out {
		if !out[i].External {
			continue
		}
		if checked++; checked > maxAuthChecks {
			out[i].Status = AuthSkipped
			continue
		}
		wg.Add(1)
		go func(ra *ReportAuth) {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				ra.Status, ra.DNSStatus = AuthTempError, resolver.StatusError
				return
			}
			ans := r.Lookup(ctx, ra.Name, resolver.TypeTXT)
			ra.DNSStatus, ra.Records = ans.Status, ans.TXT
			switch {
			case ans.Status == resolver.StatusOK:
				// §7.1 step 5: no or several TXT records: "a positive
				// determination … cannot be made"; step 6: the one record
				// must carry v=DMARC1.
				ra.Status = AuthUnauthorized
				if len(ans.TXT) == 1 && Looks(ans.TXT[0]) {
					ra.Status = AuthAuthorized
				}
			case ans.Status.Temporary():
				ra.Status = AuthTempError
			default:
				ra.Status = AuthUnauthorized
			}
		}(&out[i])
	}
	wg.Wait()
	return out
}
