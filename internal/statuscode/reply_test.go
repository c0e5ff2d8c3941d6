package statuscode

import (
	"errors"
	"strings"
	"testing"
)

func TestParseEnhanced(t *testing.T) {
	good := map[string]Enhanced{
		"5.7.1": {5, 7, 1}, "4.7.650": {4, 7, 650}, "2.0.0": {2, 0, 0}, " 5.1.10 ": {5, 1, 10}, "5.999.999": {5, 999, 999},
	}
	for in, want := range good {
		got, err := ParseEnhanced(in)
		if err != nil || got != want {
			t.Errorf("ParseEnhanced(%q) = %v, %v; want %v", in, got, err, want)
		}
		if got.String() != strings.TrimSpace(in) {
			t.Errorf("String() = %q, want %q", got.String(), strings.TrimSpace(in))
		}
	}
	for _, in := range []string{"9.9.9", "5.1", "", "3.1.1", "5.1.1.1", "5.1000.1", "5.1.1000", "5..1", "a.b.c", "5.1.-1", "55.1.1", "5.1.1 "} {
		if _, err := ParseEnhanced(in); err == nil && strings.TrimSpace(in) != "5.1.1" {
			t.Errorf("ParseEnhanced(%q) accepted", in)
		}
	}
}

func TestParseReply(t *testing.T) {
	cases := []struct {
		name, in   string
		code       int
		enh, cmd   string
		host, ip   string
		wrapper    string
		textHas    string
		textHasNot string
	}{
		{name: "plain", in: "550 5.1.1 <bob@example.test>: Recipient address rejected: User unknown", code: 550, enh: "5.1.1", textHas: "User unknown"},
		{name: "basic only", in: "421 Service not available", code: 421, textHas: "Service not available"},
		{name: "multi-line", in: "550-5.7.1 [192.0.2.1] The IP you're using to send mail is not\r\n550-5.7.1 authorized to send email directly to our servers. Please use\r\n550 5.7.1 the SMTP relay at your service provider instead. - gsmtp",
			code: 550, enh: "5.7.1", textHas: "not authorized to send email directly", textHasNot: "550-5.7.1"},
		{name: "multi-line without enhanced", in: "554-mx.example.test\n554-No SMTP service here\n554 Go away", code: 554, textHas: "No SMTP service here Go away"},
		{name: "postfix", in: "host mx.example.test[192.0.2.1] said: 550 5.1.1 <x@example.test>: User unknown (in reply to RCPT TO command)",
			code: 550, enh: "5.1.1", cmd: "RCPT TO", host: "mx.example.test", ip: "192.0.2.1", wrapper: "postfix", textHasNot: "in reply to"},
		{name: "postfix wrapped lines", in: "<bob@example.test>: host mx1.example.test[192.0.2.25] said: 550 5.1.1\n    <bob@example.test>: Recipient address rejected: User unknown in virtual\n    mailbox table (in reply to RCPT TO command)",
			code: 550, enh: "5.1.1", cmd: "RCPT TO", host: "mx1.example.test", textHas: "User unknown in virtual mailbox table"},
		{name: "exim", in: "SMTP error from remote mail server after RCPT TO:<x@example.test>: host mx.example.test [192.0.2.153]: 550 5.1.1 <x@example.test>... User Unknown",
			code: 550, enh: "5.1.1", cmd: "RCPT TO", host: "mx.example.test", ip: "192.0.2.153", wrapper: "exim"},
		{name: "exim after end of data", in: "SMTP error from remote mail server after end of data: host mx.example.test [192.0.2.20]: 554 5.7.0 Header error",
			code: 554, enh: "5.7.0", cmd: "DATA", wrapper: "exim"},
		{name: "exim mail from size", in: "SMTP error from remote mail server after MAIL FROM:<a@example.test> SIZE=1543: host mx.example.test [192.0.2.20]: 550 5.7.0 Please use the smtp server of your ISP.",
			code: 550, enh: "5.7.0", cmd: "MAIL FROM"},
		{name: "exim-style 'after RCPT command' (mail.com/GMX)", in: "SMTP error from remote server after RCPT command:\nhost: mx.example.test\n5.2.1 <x@example.test>... User Unknown",
			enh: "5.2.1", cmd: "RCPT TO", wrapper: "exim", textHas: "User Unknown"},
		{name: "in reply to MAIL command", in: "550 5.7.1 sender refused (after MAIL command)", code: 550, enh: "5.7.1", cmd: "MAIL FROM"},
		{name: "qmail", in: "192.0.2.153 does not like recipient. Remote host said: 550 5.1.1 <x@example.test>... User Unknown Giving up on 192.0.2.153.",
			code: 550, enh: "5.1.1", cmd: "RCPT TO", wrapper: "qmail"},
		{name: "exchange", in: "Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'",
			code: 550, enh: "5.1.10", wrapper: "exchange", textHas: "RecipientNotFound"},
		{name: "exchange hash", in: "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##", code: 550, enh: "5.1.1", wrapper: "exchange"},
		{name: "exchange 2003", in: "<mx.example.test #5.1.1 smtp;550 User unknown>", code: 550, enh: "5.1.1", wrapper: "exchange"},
		{name: "dsn diagnostic", in: "smtp; 550 5.2.2 <x@example.test>... Mailbox Full", code: 550, enh: "5.2.2", wrapper: "dsn"},
		{name: "x-unix", in: "X-Unix; 255", wrapper: "dsn-x-unix"},
		{name: "gmail", in: "Technical details of permanent failure: Google tried to deliver your message, but it was rejected by the recipient domain. The error that the other server returned was: 550 550 5.1.1 user unknown (UserSearch) (state 14).",
			code: 550, enh: "5.1.1", wrapper: "gmail", textHasNot: "state 14"},
		{name: "transcript positive first", in: "354 End data with <CR><LF>.<CR><LF> 451 4.3.0 Error: queue file write error", code: 451, enh: "4.3.0"},
		{name: "enhanced first", in: "5.1.0 - Unknown address error 550-'No Such User Here'", code: 550, enh: "5.1.0"},
		{name: "code inside", in: "This message could not be delivered. 552 5.2.2 Mailbox full", code: 552, enh: "5.2.2"},
		{name: "text only", in: "Domain does not exist"},
		{name: "qmail hash code", in: "Sorry, no mailbox here by that name. (#5.1.1)", enh: "5.1.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := ParseReply(c.in)
			if c.code == 0 && c.enh == "" {
				if !errors.Is(err, ErrNoCode) {
					t.Errorf("err = %v, want ErrNoCode", err)
				}
			} else if err != nil {
				t.Fatalf("err = %v", err)
			}
			if r.Code != c.code || r.Enhanced.String() != c.enh {
				t.Errorf("code %d %q, want %d %q (reply %+v)", r.Code, r.Enhanced.String(), c.code, c.enh, r)
			}
			if c.cmd != "" && r.Command != c.cmd {
				t.Errorf("command %q, want %q", r.Command, c.cmd)
			}
			if c.host != "" && r.Host != c.host || c.ip != "" && r.IP != c.ip {
				t.Errorf("host %q ip %q, want %q %q", r.Host, r.IP, c.host, c.ip)
			}
			if c.wrapper != "" && r.Wrapper != c.wrapper {
				t.Errorf("wrapper %q, want %q", r.Wrapper, c.wrapper)
			}
			if c.textHas != "" && !strings.Contains(r.Text, c.textHas) {
				t.Errorf("text %q lacks %q", r.Text, c.textHas)
			}
			if c.textHasNot != "" && strings.Contains(r.Text, c.textHasNot) {
				t.Errorf("text %q contains %q", r.Text, c.textHasNot)
			}
		})
	}
	if _, err := ParseReply("   "); !errors.Is(err, ErrEmpty) {
		t.Errorf("blank: err = %v", err)
	}
}

