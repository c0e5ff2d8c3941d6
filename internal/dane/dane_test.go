package dane

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/lab/labdns"
	"github.com/mxprobe/mxprobe/internal/lab/tlslab"
	"github.com/mxprobe/mxprobe/internal/report/reporttest"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
)

func lab(t *testing.T) (*dnsserver.Server, *resolver.Resolver) { return labdns.Start(t) }

var must = reporttest.Must

func chainOf(t *testing.T, c tls.Certificate) []*x509.Certificate {
	t.Helper()
	var out []*x509.Certificate
	for _, der := range c.Certificate {
		x, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, x)
	}
	return out
}

func record(t *testing.T, c *x509.Certificate, usage, sel, mt uint8) resolver.TLSA {
	t.Helper()
	d, err := Data(c, sel, mt)
	if err != nil {
		t.Fatal(err)
	}
	return resolver.TLSA{Usage: usage, Selector: sel, MatchingType: mt, Data: d}
}

type pki struct {
	ca      *tlslab.CA
	leaf    []*x509.Certificate // leaf + CA, for mx.dane.test
	other   []*x509.Certificate // another key, same CA
	expired []*x509.Certificate
	self    []*x509.Certificate
}

func newPKI(t *testing.T) pki {
	t.Helper()
	ca, err := tlslab.NewCA("dane test CA")
	must(t, err)
	issue := func(l tlslab.Leaf) []*x509.Certificate {
		c, err := ca.Issue(l)
		must(t, err)
		return chainOf(t, c)
	}
	return pki{
		ca:    ca,
		leaf:  issue(tlslab.Leaf{DNSNames: []string{"mx.dane.test"}}),
		other: issue(tlslab.Leaf{DNSNames: []string{"mx.dane.test"}}),
		expired: issue(tlslab.Leaf{DNSNames: []string{"mx.dane.test"},
			NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)}),
		self: issue(tlslab.Leaf{DNSNames: []string{"mx.dane.test"}, SelfSigned: true}),
	}
}

