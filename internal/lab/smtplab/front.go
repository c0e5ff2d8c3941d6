package smtplab

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// frontListener wraps every accepted connection in a frontConn.
type frontListener struct {
	net.Listener
	s *Server
}

func (l *frontListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		fc := newFrontConn(c, l.s)
		if fc == nil { // closing
			_ = c.Close()
			continue
		}
		return fc, nil
	}
}

// Input modes of the front.
const (
	modeCommand = iota
	modeData    // DATA body until "."
	modeBDAT    // BDAT chunk of bdatLeft octets
)

// maxClientLine bounds one client line the front will buffer; go-smtp itself
// enforces 2000 octets on commands (RFC 5321 §4.5.3.1.4 allows 512).
const maxClientLine = 64 << 10

// frontConn is the scripted layer between the socket and go-smtp. go-smtp
// reads client lines from it and writes reply lines to it; the front
// records commands, performs STARTTLS (RFC 3207) itself, rewrites the
// banner and the EHLO/HELO reply, and adds latency per reply.
//
// go-smtp handles a connection in one goroutine, so Read and Write are never
// concurrent; Close may come from the server's goroutine.
type frontConn struct {
	raw net.Conn
	s   *Server
	rec *Session

	cur net.Conn // raw, or the *tls.Conn after STARTTLS
	br  *bufio.Reader

	pending   []byte // rest of a line handed to go-smtp in pieces
	mode      int
	bdatLeft  int64
	awaitData bool      // DATA sent, switch to modeData on the 354
	lastVerb  string    // verb of the command being answered
	lastArg   string    // its argument
	arrival   time.Time // when that command arrived
	lastFill  time.Time // time of the last socket read
	replyDue  bool      // the next line written starts a reply
	started   time.Time
	banner    bool // banner written
	tlsOn     bool
	greetBuf  []string        // EHLO reply lines collected until the last one
	rcptOK    *smtp.SMTPError // scripted 2xx for the RCPT being answered
	wbuf      []byte

	closeOnce sync.Once
	closed    chan struct{}
}

func newFrontConn(c net.Conn, s *Server) *frontConn {
	rec := s.track(c)
	if rec == nil {
		return nil
	}
	return &frontConn{
		raw:     c,
		s:       s,
		rec:     rec,
		cur:     c,
		br:      bufio.NewReaderSize(c, 4096),
		started: time.Now(),
		closed:  make(chan struct{}),
	}
}

func (fc *frontConn) Close() error {
	fc.closeOnce.Do(func() {
		close(fc.closed)
		fc.s.untrack(fc.raw, fc.rec)
	})
	return fc.raw.Close()
}

func (fc *frontConn) LocalAddr() net.Addr                { return fc.raw.LocalAddr() }
func (fc *frontConn) RemoteAddr() net.Addr               { return fc.raw.RemoteAddr() }
func (fc *frontConn) SetDeadline(t time.Time) error      { return fc.raw.SetDeadline(t) }
func (fc *frontConn) SetReadDeadline(t time.Time) error  { return fc.raw.SetReadDeadline(t) }
func (fc *frontConn) SetWriteDeadline(t time.Time) error { return fc.raw.SetWriteDeadline(t) }

// readLine reads one line (with its terminator) from the current transport
// and notes when it arrived: a line already buffered arrived with the
// previous socket read (pipelined commands, RFC 2920).
func (fc *frontConn) readLine() ([]byte, time.Time, error) {
	buffered := fc.br.Buffered()
	if buffered > 0 {
		if peek, _ := fc.br.Peek(buffered); bytes.IndexByte(peek, '\n') >= 0 {
			line, err := fc.br.ReadSlice('\n')
			return bytes.Clone(line), fc.lastFill, err
		}
	}
	var line []byte
	for {
		frag, err := fc.br.ReadSlice('\n')
		fc.lastFill = time.Now()
		line = append(line, frag...)
		if err == nil {
			return line, fc.lastFill, nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return nil, fc.lastFill, err
		}
		if len(line) > maxClientLine {
			return nil, fc.lastFill, errors.New("smtplab: client line too long")
		}
	}
}

