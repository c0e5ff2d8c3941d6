package explain

import (
	"testing"

	"github.com/mxprobe/mxprobe/internal/statuscode"
)

// TestProviderCodes: Orange's, La Poste's and Spectrum's own error codes in
// the reply text decide the reason (provider_codes.go); an Orange or La
// Poste code yields to a text that names the reason itself.
func TestProviderCodes(t *testing.T) {
	for _, tc := range []struct {
		in     string
		want   Reason
		source string
	}{
		// The generic "Mail rejected" of Orange's content filter.
		{"550 5.2.0 Mail rejete. Mail rejected. OFR_506 [506]", SpamDetected, "provider"},
		{"SMTP error from remote mail server after end of data: host smtp.wanadoo.fr [192.0.2.1]: 550 5.2.0 Mail rejete. Mail rejected. ofr_506 [506]", SpamDetected, "provider"},
		// "Service refused" is used for different codes.
		{"host smtp-in.orange.fr[192.0.2.9] said: 421 4.2.0 Service refuse. Veuillez essayer plus tard. Service refused, please try later. OFR005_505 [505] (in reply to end of DATA command)", SystemError, "provider"},
		{"421 mwinf5c77 ME Service refuse. Veuillez essayer plus tard. Service refused, please try later. OFR_999 [999]", Blocked, "provider"},
		{"554 5.7.1 <mx.example.net[192.0.2.7]:49309>: Client host rejected: #216 lpn LPN000_630", PolicyViolation, "provider"},
		{"421 mwinf5c79 ME Trop de connexions, veuillez verifier votre configuration. Too many connections, slow down. OFR005_104 [104]", TooManyConn, "text"},
		{"550 5.5.0 Le compte du destinataire est bloque. The recipient account is blocked. LPN007_426", Suspend, "text"},
		// La Poste reuses 402 for "authentication required" and for DKIM.
		{"550 5.7.20 Message refuse, DKIM n'est pas configure sur votre domaine d'expedition. Message refused, DKIM is not configured on your sending domain. LPN007_402", AuthFailure, "text"},
		// Spectrum's texts are boilerplate; the AUP code decides.
		{"550 5.1.0 <bounce@example.com> sender rejected. Please see https://www.spectrum.net/support/internet/understanding-email-error-codes for more information. AUP#In-1310", TooManyConn, "provider"},
		{"554 5.7.1 sender rejected. AUP#I-1150", RequirePTR, "provider"},
		// Look-alikes that are no provider codes.
		{"550 we ofrecer nothing here 123", OnHold, "none"},
		{"550 5.7.1 AUP#CXBL", SecurityError, "code"},
	} {
		x := Explain(tc.in, Options{})
		if x.Reason != tc.want || x.ReasonSource != tc.source {
			t.Errorf("%.70q: reason %s (%s), want %s (%s)", tc.in, x.Reason, x.ReasonSource, tc.want, tc.source)
		}
	}
}

// TestQuotedInnerReply: bounces that state their own status and a
// description first and quote the remote server's reply after it are read
// from the quoted reply.
func TestQuotedInnerReply(t *testing.T) {
	for _, tc := range []struct {
		in       string
		want     Reason
		enhanced string
	}{
		{"The following message to <a@example.co.jp> was undeliverable. The reason for the problem: 5.1.0 - Unknown address error '5.7.1 <b@example.com>... Access denied'", SecurityError, "5.7.1"},
		{"The reason for the problem: 5.1.0 - Unknown address error 550-'5.1.1 The email account that you tried to reach does not exist.'", UserUnknown, "5.1.1"},
		{"The reason for the problem: 5.3.0 - Other mail system problem 550-'SPF check failed [abc IP: 192.0.2.38]. http://service.mail.qq.com/cgi-bin/help?subtype=1'", AuthFailure, ""},
		// Without a code in the quote the outer one stays, but the
		// description ("Other mail system problem") no longer decides.
		{"5.3.0 - Other mail system problem 550-'Mailbox unavailable'", UserUnknown, "5.3.0"},
		{"5.1.0 - Unknown address error 550-'No Such User Here\"' (delivery attempts: 0)", UserUnknown, "5.1.0"},
	} {
		x := Explain(tc.in, Options{})
		got := ""
		if x.EnhancedCode != nil {
			got = *x.EnhancedCode
		}
		if x.Reason != tc.want || got != tc.enhanced {
			t.Errorf("%.70q: reason %s (%s), enhanced %q; want %s, %q", tc.in, x.Reason, x.ReasonSource, got, tc.want, tc.enhanced)
		}
	}
}

