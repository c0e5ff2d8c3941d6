// Package smtplab runs scripted SMTP servers on loopback addresses for tests
// and for `mxprobe lab`.
//
// Well-behaved scenarios are served by github.com/emersion/go-smtp (a server
// we did not write, so our client is tested against someone else's reading of
// RFC 5321). A thin scripted front in this package sits between the socket and
// go-smtp: it shapes the banner and the EHLO/HELO greeting (Microsoft- or
// Google-style, revealing the client IP), toggles extensions, adds per-reply
// latency, performs STARTTLS itself (so greetings stay scriptable after TLS)
// and records every session. Misbehaving peers that go-smtp cannot imitate
// (endless continuation lines, 1 MiB lines, NUL bytes, bad reply codes, resets,
// broken TLS) are served by a small hand-written TCP server in hostile.go.
//
// Servers listen on loopback only; Start refuses any other address.
package smtplab

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// RcptPolicy scripts the answer to RCPT TO when Scenario.OnRcpt is nil.
type RcptPolicy string

const (
	// RcptAccept accepts postmaster and Scenario.Mailboxes and answers any
	// other recipient with 550 5.1.1 (a server that validates recipients).
	RcptAccept RcptPolicy = "accept"
	// RcptAcceptAll accepts every recipient at RCPT time (catch-all, or the
	// accept-then-discard behaviour of some large providers).
	RcptAcceptAll RcptPolicy = "accept_all"
	// RcptRejectS3150 rejects every recipient with Microsoft's block-list
	// reply 550 5.7.1 … (S3150), naming the client IP.
	RcptRejectS3150 RcptPolicy = "reject_s3150"
	// RcptGreylist defers recipients with 450 4.7.1 (see
	// Scenario.GreylistAttempts).
	RcptGreylist RcptPolicy = "greylist"
	// RcptUnknownUser answers 550 5.1.1 for every recipient except
	// postmaster (RFC 5321 §4.5.1 requires postmaster to be accepted).
	RcptUnknownUser RcptPolicy = "unknown_user"
)

// Style shapes the banner and the EHLO/HELO greeting line.
type Style string

const (
	// StylePlain: "220 mx.lab.test ESMTP mxprobe lab", "250-mx.lab.test".
	StylePlain Style = ""
	// StyleMicrosoft: "220 <host> Microsoft ESMTP MAIL Service ready at <date>",
	// "250-<host> Hello [<client ip>]".
	StyleMicrosoft Style = "microsoft"
	// StyleGoogle: "220 <host> ESMTP <id> - gsmtp",
	// "250-<host> at your service, [<client ip>]".
	StyleGoogle Style = "google"
)

// Default host names used in banners and greetings per style.
const (
	DefaultHostname   = "mx.lab.test"
	MicrosoftHostname = "LB01EPF0000LAB1.mail.protection.outlook.com"
	GoogleHostname    = "mx.google.com"
)

// S3150Text is the text of Microsoft's block-list rejection (550 5.7.1);
// %s is the client IP.
const S3150Text = "Unfortunately, messages from [%s] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors."

// Hostile selects a misbehaving raw server instead of go-smtp.
type Hostile string

