package smtplab

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/mxprobe/mxprobe/internal/lab/tlslab"
)

func start(t *testing.T, sc Scenario) *Server {
	t.Helper()
	s, err := Start("", sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// dialog is a tiny line-based client for asserting exact server lines.
type dialog struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dial(t *testing.T, s *Server) *dialog {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { _ = c.Close() })
	return &dialog{t: t, c: c, br: bufio.NewReader(c)}
}

// reply reads one (multi-line) reply.
func (d *dialog) reply() []string {
	d.t.Helper()
	var lines []string
	for range 100 {
		l, err := d.br.ReadString('\n')
		if err != nil {
			d.t.Fatalf("read: %v (so far %q)", err, lines)
		}
		l = strings.TrimRight(l, "\r\n")
		lines = append(lines, l)
		if len(l) < 4 || l[3] != '-' {
			return lines
		}
	}
	d.t.Fatal("reply too long")
	return nil
}

func (d *dialog) cmd(line string) []string {
	d.t.Helper()
	if _, err := io.WriteString(d.c, line+"\r\n"); err != nil {
		d.t.Fatal(err)
	}
	return d.reply()
}

// bufConn reads through the dialog's buffer, which may already hold the
// server's first TLS bytes.
type bufConn struct {
	net.Conn
	r *bufio.Reader
}

func (b bufConn) Read(p []byte) (int, error) { return b.r.Read(p) }

func TestStartRefusesNonLoopback(t *testing.T) {
	if _, err := Start("192.0.2.1:0", Scenario{}); err == nil {
		t.Fatal("non-loopback address accepted")
	}
	if _, err := Start("mx.example:25", Scenario{}); err == nil {
		t.Fatal("host name accepted")
	}
}

func TestPlainDialogueAndRecord(t *testing.T) {
	var got []byte
	s := start(t, Scenario{
		Mailboxes: []string{"alice"},
		OnData: func(env Envelope, msg []byte) *smtp.SMTPError {
			got = msg
			return &smtp.SMTPError{Code: 250, EnhancedCode: smtp.EnhancedCode{2, 6, 0},
				Message: "<id@lab.test> [InternalId=1, Hostname=LAB] Queued mail for delivery"}
		},
	})
	d := dial(t, s)
	if b := d.reply(); b[0] != "220 mx.lab.test ESMTP mxprobe lab" {
		t.Fatalf("banner %q", b)
	}
	ehlo := d.cmd("EHLO client.lab.test")
	if ehlo[0] != "250-mx.lab.test" {
		t.Fatalf("ehlo %q", ehlo)
	}
	joined := strings.Join(ehlo, "\n")
	for _, no := range []string{"STARTTLS", "CHUNKING", "SMTPUTF8", "DSN"} {
		if strings.Contains(joined, no) {
			t.Errorf("EHLO offers %s: %q", no, ehlo)
		}
	}
	if !strings.Contains(joined, "SIZE 36700160") {
		t.Errorf("EHLO without SIZE: %q", ehlo)
	}
	if r := d.cmd("MAIL FROM:<>"); r[0] != "250 2.1.0 Sender OK" {
		t.Fatalf("mail %q", r)
	}
	if r := d.cmd("RCPT TO:<bob@lab.test>"); !strings.HasPrefix(r[0], "550 5.1.1 ") {
		t.Fatalf("unknown rcpt %q", r)
	}
	if r := d.cmd("RCPT TO:<Alice@lab.test>"); r[0] != "250 2.1.5 Recipient OK" {
		t.Fatalf("rcpt %q", r)
	}
	if r := d.cmd("DATA"); !strings.HasPrefix(r[0], "354") {
		t.Fatalf("data %q", r)
	}
	// A body line reading STARTTLS or QUIT is data, not a command.
	if r := d.cmd("Subject: x\r\n\r\nQUIT\r\n..dot\r\n."); r[0] != "250 2.6.0 <id@lab.test> [InternalId=1, Hostname=LAB] Queued mail for delivery" {
		t.Fatalf("end of data %q", r)
	}
	if !strings.Contains(string(got), "\r\nQUIT\r\n.dot\r\n") {
		t.Fatalf("message %q", got)
	}
	if r := d.cmd("QUIT"); !strings.HasPrefix(r[0], "221") {
		t.Fatalf("quit %q", r)
	}
	ss := s.Sessions()
	if len(ss) != 1 {
		t.Fatalf("sessions %d", len(ss))
	}
	r := ss[0]
	if r.Count("RCPT") != 2 || r.Count("DATA") != 1 || r.Data != 1 || r.Count("QUIT") != 1 {
		t.Fatalf("record %+v", r)
	}
	if len(r.Helo) != 1 || r.Helo[0] != "client.lab.test" || r.MailFrom[0] != "" {
		t.Fatalf("record %+v", r)
	}
	for _, c := range r.Commands {
		if c == "QUIT" && r.Count("QUIT") != 1 {
			t.Fatal("body line recorded as command")
		}
	}
}

func TestMicrosoftStyleRejectS3150(t *testing.T) {
	s := start(t, Scenario{Style: StyleMicrosoft, Rcpt: RcptRejectS3150})
	d := dial(t, s)
	b := d.reply()
	if !strings.HasPrefix(b[0], "220 "+MicrosoftHostname+" Microsoft ESMTP MAIL Service ready at ") {
		t.Fatalf("banner %q", b)
	}
	if e := d.cmd("EHLO client.lab.test"); e[0] != "250-"+MicrosoftHostname+" Hello [127.0.0.1]" {
		t.Fatalf("ehlo %q", e)
	}
	if h := d.cmd("HELO client.lab.test"); h[0] != "250 "+MicrosoftHostname+" Hello [127.0.0.1]" {
		t.Fatalf("helo %q", h)
	}
	d.cmd("MAIL FROM:<a@lab.test>")
	r := d.cmd("RCPT TO:<postmaster@lab.test>")
	want := "550 5.7.1 Unfortunately, messages from [127.0.0.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150)."
	if !strings.HasPrefix(r[0], want) {
		t.Fatalf("rcpt %q", r)
	}
}

func TestGoogleStyleGreylistThenAccept(t *testing.T) {
	s := start(t, Scenario{Style: StyleGoogle, Rcpt: RcptGreylist, GreylistAttempts: 1})
	d := dial(t, s)
	if b := d.reply(); !strings.HasSuffix(b[0], " - gsmtp") {
		t.Fatalf("banner %q", b)
	}
	if e := d.cmd("EHLO c.lab.test"); e[0] != "250-mx.google.com at your service, [127.0.0.1]" {
		t.Fatalf("ehlo %q", e)
	}
	d.cmd("MAIL FROM:<a@lab.test>")
	if r := d.cmd("RCPT TO:<x@lab.test>"); !strings.HasPrefix(r[0], "450 4.7.1 ") {
		t.Fatalf("first attempt %q", r)
	}
	if r := d.cmd("RCPT TO:<x@lab.test>"); !strings.HasPrefix(r[0], "250 ") {
		t.Fatalf("second attempt %q", r)
	}
}

func TestUnknownUserButPostmaster(t *testing.T) {
	s := start(t, Scenario{Rcpt: RcptUnknownUser, Mailboxes: []string{"alice"}})
	d := dial(t, s)
	d.reply()
	d.cmd("EHLO c.lab.test")
	d.cmd("MAIL FROM:<>")
	if r := d.cmd("RCPT TO:<alice@lab.test>"); !strings.HasPrefix(r[0], "550 5.1.1") {
		t.Fatalf("alice %q", r)
	}
	if r := d.cmd("RCPT TO:<PostMaster@lab.test>"); !strings.HasPrefix(r[0], "250") {
		t.Fatalf("postmaster %q", r)
	}
}

func TestExtensionToggles(t *testing.T) {
	s := start(t, Scenario{SMTPUTF8: true, DSN: true, Chunking: true, NoSize: true, BannerCode: 554, Banner: "no service here"})
	d := dial(t, s)
	if b := d.reply(); b[0] != "554 no service here" {
		t.Fatalf("banner %q", b)
	}
	e := strings.Join(d.cmd("EHLO c.lab.test"), "\n")
	for _, want := range []string{"SMTPUTF8", "DSN", "CHUNKING"} {
		if !strings.Contains(e, want) {
			t.Errorf("missing %s in %q", want, e)
		}
	}
	if strings.Contains(e, "SIZE") {
		t.Errorf("SIZE offered: %q", e)
	}
	// BDAT chunks are data, whatever they contain.
	d.cmd("MAIL FROM:<>")
	d.cmd("RCPT TO:<postmaster@lab.test>")
	body := "Subject: x\r\n\r\nQUIT\r\n"
	if _, err := io.WriteString(d.c, "BDAT "+strconv.Itoa(len(body))+" LAST\r\n"+body); err != nil {
		t.Fatal(err)
	}
	if r := d.reply(); !strings.HasPrefix(r[0], "250") {
		t.Fatalf("bdat %q", r)
	}
	if ss := s.Sessions(); ss[0].Data != 1 || ss[0].Count("QUIT") != 0 {
		t.Fatalf("record %+v", ss[0])
	}
}

func TestSTARTTLSWithGoSMTPClient(t *testing.T) {
	ca, err := tlslab.NewCA("lab CA")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := CertFor(ca, "mx.lab.test", CertValid)
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, Scenario{TLSCert: cert, RequireTLS: true, Style: StyleMicrosoft, Rcpt: RcptAcceptAll})
	conn, err := net.DialTimeout("tcp", s.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	c, err := smtp.NewClientStartTLS(conn, &tls.Config{RootCAs: ca.Pool, ServerName: "mx.lab.test"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ok, _ := c.Extension("REQUIRETLS"); !ok {
		t.Error("REQUIRETLS not offered after STARTTLS")
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		t.Error("STARTTLS offered inside TLS")
	}
	if err := c.SendMail("a@lab.test", []string{"anyone@lab.test"}, strings.NewReader("Subject: t\r\n\r\nhi\r\n")); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
	ss := s.Sessions()
	if len(ss) != 1 || !ss[0].TLS || ss[0].Data != 1 || ss[0].Count("STARTTLS") != 1 {
		t.Fatalf("record %+v", ss)
	}
}

func TestLatencyAndTarpitDelay(t *testing.T) {
	s := start(t, Scenario{BannerDelay: 30 * time.Millisecond, ReplyLatency: 10 * time.Millisecond})
	d := dial(t, s)
	t0 := time.Now()
	d.reply()
	if el := time.Since(t0); el < 40*time.Millisecond {
		// A lower bound only: the delay is a promise of the lab.
		t.Fatalf("banner after %v", el)
	}
	t1 := time.Now()
	d.cmd("NOOP")
	if el := time.Since(t1); el < 10*time.Millisecond {
		t.Fatalf("reply after %v", el)
	}
}

func TestHostileRawServers(t *testing.T) {
	cases := []struct {
		kind  Hostile
		at    Step
		check func(t *testing.T, d *dialog)
	}{
		{HostileCloseAfterBanner, "", func(t *testing.T, d *dialog) {
			d.reply()
			if _, err := d.br.ReadByte(); !errors.Is(err, io.EOF) {
				t.Fatalf("not closed: %v", err)
			}
		}},
		{HostileBadCode, "", func(t *testing.T, d *dialog) {
			d.reply()
			if r := d.cmd("EHLO c"); r[0] != "999 unexpected reply code" {
				t.Fatalf("%q", r)
			}
		}},
		{HostileMismatchedMultiline, StepMAIL, func(t *testing.T, d *dialog) {
			d.reply()
			d.cmd("EHLO c")
			if r := d.cmd("MAIL FROM:<>"); len(r) != 2 || !strings.HasPrefix(r[1], "251 ") {
				t.Fatalf("%q", r)
			}
		}},
		{HostileGarbage, StepBanner, func(t *testing.T, d *dialog) {
			if r := d.reply(); !strings.Contains(r[0], "\x00") {
				t.Fatalf("%q", r)
			}
		}},
		{HostileHugeLine, "", func(t *testing.T, d *dialog) {
			d.reply()
			_, _ = io.WriteString(d.c, "EHLO c\r\n")
			l, err := d.br.ReadString('\n')
			if err != nil || len(l) < 1<<20 {
				t.Fatalf("line of %d bytes, %v", len(l), err)
			}
		}},
		{HostileEndlessContinuation, "", func(t *testing.T, d *dialog) {
			d.reply()
			_, _ = io.WriteString(d.c, "EHLO c\r\n")
			for range 10000 {
				l, err := d.br.ReadString('\n')
				if err != nil || !strings.HasPrefix(l, "250-") {
					t.Fatalf("%q %v", l, err)
				}
			}
		}},
		{HostileResetMidReply, "", func(t *testing.T, d *dialog) {
			d.reply()
			_, _ = io.WriteString(d.c, "EHLO c\r\n")
			if _, err := io.ReadAll(d.br); err == nil {
				t.Fatal("no reset")
			}
		}},
		{HostileTLSGarbage, "", func(t *testing.T, d *dialog) {
			d.reply()
			if e := strings.Join(d.cmd("EHLO c"), "\n"); !strings.Contains(e, "STARTTLS") {
				t.Fatalf("%q", e)
			}
			if r := d.cmd("STARTTLS"); !strings.HasPrefix(r[0], "220") {
				t.Fatalf("%q", r)
			}
			tc := tls.Client(bufConn{d.c, d.br}, &tls.Config{InsecureSkipVerify: true})
			if err := tc.Handshake(); err == nil {
				t.Fatal("handshake with garbage succeeded")
			}
		}},
		{HostileTLSHandshakeFail, "", func(t *testing.T, d *dialog) {
			d.reply()
			d.cmd("EHLO c")
			d.cmd("STARTTLS")
			tc := tls.Client(bufConn{d.c, d.br}, &tls.Config{InsecureSkipVerify: true})
			if err := tc.Handshake(); err == nil || !strings.Contains(err.Error(), "handshake failure") {
				t.Fatalf("handshake: %v", err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(string(tc.kind), func(t *testing.T) {
			s := start(t, Scenario{Hostile: tc.kind, HostileAt: tc.at, IdleTimeout: 5 * time.Second})
			tc.check(t, dial(t, s))
		})
	}
}

func TestHostileNeverReadAndBannerNeverEndOnClose(t *testing.T) {
	for _, k := range []Hostile{HostileNeverRead, HostileBannerNever} {
		s, err := Start("", Scenario{Hostile: k})
		if err != nil {
			t.Fatal(err)
		}
		c, err := net.Dial("tcp", s.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if k == HostileNeverRead {
			if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
				t.Fatal(err)
			}
		}
		done := make(chan struct{})
		go func() { _ = s.Close(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: Close hangs", k)
		}
		_ = c.Close()
	}
}

func TestClosedPortRefuses(t *testing.T) {
	ap, err := ClosedPort()
	if err != nil {
		t.Fatal(err)
	}
	if c, err := net.DialTimeout("tcp", ap.String(), 2*time.Second); err == nil {
		c.Close()
		t.Fatal("connected to a closed port")
	}
}

func TestBlackholeTimesOut(t *testing.T) {
	b, err := NewBlackhole()
	if err != nil {
		t.Skip(err)
	}
	defer b.Close()
	c, err := net.DialTimeout("tcp", b.Addr().String(), 200*time.Millisecond)
	if err == nil {
		c.Close()
		t.Skip("kernel accepted the connection despite a full accept queue")
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("want timeout, got %v", err)
	}
}
