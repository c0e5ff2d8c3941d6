package delivery

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/mx"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// TLSMode says how the sending session uses TLS.
type TLSMode string

const (
	// TLSOpportunistic: STARTTLS when offered, the certificate checked and
	// recorded but not enforced (RFC 7435; what MTAs do toward MX hosts).
	// The default for --via direct.
	TLSOpportunistic TLSMode = "opportunistic"
	// TLSStartTLS: STARTTLS required and the certificate verified (RFC 3207).
	// The default for --via submit.
	TLSStartTLS TLSMode = "starttls"
	// TLSImplicit: TLS from the first byte (RFC 8314 §3.3, port 465).
	TLSImplicit TLSMode = "implicit"
	// TLSNone: plaintext (loopback labs only when credentials are sent).
	TLSNone TLSMode = "none"
)

// Credentials for SMTP AUTH. They are never written anywhere: not to the
// ledger, the transcript, an error, or output.
type Credentials struct {
	User     string
	Password string
}

// String hides the password from accidental printing.
func (c *Credentials) String() string {
	if c == nil {
		return "<nil>"
	}
	return "Credentials{User:" + c.User + ", Password:<redacted>}"
}

// GoString hides the password from %#v.
func (c *Credentials) GoString() string { return c.String() }

// secrets returns the password and its wire forms, to scrub from records.
func (c *Credentials) secrets() []string {
	if c == nil || c.Password == "" {
		return nil
	}
	b64 := base64.StdEncoding
	return []string{
		c.Password,
		b64.EncodeToString([]byte(c.Password)),
		b64.EncodeToString([]byte("\x00" + c.User + "\x00" + c.Password)),
	}
}

