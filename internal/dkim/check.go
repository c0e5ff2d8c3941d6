package dkim

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/mxprobe/mxprobe/internal/resolver"
)

// CommonSelectors are tried when the caller names no selector. DKIM has no
// discovery mechanism (RFC 6376 §3.1: the selector is only in the
// signature), so this is a guess at well-known ones:
//   - selector1, selector2: Microsoft 365 / Exchange Online (CNAMEs to the
//     tenant's onmicrosoft.com keys, Microsoft Learn "Use DKIM to validate
//     outbound email sent from your custom domain")
//   - google: Google Workspace default selector (Google Admin Help 180504)
//   - k1, k2, k3: Mailchimp / Mandrill
//   - s1, s2: SendGrid (Twilio SendGrid domain authentication)
//   - fm1, fm2, fm3: Fastmail
//   - protonmail, protonmail2, protonmail3: Proton Mail
//   - sig1: iCloud custom domains
//   - default, dkim, mail, key1, key2, smtp, mx, email: common defaults of
//     cPanel, Plesk, OpenDKIM/rspamd setups and hosting panels
var CommonSelectors = []string{
	"selector1", "selector2", "google", "default", "dkim", "mail",
	"k1", "k2", "k3", "s1", "s2", "key1", "key2", "fm1", "fm2", "fm3",
	"protonmail", "protonmail2", "protonmail3", "sig1", "smtp", "mx", "email",
}

// maxParallel bounds concurrent selector lookups; it is above
// len(CommonSelectors) so the guess costs one round trip.
const maxParallel = 32

// SelectorStatus is the outcome of looking up one selector.
type SelectorStatus string

const (
	StatusFound     SelectorStatus = "found"     // a DKIM key record is published (it may still be broken)
	StatusNXDomain  SelectorStatus = "nxdomain"  // <sel>._domainkey.<domain> does not exist
	StatusNoData    SelectorStatus = "nodata"    // the name exists without TXT records
	StatusNotDKIM   SelectorStatus = "not_dkim"  // TXT records exist, none looks like a DKIM key
	StatusTempError SelectorStatus = "temperror" // DNS failed (timeout, SERVFAIL, …): unknown, never "missing"
	StatusInvalid   SelectorStatus = "invalid"   // the selector is not a valid DNS name
)

// SelectorResult is what one selector lookup found.
//
// JSON fields: selector, name (the queried name), status (see
// SelectorStatus), dns_status (the resolver's word: noerror, nxdomain,
// nodata, servfail, refused, timeout, error), authentic (DNSSEC AD bit),
// cnames (CNAME chain followed), records (all TXT records at the name),
// record (the key record evaluated), key (the parsed key), usable (a
// verifier can use the key for email: parsed, not revoked, at least 1024
// bits, sha256 allowed, a single TXT record), multiple (more than one TXT record: RFC 6376 §3.6.2.2 says the
// result is undefined), error (parse or DNS error, English).
type SelectorResult struct {
	Selector  string          `json:"selector"`
	Name      string          `json:"name"`
	Status    SelectorStatus  `json:"status"`
	DNSStatus resolver.Status `json:"dns_status,omitempty"`
	Authentic bool            `json:"authentic"`
	CNAMEs    []string        `json:"cnames,omitempty"`
	Records   []string        `json:"records,omitempty"`
	Record    string          `json:"record,omitempty"`
	Key       *Key            `json:"key,omitempty"`
	Usable    bool            `json:"usable"`
	Multiple  bool            `json:"multiple,omitempty"`
	Error     string          `json:"error,omitempty"`

	// Err is the parse error (*RecordError) or the DNS error.
	Err error `json:"-"`
}

// Overall outcomes of CheckSelectors.
const (
	ResultOK      = "ok"      // at least one usable key
	ResultInvalid = "invalid" // keys are published, none is usable
	ResultMissing = "missing" // no key at any named selector, all answers authoritative
	// ResultUnknown: no --dkim-selector was given and none of the guessed
	// CommonSelectors has a key — the domain may well sign with another
	// selector, so this is no evidence of a missing key.
	ResultUnknown   = "unknown"
	ResultTempError = "temperror" // no key found and some lookups failed: we cannot tell
	ResultError     = "error"     // bad input (domain)
)

// Result is the DKIM key check of one domain.
//
// JSON fields: domain (A-label form), status (ok, invalid, missing,
// unknown, temperror, error), guessed (the selectors came from CommonSelectors),
// tried (selectors looked up, in order), found (selectors with a key
// record), selectors (one SelectorResult per tried selector), incomplete
// (a DNS failure leaves the verdict open: exit code 3), error.
type Result struct {
	Domain     string           `json:"domain"`
	Status     string           `json:"status"`
	Guessed    bool             `json:"guessed"`
	Tried      []string         `json:"tried"`
	Found      []string         `json:"found"`
	Selectors  []SelectorResult `json:"selectors"`
	Incomplete bool             `json:"incomplete"`
	Error      string           `json:"error,omitempty"`
}

