package spf_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
	"github.com/mxprobe/mxprobe/internal/spf"
)

// world is a loopback authoritative DNS server with a real resolver in front.
type world struct {
	t   testing.TB
	srv *dnsserver.Server
	r   *resolver.Resolver
}

func newWorld(t testing.TB, cfg resolver.Config) *world {
	t.Helper()
	srv, err := dnsserver.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	cfg.Servers = []string{srv.Addr()}
	if cfg.Timeout == 0 {
		cfg.Timeout = 2 * time.Second
	}
	if cfg.Attempts == 0 {
		cfg.Attempts = 1
	}
	r, err := resolver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &world{t: t, srv: srv, r: r}
}

// txt adds a TXT record; a single string longer than 255 bytes is split
// into several character-strings, as publishers do (RFC 7208 §3.3).
func (w *world) txt(name string, strs ...string) {
	w.t.Helper()
	if len(strs) == 1 && len(strs[0]) > 255 {
		s := strs[0]
		strs = nil
		for len(s) > 255 {
			strs = append(strs, s[:255])
			s = s[255:]
		}
		strs = append(strs, s)
	}
	if err := w.srv.AddTXT(name, strs...); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) a(name string, ips ...string) {
	w.t.Helper()
	if err := w.srv.AddA(name, ips...); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) check(ip, domain string) spf.Result {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return spf.CheckHost(ctx, w.r, spf.Query{IP: netip.MustParseAddr(ip), Domain: domain, HELO: "mta.client.test"})
}

func findingIDs(fs []report.Finding) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	return ids
}

func wantFindings(t *testing.T, res spf.Result, ids ...string) []report.Finding {
	t.Helper()
	fs := spf.Findings(res)
	got := findingIDs(fs)
	for _, id := range ids {
		if !slices.Contains(got, id) {
			t.Errorf("findings %v lack %s", got, id)
		}
	}
	for _, f := range fs {
		if !f.Detail.Complete() || f.Detail.DE == f.Detail.EN {
			t.Errorf("finding %s: detail not in both languages: %+v", f.ID, f.Detail)
		}
	}
	return fs
}

// TestLookupLimit30Includes: a record with 30 includes stops with permerror
// at the 11th DNS-querying term, and never queries the rest.
func TestLookupLimit30Includes(t *testing.T) {
	w := newWorld(t, resolver.Config{})
	var terms []string
	for i := 1; i <= 30; i++ {
		name := fmt.Sprintf("i%d.limit.test", i)
		terms = append(terms, "include:"+name)
		w.txt(name, fmt.Sprintf("v=spf1 ip4:192.0.2.%d -all", i))
	}
	w.txt("limit.test", "v=spf1 "+strings.Join(terms, " ")+" -all")

	// Not listed anywhere: evaluation runs into the limit.
	res := w.check("198.51.100.1", "limit.test")
	if res.Status != spf.Permerror || !errors.Is(res.Err, spf.ErrTooManyLookups) {
		t.Fatalf("got %s (%v), want permerror with ErrTooManyLookups", res.Status, res.Err)
	}
	if res.Lookups != 11 {
		t.Errorf("lookups = %d, want 11 (stopped at the first term over the limit)", res.Lookups)
	}
	if !strings.Contains(res.Error, "include:i11.limit.test") {
		t.Errorf("error does not name the 11th term: %s", res.Error)
	}
	if n := w.srv.Count("i11.limit.test", 0); n != 0 {
		t.Errorf("i11.limit.test was queried %d times after the limit", n)
	}
	if n := w.srv.Count("i10.limit.test", resolver.TypeTXT); n != 1 {
		t.Errorf("i10.limit.test TXT queried %d times, want 1", n)
	}
	if len(res.Tree.Children) != 10 {
		t.Errorf("tree has %d includes, want 10", len(res.Tree.Children))
	}
	wantFindings(t, res, spf.IDPermerror, spf.IDLookupLimit)

	// Listed in the 5th include: the limit is never reached (counted lazily,
	// as the test suite's include-at-limit case requires).
	res = w.check("192.0.2.5", "limit.test")
	if res.Status != spf.Pass || res.Lookups != 5 || res.Matched != "include:i5.limit.test" {
		t.Errorf("got %s matched %q after %d lookups (%v), want pass via include:i5 after 5", res.Status, res.Matched, res.Lookups, res.Err)
	}
	fs := wantFindings(t, res, spf.IDPass)
	if d := fs[0].Detail.EN; !strings.Contains(d, "limit.test: include:i5.limit.test → i5.limit.test: ip4:192.0.2.5") {
		t.Errorf("pass detail lacks the match path: %s", d)
	}
}