const (
	HostileNone Hostile = ""
	// HostileBannerNever accepts TCP, reads and discards, never writes.
	HostileBannerNever Hostile = "banner_never"
	// HostileCloseAfterBanner sends the banner and closes the connection.
	HostileCloseAfterBanner Hostile = "close_after_banner"
	// HostileNeverRead sends the banner and then never reads or writes again.
	HostileNeverRead Hostile = "never_read"
	// HostileEndlessContinuation answers with "250-" lines without end.
	HostileEndlessContinuation Hostile = "endless_continuation"
	// HostileHugeLine answers with a single 1 MiB reply line.
	HostileHugeLine Hostile = "huge_line"
	// HostileGarbage answers with NUL and non-UTF-8 bytes in the reply text.
	HostileGarbage Hostile = "garbage"
	// Hostile8Bit puts non-UTF-8 (but no control) bytes into the reply text
	// and otherwise behaves; a tolerant client can finish the dialogue.
	Hostile8Bit Hostile = "8bit"
	// HostileBadCode answers with reply code 999 (outside 200–599).
	HostileBadCode Hostile = "bad_code"
	// HostileMismatchedMultiline answers "250-…" followed by "251 …".
	HostileMismatchedMultiline Hostile = "mismatched_multiline"
	// HostileResetMidReply writes half a reply and resets the connection.
	HostileResetMidReply Hostile = "reset_mid_reply"
	// HostileTLSHandshakeFail offers STARTTLS, answers 220 and then sends a
	// TLS handshake_failure alert.
	HostileTLSHandshakeFail Hostile = "tls_handshake_fail"
	// HostileTLSGarbage offers STARTTLS, answers 220 and then sends bytes
	// that are not TLS.
	HostileTLSGarbage Hostile = "tls_garbage"
	// HostileSTARTTLSInjection sends plaintext right behind its 220 to
	// STARTTLS, in the same write (the response injection of CVE-2011-0411
	// and its relatives).
	HostileSTARTTLSInjection Hostile = "starttls_injection"
	// HostileSTARTTLS454 offers STARTTLS and answers it with 454; the rest
	// of the dialogue works in plaintext.
	HostileSTARTTLS454 Hostile = "starttls_454"
)

// Step names the point of the dialogue where a Hostile reply is given.
type Step string

const (
	StepBanner Step = "banner"
	StepEHLO   Step = "ehlo" // the default
	StepMAIL   Step = "mail"
	StepRCPT   Step = "rcpt"
)

// Envelope is what a hook sees of the current transaction.
type Envelope struct {
	Session    int            // Session.ID
	RemoteAddr netip.AddrPort // the client's socket address
	Helo       string         // last EHLO/HELO argument
	TLS        bool           // STARTTLS completed
	From       string         // reverse path ("" is the null sender)
	To         []string       // recipients accepted so far
	UTF8       bool           // MAIL FROM carried SMTPUTF8
}

// Scenario scripts one server. The zero value is a plain server that accepts
// postmaster and rejects unknown users, without STARTTLS.
type Scenario struct {
	Name string

	// Hostname appears in the banner and the EHLO greeting; default per Style.
	Hostname string
	Style    Style
	// Banner replaces the banner text after the code; BannerCode replaces
	// 220 (e.g. 554 "no service here", 421 "too busy").
	Banner     string
	BannerCode int

	// BannerDelay holds the banner back after accepting (a tarpit or a
	// greet pause). ReplyLatency delays every reply (banner included) by this
	// much after the command that caused it arrived, like network latency.
	BannerDelay  time.Duration
	ReplyLatency time.Duration

	Rcpt RcptPolicy
	// Mailboxes exist besides postmaster: local parts ("alice") or full
	// addresses ("alice@example.test"), compared case-insensitively.
	Mailboxes []string
	// GreylistAttempts is how many attempts per (client IP, sender,
	// recipient) are deferred before the recipient is accepted; 0 defers
	// forever.
	GreylistAttempts int

	// TLSCert enables STARTTLS with this certificate (see CertFor).
	TLSCert *tls.Certificate

	// Extension toggles. go-smtp always offers PIPELINING, 8BITMIME and
	// ENHANCEDSTATUSCODES.
	SMTPUTF8   bool
	DSN        bool
	RequireTLS bool // REQUIRETLS, offered after STARTTLS only (RFC 8689 §4)
	Chunking   bool // CHUNKING/BDAT
	// MaxSize is the SIZE value and the message size limit (default 35 MiB);
	// NoSize hides the SIZE extension.
	MaxSize int64
	NoSize  bool

	// NoEHLO answers EHLO with 502 5.5.1 (an old server); HELO works.
	NoEHLO bool

	// OnMail decides the reverse path (nil result: accept).
	OnMail func(env Envelope, from string) *smtp.SMTPError
	// Hooks run on the session's goroutine and may be called concurrently
	// for different sessions.
	//
	// OnRcpt decides a recipient (nil result: accept with 250 2.1.5). When
	// set, Rcpt is ignored.
	OnRcpt func(env Envelope, rcpt string) *smtp.SMTPError
	// OnData receives every message (DATA or BDAT). Its result is the reply
	// to the end of data: nil gives "250 2.0.0 OK: queued"; a
	// *smtp.SMTPError with Code 250 gives exactly that line, e.g.
	// Microsoft's "250 2.6.0 <id> [InternalId=…, Hostname=…] Queued mail for
	// delivery".
	OnData func(env Envelope, msg []byte) *smtp.SMTPError

	// Hostile selects a misbehaving raw server; HostileAt says where it
	// misbehaves (default StepEHLO; ignored by kinds that act at connect or
	// STARTTLS).
	Hostile   Hostile
	HostileAt Step

	// IdleTimeout closes a silent client (default 30 s).
	IdleTimeout time.Duration
	// Logf receives go-smtp's internal error log; nil discards it.
	Logf func(format string, args ...any)
}