func TestMatch(t *testing.T) {
	p := newPKI(t)
	leaf, ca := p.leaf[0], p.leaf[1]
	cases := []struct {
		name    string
		records []resolver.TLSA
		chain   []*x509.Certificate
		opts    MatchOptions
		want    bool
		depth   int
	}{
		{"3 1 1 leaf key", []resolver.TLSA{record(t, leaf, 3, 1, 1)}, p.leaf, MatchOptions{}, true, 0},
		{"3 0 1 leaf cert", []resolver.TLSA{record(t, leaf, 3, 0, 1)}, p.leaf, MatchOptions{}, true, 0},
		{"3 1 2 leaf key SHA-512", []resolver.TLSA{record(t, leaf, 3, 1, 2)}, p.leaf, MatchOptions{}, true, 0},
		{"3 0 0 full leaf", []resolver.TLSA{record(t, leaf, 3, 0, 0)}, p.leaf, MatchOptions{}, true, 0},
		{"3 1 0 full key", []resolver.TLSA{record(t, leaf, 3, 1, 0)}, p.leaf, MatchOptions{}, true, 0},
		{"2 0 1 CA cert", []resolver.TLSA{record(t, ca, 2, 0, 1)}, p.leaf, MatchOptions{}, true, 1},
		{"2 1 1 CA key with name", []resolver.TLSA{record(t, ca, 2, 1, 1)}, p.leaf, MatchOptions{Names: []string{"mx.dane.test."}}, true, 1},
		{"2 1 1 CA key, wrong name", []resolver.TLSA{record(t, ca, 2, 1, 1)}, p.leaf, MatchOptions{Names: []string{"mx.other.test"}}, false, 0},
		{"2 0 1 self-signed leaf as TA", []resolver.TLSA{record(t, p.self[0], 2, 0, 1)}, p.self, MatchOptions{}, true, 0},
		{"rollover: old and new key", []resolver.TLSA{record(t, p.other[0], 3, 1, 1), record(t, leaf, 3, 1, 1)}, p.leaf, MatchOptions{}, true, 0},
		{"3 1 1 other key", []resolver.TLSA{record(t, p.other[0], 3, 1, 1)}, p.leaf, MatchOptions{}, false, 0},
		{"3 1 1 of the CA is not an EE match", []resolver.TLSA{record(t, ca, 3, 1, 1)}, p.leaf, MatchOptions{}, false, 0},
		// RFC 7672 §3.1.1: DANE-EE ignores validity dates …
		{"3 1 1 expired leaf", []resolver.TLSA{record(t, p.expired[0], 3, 1, 1)}, p.expired, MatchOptions{}, true, 0},
		// … DANE-TA does not.
		{"2 0 1 expired leaf", []resolver.TLSA{record(t, ca, 2, 0, 1)}, p.expired, MatchOptions{}, false, 0},
		{"2 0 1 CA not sent", []resolver.TLSA{record(t, ca, 2, 0, 1)}, p.leaf[:1], MatchOptions{}, false, 0},
		// PKIX usages are not used for SMTP (RFC 7672 §3.1.3).
		{"1 1 1 leaf (PKIX-EE)", []resolver.TLSA{record(t, leaf, 1, 1, 1)}, p.leaf, MatchOptions{}, false, 0},
		{"no records", nil, p.leaf, MatchOptions{}, false, 0},
		{"no chain", []resolver.TLSA{record(t, leaf, 3, 1, 1)}, nil, MatchOptions{}, false, 0},
	}
	for _, c := range cases {
		got, d := MatchWith(c.records, c.chain, c.opts)
		if got != c.want || d.Matched != got {
			t.Errorf("%s: matched %v, want %v (%+v)", c.name, got, c.want, d)
			continue
		}
		if got && d.Depth != c.depth {
			t.Errorf("%s: depth %d, want %d", c.name, d.Depth, c.depth)
		}
		if !got && d.Reason == "" {
			t.Errorf("%s: mismatch without reason", c.name)
		}
	}
	// Match is MatchWith without names.
	if ok, _ := MatchWith([]resolver.TLSA{record(t, ca, 2, 1, 1)}, p.leaf, MatchOptions{}); !ok {
		t.Error("Match without names")
	}
}

