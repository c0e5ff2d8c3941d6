package mx

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/lab/labdns"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/report/reporttest"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
)

// lab starts the loopback DNS server and a real resolver pointed at it.
func lab(t *testing.T) (*dnsserver.Server, *resolver.Resolver) { return labdns.Start(t) }

var must = reporttest.Must

var ids = reporttest.IDs

func hasFinding(fs []report.Finding, id string) (report.Finding, bool) {
	for _, f := range fs {
		if f.ID == id {
			return f, true
		}
	}
	return report.Finding{}, false
}

func TestResolveOrderAndAddresses(t *testing.T) {
	srv, r := lab(t)
	must(t, srv.AddMX("ok.test", 20, "mx3.ok.test"))
	must(t, srv.AddMX("ok.test", 10, "mx1.ok.test"))
	must(t, srv.AddMX("ok.test", 10, "mx2.ok.test"))
	must(t, srv.AddA("mx1.ok.test", "192.0.2.1"))
	must(t, srv.AddAAAA("mx1.ok.test", "2001:db8::1"))
	must(t, srv.AddA("mx2.ok.test", "192.0.2.2"))
	must(t, srv.AddAAAA("mx3.ok.test", "2001:db8::3"))

	seenFirst := map[string]bool{}
	// Equal preferences are shuffled: over a bounded number of runs both
	// orders of mx1/mx2 appear (probability of a false failure: 2^-39).
	for i := 0; i < 40 && len(seenFirst) < 2; i++ {
		res := Resolve(context.Background(), r, "OK.test.")
		if res.Status != StatusOK || res.Err != nil {
			t.Fatalf("status %s err %v", res.Status, res.Err)
		}
		if len(res.Hosts) != 3 || res.Hosts[2].Name != "mx3.ok.test" {
			t.Fatalf("hosts %+v", res.Hosts)
		}
		if res.Hosts[0].Preference != 10 || res.Hosts[1].Preference != 10 {
			t.Fatalf("not sorted by preference: %+v", res.Hosts)
		}
		seenFirst[res.Hosts[0].Name] = true
		for _, h := range res.Hosts {
			if !h.Usable() {
				t.Fatalf("host %s not usable: %+v", h.Name, h)
			}
			if h.Name == "mx1.ok.test" && len(h.IPs) != 2 {
				t.Fatalf("mx1 should have A and AAAA: %v", h.IPs)
			}
		}
		if i == 0 {
			fs := Findings(res)
			if f, ok := hasFinding(fs, FindingOK); !ok || len(fs) != 1 || len(f.Evidence) != 3 {
				t.Fatalf("findings %v", ids(fs))
			}
			if len(res.Addresses()) != 4 {
				t.Fatalf("addresses %v", res.Addresses())
			}
		}
	}
	if len(seenFirst) != 2 {
		t.Fatalf("equal-preference hosts never shuffled: %v", seenFirst)
	}
}

func TestNullMX(t *testing.T) {
	srv, r := lab(t)
	must(t, srv.AddMX("nomail.test", 0, "."))
	must(t, srv.AddA("nomail.test", "192.0.2.9")) // must not be used as implicit MX
	res := Resolve(context.Background(), r, "nomail.test")
	if res.Status != StatusNull || !errors.Is(res.Err, ErrNullMX) || len(res.Hosts) != 0 {
		t.Fatalf("%+v", res)
	}
	if got := ids(Findings(res)); !slices.Equal(got, []string{FindingNull}) {
		t.Fatalf("findings %v", got)
	}

	// Null MX next to real MX records: RFC 7505 §3 violation.
	must(t, srv.AddMX("mixed.test", 0, "."))
	must(t, srv.AddMX("mixed.test", 10, "mx.mixed.test"))
	must(t, srv.AddA("mx.mixed.test", "192.0.2.10"))
	res = Resolve(context.Background(), r, "mixed.test")
	if res.Status != StatusOK || !res.NullMixed || len(res.Hosts) != 1 {
		t.Fatalf("%+v", res)
	}
	if _, ok := hasFinding(Findings(res), FindingNullMixed); !ok {
		t.Fatalf("findings %v", ids(Findings(res)))
	}
}

