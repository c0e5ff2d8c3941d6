package smtpconn

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/mxprobe/mxprobe/internal/dane"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// TLSInfo describes the TLS session (after STARTTLS, or implicit TLS) and
// the quality of the server's certificate. It is the one TLS record of
// mxprobe: check's JSON "tls" and the ledger's "sent.tls".
type TLSInfo struct {
	Version     string  `json:"version,omitempty"` // "TLS 1.3"
	Cipher      string  `json:"cipher,omitempty"`
	ServerName  string  `json:"server_name,omitempty"` // SNI we sent
	HandshakeMS float64 `json:"handshake_ms,omitempty"`
	// Chain is the certificate chain as the server sent it, leaf first.
	Chain []CertInfo `json:"chain,omitempty"`
	// Verified: the chain leads to a trusted root (RootCAs or the system
	// roots) and is valid now; the name is checked separately.
	Verified    bool   `json:"verified"`
	VerifyError string `json:"verify_error,omitempty"`
	// VerifyReason classifies why the certificate is not trusted for the
	// host: self_signed, unknown_authority, expired, not_yet_valid,
	// name_mismatch, no_certificate or other; "" when it is.
	VerifyReason VerifyReason `json:"verify_reason,omitempty"`
	// NameMatch: the leaf is valid for Host (RFC 6125; RFC 7672 §3.2.3 and
	// RFC 8461 §4.2 match MX names this way). False when Host is empty.
	NameMatch bool `json:"name_match"`
	// NotAfter and DaysLeft of the leaf (DaysLeft < 0: expired).
	NotAfter   time.Time `json:"not_after,omitzero"`
	DaysLeft   int       `json:"days_left"`
	Expired    bool      `json:"expired,omitempty"`
	SelfSigned bool      `json:"self_signed,omitempty"`
	// DANE is the TLSA match (RFC 7672), when records were given.
	DANE *DANEInfo `json:"dane,omitempty"`
	// Error is set when STARTTLS was refused or the handshake failed.
	Error string `json:"error,omitempty"`
	// Implicit: TLS from the first byte (RFC 8314 §3.3, port 465).
	Implicit bool `json:"implicit,omitempty"`

	// PeerSubject, PeerIssuer and PeerExpires repeat the leaf's subject,
	// issuer and expiry: ledgers written before Chain existed carry only
	// these, and they are still read.
	PeerSubject string    `json:"peer_subject,omitempty"`
	PeerIssuer  string    `json:"peer_issuer,omitempty"`
	PeerExpires time.Time `json:"peer_expires,omitzero"`
}

// VerifyReason says why a certificate is not trusted for a host.
type VerifyReason string

// Verification reasons (public contract: JSON "verify_reason").
const (
	ReasonSelfSigned       VerifyReason = "self_signed"
	ReasonUnknownAuthority VerifyReason = "unknown_authority"
	ReasonExpired          VerifyReason = "expired"
	ReasonNotYetValid      VerifyReason = "not_yet_valid"
	ReasonNameMismatch     VerifyReason = "name_mismatch"
	ReasonNoCertificate    VerifyReason = "no_certificate"
	ReasonOther            VerifyReason = "other"
)

// InspectOptions say how to judge a peer's certificate.
type InspectOptions struct {
	// Host is the name the leaf must match (RFC 6125); empty: no name check.
	Host string
	// Roots verify the chain; nil means the system roots.
	Roots *x509.CertPool
	// TLSA records for DANE (RFC 7672), from a DNSSEC-authenticated answer
	// only; the match lands in TLSInfo.DANE.
	TLSA []resolver.TLSA
	// Now is the time of the check (zero: time.Now()).
	Now time.Time
}

// OK reports whether TLS is up with a trusted, matching, unexpired
// certificate.
func (t *TLSInfo) OK() bool {
	return t != nil && t.Error == "" && t.Version != "" && t.Verified && t.NameMatch && !t.Expired
}

// Trusted reports whether the certificate is trusted for the host: the
// chain verified and the name matched. Records written before Chain and
// NameMatch existed (ledgers of mxprobe before the unified SMTP layer)
// verified the chain and the name together in Verified, and are judged by
// it alone.
func (t *TLSInfo) Trusted() bool {
	if t == nil || !t.Verified {
		return false
	}
	legacy := len(t.Chain) == 0 && t.PeerSubject != ""
	return t.NameMatch || legacy
}

