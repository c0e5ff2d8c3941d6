package delivery

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/mx"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/smtpconn"
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
	// HelloName is the EHLO name (default: smtpconn.DefaultHELO, the host
	// name when it is fully qualified, else the local address literal).
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
	if err := o.checkRoute(); err != nil {
		return nil, err
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
		Message: msg.Bytes,
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

// checkRoute validates the route, TLS mode and windows and fills the TLS
// default of the route.
func (o *SendOptions) checkRoute() error {
	switch o.Route {
	case RouteDirect:
		if o.TLS == "" {
			o.TLS = TLSOpportunistic
		}
		if o.Auth != nil {
			return errors.New("SMTP AUTH is for --via submit; MX hosts take mail without it")
		}
	case RouteSubmit:
		if o.Relay == "" {
			return errors.New("--via submit needs --relay HOST:PORT")
		}
		if _, _, err := net.SplitHostPort(o.Relay); err != nil {
			return fmt.Errorf("relay %q: %w", o.Relay, err)
		}
		if o.TLS == "" {
			o.TLS = TLSStartTLS
			if _, port, _ := net.SplitHostPort(o.Relay); port == "465" {
				o.TLS = TLSImplicit
			}
		}
		if o.TLS == TLSNone && o.Auth != nil && !isLoopbackHost(o.Relay) {
			return errors.New("refusing to send credentials without TLS to a non-loopback relay")
		}
	default:
		return fmt.Errorf("unknown route %q (use direct or submit)", o.Route)
	}
	switch o.TLS {
	case TLSOpportunistic, TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return fmt.Errorf("unknown TLS mode %q", o.TLS)
	}
	if o.Windows != nil {
		if err := o.Windows.Validate(); err != nil {
			return fmt.Errorf("windows: %w", err)
		}
	}
	return nil
}

// VERPAddress puts the token into the local part: local+mxp-TOKEN@domain
// (variable envelope return path; bounces come back to an address that
// names the probe).
func VERPAddress(from, token string) string {
	at := strings.LastIndexByte(from, '@')
	local := from[:at]
	if strings.HasSuffix(local, `"`) && len(local) > 1 {
		// A quoted local part (RFC 5321 §4.1.2) takes the tag inside.
		return local[:len(local)-1] + "+mxp-" + token + `"` + from[at:]
	}
	return local + "+mxp-" + token + from[at:]
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
	tr      *smtpconn.Transcript
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

// refused records a reply that decided the attempt at stage: 4xx deferred,
// 5xx rejected, anything else a failure (RFC 5321 §4.2.1).
func (s *session) refused(stage string, rep *smtpconn.Reply) {
	p := s.p
	s.err = rep.SMTPError()
	p.Stage = stage
	p.Code = rep.Code
	p.Enhanced = rep.EnhancedCode
	p.Reply = rep.Wire()
	s.decisive = p.Reply
	switch rep.Class() {
	case 4:
		p.Outcome = OutcomeDeferred
	case 5:
		p.Outcome = OutcomeRejected
	default:
		p.Outcome = OutcomeFailed
	}
	p.Error = ""
	if p.Outcome == OutcomeFailed {
		p.Error = "unexpected reply " + strconv.Itoa(rep.Code)
	}
}

// fail records an attempt that no reply decided (connection, TLS, protocol).
func (s *session) fail(stage string, err error) {
	s.err = err
	p := s.p
	p.Stage = stage
	p.Reply, p.Code, p.Enhanced = "", 0, ""
	p.Outcome = OutcomeFailed
	p.Error = strings.TrimPrefix(err.Error(), "smtpconn: ")
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		if !strings.Contains(p.Error, "timeout") {
			p.Error = "timeout: " + p.Error
		}
	}
}

// tlsOptions: opportunistic TLS accepts any certificate and records its
// judgement (RFC 7435; what MTAs do toward MX hosts); the strict modes
// verify it against RootCAs and the target's name (RFC 3207, RFC 8314).
func (s *session) tlsOptions() smtpconn.TLSOptions {
	o := smtpconn.TLSOptions{Host: s.t.host, Inspect: smtpconn.InspectOptions{Roots: s.o.RootCAs}}
	if s.o.TLS != TLSOpportunistic {
		o.Config = &tls.Config{ServerName: s.t.host, RootCAs: s.o.RootCAs, MinVersion: tls.VersionTLS12}
	}
	return o
}

// attempt runs one connection. retry: try the next target; tlsFailed: the
// STARTTLS handshake failed (opportunistic mode may retry in plaintext).
func (s *session) attempt(ctx context.Context, noTLS bool) (retry, tlsFailed bool) {
	o, p := s.o, s.p
	s.tr = smtpconn.NewTranscript(o.Now, 0)
	s.err, s.decisive = nil, ""
	defer func() {
		p.Transcript = s.tr.Lines()
		p.Attempts = append(p.Attempts, Attempt{Host: s.t.host, IP: p.MXIP, Port: s.t.port, Error: s.errText(), Reply: s.decisive})
	}()
	p.MXHost, p.MXIP, p.Port = s.t.host, s.t.ip, s.t.port
	to := smtpconn.Timeouts{Connect: 30 * time.Second, Banner: o.CommandTimeout, Command: o.CommandTimeout}
	c, err := smtpconn.Dial(ctx, s.t.addr, smtpconn.Config{Timeouts: to, Transcript: s.tr, Dial: o.Dial})
	if err != nil {
		s.fail("connect", err)
		return true, false
	}
	defer c.Close()
	if p.MXIP == "" && c.Remote.IsValid() {
		p.MXIP = c.Remote.Addr().Unmap().String()
	}
	p.ConnectedAt = o.Now()
	if o.TLS == TLSImplicit {
		if err := c.Handshake(s.tlsOptions()); err != nil {
			s.fail("tls", err)
			return true, false
		}
		c.TLS.Implicit = true
		p.TLS = c.TLS
	}
	ext, retry, ok := s.greet(c)
	if !ok {
		return retry, false
	}
	wantTLS := !noTLS && (o.TLS == TLSOpportunistic || o.TLS == TLSStartTLS)
	if wantTLS && ext.STARTTLS {
		if ext, ok = s.startTLS(c); !ok {
			// Opportunistic TLS retries in plaintext (see run).
			return false, o.TLS == TLSOpportunistic
		}
	} else if wantTLS && o.TLS == TLSStartTLS {
		s.fail("starttls", errors.New("the server does not offer STARTTLS, which --tls starttls requires"))
		return false, false
	}
	if o.Auth != nil && !s.auth(c, ext) {
		return false, false
	}
	if s.transaction(c, ext) {
		// Politeness: QUIT, but never wait long for it.
		_, _ = c.Quit(5 * time.Second)
	}
	return false, false
}

// greet reads the greeting and says EHLO (HELO after a 5xx). Without a
// greeting or a usable EHLO/HELO answer this host will not talk: retry.
func (s *session) greet(c *smtpconn.Conn) (ext *smtpconn.Extensions, retry, ok bool) {
	rep, err := c.Greeting()
	if err != nil {
		s.fail("greeting", err)
		return nil, true, false
	}
	s.p.Banner = rep.Wire()
	if rep.Code != 220 {
		// RFC 5321 §4.3.1: 554 or 421 instead of 220.
		s.refused("greeting", rep)
		return nil, true, false
	}
	helo := s.o.HelloName
	if helo == "" {
		helo = smtpconn.DefaultHELO(c.Local.Addr())
	}
	h, err := c.Hello(helo, true)
	if err != nil {
		s.fail("ehlo", err)
		return nil, true, false
	}
	if !h.OK() {
		s.refused("ehlo", h.Final())
		return nil, true, false
	}
	return h.Ext, false, true
}

// startTLS upgrades the session (RFC 3207) and says EHLO again: §4.2
// forgets what was learnt before TLS.
func (s *session) startTLS(c *smtpconn.Conn) (*smtpconn.Extensions, bool) {
	rep, err := c.StartTLS(s.tlsOptions())
	switch {
	case err != nil:
		if rep != nil && rep.Code == 220 {
			err = fmt.Errorf("TLS handshake: %w", err)
		}
		s.fail("starttls", err)
		return nil, false
	case rep.Code != 220:
		s.refused("starttls", rep)
		return nil, false
	}
	s.p.TLS = c.TLS
	helo := s.o.HelloName
	if helo == "" {
		helo = smtpconn.DefaultHELO(c.Local.Addr())
	}
	h, err := c.Hello(helo, false)
	if err != nil {
		s.fail("ehlo", err)
		return nil, false
	}
	if !h.OK() {
		s.refused("ehlo", h.Final())
		return nil, false
	}
	return h.Ext, true
}

// auth logs in with PLAIN, else LOGIN (RFC 4954). A refused login is a
// local problem, not the receiver's verdict: the outcome is failed, with
// the server's reply kept verbatim.
func (s *session) auth(c *smtpconn.Conn, ext *smtpconn.Extensions) bool {
	o, p := s.o, s.p
	var a sasl.Client
	switch {
	case ext.SupportsAuth("PLAIN"):
		a = sasl.NewPlainClient("", o.Auth.User, o.Auth.Password)
	case ext.SupportsAuth("LOGIN"):
		a = sasl.NewLoginClient(o.Auth.User, o.Auth.Password)
	default:
		s.fail("auth", errors.New("the server offers neither AUTH PLAIN nor AUTH LOGIN"))
		return false
	}
	rep, err := c.Auth(a)
	switch {
	case err != nil:
		s.fail("auth", err)
		return false
	case rep.Code == 235:
		return true
	}
	s.refused("auth", rep)
	p.Error = "authentication failed: " + oneLineReply(p.Reply)
	p.Outcome = OutcomeFailed
	return false
}

// transaction sends MAIL and RCPT (one pipelined group when the server
// offers PIPELINING, RFC 2920 §3.1) and DATA. It reports whether the
// connection is still fit for QUIT.
func (s *session) transaction(c *smtpconn.Conn, ext *smtpconn.Extensions) bool {
	p := s.p
	p.DSNOffered = ext.DSN
	mail, rcpt := "MAIL FROM:<"+s.envFrom+">", "RCPT TO:<"+p.To+">"
	if ext.SizeAdvertised {
		mail += " SIZE=" + strconv.Itoa(len(s.msg.Bytes)) // RFC 1870 §6
	}
	if ext.DSN {
		// RFC 3461 §4.3-4.4 (RET, ENVID on MAIL) and §4.1-4.2 (NOTIFY,
		// ORCPT on RCPT), only when the server offers DSN.
		mail += " RET=HDRS ENVID=" + smtpconn.XText(p.Token)
		rcpt += " NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;" + smtpconn.XText(p.To)
	}
	var mrep, rrep *smtpconn.Reply
	var err error
	if ext.PIPELINING {
		var sent time.Time
		if sent, err = c.Send(mail, rcpt); err == nil {
			if mrep, err = c.ReadReply("MAIL", sent, c.Timeouts().Command); err == nil {
				rrep, err = c.ReadReply("RCPT", sent, c.Timeouts().Command)
			}
		}
	} else if mrep, err = c.Cmd("MAIL", mail); err == nil && mrep.Class() == 2 {
		rrep, err = c.Cmd("RCPT", rcpt)
	}
	switch {
	case mrep != nil && mrep.Class() != 2:
		s.refused("mail", mrep)
		return err == nil
	case err != nil && mrep == nil:
		s.fail("mail", err)
		return false
	case err != nil && rrep == nil:
		s.fail("rcpt", err)
		return false
	case rrep.Class() != 2:
		s.refused("rcpt", rrep)
		return true
	}
	return s.data(c)
}

// data sends the message and records the final reply verbatim.
func (s *session) data(c *smtpconn.Conn) bool {
	p := s.p
	start, end, err := c.Data(s.msg.Bytes)
	switch {
	case err != nil && end == nil && (start == nil || start.Code != 354):
		s.fail("data", err)
		return false
	case start.Code != 354:
		s.refused("data", start)
		return true
	case err != nil:
		s.fail("dot", err)
		return false
	case end.Class() != 2:
		s.refused("dot", end)
		return true
	}
	// 250, and 251/252 and other 2xx, are acceptance.
	p.Outcome, p.Stage, p.Error = OutcomeAccepted, "dot", ""
	p.Reply = end.Wire()
	s.decisive = p.Reply
	p.Code, p.Enhanced = end.Code, end.EnhancedCode
	a := ParseAcceptanceFor(p.Reply, p.MessageID, p.To)
	p.Acceptance = &a
	return true
}

// scrubProbe removes any secret that a server might have echoed from every
// recorded string.
func scrubProbe(p *Probe, secrets []string) {
	if len(secrets) == 0 {
		return
	}
	sc := func(s string) string { return smtpconn.Scrub(s, secrets) }
	p.Reply, p.Error, p.Banner = sc(p.Reply), sc(p.Error), sc(p.Banner)
	for i := range p.Transcript {
		p.Transcript[i].Text = sc(p.Transcript[i].Text)
	}
	for i := range p.Attempts {
		p.Attempts[i].Error, p.Attempts[i].Reply = sc(p.Attempts[i].Error), sc(p.Attempts[i].Reply)
	}
}