func TestImplicitMX(t *testing.T) {
	srv, r := lab(t)
	must(t, srv.AddA("implicit.test", "192.0.2.20"))
	must(t, srv.AddTXT("implicit.test", "v=spf1 -all")) // the name exists: MX is NODATA
	res := Resolve(context.Background(), r, "implicit.test")
	if res.Status != StatusImplicit || res.DNSStatus != resolver.StatusNoData {
		t.Fatalf("%+v", res)
	}
	if len(res.Hosts) != 1 || !res.Hosts[0].Implicit || res.Hosts[0].Preference != 0 || res.Hosts[0].IPs[0].String() != "192.0.2.20" {
		t.Fatalf("hosts %+v", res.Hosts)
	}
	if got := ids(Findings(res)); !slices.Equal(got, []string{FindingImplicit}) {
		t.Fatalf("findings %v", got)
	}

	// Neither MX nor address: mx.none.
	must(t, srv.AddTXT("bare.test", "hello"))
	res = Resolve(context.Background(), r, "bare.test")
	if res.Status != StatusNone || !errors.Is(res.Err, ErrNoMX) {
		t.Fatalf("%+v", res)
	}
	if got := ids(Findings(res)); !slices.Equal(got, []string{FindingNone}) {
		t.Fatalf("findings %v", got)
	}
}

func TestNXDomain(t *testing.T) {
	srv, r := lab(t)
	must(t, srv.AddA("exists.test", "192.0.2.1"))
	res := Resolve(context.Background(), r, "missing.exists.test")
	if res.Status != StatusNXDomain || !errors.Is(res.Err, ErrNXDomain) {
		t.Fatalf("%+v", res)
	}
	if got := ids(Findings(res)); !slices.Equal(got, []string{FindingNXDomain}) {
		t.Fatalf("findings %v", got)
	}
}

// A timeout or SERVFAIL on the MX question is not "no MX": no implicit-MX
// fallback, no mx.none, no mx.nxdomain.
func TestTimeoutIsNotNoMX(t *testing.T) {
	srv, r := lab(t)
	must(t, srv.AddA("slow.test", "192.0.2.30"))
	must(t, srv.AddA("broken.test", "192.0.2.31"))
	srv.SetRule("slow.test", resolver.TypeMX, dnsserver.Rule{Drop: true})
	srv.SetRule("broken.test", resolver.TypeMX, dnsserver.Rule{ServFail: true})
	for _, c := range []struct {
		domain string
		status resolver.Status
	}{{"slow.test", resolver.StatusTimeout}, {"broken.test", resolver.StatusServFail}} {
		res := Resolve(context.Background(), r, c.domain)
		if res.Status != StatusTempError || res.DNSStatus != c.status || !errors.Is(res.Err, ErrTemporary) || len(res.Hosts) != 0 {
			t.Fatalf("%s: %+v", c.domain, res)
		}
		if got := ids(Findings(res)); !slices.Equal(got, []string{FindingTempError}) {
			t.Fatalf("%s: findings %v", c.domain, got)
		}
	}

	// An MX host whose address lookups time out is a temporary failure, not
	// "no address".
	must(t, srv.AddMX("hostslow.test", 10, "mx.hostslow.test"))
	srv.SetRule("mx.hostslow.test", 0, dnsserver.Rule{Drop: true})
	res := Resolve(context.Background(), r, "hostslow.test")
	if res.Status != StatusOK || !res.Hosts[0].Temporary() || res.Hosts[0].AStatus != resolver.StatusTimeout {
		t.Fatalf("%+v", res)
	}
	if got := ids(Findings(res)); !slices.Equal(got, []string{FindingHostFailed}) {
		t.Fatalf("findings %v", got)
	}

	// No implicit MX when the A lookup of an MX-less domain times out.
	must(t, srv.AddTXT("halfway.test", "x"))
	srv.SetRule("halfway.test", resolver.TypeA, dnsserver.Rule{Drop: true})
	srv.SetRule("halfway.test", resolver.TypeAAAA, dnsserver.Rule{Drop: true})
	res = Resolve(context.Background(), r, "halfway.test")
	if res.Status != StatusTempError {
		t.Fatalf("%+v", res)
	}
}

