package dsn

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var fixtureDir = filepath.Join("..", "..", "testdata", "bounces", "fixtures")

// TestFixtures: the bounce formats written after MTAs' documented templates
// (testdata/bounces/fixtures), each with its expected results.
func TestFixtures(t *testing.T) {
	type want struct {
		kind                            Kind
		rcpt, action, status, reason    string
		reply, remote, command, origMID string
	}
	cases := []struct {
		file string
		want []want
	}{
		{"postfix.eml", []want{
			{KindRecipient, "bob@receiver.test", "failed", "5.1.1", "userunknown", "550 5.1.1 <bob@receiver.test>: Recipient address rejected: User unknown in virtual mailbox table", "mx1.receiver.test", "RCPT TO", "mxp.7f3a9c2e.1741079700@sender.test"},
			{KindRecipient, "carol@outlook.example", "failed", "5.7.1", "", "", "outlook-example.olc.protection.outlook.com", "", ""},
		}},
		{"gmail.eml", []want{{KindRecipient, "dave@gmail.example", "failed", "5.7.26", "authfailure", "", "gmail-smtp-in.l.google.com", "", "mxp.91b2.1741080129@sender.test"}}},
		{"exchange-online.eml", []want{{KindRecipient, "frank@fabrikam.example", "failed", "5.1.10", "userunknown", "", "fabrikam-example.mail.protection.outlook.com", "", ""}}},
		{"qmail.eml", []want{
			{KindRecipient, "grace@yahoo.example", "failed", "", "", "", "192.0.2.44", "", "mxp.5e1f.1741081310@sender.test"},
			{KindRecipient, "heidi@receiver.test", "failed", "5.1.1", "userunknown", "", "", "", ""},
			{KindRecipient, "ivan@full.test", "failed", "5.2.2", "mailboxfull", "", "192.0.2.66", "", ""},
		}},
		{"exim.eml", nil},
		// Exim 4.9x's newer text names the sender first ("A message sent
		// by <addr>") and an alias expansion under the recipient.
		{"exim-sent-by-alias.eml", []want{{KindRecipient, "sales@partner.test", "failed", "", "expired", "retry timeout exceeded", "", "", "order-4711@shop.test"}}},
		{"exchange-de-unzustellbar.eml", []want{
			{KindRecipient, "juergen.mueller@kunde.test", "failed", "5.1.1", "userunknown", "", "mx.kunde.test", "", ""},
			{KindRecipient, "ute.schaefer@kunde.test", "failed", "5.2.2", "mailboxfull", "", "mx.kunde.test", "", ""},
		}},
		{"exchange-de-2016-html.eml", nil},
		{"gmx-de.eml", []want{{KindRecipient, "anna.beispiel@web.test", "failed", "5.1.1", "userunknown", "", "", "", "probe-gmx-1@example.test"}}},
		{"tonline-de.eml", []want{{KindRecipient, "peter.muster@t-online.test", "failed", "5.7.1", "", "", "", "", ""}}},
		{"zoho.eml", []want{{KindRecipient, "bob@zohocustomer.test", "failed", "5.2.2", "mailboxfull", "ERROR CODE :552 - 5.2.2 Mailbox full, quota exceeded", "", "", "probe-zoho-1@example.test"}}},
		// Zoho's header of the returned message follows the reply after
		// blank lines, without a marker line: it is no part of the reply.
		{"zoho-invalid-address.eml", []want{{KindRecipient, "max@kunde.test", "failed", "", "userunknown", "Invalid Address, ERROR_CODE :550, ERROR_CODE :Requested action not taken: mailbox unavailable", "", "", "order-0815@shop.test"}}},
		// A Postfix bounce whose delivery report is unavailable: still a
		// bounce for the returned message's recipient, never an auto-reply
		// (it carries Auto-Submitted: auto-replied).
		{"postfix-report-unavailable.eml", []want{{KindRecipient, "leser@kunde.test", "failed", "", "", "", "", "", "news-2025-03@shop.test"}}},
		// sendmail's local delivery: the reply is sendmail's vague "Service
		// unavailable"; the local mailer's line above it names the cause.
		{"sendmail-local-unknown.eml", []want{{KindRecipient, "otto@kunde.test", "failed", "5.5.0", "userunknown", "", "", "", "invoice-0307@shop.test"}}},
		// Exim's pipe transport: the recipient is a program, which failed.
		{"exim-pipe-failed.eml", []want{{KindRecipient, "|/usr/local/bin/ticket-import support@kunde.test", "failed", "5.0.0", "mailererror", "", "", "", "ticket-4711@shop.test"}}},
		// "does not exist" names the sender's domain (the bounce went to
		// it), not the recipient's: a refused sender, no unknown host.
		{"exim-sender-domain-unknown.eml", []want{{KindRecipient, "leser@kunde.test", "failed", "", "rejected", "553 mailing.shop.test does not exist", "mx.kunde.test", "DATA", "news-0311@mailing.shop.test"}}},
		{"exchange-fr.eml", []want{{KindRecipient, "claire@exemple.test", "failed", "5.2.2", "mailboxfull", "", "", "", "probe-fr-1@example.test"}}},
		{"japanese-iso2022jp.eml", []want{{KindRecipient, "taro@jp.test", "failed", "5.1.1", "userunknown", "", "", "", ""}}},
		{"rfc6533-global.eml", []want{{KindRecipient, "jürgen@bücher.example", "failed", "5.1.1", "userunknown", "", "mx.bücher.example", "", "probe-global-1@example.test"}}},
		{"dsn-delivered-relayed-expanded.eml", []want{
			{KindRecipient, "eve@receiver.test", "delivered", "2.0.0", "delivered", "250 2.0.0 Ok: queued as 4ABC", "mx.receiver.test", "", "probe-ok-1@example.test"},
			{KindRecipient, "list@receiver.test", "expanded", "2.0.0", "delivered", "", "", "", ""},
			{KindRecipient, "old@legacy.test", "relayed", "2.0.0", "delivered", "", "", "", ""},
		}},
		{"dsn-delayed.eml", []want{{KindRecipient, "slow@receiver.test", "delayed", "4.4.1", "", "", "mx.receiver.test", "", "probe-delay-1@example.test"}}},
		{"arf-jmrp.eml", []want{{KindComplaint, "someone@hotmail.test", "", "", "feedback", "", "", "", "probe-arf-1@example.test"}}},
		{"autoreply-de.eml", []want{{KindAutoReply, "petra@firma.test", "", "", "vacation", "", "", "", "probe-ooo-1@example.test"}}},
		// The mail a mail program sends to a List-Unsubscribe mailto
		// address (RFC 2369): an unsubscribe request, no auto-reply.
		{"unsubscribe-mailto.eml", []want{{KindUnsubscribe, "erika@kunde.test", "", "", "feedback", "", "", "", ""}}},
		{"microsoft-junk-report.eml", []want{{KindJunkReport, "kunde@outlook.test", "", "", "feedback", "", "", "", "orig-junk-1@partner.test"}}},
		{"forwarded-bounce.eml", []want{{KindRecipient, "gone@receiver.test", "failed", "5.1.1", "userunknown", "", "mx.receiver.test", "RCPT TO", ""}}},
		{"exchange2007-en.eml", []want{{KindRecipient, "nobody@contoso.test", "failed", "5.1.1", "userunknown", "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found", "", "", "probe-ex2007-1@example.test"}}},
		{"exim-delay.eml", []want{{KindRecipient, "later@slow.test", "delayed", "4.3.0", "", "", "mx.slow.test", "RCPT TO", ""}}},
		{"sendmail-text.eml", []want{{KindRecipient, "gone@dest.test", "failed", "5.1.1", "userunknown", "550 5.1.1 <gone@dest.test>... User unknown", "", "RCPT TO", ""}}},
		{"postfix-text-expanded.eml", []want{
			{KindRecipient, "list@example.test", "delayed", "4.2.2", "mailboxfull", "", "mx.dest.test", "RCPT TO", ""},
			{KindRecipient, "two@dest.test", "failed", "5.7.1", "spamdetected", "", "mx.dest.test", "DATA", ""},
		}},
		{"exim-two-recipients.eml", []want{
			{KindRecipient, "a@dest.test", "failed", "5.1.1", "userunknown", "550 5.1.1 No such user", "mx.dest.test", "RCPT TO", ""},
			{KindRecipient, "b@other.test", "failed", "", "hostunknown", "", "", "", ""},
		}},
		{"broken-mime-8bit.eml", []want{{KindRecipient, "händler@receiver.test", "failed", "5.2.2", "mailboxfull", "", "mx.receiver.test", "RCPT TO", ""}}},
	}
	for _, c := range cases {
		data, err := os.ReadFile(filepath.Join(fixtureDir, c.file))
		if err != nil {
			t.Fatal(err)
		}
		m, err := ParseBytes(data)
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if c.want == nil {
			if len(m.Results) == 0 {
				t.Errorf("%s: no results", c.file)
			}
			continue
		}
		if len(m.Results) != len(c.want) {
			t.Errorf("%s: %d results, want %d: %+v", c.file, len(m.Results), len(c.want), m.Results)
			continue
		}
		for i, w := range c.want {
			g := m.Results[i]
			check := func(field, got, want string) {
				if want != "" && got != want {
					t.Errorf("%s #%d %s = %q, want %q", c.file, i+1, field, got, want)
				}
			}
			check("kind", string(g.Kind), string(w.kind))
			check("recipient", g.Recipient, w.rcpt)
			check("action", g.Action, w.action)
			check("status", g.Status, w.status)
			check("reason", g.Reason, w.reason)
			check("remote_reply", g.RemoteReply, w.reply)
			check("remote_mta", g.RemoteMTA, w.remote)
			check("command", g.Command, w.command)
			check("original_message_id", g.OriginalMessageID, w.origMID)
		}
	}
}