func TestLookup(t *testing.T) {
	srv, r := lab(t)
	p := newPKI(t)
	leaf := p.leaf[0]
	good := record(t, leaf, 3, 1, 1)

	// Signed and usable.
	must(t, srv.AddTLSA("_25._tcp.mx.dane.test", good.Usage, good.Selector, good.MatchingType, good.Data))
	must(t, srv.AddTLSA("_25._tcp.mx.dane.test", 1, 1, 1, good.Data)) // PKIX-EE: unusable, ignored
	srv.SetRule("_25._tcp.mx.dane.test", resolver.TypeTLSA, dnsserver.Rule{AD: true})
	// The same records without DNSSEC.
	must(t, srv.AddTLSA("_25._tcp.mx.insecure.test", good.Usage, good.Selector, good.MatchingType, good.Data))
	// Signed, but nothing usable.
	must(t, srv.AddTLSA("_25._tcp.mx.unusable.test", 3, 1, 1, []byte{1, 2, 3}))
	must(t, srv.AddTLSA("_25._tcp.mx.unusable.test", 0, 0, 1, good.Data))
	srv.SetRule("_25._tcp.mx.unusable.test", resolver.TypeTLSA, dnsserver.Rule{AD: true})
	// No records; and a timeout.
	must(t, srv.AddA("mx.none.test", "192.0.2.1"))
	srv.SetRule("_25._tcp.mx.slow.test", resolver.TypeTLSA, dnsserver.Rule{Drop: true})

	res := Lookup(context.Background(), r, "MX.dane.test.", 0)
	if res.Status != StatusUsable || !res.Authentic || res.Name != "_25._tcp.mx.dane.test" || len(res.Records) != 2 || len(res.Usable()) != 1 || res.Err != nil {
		t.Fatalf("usable: %+v", res)
	}
	if f := Findings(res); len(f) != 1 || f[0].ID != FindingOK {
		t.Fatalf("findings %+v", f)
	}
	// Verification with the server's real chain, and after a key change.
	if d := res.Verify(p.leaf); !d.Matched {
		t.Fatalf("verify: %+v", d)
	}
	if f := Findings(res); len(f) != 1 || f[0].ID != FindingOK || !strings.Contains(f[0].Detail.EN, "matches") {
		t.Fatalf("findings after match %+v", f)
	}
	if d := res.Verify(p.other); d.Matched {
		t.Fatalf("verify other key: %+v", d)
	}
	if m := checkJSON(t, res); m["status"] != "usable" || m["verification"].(map[string]any)["matched"] != false {
		t.Fatalf("JSON %v", m)
	}
	f := Findings(res)
	if len(f) != 1 || f[0].ID != FindingMismatch {
		t.Fatalf("findings after mismatch %+v", f)
	}
	wantEv := "TLSA 3 1 1 " + res.Verification.LeafSPKISHA256
	if !strings.Contains(strings.Join(f[0].Evidence, "\n"), wantEv) {
		t.Fatalf("evidence lacks the record for the current key: %v", f[0].Evidence)
	}

	for _, c := range []struct {
		host    string
		status  Status
		err     error
		finding string
	}{
		{"mx.insecure.test", StatusUnauthenticated, ErrUnauthenticated, FindingUnauthenticated},
		{"mx.unusable.test", StatusUnusable, ErrUnusable, FindingUnusable},
		{"mx.none.test", StatusNone, ErrNoRecords, FindingNone},
		{"mx.slow.test", StatusTempError, ErrTemporary, FindingTempError},
	} {
		res := Lookup(context.Background(), r, c.host, 25)
		if res.Status != c.status || !errors.Is(res.Err, c.err) {
			t.Errorf("%s: %s %v, want %s", c.host, res.Status, res.Err, c.status)
		}
		if f := Findings(res); len(f) != 1 || f[0].ID != c.finding {
			t.Errorf("%s: findings %+v", c.host, f)
		}
	}
	// A different port.
	must(t, srv.AddTLSA("_465._tcp.mx.dane.test", good.Usage, good.Selector, good.MatchingType, good.Data))
	if res := Lookup(context.Background(), r, "mx.dane.test", 465); res.Name != "_465._tcp.mx.dane.test" || len(res.Records) != 1 {
		t.Errorf("port 465: %+v", res)
	}
}

func TestProblem(t *testing.T) {
	p := newPKI(t)
	for _, c := range []struct {
		rec  resolver.TLSA
		want string
	}{
		{resolver.TLSA{Usage: 3, Selector: 1, MatchingType: 1, Data: make([]byte, 32)}, ""},
		{resolver.TLSA{Usage: 2, Selector: 0, MatchingType: 2, Data: make([]byte, 64)}, ""},
		{resolver.TLSA{Usage: 0, Selector: 0, MatchingType: 1, Data: make([]byte, 32)}, "PKIX-TA"},
		{resolver.TLSA{Usage: 4, Selector: 0, MatchingType: 1, Data: make([]byte, 32)}, "usage"},
		{resolver.TLSA{Usage: 3, Selector: 2, MatchingType: 1, Data: make([]byte, 32)}, "selector"},
		{resolver.TLSA{Usage: 3, Selector: 1, MatchingType: 3, Data: make([]byte, 32)}, "matching type"},
		{resolver.TLSA{Usage: 3, Selector: 1, MatchingType: 1, Data: make([]byte, 31)}, "32"},
		{resolver.TLSA{Usage: 3, Selector: 0, MatchingType: 0, Data: []byte("junk")}, "certificate"},
		{resolver.TLSA{Usage: 3, Selector: 1, MatchingType: 0, Data: p.leaf[0].RawSubjectPublicKeyInfo}, ""},
	} {
		got := problem(c.rec)
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("problem(%s) = %q, want %q", Format(c.rec), got, c.want)
		}
	}
}
