package explain

import (
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/i18n"
)

// explainBoth explains once and renders both languages.
func explainBoth(in string, opt Options) (Explanation, Localized, Localized) {
	x := Explain(in, opt)
	return x, x.Localize(i18n.EN), x.Localize(i18n.DE)
}

// allText is every sentence of a localised explanation, for "says it once"
// and "never says" checks.
func allText(l Localized) string {
	parts := []string{l.Title, l.Description, l.Inconsistency, l.Actionable.Text}
	parts = append(parts, l.Advice...)
	if l.Provider != nil {
		parts = append(parts, l.Provider.Meaning)
	}
	return strings.Join(parts, "\n")
}

// TestGreylisting: greylisting is its own explanation (RFC 6647): wait for
// the retry, act only if it lasts for hours; never "throttling" with the
// advice to lower the concurrency.
func TestGreylisting(t *testing.T) {
	for _, in := range []string{
		"450 4.7.1 <x@example.test>: Recipient address rejected: Greylisted, please try again later",
		"451 4.7.1 greylisted",
		"450 4.7.1 <x@example.test>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.test.html",
		"451 4.7.1 Greylisting in action, please come back later",
		"450 4.2.0 <x@example.test>: Recipient address rejected: Greylisted",
		"451 Temporary local problem - please try later (greylisting)",
		"451 4.7.1 You have been greylisted, try again in 5 minutes",
		"451-4.7.1 Graylisted, please try again later",
		"421 4.7.0 Deferred due to grey listing, retry later",
		"450 4.7.1 Greylisted for 300 seconds (see http://isg.ee.ethz.ch/tools/postgrey/help/example.test.html)",
		"host mx.example.test[192.0.2.1] said: 450 4.7.1 <x@example.test>: Recipient address rejected: Greylisted (in reply to RCPT TO command)",
	} {
		x, en, de := explainBoth(in, Options{})
		if x.Reason != Greylisted || x.Bounce != "soft" || x.Responsible != RespNobody {
			t.Errorf("%q: reason %s (%s) bounce %s responsible %s; want greylisted soft nobody", in, x.Reason, x.ReasonSource, x.Bounce, x.Responsible)
			continue
		}
		for _, l := range []Localized{en, de} {
			txt := strings.ToLower(allText(l))
			for _, bad := range []string{"throttl", "drosselt", "concurren", "gleichzeitige verbindungen", "senderate"} {
				if strings.Contains(txt, bad) {
					t.Errorf("%q: says %q:\n%s", in, bad, txt)
				}
			}
		}
		if !strings.Contains(strings.ToLower(en.Title), "greylist") || !strings.Contains(de.Title, "Greylisting") {
			t.Errorf("%q: title %q / %q", in, en.Title, de.Title)
		}
		if !strings.Contains(allText(en), "hours") || !strings.Contains(allText(de), "Stunden") {
			t.Errorf("%q: no word on acting only after hours: %s", in, allText(en))
		}
	}
}

