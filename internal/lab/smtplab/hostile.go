package smtplab

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strings"
	"time"
)

// The raw server: just enough SMTP to reach the point where it misbehaves.
// go-smtp cannot produce broken replies, so these are written by hand.

// Bounds of the raw server, so that every loop ends.
const (
	rawMaxCommands   = 100
	rawMaxLine       = 4096
	rawEndlessBytes  = 64 << 20 // continuation lines stop after 64 MiB
	rawHugeLineBytes = 1 << 20
	rawDrainBytes    = 1 << 20
)

func (s *Server) serveRaw() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		rec := s.track(c)
		if rec == nil {
			_ = c.Close()
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.untrack(c, rec)
			defer c.Close()
			h := &rawConn{s: s, c: c, rec: rec, start: time.Now()}
			h.serve()
		}()
	}
}

type rawConn struct {
	s     *Server
	c     net.Conn
	rec   *Session
	start time.Time
	at    time.Time // arrival of the command being answered
}

// write sends b after the scripted reply latency.
func (h *rawConn) write(b []byte) error {
	if !h.s.sleep(time.Until(h.at.Add(h.s.sc.ReplyLatency)), nil) {
		return net.ErrClosed
	}
	_ = h.c.SetWriteDeadline(time.Now().Add(h.s.sc.idle()))
	_, err := h.c.Write(b)
	return err
}

func (h *rawConn) writeString(s string) error { return h.write([]byte(s)) }

// drain reads and discards until the client closes (bounded in bytes and
// time), so a misbehaviour stays visible until the client gives up.
func (h *rawConn) drain() {
	_ = h.c.SetReadDeadline(time.Now().Add(h.s.sc.idle()))
	_, _ = io.Copy(io.Discard, io.LimitReader(h.c, rawDrainBytes))
}

func (h *rawConn) serve() {
	sc := &h.s.sc
	at := sc.HostileAt
	if at == "" {
		at = StepEHLO
	}
	h.at = h.start.Add(sc.BannerDelay)
	switch sc.Hostile {
	case HostileBannerNever:
		h.drain()
		return
	}
	if at == StepBanner && h.misbehaves() {
		if !h.misbehave("220") {
			return
		}
		if sc.Hostile != Hostile8Bit {
			h.drain()
			return
		}
	} else if err := h.writeString("220 " + sc.hostname() + " ESMTP hostile lab\r\n"); err != nil {
		return
	}
	switch sc.Hostile {
	case HostileCloseAfterBanner:
		return
	case HostileNeverRead:
		<-h.s.done // the kernel buffers what the client sends
		return
	}
	br := bufio.NewReaderSize(h.c, rawMaxLine)
	for range rawMaxCommands {
		_ = h.c.SetReadDeadline(time.Now().Add(sc.idle()))
		line, err := br.ReadSlice('\n')
		if err != nil {
			return
		}
		h.at = time.Now()
		text := strings.TrimRight(string(line), "\r\n")
		h.s.addCommand(h.rec, text)
		verb, _, _ := strings.Cut(text, " ")
		var step Step
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			step = StepEHLO
		case "MAIL":
			step = StepMAIL
		case "RCPT":
			step = StepRCPT
		}
		if step != "" && step == at && h.misbehaves() {
			if !h.misbehave("250") {
				return
			}
			if sc.Hostile != Hostile8Bit {
				h.drain()
				return
			}
			continue
		}
		var reply string
		switch strings.ToUpper(verb) {
		case "EHLO":
			reply = "250-" + sc.hostname() + "\r\n250-PIPELINING\r\n"
			if h.tlsKind() {
				reply += "250-STARTTLS\r\n"
			}
			reply += "250 SIZE 10240000\r\n"
		case "HELO":
			reply = "250 " + sc.hostname() + "\r\n"
		case "STARTTLS":
			if !h.tlsKind() || sc.Hostile == HostileSTARTTLS454 {
				reply = "454 4.7.0 TLS not available due to local problem\r\n"
				break
			}
			if sc.Hostile == HostileSTARTTLSInjection {
				_ = h.writeString("220 2.0.0 Ready to start TLS\r\n250-injected\r\n250 before TLS\r\n")
				h.drain()
				return
			}
			if err := h.writeString("220 2.0.0 Ready to start TLS\r\n"); err != nil {
				return
			}
			h.brokenTLS(br)
			return
		case "MAIL":
			reply = "250 2.1.0 Sender OK\r\n"
		case "RCPT":
			reply = "250 2.1.5 Recipient OK\r\n"
		case "RSET", "NOOP":
			reply = "250 2.0.0 OK\r\n"
		case "DATA":
			reply = "554 5.5.1 No DATA in the hostile lab\r\n"
		case "QUIT":
			_ = h.writeString("221 2.0.0 Bye\r\n")
			return
		default:
			reply = "502 5.5.1 Command not implemented\r\n"
		}
		if err := h.writeString(reply); err != nil {
			return
		}
	}
}

