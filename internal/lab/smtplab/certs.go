package smtplab

import (
	"crypto/tls"
	"fmt"
	"time"

	"github.com/mxprobe/mxprobe/internal/lab/tlslab"
)

// CertKind is the quality of a lab server certificate.
type CertKind string

const (
	CertValid      CertKind = "valid"       // issued by the lab CA for the host
	CertExpired    CertKind = "expired"     // issued by the lab CA, expired yesterday
	CertWrongName  CertKind = "wrong_name"  // issued by the lab CA for another name
	CertSelfSigned CertKind = "self_signed" // for the host, signed by its own key
	CertExpiring   CertKind = "expiring"    // valid, expires in 5 days
)

// CertFor issues a certificate of the given kind for host from ca, ready
// for Scenario.TLSCert.
func CertFor(ca *tlslab.CA, host string, kind CertKind, alt ...string) (*tls.Certificate, error) {
	now := time.Now()
	leaf := tlslab.Leaf{DNSNames: append([]string{host}, alt...)}
	switch kind {
	case CertValid:
	case CertExpired:
		leaf.NotBefore, leaf.NotAfter = now.AddDate(-1, 0, 0), now.AddDate(0, 0, -1)
	case CertWrongName:
		leaf.DNSNames = []string{"wrong-name.lab.test"}
	case CertSelfSigned:
		leaf.SelfSigned = true
	case CertExpiring:
		leaf.NotAfter = now.AddDate(0, 0, 5)
	default:
		return nil, fmt.Errorf("smtplab: unknown certificate kind %q", kind)
	}
	c, err := ca.Issue(leaf)
	if err != nil {
		return nil, err
	}
	return &c, nil
}