// TestPhraseFamilies spot-checks the phrase families added from the
// wordings of MTAs and filters (sisimai's pattern lists were the
// checklist), and wordings that must not fall into them.
func TestPhraseFamilies(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Reason
	}{
		{"550 no such address here", UserUnknown},
		{"550 No such recipient here", UserUnknown},
		{"550 5.1.1 Die E-Mail wurde nicht zugestellt, weil die Adresse nicht gefunden wurde oder keine E-Mails empfangen kann.", UserUnknown},
		{"550 Recipient <x@example.com> was not found in the directory", UserUnknown},
		{"550 message rejected due to user rules", Filtered},
		{"550 Mail content denied.", SpamDetected},
		{"554 rejecting banned content", SpamDetected},
		{"554 5.7.1 [1] Message rejected under suspicion of SPAM", SpamDetected},
		{"550 5.7.1 TRANSPORT.RULES.RejectMessage; the message was rejected by organization policy", PolicyViolation},
		{"550 5.7.1 Messages with multiple addresses in the From: header are not accepted.", NotCompliantRFC},
		{"451 4.3.2 Internal server error", SystemError},
		{"554 Service currently unavailable", SystemError},
		{"550 'x@example.com' is not a registered gateway user", Rejected},
		{"550 5.4.1 All recipient addresses rejected : Access denied", Rejected},
		{"553 you are trying to use me [mx.example.net] as a relay, but I have not been configured to let you do this.", NoRelaying},
		{"421 4.3.2 The maximum number of concurrent connections per resource forest has exceeded a limit", TooManyConn},
		{"554 5.2.122 The recipient has exceeded their limit for the number of messages they can receive per hour.", Speeding},
		{"550 Comcast block for spam", SpamDetected},
		{"The mail server could not deliver mail to x@example.net. The account or domain may not exist, they may be blacklisted, or missing the proper dns entries.", HostUnknown},
		{"552 5.1.1 <x@example.net> recipient rejected - extended quota violation", MailboxFull},
		{"550 DMARC Sender Invalid - envelope rejected", AuthFailure},
		{"552 5.7.1 virus Eicar detected by the scanner", VirusDetected},
		// An authentication demand outranks the relay wording.
		{"Reason: Please turn on SMTP Authentication in your mail client. mx.example.net [192.0.2.21]:2525 is not permitted to relay through this server without authentication.", SecurityError},
		// Postfix defers a whole destination with "delivery temporarily
		// suspended": that is about the connection, not a suspended account.
		{"delivery temporarily suspended: host mx.example.net[192.0.2.1] refused to talk to me: 421 Service not available, closing transmission channel", Blocked},
		// A suspended sending account is not a suspended recipient.
		{"550 5.7.0 Email relay denied 192.0.2.1. The sending email account has been temporarily suspended due to abuse.", NoRelaying},
	} {
		x := Explain(tc.in, Options{})
		if x.Reason != tc.want {
			t.Errorf("%.80q: reason %s (%s), want %s", tc.in, x.Reason, x.ReasonSource, tc.want)
		}
	}
}

func FuzzProviderCodeReason(f *testing.F) {
	for _, s := range []string{"ofr_506 [506]", "lpn007_426", "lpnaaa_101", "ouk_513", "aup#in-1310", "aup#", "ofr", "lpn12", "ofr0000000000_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, _ := providerCodeReason(s)
		if r != "" {
			if _, ok := reasonDefs[r]; !ok {
				t.Fatalf("%q: unknown reason %q", s, r)
			}
		}
		statuscode.WithoutStatusDescriptions(s)
	})
}

// TestJoinedMultilineReply: an MTA that joins the lines of a multi-line
// reply keeps each line's code in the text ("… multiple 550 5.7.1
// addresses …"); the phrase across the join still decides, and numbers that
// are not the reply's code stay.
func TestJoinedMultilineReply(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Reason
	}{
		{"550-5.7.1 [192.0.2.1 13] Messages with multiple 550 5.7.1 addresses in From: header are not accepted.", NotCompliantRFC},
		{"550-The email account that you tried to reach does 550-not exist. Please try 550 double-checking the address.", UserUnknown},
	} {
		if x := Explain(tc.in, Options{}); x.Reason != tc.want {
			t.Errorf("%.60q: reason %s (%s), want %s", tc.in, x.Reason, x.ReasonSource, tc.want)
		}
	}
	for in, want := range map[string]string{
		" 550-5.7.1 with multiple 550 5.7.1 addresses ": " 550-5.7.1 with multiple addresses ",
		" 552 size 552 octets ":                         " 552 size 552 octets ",
		" 550 a 451 4.7.1 b ":                           " 550 a 451 4.7.1 b ",
		" no code 550 5.7.1 here ":                      " no code 550 5.7.1 here ",
	} {
		if got := string(dropRepeatedCodes([]byte(in))); got != want {
			t.Errorf("dropRepeatedCodes(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDelayedNamedCause: a delay notice keeps a DNS or connection failure
// it names as the cause (the MTA still retries); one that names no cause is
// a delay (expired in sisimai's vocabulary).
func TestDelayedNamedCause(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Reason
	}{
		{"4.0.0 mx.example.test: host name lookup failure", NetworkError},
		{"4.4.1", Expired},
		{"451 4.4.1 temporary failure", Expired},
	} {
		if x := Explain(tc.in, Options{Action: "delayed"}); x.Reason != tc.want {
			t.Errorf("%q delayed: reason %s (%s), want %s", tc.in, x.Reason, x.ReasonSource, tc.want)
		}
	}
}