// TestIncludeLoop: includes and redirects that lead back are a permerror
// named as a loop, found before the lookup limit.
func TestIncludeLoop(t *testing.T) {
	w := newWorld(t, resolver.Config{})
	w.txt("a.loop.test", "v=spf1 ip4:192.0.2.1 include:b.loop.test -all")
	w.txt("b.loop.test", "v=spf1 include:c.loop.test ~all")
	w.txt("c.loop.test", "v=spf1 include:A.loop.test ?all")
	w.txt("self.loop.test", "v=spf1 ip4:192.0.2.1 redirect=self.loop.test")
	w.txt("r1.loop.test", "v=spf1 redirect=r2.loop.test")
	w.txt("r2.loop.test", "v=spf1 include:r1.loop.test")

	for _, tc := range []struct {
		domain  string
		lookups int
	}{{"a.loop.test", 3}, {"self.loop.test", 1}, {"r1.loop.test", 2}} {
		res := w.check("198.51.100.1", tc.domain)
		if res.Status != spf.Permerror || !errors.Is(res.Err, spf.ErrLoop) {
			t.Errorf("%s: got %s (%v), want permerror with ErrLoop", tc.domain, res.Status, res.Err)
			continue
		}
		if res.Lookups != tc.lookups {
			t.Errorf("%s: lookups = %d, want %d", tc.domain, res.Lookups, tc.lookups)
		}
		wantFindings(t, res, spf.IDPermerror, spf.IDLoop)
	}
	// A match before the loop closes is still a pass.
	if res := w.check("192.0.2.1", "a.loop.test"); res.Status != spf.Pass {
		t.Errorf("a.loop.test from 192.0.2.1: %s (%v)", res.Status, res.Err)
	}
}

// TestTemporaryErrorsNeverNone: a timeout or SERVFAIL is temperror — at the
// record, in an include and in a mechanism — never "none" or a non-match.
func TestTemporaryErrorsNeverNone(t *testing.T) {
	w := newWorld(t, resolver.Config{Timeout: 300 * time.Millisecond, Attempts: 1})
	w.srv.SetRule("drop.test", resolver.TypeTXT, dnsserver.Rule{Drop: true})
	w.srv.SetRule("servfail.test", resolver.TypeTXT, dnsserver.Rule{ServFail: true})
	w.srv.SetRule("refused.test", resolver.TypeTXT, dnsserver.Rule{Refused: true})
	w.txt("inc.test", "v=spf1 include:drop.test -all")
	w.txt("amech.test", "v=spf1 a:slow.test -all")
	w.srv.SetRule("slow.test", resolver.TypeA, dnsserver.Rule{Drop: true})
	w.txt("mx.test", "v=spf1 mx -all")
	w.srv.SetRule("mx.test", resolver.TypeMX, dnsserver.Rule{ServFail: true})

	for domain, status := range map[string]resolver.Status{
		"drop.test": resolver.StatusTimeout, "servfail.test": resolver.StatusServFail,
		"refused.test": resolver.StatusRefused, "inc.test": resolver.StatusTimeout,
		"amech.test": resolver.StatusTimeout, "mx.test": resolver.StatusServFail,
	} {
		res := w.check("192.0.2.1", domain)
		var de *spf.DNSError
		if res.Status != spf.Temperror || !errors.As(res.Err, &de) || de.Status != status {
			t.Errorf("%s: got %s (%v), want temperror with DNS status %s", domain, res.Status, res.Err, status)
			continue
		}
		fs := wantFindings(t, res, spf.IDTemperror)
		if status == resolver.StatusTimeout && !strings.Contains(fs[0].Detail.EN, "timed out") {
			t.Errorf("%s: detail does not say it timed out: %s", domain, fs[0].Detail.EN)
		}
	}

	// The caller's deadline is a temperror too.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := spf.CheckHost(ctx, w.r, spf.Query{IP: netip.MustParseAddr("192.0.2.1"), Domain: "inc.test"})
	if res.Status != spf.Temperror {
		t.Errorf("cancelled context: %s (%v)", res.Status, res.Err)
	}
}

