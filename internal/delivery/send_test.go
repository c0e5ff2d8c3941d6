package delivery

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-smtp"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/lab/imaplab"
	"github.com/mxprobe/mxprobe/internal/lab/tlslab"
	"github.com/mxprobe/mxprobe/internal/smtpconn"
)

func TestSendDirectMicrosoftShape(t *testing.T) {
	w := newWorld(t, worldOpts{})
	p := w.send(t, seedAddr)
	if p.Outcome != OutcomeAccepted || p.Stage != "dot" || p.Code != 250 || p.Enhanced != "2.6.0" {
		t.Fatalf("outcome %s stage %s code %d %s: %s (%s)", p.Outcome, p.Stage, p.Code, p.Enhanced, p.Reply, p.Error)
	}
	a := p.Acceptance
	if a == nil || a.Provider != "microsoft" || a.InternalID == "" || a.Hostname != "AM0PR01MB1234.eurprd01.prod.exchangelabs.lab.test" || !a.EchoedOurs {
		t.Fatalf("acceptance %+v from %q", a, p.Reply)
	}
	if !strings.HasPrefix(p.Reply, "250 2.6.0 <mxprobe."+p.Token+"@sender.test> [InternalId=") || !strings.HasSuffix(p.Reply, "Queued mail for delivery") {
		t.Fatalf("reply not verbatim: %q", p.Reply)
	}
	if !p.DSNOffered || p.MXIP != "127.0.0.1" || p.Banner == "" || p.ConnectedAt.IsZero() {
		t.Fatalf("probe %+v", p)
	}
	// The envelope carried the DSN parameters (RFC 3461).
	rs := w.mx.Received()
	if len(rs) != 1 {
		t.Fatalf("received %d", len(rs))
	}
	r := rs[0]
	if r.Mail.EnvelopeID != p.Token || r.Mail.Return != smtp.DSNReturnHeaders || len(r.Rcpt.Notify) != 3 ||
		r.Rcpt.OriginalRecipient != seedAddr || r.Rcpt.OriginalRecipientType != smtp.DSNAddressTypeRFC822 {
		t.Fatalf("envelope %+v %+v", r.Mail, r.Rcpt)
	}
	// The message: token in Message-ID, X-Mxprobe-Id and subject; neutral body.
	for _, want := range []string{"Message-ID: <mxprobe." + p.Token + "@sender.test>", "X-Mxprobe-Id: " + p.Token, "Subject: mxprobe delivery test " + p.Token, "From: probe@sender.test", "To: seed@dest.test", "Date: "} {
		if !bytes.Contains(r.Data, []byte(want)) {
			t.Errorf("message lacks %q", want)
		}
	}
	// The transcript records the dialogue but not the message body.
	var body bool
	for _, l := range p.Transcript {
		if strings.Contains(l.Text, "delivery test message") || strings.Contains(l.Text, "Test id") {
			body = true
		}
	}
	if body || len(p.Transcript) < 8 {
		t.Fatalf("transcript %+v", p.Transcript)
	}
	evs, _, _ := w.ledger.Events()
	if len(evs) != 1 || evs[0].Kind != KindSent || evs[0].Sent.Token != p.Token {
		t.Fatalf("ledger %+v", evs)
	}
}

func TestSendWithoutDSN(t *testing.T) {
	w := newWorld(t, worldOpts{noDSN: true, plainMX: true})
	p := w.send(t, seedAddr)
	if p.Outcome != OutcomeAccepted || p.DSNOffered {
		t.Fatalf("%s dsn=%v", p.Outcome, p.DSNOffered)
	}
	if a := p.Acceptance; a.Provider != "postfix" || !strings.HasPrefix(a.QueueID, "LAB") {
		t.Fatalf("acceptance %+v", a)
	}
	r := w.mx.Received()[0]
	if r.Mail.EnvelopeID != "" || len(r.Rcpt.Notify) != 0 {
		t.Fatal("DSN parameters sent to a server without DSN")
	}
}