func (sc *Scenario) hostname() string {
	if sc.Hostname != "" {
		return sc.Hostname
	}
	switch sc.Style {
	case StyleMicrosoft:
		return MicrosoftHostname
	case StyleGoogle:
		return GoogleHostname
	}
	return DefaultHostname
}

func (sc *Scenario) idle() time.Duration {
	if sc.IdleTimeout > 0 {
		return sc.IdleTimeout
	}
	return 30 * time.Second
}

func (sc *Scenario) maxSize() int64 {
	if sc.MaxSize > 0 {
		return sc.MaxSize
	}
	return 35 << 20
}

// Session is the record of one TCP connection, for etiquette assertions
// ("never DATA in check", "one RCPT per session").
type Session struct {
	ID         int
	RemoteAddr netip.AddrPort
	Started    time.Time
	// Commands holds the client's command lines in order (message bodies
	// excluded), at most maxCommands.
	Commands []string
	Helo     []string // EHLO/HELO arguments
	TLS      bool     // STARTTLS completed
	MailFrom []string // every MAIL FROM reverse path
	Rcpts    []string // every RCPT TO forward path, accepted or not
	Data     int      // message bodies received
	Closed   bool
}

// Count returns how many commands with this verb (case-insensitive) the
// client sent.
func (s Session) Count(verb string) int {
	n := 0
	for _, c := range s.Commands {
		v, _, _ := strings.Cut(c, " ")
		if strings.EqualFold(v, verb) {
			n++
		}
	}
	return n
}

const maxCommands = 1000

// Server is a running scripted SMTP server.
type Server struct {
	sc   Scenario
	ln   net.Listener
	smtp *smtp.Server
	addr netip.AddrPort
	done chan struct{}

	mu       sync.Mutex
	sessions []*Session
	conns    map[net.Conn]struct{}
	grey     map[string]int
	closed   bool

	wg sync.WaitGroup
}

// Start listens on addr (a loopback "ip:port"; "" means 127.0.0.1:0) and
// serves sc until Close.
func Start(addr string, sc Scenario) (*Server, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return nil, fmt.Errorf("smtplab: address %q: %w", addr, err)
	}
	if !ap.Addr().IsLoopback() {
		return nil, fmt.Errorf("smtplab: %s is not a loopback address", ap.Addr())
	}
	ln, err := net.Listen("tcp", ap.String())
	if err != nil {
		return nil, fmt.Errorf("smtplab: %w", err)
	}
	s := &Server{
		sc:    sc,
		ln:    ln,
		addr:  ln.Addr().(*net.TCPAddr).AddrPort(),
		done:  make(chan struct{}),
		conns: map[net.Conn]struct{}{},
		grey:  map[string]int{},
	}
	if sc.Hostile != HostileNone {
		s.wg.Add(1)
		go s.serveRaw()
		return s, nil
	}
	s.smtp = s.newSMTPServer()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = s.smtp.Serve(&frontListener{Listener: ln, s: s})
	}()
	return s, nil
}

