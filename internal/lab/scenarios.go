package lab

import (
	"fmt"
	"net/netip"

	"github.com/emersion/go-smtp"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/lab/smtplab"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
)

// Scenario is one destination domain of the lab.
type Scenario struct {
	Domain string
	// Title says what the scenario imitates (shown by `mxprobe lab`).
	Title i18n.Text
	// Expect is the verdict `mxprobe check` should reach for it
	// (ok / warn / fail / incomplete), used by tests and the lab table.
	Expect string
	// Records are zone-file lines; DNSRules misbehaviours of the DNS server.
	Records  []string
	DNSRules []DNSRule
	// SMTP are the scripted servers at the MX addresses.
	SMTP []SMTPHost
	// Policy is the MTA-STS policy body served at mta-sts.<Domain> ("" none).
	Policy string
	// Seed is the local part of the seed mailbox for delivery proofs ("" none).
	Seed string
	// Delivery is what happens to an accepted message: "inbox", "junk",
	// "discard", "" (not delivered anywhere: no seed).
	Delivery string
}

// DNSRule is a misbehaviour of the lab DNS server for one (name, type).
type DNSRule struct {
	Name string
	Type resolver.Type
	Rule dnsserver.Rule
}

// SMTPHost is one scripted MX address.
type SMTPHost struct {
	Host string
	Addr netip.Addr
	Cert smtplab.CertKind // "" no STARTTLS
	// AltNames are further names in the certificate (one server on ::1
	// serves the MX hosts of several IPv6 scenarios).
	AltNames []string
	Tarpit   bool
	Scenario smtplab.Scenario
}

// Microsoft-shaped acceptance that is then discarded (the silent drop).
func msQueued(env smtplab.Envelope, msg []byte) *smtp.SMTPError {
	return &smtp.SMTPError{
		Code:         250,
		EnhancedCode: smtp.EnhancedCode{2, 6, 0},
		Message: fmt.Sprintf("<%s> [InternalId=%d, Hostname=LAB0PR01MB0001.eurprd01.prod.exchangelabs.com] %d bytes in 0.012, 1.2 KB/sec Queued mail for delivery",
			messageID(msg), 1000000+env.Session, len(msg)),
	}
}

