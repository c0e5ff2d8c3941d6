package tlslab

import (
	"crypto/x509"
	"testing"
	"time"
)

func TestIssueVerifies(t *testing.T) {
	ca, err := NewCA("lab CA")
	if err != nil {
		t.Fatal(err)
	}
	good, err := ca.Issue(Leaf{DNSNames: []string{"mx.ok.lab.test"}})
	if err != nil {
		t.Fatal(err)
	}
	opts := x509.VerifyOptions{Roots: ca.Pool, DNSName: "mx.ok.lab.test"}
	if _, err := good.Leaf.Verify(opts); err != nil {
		t.Fatalf("valid leaf rejected: %v", err)
	}
	opts.DNSName = "other.lab.test"
	if _, err := good.Leaf.Verify(opts); err == nil {
		t.Fatal("wrong name accepted")
	}
	old, _ := ca.Issue(Leaf{DNSNames: []string{"x.lab.test"}, NotBefore: time.Now().AddDate(-1, 0, 0), NotAfter: time.Now().AddDate(0, 0, -1)})
	if _, err := old.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool, DNSName: "x.lab.test"}); err == nil {
		t.Fatal("expired leaf accepted")
	}
	ss, _ := ca.Issue(Leaf{DNSNames: []string{"x.lab.test"}, SelfSigned: true})
	if _, err := ss.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool, DNSName: "x.lab.test"}); err == nil {
		t.Fatal("self-signed leaf accepted")
	}
}
