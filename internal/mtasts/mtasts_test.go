package mtasts

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/lab/httpslab"
	"github.com/mxprobe/mxprobe/internal/lab/labdns"
	"github.com/mxprobe/mxprobe/internal/lab/tlslab"
	"github.com/mxprobe/mxprobe/internal/mx"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/report/reporttest"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
)

type world struct {
	dns   *dnsserver.Server
	r     *resolver.Resolver
	https *httpslab.Server
	ca    *tlslab.CA
	f     *Fetcher
}

// newWorld starts the loopback DNS server, a real resolver, and the HTTPS
// lab with its test CA injected into the fetcher (tests only).
func newWorld(t *testing.T) *world {
	t.Helper()
	srv, r := labdns.Start(t)
	ca, err := tlslab.NewCA("mta-sts test CA")
	if err != nil {
		t.Fatal(err)
	}
	hs, err := httpslab.Start(ca, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hs.Close() })
	return &world{dns: srv, r: r, https: hs, ca: ca,
		f: &Fetcher{Resolver: r, RootCAs: ca.Pool, Dial: hs.DialContext, Timeout: 2 * time.Second}}
}

var must = reporttest.Must

// domain publishes MX hosts, the TXT record and a policy for d.
func (w *world) domain(t *testing.T, d, policy string, mxHosts ...string) {
	t.Helper()
	for i, h := range mxHosts {
		must(t, w.dns.AddMX(d, uint16(10*(i+1)), h))
		must(t, w.dns.AddA(h, "192.0.2.25"))
	}
	must(t, w.dns.AddTXT("_mta-sts."+d, "v=STSv1; id=20260101T000000;"))
	w.https.SetPolicy("mta-sts."+d, policy)
}

func ids(fs []report.Finding) map[string]report.Finding {
	out := map[string]report.Finding{}
	for _, f := range fs {
		out[f.ID] = f
	}
	return out
}

func hosts(res mx.Result) []string {
	var out []string
	for _, h := range res.Hosts {
		out = append(out, h.Name)
	}
	return out
}

func TestEnforceAndMXMismatch(t *testing.T) {
	w := newWorld(t)
	policy := "version: STSv1\nmode: enforce\nmx: mx1.good.test\nmx: *.pool.good.test\nmax_age: 1209600\n"
	w.domain(t, "good.test", policy, "mx1.good.test", "a.pool.good.test")
	w.domain(t, "bad.test", strings.ReplaceAll(policy, "good", "bad"), "mx1.bad.test", "mail.elsewhere.test")

	ctx := context.Background()
	m := mx.Resolve(ctx, w.r, "good.test")
	res := Check(ctx, w.r, w.f, "good.test", hosts(m))
	if res.Status != StatusValid || res.Err != nil || res.Policy.Mode != ModeEnforce || !res.MXChecked || len(res.MXMismatched) != 0 || len(res.MXMatched) != 2 {
		t.Fatalf("%+v", res)
	}
	if res.ParsedRecord.ID != "20260101T000000" || res.Fetch.StatusCode != 200 || res.Fetch.RemoteAddr != w.https.Addr() {
		t.Fatalf("record/fetch %+v %+v", res.ParsedRecord, res.Fetch)
	}
	if m := checkJSON(t, res); m["status"] != "valid" || m["policy"].(map[string]any)["mode"] != "enforce" {
		t.Fatalf("JSON %v", m)
	}
	fs := ids(Findings(res))
	if _, ok := fs[FindingOK]; !ok || len(fs) != 1 {
		t.Fatalf("findings %v", fs)
	}

	// Unicode domains are checked under their A-label form.
	w.domain(t, "xn--bcher-kva.test", strings.ReplaceAll(policy, "good", "xn--bcher-kva"), "mx1.xn--bcher-kva.test")
	if res := Check(ctx, w.r, w.f, "Bücher.test", []string{"mx1.xn--bcher-kva.test"}); res.Status != StatusValid || res.Domain != "xn--bcher-kva.test" || len(res.MXMatched) != 1 {
		t.Fatalf("IDN: %+v", res)
	}

	// The MX lookup and the policy check can run concurrently: CheckMX later.
	res = Check(ctx, w.r, w.f, "bad.test", nil)
	if res.MXChecked {
		t.Fatal("MX checked without hosts")
	}
	res.CheckMX(hosts(mx.Resolve(ctx, w.r, "bad.test")))
	if len(res.MXMismatched) != 1 || res.MXMismatched[0] != "mail.elsewhere.test" {
		t.Fatalf("mismatch %+v", res)
	}
	fs = ids(Findings(res))
	f, ok := fs[FindingMXMismatch]
	if !ok || f.Severity != report.Fail || !strings.Contains(f.Detail.DE, "mail.elsewhere.test") {
		t.Fatalf("findings %+v", fs)
	}

	// In testing mode a mismatch is a warning.
	w.https.SetPolicy("mta-sts.bad.test", strings.ReplaceAll(strings.ReplaceAll(policy, "good", "bad"), "enforce", "testing"))
	res = Check(ctx, w.r, w.f, "bad.test", hosts(mx.Resolve(ctx, w.r, "bad.test")))
	fs = ids(Findings(res))
	if fs[FindingMXMismatch].Severity != report.Warn {
		t.Fatalf("testing mode: %+v", fs)
	}
	if _, ok := fs[FindingTesting]; !ok {
		t.Fatalf("testing mode: %+v", fs)
	}
}

