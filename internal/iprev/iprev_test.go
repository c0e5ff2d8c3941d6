package iprev

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"testing"

	"github.com/mxprobe/mxprobe/internal/lab/labdns"
	"github.com/mxprobe/mxprobe/internal/report/reporttest"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
)

func lab(t *testing.T) (*dnsserver.Server, *resolver.Resolver) { return labdns.Start(t) }

var must = reporttest.Must

var ids = reporttest.IDs

func TestCheck(t *testing.T) {
	srv, r := lab(t)
	// pass
	must(t, srv.AddPTR("192.0.2.1", "mail.example.test"))
	must(t, srv.AddA("mail.example.test", "192.0.2.1", "192.0.2.99"))
	// fail: the name points elsewhere
	must(t, srv.AddPTR("192.0.2.2", "other.example.test"))
	must(t, srv.AddA("other.example.test", "192.0.2.77"))
	// fail: the name does not exist
	must(t, srv.AddPTR("192.0.2.3", "ghost.example.test"))
	// several PTRs, the second confirms
	must(t, srv.AddPTR("192.0.2.4", "a.example.test"))
	must(t, srv.AddPTR("192.0.2.4", "b.example.test"))
	must(t, srv.AddA("a.example.test", "192.0.2.40"))
	must(t, srv.AddA("b.example.test", "192.0.2.4"))
	// generic but confirmed
	must(t, srv.AddPTR("198.51.100.7", "dyn-198-51-100-7.pool.isp.test"))
	must(t, srv.AddA("dyn-198-51-100-7.pool.isp.test", "198.51.100.7"))
	// IPv6 pass
	must(t, srv.AddPTR("2001:db8::25", "mx6.example.test"))
	must(t, srv.AddAAAA("mx6.example.test", "2001:db8::25"))
	// missing PTR (the reverse zone exists, this address has nothing)
	// timeouts: PTR, and forward lookup of the only name
	srv.SetRule(resolver.ReverseName(netip.MustParseAddr("192.0.2.6")), resolver.TypePTR, dnsserver.Rule{Drop: true})
	must(t, srv.AddPTR("192.0.2.7", "slow.example.test"))
	srv.SetRule("slow.example.test", resolver.TypeA, dnsserver.Rule{ServFail: true})

	cases := []struct {
		ip       string
		result   Status
		host     string
		err      error
		findings []string
	}{
		{"192.0.2.1", StatusPass, "mail.example.test", nil, []string{FindingOK}},
		{"192.0.2.2", StatusFail, "", ErrNotConfirmed, []string{FindingNotConfirmed}},
		{"192.0.2.3", StatusFail, "", ErrNotConfirmed, []string{FindingNotConfirmed}},
		{"192.0.2.4", StatusPass, "b.example.test", nil, []string{FindingMultiple, FindingOK}},
		{"198.51.100.7", StatusPass, "dyn-198-51-100-7.pool.isp.test", nil, []string{FindingGeneric, FindingOK}},
		{"2001:db8::25", StatusPass, "mx6.example.test", nil, []string{FindingOK}},
		{"192.0.2.5", StatusPermError, "", ErrNoPTR, []string{FindingMissing}},
		{"192.0.2.6", StatusTempError, "", ErrTemporary, []string{FindingTempError}},
		{"192.0.2.7", StatusTempError, "", ErrTemporary, []string{FindingTempError}},
		{"::ffff:192.0.2.1", StatusPass, "mail.example.test", nil, []string{FindingOK}},
	}
	for _, c := range cases {
		res := Check(context.Background(), r, netip.MustParseAddr(c.ip))
		if m := checkJSON(t, res); m["result"] != string(c.result) {
			t.Errorf("%s: JSON result %v", c.ip, m["result"])
		}
		if res.Result != c.result || res.Host != c.host {
			t.Errorf("%s: result %s host %q, want %s %q (%+v)", c.ip, res.Result, res.Host, c.result, c.host, res)
		}
		if c.err == nil && res.Err != nil || c.err != nil && !errors.Is(res.Err, c.err) {
			t.Errorf("%s: err %v, want %v", c.ip, res.Err, c.err)
		}
		want := slices.Clone(c.findings)
		slices.Sort(want)
		if got := ids(Findings(res)); !slices.Equal(got, want) {
			t.Errorf("%s: findings %v, want %v", c.ip, got, want)
		}
	}

	if res := Check(context.Background(), r, netip.Addr{}); res.Result != StatusPermError || !errors.Is(res.Err, ErrInvalidIP) || len(Findings(res)) != 0 {
		t.Errorf("invalid IP: %+v", res)
	}
}