// SendOptions configure Send.
type SendOptions struct {
	From string // header From and (unless VERP) envelope sender
	To   string // the seed address
	// Route: RouteDirect (resolve MX, deliver on port 25) or RouteSubmit
	// (hand over to Relay with TLS and AUTH).
	Route Route
	// Relay is HOST:PORT of the submission server (RouteSubmit).
	Relay string
	// MX replaces the MX lookup (RouteDirect): deliver to this HOST or
	// HOST:PORT. For labs and for testing one specific MX host.
	MX string
	// Port overrides port 25 for RouteDirect (labs).
	Port int
	TLS  TLSMode
	// RootCAs verify certificates (nil: the system roots). Tests inject
	// the lab CA.
	RootCAs *x509.CertPool
	Auth    *Credentials
	// HelloName is the EHLO name (default: the host name when it is fully
	// qualified, else the sender's domain).
	HelloName string
	Resolver  resolver.Lookuper
	DKIM      *DKIMOptions
	// VERP puts the token into the envelope sender (local+mxp-TOKEN@domain)
	// so bounces without DSN can be matched.
	VERP bool
	Lang i18n.Lang
	// Token of the probe; empty: a fresh one.
	Token string
	Role  Role
	// Group is the main probe's token for a control probe.
	Group string
	Now   func() time.Time
	// Windows, when set, are recorded with the sent event: the verdict
	// windows chosen for this probe (see Event.Windows).
	Windows *Windows
	// Ledger receives the sent event; nil: not recorded.
	Ledger *Ledger
	// CommandTimeout bounds each reply (default 2 minutes; always bounded
	// by ctx).
	CommandTimeout time.Duration
	// Dial replaces net.Dialer.DialContext (tests).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Errors of Send.
var (
	ErrTokenUsed  = errors.New("delivery: token already used in the ledger")
	ErrNoTarget   = errors.New("delivery: no mail exchanger to deliver to")
	ErrSendFailed = errors.New("delivery: the probe could not be handed over")
)

type target struct {
	host string // name for TLS and the record
	addr string // ip:port to dial
	ip   string
	port int
}

// Send sends one probe and records the attempt in the ledger (when set). A
// rejection or deferral is a result, not an error: the returned Probe tells.
// The error is non-nil when no reply decided the send (then the probe, with
// Outcome failed, is returned and recorded too) or the options are invalid.
func Send(ctx context.Context, o SendOptions) (*Probe, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	from, err := ParseAddress(o.From)
	if err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	to, err := ParseAddress(o.To)
	if err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	switch o.Route {
	case RouteDirect:
		if o.TLS == "" {
			o.TLS = TLSOpportunistic
		}
		if o.Auth != nil {
			return nil, errors.New("SMTP AUTH is for --via submit; MX hosts take mail without it")
		}
	case RouteSubmit:
		if o.Relay == "" {
			return nil, errors.New("--via submit needs --relay HOST:PORT")
		}
		if _, _, err := net.SplitHostPort(o.Relay); err != nil {
			return nil, fmt.Errorf("relay %q: %w", o.Relay, err)
		}
		if o.TLS == "" {
			o.TLS = TLSStartTLS
			if _, port, _ := net.SplitHostPort(o.Relay); port == "465" {
				o.TLS = TLSImplicit
			}
		}
		if o.TLS == TLSNone && o.Auth != nil && !isLoopbackHost(o.Relay) {
			return nil, errors.New("refusing to send credentials without TLS to a non-loopback relay")
		}
	default:
		return nil, fmt.Errorf("unknown route %q (use direct or submit)", o.Route)
	}
	switch o.TLS {
	case TLSOpportunistic, TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return nil, fmt.Errorf("unknown TLS mode %q", o.TLS)
	}
	if o.Windows != nil {
		if err := o.Windows.Validate(); err != nil {
			return nil, fmt.Errorf("windows: %w", err)
		}
	}
	if o.Token == "" {
		if o.Token, err = NewToken(); err != nil {
			return nil, err
		}
	} else if !ValidToken(o.Token) {
		return nil, fmt.Errorf("invalid token %q", o.Token)
	}
	if o.Ledger != nil {
		evs, _, err := o.Ledger.Events()
		if err != nil {
			return nil, err
		}
		for _, ev := range evs {
			if ev.Token == o.Token {
				return nil, ErrTokenUsed
			}
		}
	}
	if o.Role == "" {
		o.Role = RoleProbe
	}
	if o.Group == "" {
		o.Group = o.Token
	}
	if o.CommandTimeout <= 0 {
		o.CommandTimeout = 2 * time.Minute
	}
	if o.HelloName == "" {
		o.HelloName = defaultHelloName(from)
	}
	envFrom := from
	if o.VERP {
		envFrom = VERPAddress(from, o.Token)
	}
	start := o.Now()
	msg, err := BuildMessage(MessageOptions{Token: o.Token, From: from, To: to, Date: start, Lang: o.Lang, DKIM: o.DKIM})
	if err != nil {
		return nil, err
	}
	p := &Probe{
		Token: o.Token, Role: o.Role, Group: o.Group, From: from, To: to, EnvelopeFrom: envFrom,
		MessageID: msg.MessageID, Subject: msg.Subject, Route: o.Route, Size: len(msg.Bytes), StartedAt: start,
	}
	if o.Route == RouteSubmit {
		p.Relay = o.Relay
	}
	if o.DKIM != nil {
		p.DKIMDomain, p.DKIMSelector = o.DKIM.Domain, o.DKIM.Selector
	}

	targets, terr := o.targets(ctx, to)
	if terr != nil {
		p.Outcome, p.Stage, p.Error = OutcomeFailed, "resolve", terr.Error()
	}
	var sendErr error = terr
	for i, t := range targets {
		s := &session{o: &o, p: p, msg: msg, envFrom: envFrom, t: t}
		retry := s.run(ctx)
		if !retry || i == len(targets)-1 || ctx.Err() != nil {
			sendErr = nil
			if p.Outcome == OutcomeFailed {
				sendErr = ErrSendFailed
			}
			break
		}
	}
	p.DoneAt = o.Now()
	scrubProbe(p, o.Auth.secrets())
	if o.Ledger != nil {
		if _, err := o.Ledger.Append(Event{Kind: KindSent, At: p.DoneAt, Token: p.Token, Sent: p, Windows: o.Windows}); err != nil {
			return p, err
		}
	}
	if sendErr != nil {
		return p, fmt.Errorf("%w: %s", ErrSendFailed, p.Error)
	}
	return p, nil
}

// VERPAddress puts the token into the local part: local+mxp-TOKEN@domain
// (variable envelope return path; bounces come back to an address that
// names the probe).
func VERPAddress(from, token string) string {
	at := strings.LastIndexByte(from, '@')
	return from[:at] + "+mxp-" + token + from[at:]
}

func defaultHelloName(from string) string {
	if h, err := os.Hostname(); err == nil && strings.Contains(h, ".") && !strings.HasSuffix(h, ".localdomain") {
		return strings.ToLower(h)
	}
	return domainOf(from)
}

func isLoopbackHost(hostport string) bool {
	h, _, err := net.SplitHostPort(hostport)
	if err != nil {
		h = hostport
	}
	if h == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(strings.Trim(h, "[]"))
	return err == nil && ip.IsLoopback()
}

// maxTargets bounds the MX addresses tried (RFC 5321 §5.1 asks senders to
// try several, not all of hundreds).
const maxTargets = 6

func (o *SendOptions) targets(ctx context.Context, to string) ([]target, error) {
	port := 25
	if o.Port > 0 {
		port = o.Port
	}
	hostTarget := func(hostport string, defPort int) ([]target, error) {
		h, ps, err := net.SplitHostPort(hostport)
		if err != nil {
			h, ps = hostport, strconv.Itoa(defPort)
		}
		pn, err := strconv.Atoi(ps)
		if err != nil || pn <= 0 || pn > 65535 {
			return nil, fmt.Errorf("invalid port in %q", hostport)
		}
		h = strings.Trim(h, "[]")
		ip := ""
		if a, err := netip.ParseAddr(h); err == nil {
			ip = a.String()
		}
		return []target{{host: h, addr: net.JoinHostPort(h, strconv.Itoa(pn)), ip: ip, port: pn}}, nil
	}
	if o.Route == RouteSubmit {
		return hostTarget(o.Relay, 587)
	}
	if o.MX != "" {
		return hostTarget(o.MX, port)
	}
	if o.Resolver == nil {
		return nil, errors.New("no DNS resolver to find the MX hosts (or give --mx HOST)")
	}
	res := mx.Resolve(ctx, o.Resolver, domainOf(to))
	if res.Err != nil && len(res.Hosts) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoTarget, res.Error)
	}
	var ts []target
	for _, h := range res.Hosts {
		if !h.Usable() {
			continue
		}
		for j, ip := range h.IPs {
			if j >= 2 {
				break
			}
			ts = append(ts, target{host: h.Name, ip: ip.String(), port: port, addr: net.JoinHostPort(ip.String(), strconv.Itoa(port))})
		}
		if len(ts) >= maxTargets {
			break
		}
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("%w: no MX host of %s has an address", ErrNoTarget, domainOf(to))
	}
	return ts, nil
}

