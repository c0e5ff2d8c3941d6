// Package mxdialog holds check's live SMTP dialogue with one MX address
// (not to be confused with delivery.Probe, a sent test message): banner,
// EHLO (HELO fallback), STARTTLS with certificate checks, MAIL FROM, one
// RCPT TO, RSET, QUIT — never DATA. Every read is bounded in time and size;
// a hostile or broken peer yields a classified error, never a hang or a
// panic. Run always returns a Result, also when it failed: a diagnostic
// tool must not lose what it saw before the failure.
//
// The connection, the reply reader, STARTTLS and the transcript are
// internal/smtpconn's, shared with probe send (docs/architecture.md, "SMTP
// layer"). This package holds the dialogue's policy: what to send, when to
// stop, and what the answers mean (Result, Findings).
package mxdialog

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/mailaddr"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/smtpconn"
)

// Timeouts per phase; zero fields take smtpconn's defaults.
type Timeouts = smtpconn.Timeouts

// Limits bound what a peer can make us read (smtpconn.Limits).
type Limits = smtpconn.Limits

// The types of the wire, shared with probe send (internal/smtpconn).
type (
	Reply      = smtpconn.Reply
	TLSInfo    = smtpconn.TLSInfo
	Extensions = smtpconn.Extensions
)

// Options of one probe.
type Options struct {
	// Host is the MX name: SNI and the name the certificate must match.
	// May be empty (then no SNI is sent and no name is checked).
	Host string
	// Addr is the address to dial, e.g. 192.0.2.25:25.
	Addr netip.AddrPort
	// HELO is the name to introduce ourselves with (RFC 5321 §4.1.1.1). It
	// must be a host name or address literal; empty means the system host
	// name when it is fully qualified, else the local address as a literal
	// — never "localhost".
	HELO string
	// MailFrom is the reverse path; "" is the null sender <>.
	MailFrom string
	// RcptTo is the recipient. With AcceptAllTest only its domain is used.
	RcptTo string
	// AcceptAllTest probes a random, certainly nonexistent local part at
	// RcptTo's domain instead of RcptTo: a 2xx then means the server accepts
	// every recipient at RCPT time.
	AcceptAllTest bool

	Timeouts Timeouts
	Limits   Limits

	// RootCAs verifies the server certificate; nil means the system roots.
	RootCAs *x509.CertPool
	// TLSA records of _25._tcp.<Host> for DANE (RFC 7672), if any. Pass
	// only records from a DNSSEC-authenticated answer (dane.Result.Usable);
	// the match result lands in Result.TLS.DANE.
	TLSA []resolver.TLSA
	// NoSTARTTLS skips STARTTLS even when offered.
	NoSTARTTLS bool
	// NoPipelining sends every command in lock-step even when the server
	// offers PIPELINING (RFC 2920).
	NoPipelining bool
}

// Result kinds.
const (
	KindRcpt          = "rcpt"
	KindAcceptAllTest = "accept_all_test"
)