func TestValidate(t *testing.T) {
	for _, ok := range []string{"5.7.1", "550", "250", "4.7.650", "5.7.606", "550 5.7.1 blocked", "mailbox full", "421-4.7.0 Try again later", "2.6.0"} {
		if err := Validate(ok); err != nil {
			t.Errorf("Validate(%q) = %v", ok, err)
		}
	}
	bad := map[string]error{"": ErrEmpty, "  ": ErrEmpty, "9.9.9": ErrSyntax, "5.1": ErrSyntax, "5.1.1.1": ErrSyntax,
		"600": ErrBadReplyCode, "199": ErrBadReplyCode, "560": ErrBadReplyCode, "5500": ErrBadReplyCode, "55": ErrBadReplyCode,
		"600 5.1.1 nope": ErrBadReplyCode, "3.1.1": ErrSyntax}
	for in, want := range bad {
		if err := Validate(in); !errors.Is(err, want) {
			t.Errorf("Validate(%q) = %v, want %v", in, err, want)
		}
	}
}

func FuzzParseReply(f *testing.F) {
	for _, s := range []string{
		"550 5.7.1 blocked", "550-5.7.1 a\n550 5.7.1 b", "host h[1.2.3.4] said: 550 x (in reply to RCPT TO command)",
		"SMTP error from remote mail server after RCPT TO:<a@b>: host h [1.2.3.4]: 550 x", "Remote host said: 554 no",
		"Remote Server returned '550 5.1.1 x'", "<h #5.1.1 smtp;550 x>", "#550 5.1.1 x ##", "X-Unix; 1", "5.1.0 - x 550-'y'",
		"The error that the other server returned was: 550 550 5.1.1 x (state 14).", "354 go 451 4.3.0 x", "\x00\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseReply(s)
		if err == nil && r.Code == 0 && r.Enhanced.IsZero() {
			t.Fatal("no error and no code")
		}
		if r.Code != 0 && !ValidReplyCode(r.Code) {
			t.Fatalf("invalid reply code %d from %q", r.Code, s)
		}
		if !r.Enhanced.IsZero() {
			if _, err := ParseEnhanced(r.Enhanced.String()); err != nil {
				t.Fatalf("enhanced %v does not round-trip: %v", r.Enhanced, err)
			}
		}
	})
}