// session is one SMTP conversation with one target.
type session struct {
	o       *SendOptions
	p       *Probe
	msg     *Message
	envFrom string
	t       target
	tr      *transcript
	err     error
	// decisive is the reply that decided this attempt (for the attempt list).
	decisive string
}

func (s *session) errText() string {
	if s.err == nil {
		return ""
	}
	return s.err.Error()
}

// run talks to one target and fills the probe. It reports whether the next
// target should be tried (no connection, no greeting, a 421 — RFC 5321
// §5.1: try the next MX when one cannot be reached).
func (s *session) run(ctx context.Context) (retry bool) {
	retry, tlsFailed := s.attempt(ctx, false)
	if tlsFailed && s.o.TLS == TLSOpportunistic && ctx.Err() == nil {
		// Opportunistic TLS failed in the handshake: like an MTA, try the
		// same host once more in plaintext (RFC 7435 §3).
		s.p.TLS = nil
		retry, _ = s.attempt(ctx, true)
	}
	return retry
}

func (s *session) fail(stage string, err error) {
	s.err = err
	p := s.p
	p.Stage = stage
	p.Reply, p.Code, p.Enhanced = "", 0, ""
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		p.Code = se.Code
		if se.EnhancedCode != (smtp.EnhancedCode{}) && se.EnhancedCode != smtp.NoEnhancedCode {
			p.Enhanced = fmt.Sprintf("%d.%d.%d", se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2])
		}
		p.Reply = s.tr.LastReply()
		if p.Reply == "" {
			p.Reply = strconv.Itoa(se.Code) + " " + se.Message
		}
		s.decisive = p.Reply
		switch se.Code / 100 {
		case 4:
			p.Outcome = OutcomeDeferred
		case 5:
			p.Outcome = OutcomeRejected
		default:
			p.Outcome = OutcomeFailed
		}
		p.Error = ""
		if p.Outcome == OutcomeFailed {
			p.Error = "unexpected reply " + strconv.Itoa(se.Code)
		}
		return
	}
	p.Outcome = OutcomeFailed
	p.Error = err.Error()
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		if !strings.Contains(p.Error, "timeout") {
			p.Error = "timeout: " + p.Error
		}
	}
}

