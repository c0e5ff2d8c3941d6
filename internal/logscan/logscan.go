// Package logscan reads mail server logs (Postfix, Exim) as a stream and
// turns their delivery lines into records: accepted ("status=sent", Exim
// "=>"), deferred and bounced deliveries with the remote reply, the
// destination and its provider (Microsoft consumer or tenant, Gmail, GMX, …),
// and the Message-ID joined from the queue, so deliveries can be tied to
// mxprobe probes.
//
// The scanner is built for big logs: one pass, bounded line length, bounded
// state (the queue-id → Message-ID map), no regular expressions.
package logscan

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/provider"
)

// Statuses of a delivery record.
const (
	StatusSent     = "sent"
	StatusDeferred = "deferred"
	StatusBounced  = "bounced"
)

// Record is one delivery attempt found in the log.
type Record struct {
	Line int64 `json:"line"`
	// Time is the log line's time stamp in RFC 3339, or "" when it could
	// not be read; a syslog stamp without a year gets one as described at
	// [ResolveTime]. TimeRaw is the stamp as written in the log.
	Time      string `json:"time"`
	TimeRaw   string `json:"time_raw"`
	MTA       string `json:"mta"` // postfix or exim
	QueueID   string `json:"queue_id"`
	MessageID string `json:"message_id,omitempty"`
	To        string `json:"to"`
	Domain    string `json:"domain"`
	Relay     string `json:"relay,omitempty"`
	RelayIP   string `json:"relay_ip,omitempty"`
	Status    string `json:"status"`
	// Code and Enhanced are the reply code and RFC 3463 code of Reply.
	Code     int    `json:"code,omitempty"`
	Enhanced string `json:"enhanced,omitempty"`
	// Reply is the remote server's reply, or the local reason (timeouts,
	// DNS) when no server answered.
	Reply    string `json:"reply"`
	Provider string `json:"provider"`
	// Acceptance is what a 250 reply reveals (Microsoft InternalId, queue id).
	Acceptance *delivery.Acceptance `json:"acceptance,omitempty"`
	// ProbeToken is set when the Message-ID is an mxprobe probe's.
	ProbeToken string `json:"probe_token,omitempty"`
}

// Options tune a scan.
type Options struct {
	// MaxLine bounds a line (default 64 KiB); longer lines are skipped and
	// counted.
	MaxLine int
	// MaxQueue bounds the queue-id → Message-ID map (default 200,000).
	MaxQueue int
	// Now is the reference clock for the year of syslog stamps (default
	// time.Now); Location is the zone of stamps without one (default
	// time.Local, the zone syslog wrote them in on this host).
	Now      func() time.Time
	Location *time.Location
}

// Stats counts what a scan saw.
type Stats struct {
	Bytes    int64 `json:"bytes"`
	Lines    int64 `json:"lines"`
	Records  int64 `json:"records"`
	Overlong int64 `json:"overlong"`
	Postfix  int64 `json:"postfix"`
	Exim     int64 `json:"exim"`
}

// Scanner parses a log stream. It keeps the queue-id → Message-ID map
// between lines.
type Scanner struct {
	opts  Options
	queue map[string]string
	times map[string]string    // resolveTime's memo: raw stamp → RFC 3339
	dests map[[2]string]string // destClass's memo: relay, domain → class
	stats Stats
}