func (s *Server) newSMTPServer() *smtp.Server {
	sc := &s.sc
	srv := smtp.NewServer(&backend{s: s})
	srv.Domain = sc.hostname()
	srv.ReadTimeout = sc.idle()
	srv.WriteTimeout = sc.idle()
	srv.MaxMessageBytes = sc.maxSize()
	srv.MaxRecipients = 100
	srv.EnableSMTPUTF8 = sc.SMTPUTF8
	srv.EnableDSN = sc.DSN
	// The front offers REQUIRETLS after its own STARTTLS; go-smtp only has
	// to accept the MAIL parameter.
	srv.EnableREQUIRETLS = sc.RequireTLS
	srv.ErrorLog = log.New(io.Discard, "", 0)
	if sc.Logf != nil {
		srv.ErrorLog = logfLogger(sc.Logf)
	}
	return srv
}

type logfLogger func(format string, args ...any)

func (l logfLogger) Printf(format string, v ...any) { l(format, v...) }
func (l logfLogger) Println(v ...any)               { l("%s", fmt.Sprintln(v...)) }

// Addr is the listening address.
func (s *Server) Addr() netip.AddrPort { return s.addr }

// Scenario returns the scenario the server runs.
func (s *Server) Scenario() Scenario { return s.sc }

// Close stops the server, closes every connection and waits for the
// handlers to return.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	conns := make([]net.Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()

	err := s.ln.Close()
	for _, c := range conns {
		_ = c.Close()
	}
	if s.smtp != nil {
		// Connections are closed; Shutdown only waits for go-smtp's
		// handlers to notice.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_ = s.smtp.Shutdown(ctx)
		cancel()
	}
	s.wg.Wait()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// Sessions returns a copy of the session records so far, oldest first.
func (s *Server) Sessions() []Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Session, len(s.sessions))
	for i, p := range s.sessions {
		c := *p
		c.Commands = slices.Clone(p.Commands)
		c.Helo = slices.Clone(p.Helo)
		c.MailFrom = slices.Clone(p.MailFrom)
		c.Rcpts = slices.Clone(p.Rcpts)
		out[i] = c
	}
	return out
}

// track registers a new connection and its session record; it returns nil
// when the server is closing.
func (s *Server) track(c net.Conn) *Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.conns[c] = struct{}{}
	rec := &Session{ID: len(s.sessions) + 1, Started: time.Now()}
	if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		rec.RemoteAddr = ta.AddrPort()
	}
	s.sessions = append(s.sessions, rec)
	return rec
}

func (s *Server) untrack(c net.Conn, rec *Session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	if rec != nil {
		rec.Closed = true
	}
}

// update runs f on a session record under the server lock.
func (s *Server) update(rec *Session, f func(*Session)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(rec)
}

func (s *Server) addCommand(rec *Session, line string) {
	s.update(rec, func(r *Session) {
		if len(r.Commands) < maxCommands {
			r.Commands = append(r.Commands, line)
		}
	})
}

// sleep waits d or until the server closes; it reports whether the full
// time passed.
func (s *Server) sleep(d time.Duration, abort <-chan struct{}) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.done:
		return false
	case <-abort:
		return false
	}
}

// ClosedPort returns a loopback address on which nothing listens, so a
// connection attempt is refused (an MX that is down).
func ClosedPort() (netip.AddrPort, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return netip.AddrPort{}, err
	}
	ap := ln.Addr().(*net.TCPAddr).AddrPort()
	return ap, ln.Close()
}

func remoteIP(ap netip.AddrPort) string {
	if !ap.IsValid() {
		return "0.0.0.0"
	}
	return ap.Addr().Unmap().String()
}
