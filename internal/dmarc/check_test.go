package dmarc

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/lab/labdns"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/report/reporttest"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
)

type lab struct {
	srv *dnsserver.Server
	res *resolver.Resolver
}

// newLab starts a loopback authoritative server and a real resolver on it.
func newLab(t testing.TB) *lab {
	t.Helper()
	s, r := labdns.Start(t)
	return &lab{srv: s, res: r}
}

func (l *lab) txt(t testing.TB, name string, strs ...string) {
	t.Helper()
	if err := l.srv.AddTXT(name, strs...); err != nil {
		t.Fatal(err)
	}
}

var ctxT = reporttest.Ctx

var ids = reporttest.Severities

var checkTexts = reporttest.Texts

func TestCheck(t *testing.T) {
	l := newLab(t)
	l.txt(t, "_dmarc.example.test", "v=DMARC1; p=reject; sp=quarantine; rua=mailto:dmarc@example.test")
	l.txt(t, "_dmarc.own.example.test", "v=DMARC1; p=none; rua=mailto:dmarc@example.test")
	l.txt(t, "_dmarc.none.test", "v=DMARC1; p=none; rua=mailto:dmarc@none.test")
	l.txt(t, "_dmarc.multi.test", "v=DMARC1; p=reject")
	l.txt(t, "_dmarc.multi.test", "v=DMARC1; p=none")
	l.txt(t, "_dmarc.invalid.test", "v=DMARC1; p=bogus")
	l.txt(t, "_dmarc.sloppy.test", "v=DMARC1; p=reject; adkim=x; rua=mailto:d@sloppy.test")
	l.txt(t, "_dmarc.spfhere.test", "v=spf1 -all")
	l.txt(t, "_dmarc.partial.test", "v=DMARC1; p=quarantine; pct=25; t=y; rua=mailto:d@partial.test")
	l.txt(t, "_dmarc.noreports.test", "v=DMARC1; p=reject")
	l.txt(t, "_dmarc.xn--bcher-kva.example", "v=DMARC1; p=reject; rua=mailto:d@xn--bcher-kva.example")
	// A record split into several character-strings is one record.
	l.txt(t, "_dmarc.split.test", "v=DMARC1; p=rej", "ect; rua=mailto:d@split.test")
	if err := l.srv.AddA("missing.test", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		domain    string
		status    string
		org       bool
		effective string
		findings  map[string]report.Severity
		absent    []string
	}{
		{"example.test", StatusOK, false, "reject", map[string]report.Severity{IDOK: report.OK}, []string{IDPNone, IDOrgDomain}},
		{"mail.Example.TEST", StatusOK, true, "quarantine", map[string]report.Severity{IDOrgDomain: report.Info, IDOK: report.OK}, []string{IDPNone}},
		{"a.b.c.example.test", StatusOK, true, "quarantine", map[string]report.Severity{IDOrgDomain: report.Info}, nil},
		{"own.example.test", StatusOK, false, "none", map[string]report.Severity{IDPNone: report.Warn}, []string{IDOrgDomain, IDOK}},
		{"none.test", StatusOK, false, "none", map[string]report.Severity{IDPNone: report.Warn}, []string{IDOK}},
		{"multi.test", StatusMultiple, false, "", map[string]report.Severity{IDMultiple: report.Fail}, []string{IDOK, IDMissing}},
		{"invalid.test", StatusInvalid, false, "", map[string]report.Severity{IDSyntax: report.Fail}, []string{IDOK, IDMissing}},
		{"sloppy.test", StatusOK, false, "reject", map[string]report.Severity{IDSyntax: report.Warn}, []string{IDOK}},
		{"spfhere.test", StatusMissing, false, "", map[string]report.Severity{IDMissing: report.Fail, IDSyntax: report.Fail}, nil},
		{"partial.test", StatusOK, false, "quarantine", map[string]report.Severity{IDPct: report.Warn, IDTesting: report.Warn}, nil},
		{"noreports.test", StatusOK, false, "reject", map[string]report.Severity{IDNoRUA: report.Info, IDOK: report.OK}, nil},
		{"missing.test", StatusMissing, false, "", map[string]report.Severity{IDMissing: report.Fail}, []string{IDTempError}},
		{"www.missing.test", StatusMissing, false, "", map[string]report.Severity{IDMissing: report.Fail}, nil},
		{"bücher.example", StatusOK, false, "reject", map[string]report.Severity{IDOK: report.OK}, nil},
		{"split.test", StatusOK, false, "reject", map[string]report.Severity{IDOK: report.OK}, nil},
	}
	for _, c := range cases {
		t.Run(c.domain, func(t *testing.T) {
			res := Check(ctxT(t), l.res, c.domain)
			if res.Status != c.status || res.AtOrgDomain != c.org || res.EffectivePolicy != c.effective || res.Incomplete {
				t.Fatalf("status %s org %v effective %q incomplete %v; errors %v lookups %+v", res.Status, res.AtOrgDomain, res.EffectivePolicy, res.Incomplete, res.Errors, res.Lookups)
			}
			fs := Findings(res)
			checkTexts(t, fs)
			got := ids(fs)
			for id, sev := range c.findings {
				if got[id] != sev {
					t.Errorf("finding %s: %q, want %q (all %v)", id, got[id], sev, got)
				}
			}
			for _, id := range c.absent {
				if _, ok := got[id]; ok {
					t.Errorf("unexpected finding %s (all %v)", id, got)
				}
			}
			b, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), `"org_domain"`) || !strings.Contains(string(b), `"lookups"`) {
				t.Errorf("JSON %s", b)
			}
		})
	}

	// The subdomain lookup falls back to the org domain: two queries, the
	// second at the org domain.
	res := Check(ctxT(t), l.res, "mail.example.test")
	if len(res.Lookups) != 2 || res.Lookups[0].Status != resolver.StatusNXDomain || res.Lookups[1].Name != "_dmarc.example.test" || res.PolicyDomain != "example.test" {
		t.Fatalf("lookups %+v policy domain %s", res.Lookups, res.PolicyDomain)
	}
	// An org domain is not queried twice.
	res = Check(ctxT(t), l.res, "missing.test")
	if len(res.Lookups) != 1 {
		t.Fatalf("lookups %+v", res.Lookups)
	}
	if res.Domain != "missing.test" || res.OrgDomain != "missing.test" {
		t.Fatalf("%+v", res)
	}
	if res := Check(ctxT(t), l.res, "bücher.example"); res.Domain != "xn--bcher-kva.example" {
		t.Fatalf("domain %q", res.Domain)
	}
}

