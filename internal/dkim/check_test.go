package dkim

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/lab/labdns"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/report/reporttest"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
)

// lab is a loopback authoritative server plus a real resolver pointed at it.
type lab struct {
	srv *dnsserver.Server
	res *resolver.Resolver
}

func newLab(t testing.TB) *lab {
	t.Helper()
	s, r := labdns.Start(t)
	return &lab{srv: s, res: r}
}

// txt publishes one TXT record, split into 255-byte character-strings.
func (l *lab) txt(t testing.TB, name, record string) {
	t.Helper()
	var parts []string
	for len(record) > 255 {
		parts, record = append(parts, record[:255]), record[255:]
	}
	parts = append(parts, record)
	if err := l.srv.AddTXT(name, parts...); err != nil {
		t.Fatal(err)
	}
}

var ctxT = reporttest.Ctx

var findingIDs = reporttest.Severities

var checkTexts = reporttest.Texts

func selector(res Result, sel string) SelectorResult {
	for _, sr := range res.Selectors {
		if sr.Selector == sel {
			return sr
		}
	}
	return SelectorResult{}
}

func TestCheckSelectorsNamed(t *testing.T) {
	l := newLab(t)
	const d = "example.test"
	edKey := "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
	l.txt(t, "strong._domainkey."+d, "v=DKIM1; k=rsa; p="+fakeRSA(t, 2048, true))
	l.txt(t, "weak._domainkey."+d, readTestdata(t, "dkimpy", "test2.txt")) // dkimpy's 1024-bit key
	l.txt(t, "tiny._domainkey."+d, "v=DKIM1; p="+fakeRSA(t, 512, true))
	l.txt(t, "revoked._domainkey."+d, "v=DKIM1; k=rsa; p=")
	l.txt(t, "ed._domainkey."+d, edKey)
	l.txt(t, "testing._domainkey."+d, "v=DKIM1; t=y; p="+fakeRSA(t, 2048, true))
	l.txt(t, "broken._domainkey."+d, "v=DKIM1; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA!!!")
	l.txt(t, "multi._domainkey."+d, edKey)
	l.txt(t, "multi._domainkey."+d, "v=DKIM1; p="+fakeRSA(t, 2048, true))
	l.txt(t, "spf._domainkey."+d, "v=spf1 -all")
	l.txt(t, "slow._domainkey."+d, edKey)
	l.srv.SetRule("slow._domainkey."+d, 0, dnsserver.Rule{Drop: true})
	l.txt(t, "sfail._domainkey."+d, edKey)
	l.srv.SetRule("sfail._domainkey."+d, 0, dnsserver.Rule{ServFail: true})
	// Microsoft 365 style: the selector is a CNAME to the tenant's key.
	if err := l.srv.AddCNAME("selector1._domainkey."+d, "selector1-example-test._domainkey.tenant.example"); err != nil {
		t.Fatal(err)
	}
	l.txt(t, "selector1-example-test._domainkey.tenant.example", "v=DKIM1; k=rsa; p="+fakeRSA(t, 2048, true))

	sels := []string{"strong", "weak", "tiny", "revoked", "ed", "testing", "broken", "multi", "spf", "slow", "sfail", "gone", "Selector1", "bad selector"}
	res := CheckSelectors(ctxT(t), l.res, "Example.TEST.", sels)

	if res.Guessed || len(res.Tried) != len(sels) || res.Domain != d {
		t.Fatalf("tried %v guessed %v domain %q", res.Tried, res.Guessed, res.Domain)
	}
	want := map[string]struct {
		status SelectorStatus
		usable bool
		bits   int
	}{
		"strong":    {StatusFound, true, 2048},
		"weak":      {StatusFound, true, 1024},
		"tiny":      {StatusFound, false, 512},
		"revoked":   {StatusFound, false, 0},
		"ed":        {StatusFound, true, 256},
		"testing":   {StatusFound, true, 2048},
		"broken":    {StatusFound, false, 0},
		"multi":     {StatusFound, false, 256},
		"spf":       {StatusNotDKIM, false, 0},
		"slow":      {StatusTempError, false, 0},
		"sfail":     {StatusTempError, false, 0},
		"gone":      {StatusNXDomain, false, 0},
		"selector1": {StatusFound, true, 2048},
	}
	for sel, w := range want {
		sr := selector(res, sel)
		bits := 0
		if sr.Key != nil {
			bits = sr.Key.Bits
		}
		if sr.Status != w.status || sr.Usable != w.usable || bits != w.bits {
			t.Errorf("%s: status %s usable %v bits %d (err %v); want %+v", sel, sr.Status, sr.Usable, bits, sr.Err, w)
		}
	}
	if sr := selector(res, "slow"); sr.DNSStatus != resolver.StatusTimeout {
		t.Errorf("slow: dns status %s, want timeout", sr.DNSStatus)
	}
	if sr := selector(res, "selector1"); len(sr.CNAMEs) == 0 {
		t.Errorf("selector1: CNAME chain not recorded: %+v", sr)
	}
	if sr := selector(res, "bad selector"); sr.Status != StatusInvalid {
		t.Errorf("bad selector: %+v", sr)
	}
	if res.Status != ResultOK || !res.Incomplete {
		t.Errorf("status %s incomplete %v", res.Status, res.Incomplete)
	}

	fs := Findings(res)
	checkTexts(t, fs)
	ids := findingIDs(fs)
	for id, sev := range map[string]report.Severity{
		IDOK: report.OK, IDWeakKey: report.Fail, IDRevoked: report.Warn, IDTesting: report.Warn,
		IDSyntax: report.Fail, IDMultiple: report.Fail, IDTempError: report.Warn, IDMissing: report.Fail,
	} {
		if ids[id] != sev {
			t.Errorf("finding %s: severity %q, want %q (all: %v)", id, ids[id], sev, ids)
		}
	}
	// The timed-out selector must not be reported as missing.
	for _, f := range fs {
		if f.ID == IDMissing && strings.Contains(f.Detail.EN, "slow") {
			t.Errorf("timeout reported as missing: %+v", f)
		}
	}
	if _, err := json.Marshal(res); err != nil {
		t.Fatal(err)
	}
}

