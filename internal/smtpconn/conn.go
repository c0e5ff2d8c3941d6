// Package smtpconn is mxprobe's one SMTP client session layer (RFC 5321):
// dial under a context, a bounded reply reader, EHLO with HELO fallback,
// STARTTLS with TLS inspection, AUTH PLAIN/LOGIN (RFC 4954), pipelining
// (RFC 2920), MAIL/RCPT/DATA/RSET/QUIT, and one transcript. Both of
// mxprobe's SMTP dialogues run on it: check's RCPT dialogue
// (internal/mxdialog) and probe send's DATA dialogue (internal/delivery).
// docs/architecture.md ("SMTP layer") says why it does not use go-smtp's
// Client.
//
// Every read and write runs under a deadline capped by the context's; a
// cancelled context closes the socket at once. A hostile or broken peer
// yields a typed error (*ProtocolError, a net error), never a hang or a
// panic. Conn is not safe for concurrent use.
package smtpconn

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/mxprobe/mxprobe/internal/i18n"
)

// Default per-phase timeouts: far below RFC 5321 §4.5.3.2's minutes,
// because a diagnostic run waits for a human. All of them are further
// capped by the context's deadline.
const (
	DefaultConnectTimeout = 10 * time.Second
	DefaultBannerTimeout  = 30 * time.Second
	DefaultCommandTimeout = 30 * time.Second
)

// Timeouts per phase; zero fields take the defaults.
type Timeouts struct {
	Connect time.Duration // TCP connect
	Banner  time.Duration // from connect to the complete 220 greeting
	Command time.Duration // each command's reply, and the TLS handshake
	// Data bounds the reply to the final dot (RFC 5321 §4.5.3.2.6 gives the
	// server 10 minutes); zero: Command.
	Data time.Duration
}

// WithDefaults fills zero fields.
func (t Timeouts) WithDefaults() Timeouts {
	if t.Connect <= 0 {
		t.Connect = DefaultConnectTimeout
	}
	if t.Banner <= 0 {
		t.Banner = DefaultBannerTimeout
	}
	if t.Command <= 0 {
		t.Command = DefaultCommandTimeout
	}
	if t.Data <= 0 {
		t.Data = t.Command
	}
	return t
}

