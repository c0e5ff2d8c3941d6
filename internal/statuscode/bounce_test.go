package statuscode

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseBounceFixtures(t *testing.T) {
	type want struct {
		rcpt, action, status, diagPrefix, remote string
	}
	cases := []struct {
		file         string
		envid, msgID string
		probeID      string
		format       string
		recips       []want
	}{
		{"postfix.eml", "mxp-7f3a9c2e", "mxp.7f3a9c2e.1741079700@sender.test", "7f3a9c2e-5b1d-4c8e-9a61-0d2f4e6b8c10", FormatDSN, []want{
			{"bob@receiver.test", "failed", "5.1.1", "550 5.1.1 <bob@receiver.test>: Recipient address rejected: User unknown in virtual mailbox table", "mx1.receiver.test"},
			{"carol@outlook.example", "failed", "5.7.1", "550 5.7.1 Unfortunately, messages from [198.51.100.5] weren't sent.", "outlook-example.olc.protection.outlook.com"},
		}},
		{"gmail.eml", "", "mxp.91b2.1741080129@sender.test", "91b2c3d4-0000-4000-8000-00000000aa01", FormatDSN, []want{
			{"dave@gmail.example", "failed", "5.7.26", "550-5.7.26 Unauthenticated email from sender.test", "gmail-smtp-in.l.google.com"},
		}},
		{"exchange-online.eml", "", "mxp.c0ffee.1741080600@contoso.example", "c0ffee00-1111-4222-8333-444455556666", FormatDSN, []want{
			{"frank@fabrikam.example", "failed", "5.1.10", "550 5.1.10 RESOLVER.ADR.RecipientNotFound;", "fabrikam-example.mail.protection.outlook.com"},
		}},
		{"qmail.eml", "", "mxp.5e1f.1741081310@sender.test", "5e1f0000-aaaa-4bbb-8ccc-dddddddd0003", FormatQmail, []want{
			{"grace@yahoo.example", "failed", "", "554 Message not allowed - [PH01]", "192.0.2.44"},
			{"heidi@receiver.test", "failed", "5.1.1", "Sorry, no mailbox here by that name. (#5.1.1)", ""},
			{"ivan@full.test", "failed", "5.2.2", "552 5.2.2 ivan@full.test mailbox is full", "192.0.2.66"},
		}},
		{"exchange-de-unzustellbar.eml", "", "mxp.4711.1741082530@firma.test", "4711beef-0000-4000-8000-000000004711", FormatExchange, []want{
			{"juergen.mueller@kunde.test", "failed", "5.1.1", "550 5.1.1 <juergen.mueller@kunde.test>... User unknown", "mx.kunde.test"},
			{"ute.schaefer@kunde.test", "failed", "5.2.2", "552 5.2.2 Requested mail action aborted: exceeded storage allocation", "mx.kunde.test"},
		}},
		{"exchange-de-2016-html.eml", "", "mxp.rechnung.1741158840@firma.test", "0e0e0e0e-1234-4567-89ab-cdef01234567", FormatExchange, []want{
			{"lars@grosskunde.test", "failed", "5.7.1", "554 5.7.1 <lars@grosskunde.test>: Recipient address rejected: Access denied", "mx01.grosskunde.test"},
		}},
		{"exim.eml", "", "mxp.judy.1741086001@sender.test", "11112222-3333-4444-8555-666677778888", FormatText, []want{
			{"judy@receiver.test", "failed", "5.2.1", "550 5.2.1 <judy@receiver.test>: Recipient address rejected: mailbox disabled", "mx2.receiver.test"},
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("..", "..", "testdata", "statuscode", "dsn", c.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := ParseBounce(f)
			if err != nil {
				t.Fatalf("ParseBounce: %v", err)
			}
			if len(got) != len(c.recips) {
				t.Fatalf("got %d recipients, want %d: %+v", len(got), len(c.recips), got)
			}
			for i, w := range c.recips {
				g := got[i]
				if g.FinalRecipient != w.rcpt || g.Action != w.action || g.Status != w.status || g.RemoteMTA != w.remote {
					t.Errorf("recipient %d = {%q %q %q remote %q}, want {%q %q %q remote %q}", i,
						g.FinalRecipient, g.Action, g.Status, g.RemoteMTA, w.rcpt, w.action, w.status, w.remote)
				}
				if !strings.HasPrefix(g.DiagnosticCode, w.diagPrefix) {
					t.Errorf("recipient %d diagnostic = %q, want prefix %q", i, g.DiagnosticCode, w.diagPrefix)
				}
				if g.OriginalEnvelopeID != c.envid || g.MessageID != c.msgID || g.MxprobeID != c.probeID || g.Format != c.format {
					t.Errorf("recipient %d ids = envid %q msgid %q probe %q format %q, want %q %q %q %q", i,
						g.OriginalEnvelopeID, g.MessageID, g.MxprobeID, g.Format, c.envid, c.msgID, c.probeID, c.format)
				}
			}
		})
	}
}

func TestParseBounceEdgeCases(t *testing.T) {
	t.Run("not a bounce", func(t *testing.T) {
		_, err := ParseBounce(strings.NewReader("From: a@b.test\nSubject: hi\n\nJust a normal message.\n"))
		if !errors.Is(err, ErrNoBounce) {
			t.Fatalf("err = %v, want ErrNoBounce", err)
		}
	})
	t.Run("empty", func(t *testing.T) {
		_, err := ParseBounce(strings.NewReader(""))
		if !errors.Is(err, ErrNoBounce) {
			t.Fatalf("err = %v, want ErrNoBounce", err)
		}
	})
	t.Run("missing blank line between recipients and no close delimiter", func(t *testing.T) {
		msg := "Content-Type: multipart/report; report-type=delivery-status; boundary=XX\n\n" +
			"--XX\nContent-Type: message/delivery-status\n\n" +
			"Reporting-MTA: dns; r.test\nOriginal-Envelope-Id: E1\n\n" +
			"Final-Recipient: rfc822; a@x.test\nAction: delayed\nStatus: 4.4.1\n" +
			"Final-Recipient: rfc822; <b@x.test>\nAction: failed (bad)\nStatus: 5.1.1 (unknown)\nDiagnostic-Code: X-Unix; 67\n"
		got, err := ParseBounce(strings.NewReader(msg))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].FinalRecipient != "a@x.test" || got[0].Action != "delayed" ||
			got[1].FinalRecipient != "b@x.test" || got[1].Action != "failed" || got[1].Status != "5.1.1" ||
			got[1].DiagnosticType != "x-unix" || got[1].DiagnosticCode != "67" || got[1].OriginalEnvelopeID != "E1" {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("forwarded bounce", func(t *testing.T) {
		inner := "Content-Type: multipart/report; report-type=delivery-status; boundary=YY\n\n" +
			"--YY\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; r.test\n\n" +
			"Final-Recipient: rfc822; c@x.test\nAction: failed\nStatus: 5.2.2\n--YY--\n"
		outer := "Content-Type: multipart/mixed; boundary=ZZ\n\n--ZZ\nContent-Type: text/plain\n\nFYI\n" +
			"--ZZ\nContent-Type: message/rfc822\n\n" + inner + "--ZZ--\n"
		got, err := ParseBounce(strings.NewReader(outer))
		if err != nil || len(got) != 1 || got[0].FinalRecipient != "c@x.test" || got[0].Status != "5.2.2" {
			t.Fatalf("got %+v, %v", got, err)
		}
	})
	t.Run("base64 delivery-status", func(t *testing.T) {
		msg := "Content-Type: multipart/report; boundary=\"b\"\n\n--b\nContent-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n\n" +
			"RmluYWwtUmVjaXBpZW50OiByZmM4MjI7IGRAeC50ZXN0CkFjdGlvbjogZmFpbGVkClN0YXR1czog\nNS4xLjEK\n--b--\n"
		got, err := ParseBounce(strings.NewReader(msg))
		if err != nil || len(got) != 1 || got[0].FinalRecipient != "d@x.test" || got[0].Status != "5.1.1" {
			t.Fatalf("got %+v, %v", got, err)
		}
	})
	t.Run("deeply nested multiparts stop", func(t *testing.T) {
		var b strings.Builder
		for i := 0; i < 200; i++ {
			b.WriteString("Content-Type: multipart/mixed; boundary=q\n\n--q\n")
		}
		_, err := ParseBounce(strings.NewReader(b.String()))
		if !errors.Is(err, ErrNoBounce) {
			t.Fatalf("err = %v", err)
		}
	})
}

func FuzzParseBounce(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "statuscode", "dsn", "*.eml"))
	for _, fn := range files {
		if b, err := os.ReadFile(fn); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("Content-Type: multipart/report; boundary=a\n\n--a\nContent-Type: message/delivery-status\n\nFinal-Recipient: x\n"))
	f.Add([]byte("<a@b.c>:\nRemote host said: 550 5.1.1 no\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParseBounce(strings.NewReader(string(b)))
		if err == nil && len(got) == 0 {
			t.Fatal("no error and no recipients")
		}
		for _, r := range got {
			if r.FinalRecipient == "" || r.Action == "" || r.Format == "" {
				t.Fatalf("incomplete recipient %+v", r)
			}
		}
	})
}