// TestCheckTempError: a timeout or SERVFAIL is temperror and incomplete,
// never "missing", and does not fall back to the organizational domain.
func TestCheckTempError(t *testing.T) {
	l := newLab(t)
	l.txt(t, "_dmarc.org.test", "v=DMARC1; p=none")
	l.srv.SetRule("_dmarc.slow.org.test", 0, dnsserver.Rule{Drop: true})
	l.srv.SetRule("_dmarc.broken.org.test", 0, dnsserver.Rule{ServFail: true})
	l.srv.SetRule("_dmarc.refused.test", 0, dnsserver.Rule{Refused: true})
	for _, d := range []string{"slow.org.test", "broken.org.test", "refused.test"} {
		res := Check(ctxT(t), l.res, d)
		if res.Status != StatusTempError || !res.Incomplete || res.AtOrgDomain || len(res.Lookups) != 1 {
			t.Fatalf("%s: %+v", d, res)
		}
		got := ids(Findings(res))
		if _, ok := got[IDMissing]; ok || got[IDTempError] != report.Warn {
			t.Fatalf("%s: findings %v", d, got)
		}
	}
	// A timeout at the org domain after an NXDOMAIN is temperror too.
	l.srv.SetRule("_dmarc.deadorg.test", 0, dnsserver.Rule{Drop: true})
	res := Check(ctxT(t), l.res, "www.deadorg.test")
	if res.Status != StatusTempError || !res.Incomplete || len(res.Lookups) != 2 {
		t.Fatalf("%+v", res)
	}
}