func (fc *frontConn) Read(p []byte) (int, error) {
	if len(fc.pending) > 0 {
		n := copy(p, fc.pending)
		fc.pending = fc.pending[n:]
		return n, nil
	}
	switch fc.mode {
	case modeBDAT:
		if int64(len(p)) > fc.bdatLeft {
			p = p[:fc.bdatLeft]
		}
		n, err := fc.br.Read(p)
		fc.bdatLeft -= int64(n)
		if fc.bdatLeft <= 0 {
			fc.mode = modeCommand
		}
		return n, err
	case modeData:
		line, at, err := fc.readLine()
		if err != nil {
			return 0, err
		}
		if t := strings.TrimRight(string(line), "\r\n"); t == "." {
			// RFC 5321 §4.1.1.4: the end of mail data; its reply is due.
			fc.mode = modeCommand
			fc.lastVerb, fc.arrival, fc.replyDue = ".", at, true
		}
		return fc.hand(p, line), nil
	}
	for {
		line, at, err := fc.readLine()
		if err != nil {
			return 0, err
		}
		text := strings.TrimRight(string(line), "\r\n")
		fc.s.addCommand(fc.rec, text)
		verb, arg, _ := strings.Cut(text, " ")
		verb = strings.ToUpper(verb)
		fc.lastVerb, fc.lastArg, fc.arrival, fc.replyDue = verb, arg, at, true
		switch verb {
		case "STARTTLS":
			if fc.s.sc.TLSCert != nil && !fc.tlsOn && arg == "" {
				if err := fc.startTLS(); err != nil {
					return 0, err
				}
				continue // go-smtp never sees STARTTLS
			}
		case "EHLO":
			if fc.s.sc.NoEHLO {
				// RFC 5321 §4.1.4: a server without EHLO answers 500/502.
				if err := fc.writeReply([]string{"502 5.5.1 Command not implemented"}); err != nil {
					return 0, err
				}
				continue
			}
			fc.s.update(fc.rec, func(r *Session) { r.Helo = append(r.Helo, strings.TrimSpace(arg)) })
		case "DATA":
			fc.awaitData = true
		case "BDAT":
			// RFC 3030 §2: "BDAT <size> [LAST]", the chunk follows at once.
			if f := strings.Fields(arg); len(f) > 0 {
				if n, err := strconv.ParseInt(f[0], 10, 64); err == nil && n > 0 {
					fc.bdatLeft, fc.mode = n, modeBDAT
				}
			}
		case "HELO":
			fc.s.update(fc.rec, func(r *Session) { r.Helo = append(r.Helo, strings.TrimSpace(arg)) })
		}
		return fc.hand(p, line), nil
	}
}

// hand gives line to go-smtp, keeping what does not fit in p.
func (fc *frontConn) hand(p, line []byte) int {
	n := copy(p, line)
	fc.pending = line[n:]
	return n
}

// startTLS answers STARTTLS and performs the server side of the handshake.
// RFC 3207 §4.2: the server discards what it knew about the client; the
// client must send EHLO again, which makes go-smtp reset its session.
func (fc *frontConn) startTLS() error {
	if err := fc.writeReply([]string{"220 2.0.0 Ready to start TLS"}); err != nil {
		return err
	}
	// Anything the client pipelined behind STARTTLS is plaintext that must
	// not be taken as coming from inside TLS (STARTTLS command injection).
	if n := fc.br.Buffered(); n > 0 {
		_, _ = fc.br.Discard(n)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{*fc.s.sc.TLSCert}}
	tc := tls.Server(fc.raw, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), fc.s.sc.idle())
	defer cancel()
	go func() { // the handshake also ends with the server or the conn
		select {
		case <-fc.s.done:
		case <-fc.closed:
		case <-ctx.Done():
		}
		cancel()
	}()
	if err := tc.HandshakeContext(ctx); err != nil {
		return fmt.Errorf("smtplab: TLS handshake: %w", err)
	}
	fc.cur, fc.br, fc.tlsOn = tc, bufio.NewReaderSize(tc, 4096), true
	fc.s.update(fc.rec, func(r *Session) { r.TLS = true })
	return nil
}

