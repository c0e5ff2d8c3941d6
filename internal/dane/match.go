package dane

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Data computes the association data of cert for a selector and matching
// type (RFC 6698 §2.1.2, §2.1.3): what a TLSA record for this certificate
// must contain.
func Data(cert *x509.Certificate, selector, matchingType uint8) ([]byte, error) {
	var content []byte
	switch selector {
	case SelectorCert:
		content = cert.Raw
	case SelectorSPKI:
		content = cert.RawSubjectPublicKeyInfo
	default:
		return nil, fmt.Errorf("%w: unknown selector %d", ErrSyntax, selector)
	}
	switch matchingType {
	case MatchFull:
		return bytes.Clone(content), nil
	case MatchSHA256:
		s := sha256.Sum256(content)
		return s[:], nil
	case MatchSHA512:
		s := sha512.Sum512(content)
		return s[:], nil
	}
	return nil, fmt.Errorf("%w: unknown matching type %d", ErrSyntax, matchingType)
}

// checkFull validates full (matching type 0) association data: it must be
// a certificate (selector 0) or a public key (selector 1).
func checkFull(t resolver.TLSA) error {
	if t.Selector == SelectorCert {
		if _, err := x509.ParseCertificate(t.Data); err != nil {
			return errors.New("full certificate data does not parse as a certificate")
		}
		return nil
	}
	if _, err := x509.ParsePKIXPublicKey(t.Data); err != nil {
		return errors.New("full SPKI data does not parse as a public key")
	}
	return nil
}

// MatchDetail explains the outcome of matching a chain against TLSA records.
type MatchDetail struct {
	// Matched is set when a usable record authenticates the chain.
	Matched bool `json:"matched"`
	// Record is the matching record (presentation form).
	Record string `json:"record,omitempty"`
	// Usage is the matching record's usage (2 DANE-TA, 3 DANE-EE).
	Usage uint8 `json:"usage,omitempty"`
	// Depth is the index in the chain of the matching certificate (0 = leaf).
	Depth int `json:"depth"`
	// Reason explains a mismatch, or notes about the match.
	Reason string `json:"reason,omitempty"`
	// LeafSPKISHA256 is the SHA-256 of the leaf's public key: the data of a
	// "3 1 1" record that would match this server.
	LeafSPKISHA256 string `json:"leaf_spki_sha256,omitempty"`
}

// MatchOptions tune MatchWith.
type MatchOptions struct {
	// Names are the reference identifiers for DANE-TA(2) matches (RFC 7672
	// §3.2.2: the MX host name, the TLSA base domain); empty: no name check.
	Names []string
	// Now is the time for DANE-TA(2) validity checks; zero means time.Now().
	Now time.Time
}

// MatchWith is Match with reference names and a clock.
//
//   - DANE-EE(3) (RFC 7672 §3.1.1): the leaf's certificate or key matches;
//     names and validity dates are ignored.
//   - DANE-TA(2) (RFC 7672 §3.1.2): a certificate of the chain matches and
//     the leaf chains up to it (the server must send the trust anchor, also
//     a self-signed root); dates and, when opts.Names is set, the name are
//     checked as in PKIX.
func MatchWith(records []resolver.TLSA, chain []*x509.Certificate, opts MatchOptions) (bool, MatchDetail) {
	var d MatchDetail
	if len(chain) == 0 || chain[0] == nil {
		d.Reason = "no certificate from the server"
		return false, d
	}
	if s, err := Data(chain[0], SelectorSPKI, MatchSHA256); err == nil {
		d.LeafSPKISHA256 = hex.EncodeToString(s)
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	var reasons []string
	usable := 0
	for _, t := range records {
		if problem(t) != "" {
			continue
		}
		usable++
		switch t.Usage {
		case UsageDANEEE:
			if matches(t, chain[0]) {
				d.Matched, d.Record, d.Usage, d.Depth = true, Format(t), t.Usage, 0
				return true, d
			}
		case UsageDANETA:
			for i, c := range chain {
				if c == nil || !matches(t, c) {
					continue
				}
				if err := verifyTo(chain, i, opts.Names, now); err != nil {
					reasons = append(reasons, fmt.Sprintf("%s matches certificate %d (%s) but the chain does not validate: %v", Format(t), i, c.Subject.CommonName, err))
					continue
				}
				d.Matched, d.Record, d.Usage, d.Depth = true, Format(t), t.Usage, i
				return true, d
			}
		}
	}
	switch {
	case usable == 0:
		d.Reason = "no usable TLSA record (RFC 7672 §3.1)"
	case len(reasons) > 0:
		d.Reason = strings.Join(reasons, "; ")
	default:
		d.Reason = fmt.Sprintf("none of the %d usable TLSA records matches the certificate chain (leaf SPKI SHA-256 %s)", usable, d.LeafSPKISHA256)
	}
	return false, d
}

func matches(t resolver.TLSA, c *x509.Certificate) bool {
	got, err := Data(c, t.Selector, t.MatchingType)
	return err == nil && bytes.Equal(got, t.Data)
}

// verifyTo validates chain[0] up to chain[ta] used as the only root.
func verifyTo(chain []*x509.Certificate, ta int, names []string, now time.Time) error {
	roots := x509.NewCertPool()
	roots.AddCert(chain[ta])
	inter := x509.NewCertPool()
	for i := 1; i < ta; i++ {
		if chain[i] != nil {
			inter.AddCert(chain[i])
		}
	}
	if _, err := chain[0].Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	}); err != nil {
		return err
	}
	if len(names) == 0 {
		return nil
	}
	// RFC 7672 §3.2.2: with DANE-TA the certificate must name one of the
	// reference identifiers.
	var errs []string
	for _, n := range names {
		if err := chain[0].VerifyHostname(strings.TrimSuffix(n, ".")); err == nil {
			return nil
		}
		errs = append(errs, n)
	}
	return fmt.Errorf("certificate is not valid for %s", strings.Join(errs, " or "))
}

// Verify matches a server's chain against the usable records and stores the
// outcome in r.Verification. names are the reference identifiers for
// DANE-TA; nil means the MX host name (r.Host).
func (r *Result) Verify(chain []*x509.Certificate, names ...string) MatchDetail {
	if names == nil {
		names = []string{r.Host}
	}
	_, d := MatchWith(r.Usable(), chain, MatchOptions{Names: names})
	r.Verification = &d
	return d
}