func (s *session) dial(ctx context.Context) (net.Conn, error) {
	if s.o.Dial != nil {
		return s.o.Dial(ctx, "tcp", s.t.addr)
	}
	d := net.Dialer{Timeout: 30 * time.Second}
	return d.DialContext(ctx, "tcp", s.t.addr)
}

func (s *session) tlsConfig() (*tls.Config, *TLSInfo) {
	info := &TLSInfo{ServerName: s.t.host}
	name := s.t.host
	cfg := &tls.Config{ServerName: name, RootCAs: s.o.RootCAs, MinVersion: tls.VersionTLS12}
	if s.o.TLS == TLSOpportunistic {
		// Verify, record, do not enforce.
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			info.Verified, info.VerifyError = verifyChain(cs, name, s.o.RootCAs)
			return nil
		}
	} else {
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			info.Verified = true
			return nil
		}
	}
	return cfg, info
}

func verifyChain(cs tls.ConnectionState, name string, roots *x509.CertPool) (bool, string) {
	if len(cs.PeerCertificates) == 0 {
		return false, "no certificate"
	}
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{DNSName: name, Roots: roots, Intermediates: inter})
	if err != nil {
		return false, err.Error()
	}
	return true, ""
}

func fillTLS(info *TLSInfo, cs tls.ConnectionState) {
	info.Version = tls.VersionName(cs.Version)
	info.Cipher = tls.CipherSuiteName(cs.CipherSuite)
	if len(cs.PeerCertificates) > 0 {
		c := cs.PeerCertificates[0]
		info.PeerSubject = c.Subject.String()
		info.PeerIssuer = c.Issuer.String()
		info.PeerExpires = c.NotAfter.UTC()
	}
}