// Scenarios returns the lab's scenario table. Addresses are fixed so the
// table printed by `mxprobe lab` matches what tests use.
func Scenarios() []Scenario {
	next := 10
	addr := func() netip.Addr {
		a := netip.AddrFrom4([4]byte{127, 0, 0, byte(next)})
		next++
		return a
	}
	var out []Scenario
	// host builds the usual records for one MX host at one address.
	host := func(domain, mxHost string, pref int, a netip.Addr) []string {
		rev, _ := reverse(a)
		return []string{
			fmt.Sprintf("%s. 300 IN MX %d %s.", domain, pref, mxHost),
			fmt.Sprintf("%s. 300 IN A %s", mxHost, a),
			fmt.Sprintf("%s 300 IN PTR %s.", rev, mxHost),
		}
	}
	auth := func(domain string) []string {
		return []string{
			fmt.Sprintf("%s. 300 IN TXT \"v=spf1 mx -all\"", domain),
			fmt.Sprintf("_dmarc.%s. 300 IN TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@%s\"", domain, domain),
			fmt.Sprintf("_smtp._tls.%s. 300 IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@%s\"", domain, domain),
		}
	}
	simple := func(domain string, title i18n.Text, expect string, cert smtplab.CertKind, sc smtplab.Scenario) Scenario {
		a := addr()
		mxh := "mx." + domain
		if sc.Hostname == "" {
			sc.Hostname = mxh // greet with the forward-confirmed PTR name
		}
		s := Scenario{Domain: domain, Title: title, Expect: expect,
			Records: append(host(domain, mxh, 10, a), auth(domain)...),
			SMTP:    []SMTPHost{{Host: mxh, Addr: a, Cert: cert, Scenario: sc}},
		}
		return s
	}
	std := smtplab.Scenario{SMTPUTF8: true, DSN: true, Mailboxes: []string{"seed"}}

	ok := simple("ok.lab.test", i18n.T("a well-run destination: STARTTLS with a valid certificate, MTA-STS enforce, TLS-RPT, DSN",
		"ein gut betriebenes Ziel: STARTTLS mit gültigem Zertifikat, MTA-STS enforce, TLS-RPT, DSN"), "ok", smtplab.CertValid, std)
	ok.Records = append(ok.Records, "_mta-sts.ok.lab.test. 300 IN TXT \"v=STSv1; id=20261128\"", "mta-sts.ok.lab.test. 300 IN A 127.0.0.1")
	ok.Policy = "version: STSv1\nmode: enforce\nmx: mx.ok.lab.test\nmax_age: 604800\n"
	ok.Seed, ok.Delivery = "seed", "inbox"
	out = append(out, ok)

	junk := simple("junk.lab.test", i18n.T("accepts and files test messages in the junk folder",
		"nimmt an und legt Testmails im Spam-Ordner ab"), "ok", smtplab.CertValid, std)
	junk.Seed, junk.Delivery = "seed", "junk"
	out = append(out, junk)

	{ // Microsoft consumer style: 250 Queued mail for delivery, then discarded.
		a := addr()
		mxh := "drop-lab-test.olc.protection.outlook.com"
		sc := std
		sc.Style = smtplab.StyleMicrosoft
		sc.Hostname = "LAB0EUR01FT001.mail.protection.outlook.com"
		sc.OnData = msQueued
		out = append(out, Scenario{Domain: "drop.lab.test", Expect: "warn",
			Title: i18n.T("Microsoft-consumer style: answers 250 “Queued mail for delivery” and silently discards",
				"wie Microsofts Privatkunden-Mail: antwortet 250 „Queued mail for delivery“ und verwirft still"),
			Records:  append(host("drop.lab.test", mxh, 10, a), auth("drop.lab.test")...),
			SMTP:     []SMTPHost{{Host: mxh, Addr: a, Cert: smtplab.CertValid, Scenario: sc}},
			Seed:     "seed",
			Delivery: "discard",
		})
	}
	{ // Microsoft block list rejection S3150.
		a := addr()
		mxh := "reject-lab-test.olc.protection.outlook.com"
		sc := std
		sc.Style = smtplab.StyleMicrosoft
		sc.Hostname = "LAB0EUR01FT002.mail.protection.outlook.com"
		sc.Rcpt = smtplab.RcptRejectS3150
		out = append(out, Scenario{Domain: "reject.lab.test", Expect: "fail",
			Title: i18n.T("Microsoft-consumer style block list rejection: 550 5.7.1 … (S3150)",
				"Sperrlisten-Ablehnung wie bei Microsoft: 550 5.7.1 … (S3150)"),
			Records: append(host("reject.lab.test", mxh, 10, a), auth("reject.lab.test")...),
			SMTP:    []SMTPHost{{Host: mxh, Addr: a, Cert: smtplab.CertValid, Scenario: sc}},
		})
	}
	grey := std
	grey.Rcpt = smtplab.RcptGreylist
	out = append(out, simple("grey.lab.test", i18n.T("greylisting: 450 4.7.1 at RCPT", "Greylisting: 450 4.7.1 bei RCPT"), "warn", smtplab.CertValid, grey))
	nouser := std
	nouser.Rcpt = smtplab.RcptUnknownUser
	out = append(out, simple("nouser.lab.test", i18n.T("unknown users are rejected with 550 5.1.1 (postmaster works)",
		"unbekannte Empfänger werden mit 550 5.1.1 abgelehnt (postmaster funktioniert)"), "ok", smtplab.CertValid, nouser))
	all := std
	all.Rcpt = smtplab.RcptAcceptAll
	out = append(out, simple("acceptall.lab.test", i18n.T("accepts every recipient at RCPT time (catch-all)",
		"nimmt bei RCPT jeden Empfänger an (Catch-all)"), "ok", smtplab.CertValid, all))
	out = append(out, simple("tls-expired.lab.test", i18n.T("STARTTLS with an expired certificate", "STARTTLS mit abgelaufenem Zertifikat"), "warn", smtplab.CertExpired, std))
	out = append(out, simple("tls-wrongname.lab.test", i18n.T("STARTTLS with a certificate for another name", "STARTTLS mit einem Zertifikat für einen anderen Namen"), "warn", smtplab.CertWrongName, std))
	out = append(out, simple("tls-selfsigned.lab.test", i18n.T("STARTTLS with a self-signed certificate", "STARTTLS mit selbstsigniertem Zertifikat"), "warn", smtplab.CertSelfSigned, std))
	out = append(out, simple("notls.lab.test", i18n.T("no STARTTLS offered", "kein STARTTLS angeboten"), "warn", "", std))
	tarpit := simple("tarpit.lab.test", i18n.T("tarpit: the banner comes after 60 s", "Teergrube: die Begrüßung kommt erst nach 60 s"), "incomplete", smtplab.CertValid, std)
	tarpit.SMTP[0].Tarpit = true
	out = append(out, tarpit)
	closed := std
	closed.Hostile = smtplab.HostileCloseAfterBanner
	out = append(out, simple("closed.lab.test", i18n.T("closes the connection after the banner", "schließt die Verbindung nach der Begrüßung"), "incomplete", "", closed))
	huge := std
	huge.Hostile = smtplab.HostileHugeLine
	out = append(out, simple("hostile.lab.test", i18n.T("hostile peer: a 1 MiB reply line to EHLO", "feindseliger Server: eine 1-MiB-Antwortzeile auf EHLO"), "incomplete", "", huge))

	out = append(out, Scenario{Domain: "nullmx.lab.test", Expect: "fail",
		Title:   i18n.T("null MX (RFC 7505): accepts no mail", "Null-MX (RFC 7505): nimmt keine Mail an"),
		Records: []string{"nullmx.lab.test. 300 IN MX 0 ."}})
	{
		a := addr()
		rev, _ := reverse(a)
		out = append(out, Scenario{Domain: "implicit.lab.test", Expect: "warn",
			Title:   i18n.T("no MX record: mail goes to the domain's address (implicit MX)", "kein MX-Eintrag: Mail geht an die Adresse der Domain (implizites MX)"),
			Records: []string{"implicit.lab.test. 300 IN A " + a.String(), rev + " 300 IN PTR implicit.lab.test."},
			SMTP:    []SMTPHost{{Host: "implicit.lab.test", Addr: a, Cert: smtplab.CertValid, Scenario: std}},
		})
	}
	{
		a := addr()
		rev, _ := reverse(a)
		out = append(out, Scenario{Domain: "cname-mx.lab.test", Expect: "warn",
			Title: i18n.T("the MX name is a CNAME (RFC 2181 §10.3 violation)", "der MX-Name ist ein CNAME (Verstoß gegen RFC 2181 §10.3)"),
			Records: []string{"cname-mx.lab.test. 300 IN MX 10 mail.cname-mx.lab.test.",
				"mail.cname-mx.lab.test. 300 IN CNAME real.cname-mx.lab.test.",
				"real.cname-mx.lab.test. 300 IN A " + a.String(), rev + " 300 IN PTR real.cname-mx.lab.test."},
			SMTP: []SMTPHost{{Host: "real.cname-mx.lab.test", Addr: a, Cert: smtplab.CertValid, Scenario: std}},
		})
	}
	{
		down := addr() // nothing listens here: connection refused
		up := addr()
		recs := append(host("failover.lab.test", "mx1.failover.lab.test", 10, down), host("failover.lab.test", "mx2.failover.lab.test", 20, up)...)
		out = append(out, Scenario{Domain: "failover.lab.test", Expect: "warn",
			Title:   i18n.T("the first MX refuses connections, the second works", "das erste MX verweigert Verbindungen, das zweite funktioniert"),
			Records: append(recs, auth("failover.lab.test")...),
			SMTP:    []SMTPHost{{Host: "mx2.failover.lab.test", Addr: up, Cert: smtplab.CertValid, Scenario: std}},
		})
	}
	out = append(out, Scenario{Domain: "dnstimeout.lab.test", Expect: "incomplete",
		Title:    i18n.T("the DNS server never answers the MX query", "der DNS-Server beantwortet die MX-Anfrage nie"),
		Records:  []string{"dnstimeout.lab.test. 300 IN A 127.0.0.9"},
		DNSRules: []DNSRule{{Name: "dnstimeout.lab.test", Type: resolver.TypeMX, Rule: dnsserver.Rule{Drop: true}}}})
	mm := simple("mtasts-mismatch.lab.test", i18n.T("MTA-STS policy (enforce) does not list the MX host", "MTA-STS-Richtlinie (enforce) nennt den MX-Host nicht"), "fail", smtplab.CertValid, std)
	mm.Records = append(mm.Records, "_mta-sts.mtasts-mismatch.lab.test. 300 IN TXT \"v=STSv1; id=1\"", "mta-sts.mtasts-mismatch.lab.test. 300 IN A 127.0.0.1")
	mm.Policy = "version: STSv1\nmode: enforce\nmx: mail.elsewhere.test\nmax_age: 86400\n"
	out = append(out, mm)
	out = append(out, rulesScenarios()...)
	out = append(out, extraScenarios(addr)...)
	return append(out, ipv6Scenarios(addr)...)
}

// ScenarioFor returns the scenario of domain.
func ScenarioFor(domain string) (Scenario, bool) {
	for _, s := range Scenarios() {
		if s.Domain == domain {
			return s, true
		}
	}
	return Scenario{}, false
}

func reverse(a netip.Addr) (string, error) {
	return resolver.ReverseName(a) + ".", nil
}

// messageID extracts the Message-ID header value (without brackets) from a
// raw message, for the Microsoft-shaped acceptance line.
func messageID(msg []byte) string {
	const max = 64 << 10
	if len(msg) > max {
		msg = msg[:max]
	}
	lines := splitHeader(msg)
	for _, l := range lines {
		if len(l) > 11 && equalFold(l[:11], "message-id:") {
			v := trim(l[11:])
			if len(v) > 2 && v[0] == '<' && v[len(v)-1] == '>' {
				v = v[1 : len(v)-1]
			}
			return v
		}
	}
	return "unknown@lab.test"
}