// Result of one probe. All fields are facts as seen on the wire; findings
// are derived by Findings.
type Result struct {
	// Kind is "rcpt" or "accept_all_test".
	Kind    string `json:"kind"`
	Host    string `json:"host,omitempty"`
	Address string `json:"address"`
	// HELO, MailFrom and RcptTo are what was (or would have been) sent;
	// domains are in A-label form.
	HELO     string `json:"helo"`
	MailFrom string `json:"mail_from"`
	RcptTo   string `json:"rcpt_to"`

	StartedAt time.Time `json:"started_at"`
	// LocalAddr is our socket address for this connection.
	LocalAddr string `json:"local_addr,omitempty"`
	// ConnectMS is the TCP connect time.
	ConnectMS float64 `json:"connect_ms"`

	Banner *Banner `json:"banner,omitempty"`
	// BannerHost and EHLOHost are the names the server claims first in its
	// banner and in its (first) EHLO/HELO reply.
	BannerHost string `json:"banner_host,omitempty"`
	EHLOHost   string `json:"ehlo_host,omitempty"`
	// ClientIP is our address as the server sees it: echoed in its greeting
	// (ClientIPSource "ehlo" or "banner"), else our socket address
	// ("socket"), which may differ behind NAT.
	ClientIP       string `json:"client_ip,omitempty"`
	ClientIPSource string `json:"client_ip_source,omitempty"`

	// HELOFallback: EHLO was refused with 5xx and HELO was used.
	HELOFallback bool `json:"helo_fallback,omitempty"`
	// Extensions of the last EHLO reply (inside TLS when STARTTLS ran);
	// Extensions.STARTTLS tells whether the plaintext EHLO offered it.
	Extensions *Extensions `json:"extensions,omitempty"`
	TLS        *TLSInfo    `json:"tls,omitempty"`

	// SMTPUTF8Required: a local part is not ASCII (RFC 6531 §3.3).
	// SMTPUTF8Used: MAIL FROM carried the SMTPUTF8 parameter.
	SMTPUTF8Required bool `json:"smtputf8_required,omitempty"`
	SMTPUTF8Used     bool `json:"smtputf8_used,omitempty"`

	// Replies lists every reply in order.
	Replies []Reply `json:"replies"`
	// Rcpt is the reply to RCPT TO, when one was received after an
	// accepted MAIL FROM; RcptAtMS is when it was complete, counted from
	// the start of the probe (the dialogue's critical path up to RCPT).
	Rcpt     *Reply  `json:"rcpt,omitempty"`
	RcptAtMS float64 `json:"rcpt_at_ms,omitempty"`

	// Anomalies are tolerated deviations from RFC 5321 (bare LF, control or
	// 8-bit bytes in replies, no reply to QUIT …).
	Anomalies []string `json:"anomalies,omitempty"`

	Transcript          []smtpconn.Line `json:"transcript"`
	TranscriptTruncated bool            `json:"transcript_truncated,omitempty"`

	// Phase is "done" after a complete dialogue, else the phase where the
	// probe stopped.
	Phase Phase `json:"phase"`
	// Error says why the probe stopped early (nil when Phase is "done").
	Error *Error `json:"error,omitempty"`
	// DurationMS is the wall time of the whole probe.
	DurationMS float64 `json:"duration_ms"`

	// anomalyTexts are the Anomalies in both languages (for the finding's
	// detail); a Result decoded from JSON has none and falls back to
	// anomalyText.
	anomalyTexts []i18n.Text
}

// Banner is the server's greeting (RFC 5321 §4.3.1: 220, or 554/421).
type Banner struct {
	Code         int    `json:"code"`
	EnhancedCode string `json:"enhanced_code,omitempty"`
	Text         string `json:"text"`
	// DelayMS is the time from the TCP connect to the complete greeting.
	DelayMS float64 `json:"delay_ms"`
}

// Rcpt outcome words.
const (
	RcptAccepted = "accepted"
	RcptDeferred = "deferred"
	RcptRejected = "rejected"
)

// RcptOutcome is "accepted", "deferred", "rejected", or "" when no RCPT
// reply was received.
func (r *Result) RcptOutcome() string {
	if r == nil || r.Rcpt == nil {
		return ""
	}
	switch r.Rcpt.Class() {
	case 2:
		return RcptAccepted
	case 4:
		return RcptDeferred
	}
	return RcptRejected
}

// Failed reports whether the probe stopped before the RCPT reply.
func (r *Result) Failed() bool { return r.Error != nil && r.Rcpt == nil }

// Unsuccessful returns the replies the caller should explain: every 4xx
// and 5xx reply (banner included), in order.
//
// A RCPT reply after a refused MAIL FROM is left out: in a pipelined group
// (RFC 2920 §3.1) the server answers the RCPT too, with a follow-up error
// ("503/502 … need MAIL command") that says nothing of its own.
func (r *Result) Unsuccessful() []Reply {
	var out []Reply
	mailRefused := false
	for _, rep := range r.Replies {
		if rep.Command == "RCPT" && mailRefused {
			continue
		}
		if rep.Command == "MAIL" && rep.Code >= 400 {
			mailRefused = true
		}
		if rep.Code >= 400 {
			out = append(out, rep)
		}
	}
	return out
}