func TestFetchMisbehaviour(t *testing.T) {
	w := newWorld(t)
	policy := "version: STSv1\nmode: enforce\nmx: mx.x.test\nmax_age: 1209600\n"
	cases := []struct {
		domain string
		b      httpslab.Behavior
		err    error
	}{
		{"redirect.test", httpslab.Behavior{Redirect: "https://mta-sts.target.test/.well-known/mta-sts.txt", Status: 301}, ErrRedirect},
		{"huge.test", httpslab.Behavior{Pad: 100 << 10}, ErrTooLarge},
		{"html.test", httpslab.Behavior{ContentType: "text/html; charset=utf-8"}, ErrContentType},
		{"gone.test", httpslab.Behavior{Status: 404}, ErrStatus},
		{"error.test", httpslab.Behavior{Status: 500}, ErrStatus},
		{"stall.test", httpslab.Behavior{Stall: true}, ErrTimeout},
		{"slow.test", httpslab.Behavior{Delay: time.Minute}, ErrTimeout},
		{"expired.test", httpslab.Behavior{Cert: httpslab.CertExpired}, ErrTLS},
		{"wrongname.test", httpslab.Behavior{Cert: httpslab.CertWrongName}, ErrTLS},
		{"selfsigned.test", httpslab.Behavior{Cert: httpslab.CertSelfSigned}, ErrTLS},
	}
	w.https.SetPolicy("mta-sts.target.test", policy)
	f := *w.f
	f.Timeout = 300 * time.Millisecond // for the slow cases
	for _, c := range cases {
		w.domain(t, c.domain, policy, "mx."+c.domain)
		w.https.SetBehavior("mta-sts."+c.domain, c.b)
		res := Check(context.Background(), w.r, &f, c.domain, []string{"mx." + c.domain})
		if res.Status != StatusFetchFailed || !errors.Is(res.Err, c.err) {
			t.Errorf("%s: status %s err %v, want fetch_failed %v", c.domain, res.Status, res.Err, c.err)
			continue
		}
		if res.Policy != nil || res.MXChecked {
			t.Errorf("%s: a failed fetch must not yield a policy", c.domain)
		}
		fs := Findings(res)
		if len(fs) != 1 || fs[0].ID != FindingFetchFailed || fs[0].Detail.DE == fs[0].Detail.EN {
			t.Errorf("%s: findings %+v", c.domain, fs)
		}
	}
	// The redirect was not followed.
	if n := w.https.Requests("mta-sts.target.test"); n != 0 {
		t.Errorf("redirect followed: %d requests to the target", n)
	}
	if res := Check(context.Background(), w.r, w.f, "huge.test", nil); res.Fetch.Bytes != DefaultMaxBody+1 {
		t.Errorf("read %d bytes of an oversized policy, want the limit+1", res.Fetch.Bytes)
	}

	// Without the lab CA (system roots only) the lab certificate is rejected.
	w.domain(t, "strict.test", policy, "mx.strict.test")
	strict := Fetcher{Dial: w.https.DialContext, Timeout: 2 * time.Second}
	if res := Check(context.Background(), w.r, &strict, "strict.test", nil); !errors.Is(res.Err, ErrTLS) {
		t.Errorf("system roots accepted the lab CA: %+v", res)
	}

	// An injected *http.Client is used, with redirects still refused.
	client := &http.Client{Transport: &http.Transport{DialContext: w.https.DialContext, TLSClientConfig: tlsConfig(w.ca)}}
	if res := Check(context.Background(), w.r, &Fetcher{Client: client}, "redirect.test", nil); !errors.Is(res.Err, ErrRedirect) {
		t.Errorf("injected client followed the redirect: %+v", res)
	}
	if res := Check(context.Background(), w.r, &Fetcher{Client: client}, "strict.test", nil); res.Status != StatusValid {
		t.Errorf("injected client: %+v", res)
	}
}

