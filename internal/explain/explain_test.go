package explain

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/i18n"
)

func TestExplainCases(t *testing.T) {
	cases := []struct {
		name                 string
		in                   string
		opt                  Options
		reason               Reason
		bounce               string
		provider, kind, rule string
		consistent           bool
		responsible          string
		registered           bool
		descHas              string
	}{
		{name: "S3150", in: "550 5.7.1 Unfortunately, messages from [203.0.113.5] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).",
			reason: Blocked, bounce: "hard", provider: "microsoft", kind: "consumer", rule: "microsoft.S3150", consistent: true, responsible: RespSenderAdmin, registered: true, descHas: "S3150"},
		{name: "S3140 via --mx", in: "550 5.7.1 Unfortunately, messages from [203.0.113.5] weren't sent. (S3140)", opt: Options{MXHost: "hotmail-com.olc.protection.outlook.com."},
			reason: Blocked, bounce: "hard", provider: "microsoft", kind: "consumer", rule: "microsoft.S3140", consistent: true, responsible: RespSenderAdmin, registered: true},
		{name: "banned sending IP", in: "550 5.7.606 Access denied, banned sending IP [203.0.113.9]. To request removal from this list please visit https://sender.office.com/ and follow the directions.",
			reason: Blocked, bounce: "hard", provider: "microsoft", kind: "tenant", rule: "microsoft.5.7.606-649", consistent: true, responsible: RespSenderAdmin, descHas: "Exchange Online Protection"},
		{name: "unregistered code alone", in: "5.7.606", reason: Blocked, bounce: "hard", provider: "microsoft", rule: "microsoft.5.7.606-649", consistent: true, responsible: RespSenderAdmin},
		{name: "4.7.650", in: "451 4.7.650 The mail server [203.0.113.5] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775)",
			reason: BadReputation, bounce: "soft", provider: "microsoft", kind: "consumer", rule: "microsoft.4.7.650", consistent: true, responsible: RespSenderAdmin},
		{name: "4.7.500 throttling", in: "451 4.7.500 Server busy. Please try again later from [203.0.113.5]. (AS761)", opt: Options{MXHost: "contoso-com.mail.protection.outlook.com"},
			reason: RateLimited, bounce: "soft", provider: "microsoft", kind: "tenant", rule: "microsoft.4.7.500-699", consistent: true, responsible: RespSenderAdmin},
		{name: "5.7.515", in: "550 5.7.515 Access denied, sending domain EXAMPLE.TEST doesn't meet the required authentication level.",
			reason: AuthFailure, bounce: "hard", provider: "microsoft", kind: "consumer", rule: "microsoft.5.7.515", consistent: true},
		{name: "queued", in: "250 2.6.0 <id@example.test> [InternalId=123, Hostname=AM0PR01MB1234.eurprd01.prod.exchangelabs.com] Queued mail for delivery",
			reason: Accepted, bounce: "none", provider: "microsoft", rule: "microsoft.queued", consistent: true, responsible: RespNobody, registered: false},
		{name: "DBEB 5.4.1", in: "550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [DB5EUR03FT012.eop-EUR03.prod.protection.outlook.com]",
			reason: UserUnknown, bounce: "hard", provider: "microsoft", rule: "microsoft.5.4.1-dbeb", consistent: true, responsible: RespListOwner},
		{name: "gmail 5.7.27 is SPF", in: "550 5.7.27 This message was blocked because it didn't pass SPF authentication. Gmail requires bulk email senders to authenticate with SPF. - gsmtp",
			reason: AuthFailure, bounce: "hard", provider: "google", rule: "google.x.7.27", consistent: true},
		{name: "gmail 5.7.30 via mx", in: "550 5.7.30 This message was blocked because it didn't pass DKIM authentication.", opt: Options{MXHost: "gmail-smtp-in.l.google.com"},
			reason: AuthFailure, bounce: "hard", provider: "google", kind: "consumer", rule: "google.x.7.30", consistent: true},
		{name: "gmail 4.7.29 is TLS", in: "421 4.7.29 Your email has been rate limited because you're not using a TLS connection. - gsmtp",
			reason: FailedSTARTTLS, bounce: "soft", provider: "google", rule: "google.x.7.29", consistent: true},
		{name: "IANA 5.7.27 without google", in: "550 5.7.27 Sender address has null MX", reason: Rejected, bounce: "hard", consistent: true, registered: true},
		{name: "gmail rate limit", in: "421 4.7.28 Gmail has detected an unusual rate of unsolicited email originating from your IP address.",
			reason: RateLimited, bounce: "soft", provider: "google", rule: "google.4.7.28", consistent: true},
		{name: "yahoo TSS04", in: "421 4.7.0 [TSS04] Messages from 203.0.113.5 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
			reason: BadReputation, bounce: "soft", provider: "yahoo", rule: "yahoo.TSS04", consistent: true},
		{name: "yahoo PH01", in: "554 Message not allowed - [PH01] Email not accepted for policy reasons.  Please visit https://postmaster.yahooinc.com/error-codes",
			reason: PolicyViolation, bounce: "hard", provider: "yahoo", rule: "yahoo.PH0x", consistent: true},
		{name: "gmx block", in: "554-gmx.net (mxgmx017) Nemesis ESMTP Service not available\n554-No SMTP service\n554 IP address is block listed.\nFor explanation visit https://postmaster.gmx.net/en/case?c=hi&i=ip&v=203.0.113.5&r=0Mxxx",
			reason: Blocked, bounce: "hard", provider: "gmx", rule: "unitedinternet.blocklist", consistent: true},
		{name: "web.de policy", in: "554-Transaction failed\n554-Reject due to policy restrictions.\n554 For explanation visit https://postmaster.web.de/en/case?c=r0201&i=ip&v=203.0.113.5&r=0MPDe6-1",
			reason: PolicyViolation, bounce: "hard", provider: "webde", rule: "unitedinternet.policy", consistent: true},
		{name: "t-online BL", in: "554 IP=203.0.113.5 - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to clarify.) (BL)",
			reason: Blocked, bounce: "hard", provider: "t-online", rule: "t-online.BL", consistent: true},
		{name: "inconsistent 5.0.0", in: "550 5.0.0 <x@example.test>... mailbox does not exist", reason: UserUnknown, bounce: "hard", consistent: false, responsible: RespListOwner, registered: true},
		{name: "inconsistent class", in: "550 4.1.1 <x@example.test>: User unknown", reason: UserUnknown, bounce: "hard", consistent: false},
		{name: "inconsistent subject", in: "550 5.3.0 Mailbox full", reason: MailboxFull, bounce: "hard", consistent: false},
		{name: "mailbox full", in: "452 4.2.2 The recipient's inbox is out of storage space.", reason: MailboxFull, bounce: "soft", consistent: true, responsible: RespRecipient, registered: true},
		{name: "greylisting", in: "450 4.7.1 <x@example.test>: Recipient address rejected: Greylisted, see https://postgrey.example.test/ - please try again later", reason: Greylisted, bounce: "soft", consistent: true, responsible: RespNobody},
		{name: "basic only", in: "550", reason: OnHold, bounce: "hard", consistent: true},
		{name: "enhanced only", in: "5.1.1", reason: UserUnknown, bounce: "hard", consistent: true, registered: true},
		{name: "text only", in: "Domain does not exist", reason: HostUnknown, bounce: "hard", consistent: true},
		{name: "nothing", in: "hello world", reason: OnHold, bounce: "unknown", consistent: true},
		{name: "vacation", in: "I am out of the office until Monday.", reason: Vacation, bounce: "none", consistent: true, responsible: RespNobody},
		{name: "german", in: "550 5.1.1 Empfänger unbekannt", reason: UserUnknown, bounce: "hard", consistent: true},
		{name: "AS tag", in: "451 4.7.500 Server busy. Please try again later from [203.0.113.5]. (AS843) [AM4PEPF00027A6C.eurprd04.prod.outlook.com]",
			reason: RateLimited, bounce: "soft", provider: "microsoft", rule: "microsoft.4.7.500-699", consistent: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, lang := range []i18n.Lang{i18n.EN, i18n.DE} {
				x := Explain(c.in, c.opt).Localize(lang)
				if x.Reason != c.reason || x.Bounce != c.bounce || x.Consistent != c.consistent {
					t.Errorf("%s: reason %s (%s) bounce %s consistent %v (%s); want %s %s %v",
						lang, x.Reason, x.ReasonSource, x.Bounce, x.Consistent, x.Inconsistency, c.reason, c.bounce, c.consistent)
				}
				if c.provider != "" {
					if x.Provider == nil {
						t.Fatalf("%s: no provider, want %s", lang, c.provider)
					}
					if x.Provider.Name != c.provider || (c.kind != "" && x.Provider.Kind != c.kind) || (c.rule != "" && x.Provider.Rule != c.rule) {
						t.Errorf("%s: provider %s/%s rule %s; want %s/%s %s", lang, x.Provider.Name, x.Provider.Kind, x.Provider.Rule, c.provider, c.kind, c.rule)
					}
					if c.rule != "" && x.Provider.Meaning == "" {
						t.Errorf("%s: rule without meaning", lang)
					}
				}
				if c.responsible != "" && x.Responsible != c.responsible {
					t.Errorf("%s: responsible %s, want %s", lang, x.Responsible, c.responsible)
				}
				if c.registered && !x.Registered {
					t.Errorf("%s: not registered", lang)
				}
				if !x.Consistent && x.Inconsistency == "" {
					t.Errorf("%s: inconsistent without explanation", lang)
				}
				if c.descHas != "" && lang == i18n.EN && !strings.Contains(x.Description, c.descHas) {
					t.Errorf("description %q lacks %q", x.Description, c.descHas)
				}
				if x.Title == "" || x.Description == "" || len(x.Advice) == 0 || x.Actionable.Level == "" || x.Actionable.Text == "" {
					t.Errorf("%s: incomplete: %+v", lang, x)
				}
			}
		})
	}
}