func TestCNAMEAndBadTargets(t *testing.T) {
	srv, r := lab(t)
	must(t, srv.AddMX("alias.test", 10, "mail.alias.test"))
	must(t, srv.AddMX("alias.test", 20, "192.0.2.40"))
	must(t, srv.AddMX("alias.test", 30, "gone.alias.test"))
	must(t, srv.AddMX("alias.test", 40, "noaddr.alias.test"))
	must(t, srv.AddCNAME("mail.alias.test", "real.alias.test"))
	must(t, srv.AddA("real.alias.test", "192.0.2.41"))
	must(t, srv.AddTXT("noaddr.alias.test", "no address here"))
	must(t, srv.AddA("192.0.2.40", "192.0.2.40")) // even if the "name" resolves, it stays a literal

	res := Resolve(context.Background(), r, "alias.test")
	if res.Status != StatusOK || len(res.Hosts) != 4 {
		t.Fatalf("%+v", res)
	}
	if m := checkJSON(t, res); m["status"] != "ok" || len(m["hosts"].([]any)) != 4 {
		t.Fatalf("JSON %v", m)
	}
	h := res.Hosts[0]
	if h.Name != "mail.alias.test" || len(h.CNAMEs) == 0 || !h.Usable() {
		t.Fatalf("CNAME host %+v", h)
	}
	if !res.Hosts[1].IPLiteral || res.Hosts[1].Usable() {
		t.Fatalf("literal %+v", res.Hosts[1])
	}
	if res.Hosts[2].AStatus != resolver.StatusNXDomain || res.Hosts[3].AStatus != resolver.StatusNoData {
		t.Fatalf("no-address hosts %+v %+v", res.Hosts[2], res.Hosts[3])
	}
	fs := Findings(res)
	for _, id := range []string{FindingCNAME, FindingIPLiteral, FindingNoAddress, FindingOK} {
		if _, ok := hasFinding(fs, id); !ok {
			t.Errorf("missing %s in %v", id, ids(fs))
		}
	}
	// Other hosts take mail: a missing address is a warning, not a failure.
	if f, _ := hasFinding(fs, FindingNoAddress); f.Severity != report.Warn {
		t.Errorf("no_address severity %s", f.Severity)
	}

	// Only one host, without address: fail.
	must(t, srv.AddMX("dead.test", 10, "nothing.dead.test"))
	must(t, srv.AddTXT("dead.test", "x"))
	res = Resolve(context.Background(), r, "dead.test")
	fs = Findings(res)
	if f, ok := hasFinding(fs, FindingNoAddress); !ok || f.Severity != report.Fail || len(fs) != 1 {
		t.Fatalf("findings %v", ids(fs))
	}
}

func TestIDNAndInvalid(t *testing.T) {
	srv, r := lab(t)
	must(t, srv.AddMX("xn--bcher-kva.test", 10, "mx.xn--bcher-kva.test"))
	must(t, srv.AddA("mx.xn--bcher-kva.test", "192.0.2.50"))
	res := Resolve(context.Background(), r, "Bücher.test")
	if res.Status != StatusOK || res.Domain != "xn--bcher-kva.test" {
		t.Fatalf("%+v", res)
	}
	res = Resolve(context.Background(), r, "")
	if res.Status != StatusInvalid || !errors.Is(res.Err, ErrInvalid) {
		t.Fatalf("%+v", res)
	}
}

func TestCancelledContext(t *testing.T) {
	srv, r := lab(t)
	must(t, srv.AddMX("c.test", 10, "mx.c.test"))
	srv.SetRule("c.test", resolver.TypeMX, dnsserver.Rule{Drop: true})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := Resolve(ctx, r, "c.test")
	if res.Status != StatusTempError {
		t.Fatalf("%+v", res)
	}
}

func TestFindingsLocalized(t *testing.T) {
	for _, id := range []string{FindingOK, FindingNone, FindingNull, FindingNullMixed, FindingImplicit,
		FindingNXDomain, FindingTempError, FindingCNAME, FindingIPLiteral, FindingNoAddress, FindingHostFailed} {
		d, ok := report.Lookup(id)
		if !ok || !d.Title.Complete() || !d.Advice.Complete() {
			t.Errorf("%s: not registered with EN and DE", id)
		}
		if d.Title.In(i18n.DE) == d.Title.In(i18n.EN) {
			t.Errorf("%s: German title equals English", id)
		}
	}
}