func TestSendRejectedAndDeferred(t *testing.T) {
	w := newWorld(t, worldOpts{rules: map[string]imaplab.Behavior{"rej@dest.test": imaplab.RejectRcpt, "def@dest.test": imaplab.DeferRcpt}})
	p := w.send(t, "rej@dest.test")
	if p.Outcome != OutcomeRejected || p.Stage != "rcpt" || p.Code != 550 || p.Enhanced != "5.7.1" || !strings.Contains(p.Reply, "S3150") {
		t.Fatalf("reject: %s %s %d %s %q", p.Outcome, p.Stage, p.Code, p.Enhanced, p.Reply)
	}
	p = w.send(t, "def@dest.test")
	if p.Outcome != OutcomeDeferred || p.Code != 451 || p.Enhanced != "4.7.500" {
		t.Fatalf("defer: %s %d %s %q", p.Outcome, p.Code, p.Enhanced, p.Reply)
	}
}

func TestSendConnectFailure(t *testing.T) {
	w := newWorld(t, worldOpts{})
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nothing listens here now
	p := w.send(t, seedAddr, func(o *SendOptions) { o.MX = addr })
	if p.Outcome != OutcomeFailed || p.Stage != "connect" || p.Error == "" {
		t.Fatalf("%s %s %q", p.Outcome, p.Stage, p.Error)
	}
	v, _ := Verdict(mustEvents(t, w.ledger), t0.Add(time.Hour), testWindows).Get(p.Token)
	if v.State != StateInconclusive || v.Reason != ReasonSendFailed {
		t.Fatalf("verdict %s %s", v.State, v.Reason)
	}
}

func TestSendTimeoutFromContext(t *testing.T) {
	// A server that accepts and never greets: the context deadline ends it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	p, err := Send(ctx, SendOptions{From: fromAddr, To: seedAddr, Route: RouteDirect, MX: ln.Addr().String(), HelloName: "x.test"})
	if err == nil || p.Outcome != OutcomeFailed || p.Stage != "greeting" {
		t.Fatalf("err %v outcome %s stage %s", err, p.Outcome, p.Stage)
	}
}

func TestSendTokenNeverReused(t *testing.T) {
	w := newWorld(t, worldOpts{})
	p := w.send(t, seedAddr)
	_, err := Send(context.Background(), SendOptions{From: fromAddr, To: seedAddr, Route: RouteDirect, MX: w.mx.Addr(), Ledger: w.ledger, Token: p.Token})
	if err != ErrTokenUsed {
		t.Fatalf("want ErrTokenUsed, got %v", err)
	}
}

