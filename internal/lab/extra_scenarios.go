package lab

import (
	"fmt"
	"net/netip"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/lab/smtplab"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
)

// Sizes of the big hostile scenarios.
const (
	// MX1000Count is the number of MX records of mx1000.lab.test.
	MX1000Count = 1000
	// SPFIncludeCount is the number of include: terms of
	// spf-includes30.lab.test, three times the RFC 7208 §4.6.4 limit.
	SPFIncludeCount = 30
)

// extraScenarios adds scenarios beyond the base table (hostile peers and
// broken DNS for the hardening tests). next hands out the following lab
// addresses; use it for every SMTP host so addresses stay unique.
func extraScenarios(next func() netip.Addr) []Scenario {
	var out []Scenario
	// records are the MX, A and PTR records of one MX host plus the usual
	// SPF/DMARC/TLS-RPT of the domain.
	records := func(domain, mxh string, a netip.Addr) []string {
		rev, _ := reverse(a)
		return []string{
			fmt.Sprintf("%s. 300 IN MX 10 %s.", domain, mxh),
			fmt.Sprintf("%s. 300 IN A %s", mxh, a),
			fmt.Sprintf("%s 300 IN PTR %s.", rev, mxh),
			fmt.Sprintf("%s. 300 IN TXT \"v=spf1 mx -all\"", domain),
			fmt.Sprintf("_dmarc.%s. 300 IN TXT \"v=DMARC1; p=reject\"", domain),
		}
	}
	std := smtplab.Scenario{SMTPUTF8: true, DSN: true, Mailboxes: []string{"seed"}}

	// SMTP peers that break the protocol (served by smtplab's raw server).
	hostile := func(domain string, kind smtplab.Hostile, title i18n.Text, expect string) Scenario {
		a := next()
		mxh := "mx." + domain
		sc := std
		sc.Hostname = mxh
		sc.Hostile = kind
		return Scenario{Domain: domain, Title: title, Expect: expect,
			Records: records(domain, mxh, a),
			SMTP:    []SMTPHost{{Host: mxh, Addr: a, Scenario: sc}},
		}
	}
	out = append(out,
		hostile("hostile-banner-never.lab.test", smtplab.HostileBannerNever,
			i18n.T("hostile peer: accepts the connection and never sends a greeting",
				"feindseliger Server: nimmt die Verbindung an und sendet nie eine Begrüßung"), "incomplete"),
		hostile("hostile-endless.lab.test", smtplab.HostileEndlessContinuation,
			i18n.T("hostile peer: answers EHLO with endless 250- continuation lines",
				"feindseliger Server: beantwortet EHLO mit endlosen 250-Fortsetzungszeilen"), "incomplete"),
		hostile("hostile-garbage.lab.test", smtplab.HostileGarbage,
			i18n.T("hostile peer: NUL and non-UTF-8 bytes in the EHLO reply",
				"feindseliger Server: NUL- und Nicht-UTF-8-Bytes in der EHLO-Antwort"), "incomplete"),
		hostile("hostile-8bit.lab.test", smtplab.Hostile8Bit,
			i18n.T("sloppy peer: non-UTF-8 bytes in its replies, otherwise working",
				"schludriger Server: Nicht-UTF-8-Bytes in den Antworten, funktioniert sonst"), "warn"),
		hostile("hostile-badcode.lab.test", smtplab.HostileBadCode,
			i18n.T("hostile peer: reply code 999 (outside 200–599) to EHLO",
				"feindseliger Server: Antwortcode 999 (außerhalb von 200–599) auf EHLO"), "incomplete"),
		hostile("hostile-mismatch.lab.test", smtplab.HostileMismatchedMultiline,
			i18n.T("hostile peer: a multi-line reply whose lines carry different codes",
				"feindseliger Server: eine mehrzeilige Antwort mit unterschiedlichen Codes"), "incomplete"),
		hostile("hostile-reset.lab.test", smtplab.HostileResetMidReply,
			i18n.T("hostile peer: resets the connection in the middle of the EHLO reply",
				"feindseliger Server: setzt die Verbindung mitten in der EHLO-Antwort zurück"), "incomplete"),
		hostile("hostile-tls-fail.lab.test", smtplab.HostileTLSHandshakeFail,
			i18n.T("offers STARTTLS, then fails the TLS handshake",
				"bietet STARTTLS an, dann scheitert der TLS-Handshake"), "incomplete"),
		hostile("hostile-tls-garbage.lab.test", smtplab.HostileTLSGarbage,
			i18n.T("offers STARTTLS, then sends bytes that are not TLS",
				"bietet STARTTLS an, sendet dann Bytes, die kein TLS sind"), "incomplete"),
		hostile("hostile-never-read.lab.test", smtplab.HostileNeverRead,
			i18n.T("hostile peer: sends the greeting, then never reads or answers again",
				"feindseliger Server: sendet die Begrüßung, liest und antwortet danach nie wieder"), "incomplete"),
	)

	// Broken DNS for the destination's MX lookup.
	brokenMX := func(domain string, rule dnsserver.Rule, title i18n.Text) Scenario {
		return Scenario{Domain: domain, Title: title, Expect: "incomplete",
			Records: []string{
				// The records exist; only the MX query misbehaves.
				fmt.Sprintf("%s. 300 IN MX 10 mx.ok.lab.test.", domain),
				fmt.Sprintf("%s. 300 IN A 127.0.0.9", domain),
			},
			DNSRules: []DNSRule{{Name: domain, Type: resolver.TypeMX, Rule: rule}},
		}
	}
	out = append(out,
		brokenMX("dns-servfail.lab.test", dnsserver.Rule{ServFail: true},
			i18n.T("the DNS server answers the MX query with SERVFAIL", "der DNS-Server beantwortet die MX-Anfrage mit SERVFAIL")),
		brokenMX("dns-truncated.lab.test", dnsserver.Rule{Truncate: true, BrokenTCP: true},
			i18n.T("the MX answer is truncated over UDP and TCP is broken", "die MX-Antwort ist über UDP gekürzt und TCP ist kaputt")),
		brokenMX("dns-wrongquestion.lab.test", dnsserver.Rule{WrongQuestion: true},
			i18n.T("spoof-like: the MX answer is for another question", "wie gefälscht: die MX-Antwort gehört zu einer anderen Frage")),
		brokenMX("dns-pointerloop.lab.test", dnsserver.Rule{PointerLoop: true},
			i18n.T("the MX answer holds a name compression pointer that points to itself",
				"die MX-Antwort enthält einen Kompressionszeiger, der auf sich selbst zeigt")),
	)

	// The MX target is a CNAME loop: no address can ever be found.
	out = append(out, Scenario{Domain: "cname-loop.lab.test", Expect: "incomplete",
		Title: i18n.T("the MX target is a CNAME loop", "das MX-Ziel ist eine CNAME-Schleife"),
		Records: []string{
			"cname-loop.lab.test. 300 IN MX 10 mx.cname-loop.lab.test.",
			"mx.cname-loop.lab.test. 300 IN CNAME a.cname-loop.lab.test.",
			"a.cname-loop.lab.test. 300 IN CNAME b.cname-loop.lab.test.",
			"b.cname-loop.lab.test. 300 IN CNAME mx.cname-loop.lab.test.",
		}})

	// 1,000 MX records (the answer only fits over TCP), all on one
	// working server.
	{
		a := next()
		rev, _ := reverse(a)
		const d = "mx1000.lab.test"
		recs := []string{rev + " 300 IN PTR mx1." + d + ".",
			d + ". 300 IN TXT \"v=spf1 mx -all\"", "_dmarc." + d + ". 300 IN TXT \"v=DMARC1; p=reject\""}
		for i := 1; i <= MX1000Count; i++ {
			pref := 20 // mx1 comes first, so the certificate's name matches
			if i == 1 {
				pref = 10
			}
			recs = append(recs, fmt.Sprintf("%s. 300 IN MX %d mx%d.%s.", d, pref, i, d), fmt.Sprintf("mx%d.%s. 300 IN A %s", i, d, a))
		}
		sc := std
		sc.Hostname = "mx1." + d
		out = append(out, Scenario{Domain: d, Expect: "ok",
			Title:   i18n.T("1,000 MX records on one server", "1.000 MX-Einträge auf einem Server"),
			Records: recs,
			SMTP:    []SMTPHost{{Host: "mx1." + d, Addr: a, Cert: smtplab.CertValid, Scenario: sc}},
		})
	}

	// Sending domains with broken SPF (use them with --from).
	out = append(out, Scenario{Domain: "spf-loop.lab.test", Expect: "fail",
		Title: i18n.T("sending domain whose SPF includes itself through a second record (use with --from)",
			"Absenderdomain, deren SPF sich über einen zweiten Eintrag selbst einbindet (verwenden Sie sie mit --from)"),
		Records: []string{
			"spf-loop.lab.test. 300 IN MX 10 mx.ok.lab.test.",
			"spf-loop.lab.test. 300 IN TXT \"v=spf1 include:loop.spf-loop.lab.test -all\"",
			"loop.spf-loop.lab.test. 300 IN TXT \"v=spf1 include:spf-loop.lab.test -all\"",
		}})
	{
		const d = "spf-includes30.lab.test"
		spf := "v=spf1"
		recs := []string{d + ". 300 IN MX 10 mx.ok.lab.test."}
		for i := 1; i <= SPFIncludeCount; i++ {
			spf += fmt.Sprintf(" include:i%d.%s", i, d)
			recs = append(recs, fmt.Sprintf("i%d.%s. 300 IN TXT \"v=spf1 ip4:192.0.2.%d -all\"", i, d, i))
		}
		recs = append(recs, fmt.Sprintf("%s. 300 IN TXT \"%s -all\"", d, spf))
		out = append(out, Scenario{Domain: d, Expect: "fail",
			Title: i18n.T("sending domain whose SPF record has 30 includes (use with --from)",
				"Absenderdomain, deren SPF-Eintrag 30 include-Verweise hat (verwenden Sie sie mit --from)"),
			Records: recs})
	}
	return out
}