// TestReverseDNS: rejections for a missing or bad PTR name get the rDNS
// advice, whoever wrote them.
func TestReverseDNS(t *testing.T) {
	for _, tc := range []struct{ in, mx string }{
		{"554-gmx.net (mxgmx017) Nemesis ESMTP Service not available\n554-No SMTP service\n554-Bad DNS PTR resource record.\n554 For explanation visit https://postmaster.gmx.net/en/case?c=r0601&i=ip&v=203.0.113.5&r=0MAbc", ""},
		{"550 <x@web.de>: Bad DNS PTR resource record", ""},
		{"554-web.de (mxweb112) Nemesis ESMTP Service not available\n554-No SMTP service\n554-Bad DNS PTR resource record.\n554 For explanation visit https://postmaster.web.de/en/case?c=r0601&i=ip&v=203.0.113.5&r=0MAbc", ""},
		{"450 4.7.1 Client host rejected: cannot find your hostname, [203.0.113.5]", ""},
		{"450 4.7.1 Client host rejected: cannot find your reverse hostname, [203.0.113.5]", ""},
		{"550 5.7.25 Access denied, the sending IPv6 address [2001:db8::25] must have a reverse DNS record", "hotmail-com.olc.protection.outlook.com"},
		{"550-5.7.25 The IP address sending this message does not have a PTR record setup, or the corresponding forward DNS entry does not point to the sending IP. - gsmtp", "gmail-smtp-in.l.google.com"},
		{"421-4.7.0 The IP address sending this message does not have a PTR record, or the corresponding forward DNS entry does not point to the sending IP. - gsmtp", ""},
		{"553 5.7.1 Connection refused: no PTR record for 203.0.113.5 (mta7.am0.yahoodns.net)", "mta7.am0.yahoodns.net"},
		{"550 No RDNS entry for 203.0.113.5", ""},
		{"451 4.7.1 Your IP address does not resolve to an existing hostname - no proper reverse mapping exists", ""},
		{"554 5.7.1 reverse DNS lookup failed for 203.0.113.5", "mx00.t-online.de"},
		{"550 5.7.1 Kein Reverse-DNS-Eintrag (PTR) für 203.0.113.5", ""},
		{"550 5.7.1 Die IP 203.0.113.5 hat keinen PTR-Eintrag", ""},
	} {
		x, en, de := explainBoth(tc.in, Options{MXHost: tc.mx})
		if x.Reason != RequirePTR {
			t.Errorf("%.80q: reason %s (%s), want requireptr", tc.in, x.Reason, x.ReasonSource)
			continue
		}
		if !strings.Contains(allText(en), "PTR") || !strings.Contains(allText(de), "PTR") {
			t.Errorf("%.80q: no PTR advice: %s", tc.in, allText(en))
		}
		if strings.Contains(allText(en), "which block list") {
			t.Errorf("%.80q: block-list advice for a PTR problem: %s", tc.in, allText(en))
		}
	}
}