func TestCheckReportingAuthorization(t *testing.T) {
	l := newLab(t)
	// Foreign rua without authorisation.
	l.txt(t, "_dmarc.foreign.test", "v=DMARC1; p=reject; rua=mailto:agg@reports.example.net,mailto:me@foreign.test; ruf=mailto:f@forensic.example.org")
	// Foreign rua with authorisation (RFC 7489 §7.1).
	l.txt(t, "_dmarc.authorized.test", "v=DMARC1; p=reject; rua=mailto:agg@reports.example.net")
	l.txt(t, "authorized.test._report._dmarc.reports.example.net", "v=DMARC1")
	// Authorisation record present but wrong, and one with two records.
	l.txt(t, "_dmarc.wrong.test", "v=DMARC1; p=reject; rua=mailto:agg@reports.example.net")
	l.txt(t, "wrong.test._report._dmarc.reports.example.net", "hello")
	l.txt(t, "_dmarc.twice.test", "v=DMARC1; p=reject; rua=mailto:agg@reports.example.net")
	l.txt(t, "twice.test._report._dmarc.reports.example.net", "v=DMARC1")
	l.txt(t, "twice.test._report._dmarc.reports.example.net", "v=DMARC1; rua=mailto:x@y.example")
	// Same organizational domain: no authorisation needed.
	l.txt(t, "_dmarc.mail.inhouse.test", "v=DMARC1; p=reject; rua=mailto:agg@reports.inhouse.test")
	// Authorisation lookup times out.
	l.txt(t, "_dmarc.flaky.test", "v=DMARC1; p=reject; rua=mailto:agg@reports.example.net")
	l.srv.SetRule("flaky.test._report._dmarc.reports.example.net", 0, dnsserver.Rule{Drop: true})
	// Record inherited from the org domain: the name uses the policy domain.
	l.txt(t, "_dmarc.parent.test", "v=DMARC1; p=reject; rua=mailto:agg@reports.example.net")
	l.txt(t, "parent.test._report._dmarc.reports.example.net", "v=DMARC1")

	cases := []struct {
		domain string
		want   map[string]string // uri → status
		unauth int
	}{
		{"foreign.test", map[string]string{"mailto:agg@reports.example.net": AuthUnauthorized, "mailto:me@foreign.test": AuthInternal, "mailto:f@forensic.example.org": AuthUnauthorized}, 2},
		{"authorized.test", map[string]string{"mailto:agg@reports.example.net": AuthAuthorized}, 0},
		{"wrong.test", map[string]string{"mailto:agg@reports.example.net": AuthUnauthorized}, 1},
		{"twice.test", map[string]string{"mailto:agg@reports.example.net": AuthUnauthorized}, 1},
		{"mail.inhouse.test", map[string]string{"mailto:agg@reports.inhouse.test": AuthInternal}, 0},
		{"flaky.test", map[string]string{"mailto:agg@reports.example.net": AuthTempError}, 0},
		{"sub.parent.test", map[string]string{"mailto:agg@reports.example.net": AuthAuthorized}, 0},
	}
	for _, c := range cases {
		t.Run(c.domain, func(t *testing.T) {
			res := Check(ctxT(t), l.res, c.domain)
			if res.Status != StatusOK {
				t.Fatalf("%+v", res)
			}
			if len(res.Reporting) != len(c.want) {
				t.Fatalf("reporting %+v", res.Reporting)
			}
			for _, ra := range res.Reporting {
				if ra.Status != c.want[ra.URI] {
					t.Errorf("%s: %s (%+v), want %s", ra.URI, ra.Status, ra, c.want[ra.URI])
				}
				if ra.External && !strings.HasPrefix(ra.Name, res.PolicyDomain+"._report._dmarc.") {
					t.Errorf("authorisation name %s", ra.Name)
				}
			}
			fs := Findings(res)
			checkTexts(t, fs)
			n := 0
			for _, f := range fs {
				if f.ID == IDRUAUnauthorized {
					n++
				}
				if f.ID == IDTempError && f.Severity != report.Info {
					t.Errorf("authorisation timeout is %s", f.Severity)
				}
			}
			if n != c.unauth {
				t.Errorf("%d rua_unauthorized findings, want %d", n, c.unauth)
			}
			if res.Incomplete {
				t.Errorf("incomplete")
			}
		})
	}
}

func TestCheckBadDomain(t *testing.T) {
	l := newLab(t)
	res := Check(ctxT(t), l.res, "")
	if res.Status != StatusError {
		t.Fatalf("%+v", res)
	}
	checkTexts(t, Findings(res))
}

func TestRegisteredFindings(t *testing.T) {
	for _, id := range []string{IDOK, IDMissing, IDPNone, IDSyntax, IDMultiple, IDOrgDomain, IDRUAUnauthorized, IDTempError, IDTesting, IDPct, IDNoRUA, IDRecordWarning, IDAligned, IDNotAligned} {
		d, ok := report.Lookup(id)
		if !ok || !d.Title.Complete() || !d.Advice.Complete() {
			t.Errorf("%s not registered with EN and DE texts", id)
		}
	}
}

// BenchmarkCheck measures a subdomain check against the lab with 20 ms added
// latency per answer. The longest chain of dependent lookups is three
// (_dmarc.<sub> NXDOMAIN → _dmarc.<org> → the two authorisation lookups in
// parallel), so an iteration should take about 60 ms.
func BenchmarkCheck(b *testing.B) {
	s, err := dnsserver.Start("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for _, rr := range [][2]string{
		{"_dmarc.bench.test", "v=DMARC1; p=reject; rua=mailto:a@reports.example.net,mailto:b@other.example.org"},
		{"bench.test._report._dmarc.reports.example.net", "v=DMARC1"},
		{"bench.test._report._dmarc.other.example.org", "v=DMARC1"},
	} {
		if err := s.AddTXT(rr[0], rr[1]); err != nil {
			b.Fatal(err)
		}
	}
	s.SetDelay(20 * time.Millisecond)
	r, err := resolver.New(resolver.Config{Servers: []string{s.Addr()}, Timeout: 2 * time.Second, Attempts: 1, NoCache: true})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		res := Check(ctx, r, "mail.bench.test")
		if res.Status != StatusOK || len(res.Reporting) != 2 || res.Reporting[0].Status != AuthAuthorized {
			b.Fatalf("%+v", res)
		}
	}
}
