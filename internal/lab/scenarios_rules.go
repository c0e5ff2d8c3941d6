package lab

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/emersion/go-smtp"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/lab/smtplab"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// The rulebook part of the lab (internal/rules): senders that pass or fail
// each provider's rules, destinations that answer like each provider, a
// copy of Team Cymru's IP-to-ASN zones and of UCEPROTECT's range lists for
// the lab's loopback addresses, and operator websites with and without
// contact details (served by the lab's HTTPS server).
//
// The lab DNS answers under the real service zone names
// (origin.asn.cymru.com, dnsbl-2.uceprotect.net, …) but only for 127.0.0.0/8,
// so `mxprobe check --lab` shows the lab sender's AS without extra flags and
// nothing can be mistaken for real data.

// RulesSender is one lab sender address for the rulebook checks (give it
// with --ip).
type RulesSender struct {
	IP    netip.Addr
	PTR   string // "" no PTR record
	Title i18n.Text
}

// Lab senders (use with --ip; the SMTP session still comes from 127.0.0.1).
var (
	SenderNoPTR       = netip.MustParseAddr("127.0.1.1") // no PTR record
	SenderNoWebsite   = netip.MustParseAddr("127.0.1.2") // PTR mx.noweb.test: the domain has no web server
	SenderNoContact   = netip.MustParseAddr("127.0.1.3") // PTR mx.nocontact.test: a website without contact details
	SenderGeneric     = netip.MustParseAddr("127.0.1.4") // PTR 127-0-1-4.dyn.labnet.test (generic, forward-confirmed)
	SenderUnconfirmed = netip.MustParseAddr("127.0.1.5") // PTR mx.unconfirmed.test → another address
	SenderListed      = netip.MustParseAddr("127.0.1.6") // on the lab block list and in a UCEPROTECT level 2 range
)

// Lab sending domains of the rulebook checks besides SenderDomain and
// WeakDomain.
const (
	NoMXDomain = "nomx.lab.test" // SPF and DMARC, but neither MX nor address: replies cannot be delivered
)

// Lab AS numbers (RFC 5398 documentation ASNs).
const (
	LabHostingASN = 64496 // 127.0.0.0/24: the lab client's network, a hosting network
	LabAccessASN  = 64497 // 127.0.1.0/24: an access network
)

// RulesSenders lists the lab's rulebook senders (the table of `mxprobe lab`).
func RulesSenders() []RulesSender {
	return []RulesSender{
		{netip.MustParseAddr(ClientIP), ClientName, i18n.T("passes every rule (with sender.lab.test); website with imprint at lab.test", "erfüllt jede Regel (mit sender.lab.test); Website mit Impressum unter lab.test")},
		{SenderNoPTR, "", i18n.T("no PTR record", "kein PTR-Eintrag")},
		{SenderNoWebsite, "mx.noweb.test", i18n.T("PTR without a website", "PTR ohne Website")},
		{SenderNoContact, "mx.nocontact.test", i18n.T("website without contact details", "Website ohne Kontaktangaben")},
		{SenderGeneric, "127-0-1-4.dyn.labnet.test", i18n.T("generic PTR name of an access range", "generischer PTR-Name eines Zugangsnetzes")},
		{SenderUnconfirmed, "mx.unconfirmed.test", i18n.T("PTR name does not resolve back", "PTR-Name löst nicht zurück auf")},
		{SenderListed, "mx.listed.test", i18n.T("on the lab block list and in a UCEPROTECT level 2 range", "auf der Sperrliste des Labors und in einem Bereich von UCEPROTECT Stufe 2")},
	}
}

// rulesRecords are the zone lines of the rulebook senders.
func rulesRecords() []string {
	var rr []string
	for _, s := range RulesSenders()[1:] {
		if s.PTR == "" {
			continue
		}
		rev, _ := reverse(s.IP)
		rr = append(rr, fmt.Sprintf("%s 300 IN PTR %s.", rev, s.PTR))
		if s.IP != SenderUnconfirmed {
			rr = append(rr, fmt.Sprintf("%s. 300 IN A %s", s.PTR, s.IP))
		}
	}
	rr = append(rr,
		"mx.unconfirmed.test. 300 IN A 127.0.1.200",
		// Operator websites (the HTTPS server answers whatever address).
		"lab.test. 300 IN A 127.0.0.1",
		"nocontact.test. 300 IN A 127.0.0.1",
		// A domain that cannot receive replies.
		NoMXDomain+". 300 IN TXT \"v=spf1 -all\"",
		"_dmarc."+NoMXDomain+". 300 IN TXT \"v=DMARC1; p=reject\"",
		// The lab block list lists SenderListed (RFC 5782 test code).
		"6.1.0.127."+BlockList+". 300 IN A 127.0.0.2",
	)
	return append(rr, asnRecords()...)
}

// asnRecords: Team Cymru's zones (TXT "ASN | prefix | CC | registry |
// date", "ASN | CC | registry | date | holder") and UCEPROTECT level 2 for
// the lab's addresses.
func asnRecords() []string {
	rr := []string{
		fmt.Sprintf("AS%d.asn.cymru.com. 300 IN TXT \"%d | DE | ripencc | 2026-01-01 | LABHOST-AS Lab Hosting GmbH, DE\"", LabHostingASN, LabHostingASN),
		fmt.Sprintf("AS%d.asn.cymru.com. 300 IN TXT \"%d | DE | ripencc | 2026-01-01 | LABNET-AS Lab Broadband Access, DE\"", LabAccessASN, LabAccessASN),
		"6.1.0.127.dnsbl-2.uceprotect.net. 300 IN A 127.0.0.2",
	}
	origin := func(ip netip.Addr, asn int, prefix string) string {
		rev := strings.TrimSuffix(resolver.ReverseName(ip), ".in-addr.arpa")
		return fmt.Sprintf("%s.origin.asn.cymru.com. 300 IN TXT \"%d | %s | DE | ripencc | 2026-01-01\"", rev, asn, prefix)
	}
	rr = append(rr, origin(netip.MustParseAddr(ClientIP), LabHostingASN, "127.0.0.0/24"))
	for _, s := range RulesSenders()[1:] {
		rr = append(rr, origin(s.IP, LabAccessASN, "127.0.1.0/24"))
	}
	return rr
}

