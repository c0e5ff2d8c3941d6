package smtpconn

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-smtp"

	"github.com/mxprobe/mxprobe/internal/i18n"
)

// Tolerated deviations from RFC 5321 in a peer's replies, reported to
// Config.Anomaly. The English text is what JSON output records.
var (
	AnomalyLongLine = i18n.T("reply line longer than 512 octets (RFC 5321 §4.5.3.1.5)",
		"Antwortzeile länger als 512 Oktette (RFC 5321 §4.5.3.1.5)")
	AnomalyBareLF  = i18n.T("reply line ended with a bare LF", "Antwortzeile endete mit einem LF ohne vorangehendes CR")
	AnomalyControl = i18n.T("control characters in reply text", "Steuerzeichen im Antworttext")
	AnomalyNotUTF8 = i18n.T("bytes that are not UTF-8 in reply text", "Bytes im Antworttext, die kein gültiges UTF-8 sind")
)

// Protocol errors of a peer's replies. They are wrapped in *ProtocolError;
// match them with errors.Is.
var (
	ErrLineTooLong    = errors.New("smtpconn: reply line too long")
	ErrTooManyLines   = errors.New("smtpconn: too many reply lines")
	ErrReplyTooLarge  = errors.New("smtpconn: reply too large")
	ErrBadCode        = errors.New("smtpconn: bad reply code")
	ErrMismatchedCode = errors.New("smtpconn: mismatched multi-line code")
	ErrMalformed      = errors.New("smtpconn: malformed reply line")
	ErrNUL            = errors.New("smtpconn: NUL byte in reply")
	ErrUnexpected     = errors.New("smtpconn: unexpected reply")
	ErrDataAfterTLS   = errors.New("smtpconn: data after the STARTTLS reply")
)

// ProtocolError is a reply that breaks RFC 5321's reply syntax or one of
// our limits. Line is the offending line, sanitised and shortened.
type ProtocolError struct {
	Err  error
	Line string
}

func (e *ProtocolError) Error() string {
	if e.Line == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("%v: %q", e.Err, e.Line)
}

func (e *ProtocolError) Unwrap() error { return e.Err }

// Limits bound what a peer can make us read. Zero fields take defaults.
type Limits struct {
	// MaxLineLen is the longest reply line in octets, CRLF included
	// (default 4096; RFC 5321 §4.5.3.1.5 allows 512).
	MaxLineLen int
	// MaxReplyLines is the most lines one reply may have (default 128;
	// RFC 5321 §4.2.1 sets no limit on continuation lines).
	MaxReplyLines int
	// MaxReplyBytes is the most octets one reply may have (default 64 KiB).
	MaxReplyBytes int
	// MaxTranscriptBytes bounds the transcript's text (default 64 KiB).
	MaxTranscriptBytes int
}

func (l Limits) withDefaults() Limits {
	if l.MaxLineLen <= 0 {
		l.MaxLineLen = 4096
	}
	if l.MaxLineLen < 64 {
		l.MaxLineLen = 64
	}
	if l.MaxReplyLines <= 0 {
		l.MaxReplyLines = 128
	}
	if l.MaxReplyBytes <= 0 {
		l.MaxReplyBytes = 64 << 10
	}
	if l.MaxTranscriptBytes <= 0 {
		l.MaxTranscriptBytes = 64 << 10
	}
	return l
}

// Reply is one server reply (RFC 5321 §4.2).
type Reply struct {
	// Command is what the reply answers: "banner", "EHLO", "HELO",
	// "STARTTLS", "MAIL", "RCPT", "RSET" or "QUIT".
	Command string `json:"command"`
	Code    int    `json:"code"`
	// EnhancedCode is the RFC 3463 status ("5.7.1"), when the server sent one
	// (RFC 2034 §4).
	EnhancedCode string `json:"enhanced_code,omitempty"`
	// Text is the reply text, lines joined by "\n", without reply codes and
	// without the enhanced code prefix. Bytes that are not printable UTF-8
	// appear as \xNN.
	Text string `json:"text"`
	// ElapsedMS is the time from sending the command (for the banner: from
	// the TCP connect) to the complete reply.
	ElapsedMS float64 `json:"elapsed_ms"`

	lines int
	wire  []string // the lines as received (sanitised), codes included
}

// Wire returns the reply as it was received, lines joined by "\n", codes
// and enhanced codes included: "550-5.7.1 first\n550 5.7.1 second". Bytes
// that are not printable UTF-8 appear as \xNN.
func (r Reply) Wire() string {
	if len(r.wire) == 0 {
		return r.Line()
	}
	return strings.Join(r.wire, "\n")
}

// Class is the first digit of the code: 2 success, 3 intermediate,
// 4 transient failure, 5 permanent failure (RFC 5321 §4.2.1).
func (r Reply) Class() int { return r.Code / 100 }

// Line renders the reply as its first line would read on the wire, with
// further lines joined by spaces: "550 5.7.1 Unfortunately, …".
func (r Reply) Line() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(r.Code))
	if r.EnhancedCode != "" {
		b.WriteString(" ")
		b.WriteString(r.EnhancedCode)
	}
	if r.Text != "" {
		b.WriteString(" ")
		b.WriteString(strings.ReplaceAll(r.Text, "\n", " "))
	}
	return b.String()
}

