package lab

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/lab/smtplab"
)

// IPv6Addr is the lab's only IPv6 address: the loopback ::1. One SMTP
// server listens there for every IPv6 scenario, and the lab client sends
// from it too. ::1 deliberately has no PTR record: over IPv6 the lab client
// is a sender whose IPv6 PTR is missing — the common IPv6 mistake, which
// Gmail and Outlook.com punish harder than over IPv4 (see the sources at
// check's sender.ipv6_ptr finding).
var IPv6Addr = netip.IPv6Loopback()

// ipv6Loopback reports whether ::1 can be bound here (containers and CI
// runners without IPv6 lack it; the IPv6 scenarios then have no server and
// their tests skip).
func ipv6Loopback() bool {
	l, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// IPv6Available reports whether the lab can serve its IPv6 scenarios.
func IPv6Available() bool { return ipv6Loopback() }

// ipv6Scenarios: an MX reachable over IPv6 only, one reachable over both
// families, both served by the one server on ::1. next hands out the
// following IPv4 lab addresses.
func ipv6Scenarios(next func() netip.Addr) []Scenario {
	std := smtplab.Scenario{SMTPUTF8: true, DSN: true, Mailboxes: []string{"seed"}}
	auth := func(domain string) []string {
		return []string{
			fmt.Sprintf("%s. 300 IN TXT \"v=spf1 mx -all\"", domain),
			fmt.Sprintf("_dmarc.%s. 300 IN TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@%s\"", domain, domain),
		}
	}
	const v6only, dual = "v6only.lab.test", "dual.lab.test"
	v6mx, dualmx := "mx."+v6only, "mx."+dual
	sc6 := std
	sc6.Hostname = v6mx
	out := []Scenario{{Domain: v6only, Expect: "fail",
		Title: i18n.T("MX with an IPv6 address only (AAAA ::1); the lab client sends from ::1, which has no PTR — as Gmail and Outlook.com refuse",
			"MX nur mit IPv6-Adresse (AAAA ::1); der Laborclient sendet von ::1 ohne PTR – so etwas lehnen Gmail und Outlook.com ab"),
		Records: append([]string{
			fmt.Sprintf("%s. 300 IN MX 10 %s.", v6only, v6mx),
			fmt.Sprintf("%s. 300 IN AAAA %s", v6mx, IPv6Addr),
		}, auth(v6only)...),
		SMTP: []SMTPHost{{Host: v6mx, Addr: IPv6Addr, Cert: smtplab.CertValid, AltNames: []string{dualmx}, Scenario: sc6}},
	}}
	a := next()
	rev, _ := reverse(a)
	scd := std
	scd.Hostname = dualmx
	out = append(out, Scenario{Domain: dual, Expect: "ok",
		Title: i18n.T("MX with an IPv4 and an IPv6 address; senders try IPv4 first, -6 takes the IPv6 path (the lab client's ::1 has no PTR)",
			"MX mit IPv4- und IPv6-Adresse; Absender versuchen zuerst IPv4, -6 nimmt den IPv6-Weg (::1 des Laborclients hat keinen PTR)"),
		Records: append([]string{
			fmt.Sprintf("%s. 300 IN MX 10 %s.", dual, dualmx),
			fmt.Sprintf("%s. 300 IN A %s", dualmx, a),
			fmt.Sprintf("%s. 300 IN AAAA %s", dualmx, IPv6Addr),
			fmt.Sprintf("%s 300 IN PTR %s.", rev, dualmx),
		}, auth(dual)...),
		SMTP: []SMTPHost{{Host: dualmx, Addr: a, Cert: smtplab.CertValid, Scenario: scd}},
	})
	return out
}