// Operator website pages: lab.test (the PTR domain of the lab client) links
// to its imprint; nocontact.test has no contact details.
const (
	pageWithImprint = `<!doctype html><html lang="de"><head><title>Lab Mail GmbH</title></head>
<body><h1>Lab Mail GmbH</h1><p>Wir betreiben den Mailserver client.sender.lab.test.</p>
<footer><a href="/impressum">Impressum</a></footer></body></html>`
	pageImprint = `<!doctype html><html lang="de"><body><h1>Impressum</h1>
<p>Lab Mail GmbH, Beispielweg 1, 12345 Teststadt</p><p><a href="mailto:postmaster@lab.test">postmaster@lab.test</a></p></body></html>`
	pageNoContact = `<!doctype html><html><body><h1>Welcome</h1><p>Nothing to see here.</p></body></html>`
)

// addRulesPages serves the operator websites.
func (w *World) addRulesPages() {
	w.HTTPS.SetPage("lab.test", "/", pageWithImprint)
	w.HTTPS.SetPage("lab.test", "/impressum", pageImprint)
	w.HTTPS.SetPage("nocontact.test", "/", pageNoContact)
}

// weakSender: the lab's provider imitations reject mail from the weak
// sending domain with their documented replies (the lab cannot see the
// --ip a test gives, so the envelope sender stands in for the sender).
func weakSender(from string) bool {
	return strings.HasSuffix(strings.ToLower(from), "@"+WeakDomain)
}

// rulesScenarios are destinations that answer like each rulebook's
// provider. They use the addresses 127.0.2.x, apart from the base table.
func rulesScenarios() []Scenario {
	std := smtplab.Scenario{SMTPUTF8: true, DSN: true, Mailboxes: []string{"seed"}}
	mk := func(domain, mxh string, last byte, title i18n.Text, onMail func(smtplab.Envelope, string) *smtp.SMTPError) Scenario {
		a := netip.AddrFrom4([4]byte{127, 0, 2, last})
		rev, _ := reverse(a)
		sc := std
		sc.Hostname = mxh
		sc.OnMail = onMail
		return Scenario{Domain: domain, Title: title, Expect: "ok",
			Records: []string{
				fmt.Sprintf("%s. 300 IN MX 10 %s.", domain, mxh),
				fmt.Sprintf("%s. 300 IN A %s", mxh, a),
				fmt.Sprintf("%s 300 IN PTR %s.", rev, mxh),
				fmt.Sprintf("%s. 300 IN TXT \"v=spf1 mx -all\"", domain),
				fmt.Sprintf("_dmarc.%s. 300 IN TXT \"v=DMARC1; p=reject\"", domain),
			},
			SMTP: []SMTPHost{{Host: mxh, Addr: a, Cert: smtplab.CertValid, Scenario: sc}},
		}
	}
	reject := func(code int, enh smtp.EnhancedCode, text string) func(smtplab.Envelope, string) *smtp.SMTPError {
		return func(_ smtplab.Envelope, from string) *smtp.SMTPError {
			if weakSender(from) {
				return &smtp.SMTPError{Code: code, EnhancedCode: enh, Message: text}
			}
			return nil
		}
	}
	return []Scenario{
		mk("gmail.lab.test", "gmail-lab-test.gmail-smtp-in.l.google.com", 10,
			i18n.T("Gmail style: rejects the weak sending domain with 550 5.7.26 (unauthenticated)",
				"wie Gmail: lehnt die schwache Absenderdomain mit 550 5.7.26 ab (nicht authentifiziert)"),
			reject(550, smtp.EnhancedCode{5, 7, 26}, "This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM. - gsmtp")),
		mk("yahoo.lab.test", "mta5.yahoo-lab-test.am0.yahoodns.net", 11,
			i18n.T("Yahoo style: defers the weak sending domain with 421 4.7.0 [TSS04]",
				"wie Yahoo: stellt die schwache Absenderdomain mit 421 4.7.0 [TSS04] zurück"),
			reject(421, smtp.EnhancedCode{4, 7, 0}, "[TSS04] Messages from 127.0.0.1 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes")),
		mk("tonline.lab.test", "mx00.tonline-lab-test.t-online.de", 12,
			i18n.T("T-Online style: refuses the weak sending domain with 554 … (NOWL)",
				"wie T-Online: weist die schwache Absenderdomain mit 554 … (NOWL) ab"),
			reject(554, smtp.EnhancedCode{5, 7, 1}, "IP=127.0.0.1 - None/bad reputation. Ask your postmaster for help or to contact tobr@rx.t-online.de for reset. (NOWL)")),
		mk("gmx.lab.test", "mx00.gmx-lab-test.gmx.net", 13,
			i18n.T("GMX/WEB.DE style destination (accepts)", "Ziel wie GMX/WEB.DE (nimmt an)"), nil),
	}
}