// Config of one connection.
type Config struct {
	Timeouts Timeouts
	Limits   Limits
	// Transcript receives the dialogue; nil: a private one (give one to
	// read it).
	Transcript *Transcript
	// Anomaly, when set, hears tolerated deviations from RFC 5321 (bare LF,
	// control or 8-bit bytes in replies, over-long lines).
	Anomaly func(what i18n.Text)
	// Dial replaces net.Dialer.DialContext (tests).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Conn is one SMTP client connection.
type Conn struct {
	ctx  context.Context
	cfg  Config
	to   Timeouts
	lim  Limits
	tr   *Transcript
	raw  net.Conn
	conn net.Conn // raw, or *tls.Conn after STARTTLS / implicit TLS
	rr   *replyReader
	stop func() bool

	// Connected is when the TCP connection was up; ConnectDuration how
	// long the dial took.
	Connected       time.Time
	ConnectDuration time.Duration
	// Local and Remote are the socket addresses.
	Local, Remote netip.AddrPort
	// TLS is set once TLS is up (or STARTTLS/the handshake failed).
	TLS *TLSInfo
}

// Dial connects to addr (host:port) within cfg.Timeouts.Connect, capped by
// ctx. The connection is closed when ctx ends. The transcript records the
// attempt; on failure the error is the dial's (a deadline as
// os.ErrDeadlineExceeded).
func Dial(ctx context.Context, addr string, cfg Config) (*Conn, error) {
	c := &Conn{ctx: ctx, cfg: cfg, to: cfg.Timeouts.WithDefaults(), lim: cfg.Limits.withDefaults(), tr: cfg.Transcript}
	if c.tr == nil {
		c.tr = NewTranscript(nil, c.lim.MaxTranscriptBytes)
	}
	c.tr.Add(DirEvent, "connect "+addr)
	dctx, cancel := context.WithDeadline(ctx, c.deadline(c.to.Connect))
	defer cancel()
	dial := cfg.Dial
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	t0 := time.Now()
	raw, err := dial(dctx, "tcp", addr)
	c.Connected = time.Now()
	c.ConnectDuration = c.Connected.Sub(t0)
	if err != nil {
		if dctx.Err() != nil && ctx.Err() == nil {
			err = fmt.Errorf("no answer within %v: %w", c.ConnectDuration.Round(time.Millisecond), os.ErrDeadlineExceeded)
		}
		return nil, err
	}
	c.raw, c.conn = raw, raw
	c.Local, _ = netip.ParseAddrPort(raw.LocalAddr().String())
	c.Remote, _ = netip.ParseAddrPort(raw.RemoteAddr().String())
	// Closing the socket is what unblocks a read when the context ends
	// (deadline or Ctrl-C).
	c.stop = context.AfterFunc(ctx, func() { _ = raw.Close() })
	c.tr.Add(DirEvent, fmt.Sprintf("connected from %s in %.1f ms", c.Local, MS(c.ConnectDuration)))
	c.setReader(raw)
	return c, nil
}

// Close closes the connection without QUIT.
func (c *Conn) Close() error {
	if c.stop != nil {
		c.stop()
	}
	return c.raw.Close()
}

// Timeouts in force.
func (c *Conn) Timeouts() Timeouts { return c.to }

// MS converts a duration to milliseconds with microsecond precision.
func MS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// deadline is now+d, capped by the context's deadline.
func (c *Conn) deadline(d time.Duration) time.Time {
	t := time.Now().Add(d)
	if cd, ok := c.ctx.Deadline(); ok && cd.Before(t) {
		t = cd
	}
	return t
}

func (c *Conn) setReader(r net.Conn) {
	c.rr = newReplyReader(r, c.lim)
	c.rr.onLine = func(l string) { c.tr.Add(DirServer, l) }
	c.rr.anomaly = c.cfg.Anomaly
}

// ReadReply reads one reply to cmd ("banner", "EHLO", …) within timeout
// (capped by the context); ElapsedMS counts from since.
func (c *Conn) ReadReply(cmd string, since time.Time, timeout time.Duration) (*Reply, error) {
	_ = c.conn.SetReadDeadline(c.deadline(timeout))
	rep, err := c.rr.read()
	if err != nil {
		return nil, err
	}
	rep.Command = cmd
	rep.ElapsedMS = MS(time.Since(since))
	return rep, nil
}

// Greeting reads the server's greeting (RFC 5321 §4.3.1: 220, or 554 or
// 421) within Timeouts.Banner of the connect.
func (c *Conn) Greeting() (*Reply, error) {
	return c.ReadReply("banner", c.Connected, c.to.Banner)
}

// Send writes command lines in one write: one command, or a pipelined
// group (RFC 2920 §3.1). It returns when the write was done.
func (c *Conn) Send(lines ...string) (time.Time, error) {
	var b strings.Builder
	for _, l := range lines {
		c.tr.Add(DirClient, l)
		b.WriteString(l)
		b.WriteString("\r\n")
	}
	return c.write(b.String())
}

// sendSecret writes one line whose transcript form is shown.
func (c *Conn) sendSecret(line, shown string) (time.Time, error) {
	c.tr.Add(DirClient, shown)
	return c.write(line + "\r\n")
}

func (c *Conn) write(s string) (time.Time, error) {
	_ = c.conn.SetWriteDeadline(c.deadline(c.to.Command))
	now := time.Now()
	_, err := io.WriteString(c.conn, s)
	return now, err
}

// Cmd sends one command line and reads its reply; name is the reply's
// Command ("MAIL", "RCPT", …).
func (c *Conn) Cmd(name, line string) (*Reply, error) {
	sent, err := c.Send(line)
	if err != nil {
		return nil, err
	}
	return c.ReadReply(name, sent, c.to.Command)
}

// Hello is the outcome of EHLO (and HELO, when EHLO was refused).
type Hello struct {
	EHLO *Reply
	// HELO is the reply to HELO, sent when EHLO got a 5xx (RFC 5321
	// §4.1.4: a server that does not know EHLO answers 500/502; other
	// 5xx are worth a HELO too). Nil when not sent.
	HELO *Reply
	// Ext are the extensions of a 250 EHLO reply; empty after HELO; nil
	// when neither succeeded.
	Ext *Extensions
}

// Final is the reply that decided: HELO's when sent, else EHLO's.
func (h Hello) Final() *Reply {
	if h.HELO != nil {
		return h.HELO
	}
	return h.EHLO
}

// OK reports whether the server accepted the greeting (250).
func (h Hello) OK() bool { return h.Ext != nil }

// Hello sends EHLO name and falls back to HELO after a 5xx. allowHELO
// false (after STARTTLS) never falls back.
func (c *Conn) Hello(name string, allowHELO bool) (Hello, error) {
	var h Hello
	rep, err := c.Cmd("EHLO", "EHLO "+name)
	if err != nil {
		return h, err
	}
	h.EHLO = rep
	switch {
	case rep.Code == 250:
		h.Ext = ParseExtensions(rep.Text)
	case rep.Class() == 5 && allowHELO:
		hrep, err := c.Cmd("HELO", "HELO "+name)
		if err != nil {
			return h, err
		}
		h.HELO = hrep
		if hrep.Code == 250 {
			h.Ext = &Extensions{Keywords: []string{}}
		}
	}
	return h, nil
}

// TLSOptions of STARTTLS or implicit TLS.
type TLSOptions struct {
	// Host is the name the certificate must match and the SNI (unless it
	// is an IP address, RFC 6066 §3). May be empty.
	Host string
	// Config is the base TLS configuration (nil: opportunistic, see below).
	// ServerName is set from Host when empty.
	Config *tls.Config
	// Inspect tells how to judge the peer's certificate (roots, DANE).
	Inspect InspectOptions
}

// OpportunisticTLS is the configuration of a sending MTA toward an MX
// (RFC 7435, RFC 3207 §4.1): any certificate is accepted and judged
// afterwards (TLSInfo), so that a bad certificate becomes a finding, not
// a lost dialogue; old versions and all cipher suites are allowed so that
// they can be reported.
func OpportunisticTLS() *tls.Config {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	return &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS10, CipherSuites: ids}
}