func (fc *frontConn) Write(p []byte) (int, error) {
	fc.wbuf = append(fc.wbuf, p...)
	for {
		i := bytes.IndexByte(fc.wbuf, '\n')
		if i < 0 {
			break
		}
		line := strings.TrimRight(string(fc.wbuf[:i]), "\r")
		fc.wbuf = fc.wbuf[i+1:]
		if err := fc.emit(line); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// emit handles one reply line written by go-smtp.
func (fc *frontConn) emit(line string) error {
	sc := &fc.s.sc
	if !fc.banner {
		fc.banner = true
		// The banner leaves BannerDelay+ReplyLatency after the accept.
		return fc.writeAt(fc.started.Add(sc.BannerDelay+sc.ReplyLatency), []string{fc.bannerLine()})
	}
	code := ""
	if len(line) >= 3 {
		code = line[:3]
	}
	if (fc.lastVerb == "EHLO" || fc.lastVerb == "HELO") && code == "250" {
		fc.greetBuf = append(fc.greetBuf, line)
		if len(line) > 3 && line[3] == '-' {
			return nil // collect the whole EHLO reply first
		}
		lines := fc.greeting(fc.greetBuf)
		fc.greetBuf = nil
		return fc.writeReply(lines)
	}
	// go-smtp's own 2xx texts for MAIL and RCPT are replaced with the
	// enhanced codes real servers send (RFC 3463: 2.1.0 sender, 2.1.5
	// destination valid).
	if code == "250" && fc.lastVerb == "MAIL" {
		line = "250 2.1.0 Sender OK"
	}
	if code == "250" && fc.lastVerb == "RCPT" {
		line = "250 2.1.5 Recipient OK"
		if ok := fc.rcptOK; ok != nil {
			line = formatReply(ok)
		}
		fc.rcptOK = nil
	}
	if fc.awaitData && code != "" {
		fc.awaitData = false
		if code == "354" {
			fc.mode = modeData
		}
	}
	return fc.writeReply([]string{line})
}

// writeReply writes the lines of one reply. The first line of a reply leaves
// ReplyLatency after its command arrived.
func (fc *frontConn) writeReply(lines []string) error {
	var due time.Time
	if fc.replyDue {
		fc.replyDue = false
		due = fc.arrival.Add(fc.s.sc.ReplyLatency)
	}
	return fc.writeAt(due, lines)
}

func (fc *frontConn) writeAt(due time.Time, lines []string) error {
	if !due.IsZero() {
		if d := time.Until(due); d > 0 && !fc.s.sleep(d, fc.closed) {
			return net.ErrClosed
		}
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString("\r\n")
	}
	_, err := fc.cur.Write([]byte(b.String()))
	return err
}

func (fc *frontConn) bannerLine() string {
	sc := &fc.s.sc
	code := sc.BannerCode
	if code == 0 {
		code = 220
	}
	text := sc.Banner
	if text == "" {
		host := sc.hostname()
		switch sc.Style {
		case StyleMicrosoft:
			text = host + " Microsoft ESMTP MAIL Service ready at " + time.Now().UTC().Format(time.RFC1123Z)
		case StyleGoogle:
			text = host + " ESMTP " + randID(6) + ".lab - gsmtp"
		default:
			text = host + " ESMTP mxprobe lab"
		}
	}
	return fmt.Sprintf("%d %s", code, text)
}

// greeting rewrites go-smtp's EHLO/HELO reply: the first line becomes the
// scripted greeting (RFC 5321 §4.1.1.1: "250" SP Domain [SP ehlo-greet]);
// extension lines are filtered and added per scenario.
func (fc *frontConn) greeting(in []string) []string {
	sc := &fc.s.sc
	host := sc.hostname()
	ip := remoteIP(fc.rec.RemoteAddr)
	first := host
	switch sc.Style {
	case StyleMicrosoft:
		first = host + " Hello [" + ip + "]"
	case StyleGoogle:
		first = host + " at your service, [" + ip + "]"
	}
	if fc.lastVerb == "HELO" {
		return []string{"250 " + first}
	}
	exts := []string{}
	for _, l := range in[1:] {
		kw := l[4:]
		k, _, _ := strings.Cut(kw, " ")
		switch strings.ToUpper(k) {
		case "CHUNKING":
			if !sc.Chunking {
				continue
			}
		case "SIZE":
			if sc.NoSize {
				continue
			}
		case "REQUIRETLS", "STARTTLS":
			continue // the front decides these
		}
		exts = append(exts, kw)
	}
	if sc.TLSCert != nil && !fc.tlsOn {
		exts = append(exts, "STARTTLS")
	}
	if sc.RequireTLS && fc.tlsOn {
		exts = append(exts, "REQUIRETLS")
	}
	all := append([]string{first}, exts...)
	out := make([]string, len(all))
	for i, l := range all {
		sep := "-"
		if i == len(all)-1 {
			sep = " "
		}
		out[i] = "250" + sep + l
	}
	return out
}

func formatReply(e *smtp.SMTPError) string {
	if e.EnhancedCode == smtp.NoEnhancedCode || e.EnhancedCode == smtp.EnhancedCodeNotSet {
		return fmt.Sprintf("%d %s", e.Code, e.Message)
	}
	c := e.EnhancedCode
	return fmt.Sprintf("%d %d.%d.%d %s", e.Code, c[0], c[1], c[2], e.Message)
}

func randID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