// TestResultJSON checks the public JSON shape of the result and the tree.
func TestResultJSON(t *testing.T) {
	w := newWorld(t, resolver.Config{})
	w.txt("json.test", "v=spf1 include:_a.json.test redirect=_r.json.test")
	w.txt("_a.json.test", "v=spf1 ip4:192.0.2.0/24 -all")
	w.txt("_r.json.test", "v=spf1 a:host.json.test -all exp=why.json.test")
	w.a("host.json.test", "198.51.100.7")
	w.txt("why.json.test", "%{c} is not allowed for %{d} (%{r})")

	ctx := context.Background()
	res := spf.CheckHost(ctx, w.r, spf.Query{
		IP: netip.MustParseAddr("203.0.113.9"), Domain: "JSON.test.", Sender: "alice@json.test",
		HELO: "mta.client.test", Receiver: "mx.receiver.test",
	})
	if res.Status != spf.Fail || res.Matched != "-all" || res.Lookups != 3 {
		t.Fatalf("got %s matched %q lookups %d (%v)", res.Status, res.Matched, res.Lookups, res.Err)
	}
	if want := "203.0.113.9 is not allowed for _r.json.test (mx.receiver.test)"; res.Explanation != want {
		t.Errorf("explanation %q, want %q", res.Explanation, want)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"domain", "error", "explanation", "lookups", "matched", "record", "result", "tree", "void_lookups"}; !slices.Equal(keys, want) {
		t.Errorf("JSON keys %v, want %v", keys, want)
	}
	if m["result"] != "fail" || m["domain"] != "json.test" || m["record"] != "v=spf1 include:_a.json.test redirect=_r.json.test" {
		t.Errorf("JSON %s", b)
	}
	tree := res.Tree
	if tree.Domain != "json.test" || tree.Result != spf.Fail || len(tree.Children) != 2 {
		t.Fatalf("tree %+v", tree)
	}
	inc, red := tree.Children[0], tree.Children[1]
	if inc.Via != "include" || inc.Domain != "_a.json.test" || inc.Result != spf.Fail || inc.Matched != "-all" {
		t.Errorf("include node %+v", inc)
	}
	if red.Via != "redirect" || red.Term != "redirect=_r.json.test" || red.Result != spf.Fail || red.Matched != "-all" || red.Record != "v=spf1 a:host.json.test -all exp=why.json.test" {
		t.Errorf("redirect node %+v", red)
	}
	fs := wantFindings(t, res, spf.IDFail)
	if d := fs[0].Detail.EN; !strings.Contains(d, "json.test: redirect=_r.json.test → _r.json.test: -all") || !strings.Contains(d, "mx.receiver.test") {
		t.Errorf("fail detail: %s", d)
	}

	// A clean pass has an empty error, and a domain without record no tree.
	res = w.check("192.0.2.1", "json.test")
	if res.Status != spf.Pass || res.Error != "" || res.Err != nil {
		t.Errorf("pass: %+v", res)
	}
	res = w.check("192.0.2.1", "norecord.json.test")
	if res.Status != spf.None || !errors.Is(res.Err, spf.ErrNoRecord) || res.Tree != nil {
		t.Errorf("none: %+v", res)
	}
	wantFindings(t, res, spf.IDNone)
}