func (h *rawConn) tlsKind() bool {
	k := h.s.sc.Hostile
	return k == HostileTLSHandshakeFail || k == HostileTLSGarbage || k == HostileSTARTTLSInjection || k == HostileSTARTTLS454
}

// misbehaves reports whether the kind acts at a Step (others act at connect
// or STARTTLS).
func (h *rawConn) misbehaves() bool {
	switch h.s.sc.Hostile {
	case HostileEndlessContinuation, HostileHugeLine, HostileGarbage, Hostile8Bit,
		HostileBadCode, HostileMismatchedMultiline, HostileResetMidReply:
		return true
	}
	return false
}

// misbehave writes the broken reply for code; it reports whether the
// connection is still usable.
func (h *rawConn) misbehave(code string) bool {
	switch h.s.sc.Hostile {
	case HostileEndlessContinuation:
		// RFC 5321 §4.2.1 puts no limit on continuation lines; a client must.
		chunk := bytes.Repeat([]byte(code+"-endless continuation line\r\n"), 2048)
		for sent := 0; sent < rawEndlessBytes; sent += len(chunk) {
			if h.write(chunk) != nil {
				return false
			}
			h.at = time.Time{} // latency only before the first line
		}
		return true
	case HostileHugeLine:
		b := make([]byte, 0, rawHugeLineBytes+8)
		b = append(b, code+" "...)
		b = append(b, bytes.Repeat([]byte{'x'}, rawHugeLineBytes)...)
		b = append(b, "\r\n"...)
		return h.write(b) == nil
	case HostileGarbage:
		return h.write([]byte(code+" ok \x00\xff\xfe\x80 garbage \x00\r\n")) == nil
	case Hostile8Bit:
		if code == "220" {
			return h.write([]byte("220 "+h.s.sc.hostname()+" ESMTP Gr\xfc\xdfe \xff\xfe\r\n")) == nil
		}
		return h.write([]byte(code+" 2.0.0 Gr\xfc\xdfe aus dem Labor \xff\r\n")) == nil
	case HostileBadCode:
		return h.write([]byte("999 unexpected reply code\r\n")) == nil
	case HostileMismatchedMultiline:
		other := "251"
		if code == "220" {
			other = "221"
		}
		return h.write([]byte(code+"-first line\r\n"+other+" second line with another code\r\n")) == nil
	case HostileResetMidReply:
		_ = h.write([]byte(code + "-partial reply that never ends"))
		if tc, ok := h.c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close sends RST instead of FIN
		}
		_ = h.c.Close()
		return false
	}
	return false
}

// brokenTLS answers the client's TLS ClientHello with a handshake_failure
// alert, or sends bytes that are not TLS at all.
func (h *rawConn) brokenTLS(br *bufio.Reader) {
	switch h.s.sc.Hostile {
	case HostileTLSHandshakeFail:
		// Read the ClientHello record (RFC 8446 §5.1: 5-byte header with
		// the length in bytes 3–4), then answer with a fatal alert
		// (RFC 8446 §6: level 2, description 40 handshake_failure).
		_ = h.c.SetReadDeadline(time.Now().Add(h.s.sc.idle()))
		hdr := make([]byte, 5)
		if _, err := io.ReadFull(br, hdr); err != nil {
			return
		}
		n := int(hdr[3])<<8 | int(hdr[4])
		if _, err := io.CopyN(io.Discard, br, int64(n)); err != nil {
			return
		}
		h.at = time.Now()
		_ = h.write([]byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28})
	case HostileTLSGarbage:
		h.at = time.Now()
		_ = h.write([]byte("this is not TLS at all\r\n\x00\x01\x02\xff garbage\r\n"))
		h.drain()
	}
}