// StartTLS sends STARTTLS (RFC 3207) and, after a 220, runs the handshake.
// It returns the reply; the error is non-nil when the reply could not be
// read or the handshake failed (then Conn.TLS.Error says why). A non-220
// reply is no error: the caller decides (RFC 3207 §4: after 454 a client
// may go on in plaintext).
func (c *Conn) StartTLS(o TLSOptions) (*Reply, error) {
	rep, err := c.Cmd("STARTTLS", "STARTTLS")
	if err != nil {
		return nil, err
	}
	if rep.Code != 220 {
		c.TLS = &TLSInfo{Error: "STARTTLS refused: " + rep.Line()}
		return rep, nil
	}
	// Whatever the server sent after its 220 was read in plaintext and must
	// not be taken as coming from inside TLS (RFC 3207 §5, the STARTTLS
	// response injection class of bugs). A server speaks second in TLS, so
	// such bytes also mean its TLS is broken.
	if n := c.rr.br.Buffered(); n > 0 {
		err := &ProtocolError{Err: ErrDataAfterTLS, Line: fmt.Sprintf("%d bytes", n)}
		c.TLS = &TLSInfo{Error: strings.TrimPrefix(err.Error(), "smtpconn: ")}
		return rep, err
	}
	return rep, c.Handshake(o)
}

// Handshake runs a TLS client handshake on the connection (after a 220 to
// STARTTLS, or first thing for implicit TLS, RFC 8314 §3.3) and inspects
// the result into Conn.TLS.
func (c *Conn) Handshake(o TLSOptions) error {
	cfg := o.Config
	if cfg == nil {
		cfg = OpportunisticTLS()
	}
	cfg = cfg.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName = o.Host
		if _, err := netip.ParseAddr(o.Host); err == nil {
			cfg.ServerName = "" // RFC 6066 §3: no IP literals in SNI
		}
	}
	tc := tls.Client(c.raw, cfg)
	hctx, cancel := context.WithDeadline(c.ctx, c.deadline(c.to.Command))
	defer cancel()
	t0 := time.Now()
	err := tc.HandshakeContext(hctx)
	if err != nil {
		if hctx.Err() != nil && c.ctx.Err() == nil {
			err = fmt.Errorf("TLS handshake: %w", os.ErrDeadlineExceeded)
		}
		c.TLS = &TLSInfo{Error: err.Error(), VerifyReason: reasonOf(err)}
		return err
	}
	_ = tc.SetDeadline(time.Time{})
	ins := o.Inspect
	if ins.Host == "" {
		ins.Host = o.Host
	}
	c.TLS = Inspect(tc.ConnectionState(), ins)
	c.TLS.HandshakeMS = MS(time.Since(t0))
	c.tr.Add(DirEvent, fmt.Sprintf("TLS established: %s, %s", c.TLS.Version, c.TLS.Cipher))
	c.conn = tc
	c.setReader(tc)
	return nil
}

// Quit sends QUIT and waits for the reply (RFC 5321 §3.8: the client
// SHOULD), at most timeout (0: the command timeout).
func (c *Conn) Quit(timeout time.Duration) (*Reply, error) {
	if timeout <= 0 {
		timeout = c.to.Command
	}
	sent, err := c.Send("QUIT")
	if err != nil {
		return nil, err
	}
	return c.ReadReply("QUIT", sent, timeout)
}
