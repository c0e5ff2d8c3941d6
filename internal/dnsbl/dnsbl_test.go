package dnsbl

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/lab/labdns"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/report/reporttest"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
)

func lab(t *testing.T) (*dnsserver.Server, *resolver.Resolver) { return labdns.Start(t) }

var must = reporttest.Must

// healthy adds the RFC 5782 §5 test entry to zone.
func healthy(t *testing.T, srv *dnsserver.Server, zone string) {
	t.Helper()
	must(t, srv.AddA("2.0.0.127."+zone, "127.0.0.2"))
	must(t, srv.AddTXT("2.0.0.127."+zone, "test entry"))
}

// spamhausLike is a test zone with the Spamhaus return codes.
func spamhausLike(name string) Zone {
	z := ZoneFor("zen.spamhaus.org")
	z.Name, z.Label = name, "Spamhaus-like "+name
	return z
}

func findingsByID(fs []report.Finding, id string) []report.Finding {
	var out []report.Finding
	for _, f := range fs {
		if f.ID == id {
			out = append(out, f)
		}
	}
	return out
}

func TestQueryName(t *testing.T) {
	if got := QueryName(netip.MustParseAddr("192.0.2.1"), "bl.example."); got != "1.2.0.192.bl.example" {
		t.Errorf("IPv4: %s", got)
	}
	if got := QueryName(netip.MustParseAddr("::ffff:192.0.2.1"), "bl.example"); got != "1.2.0.192.bl.example" {
		t.Errorf("mapped: %s", got)
	}
	want := "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example"
	if got := QueryName(netip.MustParseAddr("2001:db8::1"), "bl.example"); got != want {
		t.Errorf("IPv6 (RFC 5782 §2.4):\n got %s\nwant %s", got, want)
	}
}

func TestListedAndDecoded(t *testing.T) {
	srv, r := lab(t)
	ip := netip.MustParseAddr("198.51.100.7")
	sh := spamhausLike("zen.spamhaus.test")
	healthy(t, srv, sh.Name)
	must(t, srv.AddA(QueryName(ip, sh.Name), "127.0.0.2", "127.0.0.4"))
	must(t, srv.AddTXT(QueryName(ip, sh.Name), "Listed in SBL, see https://check.spamhaus.org/\x01"))
	other := Zone{Name: "bl.other.test", Label: "Other"}
	healthy(t, srv, other.Name)

	res := Check(context.Background(), r, ip, []Zone{sh, other})
	if res.Status != StatusListed {
		t.Fatalf("status %s: %+v", res.Status, res)
	}
	if m := checkJSON(t, res); m["status"] != "listed" {
		t.Fatalf("JSON %v", m)
	}
	z := res.Zones[0]
	if z.Status != StatusListed || z.Health != HealthOK || len(z.Listings) != 2 {
		t.Fatalf("zone %+v", z)
	}
	if z.Listings[0].Code.Name != "SBL" || z.Listings[1].Code.Name != "XBL" {
		t.Fatalf("decoding %+v", z.Listings)
	}
	if !strings.HasPrefix(z.Reason, "Listed in SBL") || strings.ContainsRune(z.Reason, 1) {
		t.Fatalf("reason %q", z.Reason)
	}
	if res.Zones[1].Status != StatusNotListed {
		t.Fatalf("other zone %+v", res.Zones[1])
	}
	fs := Findings(res)
	listed := findingsByID(fs, FindingListed)
	if len(listed) != 1 || !strings.Contains(listed[0].Detail.EN, "Spamhaus Block List") || !strings.Contains(listed[0].Detail.DE, "Spam-Quelle") {
		t.Fatalf("findings %+v", fs)
	}
	if !listed[0].Advice.IsZero() {
		t.Fatal("SBL listing must keep the general advice")
	}
	if len(findingsByID(fs, FindingClean)) != 0 {
		t.Fatal("no dnsbl.clean when listed somewhere")
	}

	// PBL only: a policy listing with its own advice.
	pbl := netip.MustParseAddr("198.51.100.8")
	must(t, srv.AddA(QueryName(pbl, sh.Name), "127.0.0.11"))
	res = Check(context.Background(), r, pbl, []Zone{sh})
	fs = Findings(res)
	if res.Status != StatusListed || len(fs) != 1 || fs[0].Advice.IsZero() || !strings.Contains(fs[0].Advice.EN, "PBL") {
		t.Fatalf("PBL: %+v / %+v", res, fs)
	}
}