func TestRecordStates(t *testing.T) {
	w := newWorld(t)
	policy := "version: STSv1\nmode: enforce\nmx: mx.x.test\nmax_age: 1209600\n"
	ctx := context.Background()

	// No record: no HTTP request at all.
	must(t, w.dns.AddTXT("_mta-sts.none.test", "v=spf1 -all"))
	w.https.SetPolicy("mta-sts.none.test", policy)
	res := Check(ctx, w.r, w.f, "none.test", nil)
	if res.Status != StatusNone || !errors.Is(res.Err, ErrNoRecord) || res.Fetch != nil || w.https.Requests("mta-sts.none.test") != 0 {
		t.Fatalf("none: %+v", res)
	}
	if fs := Findings(res); len(fs) != 1 || fs[0].ID != FindingNone {
		t.Fatalf("none findings %+v", fs)
	}
	if res := Check(ctx, w.r, w.f, "nxdomain.test", nil); res.Status != StatusNone || res.DNSStatus != resolver.StatusNXDomain {
		t.Fatalf("nxdomain: %+v", res)
	}

	// TXT timeout: temperror, not none.
	w.dns.SetRule("_mta-sts.slow.test", resolver.TypeTXT, dnsserver.Rule{Drop: true})
	res = Check(ctx, w.r, w.f, "slow.test", nil)
	if res.Status != StatusTempError || !errors.Is(res.Err, ErrTemporary) {
		t.Fatalf("temperror: %+v", res)
	}
	if fs := Findings(res); len(fs) != 1 || fs[0].ID != FindingTempError {
		t.Fatalf("temperror findings %+v", fs)
	}

	// Two records: invalid, although the policy itself is fine.
	must(t, w.dns.AddTXT("_mta-sts.two.test", "v=STSv1; id=1"))
	must(t, w.dns.AddTXT("_mta-sts.two.test", "v=STSv1; id=2"))
	w.https.SetPolicy("mta-sts.two.test", policy)
	res = Check(ctx, w.r, w.f, "two.test", []string{"mx.x.test"})
	if res.Status != StatusInvalid || !errors.Is(res.Err, ErrMultiple) || res.Policy == nil || res.MXChecked {
		t.Fatalf("two records: %+v", res)
	}
	if fs := Findings(res); len(fs) != 1 || fs[0].ID != FindingInvalid {
		t.Fatalf("two records findings %+v", fs)
	}

	// Broken record (no id).
	must(t, w.dns.AddTXT("_mta-sts.noid.test", "v=STSv1;"))
	w.https.SetPolicy("mta-sts.noid.test", policy)
	if res := Check(ctx, w.r, w.f, "noid.test", nil); res.Status != StatusInvalid || !errors.Is(res.Err, ErrRecordSyntax) {
		t.Fatalf("no id: %+v", res)
	}

	// Broken policy.
	w.domain(t, "badpolicy.test", "version: STSv1\nmode: enforce\nmax_age: 1209600\n")
	res = Check(ctx, w.r, w.f, "badpolicy.test", nil)
	if res.Status != StatusInvalid || !errors.Is(res.Err, ErrPolicySyntax) || res.PolicyText == "" {
		t.Fatalf("bad policy: %+v", res)
	}

	// Valid with warnings; mode none.
	w.domain(t, "warn.test", "version: STSv1\nmode: enforce\nmx: mx.warn.test\nmax_age: 600\n", "mx.warn.test")
	fs := ids(Findings(Check(ctx, w.r, w.f, "warn.test", []string{"mx.warn.test"})))
	if _, ok := fs[FindingWarning]; !ok {
		t.Fatalf("warnings: %+v", fs)
	}
	w.domain(t, "off.test", "version: STSv1\nmode: none\nmax_age: 86400\n", "mx.off.test")
	fs = ids(Findings(Check(ctx, w.r, w.f, "off.test", []string{"mx.off.test"})))
	if _, ok := fs[FindingModeNone]; !ok || len(fs) != 1 {
		t.Fatalf("mode none: %+v", fs)
	}
}

// The default dialer resolves mta-sts.<domain> through our resolver.
func TestDialResolved(t *testing.T) {
	w := newWorld(t)
	_, port, _ := net.SplitHostPort(w.https.Addr())
	must(t, w.dns.AddA("mta-sts.dial.test", "127.0.0.1"))
	f := &Fetcher{Resolver: w.r}
	c, err := f.dialResolved(context.Background(), "tcp", "mta-sts.dial.test:"+port)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := f.dialResolved(context.Background(), "tcp", "mta-sts.missing.test:"+port); !errors.Is(err, ErrNoPolicyHost) {
		t.Fatalf("missing host: %v", err)
	}
	w.dns.SetRule("mta-sts.slowdns.test", 0, dnsserver.Rule{ServFail: true})
	if _, err := f.dialResolved(context.Background(), "tcp", "mta-sts.slowdns.test:"+port); err == nil || errors.Is(err, ErrNoPolicyHost) {
		t.Fatalf("SERVFAIL must not read as a missing host: %v", err)
	}
	// Through Check: the policy host does not exist.
	must(t, w.dns.AddTXT("_mta-sts.nohost.test", "v=STSv1; id=1"))
	res := Check(context.Background(), w.r, &Fetcher{}, "nohost.test", nil)
	if res.Status != StatusFetchFailed || !errors.Is(res.Err, ErrNoPolicyHost) {
		t.Fatalf("%+v", res)
	}
}

func tlsConfig(ca *tlslab.CA) *tls.Config { return &tls.Config{RootCAs: ca.Pool} }