// CheckSelectors looks up the DKIM key records of domain for the given
// selectors, concurrently, or for CommonSelectors when none are given. Every
// lookup gets its deadline from ctx (through the resolver). A DNS failure is
// reported as temperror for that selector and never counted as "missing".
func CheckSelectors(ctx context.Context, r resolver.Lookuper, domain string, selectors []string) Result {
	res := Result{Domain: domain, Tried: []string{}, Found: []string{}, Selectors: []SelectorResult{}}
	d, err := resolver.ToASCII(domain)
	if err != nil {
		res.Status, res.Error = ResultError, err.Error()
		return res
	}
	res.Domain = d
	if len(selectors) == 0 {
		selectors, res.Guessed = CommonSelectors, true
	}
	seen := map[string]bool{}
	for _, s := range selectors {
		s = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), "."))
		if !seen[s] {
			seen[s] = true
			res.Tried = append(res.Tried, s)
		}
	}
	res.Selectors = make([]SelectorResult, len(res.Tried))
	sem := make(chan struct{}, maxParallel)
	var wg sync.WaitGroup
	for i, sel := range res.Tried {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
				res.Selectors[i] = checkSelector(ctx, r, d, sel)
			case <-ctx.Done():
				res.Selectors[i] = SelectorResult{Selector: sel, Name: sel + "._domainkey." + d, Status: StatusTempError,
					Error: ctx.Err().Error(), Err: ctx.Err()}
			}
		}()
	}
	wg.Wait()

	var found, usable, temp bool
	for _, sr := range res.Selectors {
		switch sr.Status {
		case StatusFound:
			found = true
			res.Found = append(res.Found, sr.Selector)
			usable = usable || sr.Usable
		case StatusTempError:
			temp = true
		}
	}
	switch {
	case usable:
		res.Status = ResultOK
	case found:
		res.Status = ResultInvalid
	case temp:
		res.Status = ResultTempError
	case res.Guessed:
		res.Status = ResultUnknown
	default:
		res.Status = ResultMissing
	}
	// With named selectors every answer matters; with guessed ones a failure
	// only matters when nothing was found.
	res.Incomplete = temp && (!res.Guessed || !found)
	return res
}

// validSelector: RFC 6376 §3.1 selector = sub-domain *( "." sub-domain ),
// sub-domain per RFC 5321 (letters, digits, hyphens; no leading or trailing
// hyphen). Underscores are tolerated as DNS allows them.
func validSelector(s string) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

func checkSelector(ctx context.Context, r resolver.Lookuper, domain, sel string) SelectorResult {
	// RFC 6376 §3.6.2.1: the key lives at <selector>._domainkey.<domain>.
	sr := SelectorResult{Selector: sel, Name: sel + "._domainkey." + domain}
	if !validSelector(sel) {
		sr.Status = StatusInvalid
		sr.Err = errors.New("dkim: invalid selector " + shorten(sel))
		sr.Error = sr.Err.Error()
		return sr
	}
	ans := r.Lookup(ctx, sr.Name, resolver.TypeTXT)
	sr.DNSStatus, sr.Authentic, sr.CNAMEs = ans.Status, ans.Authentic, ans.CNAMEs
	switch {
	case ans.Status == resolver.StatusOK:
	case ans.Status == resolver.StatusNXDomain:
		sr.Status = StatusNXDomain
		return sr
	case ans.Status == resolver.StatusNoData:
		sr.Status = StatusNoData
		return sr
	default: // servfail, refused, timeout, error: we do not know
		sr.Status = StatusTempError
		sr.Err = ans.Err
		if sr.Err == nil {
			sr.Err = errors.New("dkim: DNS " + string(ans.Status))
		}
		sr.Error = sr.Err.Error()
		return sr
	}
	sr.Records = ans.TXT
	var keys []string
	for _, t := range ans.TXT {
		if LooksLikeKey(t) {
			keys = append(keys, t)
		}
	}
	if len(keys) == 0 {
		sr.Status = StatusNotDKIM
		return sr
	}
	sr.Status = StatusFound
	sr.Record = keys[0]
	// RFC 6376 §3.6.2.2: "TXT RRs MUST be unique for a particular selector
	// name; … if there are multiple records in an RRset, the results are
	// undefined." go-msgauth and others then fail the signature.
	sr.Multiple = len(ans.TXT) > 1
	k, err := ParseKey(sr.Record)
	if err != nil {
		sr.Err, sr.Error = err, err.Error()
		return sr
	}
	sr.Key = k
	// RFC 8301 §3.2: verifiers MUST NOT consider signatures with RSA keys
	// below 1024 bits valid.
	// RFC 8301 §3.1: sha1 MUST NOT be used, so h= must allow sha256.
	sr.Usable = !k.Revoked && k.ForEmail() && !sr.Multiple && (k.KeyType != "rsa" || k.Bits >= 1024) &&
		(len(k.Hashes) == 0 || contains(k.Hashes, "sha256"))
	return sr
}