// Spamhaus answers 127.255.255.254 to queries from public resolvers: that is
// "unknown" with advice, never a listing.
func TestSpamhausRefusalIsNotAListing(t *testing.T) {
	srv, r := lab(t)
	ip := netip.MustParseAddr("198.51.100.9")
	sh := spamhausLike("zen.refusing.test")
	for _, n := range []string{QueryName(ip, sh.Name), "2.0.0.127." + sh.Name, "1.0.0.127." + sh.Name} {
		must(t, srv.AddA(n, "127.255.255.254"))
	}
	res := Check(context.Background(), r, ip, []Zone{sh})
	z := res.Zones[0]
	if res.Status != StatusUnknown || z.Status != StatusUnknown || z.Health != HealthRefused || !errors.Is(z.Err, ErrRefused) {
		t.Fatalf("%+v", res)
	}
	if z.Refusal == nil || z.Refusal.Name != "public-resolver" || len(z.Listings) != 0 {
		t.Fatalf("refusal %+v", z)
	}
	fs := Findings(res)
	if len(fs) != 1 || fs[0].ID != FindingUnknown || !strings.Contains(fs[0].Advice.EN, "--resolver") || !strings.Contains(fs[0].Detail.DE, "öffentlichen") {
		t.Fatalf("findings %+v", fs)
	}

	// Rate limit (127.255.255.255) on the address only, healthy probes.
	sh2 := spamhausLike("zen.limited.test")
	healthy(t, srv, sh2.Name)
	must(t, srv.AddA(QueryName(ip, sh2.Name), "127.255.255.255"))
	res = Check(context.Background(), r, ip, []Zone{sh2})
	if res.Zones[0].Status != StatusUnknown || res.Zones[0].Refusal == nil || res.Zones[0].Refusal.Name != "rate-limit" {
		t.Fatalf("%+v", res.Zones[0])
	}
	// Any list: 127.255.255.0/24 is an error answer.
	gen := Zone{Name: "bl.generic.test", Label: "generic"}
	healthy(t, srv, gen.Name)
	must(t, srv.AddA(QueryName(ip, gen.Name), "127.255.255.1"))
	if res = Check(context.Background(), r, ip, []Zone{gen}); res.Status != StatusUnknown {
		t.Fatalf("generic error code: %+v", res)
	}
}

func TestZoneHealth(t *testing.T) {
	srv, r := lab(t)
	ip := netip.MustParseAddr("192.0.2.55")

	// Parked/wildcard list: everything is "listed", including 127.0.0.1.
	wild := Zone{Name: "parked.test", Label: "Parked"}
	for _, n := range []string{QueryName(ip, wild.Name), "2.0.0.127." + wild.Name, "1.0.0.127." + wild.Name} {
		must(t, srv.AddA(n, "127.0.0.2"))
	}
	// Dead list: test entry missing (but the address "listed").
	dead := Zone{Name: "dead.test", Label: "Dead"}
	must(t, srv.AddA(QueryName(ip, dead.Name), "127.0.0.2"))
	// List answering outside 127/8 (parked domain with a web server).
	web := Zone{Name: "web.test", Label: "Web"}
	for _, n := range []string{QueryName(ip, web.Name), "2.0.0.127." + web.Name} {
		must(t, srv.AddA(n, "192.0.2.80"))
	}
	// A list that does not answer at all.
	slow := Zone{Name: "slow.test", Label: "Slow"}
	srv.SetRule(QueryName(ip, slow.Name), 0, dnsserver.Rule{Drop: true})
	srv.SetRule("2.0.0.127."+slow.Name, 0, dnsserver.Rule{Drop: true})
	srv.SetRule("1.0.0.127."+slow.Name, 0, dnsserver.Rule{Drop: true})
	// Healthy and clean.
	good := Zone{Name: "good.test", Label: "Good"}
	healthy(t, srv, good.Name)

	res := Check(context.Background(), r, ip, []Zone{wild, dead, web, slow, good})
	want := []struct {
		s Status
		h Health
	}{{StatusBroken, HealthBroken}, {StatusBroken, HealthBroken}, {StatusBroken, HealthBroken}, {StatusUnknown, HealthUnknown}, {StatusNotListed, HealthOK}}
	for i, w := range want {
		if z := res.Zones[i]; z.Status != w.s || z.Health != w.h {
			t.Errorf("%s: status %s health %s, want %s %s (%s)", z.Zone.Name, z.Status, z.Health, w.s, w.h, z.Error)
		}
	}
	// Broken lists are not believed: no listing overall; one list timed out.
	if res.Status != StatusUnknown || len(res.Listed()) != 0 {
		t.Fatalf("overall %s", res.Status)
	}
	fs := Findings(res)
	// The three broken lists are one finding with three evidence lines; the
	// user named these zones, so the advice is to remove them.
	if b := findingsByID(fs, FindingZoneBroken); len(b) != 1 || len(b[0].Evidence) != 3 ||
		!strings.Contains(b[0].Detail.EN, "3 block lists") || !b[0].Advice.IsZero() {
		t.Errorf("zone_broken findings: %+v", b)
	}
	if n := len(findingsByID(fs, FindingUnknown)); n != 1 {
		t.Errorf("unknown findings: %d", n)
	}
	if n := len(findingsByID(fs, FindingListed)); n != 0 {
		t.Errorf("listed findings: %d", n)
	}
	if c := findingsByID(fs, FindingClean); len(c) != 1 || !strings.Contains(c[0].Detail.EN, "Good") {
		t.Errorf("clean finding %+v", c)
	}

	// Only healthy, clean lists: clean.
	res = Check(context.Background(), r, ip, []Zone{good})
	if res.Status != StatusClean {
		t.Fatalf("%+v", res)
	}
	if ids := Findings(res); len(ids) != 1 || ids[0].ID != FindingClean {
		t.Fatalf("%+v", ids)
	}
}

