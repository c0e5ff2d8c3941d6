package dsn

import (
	"strings"
	"testing"
)

// TestReasonContext: what a bounce says besides the remote reply decides
// the reason where the reply does not: the Status field's comment (RFC 3464
// fields may carry RFC 5322 comments) and a section that names the SMTP
// command. The messages are written for this test after the formats'
// shapes, not taken from a corpus.
func TestReasonContext(t *testing.T) {
	dsn := func(status, diag, action string) string {
		s := "From: MAILER-DAEMON@mta.example.test\r\nTo: sender@example.test\r\nSubject: Delivery report\r\n" +
			"Date: Sat, 05 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\r\n" +
			"--b1\r\nContent-Type: text/plain\r\n\r\nDelivery report for the message below.\r\n\r\n" +
			"--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mta.example.test\r\n\r\n" +
			"Final-Recipient: rfc822; rcpt@example.test\r\nAction: " + action + "\r\nStatus: " + status + "\r\n"
		if diag != "" {
			s += "Diagnostic-Code: smtp; " + diag + "\r\n"
		}
		return s + "\r\n--b1--\r\n"
	}
	mfilter := "From: MAILER-DAEMON@gw.example.test\r\nTo: sender@example.test\r\nSubject: Returned mail\r\n" +
		"Date: Sat, 05 Dec 2026 10:00:00 +0000\r\n\r\n" +
		"The message could not be sent for the reason below.\r\n\r\nrcpt@example.test\r\n\r\n\r\n" +
		"-------server message\r\n550 unknown user <rcpt@example.test>\r\n\r\n-------SMTP command\r\nDATA\r\n\r\n" +
		"-------original message\r\nSubject: hello\r\n\r\nhi\r\n"
	for _, tc := range []struct {
		name, msg, reason, command string
	}{
		// The reply alone: a per-user filter that pretends the user does
		// not exist (x.2.1 with "User Unknown", no command known).
		{"reply only", dsn("5.2.1", "550 5.2.1 <rcpt@example.test>... User Unknown", "failed"), "filtered", ""},
		// The reporting MTA's comment reads the status: mailbox disabled.
		{"status comment", dsn("5.2.1 (mailbox disabled, not accepting messages)", "550 5.2.1 <rcpt@example.test>... User Unknown", "failed"), "suspend", ""},
		// No Diagnostic-Code: the comment names the cause of the delay.
		{"delayed comment", dsn("4.0.0 (example.test: host name lookup failure)", "", "delayed"), "networkerror", ""},
		{"delayed bare", dsn("4.0.0", "", "delayed"), "expired", ""},
		// m-FILTER's sections: the reply came after DATA.
		{"command section", mfilter, "filtered", "DATA"},
	} {
		m, err := Parse(strings.NewReader(tc.msg))
		if err != nil || len(m.Results) != 1 {
			t.Errorf("%s: err %v, results %+v", tc.name, err, m)
			continue
		}
		r := m.Results[0]
		if r.Reason != tc.reason || r.Command != tc.command {
			t.Errorf("%s: reason %s command %q, want %s %q (reply %q)", tc.name, r.Reason, r.Command, tc.reason, tc.command, r.RemoteReply)
		}
	}
}

// TestRecapNotRecipient: Exchange 2003 repeats the returned message's
// header ("Your message / To: / Subject: / Sent:") above the failed
// recipients; its To address is not one of them.
func TestRecapNotRecipient(t *testing.T) {
	msg := "From: postmaster@exch.example.test\r\nTo: sender@example.test\r\nSubject: Undeliverable: hello\r\n" +
		"Date: Sat, 05 Dec 2026 10:00:00 +0000\r\n\r\n" +
		"Your message\r\n\r\n  To:      friend@example.test\r\n  Subject: hello\r\n  Sent:    Sat, 05 Dec 2026 09:59:00 +0000\r\n\r\n" +
		"did not reach the following recipient(s):\r\n\r\n" +
		"gone@example.test on Sat, 05 Dec 2026 10:00:00 +0000\r\n    The recipient name is not recognized\r\n" +
		"    The MTS-ID of the original message is: c=US;a= ;p=Example;l=EXCH0001\r\n" +
		"    MSEXCH:IMS:Example:Site:EXCH0001 0 (000C05A6) Unknown Recipient\r\n"
	m, err := ParseBytes([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Results) != 1 || m.Results[0].Recipient != "gone@example.test" || m.Results[0].Reason != "userunknown" {
		for _, r := range m.Results {
			t.Logf("%s %s %q", r.Recipient, r.Reason, r.RemoteReply)
		}
		t.Fatalf("want one result gone@example.test userunknown")
	}
}
