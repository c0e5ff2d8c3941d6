package delivery

import (
	"bytes"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Transcript limits: a hostile server cannot grow the record without bound.
const (
	maxTranscriptLines = 400
	maxTranscriptLine  = 2048
)

// transcript records an SMTP dialogue as data (never printed directly). It
// redacts AUTH: the command's argument and every client line answering a 334
// challenge (RFC 4954 §4).
type transcript struct {
	mu    sync.Mutex
	now   func() time.Time
	lines []Line
	cut   bool

	srvBuf []byte // partial server line
	cliBuf []byte // partial client line
	srvCut bool
	cliCut bool

	inAuth   bool // the last server reply was a 334 challenge
	bodyMode bool // between 354 and the final dot: client bytes are the message
	bodyN    int
	bodyTail []byte // last bytes of the body, to find CRLF.CRLF

	reply     []string // lines of the reply being read
	lastReply []string // the last complete reply
}

func newTranscript(now func() time.Time) *transcript { return &transcript{now: now} }

func (t *transcript) add(dir, text string) {
	if len(t.lines) >= maxTranscriptLines {
		if !t.cut {
			t.cut = true
			t.lines = append(t.lines, Line{At: t.now(), Dir: "*", Text: "… transcript truncated"})
		}
		return
	}
	t.lines = append(t.lines, Line{At: t.now(), Dir: dir, Text: text})
}

// note records an event of ours (connect, TLS).
func (t *transcript) note(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.add("*", s)
}

func (t *transcript) server(b []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			t.srvBuf, t.srvCut = appendBounded(t.srvBuf, b, t.srvCut)
			return
		}
		t.srvBuf, t.srvCut = appendBounded(t.srvBuf, b[:i], t.srvCut)
		line := strings.TrimRight(string(t.srvBuf), "\r")
		if t.srvCut {
			line += " …"
		}
		t.srvBuf, t.srvCut = t.srvBuf[:0], false
		b = b[i+1:]
		t.serverLine(line)
	}
}

func (t *transcript) serverLine(line string) {
	t.add("S", line)
	t.reply = append(t.reply, line)
	if len(t.reply) > 100 {
		t.reply = t.reply[len(t.reply)-100:]
	}
	// RFC 5321 §4.2: "NNN-" continues a reply, "NNN " or "NNN" ends it.
	if len(line) >= 3 && isDigits(line[:3]) && (len(line) == 3 || line[3] == ' ') {
		t.lastReply = t.reply
		t.reply = nil
		code := line[:3]
		t.inAuth = code == "334"
		if code == "354" {
			t.bodyMode, t.bodyN, t.bodyTail = true, 0, []byte("\r\n")
		}
	}
}

func (t *transcript) client(b []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for len(b) > 0 {
		if t.bodyMode {
			b = t.body(b)
			continue
		}
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			t.cliBuf, t.cliCut = appendBounded(t.cliBuf, b, t.cliCut)
			return
		}
		t.cliBuf, t.cliCut = appendBounded(t.cliBuf, b[:i], t.cliCut)
		line := strings.TrimRight(string(t.cliBuf), "\r")
		t.cliBuf, t.cliCut = t.cliBuf[:0], false
		b = b[i+1:]
		t.add("C", redactClient(line, t.inAuth))
		t.inAuth = false
	}
}

// body consumes message bytes up to and including the final "CRLF.CRLF"
// (RFC 5321 §4.1.1.4) and returns what follows.
func (t *transcript) body(b []byte) []byte {
	for i := 0; i < len(b); i++ {
		t.bodyTail = append(t.bodyTail, b[i])
		if len(t.bodyTail) > 5 {
			t.bodyTail = t.bodyTail[len(t.bodyTail)-5:]
		}
		t.bodyN++
		if bytes.HasSuffix(t.bodyTail, []byte("\r\n.\r\n")) {
			t.bodyMode = false
			t.add("C", "<message, "+strconv.Itoa(t.bodyN-3)+" bytes>")
			t.add("C", ".")
			return b[i+1:]
		}
	}
	return nil
}

func redactClient(line string, inAuth bool) string {
	if inAuth {
		if line == "*" {
			return line // the cancel line (RFC 4954 §4) carries no secret
		}
		return "***"
	}
	if len(line) >= 5 && strings.EqualFold(line[:5], "AUTH ") {
		f := strings.Fields(line)
		if len(f) >= 3 {
			return f[0] + " " + f[1] + " ***"
		}
	}
	return line
}

func appendBounded(buf, b []byte, cut bool) ([]byte, bool) {
	room := maxTranscriptLine - len(buf)
	if room <= 0 {
		return buf, cut || len(b) > 0
	}
	if len(b) > room {
		return append(buf, b[:room]...), true
	}
	return append(buf, b...), cut
}

// Lines returns a copy of the recorded lines.
func (t *transcript) Lines() []Line {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Line(nil), t.lines...)
}

// LastReply returns the last complete server reply, lines joined by "\n".
func (t *transcript) LastReply() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lastReply, "\n")
}

// FirstReply returns the first complete server reply (the banner).
func (t *transcript) FirstReply() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for _, l := range t.lines {
		if l.Dir == "C" {
			break
		}
		if l.Dir == "S" {
			out = append(out, l.Text)
		}
	}
	return strings.Join(out, "\n")
}

// maxReplyBytes bounds what a server may send in answer to one command: a
// reply of endless "250-" lines ends with an error instead of eating memory
// until the deadline.
const maxReplyBytes = 1 << 20

// errReplyTooLong is returned when a server exceeds maxReplyBytes.
var errReplyTooLong = errors.New("the server's reply exceeds 1 MiB")

// tapConn records what passes through a connection into a transcript.
type tapConn struct {
	net.Conn
	t         *transcript
	sinceSent int // server bytes since our last write
}

func (c *tapConn) Read(b []byte) (int, error) {
	if c.sinceSent >= maxReplyBytes {
		return 0, errReplyTooLong
	}
	if room := maxReplyBytes - c.sinceSent; len(b) > room {
		b = b[:room]
	}
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.sinceSent += n
		c.t.server(b[:n])
	}
	return n, err
}

func (c *tapConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if n > 0 {
		c.sinceSent = 0
		c.t.client(b[:n])
	}
	return n, err
}

// greetConn hands a synthetic 220 greeting to go-smtp's client before the
// real stream: after STARTTLS (RFC 3207 §4.2) the server sends no new
// greeting, but the client library reads one.
type greetConn struct {
	net.Conn
	pending []byte
}

func (c *greetConn) Read(b []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(b, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	return c.Conn.Read(b)
}
