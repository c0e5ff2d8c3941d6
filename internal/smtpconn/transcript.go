package smtpconn

import (
	"strings"
	"sync"
	"time"
)

// Directions of transcript lines.
const (
	DirClient = "C" // client to server
	DirServer = "S" // server to client
	DirEvent  = "*" // something that happened: connect, TLS, error
)

// Redacted replaces secrets in a transcript: the SASL initial response and
// every client line of an AUTH exchange (RFC 4954 §4). The one mark used
// everywhere (also by ledgers written before this package existed).
const Redacted = "***"

// Line is one line of a transcript. The JSON names are a public contract:
// check's "transcript" and the ledger's "sent.transcript" both use them.
type Line struct {
	At   time.Time `json:"at"`
	Dir  string    `json:"dir"`
	Text string    `json:"text"`
}

// Transcript limits: a hostile server cannot grow the record without bound.
const (
	MaxTranscriptLine       = 512      // octets per line; longer ones are cut
	DefaultTranscriptBytes  = 64 << 10 // octets of text in all
	maxTranscriptLinesTotal = 1000
)

// Transcript records a dialogue as data, bounded in size. Client lines
// that carry credentials are recorded as Redacted by the code that sends
// them (Conn.Auth); the transcript itself never guesses.
type Transcript struct {
	mu        sync.Mutex
	now       func() time.Time
	lines     []Line
	size      int
	max       int
	truncated bool
}

// NewTranscript returns an empty transcript holding at most maxBytes of
// text (0: DefaultTranscriptBytes); now stamps the lines (nil: time.Now).
func NewTranscript(now func() time.Time, maxBytes int) *Transcript {
	if now == nil {
		now = time.Now
	}
	if maxBytes <= 0 {
		maxBytes = DefaultTranscriptBytes
	}
	return &Transcript{now: now, max: maxBytes}
}

// Add records one line; lines longer than MaxTranscriptLine are cut.
func (t *Transcript) Add(dir, text string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.truncated {
		return
	}
	if len(text) > MaxTranscriptLine {
		text = shorten(text[:MaxTranscriptLine]) + " [cut]"
	}
	if t.size+len(text) > t.max || len(t.lines) >= maxTranscriptLinesTotal {
		t.truncated = true
		t.lines = append(t.lines, Line{At: t.now(), Dir: DirEvent, Text: "transcript truncated"})
		return
	}
	t.size += len(text)
	t.lines = append(t.lines, Line{At: t.now(), Dir: dir, Text: text})
}

// Lines returns a copy of the recorded lines.
func (t *Transcript) Lines() []Line {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Line(nil), t.lines...)
}

// Truncated reports whether lines were dropped.
func (t *Transcript) Truncated() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.truncated
}

// Scrub replaces every occurrence of the secrets in s by Redacted (a
// server may echo what it was sent).
func Scrub(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" && strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, Redacted)
		}
	}
	return s
}
