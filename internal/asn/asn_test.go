package asn

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/lab/labdns"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
)

func TestLookup(t *testing.T) {
	srv, r := labdns.Start(t)
	if err := srv.AddRR(
		`25.2.0.192.origin.asn.cymru.com. 60 IN TXT "24940 | 192.0.2.0/24 | DE | ripencc | 2004-05-18"`,
		`AS24940.asn.cymru.com. 60 IN TXT "24940 | DE | ripencc | 2002-06-03 | HETZNER-AS, DE"`,
		`26.2.0.192.origin.asn.cymru.com. 60 IN TXT "64510 64511 | 192.0.2.0/24 | DE | ripencc | 2004-05-18"`,
		`AS64510.asn.cymru.com. 60 IN TXT "64510 | DE | ripencc | 2002-06-03 | EXAMPLE-DSL Broadband, DE"`,
		`27.2.0.192.origin.asn.cymru.com. 60 IN TXT "garbage"`,
		`1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.origin6.asn.cymru.com. 60 IN TXT "64512 | 2001:db8::/32 | NL | ripencc | 2010-01-01"`,
		`25.2.0.192.dnsbl-2.uceprotect.net. 60 IN A 127.0.0.2`,
	); err != nil {
		t.Fatal(err)
	}
	srv.SetRule("28.2.0.192.origin.asn.cymru.com", resolver.TypeTXT, dnsserver.Rule{ServFail: true})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, c := range []struct {
		ip, status, kind, holder string
		asn                      uint32
	}{
		{"192.0.2.25", StatusOK, KindHosting, "HETZNER-AS, DE", 24940},
		{"192.0.2.26", StatusOK, KindAccess, "EXAMPLE-DSL Broadband, DE", 64510},
		{"192.0.2.27", StatusError, KindUnknown, "", 0},
		{"192.0.2.28", StatusTempError, KindUnknown, "", 0},
		{"192.0.2.29", StatusNone, KindUnknown, "", 0},
		{"2001:db8::1", StatusOK, KindUnknown, "", 64512},
	} {
		res := Lookup(ctx, r, CymruZones, netip.MustParseAddr(c.ip))
		if res.Status != c.status || res.Kind != c.kind || res.Holder != c.holder || res.ASN != c.asn {
			t.Errorf("%s: %+v", c.ip, res)
		}
	}
	ls := CheckRanges(ctx, r, netip.MustParseAddr("192.0.2.25"), UCEPROTECTZones)
	if ls[0].Status != RangeListed || ls[0].Answer != "127.0.0.2" || ls[1].Status != RangeNotListed {
		t.Errorf("ranges: %+v", ls)
	}
	if l6 := CheckRanges(ctx, r, netip.MustParseAddr("2001:db8::1"), UCEPROTECTZones); l6[0].Status != RangeUnknown {
		t.Errorf("IPv6 range status %s", l6[0].Status)
	}
	if res := Lookup(ctx, r, CymruZones, netip.Addr{}); res.Status != StatusError {
		t.Errorf("invalid IP: %+v", res)
	}
}

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		asn          uint32
		holder, kind string
		src          string
	}{
		{16509, "AMAZON-02", KindHosting, "table"}, {3320, "DTAG", KindAccess, "table"},
		{64500, "Example Cloud Services", KindHosting, "name"}, {64501, "Example Kabel GmbH", KindAccess, "name"},
		{64502, "EXAMPLE-NET", KindUnknown, ""},
	} {
		k, s := Classify(c.asn, c.holder)
		if k != c.kind || s != c.src {
			t.Errorf("Classify(%d, %q) = %s, %s", c.asn, c.holder, k, s)
		}
	}
}

func FuzzParseOrigin(f *testing.F) {
	f.Add("24940 | 88.198.0.0/16 | DE | ripencc | 2004-05-18")
	f.Add("1 2 | ::/0 |")
	f.Add("||||||||||")
	f.Fuzz(func(t *testing.T, s string) {
		var r Result
		if r.parseOrigin(s) && (r.ASN == 0 || r.Prefix == "") {
			t.Fatalf("accepted %q without AS or prefix", s)
		}
		for _, x := range fields(s) {
			if len(x) > maxField {
				t.Fatalf("field longer than %d", maxField)
			}
		}
	})
}
