package smtpconn

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/mxprobe/mxprobe/internal/lab/imaplab"
	"github.com/mxprobe/mxprobe/internal/lab/smtplab"
	"github.com/mxprobe/mxprobe/internal/lab/tlslab"
)

const mxName = "mx.lab.test"

var labCA = func() *tlslab.CA {
	ca, err := tlslab.NewCA("smtpconn test CA")
	if err != nil {
		panic(err)
	}
	return ca
}()

func startLab(t *testing.T, sc smtplab.Scenario) *smtplab.Server {
	t.Helper()
	s, err := smtplab.Start("127.0.0.1:0", sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func dial(t *testing.T, addr string, cfg Config) *Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	c, err := Dial(ctx, addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func transcriptText(c *Conn) string {
	var b strings.Builder
	for _, l := range c.tr.Lines() {
		b.WriteString(l.Dir + " " + l.Text + "\n")
	}
	return b.String()
}

// TestFullDialogue: greeting, EHLO, STARTTLS, EHLO, pipelined MAIL+RCPT,
// DATA with a dot-stuffed message, QUIT — against the lab's go-smtp server.
func TestFullDialogue(t *testing.T) {
	crt, err := smtplab.CertFor(labCA, mxName, smtplab.CertValid)
	if err != nil {
		t.Fatal(err)
	}
	var got []byte
	s := startLab(t, smtplab.Scenario{TLSCert: crt, DSN: true, OnData: func(_ smtplab.Envelope, msg []byte) *smtp.SMTPError {
		got = msg
		return nil
	}})
	c := dial(t, s.Addr().String(), Config{})
	if rep, err := c.Greeting(); err != nil || rep.Code != 220 {
		t.Fatalf("greeting %+v %v", rep, err)
	}
	h, err := c.Hello("probe.lab.test", true)
	if err != nil || !h.OK() || !h.Ext.STARTTLS || !h.Ext.PIPELINING {
		t.Fatalf("hello %+v %v", h, err)
	}
	if _, err := c.StartTLS(TLSOptions{Host: mxName, Inspect: InspectOptions{Roots: labCA.Pool}}); err != nil {
		t.Fatal(err)
	}
	if !c.TLS.OK() || c.TLS.VerifyReason != "" || len(c.TLS.Chain) == 0 || c.TLS.PeerSubject == "" {
		t.Fatalf("tls %+v", c.TLS)
	}
	if h, err = c.Hello("probe.lab.test", false); err != nil || !h.OK() || !h.Ext.DSN {
		t.Fatalf("hello after TLS %+v %v", h, err)
	}
	sent, err := c.Send("MAIL FROM:<a@lab.test>", "RCPT TO:<postmaster@lab.test>")
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"MAIL", "RCPT"} {
		if rep, err := c.ReadReply(cmd, sent, time.Second*5); err != nil || rep.Code != 250 {
			t.Fatalf("%s: %+v %v", cmd, rep, err)
		}
	}
	msg := "Subject: t\r\n\r\n.leading dot\r\nbare lf\nend"
	start, end, err := c.Data([]byte(msg))
	if err != nil || start.Code != 354 || end.Code != 250 {
		t.Fatalf("data %+v %+v %v", start, end, err)
	}
	if !strings.Contains(string(got), "\r\n.leading dot\r\nbare lf\r\nend") {
		t.Fatalf("server got %q", got)
	}
	if rep, err := c.Quit(0); err != nil || rep.Code != 221 {
		t.Fatalf("quit %+v %v", rep, err)
	}
	tr := transcriptText(c)
	for _, want := range []string{"* connect ", "C EHLO probe.lab.test", "* TLS established", "C <message, 39 bytes>", "C QUIT"} {
		if !strings.Contains(tr, want) {
			t.Errorf("transcript lacks %q:\n%s", want, tr)
		}
	}
	if strings.Contains(tr, "leading dot") {
		t.Errorf("message body in transcript:\n%s", tr)
	}
}

func TestHELOFallback(t *testing.T) {
	s := startLab(t, smtplab.Scenario{NoEHLO: true})
	c := dial(t, s.Addr().String(), Config{})
	if _, err := c.Greeting(); err != nil {
		t.Fatal(err)
	}
	h, err := c.Hello("probe.lab.test", true)
	if err != nil || h.HELO == nil || h.HELO.Code != 250 || h.EHLO.Code != 502 || !h.OK() || h.Final() != h.HELO {
		t.Fatalf("%+v %v", h, err)
	}
}

// TestTLSVerifyReasons: every bad certificate kind is named.
func TestTLSVerifyReasons(t *testing.T) {
	for kind, want := range map[smtplab.CertKind]VerifyReason{
		smtplab.CertValid:      "",
		smtplab.CertSelfSigned: ReasonSelfSigned,
		smtplab.CertExpired:    ReasonExpired,
		smtplab.CertWrongName:  ReasonNameMismatch,
	} {
		crt, err := smtplab.CertFor(labCA, mxName, kind)
		if err != nil {
			t.Fatal(err)
		}
		s := startLab(t, smtplab.Scenario{TLSCert: crt})
		c := dial(t, s.Addr().String(), Config{})
		c.Greeting()
		c.Hello("probe.lab.test", true)
		if _, err := c.StartTLS(TLSOptions{Host: mxName, Inspect: InspectOptions{Roots: labCA.Pool}}); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if c.TLS.VerifyReason != want || (want == "") != c.TLS.OK() {
			t.Errorf("%s: reason %q ok %v (%s), want %q", kind, c.TLS.VerifyReason, c.TLS.OK(), c.TLS.VerifyError, want)
		}
	}
	// Unknown authority: the system roots do not know the lab CA; a strict
	// handshake fails and says why.
	crt, _ := smtplab.CertFor(labCA, mxName, smtplab.CertValid)
	s := startLab(t, smtplab.Scenario{TLSCert: crt})
	c := dial(t, s.Addr().String(), Config{})
	c.Greeting()
	c.Hello("probe.lab.test", true)
	_, err := c.StartTLS(TLSOptions{Host: mxName, Config: &tls.Config{RootCAs: otherCA(t).Pool}})
	if err == nil || c.TLS.VerifyReason != ReasonUnknownAuthority {
		t.Fatalf("strict handshake: %v, %+v", err, c.TLS)
	}
}

func otherCA(t *testing.T) *tlslab.CA {
	t.Helper()
	ca, err := tlslab.NewCA("smtpconn test CA")
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// TestHostilePeers: every misbehaving server ends in a typed error within
// the deadline, never a hang or a panic.
func TestHostilePeers(t *testing.T) {
	cases := []struct {
		kind smtplab.Hostile
		want error
	}{
		{smtplab.HostileEndlessContinuation, ErrTooManyLines},
		{smtplab.HostileHugeLine, ErrLineTooLong},
		{smtplab.HostileGarbage, ErrNUL},
		{smtplab.HostileBadCode, ErrBadCode},
		{smtplab.HostileMismatchedMultiline, ErrMismatchedCode},
		{smtplab.HostileCloseAfterBanner, io.EOF},
		{smtplab.HostileNeverRead, os.ErrDeadlineExceeded},
	}
	for _, tc := range cases {
		s := startLab(t, smtplab.Scenario{Hostile: tc.kind})
		c := dial(t, s.Addr().String(), Config{Timeouts: Timeouts{Command: 300 * time.Millisecond}})
		if _, err := c.Greeting(); err != nil {
			t.Fatalf("%s: greeting %v", tc.kind, err)
		}
		_, err := c.Hello("probe.lab.test", true)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.kind, err, tc.want)
		}
	}
}

func TestSTARTTLSInjectionAndBrokenTLS(t *testing.T) {
	for kind, want := range map[smtplab.Hostile]error{
		smtplab.HostileSTARTTLSInjection: ErrDataAfterTLS,
		smtplab.HostileTLSGarbage:        nil,
		smtplab.HostileTLSHandshakeFail:  nil,
	} {
		s := startLab(t, smtplab.Scenario{Hostile: kind})
		c := dial(t, s.Addr().String(), Config{Timeouts: Timeouts{Command: 2 * time.Second}})
		c.Greeting()
		if h, err := c.Hello("probe.lab.test", true); err != nil || !h.Ext.STARTTLS {
			t.Fatalf("%s: %+v %v", kind, h, err)
		}
		_, err := c.StartTLS(TLSOptions{Host: mxName})
		if err == nil || want != nil && !errors.Is(err, want) || c.TLS == nil || c.TLS.Error == "" {
			t.Errorf("%s: %v, tls %+v", kind, err, c.TLS)
		}
	}
}

// TestSlowBanner: a tarpit that holds its greeting back runs into the
// banner timeout; the context's deadline caps every phase.
func TestSlowBanner(t *testing.T) {
	s := startLab(t, smtplab.Scenario{BannerDelay: 5 * time.Second})
	c := dial(t, s.Addr().String(), Config{Timeouts: Timeouts{Banner: 200 * time.Millisecond}})
	if _, err := c.Greeting(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("%v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	c2, err := Dial(ctx, s.Addr().String(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if _, err := c2.Greeting(); err == nil {
		t.Fatal("greeting within a 200 ms context from a 5 s tarpit")
	}
}

func TestConnectRefused(t *testing.T) {
	ap, err := smtplab.ClosedPort()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Dial(context.Background(), ap.String(), Config{}); err == nil {
		t.Fatal("dial to a closed port succeeded")
	}
}

// TestAuth: AUTH PLAIN against the lab relay; a wrong password gives the
// server's 535 verbatim, nothing after it, and no credential in the
// transcript (RFC 4954 §4).
func TestAuth(t *testing.T) {
	seed, err := imaplab.Start(imaplab.Options{User: "seed", Password: "seed"})
	if err != nil {
		t.Fatal(err)
	}
	defer seed.Close()
	relay, err := imaplab.StartMX(imaplab.MXOptions{Seed: seed, Users: map[string]string{"alice": "right-secret"}, InsecureAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	defer relay.Close()
	for pw, code := range map[string]int{"wrong-secret": 535, "right-secret": 235} {
		c := dial(t, relay.Addr(), Config{})
		c.Greeting()
		h, err := c.Hello("probe.lab.test", true)
		if err != nil || !h.Ext.SupportsAuth("plain") {
			t.Fatalf("%+v %v", h, err)
		}
		rep, err := c.Auth(sasl.NewPlainClient("", "alice", pw))
		if err != nil || rep.Code != code {
			t.Fatalf("%s: %+v %v", pw, rep, err)
		}
		tr := transcriptText(c)
		if strings.Contains(tr, "secret") || strings.Contains(tr, "c2VjcmV0") || !strings.Contains(tr, "C AUTH PLAIN "+Redacted+"\n") {
			t.Fatalf("transcript:\n%s", tr)
		}
		if code == 535 && !strings.HasSuffix(tr, "S "+rep.Wire()+"\n") {
			t.Fatalf("535 not last / not verbatim:\n%s", tr)
		}
	}
}

func TestDotStuff(t *testing.T) {
	for in, want := range map[string]string{
		"":              "\r\n.\r\n",
		"a":             "a\r\n.\r\n",
		".a\r\n..b\r\n": "..a\r\n...b\r\n.\r\n",
		"a\nb\n.":       "a\r\nb\r\n..\r\n.\r\n",
		"x\r\n.\r\ny":   "x\r\n..\r\ny\r\n.\r\n",
	} {
		if got := string(DotStuff([]byte(in))); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	if got := XText("a+b=c d@e"); got != "a+2Bb+3Dc+20d@e" {
		t.Errorf("xtext %q", got)
	}
}

// FuzzDotStuff: the stuffed message ends the DATA exactly once, at its end.
func FuzzDotStuff(f *testing.F) {
	for _, s := range []string{"", ".", "\r\n.\r\n", "a\n.\nb", "\r", "..\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		out := DotStuff(msg)
		end := strings.Index(string(out), "\r\n.\r\n")
		if !strings.HasPrefix(string(out), ".\r\n") && end != len(out)-5 {
			t.Fatalf("early end at %d of %d: %q", end, len(out), out)
		}
	})
}