// TestCheckIdentity: RFC 7208 §2.3/§2.4 — MAIL FROM's domain, or
// postmaster@HELO for the null sender.
func TestCheckIdentity(t *testing.T) {
	w := newWorld(t, resolver.Config{})
	// exists: matches only if the local-part and the domain expand as expected.
	w.txt("from.test", "v=spf1 exists:%{l}.%{o}.%{d}.id.test -all")
	w.a("bob.from.test.from.test.id.test", "127.0.0.2")
	w.txt("helo.test", "v=spf1 exists:%{l}.%{h}.id.test -all")
	w.a("postmaster.helo.test.id.test", "127.0.0.2")
	w.a("postmaster.x.test.id.test", "127.0.0.2")
	ip := netip.MustParseAddr("192.0.2.1")
	ctx := context.Background()
	for _, tc := range []struct {
		from, helo, domain string
	}{
		{"bob@from.test", "helo.test", "from.test"},
		{"<bob@from.test>", "helo.test", "from.test"},
		{"", "helo.test", "helo.test"},
		{"<>", "helo.test", "helo.test"},
		{"@helo.test", "x.test", "helo.test"}, // no local-part: postmaster
	} {
		res := spf.Check(ctx, w.r, ip, tc.from, tc.helo)
		if res.Status != spf.Pass || res.Domain != tc.domain {
			t.Errorf("Check(%q, %q) = %s for %s (%v), want pass for %s", tc.from, tc.helo, res.Status, res.Domain, res.Err, tc.domain)
		}
	}
	// Malformed identities give none without any lookup (RFC 7208 §4.3).
	before := w.srv.Queries()
	for _, d := range []string{"[192.0.2.1]", "localhost", "a..example", strings.Repeat("x", 64) + ".example", "192.0.2.1"} {
		res := spf.Check(ctx, w.r, ip, "", d)
		if res.Status != spf.None || !errors.Is(res.Err, spf.ErrInvalidDomain) {
			t.Errorf("HELO %q: %s (%v), want none with ErrInvalidDomain", d, res.Status, res.Err)
		}
	}
	if n := w.srv.Queries() - before; n != 0 {
		t.Errorf("%d queries for malformed domains", n)
	}
	// The null sender with an address-literal or empty EHLO: SPF is about
	// the EHLO name and says so, at info (nothing to check, nothing wrong
	// with a record), never `"" is empty`.
	for _, h := range []string{"", "[192.0.2.1]", "[IPv6:2001:db8::1]"} {
		res := spf.Check(ctx, w.r, ip, "<>", h)
		if res.Identity != spf.IdentityHELO || !errors.Is(res.Err, spf.ErrHELONotName) {
			t.Errorf("HELO %q: identity %q err %v", h, res.Identity, res.Err)
		}
		fs := spf.Findings(res)
		if len(fs) != 1 || fs[0].ID != spf.IDNone || fs[0].Severity != report.Info ||
			!strings.Contains(fs[0].Detail.EN, "EHLO name") || strings.Contains(fs[0].Detail.EN, "is empty") {
			t.Errorf("HELO %q: findings %+v", h, fs)
		}
	}
	if res := spf.Check(ctx, w.r, ip, "", "helo.test"); res.Identity != spf.IdentityHELO ||
		!strings.Contains(spf.Findings(res)[0].Detail.EN, "SPF of the EHLO name helo.test") ||
		!strings.Contains(spf.Findings(res)[0].Detail.DE, "SPF des EHLO-Namens helo.test") {
		t.Errorf("null sender with a HELO name: %+v", res)
	}
	if res := spf.Check(ctx, w.r, ip, "bob@from.test", "helo.test"); res.Identity != spf.IdentityMailFrom {
		t.Errorf("identity %q, want mail_from", res.Identity)
	}
	// No usable client address.
	if res := spf.Check(ctx, w.r, netip.Addr{}, "bob@from.test", "helo.test"); res.Status != spf.Permerror || !errors.Is(res.Err, spf.ErrInvalidInput) {
		t.Errorf("invalid IP: %s (%v)", res.Status, res.Err)
	}
}

// TestIDNDomain: a U-label domain is evaluated under its A-label form.
func TestIDNDomain(t *testing.T) {
	w := newWorld(t, resolver.Config{})
	w.txt("xn--bcher-kva.test", "v=spf1 ip4:192.0.2.1 -all")
	res := w.check("192.0.2.1", "bücher.test")
	if res.Status != spf.Pass || res.Domain != "xn--bcher-kva.test" {
		t.Errorf("got %s for %q (%v)", res.Status, res.Domain, res.Err)
	}
}