// Refused reports whether the server answered MAIL FROM or RCPT TO with a
// 4xx/5xx: it has decided about the message, so a sender would not try the
// next MX for the same reason (RFC 5321 §5.1 moves on only without an answer).
func (r *Result) Refused() bool {
	for _, rep := range r.Replies {
		if (rep.Command == "MAIL" || rep.Command == "RCPT") && rep.Code >= 400 && rep.Code != 421 {
			return true
		}
	}
	return false
}

func (r *Result) addAnomaly(what i18n.Text) {
	if len(r.Anomalies) >= 32 || slices.Contains(r.Anomalies, what.EN) {
		return
	}
	r.Anomalies = append(r.Anomalies, what.EN)
	r.anomalyTexts = append(r.anomalyTexts, what)
}

// Run runs one SMTP dialogue and always returns a Result. It ends by the
// context's deadline at the latest: a cancelled context closes the
// connection at once.
func Run(ctx context.Context, o Options) *Result {
	start := time.Now()
	p := &prober{
		ctx: ctx,
		o:   o,
		to:  o.Timeouts.WithDefaults(),
		lim: o.Limits,
		res: &Result{
			Kind:      KindRcpt,
			Host:      strings.TrimSuffix(o.Host, "."),
			Address:   o.Addr.String(),
			StartedAt: start,
			Replies:   []Reply{},
			Phase:     PhaseConnect,
		},
	}
	p.tr = smtpconn.NewTranscript(nil, o.Limits.MaxTranscriptBytes)
	if o.AcceptAllTest {
		p.res.Kind = KindAcceptAllTest
	}
	p.run()
	p.res.Transcript = p.tr.Lines()
	p.res.TranscriptTruncated = p.tr.Truncated()
	p.res.DurationMS = ms(time.Since(start))
	return p.res
}

type prober struct {
	ctx context.Context
	o   Options
	to  Timeouts
	lim Limits
	res *Result
	tr  *smtpconn.Transcript
	c   *smtpconn.Conn
	ext *Extensions
}

func (p *prober) run() {
	if err := p.prepare(); err != nil {
		p.res.Error = &Error{Class: ClassInvalid, Phase: PhaseConnect, Detail: err.Error(), err: err}
		p.tr.Add(DirEvent, "error: "+string(ClassInvalid)+": "+err.Error())
		return
	}
	if !p.connect() {
		return
	}
	defer p.c.Close()

	if !p.banner() || !p.hello(PhaseEHLO) {
		return
	}
	if p.ext.STARTTLS && !p.o.NoSTARTTLS {
		ok, usable := p.startTLS()
		if !usable {
			return
		}
		if ok && !p.hello(PhaseEHLOTLS) {
			return
		}
	}
	if !p.transaction() {
		return
	}
	p.res.Phase = PhaseDone
}

// prepare validates the options and fills HELO, MailFrom and RcptTo.
func (p *prober) prepare() error {
	o, res := p.o, p.res
	if !o.Addr.IsValid() || o.Addr.Port() == 0 {
		return fmt.Errorf("invalid address %q", o.Addr)
	}
	if o.HELO != "" {
		if err := smtpconn.CheckHELO(o.HELO); err != nil {
			return err
		}
		res.HELO = o.HELO
	}
	from, err := mailaddr.ParsePath(o.MailFrom)
	if err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	rcpt := o.RcptTo
	if o.AcceptAllTest {
		_, domain, ok := strings.Cut(rcpt, "@")
		if !ok || domain == "" {
			return errors.New("the accept-all test needs a recipient domain")
		}
		rcpt = randomLocalPart() + "@" + domain
	}
	to, err := mailaddr.Parse(rcpt)
	if err != nil {
		return fmt.Errorf("RCPT TO: %w", err)
	}
	res.MailFrom, res.RcptTo = from.String(), to.String()
	res.SMTPUTF8Required = from.NeedsSMTPUTF8() || to.NeedsSMTPUTF8()
	return nil
}