// SMTPError converts the reply to go-smtp's error type, the shape the
// explain engine takes.
func (r Reply) SMTPError() *smtp.SMTPError {
	e := &smtp.SMTPError{Code: r.Code, Message: r.Text, EnhancedCode: smtp.EnhancedCodeNotSet}
	if ec, ok := parseEnhanced(r.EnhancedCode, r.Code); ok {
		e.EnhancedCode = ec
	}
	return e
}

// replyReader reads replies with every size bounded.
type replyReader struct {
	br  *bufio.Reader // sized to lim.MaxLineLen
	lim Limits
	// onLine sees every raw line read (sanitised), also the offending one.
	onLine func(line string)
	// anomaly records tolerated deviations (bare LF, control or 8-bit bytes).
	anomaly func(what i18n.Text)
}

func newReplyReader(r io.Reader, lim Limits) *replyReader {
	lim = lim.withDefaults()
	return &replyReader{br: bufio.NewReaderSize(r, lim.MaxLineLen), lim: lim}
}

// read reads one complete reply.
func (rr *replyReader) read() (*Reply, error) {
	var (
		rep   Reply
		texts []string
		total int
	)
	for n := 0; ; n++ {
		raw, err := rr.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			rr.seen(raw, true)
			return nil, &ProtocolError{Err: ErrLineTooLong, Line: shorten(sanitize(raw, nil))}
		}
		if err != nil {
			if len(raw) > 0 || n > 0 {
				rr.seen(raw, true)
				if errors.Is(err, io.EOF) {
					err = io.ErrUnexpectedEOF
				}
				return nil, fmt.Errorf("connection lost in the middle of a reply: %w", err)
			}
			return nil, err
		}
		rr.seen(raw, false)
		if len(raw) > 512 && rr.anomaly != nil {
			rr.anomaly(AnomalyLongLine)
		}
		total += len(raw)
		if total > rr.lim.MaxReplyBytes {
			return nil, &ProtocolError{Err: ErrReplyTooLarge}
		}
		if n >= rr.lim.MaxReplyLines {
			return nil, &ProtocolError{Err: ErrTooManyLines}
		}
		code, last, text, err := parseLine(raw, rr.anomaly)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			rep.Code = code
		} else if code != rep.Code {
			// RFC 5321 §4.2.1: every line of a multi-line reply carries the
			// same code.
			return nil, &ProtocolError{Err: ErrMismatchedCode, Line: shorten(sanitize(bytes.TrimRight(raw, "\r\n"), nil))}
		}
		texts = append(texts, text)
		rep.wire = append(rep.wire, sanitize(trimEOL(raw), nil))
		if last {
			break
		}
	}
	rep.lines = len(texts)
	rep.EnhancedCode, rep.Text = splitEnhanced(rep.Code, texts)
	return &rep, nil
}

func (rr *replyReader) seen(raw []byte, partial bool) {
	if rr.onLine == nil || len(raw) == 0 {
		return
	}
	s := sanitize(trimEOL(raw), nil)
	if partial {
		s = shorten(s) + " [incomplete]"
	}
	rr.onLine(s)
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

// parseLine parses one reply line (RFC 5321 §4.2: Reply-code [ SP / "-"
// textstring ] CRLF) and reports whether it is the last line of the reply.
func parseLine(raw []byte, anomaly func(i18n.Text)) (code int, last bool, text string, err error) {
	if anomaly == nil {
		anomaly = func(i18n.Text) {}
	}
	if n := len(raw); n > 0 && raw[n-1] == '\n' && (n < 2 || raw[n-2] != '\r') {
		anomaly(AnomalyBareLF)
	}
	b := trimEOL(raw)
	if len(b) < 3 || !isDigit(b[0]) || !isDigit(b[1]) || !isDigit(b[2]) {
		return 0, false, "", &ProtocolError{Err: ErrMalformed, Line: shorten(sanitize(b, nil))}
	}
	code = int(b[0]-'0')*100 + int(b[1]-'0')*10 + int(b[2]-'0')
	// RFC 5321 §4.2: the first digit is 2 to 5 (1yz is not used in SMTP).
	if code < 200 || code > 599 {
		return 0, false, "", &ProtocolError{Err: ErrBadCode, Line: shorten(sanitize(b, nil))}
	}
	if len(b) == 3 {
		return code, true, "", nil
	}
	switch b[3] {
	case ' ':
		last = true
	case '-':
	default:
		return 0, false, "", &ProtocolError{Err: ErrMalformed, Line: shorten(sanitize(b, nil))}
	}
	rest := b[4:]
	for _, c := range rest {
		if c == 0 {
			return 0, false, "", &ProtocolError{Err: ErrNUL, Line: shorten(sanitize(b, nil))}
		}
	}
	return code, last, sanitize(rest, anomaly), nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// sanitize turns untrusted bytes into printable, valid UTF-8: control
// characters (but TAB) and invalid UTF-8 become \xNN. RFC 5321 §4.2 allows
// only printable US-ASCII in reply text; UTF-8 is kept because SMTPUTF8
// servers may send it (RFC 6531 §3.7.4.1).
func sanitize(b []byte, anomaly func(i18n.Text)) string {
	clean := true
	for _, c := range b {
		if c < 0x20 && c != '\t' || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return string(b)
	}
	var sb strings.Builder
	sawCtl, sawBad := false, false
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&sb, `\x%02x`, b[0])
			sawBad = true
			size = 1
		case r < 0x20 && r != '\t' || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&sb, `\x%02x`, r)
			sawCtl = true
		default:
			sb.WriteRune(r)
		}
		b = b[size:]
	}
	if anomaly != nil {
		if sawCtl {
			anomaly(AnomalyControl)
		}
		if sawBad {
			anomaly(AnomalyNotUTF8)
		}
	}
	return sb.String()
}