// TestGermanProviders: T-Online's and GMX/WEB.DE/1&1's own codes are
// recognised, with their own advice and the contact route they name, and
// no generic advice that contradicts them follows.
func TestGermanProviders(t *testing.T) {
	for _, tc := range []struct {
		in, mx, rule string
		reason       Reason
		contact      string // must appear in the English advice or meaning
	}{
		{"554 IP=203.0.113.5 - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to clarify.) (BL)", "", "t-online.BL", Blocked, "tosa@rx.t-online.de"},
		{"554 IP=203.0.113.5 - None/bad reputation. Ask your postmaster for help or to contact tobr@rx.t-online.de for reset. (NOWL)", "", "t-online.NOWL", BadReputation, "tobr@rx.t-online.de"},
		{"554 IP=203.0.113.5 - Dialup/transient IP not allowed. Use a mailgateway or contact toda@rx.t-online.de if obsolete. (DIAL)", "", "t-online.DIAL", Blocked, "toda@rx.t-online.de"},
		{"550 5.7.0 Message considered as spam or virus, rejected", "mx00.t-online.de", "t-online.spam", SpamDetected, "fpr@rx.t-online.de"},
		{"554 5.7.1 IP=203.0.113.5 - rejected due to IP reputation. See https://postmaster.t-online.de/index.en.html#ip-reputation (RE:R1)", "", "t-online.RE", BadReputation, "postmaster.t-online.de"},
		{"554 RE:R1 IP reputation; see postmaster.t-online.de", "mx01.t-online.de", "t-online.RE", BadReputation, "postmaster.t-online.de"},
		{"554-gmx.net (mxgmx017) Nemesis ESMTP Service not available\n554-No SMTP service\n554 IP address is block listed.\nFor explanation visit https://postmaster.gmx.net/en/case?c=hi&i=ip&v=203.0.113.5&r=0Mxxx", "", "unitedinternet.blocklist", Blocked, "postmaster.gmx.net"},
		{"554-Transaction failed\n554-Reject due to policy restrictions.\n554 For explanation visit https://postmaster.web.de/en/case?c=r0201&i=ip&v=203.0.113.5&r=0MPDe6-1", "", "unitedinternet.policy", PolicyViolation, "case"},
		{"550 <x@gmx.de>: Reject due to SPF policy. The originating IP of the message is not permitted by the domain owner", "mx00.gmx.net", "unitedinternet.spf", AuthFailure, "SRS"},
		{"550 <x@web.de>: Reject due to policy restrictions (IP based)", "mx-ha01.web.de", "unitedinternet.policy-ip", Blocked, "postmaster.web.de"},
		{"421 Reject due to policy violations", "mx00.gmx.net", "unitedinternet.violations", BadReputation, "postmaster.gmx.net"},
		{"421 Rate limit reached. Please try again later", "mx00.gmx.net", "unitedinternet.ratelimit", RateLimited, "hours"},
		{"550 <x@gmx.de>: Invalid DNS MX or A/AAAA resource record", "", "unitedinternet.sender-dns", Rejected, "MX"},
		{"550 Requested action not taken: mailbox unavailable", "mx00.gmx.net", "unitedinternet.mailbox", UserUnknown, "address"},
		{"550 Requested action not taken: mailbox unavailable", "mx01.kundenserver.de", "unitedinternet.mailbox", UserUnknown, "address"},
		{"501 Syntax error in parameters or arguments", "mx00.kundenserver.de", "unitedinternet.config", SyntaxError, "HELO"},
		{"451 Requested action aborted: local error in processing", "mx-ha02.web.de", "unitedinternet.local-error", SystemError, "name servers"},
	} {
		x, en, de := explainBoth(tc.in, Options{MXHost: tc.mx})
		if x.Reason != tc.reason || x.Provider == nil || x.Provider.Rule != tc.rule {
			rule := ""
			if x.Provider != nil {
				rule = x.Provider.Rule
			}
			t.Errorf("%.70q: reason %s (%s) rule %q; want %s %q", tc.in, x.Reason, x.ReasonSource, rule, tc.reason, tc.rule)
			continue
		}
		if !strings.Contains(allText(en), tc.contact) {
			t.Errorf("%.70q: %q not named:\n%s", tc.in, tc.contact, allText(en))
		}
		for _, l := range []Localized{en, de} {
			txt := allText(l)
			for _, bad := range []string{"Find out which block list is meant", "Finden Sie heraus, welche Sperrliste"} {
				if strings.Contains(txt, bad) {
					t.Errorf("%.70q: generic advice after the provider's:\n%s", tc.in, txt)
				}
			}
		}
	}
}

// TestProviderAdviceNotContradicted: when a provider rule gives advice,
// the reason's generic advice and the soft-bounce note do not follow it;
// Yahoo's TSS09 (a 421 after which retrying does not help) is the example.
func TestProviderAdviceNotContradicted(t *testing.T) {
	x, en, _ := explainBoth("421 4.7.0 [TSS09] All messages from 203.0.113.5 will be permanently deferred; Retrying will NOT succeed. See https://senders.yahooinc.com/smtp-error-codes", Options{})
	if x.Provider == nil || x.Provider.Rule != "yahoo.TSS09" || strings.Contains(allText(en), "keeps retrying on its own") {
		t.Errorf("TSS09: %+v\n%s", x.Provider, allText(en))
	}
	for i := range providerRules {
		pr := &providerRules[i]
		if len(pr.Advice) == 0 {
			continue
		}
		def := reasonDefs[pr.Reason]
		adv := adviceFor(def, pr, true, false)
		for _, a := range append([]i18n.Text{msgSoft}, def.Advice...) {
			for _, b := range adv {
				if a == b {
					t.Errorf("rule %s: generic advice %q follows the provider's", pr.ID, a.EN)
				}
			}
		}
	}
}

