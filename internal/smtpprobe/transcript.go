package smtpprobe

import (
	"strings"
	"time"
)

// Directions of transcript lines.
const (
	DirClient = "C" // client to server
	DirServer = "S" // server to client
	DirEvent  = "*" // something that happened: connect, TLS, error
)

// TranscriptLine is one line of the dialogue.
type TranscriptLine struct {
	// TMS is the time since the dial started, in milliseconds.
	TMS  float64 `json:"t_ms"`
	Dir  string  `json:"dir"`
	Text string  `json:"text"`
}

// transcript records the dialogue, bounded in size, with AUTH secrets
// never stored: mxprobe does not authenticate, but if a future caller does,
// the credentials must not end up in output, JSON or logs.
type transcript struct {
	start     time.Time
	lines     []TranscriptLine
	size      int
	max       int
	truncated bool
	inAuth    bool // an AUTH exchange is running: client lines are secrets
}

const maxTranscriptLine = 512

func newTranscript(start time.Time, max int) *transcript {
	return &transcript{start: start, max: max}
}

func (t *transcript) add(dir, text string) {
	if dir == DirClient {
		text = t.redact(text)
	} else if dir == DirServer && t.inAuth && !strings.HasPrefix(text, "334") {
		t.inAuth = false // RFC 4954 §4: any reply but 334 ends the exchange
	}
	if t.truncated {
		return
	}
	if len(text) > maxTranscriptLine {
		text = shorten(text[:maxTranscriptLine]) + " [cut]"
	}
	if t.size+len(text) > t.max {
		t.truncated = true
		t.lines = append(t.lines, TranscriptLine{TMS: ms(time.Since(t.start)), Dir: DirEvent, Text: "transcript truncated"})
		return
	}
	t.size += len(text)
	t.lines = append(t.lines, TranscriptLine{TMS: ms(time.Since(t.start)), Dir: dir, Text: text})
}

// redact hides SASL credentials: the initial response of "AUTH <mech>
// <initial-response>" and every client line while the exchange runs
// (RFC 4954 §4).
func (t *transcript) redact(line string) string {
	if t.inAuth {
		return "[redacted]"
	}
	verb, rest, _ := strings.Cut(line, " ")
	if !strings.EqualFold(verb, "AUTH") {
		return line
	}
	t.inAuth = true
	mech, resp, _ := strings.Cut(rest, " ")
	if resp == "" {
		return verb + " " + mech
	}
	return verb + " " + mech + " [redacted]"
}

func ms(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}