func shorten(s string) string {
	const max = 120
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// splitEnhanced finds the RFC 3463 enhanced status code at the start of
// the first line (RFC 2034 §4: it prefixes the text of every line) and
// removes it from each line that repeats it. The class digit must agree
// with the reply code.
func splitEnhanced(code int, lines []string) (string, string) {
	first := ""
	if len(lines) > 0 {
		first = lines[0]
	}
	tok, _, _ := strings.Cut(first, " ")
	if _, ok := parseEnhanced(tok, code); !ok {
		return "", strings.Join(lines, "\n")
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		if rest, ok := strings.CutPrefix(l, tok); ok && (rest == "" || rest[0] == ' ') {
			l = strings.TrimPrefix(rest, " ")
		}
		out[i] = l
	}
	return tok, strings.Join(out, "\n")
}

// parseEnhanced parses "class.subject.detail" (RFC 3463 §2: class 2, 4 or
// 5; subject and detail 1–3 digits) whose class matches the reply code.
func parseEnhanced(s string, code int) (smtp.EnhancedCode, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return smtp.EnhancedCode{}, false
	}
	var ec smtp.EnhancedCode
	for i, p := range parts {
		if len(p) < 1 || len(p) > 3 || (i == 0 && len(p) != 1) {
			return smtp.EnhancedCode{}, false
		}
		for j := 0; j < len(p); j++ {
			if !isDigit(p[j]) {
				return smtp.EnhancedCode{}, false
			}
		}
		ec[i], _ = strconv.Atoi(p)
	}
	if ec[0] != 2 && ec[0] != 4 && ec[0] != 5 || ec[0] != code/100 {
		return smtp.EnhancedCode{}, false
	}
	return ec, true
}

// GreetingHost returns the domain (or address literal) a server names
// first in its banner or EHLO reply (RFC 5321 §4.2: "220 " Domain …;
// §4.1.1.1: "250 " Domain …), or "" when the first word is not one.
func GreetingHost(text string) string {
	first, _, _ := strings.Cut(text, "\n")
	tok, _, _ := strings.Cut(strings.TrimSpace(first), " ")
	if len(tok) > 255 || tok == "" {
		return ""
	}
	if strings.HasPrefix(tok, "[") && strings.HasSuffix(tok, "]") {
		if _, ok := addressLiteral(tok[1 : len(tok)-1]); ok {
			return tok
		}
		return ""
	}
	if !strings.Contains(strings.Trim(tok, "."), ".") {
		return "" // "Hello", "ESMTP": not a host name
	}
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '-' || c == '.' || c == '_') {
			return ""
		}
	}
	return strings.ToLower(strings.TrimSuffix(tok, "."))
}

// ClientIPFromGreeting finds the client address a server echoes in its
// greeting: Microsoft "Hello [203.0.113.5]", Google "at your service,
// [203.0.113.5]", Exim/Sendmail "Hello name [203.0.113.5]". Only bracketed
// address literals count (RFC 5321 §4.1.3, "IPv6:" prefix allowed); the
// first one that parses wins.
func ClientIPFromGreeting(text string) (netip.Addr, bool) {
	for range 16 { // bounded scan
		i := strings.IndexByte(text, '[')
		if i < 0 {
			break
		}
		text = text[i+1:]
		j := strings.IndexByte(text, ']')
		if j < 0 {
			break
		}
		if a, ok := addressLiteral(text[:j]); ok {
			return a, true
		}
		text = text[j+1:]
	}
	return netip.Addr{}, false
}

func addressLiteral(s string) (netip.Addr, bool) {
	if len(s) > 64 {
		return netip.Addr{}, false
	}
	if v6, ok := strings.CutPrefix(s, "IPv6:"); ok {
		a, err := netip.ParseAddr(v6)
		return a, err == nil && a.Is6() && a.Zone() == ""
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// RevealsClient reports whether a banner's wording introduces the client
// (so a bracketed address in it is the client's, not the server's).
func RevealsClient(text string) bool {
	l := strings.ToLower(text)
	return strings.Contains(l, "hello") || strings.Contains(l, "at your service") || strings.Contains(l, "you are")
}