// randomLocalPart is a local part no real mailbox has: 64 random bits.
func randomLocalPart() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "mxprobe-nx-" + hex.EncodeToString(b)
}

func (p *prober) connect() bool {
	t0 := time.Now()
	c, err := smtpconn.Dial(p.ctx, p.o.Addr.String(), smtpconn.Config{
		Timeouts: p.to, Limits: p.lim, Transcript: p.tr, Anomaly: p.res.addAnomaly,
	})
	p.res.ConnectMS = ms(time.Since(t0))
	if err != nil {
		p.fail(PhaseConnect, err)
		return false
	}
	p.c = c
	p.res.ConnectMS = ms(c.ConnectDuration)
	p.res.LocalAddr = c.Local.String()
	p.res.ClientIP, p.res.ClientIPSource = c.Local.Addr().Unmap().String(), "socket"
	if p.res.HELO == "" {
		p.res.HELO = smtpconn.DefaultHELO(c.Local.Addr())
	}
	return true
}

// read reads one reply to cmd, sent at sent, within timeout.
func (p *prober) read(phase Phase, cmd string, sent time.Time, timeout time.Duration) (*Reply, bool) {
	rep, err := p.c.ReadReply(cmd, sent, timeout)
	if err != nil {
		p.fail(phase, err)
		return nil, false
	}
	p.res.Replies = append(p.res.Replies, *rep)
	return rep, true
}

// send writes command lines in one write (one line, or a pipelined group).
func (p *prober) send(phase Phase, lines ...string) (time.Time, bool) {
	now, err := p.c.Send(lines...)
	if err != nil {
		p.fail(phase, err)
		return now, false
	}
	return now, true
}

func (p *prober) command(phase Phase, cmd, line string) (*Reply, bool) {
	p.res.Phase = phase
	sent, ok := p.send(phase, line)
	if !ok {
		return nil, false
	}
	return p.read(phase, cmd, sent, p.to.Command)
}

func (p *prober) banner() bool {
	p.res.Phase = PhaseBanner
	// RFC 5321 §4.3.1: the greeting is 220, or 554 (no service), or 421.
	rep, ok := p.read(PhaseBanner, "banner", p.c.Connected, p.to.Banner)
	if !ok {
		return false
	}
	p.res.Banner = &Banner{Code: rep.Code, EnhancedCode: rep.EnhancedCode, Text: rep.Text, DelayMS: rep.ElapsedMS}
	p.res.BannerHost = smtpconn.GreetingHost(rep.Text)
	if smtpconn.RevealsClient(rep.Text) {
		p.clientIP(rep.Text, "banner")
	}
	if rep.Code == 220 {
		return true
	}
	p.reject(PhaseBanner, rep)
	if rep.Class() == 5 {
		// RFC 5321 §3.1: after a 554 greeting the server waits for QUIT.
		p.quit()
	}
	return false
}

func (p *prober) clientIP(text, source string) {
	if a, ok := smtpconn.ClientIPFromGreeting(text); ok {
		p.res.ClientIP, p.res.ClientIPSource = a.String(), source
	}
}