// attempt runs one connection. retry: try the next target; tlsFailed: the
// STARTTLS handshake failed (opportunistic mode may retry in plaintext).
func (s *session) attempt(ctx context.Context, noTLS bool) (retry, tlsFailed bool) {
	o, p := s.o, s.p
	s.tr = newTranscript(o.Now)
	s.err, s.decisive = nil, ""
	defer func() {
		p.Transcript = s.tr.Lines()
		if b := s.tr.FirstReply(); b != "" {
			p.Banner = b
		}
		p.Attempts = append(p.Attempts, Attempt{Host: s.t.host, IP: p.MXIP, Port: s.t.port, Error: s.errText(), Reply: s.decisive})
	}()
	p.MXHost, p.MXIP, p.Port = s.t.host, s.t.ip, s.t.port
	s.tr.note("connect " + s.t.addr)
	raw, err := s.dial(ctx)
	if err != nil {
		s.fail("connect", err)
		return true, false
	}
	defer raw.Close()
	// go-smtp has no context: closing the connection unblocks any read.
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()
	if p.MXIP == "" {
		if ap, err := netip.ParseAddrPort(raw.RemoteAddr().String()); err == nil {
			p.MXIP = ap.Addr().Unmap().String()
		}
	}
	p.ConnectedAt = o.Now()

	var conn net.Conn = raw
	if o.TLS == TLSImplicit {
		cfg, info := s.tlsConfig()
		tc := tls.Client(raw, cfg)
		if err := s.handshake(ctx, tc); err != nil {
			s.fail("tls", err)
			return true, false
		}
		fillTLS(info, tc.ConnectionState())
		info.Implicit = true
		p.TLS = info
		s.tr.note("TLS " + info.Version + " " + info.Cipher)
		conn = tc
	}
	tap := &tapConn{Conn: conn, t: s.tr}
	c := s.client(ctx, tap, nil)
	if err := c.Hello(o.HelloName); err != nil {
		stage := "ehlo"
		if !s.sentAnything() {
			stage = "greeting"
		}
		s.fail(stage, err)
		// No greeting, or a 421/554 banner: this host will not talk; try the next.
		return true, false
	}
	wantTLS := !noTLS && (o.TLS == TLSOpportunistic || o.TLS == TLSStartTLS)
	if wantTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			cfg, info := s.tlsConfig()
			tc, err := s.startTLS(ctx, conn, cfg)
			if err != nil {
				s.fail("starttls", err)
				// Opportunistic TLS retries in plaintext (see run).
				return false, o.TLS == TLSOpportunistic
			}
			fillTLS(info, tc.ConnectionState())
			p.TLS = info
			s.tr.note("TLS " + info.Version + " " + info.Cipher)
			// RFC 3207 §4.2: forget what was learnt before TLS; EHLO again.
			tap = &tapConn{Conn: tc, t: s.tr}
			c = s.client(ctx, tap, []byte("220 (after STARTTLS)\r\n"))
			if err := c.Hello(o.HelloName); err != nil {
				s.fail("ehlo", err)
				return false, false
			}
		} else if o.TLS == TLSStartTLS {
			s.fail("starttls", errors.New("the server does not offer STARTTLS, which --tls starttls requires"))
			return false, false
		}
	}
	if o.Auth != nil {
		var a sasl.Client
		switch {
		case c.SupportsAuth("PLAIN"):
			a = sasl.NewPlainClient("", o.Auth.User, o.Auth.Password)
		case c.SupportsAuth("LOGIN"):
			a = sasl.NewLoginClient(o.Auth.User, o.Auth.Password)
		default:
			s.fail("auth", errors.New("the server offers neither AUTH PLAIN nor AUTH LOGIN"))
			return false, false
		}
		// Not c.Auth: see authenticate (RFC 4954 §4, the "*" only after 334).
		if err := authenticate(ctx, tap, a, s.commandTimeout(ctx)); err != nil {
			s.fail("auth", err)
			if p.Outcome != OutcomeFailed {
				// A refused login is a local problem, not the receiver's verdict.
				p.Error = "authentication failed: " + oneLineReply(p.Reply)
				p.Outcome = OutcomeFailed
			}
			return false, false
		}
	}
	dsn, _ := c.Extension("DSN")
	p.DSNOffered = dsn
	// RFC 3461 §4.3-4.4 (RET, ENVID on MAIL) and §4.1-4.2 (NOTIFY, ORCPT on
	// RCPT); go-smtp adds them only when the server offers DSN.
	mopts := &smtp.MailOptions{Return: smtp.DSNReturnHeaders, EnvelopeID: p.Token, Size: int64(len(s.msg.Bytes))}
	if err := c.Mail(s.envFrom, mopts); err != nil {
		s.fail("mail", err)
		return false, false
	}
	ropts := &smtp.RcptOptions{
		Notify:                []smtp.DSNNotify{smtp.DSNNotifySuccess, smtp.DSNNotifyFailure, smtp.DSNNotifyDelayed},
		OriginalRecipientType: smtp.DSNAddressTypeRFC822,
		OriginalRecipient:     p.To,
	}
	if err := c.Rcpt(p.To, ropts); err != nil {
		s.fail("rcpt", err)
		return false, false
	}
	w, err := c.Data()
	if err != nil {
		s.fail("data", err)
		return false, false
	}
	if _, err := w.Write(s.msg.Bytes); err != nil {
		s.fail("data", err)
		return false, false
	}
	if _, err := w.CloseWithResponse(); err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) && se.Code/100 == 2 {
			// 251/252 and other 2xx are acceptance too.
		} else {
			s.fail("dot", err)
			return false, false
		}
	}
	p.Outcome, p.Stage, p.Error = OutcomeAccepted, "dot", ""
	p.Reply = s.tr.LastReply()
	s.decisive = p.Reply
	p.Code, p.Enhanced = replyCodes(p.Reply)
	a := ParseAcceptanceFor(p.Reply, p.MessageID, p.To)
	p.Acceptance = &a
	// Politeness: QUIT, but never wait long for it.
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	stopQuit := context.AfterFunc(qctx, func() { raw.Close() })
	_ = c.Quit()
	stopQuit()
	cancel()
	return false, false
}