func TestWeakKeySeverities(t *testing.T) {
	l := newLab(t)
	for _, bits := range []int{512, 1023, 1024, 2047, 2048, 4096} {
		l.txt(t, "sel._domainkey.b"+strconv.Itoa(bits)+".test", "v=DKIM1; p="+fakeRSA(t, bits, true))
	}
	for bits, want := range map[int]report.Severity{512: report.Fail, 1023: report.Fail, 1024: report.Warn, 2047: report.Warn, 2048: "", 4096: ""} {
		res := CheckSelectors(ctxT(t), l.res, "b"+strconv.Itoa(bits)+".test", []string{"sel"})
		got := findingIDs(Findings(res))[IDWeakKey]
		if got != want {
			t.Errorf("%d bits: weak_key severity %q, want %q", bits, got, want)
		}
		if want == "" && findingIDs(Findings(res))[IDOK] != report.OK {
			t.Errorf("%d bits: no dkim.ok", bits)
		}
	}
}

func TestCheckSelectorsGuessed(t *testing.T) {
	l := newLab(t)
	l.txt(t, "google._domainkey.guess.test", "v=DKIM1; k=rsa; p="+fakeRSA(t, 2048, true))
	l.txt(t, "s1._domainkey.guess.test", "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
	// A wildcard-like unrelated TXT at a guessed name is not a broken key.
	l.txt(t, "mail._domainkey.guess.test", "google-site-verification=abc")
	if len(CommonSelectors) > maxParallel {
		t.Fatal("the common selectors would need more than one round of lookups")
	}
	res := CheckSelectors(ctxT(t), l.res, "guess.test", nil)
	if !res.Guessed || !slices.Equal(res.Tried, CommonSelectors) {
		t.Fatalf("tried %v", res.Tried)
	}
	if !slices.Equal(res.Found, []string{"google", "s1"}) || res.Status != ResultOK || res.Incomplete {
		t.Fatalf("found %v status %s incomplete %v", res.Found, res.Status, res.Incomplete)
	}
	ids := findingIDs(Findings(res))
	if ids[IDOK] != report.OK || len(ids) != 1 {
		t.Fatalf("findings %v", ids)
	}
	// One query per selector, run concurrently.
	if n := l.srv.Count("google._domainkey.guess.test", resolver.TypeTXT); n != 1 {
		t.Errorf("google queried %d times", n)
	}
}

func TestCheckSelectorsGuessedNone(t *testing.T) {
	l := newLab(t)
	if err := l.srv.AddA("nokeys.test", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	res := CheckSelectors(ctxT(t), l.res, "nokeys.test", nil)
	if res.Status != ResultUnknown || res.Incomplete || len(res.Found) != 0 {
		t.Fatalf("%+v", res)
	}
	fs := Findings(res)
	checkTexts(t, fs)
	// Guessing found nothing: the selector is unknown, which is no evidence
	// of a missing key (an info, so --fail-on warn passes).
	if ids := findingIDs(fs); ids[IDSelectorUnknown] != report.Info || len(ids) != 1 {
		t.Fatalf("findings %v", ids)
	}
}

// TestSelectorTimeoutIsNotMissing: when every guessed selector times out the
// verdict is temperror and incomplete, never "no DKIM".
func TestSelectorTimeoutIsNotMissing(t *testing.T) {
	l := newLab(t)
	for _, s := range CommonSelectors {
		l.srv.SetRule(s+"._domainkey.dead.test", 0, dnsserver.Rule{Drop: true})
	}
	res := CheckSelectors(ctxT(t), l.res, "dead.test", nil)
	if res.Status != ResultTempError || !res.Incomplete {
		t.Fatalf("status %s incomplete %v", res.Status, res.Incomplete)
	}
	ids := findingIDs(Findings(res))
	if _, ok := ids[IDMissing]; ok {
		t.Fatalf("timeouts reported as missing: %v", ids)
	}
	if ids[IDTempError] != report.Warn {
		t.Fatalf("no temperror finding: %v", ids)
	}
	// With a named selector too.
	res = CheckSelectors(ctxT(t), l.res, "dead.test", []string{"selector1"})
	if res.Status != ResultTempError || !res.Incomplete || selector(res, "selector1").Status != StatusTempError {
		t.Fatalf("%+v", res)
	}
}

func TestCheckSelectorsCanceled(t *testing.T) {
	l := newLab(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := CheckSelectors(ctx, l.res, "example.test", []string{"a", "b"})
	if res.Status != ResultTempError || !res.Incomplete {
		t.Fatalf("%+v", res)
	}
}

func TestCheckSelectorsBadDomain(t *testing.T) {
	l := newLab(t)
	res := CheckSelectors(ctxT(t), l.res, "", nil)
	if res.Status != ResultError || res.Error == "" {
		t.Fatalf("%+v", res)
	}
	checkTexts(t, Findings(res))
}

func TestRegisteredFindings(t *testing.T) {
	for _, id := range []string{IDOK, IDMissing, IDWeakKey, IDRevoked, IDTesting, IDSyntax, IDMultiple, IDKeyWarning, IDTempError, IDVerifyPass, IDVerifyFail, IDUnsigned, IDSelectorUnknown} {
		d, ok := report.Lookup(id)
		if !ok || !d.Title.Complete() || !d.Advice.Complete() {
			t.Errorf("%s not registered with EN and DE texts", id)
		}
	}
}

// BenchmarkCheckSelectorsGuessed measures the guessed-selector probe against
// the lab with 20 ms added latency per answer: the lookups run concurrently,
// so one iteration should take about one round trip, not len(CommonSelectors).
func BenchmarkCheckSelectorsGuessed(b *testing.B) {
	s, err := dnsserver.Start("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.AddTXT("google._domainkey.bench.test", "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="); err != nil {
		b.Fatal(err)
	}
	s.SetDelay(20 * time.Millisecond)
	r, err := resolver.New(resolver.Config{Servers: []string{s.Addr()}, Timeout: 2 * time.Second, Attempts: 1, NoCache: true})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if res := CheckSelectors(ctx, r, "bench.test", nil); res.Status != ResultOK {
			b.Fatal(res.Status)
		}
	}
}