// TestDelayedDSN: a delay is titled as a delay, not as a delivery that was
// given up, whether a DSN says Action: delayed or a 4.4.x reply says so.
func TestDelayedDSN(t *testing.T) {
	for _, tc := range []struct {
		in  string
		opt Options
	}{
		{"smtp; 451 4.4.1 No answer from host", Options{Status: "4.4.1", Action: "delayed"}},
		{"4.4.1", Options{Action: "delayed"}},
		{"", Options{Status: "4.4.7", Action: "delayed"}},
		{"connect to mx.example.test[192.0.2.1]:25: Connection timed out", Options{Status: "4.4.1", Action: "delayed"}},
		{"451 4.4.1 No answer from host", Options{}},
	} {
		x, en, de := explainBoth(tc.in, tc.opt)
		if x.Bounce != "soft" {
			t.Errorf("%q %+v: bounce %s", tc.in, tc.opt, x.Bounce)
		}
		if strings.Contains(en.Title, "gave up") || strings.Contains(de.Title, "aufgegeben") {
			t.Errorf("%q %+v: titled as given up: %q", tc.in, tc.opt, en.Title)
		}
		if !strings.Contains(strings.ToLower(en.Title), "delayed") || !strings.Contains(de.Title, "verzögert") {
			t.Errorf("%q %+v: not titled as a delay: %q / %q", tc.in, tc.opt, en.Title, de.Title)
		}
	}
	// A failed DSN that gave up stays "gave up".
	x, en, _ := explainBoth("smtp; 550 4.4.7 Message expired", Options{Status: "5.4.7", Action: "failed"})
	if x.Reason != Expired || !strings.Contains(en.Title, "gave up") {
		t.Errorf("failed expiry: %s %q", x.Reason, en.Title)
	}
}

// TestGermanReplies: German wordings are classified like their English
// counterparts.
func TestGermanReplies(t *testing.T) {
	for _, tc := range []struct {
		de, en string
	}{
		{"550 5.2.1 Postfach gesperrt", "550 5.2.1 Mailbox disabled"},
		{"550 Postfach gesperrt", "550 Mailbox disabled"},
		{"550 5.1.1 Empfänger unbekannt", "550 5.1.1 Recipient unknown"},
		{"550 Empfänger unbekannt", "550 Recipient unknown"},
		{"550 Benutzer unbekannt", "550 User unknown"},
		{"552 5.2.2 Postfach voll", "552 5.2.2 Mailbox full"},
		{"452 Postfach voll", "452 Mailbox full"},
		{"552 Mailbox voll", "552 Mailbox full"},
		{"554 5.7.1 Ihre IP-Adresse steht auf einer Sperrliste", "554 5.7.1 Your IP address is on a block list"},
		{"550 Ihre IP steht auf einer Sperrliste", "550 Your IP is on a blocklist"},
		{"550 5.7.1 Nachricht aufgrund lokaler Richtlinien abgelehnt", "550 5.7.1 Message rejected due to local policy"},
		{"550 Nachricht aufgrund lokaler Richtlinien abgelehnt", "550 Message rejected due to local policy"},
		{"550 5.1.1 Die Adresse existiert nicht", "550 5.1.1 The address does not exist"},
		{"550 Unbekannter Empfänger", "550 Unknown recipient"},
		{"550 5.7.1 Nachricht als Spam eingestuft", "550 5.7.1 Message classified as spam"},
		{"552 Nachricht zu groß", "552 Message too big"},
		{"550 Konto deaktiviert", "550 Account disabled"},
		{"550 Relaying nicht erlaubt", "550 Relaying not allowed"},
		{"450 4.2.1 Postfach vorübergehend nicht verfügbar", "450 4.2.1 Mailbox temporarily unavailable"},
		{"550 Absenderadresse abgelehnt", "550 Sender address rejected"},
		{"550 Absenderdomain existiert nicht", "550 Sender domain does not exist"},
		{"554 Nachricht enthält einen Virus", "554 Message contains a virus"},
		{"550 5.7.1 SPF-Prüfung fehlgeschlagen", "550 5.7.1 SPF check failed"},
		{"550 5.7.1 Kein Reverse-DNS für Ihre IP", "550 5.7.1 No reverse DNS for your IP"},
		{"550 EMPFÄNGER UNBEKANNT", "550 RECIPIENT UNKNOWN"},
		{"552 POSTFACH ÜBERFÜLLT", "552 MAILBOX FULL"},
		{"550 Empfänger nicht gefunden", "550 Recipient not found"},
		{"421 Zu viele Verbindungen von Ihrer IP", "421 Too many connections from your IP"},
		{"452 Zu viele Empfänger", "452 Too many recipients"},
		{"550 Domain existiert nicht", "550 Domain does not exist"},
		{"554 Nachricht als Spam erkannt", "554 Message detected as spam"},
	} {
		de, en := Explain(tc.de, Options{}), Explain(tc.en, Options{})
		if de.Reason != en.Reason {
			t.Errorf("%q → %s (%s), but %q → %s (%s)", tc.de, de.Reason, de.ReasonSource, tc.en, en.Reason, en.ReasonSource)
		}
		if de.Reason == OnHold || de.Reason == Undefined {
			t.Errorf("%q: undecided (%s)", tc.de, de.Reason)
		}
	}
}