func (s *session) sentAnything() bool {
	for _, l := range s.tr.Lines() {
		if l.Dir == "C" {
			return true
		}
	}
	return false
}

// client wraps conn in a go-smtp client with timeouts bounded by ctx.
func (s *session) client(ctx context.Context, conn net.Conn, greeting []byte) *smtp.Client {
	if greeting != nil {
		conn = &greetConn{Conn: conn, pending: greeting}
	}
	c := smtp.NewClient(conn)
	to := s.commandTimeout(ctx)
	c.CommandTimeout, c.SubmissionTimeout = to, to
	return c
}

// commandTimeout bounds one reply: CommandTimeout, or less when ctx ends
// sooner.
func (s *session) commandTimeout(ctx context.Context) time.Duration {
	to := s.o.CommandTimeout
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl); left < to {
			to = max(left, time.Millisecond)
		}
	}
	return to
}

func (s *session) handshake(ctx context.Context, tc *tls.Conn) error {
	hctx, cancel := context.WithTimeout(ctx, s.o.CommandTimeout)
	defer cancel()
	return tc.HandshakeContext(hctx)
}

// startTLS sends STARTTLS on the plaintext connection and performs the
// handshake. Bytes the server sends after its 220 are discarded with the
// reader (no plaintext may survive into the TLS session, RFC 3207 §6).
func (s *session) startTLS(ctx context.Context, conn net.Conn, cfg *tls.Config) (*tls.Conn, error) {
	tap := &tapConn{Conn: conn, t: s.tr}
	conn.SetDeadline(time.Now().Add(s.o.CommandTimeout))
	if _, err := tap.Write([]byte("STARTTLS\r\n")); err != nil {
		return nil, err
	}
	r := textproto.NewReader(bufio.NewReaderSize(tap, 1024))
	if _, _, err := r.ReadResponse(220); err != nil {
		var te *textproto.Error
		if errors.As(err, &te) {
			return nil, &smtp.SMTPError{Code: te.Code, Message: te.Msg}
		}
		return nil, err
	}
	conn.SetDeadline(time.Time{})
	tc := tls.Client(conn, cfg)
	if err := s.handshake(ctx, tc); err != nil {
		return nil, fmt.Errorf("TLS handshake: %w", err)
	}
	return tc, nil
}

// scrubProbe removes any secret that a server might have echoed from every
// recorded string.
func scrubProbe(p *Probe, secrets []string) {
	if len(secrets) == 0 {
		return
	}
	sc := func(s string) string {
		for _, sec := range secrets {
			if sec != "" && strings.Contains(s, sec) {
				s = strings.ReplaceAll(s, sec, "***")
			}
		}
		return s
	}
	p.Reply, p.Error, p.Banner = sc(p.Reply), sc(p.Error), sc(p.Banner)
	for i := range p.Transcript {
		p.Transcript[i].Text = sc(p.Transcript[i].Text)
	}
	for i := range p.Attempts {
		p.Attempts[i].Error, p.Attempts[i].Reply = sc(p.Attempts[i].Error), sc(p.Attempts[i].Reply)
	}
}

// replyCodes returns the reply code and the enhanced status code (RFC 3463)
// of the first line of a reply.
func replyCodes(reply string) (int, string) {
	first, _, _ := strings.Cut(reply, "\n")
	if len(first) < 3 || !isDigits(first[:3]) {
		return 0, ""
	}
	code, _ := strconv.Atoi(first[:3])
	enh := ""
	if f := strings.Fields(first[min(4, len(first)):]); len(f) > 0 && isEnhancedCode(f[0]) {
		enh = f[0]
	}
	return code, enh
}