// CertInfo is one certificate of the chain.
type CertInfo struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	DNSNames  []string  `json:"dns_names,omitempty"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	// SHA256 of the certificate (TLSA 0 0 1 / 3 0 1) and of its
	// SubjectPublicKeyInfo (TLSA 3 1 1), hex.
	SHA256     string `json:"sha256"`
	SPKISHA256 string `json:"spki_sha256"`
}

// DANE match states.
const (
	DANEMatched  = "matched"
	DANEMismatch = "mismatch"
)

// DANEInfo is the outcome of matching the TLSA records given in
// Options.TLSA against the live chain (RFC 7672 §3.1, internal/dane).
type DANEInfo struct {
	Status  string `json:"status"` // matched or mismatch
	Records int    `json:"records"`
	dane.MatchDetail
}

// Inspect judges a finished handshake: version, cipher, chain, trust,
// name, expiry, DANE.
func Inspect(st tls.ConnectionState, o InspectOptions) *TLSInfo {
	host, roots, tlsa, now := o.Host, o.Roots, o.TLSA, o.Now
	if now.IsZero() {
		now = time.Now()
	}
	info := &TLSInfo{
		Version:    tls.VersionName(st.Version),
		Cipher:     tls.CipherSuiteName(st.CipherSuite),
		ServerName: st.ServerName,
	}
	chain := st.PeerCertificates
	if len(chain) == 0 {
		info.VerifyError, info.VerifyReason = "no certificate", ReasonNoCertificate
		return info
	}
	for _, c := range chain {
		info.Chain = append(info.Chain, certInfo(c))
	}
	leaf := chain[0]
	info.PeerSubject, info.PeerIssuer, info.PeerExpires = leaf.Subject.String(), leaf.Issuer.String(), leaf.NotAfter.UTC()
	info.NotAfter = leaf.NotAfter
	info.DaysLeft = int(math.Floor(leaf.NotAfter.Sub(now).Hours() / 24))
	info.Expired = now.After(leaf.NotAfter)
	info.SelfSigned = selfSigned(leaf)

	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now})
	info.Verified = err == nil
	if err != nil {
		info.VerifyError = verifyError(err)
		info.VerifyReason = reasonOf(err)
		if info.SelfSigned && info.VerifyReason == ReasonUnknownAuthority {
			info.VerifyReason = ReasonSelfSigned
		}
	}
	if host != "" {
		info.NameMatch = leaf.VerifyHostname(strings.TrimSuffix(host, ".")) == nil
		if !info.NameMatch && info.VerifyReason == "" {
			info.VerifyReason = ReasonNameMismatch
		}
	}
	if len(tlsa) > 0 {
		// RFC 7672 §3.2.2: DANE-TA(2) certificates must match the MX host
		// name; DANE-EE(3) ignores names and dates.
		var names []string
		if host != "" {
			names = []string{strings.TrimSuffix(host, ".")}
		}
		ok, d := dane.MatchWith(tlsa, chain, dane.MatchOptions{Names: names, Now: now})
		info.DANE = &DANEInfo{Status: DANEMismatch, Records: len(tlsa), MatchDetail: d}
		if ok {
			info.DANE.Status = DANEMatched
		}
	}
	return info
}

func certInfo(c *x509.Certificate) CertInfo {
	h := sha256.Sum256(c.Raw)
	s := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	return CertInfo{
		Subject:    c.Subject.String(),
		Issuer:     c.Issuer.String(),
		DNSNames:   c.DNSNames,
		NotBefore:  c.NotBefore,
		NotAfter:   c.NotAfter,
		SHA256:     hex.EncodeToString(h[:]),
		SPKISHA256: hex.EncodeToString(s[:]),
	}
}

// selfSigned: the certificate names itself as issuer and its own key
// signed it.
func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// reasonOf classifies a verification (or handshake) error.
func reasonOf(err error) VerifyReason {
	var inv x509.CertificateInvalidError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ve *tls.CertificateVerificationError
	if errors.As(err, &ve) && ve.Err != nil {
		err = ve.Err
	}
	switch {
	case errors.As(err, &inv) && inv.Reason == x509.Expired:
		if inv.Cert != nil && time.Now().Before(inv.Cert.NotBefore) {
			return ReasonNotYetValid
		}
		return ReasonExpired
	case errors.As(err, &ua):
		if ve != nil && len(ve.UnverifiedCertificates) > 0 && selfSigned(ve.UnverifiedCertificates[0]) {
			return ReasonSelfSigned
		}
		return ReasonUnknownAuthority
	case errors.As(err, &hn):
		return ReasonNameMismatch
	case errors.As(err, &inv), errors.As(err, new(x509.SystemRootsError)):
		return ReasonOther
	}
	if ve != nil {
		return ReasonOther
	}
	return ""
}

// verifyError words x509's errors for the report.
func verifyError(err error) string {
	var inv x509.CertificateInvalidError
	var ua x509.UnknownAuthorityError
	switch {
	case errors.As(err, &inv) && inv.Reason == x509.Expired:
		return "certificate has expired or is not yet valid"
	case errors.As(err, &ua):
		return "certificate signed by an unknown authority"
	}
	return strings.TrimPrefix(err.Error(), "x509: ")
}