func TestExplainLanguages(t *testing.T) {
	x := Explain("550 5.1.1 User unknown", Options{})
	en, de := x.Localize(i18n.EN), x.Localize(i18n.DE)
	if en.Title == de.Title || en.Description == de.Description || en.Advice[0] == de.Advice[0] || en.Detail.Title == de.Detail.Title {
		t.Errorf("German texts equal English: %q / %q", en.Title, de.Title)
	}
	if de.Reason != en.Reason || de.Bounce != en.Bounce || de.Responsible != en.Responsible {
		t.Error("result words depend on the language")
	}
}

// TestExplainJSON checks the contract field names, including nulls for
// absent codes.
func TestExplainJSON(t *testing.T) {
	b, err := json.Marshal(Explain("Domain does not exist", Options{}).Localize(i18n.EN))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"input", "reply", "reply_code", "enhanced_code", "bounce", "reason", "consistent", "responsible", "actionable", "title", "description", "advice"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
	if m["reply_code"] != nil || m["enhanced_code"] != nil {
		t.Errorf("absent codes must be null: %s", b)
	}
	b, _ = json.Marshal(Explain("550 5.7.1 (S3150) blocked", Options{}).Localize(i18n.EN))
	m = nil
	_ = json.Unmarshal(b, &m)
	for _, k := range []string{"class", "subject", "detail", "reference", "provider"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
	if m["reply_code"].(float64) != 550 || m["enhanced_code"].(string) != "5.7.1" || m["class"] != "permanent" {
		t.Errorf("codes: %s", b)
	}
	sub := m["subject"].(map[string]any)
	if sub["number"].(float64) != 7 || sub["title"] == "" || sub["description"] == "" {
		t.Errorf("subject: %v", sub)
	}
	p := m["provider"].(map[string]any)
	if p["name"] != "microsoft" || p["rule"] != "microsoft.S3150" || p["meaning"] == "" {
		t.Errorf("provider: %v", p)
	}
}

func TestExplainReply(t *testing.T) {
	x := ExplainReply(550, "5.7.1", "Unfortunately, messages from [203.0.113.5] weren't sent. (S3150)", Options{})
	if x.Reason != Blocked || x.Provider == nil || x.Provider.Rule != "microsoft.S3150" || *x.ReplyCode != 550 || *x.EnhancedCode != "5.7.1" {
		t.Errorf("ExplainReply: %+v", x)
	}
	x = ExplainReply(250, "2.6.0", "<id> [InternalId=1] Queued mail for delivery", Options{})
	if x.Reason != Accepted || x.Bounce != "none" {
		t.Errorf("queued: %s %s", x.Reason, x.Bounce)
	}
	x = ExplainReply(550, "", "User unknown", Options{Command: "DATA"})
	if x.Reason != Filtered || x.Command != "DATA" {
		t.Errorf("DATA context: %s %s", x.Reason, x.Command)
	}
	x = ExplainReply(550, "", "", Options{Status: "5.2.2"})
	if x.Reason != MailboxFull || x.EnhancedCode == nil {
		t.Errorf("status context: %s", x.Reason)
	}
}

func BenchmarkExplain(b *testing.B) {
	rows := readTSV(b, "sisimai-reply-lines.tsv")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = Explain(rows[i%len(rows)].line, Options{})
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

func TestASTags(t *testing.T) {
	got := asTags("451 4.7.500 Server busy (AS761). AS(1430) x AS16012607 MAS(123) AS12 ASX")
	want := []string{"AS761", "AS(1430)", "AS16012607"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("asTags = %q, want %q", got, want)
	}
}

// TestExplainConcurrent explains from several goroutines at once (the check
// command does), for the race detector: the automaton and the shared parts
// are built lazily.
func TestExplainConcurrent(t *testing.T) {
	rows := readTSV(t, "sisimai-reply-lines.tsv")
	done := make(chan Reason, 8)
	for g := 0; g < 8; g++ {
		go func(g int) {
			var last Reason
			for i := g; i < len(rows); i += 8 {
				last = Explain(rows[i].line, Options{MXHost: "mx.example.test"}).Reason
			}
			done <- last
		}(g)
	}
	for g := 0; g < 8; g++ {
		if r := <-done; r == "" {
			t.Error("empty reason")
		}
	}
}