// hello sends EHLO, falling back to HELO when EHLO is refused with 5xx
// (RFC 5321 §4.1.4, §3.2: a server that does not know EHLO answers 500/502;
// other 5xx are worth a HELO too).
func (p *prober) hello(phase Phase) bool {
	rep, ok := p.command(phase, "EHLO", "EHLO "+p.res.HELO)
	if !ok {
		return false
	}
	first := phase == PhaseEHLO
	switch {
	case rep.Code == 250:
		offeredTLS := p.ext != nil && p.ext.STARTTLS
		p.ext = smtpconn.ParseExtensions(rep.Text)
		if !first {
			p.ext.STARTTLS = offeredTLS
		}
		p.res.Extensions = p.ext
	case rep.Class() == 5 && first:
		hrep, ok := p.command(PhaseHELO, "HELO", "HELO "+p.res.HELO)
		if !ok {
			return false
		}
		if hrep.Code != 250 {
			p.reject(PhaseHELO, hrep)
			p.politeQuit(hrep)
			return false
		}
		rep = hrep
		p.res.HELOFallback = true
		p.ext = &Extensions{Keywords: []string{}}
		p.res.Extensions = p.ext
	case rep.Class() < 4:
		// RFC 5321 §4.3.2: EHLO succeeds with 250 only.
		p.fail(phase, &smtpconn.ProtocolError{Err: smtpconn.ErrUnexpected, Line: rep.Line()})
		p.quit()
		return false
	default:
		p.reject(phase, rep)
		p.politeQuit(rep)
		return false
	}
	if first {
		p.res.EHLOHost = smtpconn.GreetingHost(rep.Text)
		p.clientIP(firstLine(rep.Text), "ehlo")
	}
	return true
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// startTLS runs STARTTLS (RFC 3207). ok: TLS is up. usable: the connection
// can go on (in plaintext after a 454, say).
func (p *prober) startTLS() (ok, usable bool) {
	p.res.Phase = PhaseSTARTTLS
	rep, err := p.c.StartTLS(smtpconn.TLSOptions{
		Host:    p.res.Host,
		Inspect: smtpconn.InspectOptions{Roots: p.o.RootCAs, TLSA: p.o.TLSA},
	})
	if rep == nil {
		p.fail(PhaseSTARTTLS, err)
		return false, false
	}
	p.res.Replies = append(p.res.Replies, *rep)
	if rep.Code != 220 {
		// RFC 3207 §4: 454 "TLS not available"; the client may go on in
		// plaintext, as sending MTAs do.
		p.res.TLS = p.c.TLS
		if rep.Code == 421 {
			p.reject(PhaseSTARTTLS, rep)
			return false, false
		}
		return false, true
	}
	p.res.Phase = PhaseTLS
	if err != nil {
		p.fail(PhaseTLS, err)
		p.res.Error.Class = ClassTLS
		p.res.TLS = &TLSInfo{Error: p.res.Error.Detail}
		return false, false
	}
	p.res.TLS = p.c.TLS
	return true, true
}

// transaction runs MAIL FROM and RCPT TO, then RSET and QUIT. Never DATA.
func (p *prober) transaction() bool {
	res := p.res
	if res.SMTPUTF8Required {
		if !p.ext.SMTPUTF8 {
			// RFC 6531 §3.2: without the extension a non-ASCII address must
			// not be sent at all.
			res.Phase = PhaseMAIL
			p.fail(PhaseMAIL, errors.New("the address needs SMTPUTF8 (RFC 6531), which the server does not offer"))
			res.Error.Class = ClassSMTPUTF8
			p.quit()
			return false
		}
		res.SMTPUTF8Used = true
	}
	mail := "MAIL FROM:<" + res.MailFrom + ">"
	if res.SMTPUTF8Used {
		mail += " SMTPUTF8" // RFC 6531 §3.4
	}
	rcpt := "RCPT TO:<" + res.RcptTo + ">"
	pipeline := p.ext.PIPELINING && !p.o.NoPipelining

	var mrep, rrep *Reply
	var ok bool
	res.Phase = PhaseMAIL
	if pipeline {
		// RFC 2920 §3.1: MAIL and RCPT may be sent as one group.
		sent, sok := p.send(PhaseMAIL, mail, rcpt)
		if !sok {
			return false
		}
		if mrep, ok = p.read(PhaseMAIL, "MAIL", sent, p.to.Command); !ok {
			return false
		}
		res.Phase = PhaseRCPT
		rrep, ok = p.read(PhaseRCPT, "RCPT", sent, p.to.Command)
		if mrep.Class() != 2 {
			res.Phase = PhaseMAIL
			res.Error = nil // a failed RCPT read matters less than the MAIL reply
			p.mailRefused(mrep)
			return false
		}
		if !ok {
			return false
		}
	} else {
		if mrep, ok = p.command(PhaseMAIL, "MAIL", mail); !ok {
			return false
		}
		if mrep.Class() != 2 {
			p.mailRefused(mrep)
			return false
		}
		if rrep, ok = p.command(PhaseRCPT, "RCPT", rcpt); !ok {
			return false
		}
	}
	if rrep.Class() == 3 {
		p.fail(PhaseRCPT, &smtpconn.ProtocolError{Err: smtpconn.ErrUnexpected, Line: rrep.Line()})
		return false
	}
	r := *rrep
	res.Rcpt = &r
	res.RcptAtMS = ms(time.Since(res.StartedAt))
	if rrep.Code == 421 {
		p.reject(PhaseRCPT, rrep)
		return false
	}
	p.finish(pipeline)
	return true
}

// mailRefused stops after a non-2xx reply to MAIL FROM: 4xx/5xx is a
// refusal, 3xx a protocol error (RFC 5321 §4.3.2: MAIL succeeds with 250).
func (p *prober) mailRefused(rep *Reply) {
	if rep.Class() == 3 {
		p.fail(PhaseMAIL, &smtpconn.ProtocolError{Err: smtpconn.ErrUnexpected, Line: rep.Line()})
		p.quit()
		return
	}
	p.reject(PhaseMAIL, rep)
	p.politeQuit(rep)
}

// finish sends RSET and QUIT; their failures are anomalies, not errors:
// the RCPT answer is already in.
func (p *prober) finish(pipeline bool) {
	p.res.Phase = PhaseRSET
	if pipeline {
		// RFC 2920 §3.1: QUIT may end a pipelined group.
		sent, ok := p.send(PhaseRSET, "RSET", "QUIT")
		if !ok {
			p.res.Error = nil
			p.res.addAnomaly(anomalyLostBeforeRSET)
			return
		}
		if _, ok := p.readQuietly(PhaseRSET, "RSET", sent); ok {
			p.readQuietly(PhaseQUIT, "QUIT", sent)
		}
		return
	}
	sent, ok := p.send(PhaseRSET, "RSET")
	if ok {
		_, ok = p.readQuietly(PhaseRSET, "RSET", sent)
	}
	if ok {
		p.quit()
	}
}

func (p *prober) readQuietly(phase Phase, cmd string, sent time.Time) (*Reply, bool) {
	rep, ok := p.read(phase, cmd, sent, p.to.Command)
	if !ok {
		w := errorWords(p.res.Error)
		p.res.addAnomaly(i18n.T("no reply to "+cmd+": "+p.res.Error.Detail, "keine Antwort auf "+cmd+": "+w.DE))
		p.res.Error = nil
		return nil, false
	}
	return rep, true
}

// quit sends QUIT and waits for its reply (RFC 5321 §3.8: the client
// SHOULD wait for it), without letting a failure count as an error.
func (p *prober) quit() {
	phase := p.res.Phase
	saved := p.res.Error
	p.res.Error = nil
	sent, ok := p.send(PhaseQUIT, "QUIT")
	if ok {
		p.readQuietly(PhaseQUIT, "QUIT", sent)
	} else {
		p.res.Error = nil
	}
	p.res.Error, p.res.Phase = saved, phase
}

// politeQuit quits unless the server already said it is closing (421).
func (p *prober) politeQuit(rep *Reply) {
	if rep.Code != 421 {
		p.quit()
	}
}

// reject records that the server refused to go on.
func (p *prober) reject(phase Phase, rep *Reply) {
	p.res.Phase = phase
	p.res.Error = &Error{Class: ClassRejected, Phase: phase, Detail: rep.Line()}
	p.tr.Add(DirEvent, "stopped: "+string(phase)+" refused")
}

func (p *prober) fail(phase Phase, err error) {
	if p.res.Error != nil {
		return
	}
	p.res.Phase = phase
	p.res.Error = classify(p.ctx, phase, err)
	p.tr.Add(DirEvent, "error: "+string(p.res.Error.Class)+": "+p.res.Error.Detail)
}