func TestIPv6(t *testing.T) {
	srv, r := lab(t)
	ip := netip.MustParseAddr("2001:db8::25")
	v6 := spamhausLike("zen6.test")
	healthy(t, srv, v6.Name)
	must(t, srv.AddA(QueryName(ip, v6.Name), "127.0.0.3"))
	v4only := Zone{Name: "v4.test", Label: "v4"}
	healthy(t, srv, v4only.Name)
	res := Check(context.Background(), r, ip, []Zone{v6, v4only})
	if res.Status != StatusListed || res.Zones[0].Listings[0].Code.Name != "CSS" || res.Zones[1].Status != StatusSkipped {
		t.Fatalf("%+v", res)
	}
	if srv.Count(QueryName(ip, v4only.Name), 0) != 0 {
		t.Fatal("an IPv4-only list was asked about an IPv6 address")
	}
}

func TestDefaults(t *testing.T) {
	names := []string{}
	for _, z := range DefaultZones() {
		names = append(names, z.Name)
		if z.Label == "" || z.Lookup == "" || len(z.Codes) == 0 {
			t.Errorf("zone %s incomplete", z.Name)
		}
		for a, c := range z.Codes {
			if !c.Meaning.Complete() {
				t.Errorf("%s %s: meaning not bilingual", z.Name, a)
			}
		}
	}
	for _, want := range []string{"zen.spamhaus.org", "bl.spamcop.net", "b.barracudacentral.org", "psbl.surriel.com", "bl.mailspike.net"} {
		if !slices.Contains(names, want) {
			t.Errorf("default zones lack %s", want)
		}
	}
	if z := ZoneFor("KEY123.zen.dq.spamhaus.net."); len(z.ErrorCodes) == 0 || z.Name != "key123.zen.dq.spamhaus.net" {
		t.Errorf("DQS zone %+v", z)
	}
	if z := ZoneFor("bl.custom.test"); z.Name != "bl.custom.test" || len(z.Codes) != 0 {
		t.Errorf("custom zone %+v", z)
	}
	if res := Check(context.Background(), nil, netip.Addr{}, nil); !errors.Is(res.Err, ErrInvalidIP) || Findings(res) != nil {
		t.Errorf("invalid IP %+v", res)
	}
}

// TestDefaultZonesBrokenAdvice: when mxprobe's built-in lists fail their
// health check, the advice does not tell the user to remove zones from a
// configuration they never made.
func TestDefaultZonesBrokenAdvice(t *testing.T) {
	_, r := lab(t) // knows none of the default zones: every test query is NXDOMAIN
	res := Check(context.Background(), r, netip.MustParseAddr("192.0.2.1"), nil)
	if !res.Defaults {
		t.Fatal("Defaults not set for nil zones")
	}
	b := findingsByID(Findings(res), FindingZoneBroken)
	if len(b) != 1 || b[0].Advice.IsZero() {
		t.Fatalf("want one grouped zone_broken with its own advice, got %+v", b)
	}
	for _, l := range []i18n.Lang{i18n.EN, i18n.DE} {
		adv := b[0].Localize(l).Advice
		if strings.Contains(adv, "Remove the zone") || strings.Contains(adv, "entfernen –") || !strings.Contains(adv, "--dnsbl") {
			t.Errorf("%s advice: %s", l, adv)
		}
	}
}

// TestIPv6OnlyIPv4Lists: an IPv6 address and lists that answer for IPv4
// only is "skipped" (not checked, said at info), never "unknown".
func TestIPv6OnlyIPv4Lists(t *testing.T) {
	srv, r := lab(t)
	healthy(t, srv, "v4only.test")
	res := Check(context.Background(), r, netip.MustParseAddr("2001:db8::25"), []Zone{{Name: "v4only.test", Label: "V4"}})
	fs := Findings(res)
	if res.Status != StatusSkipped || len(fs) != 1 || fs[0].ID != FindingUnknown || fs[0].Severity != report.Info {
		t.Fatalf("status %s findings %+v", res.Status, fs)
	}
}
