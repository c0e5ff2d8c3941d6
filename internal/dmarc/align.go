package dmarc

import (
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/mxprobe/mxprobe/internal/resolver"
)

// normDomain lower-cases, converts U-labels to A-labels where possible and
// strips leading and trailing dots (OpenDMARC's alignment test treats
// ".mac.com." as "mac.com").
func normDomain(s string) string {
	s = strings.Trim(strings.TrimSpace(s), ".")
	if s == "" {
		return ""
	}
	if a, err := resolver.ToASCII(s); err == nil {
		return a
	}
	return strings.ToLower(s)
}

// OrgDomain returns the Organizational Domain of d (RFC 7489 §3.2): the
// public suffix (from the Public Suffix List compiled into
// golang.org/x/net/publicsuffix) plus one label. A name that is itself a
// public suffix, or is malformed, is returned normalised as it is.
//
// RFC 9989 replaces the list with a DNS tree walk; mxprobe keeps the list,
// which gives the same answer for ordinary registered domains.
func OrgDomain(d string) string {
	d = normDomain(d)
	if d == "" || strings.Contains(d, "..") {
		return d
	}
	e, err := publicsuffix.EffectiveTLDPlusOne(d)
	if err != nil {
		return d
	}
	return e
}

// Aligned reports whether an authenticated identifier (the SPF MAIL FROM
// domain or a DKIM d= domain) is aligned with the RFC 5322.From domain
// (RFC 7489 §3.1.1/§3.1.2): in strict mode both must be the same name, in
// relaxed mode they must share the Organizational Domain.
func Aligned(fromDomain, authDomain string, strict bool) bool {
	f, a := normDomain(fromDomain), normDomain(authDomain)
	if f == "" || a == "" {
		return false
	}
	if f == a {
		return true
	}
	if strict {
		return false
	}
	of := OrgDomain(f)
	return of != "" && of == OrgDomain(a)
}

// AuthResult is one authentication result whose identifier DMARC aligns:
// for SPF the MAIL FROM (or HELO) domain and the SPF result, for DKIM the
// signature's d= domain and the verification result. Result may be empty
// when only the domain is known.
type AuthResult struct {
	Domain string `json:"domain"`
	Result string `json:"result,omitempty"`
}

// AlignmentInput is what is known about one message.
type AlignmentInput struct {
	FromDomain string
	SPF        *AuthResult  // nil when unknown
	DKIM       []AuthResult // one per signature
}

// IdentifierAlignment is the alignment of one identifier.
//
// JSON fields: method ("spf" or "dkim"), domain, result (the
// authentication result, if known), mode ("relaxed" or "strict", from
// aspf/adkim), aligned, pass (authenticated with "pass" and aligned).
type IdentifierAlignment struct {
	Method  string `json:"method"`
	Domain  string `json:"domain"`
	Result  string `json:"result,omitempty"`
	Mode    string `json:"mode"`
	Aligned bool   `json:"aligned"`
	Pass    bool   `json:"pass"`
}

// Alignment results.
const (
	AlignPass    = "pass"    // an identifier passed and is aligned: DMARC passes
	AlignFail    = "fail"    // no identifier both passed and is aligned
	AlignUnknown = "unknown" // an aligned identifier's result is not known
)

// Alignment is the DMARC alignment report for one message.
//
// JSON fields: from_domain, spf, dkim, result (pass, fail, unknown).
type Alignment struct {
	FromDomain string                `json:"from_domain"`
	SPF        *IdentifierAlignment  `json:"spf,omitempty"`
	DKIM       []IdentifierAlignment `json:"dkim,omitempty"`
	Result     string                `json:"result"`
}

// Align checks the identifiers of in against the From domain with the
// alignment modes of rec (relaxed when rec is nil). RFC 7489 §4.2: DMARC
// passes when at least one mechanism yields "pass" for an aligned identifier.
func Align(rec *Record, in AlignmentInput) Alignment {
	adkim, aspf := "r", "r"
	if rec != nil {
		adkim, aspf = rec.ADKIM, rec.ASPF
	}
	mode := map[string]string{"r": "relaxed", "s": "strict"}
	a := Alignment{FromDomain: normDomain(in.FromDomain), Result: AlignFail}
	unknown := false
	judge := func(method string, ar AuthResult, m string) IdentifierAlignment {
		ia := IdentifierAlignment{Method: method, Domain: normDomain(ar.Domain), Result: strings.ToLower(ar.Result), Mode: mode[m]}
		ia.Aligned = Aligned(in.FromDomain, ar.Domain, m == "s")
		ia.Pass = ia.Aligned && ia.Result == "pass"
		switch {
		case ia.Pass:
			a.Result = AlignPass
		case ia.Aligned && ia.Result == "":
			unknown = true
		}
		return ia
	}
	if in.SPF != nil {
		ia := judge("spf", *in.SPF, aspf)
		a.SPF = &ia
	}
	for _, d := range in.DKIM {
		a.DKIM = append(a.DKIM, judge("dkim", d, adkim))
	}
	if a.Result != AlignPass && unknown {
		a.Result = AlignUnknown
	}
	return a
}