func TestCheckManyNames(t *testing.T) {
	srv, r := lab(t)
	ip := "192.0.2.10"
	for i := 0; i < MaxNames+3; i++ {
		must(t, srv.AddPTR(ip, "n"+string(rune('a'+i))+".example.test"))
	}
	res := Check(context.Background(), r, netip.MustParseAddr(ip))
	checked := 0
	for _, n := range res.Names {
		if n.Checked {
			checked++
		}
	}
	if len(res.Names) != MaxNames+3 || checked != MaxNames || res.Result != StatusFail {
		t.Fatalf("names %d checked %d result %s", len(res.Names), checked, res.Result)
	}
}

func TestGeneric(t *testing.T) {
	cases := []struct {
		name, ip string
		want     bool
	}{
		{"mail.example.com", "192.0.2.1", false},
		{"mx1.mail.example.co.uk", "192.0.2.1", false},
		{"smtp-out-1-2.example.com", "1.2.3.4", false},
		{"example.com", "192.0.2.1", false},
		{"mail.dsl.example", "192.0.2.1", false}, // "dsl" is the registrable domain here
		{"dyn-198-51-100-7.isp.example", "198.51.100.7", true},
		{"198-51-100-7.isp.example", "198.51.100.7", true},
		{"7.100.51.198.in-addr.isp.example", "198.51.100.7", true},
		{"static.7.100.51.198.clients.your-server.de", "198.51.100.7", true},
		{"host-051-100-007.isp.example", "198.51.100.7", true},
		{"c6336407.isp.example", "198.51.100.7", true},
		{"p5b0a1234.dip0.t-ipconnect.de", "91.10.18.52", true},
		{"ip198051100007.isp.example", "198.51.100.7", true},
		{"adsl.customer.isp.example", "192.0.2.1", true},
		{"pool-1.isp.example", "192.0.2.1", true},
		{"cpe-1234.cable.isp.example", "192.0.2.1", true},
		{"ppp0.isp.example", "192.0.2.1", true},
		{"dhcp12.isp.example", "192.0.2.1", true},
		{"static-ip-1-2.isp.example", "192.0.2.1", true},
		{"static.isp.example", "192.0.2.1", false},
		{"host.isp.example", "192.0.2.1", false},
		{"mail-2001-db8-1--25.isp.example", "2001:db8:1::25", false},
		{"2001-db8-0-0-1-2-3-4.v6.isp.example", "2001:db8::1:2:3:4", true},
		{"dynamic.v6.isp.example", "2001:db8::1", true},
		{"mx6.example.com", "2001:db8::25", false},
	}
	for _, c := range cases {
		got, why := Generic(c.name, netip.MustParseAddr(c.ip))
		if got != c.want {
			t.Errorf("Generic(%q, %s) = %v (%s), want %v", c.name, c.ip, got, why, c.want)
		}
		if got && why == "" {
			t.Errorf("Generic(%q) gave no reason", c.name)
		}
	}
}

func FuzzGeneric(f *testing.F) {
	f.Add("dyn-198-51-100-7.pool.isp.example", []byte{198, 51, 100, 7})
	f.Add("mail.example.com", []byte{192, 0, 2, 1})
	f.Add("2001-db8-0-0-1-2-3-4.v6.isp.example", []byte{0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 1, 0, 2, 0, 3, 0, 4})
	f.Fuzz(func(t *testing.T, name string, ipb []byte) {
		ip, ok := netip.AddrFromSlice(ipb)
		if !ok {
			ip = netip.MustParseAddr("192.0.2.1")
		}
		g, why := Generic(name, ip)
		if g && why == "" {
			t.Fatal("generic without reason")
		}
	})
}