// TestSpecificFindings: each cause gets its own finding id.
func TestSpecificFindings(t *testing.T) {
	w := newWorld(t, resolver.Config{})
	w.txt("void.test", "v=spf1 a:n1.void.test a:n2.void.test exists:n3.void.test -all")
	w.txt("multi.test", "v=spf1 -all")
	w.txt("multi.test", "v=spf1 +all")
	w.txt("multi.test", "google-site-verification=abc")
	w.txt("syntax.test", "v=spf1 ip4:192.0.2.1 a:192.0.2.7 -all")
	w.txt("incnone.test", "v=spf1 include:gone.test -all")
	w.txt("gone.test", "some other TXT record")
	w.txt("rednone.test", "v=spf1 redirect=gone.test")
	w.txt("ptr.test", "v=spf1 ptr -all")
	w.txt("mxlimit.test", "v=spf1 mx -all")
	for i := 0; i < 11; i++ {
		if err := w.srv.AddMX("mxlimit.test", uint16(i), fmt.Sprintf("mx%d.mxlimit.test", i)); err != nil {
			t.Fatal(err)
		}
	}
	for domain, ids := range map[string][]string{
		"void.test":     {spf.IDPermerror, spf.IDVoidLimit},
		"multi.test":    {spf.IDPermerror, spf.IDMultipleRecords},
		"syntax.test":   {spf.IDPermerror, spf.IDSyntaxError},
		"incnone.test":  {spf.IDPermerror, spf.IDIncludeNone},
		"rednone.test":  {spf.IDPermerror, spf.IDRedirectNone},
		"ptr.test":      {spf.IDFail, spf.IDPTRUsed},
		"mxlimit.test":  {spf.IDPermerror, spf.IDMXLimit},
		"nothing.test":  {spf.IDNone},
		"multi.test.":   {spf.IDPermerror, spf.IDMultipleRecords},
		"bad..name.com": {spf.IDNone},
	} {
		res := w.check("192.0.2.1", domain)
		fs := wantFindings(t, res, ids...)
		if len(fs) != len(ids) {
			t.Errorf("%s: findings %v, want exactly %v", domain, findingIDs(fs), ids)
		}
	}
	res := w.check("192.0.2.1", "void.test")
	if res.VoidLookups != 3 || res.Lookups != 3 {
		t.Errorf("void.test: lookups %d void %d", res.Lookups, res.VoidLookups)
	}
	res = w.check("192.0.2.1", "syntax.test")
	if !strings.Contains(res.Error, `"a:192.0.2.7"`) || !strings.Contains(res.Error, "use ip4:") {
		t.Errorf("syntax error not precise: %s", res.Error)
	}
}

// TestFindingCatalog: every spf finding is registered with both languages.
func TestFindingCatalog(t *testing.T) {
	n := 0
	for _, d := range report.All() {
		if !strings.HasPrefix(d.ID, "spf.") {
			continue
		}
		n++
		if !d.Title.Complete() || !d.Advice.Complete() {
			t.Errorf("%s: title or advice missing a language", d.ID)
		}
		// German without Umlaute (ae/oe/ue/ss for ä/ö/ü/ß) is a style error.
		for _, s := range []string{d.Title.DE, d.Advice.DE} {
			for _, bad := range transliterated {
				if strings.Contains(strings.ToLower(s), bad) {
					t.Errorf("%s: %q contains %q (missing Umlaut)", d.ID, s, bad)
				}
			}
		}
	}
	if n < 15 {
		t.Errorf("only %d spf findings registered", n)
	}
	for _, st := range []spf.Status{spf.None, spf.Neutral, spf.Pass, spf.Fail, spf.Softfail, spf.Temperror, spf.Permerror} {
		fs := spf.Findings(spf.Result{Status: st, Domain: "example.test"})
		if len(fs) == 0 || fs[0].ID != "spf."+string(st) {
			t.Errorf("%s: findings %v", st, findingIDs(fs))
		}
		if l := fs[0].Localize(i18n.DE); l.Title == "" || l.Advice == "" || l.Detail == "" {
			t.Errorf("%s: German rendering incomplete: %+v", st, l)
		}
	}
}

// transliterated are stems that betray German written without Umlaute.
var transliterated = []string{"fuer", "ueber", "koenn", "muess", "moegl", "pruef", "groess", "aender", "loesch", "zurueck", "gueltig", "verfueg", "schliess", "fehlschlaeg", "eintraeg", "abfragen ohne ergebniss"}