// TestEximSenderAndAlias: Exim's newer text names the sender before the
// failed addresses ("A message sent by <addr>"); the sender is no
// recipient, and "(generated from …)" under a recipient is its original
// address, not another recipient.
func TestEximSenderAndAlias(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(fixtureDir, "exim-sent-by-alias.eml"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Results) != 1 {
		t.Fatalf("%d results: %+v", len(m.Results), m.Results)
	}
	if r := m.Results[0]; r.Recipient != "sales@partner.test" || r.OriginalRecipient != "info@partner.test" {
		t.Errorf("recipient %q, original %q", r.Recipient, r.OriginalRecipient)
	}
}

// TestStartsHeaderBlock: the first field of a returned header block ends
// a text bounce's reply, also when the bounce is quoted in a forward; an
// indented line or a sendmail transcript line does not.
func TestStartsHeaderBlock(t *testing.T) {
	for line, want := range map[string]bool{
		"Received: from mail.example.test by mx.example.test": true,
		"Received:from mail.zoho.test by mx.zoho.test":        true,
		"> Return-Path: <shironeko@example.jp>":               true,
		"> > Received: from mx.example.org ([192.0.2.10])":    true,
		"    Received: from x by y":                           false,
		">>> RCPT TO:<received:x@example.test>":               false,
		"The message was received at 10:00":                   false,
	} {
		if got := startsHeaderBlock(line); got != want {
			t.Errorf("startsHeaderBlock(%q) = %v, want %v", line, got, want)
		}
	}
}