// TestAcceptedNotDelivered: a 250 or a queued acceptance is "accepted",
// never "delivered"; only a success DSN is "delivered". The hint how to
// prove inbox placement appears once.
func TestAcceptedNotDelivered(t *testing.T) {
	for _, tc := range []struct {
		in  string
		opt Options
	}{
		{"250 2.6.0 <id@example.test> [InternalId=123, Hostname=AM0PR01MB1234.eurprd01.prod.exchangelabs.com] Queued mail for delivery", Options{}},
		{"250 2.6.0 <id@example.test> [InternalId=123, Hostname=DB9P191MB1234.EURP191.PROD.OUTLOOK.COM] Queued mail for delivery -> 250 2.1.5", Options{MXHost: "hotmail-com.olc.protection.outlook.com"}},
		{"250 2.0.0 OK 1700000000 a1b2c3d4e5f6.1 - gsmtp", Options{}},
		{"250 Ok: queued as 4Q9vZ70x2Kz9rxR", Options{}},
		{"250", Options{}},
		{"2.0.0", Options{}},
		{"250 2.1.5 Ok", Options{Command: "RCPT TO"}},
	} {
		x, en, de := explainBoth(tc.in, tc.opt)
		if x.Reason != Accepted || x.Bounce != "none" {
			t.Errorf("%.60q: reason %s bounce %s, want accepted none", tc.in, x.Reason, x.Bounce)
		}
		if n := strings.Count(allText(en), "To prove inbox placement"); n != 1 {
			t.Errorf("%.60q: inbox-proof hint %d times:\n%s", tc.in, n, allText(en))
		}
		if n := strings.Count(allText(de), "nachzuweisen"); n != 1 {
			t.Errorf("%.60q: German inbox-proof hint %d times:\n%s", tc.in, n, allText(de))
		}
	}
	for _, action := range []string{"delivered", "relayed", "expanded"} {
		if x := Explain("smtp; 250 2.0.0 OK", Options{Status: "2.0.0", Action: action}); x.Reason != Delivered {
			t.Errorf("success DSN (%s): reason %s", action, x.Reason)
		}
	}
}

// TestAcceptedNoDelistingGuidance: an acceptance does not send the user to
// the provider's delisting portal.
func TestAcceptedNoDelistingGuidance(t *testing.T) {
	x := Explain("250 2.6.0 <id@example.test> [InternalId=1, Hostname=AM0PR01MB1234.eurprd01.prod.exchangelabs.com] Queued mail for delivery", Options{})
	if x.Provider == nil || len(x.Provider.Guidance) != 0 {
		t.Errorf("guidance for an acceptance: %+v", x.Provider)
	}
	x = Explain("550 5.7.1 Unfortunately, messages from [203.0.113.5] weren't sent. (S3150)", Options{})
	if x.Provider == nil || len(x.Provider.Guidance) == 0 {
		t.Errorf("no guidance for a refusal: %+v", x.Provider)
	}
}