func TestSendSubmitStartTLSAuth(t *testing.T) {
	ca, err := tlslab.NewCA("lab CA")
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := ca.Issue(tlslab.Leaf{DNSNames: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
	w := newWorld(t, worldOpts{})
	const secret = "S3NT1NEL-smtp-pass"
	relay, err := imaplab.StartMX(imaplab.MXOptions{Seed: w.seed, TLS: &tls.Config{Certificates: []tls.Certificate{cert}},
		Users: map[string]string{"alice": secret}, Hostname: "relay.sender.test", Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer relay.Close()
	submit := func(pw string, pool *x509.CertPool) *Probe {
		return w.send(t, seedAddr, func(o *SendOptions) {
			o.Route, o.Relay, o.MX, o.RootCAs = RouteSubmit, relay.Addr(), "", pool
			o.Auth = &Credentials{User: "alice", Password: pw}
		})
	}
	p := submit(secret, ca.Pool)
	if p.Outcome != OutcomeAccepted || p.TLS == nil || !p.TLS.Verified || p.TLS.Version == "" || p.Relay != relay.Addr() {
		t.Fatalf("%s %+v %q %q", p.Outcome, p.TLS, p.Error, p.Reply)
	}
	if got := relay.Received(); len(got) != 1 || got[0].AuthUser != "alice" {
		t.Fatalf("relay got %+v", got)
	}
	var sawAuth bool
	for _, l := range p.Transcript {
		if strings.HasPrefix(l.Text, "AUTH PLAIN") {
			sawAuth = true
			if l.Text != "AUTH PLAIN ***" {
				t.Fatalf("AUTH not redacted: %q", l.Text)
			}
		}
	}
	if !sawAuth {
		t.Fatal("no AUTH in transcript")
	}
	// Wrong password: a local failure, not the receiver's verdict.
	bad := submit("wrong-"+secret, ca.Pool)
	if bad.Outcome != OutcomeFailed || bad.Stage != "auth" {
		t.Fatalf("bad password: %s %s", bad.Outcome, bad.Stage)
	}
	// An unknown CA: strict TLS refuses, no credentials are sent.
	untrusted := submit(secret, x509.NewCertPool())
	if untrusted.Outcome != OutcomeFailed || untrusted.Stage != "starttls" {
		t.Fatalf("untrusted: %s %s %s", untrusted.Outcome, untrusted.Stage, untrusted.Error)
	}
	// No form of the secret anywhere in the ledger.
	assertNoSecret(t, w.ledger.Path(), secret, "alice")
}

func TestSendOpportunisticTLSRecordsUnverified(t *testing.T) {
	ca, _ := tlslab.NewCA("lab CA")
	cert, _ := ca.Issue(tlslab.Leaf{DNSNames: []string{"mx.other.test"}})
	w := newWorld(t, worldOpts{})
	mx, err := imaplab.StartMX(imaplab.MXOptions{Seed: w.seed, TLS: &tls.Config{Certificates: []tls.Certificate{cert}}, Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer mx.Close()
	p := w.send(t, seedAddr, func(o *SendOptions) { o.MX, o.RootCAs = mx.Addr(), ca.Pool })
	if p.Outcome != OutcomeAccepted || p.TLS == nil || p.TLS.Trusted() || p.TLS.VerifyReason != smtpconn.ReasonNameMismatch {
		t.Fatalf("%s %+v", p.Outcome, p.TLS)
	}
}

func TestDKIMSignedProbeVerifies(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	signer, err := ParseDKIMKey(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil {
		t.Fatal(err)
	}
	tok := mustToken(t)
	m, err := BuildMessage(MessageOptions{Token: tok, From: fromAddr, To: seedAddr, Date: t0, Lang: i18n.DE,
		DKIM: &DKIMOptions{Domain: "sender.test", Selector: "lab", Signer: signer}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(m.Bytes), "Subject: mxprobe Zustelltest "+tok) || !strings.Contains(string(m.Bytes), "Test-Kennung") {
		t.Fatal("German probe text missing")
	}
	rec := "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(m.Bytes), &dkim.VerifyOptions{LookupTXT: func(string) ([]string, error) { return []string{rec}, nil }})
	if err != nil || len(vs) != 1 || vs[0].Err != nil || vs[0].Domain != "sender.test" {
		t.Fatalf("verify: %v %+v", err, vs)
	}
	if _, err := ParseDKIMKey([]byte("garbage")); err == nil {
		t.Fatal("garbage key accepted")
	}
}

func TestVERP(t *testing.T) {
	if got := VERPAddress("probe@sender.test", "abcdefghijklmnopqrst"); got != "probe+mxp-abcdefghijklmnopqrst@sender.test" {
		t.Fatal(got)
	}
	if got := VERPAddress(`"Macro Error"@sender.test`, "abcdefghijklmnopqrst"); got != `"Macro Error+mxp-abcdefghijklmnopqrst"@sender.test` {
		t.Fatal(got)
	}
}

// TestSendQuotedLocalPart: a seed with a quoted local part (RFC 5321
// §4.1.2) goes through the one address parser and the whole dialogue.
func TestSendQuotedLocalPart(t *testing.T) {
	w := newWorld(t, worldOpts{})
	const seed = `"Macro Error"@dest.test`
	p, err := Send(context.Background(), SendOptions{From: fromAddr, To: seed, Route: RouteDirect, MX: w.mx.Addr(), HelloName: "x.test", VERP: true})
	if err != nil || p.To != seed || p.Outcome != OutcomeAccepted {
		t.Fatalf("%v: to %q outcome %s %q %q", err, p.To, p.Outcome, p.Reply, p.Error)
	}
	var rcpt string
	for _, l := range p.Transcript {
		if strings.HasPrefix(l.Text, "RCPT TO:") {
			rcpt = l.Text
		}
	}
	if !strings.HasPrefix(rcpt, `RCPT TO:<"Macro Error"@dest.test>`) {
		t.Fatalf("RCPT line %q", rcpt)
	}
	if _, err := ParseAddress(`Macro Error@dest.test`); err == nil {
		t.Fatal("unquoted space accepted")
	}
}

func TestParseAcceptance(t *testing.T) {
	cases := []struct{ reply, provider, queue, internal string }{
		{"250 2.6.0 <a@b> [InternalId=1245540, Hostname=DB8EUR05HT123.eop-eur05.prod.protection.outlook.com] 9876 bytes in 0.081, 118.5 KB/sec Queued mail for delivery -> 250 2.1.5", "microsoft", "", "1245540"},
		{"250 2.0.0 OK  1709460001 a1-20020a170906000100b00a1234567si1234567ejb.123 - gsmtp", "google", "a1-20020a170906000100b00a1234567si1234567ejb.123", ""},
		{"250 Requested mail action okay, completed: id=1MxYZ-1abcde2FGH-00zx12", "gmx", "1MxYZ-1abcde2FGH-00zx12", ""},
		{"250 2.0.0 Ok: queued as 4F2A1B2C3D", "postfix", "4F2A1B2C3D", ""},
		{"250 OK id=1rgXYZ-000ABC-12", "exim", "1rgXYZ-000ABC-12", ""},
		{"250", "", "", ""},
		{"", "", "", ""},
	}
	for _, c := range cases {
		a := ParseAcceptanceFor(c.reply, "<a@b>", "")
		if a.Provider != c.provider || a.QueueID != c.queue || a.InternalID != c.internal {
			t.Errorf("%q: %+v", c.reply, a)
		}
	}
	if a := ParseAcceptanceFor(cases[0].reply, "<a@b>", ""); !a.EchoedOurs {
		t.Error("echo not recognised")
	}
	if a := ParseAcceptanceFor(cases[0].reply, "<other@b>", ""); a.EchoedOurs {
		t.Error("foreign echo taken as ours")
	}
}

// TestParseAcceptanceEchoPlausible: only a plausible Message-ID counts as
// echoed — not the recipient Dovecot's LMTP quotes, not a token without "@".
func TestParseAcceptanceEchoPlausible(t *testing.T) {
	for _, c := range []struct {
		reply, msgid, rcpt, echoed string
		ours                       bool
	}{
		{"250 2.0.0 <seed@accept.test> qk9KGZ3j Saved", "", "seed@accept.test", "", false},
		{"250 2.0.0 <seed@accept.test> qk9KGZ3j Saved", "<m@sender.test>", "<Seed@Accept.test>", "", false},
		{"250 2.0.0 <seed+Junk@accept.test> Saved", "", "seed+Junk@accept.test", "", false},
		{"250 2.0.0 <12345> ok", "", "", "", false},
		{"250 2.6.0 <m@sender.test> [InternalId=1, Hostname=x] Queued mail for delivery", "<m@sender.test>", "seed@accept.test", "<m@sender.test>", true},
		{"250 2.6.0 <other@sender.test> [InternalId=1, Hostname=x] Queued", "<m@sender.test>", "seed@accept.test", "<other@sender.test>", false},
		// Our own Message-ID always counts, even if it looked like an address.
		{"250 <m@sender.test> ok", "m@sender.test", "m@sender.test", "<m@sender.test>", true},
	} {
		a := ParseAcceptanceFor(c.reply, c.msgid, c.rcpt)
		if a.EchoedMessageID != c.echoed || a.EchoedOurs != c.ours {
			t.Errorf("%q (rcpt %q): echoed %q ours %v", c.reply, c.rcpt, a.EchoedMessageID, a.EchoedOurs)
		}
	}
	if a := ParseAcceptanceFor("250 2.0.0 <seed@accept.test> qk9KGZ3j Saved", "", "seed@accept.test"); a.Provider != "dovecot" || a.QueueID != "qk9KGZ3j" {
		t.Errorf("dovecot %+v", a)
	}
}

func FuzzParseAcceptance(f *testing.F) {
	f.Add("250 2.6.0 <a@b> [InternalId=1, Hostname=x] Queued mail for delivery", "<a@b>")
	f.Add("250 Requested mail action okay, completed: id=\xff\xfeİ", "")
	f.Add("250 2.0.0 OK x - gsmtp", "")
	f.Add("250 2.0.0 <seed@accept.test> qk9KGZ3j Saved", "")
	f.Fuzz(func(t *testing.T, reply, msgid string) {
		a := ParseAcceptanceFor(reply, msgid, "")
		ParseAcceptanceFor(reply, msgid, msgid)
		if len(a.QueueID) > len(reply) || len(a.InternalID) > len(reply) {
			t.Fatal("extracted more than the input")
		}
	})
}

func TestSendSubmitImplicitTLS(t *testing.T) {
	ca, _ := tlslab.NewCA("lab CA")
	cert, _ := ca.Issue(tlslab.Leaf{DNSNames: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
	w := newWorld(t, worldOpts{})
	relay, err := imaplab.StartMX(imaplab.MXOptions{Seed: w.seed, ImplicitTLS: &tls.Config{Certificates: []tls.Certificate{cert}},
		Users: map[string]string{"bob": "pw"}, Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer relay.Close()
	p := w.send(t, seedAddr, func(o *SendOptions) {
		o.Route, o.Relay, o.MX, o.RootCAs, o.TLS = RouteSubmit, relay.Addr(), "", ca.Pool, TLSImplicit
		o.Auth = &Credentials{User: "bob", Password: "pw"}
	})
	if p.Outcome != OutcomeAccepted || p.TLS == nil || !p.TLS.Implicit || !p.TLS.Verified {
		t.Fatalf("%s %+v %s", p.Outcome, p.TLS, p.Error)
	}
	if s := fmt.Sprint(&Credentials{User: "bob", Password: "pw"}); strings.Contains(s, "pw}") || !strings.Contains(s, "redacted") {
		t.Fatalf("credentials print their password: %s", s)
	}
}

// TestSendEndlessContinuation: a server that answers EHLO with endless
// "250-" lines is cut off by the reply reader's line cap, long before the
// deadline.
func TestSendEndlessContinuation(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write([]byte("220 hostile.test ESMTP\r\n"))
		buf := make([]byte, 512)
		c.Read(buf) // EHLO
		line := []byte("250-" + strings.Repeat("X", 200) + "\r\n")
		for i := 0; i < 100000; i++ {
			if _, err := c.Write(line); err != nil {
				return
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	p, err := Send(ctx, SendOptions{From: fromAddr, To: seedAddr, Route: RouteDirect, MX: ln.Addr().String(), HelloName: "x.test"})
	if err == nil || p.Outcome != OutcomeFailed || !strings.Contains(p.Error, "too many reply lines") || len(p.Transcript) > 200 {
		t.Fatalf("err %v outcome %s error %q, %d lines", err, p.Outcome, p.Error, len(p.Transcript))
	}
}