// TestAutoReplyWithNullReturnPath: RFC 3834 §3.3 asks auto-replies for a
// null Return-Path; that alone does not make one a bounce.
func TestAutoReplyWithNullReturnPath(t *testing.T) {
	msg := "Return-Path: <>\r\nFrom: Fred <fred@firma.test>\r\nTo: joe@shop.test\r\nSubject: Out of Office: Ihre Anfrage\r\n" +
		"Auto-Submitted: auto-replied\r\nContent-Type: text/plain\r\n\r\nI am away until Monday; please write to office@firma.test.\r\n"
	m, err := ParseBytes([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Results) != 1 || m.Results[0].Kind != KindAutoReply || m.Results[0].Recipient != "fred@firma.test" {
		t.Errorf("%+v", m.Results)
	}
}

// TestLocalMailerLineInTextBounce: in a plain-text sendmail bounce (no
// delivery-status part) the local mailer's line, too, names the cause
// behind sendmail's vague "Service unavailable".
func TestLocalMailerLineInTextBounce(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(fixtureDir, "sendmail-local-unknown.eml"))
	if err != nil {
		t.Fatal(err)
	}
	// Keep the header and the human-readable part only.
	text := string(data)
	text = strings.Replace(text, "multipart/report; report-type=delivery-status;\n\tboundary=\"52BAKV9x004411.1741342831/mx.kunde.test\"", "text/plain", 1)
	i := strings.Index(text, "--52BAKV9x004411.1741342831/mx.kunde.test\n\n")
	j := strings.Index(text, "--52BAKV9x004411.1741342831/mx.kunde.test\nContent-Type: message/delivery-status")
	if i < 0 || j < 0 {
		t.Fatal("fixture changed")
	}
	head := text[:strings.Index(text, "\n\n")+2]
	m, err := ParseBytes([]byte(head + text[i+len("--52BAKV9x004411.1741342831/mx.kunde.test\n\n"):j]))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Results) != 1 || m.Results[0].Recipient != "otto@kunde.test" || m.Results[0].Reason != "userunknown" {
		t.Errorf("%+v", m.Results)
	}
}

// TestPipeRecipientIsMailerError: a recipient that is a pipe to a program,
// with nothing else said, failed in the local delivery program.
func TestPipeRecipientIsMailerError(t *testing.T) {
	r := Result{Kind: KindRecipient, Recipient: "|/usr/local/bin/neko kijitora@example.test", Action: "failed", Status: "5.0.0", Format: FormatDSN}
	if got := classify(&r); got != "mailererror" {
		t.Errorf("pipe recipient: %s", got)
	}
	r.Recipient = "kijitora@example.test"
	if got := classify(&r); got == "mailererror" {
		t.Errorf("mail recipient: %s", got)
	}
}

// TestExchangeQuotedReplyWrapped: Exchange Online's "Remote Server returned
// '…'" wrapped over two lines keeps no closing quote in the reply.
func TestExchangeQuotedReplyWrapped(t *testing.T) {
	msg := "From: Microsoft Outlook <postmaster@outlook.test>\nTo: a@sender.test\nSubject: Undeliverable: Hello\n\n" +
		"Diagnostic information for administrators:\n\nGenerating server: AM0PR01MB0001.eurprd01.prod.outlook.test\n\n" +
		"bob@fabrikam.test\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not\nfound by SMTP address lookup'\n\nOriginal message headers:\n\nMessage-ID: <x1@sender.test>\n"
	m, err := ParseBytes([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Results) != 1 || m.Results[0].RemoteReply != "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup" || m.Results[0].Reason != "userunknown" {
		t.Errorf("%+v", m.Results)
	}
}