// NewScanner returns a scanner with defaults filled in.
func NewScanner(o Options) *Scanner {
	if o.MaxLine <= 0 {
		o.MaxLine = 64 << 10
	}
	if o.MaxQueue <= 0 {
		o.MaxQueue = 200000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	return &Scanner{opts: o, queue: make(map[string]string), times: make(map[string]string), dests: make(map[[2]string]string)}
}

// Stats returns the counters so far.
func (s *Scanner) Stats() Stats { return s.stats }

// ErrStop may be returned by the emit function to end a scan early.
var ErrStop = errors.New("logscan: stop")

// Scan reads r to the end and calls emit for every delivery record.
func (s *Scanner) Scan(r io.Reader, emit func(*Record) error) error {
	br := bufio.NewReaderSize(r, max(s.opts.MaxLine, 4096))
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// Overlong: skip to the end of the line, bounded memory.
			s.stats.Bytes += int64(len(line))
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				s.stats.Bytes += int64(len(line))
			}
			s.stats.Lines++
			s.stats.Overlong++
			if err != nil {
				if errors.Is(err, io.EOF) {
					return nil
				}
				return err
			}
			continue
		}
		if len(line) > s.opts.MaxLine && len(bytes.TrimRight(line, "\r\n")) > s.opts.MaxLine {
			// NewReaderSize hands back a caller's bufio.Reader when it is
			// big enough, so the buffer alone does not enforce MaxLine.
			s.stats.Bytes += int64(len(line))
			s.stats.Lines++
			s.stats.Overlong++
		} else if len(line) > 0 {
			s.stats.Bytes += int64(len(line))
			s.stats.Lines++
			if rec := s.Line(line); rec != nil {
				rec.Line = s.stats.Lines
				s.stats.Records++
				if e := emit(rec); e != nil {
					if errors.Is(e, ErrStop) {
						return nil
					}
					return e
				}
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// Line parses one log line (with or without its newline) and returns a
// delivery record, or nil for every other line. It updates the queue map.
func (s *Scanner) Line(line []byte) *Record {
	line = bytes.TrimRight(line, "\r\n")
	if i := bytes.Index(line, []byte("postfix")); i >= 0 {
		if rec := s.postfix(line, i); rec != nil {
			s.stats.Postfix++
			rec.Time = s.resolveTime(rec.TimeRaw)
			return rec
		}
		return nil
	}
	if len(line) > 20 && line[4] == '-' && line[7] == '-' && line[10] == ' ' {
		if rec := s.exim(line); rec != nil {
			s.stats.Exim++
			rec.Time = s.resolveTime(rec.TimeRaw)
			return rec
		}
	}
	return nil
}

func (s *Scanner) remember(qid, msgid string) {
	if len(s.queue) >= s.opts.MaxQueue {
		clear(s.queue) // bounded: lose joins of old messages rather than memory
	}
	s.queue[qid] = msgid
}

// postfix parses "… host postfix/smtp[123]: 4F2A1B2C3D: to=<a@b>, relay=…,
// delay=…, dsn=2.0.0, status=sent (250 …)" and the cleanup
// "message-id=<…>" and qmgr "removed" lines.
func (s *Scanner) postfix(line []byte, at int) *Record {
	tagEnd := bytes.Index(line[at:], []byte("]: "))
	if tagEnd < 0 {
		return nil
	}
	rest := line[at+tagEnd+3:]
	colon := bytes.Index(rest, []byte(": "))
	if colon <= 0 || colon > 32 || !isQueueID(rest[:colon]) {
		return nil
	}
	qid := string(rest[:colon])
	body := rest[colon+2:]
	switch {
	case bytes.HasPrefix(body, []byte("message-id=")):
		s.remember(qid, string(trimAngle(body[len("message-id="):])))
		return nil
	case bytes.Equal(body, []byte("removed")):
		delete(s.queue, qid)
		return nil
	}
	st := bytes.Index(body, []byte(", status="))
	if st < 0 || !bytes.HasPrefix(body, []byte("to=")) {
		return nil
	}
	rec := &Record{MTA: "postfix", QueueID: qid, TimeRaw: syslogTime(line[:at])}
	for _, kv := range bytes.Split(body[:st], []byte(", ")) {
		k, v, ok := bytes.Cut(kv, []byte("="))
		if !ok {
			continue
		}
		switch string(k) {
		case "to":
			rec.To = string(trimAngle(v))
		case "relay":
			rec.Relay, rec.RelayIP = splitRelay(v)
		case "dsn":
			rec.Enhanced = string(v)
		}
	}
	stat := body[st+len(", status="):]
	word, text, _ := bytes.Cut(stat, []byte(" "))
	switch string(word) {
	case "sent":
		rec.Status = StatusSent
	case "deferred":
		rec.Status = StatusDeferred
	case "bounced", "expired":
		rec.Status = StatusBounced
	default:
		return nil
	}
	text = bytes.TrimSpace(text)
	if len(text) >= 2 && text[0] == '(' && text[len(text)-1] == ')' {
		text = text[1 : len(text)-1]
	}
	rec.Reply = postfixReply(text)
	s.finish(rec)
	return rec
}

// postfixReply extracts the remote reply from Postfix's status text:
// "host mx[ip] said: 550 5.1.1 … (in reply to RCPT TO command)".
func postfixReply(text []byte) string {
	if i := bytes.Index(text, []byte(" said: ")); i >= 0 && bytes.HasPrefix(text, []byte("host ")) {
		text = text[i+len(" said: "):]
		if j := bytes.LastIndex(text, []byte(" (in reply to ")); j >= 0 {
			text = text[:j]
		}
	}
	return string(text)
}

// exim parses "2024-03-03 10:00:01 1rgXYZ-000ABC-12 => a@b R=… T=… H=host
// [ip] … C=\"250 …\"", "==" (deferred), "**" (bounced), "<=" (arrival,
// id=Message-ID) and "Completed" lines.
func (s *Scanner) exim(line []byte) *Record {
	p := 0
	next := func() []byte {
		for p < len(line) && line[p] == ' ' {
			p++
		}
		st := p
		for p < len(line) && line[p] != ' ' {
			p++
		}
		return line[st:p]
	}
	date, clock := next(), next()
	if len(date) != 10 || len(clock) < 8 || clock[2] != ':' {
		return nil
	}
	tstart, tend := 0, p
	f := next()
	if len(f) == 5 && (f[0] == '+' || f[0] == '-') { // time zone
		tend = p
		f = next()
	}
	if len(f) > 2 && f[0] == '[' && f[len(f)-1] == ']' { // [pid]
		f = next()
	}
	if !isEximID(f) {
		return nil
	}
	id := string(f)
	flag := next()
	rest := line[p:]
	if len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	switch string(flag) {
	case "<=":
		if i := bytes.Index(rest, []byte(" id=")); i >= 0 {
			v := rest[i+4:]
			if j := bytes.IndexByte(v, ' '); j >= 0 {
				v = v[:j]
			}
			s.remember(id, string(trimAngle(v)))
		}
		return nil
	case "Completed":
		delete(s.queue, id)
		return nil
	case "=>", "->", "==", "**":
	default:
		return nil
	}
	rec := &Record{MTA: "exim", QueueID: id, TimeRaw: string(line[tstart:tend])}
	addr := rest
	if i := bytes.IndexByte(addr, ' '); i >= 0 {
		addr = addr[:i]
		// Local deliveries: "=> user <user@domain> R=…".
		if after := rest[i+1:]; bytes.IndexByte(addr, '@') < 0 && len(after) > 0 && after[0] == '<' {
			if j := bytes.IndexByte(after, '>'); j > 0 {
				addr = after[:j+1]
			}
		}
	}
	rec.To = string(trimAngle(bytes.TrimSuffix(addr, []byte(":"))))
	if i := bytes.Index(rest, []byte(" H=")); i >= 0 {
		h := rest[i+3:]
		if j := bytes.IndexByte(h, ' '); j >= 0 {
			tail := h[j+1:]
			h = h[:j]
			if len(tail) > 0 && tail[0] == '[' {
				if k := bytes.IndexByte(tail, ']'); k > 0 {
					rec.RelayIP = string(tail[1:k])
				}
			}
		}
		rec.Relay = string(bytes.TrimSuffix(h, []byte(":")))
	}
	switch string(flag) {
	case "=>", "->":
		rec.Status = StatusSent
		if i := bytes.Index(rest, []byte(` C="`)); i >= 0 {
			c := rest[i+4:]
			if j := bytes.Index(c, []byte(`" `)); j >= 0 {
				c = c[:j]
			} else {
				c = bytes.TrimSuffix(c, []byte(`"`))
			}
			rec.Reply = string(c)
		}
	case "==", "**":
		rec.Status = StatusDeferred
		if flag[0] == '*' {
			rec.Status = StatusBounced
		}
		rec.Reply = eximReason(rest)
	}
	// Exim writes the line breaks of a multi-line reply as "\n".
	if bytes.Contains(line, []byte(`\n`)) {
		rec.Reply = strings.ReplaceAll(rec.Reply, `\n`, " ")
	}
	s.finish(rec)
	return rec
}

// eximReason extracts the remote reply from "SMTP error from remote mail
// server after RCPT TO:<a@b>: 550 …", else the text after the last ": ".
func eximReason(rest []byte) string {
	const marker = "SMTP error from remote mail server after "
	if i := bytes.Index(rest, []byte(marker)); i >= 0 {
		r := rest[i+len(marker):]
		if j := bytes.Index(r, []byte(": ")); j >= 0 {
			return string(r[j+2:])
		}
	}
	if i := bytes.Index(rest, []byte(": ")); i >= 0 {
		return string(rest[i+2:])
	}
	return string(rest)
}

// finish fills the derived fields of a record.
func (s *Scanner) finish(rec *Record) {
	// RFC 5321 §2.4: the local part is case-sensitive (seed+Junk is not
	// seed+junk); only the domain is lower-cased.
	if i := strings.LastIndexByte(rec.To, '@'); i >= 0 {
		rec.Domain = strings.ToLower(rec.To[i+1:])
		rec.To = rec.To[:i+1] + rec.Domain
	}
	rec.Relay = strings.ToLower(rec.Relay)
	rec.MessageID = s.queue[rec.QueueID]
	rec.Provider = s.destClass(rec.Relay, rec.Domain)
	if len(rec.Reply) >= 3 && isDigits(rec.Reply[:3]) {
		rec.Code = int(rec.Reply[0]-'0')*100 + int(rec.Reply[1]-'0')*10 + int(rec.Reply[2]-'0')
		rest := rec.Reply[3:]
		rest = strings.TrimLeft(rest, " -")
		if f, _, _ := strings.Cut(rest, " "); rec.Enhanced == "" && isEnhanced(f) {
			rec.Enhanced = f
		}
	}
	if rec.Status == StatusSent && rec.Code/100 == 2 {
		a := delivery.ParseAcceptanceFor(rec.Reply, rec.MessageID, rec.To)
		rec.Acceptance = &a
	}
	rec.ProbeToken = probeToken(rec.MessageID)
}

// destClass is provider.DestinationClass memoised per relay and domain: a
// log names few of them, and classifying each line anew was a tenth of a
// scan. Bounded like resolveTime's memo.
func (s *Scanner) destClass(relay, domain string) string {
	k := [2]string{relay, domain}
	if c, ok := s.dests[k]; ok {
		return c
	}
	c := provider.DestinationClass(relay, domain)
	if len(s.dests) >= maxMemo {
		clear(s.dests)
	}
	s.dests[k] = c
	return c
}

// probeToken returns the token of an mxprobe Message-ID
// ("mxprobe.TOKEN@domain"), else "".
func probeToken(msgid string) string {
	i := strings.Index(msgid, "mxprobe.")
	if i < 0 || len(msgid) < i+8+delivery.TokenLen {
		return ""
	}
	t := msgid[i+8 : i+8+delivery.TokenLen]
	if delivery.ValidToken(t) {
		return t
	}
	return ""
}

func trimAngle(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if len(b) >= 2 && b[0] == '<' && b[len(b)-1] == '>' {
		return b[1 : len(b)-1]
	}
	return b
}

// splitRelay splits Postfix's "host[ip]:port" (or "none").
func splitRelay(v []byte) (string, string) {
	i := bytes.IndexByte(v, '[')
	if i < 0 {
		return string(v), ""
	}
	j := bytes.IndexByte(v[i:], ']')
	if j < 0 {
		return string(v[:i]), ""
	}
	return string(v[:i]), string(v[i+1 : i+j])
}

// syslogTime is the prefix before the host name: "Mar  3 10:00:01 host " →
// "Mar  3 10:00:01"; RFC 3339 stamps work the same way.
func syslogTime(prefix []byte) string {
	prefix = bytes.TrimRight(prefix, " ")
	if i := bytes.LastIndexByte(prefix, ' '); i >= 0 {
		return string(bytes.TrimRight(prefix[:i], " "))
	}
	return string(prefix)
}

// isQueueID accepts Postfix short (hex) and long (base-52 + digits) queue
// ids.
func isQueueID(b []byte) bool {
	if len(b) < 5 || len(b) > 24 {
		return false
	}
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// isEximID accepts the classic 16-character id (6-6-2) and the 23-character
// id of Exim 4.97+ (6-11-4).
func isEximID(b []byte) bool {
	if !(len(b) == 16 && b[6] == '-' && b[13] == '-') && !(len(b) == 23 && b[6] == '-' && b[18] == '-') {
		return false
	}
	for _, c := range b {
		if !(c == '-' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isEnhanced(s string) bool {
	p := strings.Split(s, ".")
	return len(p) == 3 && len(p[0]) == 1 && strings.ContainsAny(p[0], "245") && isDigits(p[1]) && isDigits(p[2]) && len(p[1]) <= 3 && len(p[2]) <= 3
}

// Counts are per-status counters.
type Counts struct {
	Sent     int64 `json:"sent"`
	Deferred int64 `json:"deferred"`
	Bounced  int64 `json:"bounced"`
}

func (c *Counts) add(status string) {
	switch status {
	case StatusSent:
		c.Sent++
	case StatusDeferred:
		c.Deferred++
	case StatusBounced:
		c.Bounced++
	}
}

// Destination aggregates the records of one recipient domain.
type Destination struct {
	Domain   string `json:"domain"`
	Provider string `json:"provider"`
	Counts
	// Problems are the distinct deferral and bounce replies, most frequent
	// first.
	Problems []Problem `json:"problems,omitempty"`
	problems map[string]*Problem
}

// Problem is one distinct failure reply with its count.
type Problem struct {
	Status string `json:"status"`
	Reply  string `json:"reply"`
	Count  int64  `json:"count"`
}

// Summary aggregates records per destination, bounded in size.
type Summary struct {
	Stats        Stats              `json:"stats"`
	Totals       Counts             `json:"totals"`
	ByProvider   map[string]*Counts `json:"by_provider"`
	Destinations []*Destination     `json:"destinations"`
	Probes       []*Record          `json:"probes,omitempty"`
	byDomain     map[string]*Destination
	dropped      int64
}

// Limits of a summary.
const (
	maxDestinations = 10000
	maxProblems     = 20
	maxProbes       = 1000
)

// NewSummary returns an empty summary.
func NewSummary() *Summary {
	return &Summary{ByProvider: map[string]*Counts{}, byDomain: map[string]*Destination{}}
}

// Add counts one record.
func (s *Summary) Add(r *Record) {
	s.Totals.add(r.Status)
	pc := s.ByProvider[r.Provider]
	if pc == nil {
		pc = &Counts{}
		s.ByProvider[r.Provider] = pc
	}
	pc.add(r.Status)
	d := s.byDomain[r.Domain]
	if d == nil {
		if len(s.byDomain) >= maxDestinations {
			s.dropped++
			return
		}
		d = &Destination{Domain: r.Domain, Provider: r.Provider, problems: map[string]*Problem{}}
		s.byDomain[r.Domain] = d
	}
	d.add(r.Status)
	if r.Status != StatusSent {
		key := r.Status + "\x00" + clip(r.Reply, 1000)
		if p := d.problems[key]; p != nil {
			p.Count++
		} else if len(d.problems) < 200 {
			d.problems[key] = &Problem{Status: r.Status, Reply: clip(r.Reply, 1000), Count: 1}
		}
	}
	if r.ProbeToken != "" && len(s.Probes) < maxProbes {
		s.Probes = append(s.Probes, r)
	}
}

// Finish sorts the destinations (most deliveries first) and their problems.
func (s *Summary) Finish(st Stats) {
	s.Stats = st
	s.Destinations = s.Destinations[:0]
	for _, d := range s.byDomain {
		d.Problems = d.Problems[:0]
		for _, p := range d.problems {
			d.Problems = append(d.Problems, *p)
		}
		sort.Slice(d.Problems, func(i, j int) bool {
			if d.Problems[i].Count != d.Problems[j].Count {
				return d.Problems[i].Count > d.Problems[j].Count
			}
			return d.Problems[i].Reply < d.Problems[j].Reply
		})
		if len(d.Problems) > maxProblems {
			d.Problems = d.Problems[:maxProblems]
		}
		s.Destinations = append(s.Destinations, d)
	}
	sort.Slice(s.Destinations, func(i, j int) bool {
		a, b := s.Destinations[i], s.Destinations[j]
		ta, tb := a.Sent+a.Deferred+a.Bounced, b.Sent+b.Deferred+b.Bounced
		if ta != tb {
			return ta > tb
		}
		return a.Domain < b.Domain
	})
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
