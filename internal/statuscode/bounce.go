package statuscode

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/quotedprintable"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Limits for hostile input. A bounce larger than MaxBounceSize is parsed up to
// that size (returned headers and the report come early in a bounce); the
// MIME walk stops at maxParts parts and maxDepth nesting levels.
const (
	MaxBounceSize = 16 << 20
	maxParts      = 512
	maxDepth      = 12
	maxRecipients = 10000
)

// ErrNoBounce means the message carried neither an RFC 3464 delivery-status
// report nor a recognisable text bounce.
var ErrNoBounce = errors.New("statuscode: no delivery status or failed recipient found in message")

// Bounce formats, in BounceRecipient.Format.
const (
	FormatDSN      = "rfc3464"  // message/delivery-status part (RFC 3464)
	FormatQmail    = "qmail"    // qmail-send text bounce (QSBMF)
	FormatExchange = "exchange" // Exchange text NDR ("<host #5.1.1 smtp;550 …>", "Remote Server returned …")
	FormatText     = "text"     // other text bounce (Exim, Postfix without DSN, …)
)

// BounceRecipient is one per-recipient result of a bounce message.
type BounceRecipient struct {
	// FinalRecipient is the address the report is about (RFC 3464 §2.3.2),
	// without its address type ("rfc822;") and angle brackets.
	FinalRecipient string `json:"final_recipient"`
	// OriginalRecipient is the address as the sender gave it (RFC 3464 §2.3.1).
	OriginalRecipient string `json:"original_recipient,omitempty"`
	// Action is failed, delayed, delivered, relayed or expanded (RFC 3464 §2.3.3),
	// lower case. Text bounces give failed or delayed.
	Action string `json:"action"`
	// Status is the enhanced status code (RFC 3464 §2.3.4, RFC 3463), e.g. "5.1.1",
	// or "" when the bounce has none.
	Status string `json:"status,omitempty"`
	// DiagnosticCode is the remote server's reply (RFC 3464 §2.3.6) without its
	// type, e.g. "550 5.1.1 <x@example.test>: Recipient address rejected".
	DiagnosticCode string `json:"diagnostic_code,omitempty"`
	// DiagnosticType is the diagnostic type, usually "smtp" (lower case).
	DiagnosticType string `json:"diagnostic_type,omitempty"`
	// RemoteMTA is the host that gave the diagnostic (RFC 3464 §2.3.5), without type.
	RemoteMTA string `json:"remote_mta,omitempty"`
	// ReportingMTA is the MTA that wrote the report (RFC 3464 §2.2.2), without type.
	ReportingMTA string `json:"reporting_mta,omitempty"`
	// LastAttemptDate is the Last-Attempt-Date field as written (RFC 3464 §2.3.7).
	LastAttemptDate string `json:"last_attempt_date,omitempty"`
	// OriginalEnvelopeID is the report's Original-Envelope-Id (RFC 3464 §2.2.1),
	// the ENVID the sender gave in MAIL FROM (RFC 3461 §4.4).
	OriginalEnvelopeID string `json:"original_envelope_id,omitempty"`
	// MessageID is the Message-ID of the returned original message, without
	// angle brackets; empty when the bounce does not include its headers.
	MessageID string `json:"message_id,omitempty"`
	// MxprobeID is the X-Mxprobe-Id header of the returned original message.
	MxprobeID string `json:"mxprobe_id,omitempty"`
	// Format tells how the recipient was found: FormatDSN, FormatQmail, FormatExchange or FormatText.
	Format string `json:"format"`
}

// Failed reports whether the recipient was not (yet) delivered: action failed or delayed.
func (b BounceRecipient) Failed() bool { return b.Action == "failed" || b.Action == "delayed" }

// ParseBounce reads a bounce message and returns one BounceRecipient per
// recipient it reports, in the order of the report. It understands RFC 3464
// multipart/report; report-type=delivery-status messages (RFC 6522), also
// nested in other multiparts and with message/global-delivery-status (RFC 6533),
// and text bounces without a report part (qmail, Exim, Exchange NDRs in
// English and German). Input beyond MaxBounceSize is ignored. It returns
// ErrNoBounce when nothing in the message names a recipient.
func ParseBounce(r io.Reader) ([]BounceRecipient, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBounceSize))
	if err != nil {
		return nil, fmt.Errorf("statuscode: reading bounce: %w", err)
	}
	hdr, body := splitHeader(data)
	w := &bounceWalker{}
	w.walk(hdr, body, 0)
	if len(w.recips) == 0 {
		// A bounce forwarded as an attachment: look inside the embedded messages.
		for _, m := range w.embedded {
			if len(w.recips) > 0 {
				break
			}
			inner := &bounceWalker{parts: w.parts}
			h, b := splitHeader(m)
			inner.walk(h, b, 1)
			if len(inner.recips) > 0 {
				w.recips, w.perMessage, w.origHdr = inner.recips, inner.perMessage, inner.origHdr
				w.texts = inner.texts
			}
		}
	}
	var out []BounceRecipient
	if len(w.recips) > 0 {
		out = w.recips
		for i := range out {
			out[i].Format = FormatDSN
			if out[i].ReportingMTA == "" {
				out[i].ReportingMTA = w.perMessage.ReportingMTA
			}
			out[i].OriginalEnvelopeID = w.perMessage.OriginalEnvelopeID
		}
		// Some MTAs leave Diagnostic-Code out of the report and only say it in
		// the human-readable part.
		for i := range out {
			if out[i].DiagnosticCode == "" {
				for _, t := range w.texts {
					for _, tr := range parseTextBounce(t) {
						if strings.EqualFold(tr.FinalRecipient, out[i].FinalRecipient) && tr.DiagnosticCode != "" {
							out[i].DiagnosticCode = tr.DiagnosticCode
							if out[i].RemoteMTA == "" {
								out[i].RemoteMTA = tr.RemoteMTA
							}
						}
					}
					if out[i].DiagnosticCode != "" {
						break
					}
				}
			}
		}
	} else {
		for _, t := range w.texts {
			out = append(out, parseTextBounce(t)...)
			if len(out) > 0 {
				break
			}
		}
	}
	if len(out) == 0 {
		return nil, ErrNoBounce
	}
	msgID, probeID := w.origIDs()
	for i := range out {
		if out[i].MessageID == "" {
			out[i].MessageID = msgID
		}
		if out[i].MxprobeID == "" {
			out[i].MxprobeID = probeID
		}
		if out[i].Action == "" {
			out[i].Action = actionFromStatus(out[i].Status, out[i].DiagnosticCode)
		}
	}
	return out, nil
}

// header is a tolerant parse of an RFC 5322 header block: field names lower
// case, values unfolded, in order.
type header []field

type field struct{ name, value string }

func (h header) get(name string) string {
	for _, f := range h {
		if f.name == name {
			return f.value
		}
	}
	return ""
}

// splitHeader separates a header block from its body. It never fails: lines
// without a colon end the header (they belong to the body), a leading mbox
// "From " line is skipped.
func splitHeader(b []byte) (header, []byte) {
	var h header
	if bytes.HasPrefix(b, []byte("From ")) {
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	rest := b
	for len(rest) > 0 {
		line, next := cutLine(rest)
		if len(bytes.TrimRight(line, "\r")) == 0 {
			return h, next
		}
		if (line[0] == ' ' || line[0] == '\t') && len(h) > 0 {
			h[len(h)-1].value += " " + strings.TrimSpace(string(line))
			rest = next
			continue
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || len(name) == 0 || bytes.ContainsAny(name, " \t") {
			if len(h) == 0 {
				return nil, b // not a header at all
			}
			return h, rest
		}
		h = append(h, field{strings.ToLower(string(name)), strings.TrimSpace(string(value))})
		rest = next
	}
	return h, nil
}

func cutLine(b []byte) (line, rest []byte) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return bytes.TrimRight(b[:i], "\r"), b[i+1:]
	}
	return bytes.TrimRight(b, "\r"), nil
}

type perMessage struct{ ReportingMTA, OriginalEnvelopeID string }

type bounceWalker struct {
	parts      int
	recips     []BounceRecipient
	perMessage perMessage
	origHdr    []header // returned headers (message/rfc822, text/rfc822-headers)
	embedded   [][]byte // embedded messages, for forwarded bounces
	texts      []string // human-readable parts, decoded to UTF-8
}

func (w *bounceWalker) walk(h header, body []byte, depth int) {
	w.parts++
	if depth > maxDepth || w.parts > maxParts {
		return
	}
	ct := h.get("content-type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || ct == "" {
		mt, params = "text/plain", nil
	}
	body = decodeTransfer(h.get("content-transfer-encoding"), body)
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		boundary := params["boundary"]
		if boundary == "" {
			w.texts = append(w.texts, toUTF8(body, ""))
			return
		}
		for _, p := range splitMultipart(body, boundary) {
			ph, pb := splitHeader(p)
			w.walk(ph, pb, depth+1)
			if w.parts > maxParts {
				return
			}
		}
	case mt == "message/delivery-status" || mt == "message/global-delivery-status":
		// RFC 3464 §2.1 / RFC 6533 §6.2: per-message fields, then per-recipient blocks.
		w.parseDeliveryStatus(body)
	case mt == "message/rfc822" || mt == "message/global":
		eh, _ := splitHeader(body)
		if len(eh) > 0 {
			w.origHdr = append(w.origHdr, eh)
		}
		w.embedded = append(w.embedded, body)
	case mt == "text/rfc822-headers" || mt == "message/global-headers":
		eh, _ := splitHeader(body)
		if len(eh) > 0 {
			w.origHdr = append(w.origHdr, eh)
		}
	case mt == "text/html":
		w.texts = append(w.texts, htmlToText(toUTF8(body, params["charset"])))
	case strings.HasPrefix(mt, "text/"):
		w.texts = append(w.texts, toUTF8(body, params["charset"]))
	}
}

// splitMultipart cuts a multipart body at its boundary lines (RFC 2046 §5.1.1).
// It is tolerant: a missing close delimiter ends the last part at the end of
// the data, and transport padding after the boundary is ignored.
func splitMultipart(body []byte, boundary string) [][]byte {
	delim := []byte("--" + boundary)
	var parts [][]byte
	var cur []byte
	in := false
	start := 0
	rest := body
	pos := 0
	for len(rest) > 0 {
		line, next := cutLine(rest)
		lineStart := pos
		pos += len(rest) - len(next)
		rest = next
		if bytes.HasPrefix(line, delim) {
			tail := bytes.TrimSpace(line[len(delim):])
			if in {
				end := lineStart
				// The CRLF before the delimiter belongs to the delimiter.
				if end > start && body[end-1] == '\n' {
					end--
					if end > start && body[end-1] == '\r' {
						end--
					}
				}
				if end < start {
					end = start
				}
				cur = body[start:end]
				parts = append(parts, cur)
				if len(parts) >= maxParts {
					return parts
				}
			}
			if bytes.HasPrefix(tail, []byte("--")) {
				return parts
			}
			if len(tail) == 0 {
				in = true
				start = pos
			}
		}
	}
	if in && start < len(body) {
		parts = append(parts, body[start:])
	}
	return parts
}

func decodeTransfer(cte string, body []byte) []byte {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		clean := make([]byte, 0, len(body))
		for _, c := range body {
			if c == '=' || c == '+' || c == '/' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
				clean = append(clean, c)
			}
		}
		if i := bytes.IndexByte(clean, '='); i >= 0 {
			clean = clean[:i]
		}
		if len(clean)%4 == 1 {
			clean = clean[:len(clean)-1]
		}
		out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
		n, _ := base64.RawStdEncoding.Decode(out, clean)
		return out[:n]
	case "quoted-printable":
		out, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		return out
	}
	return body
}

// toUTF8 converts a text body to UTF-8. Bounces come in UTF-8, US-ASCII,
// ISO-8859-1 or Windows-1252 (German Exchange NDRs); anything else that is not
// valid UTF-8 is read as Windows-1252, which keeps ASCII intact.
func toUTF8(b []byte, charset string) string {
	cs := strings.ToLower(charset)
	if utf8.Valid(b) && cs != "iso-8859-1" && cs != "windows-1252" && cs != "latin1" {
		return string(b)
	}
	if utf8.Valid(b) && !hasHighBytes(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/8)
	for _, c := range b {
		switch {
		case c < 0x80:
			sb.WriteByte(c)
		case c >= 0x80 && c < 0xa0:
			sb.WriteRune(cp1252[c-0x80])
		default:
			sb.WriteRune(rune(c))
		}
	}
	return sb.String()
}

func hasHighBytes(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// cp1252 maps Windows-1252 0x80–0x9F to Unicode.
var cp1252 = [32]rune{
	'€', '\ufffd', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\ufffd', 'Ž', '\ufffd',
	'\ufffd', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\ufffd', 'ž', 'Ÿ',
}

var (
	reHTMLBreak  = regexp.MustCompile(`(?i)<\s*(br|/p|/div|/tr|/li|/h[1-6]|p|div|tr|li)\b[^>]*>`)
	reHTMLTag    = regexp.MustCompile(`(?s)<[^>]*>`)
	reHTMLIndent = regexp.MustCompile(`\n[ \t]+`)
	reHTMLDrop   = regexp.MustCompile(`(?is)<(style|script|head)\b.*?</(style|script|head)\s*>`)
)

func htmlToText(s string) string {
	s = reHTMLDrop.ReplaceAllString(s, "")
	// Raw line breaks are only white space in HTML; the tags make the lines.
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	s = reHTMLBreak.ReplaceAllString(s, "\n")
	s = reHTMLTag.ReplaceAllString(s, "")
	s = reHTMLIndent.ReplaceAllString(s, "\n")
	return html.UnescapeString(s)
}

// parseDeliveryStatus reads the body of a message/delivery-status part.
// RFC 3464 §2.1: one group of per-message fields, then one group of
// per-recipient fields per recipient, separated by blank lines. Real reports
// fold lines, miss separators or repeat groups; a new recipient starts at each
// blank line and at a repeated Final-Recipient.
func (w *bounceWalker) parseDeliveryStatus(body []byte) {
	var cur *BounceRecipient
	flush := func() {
		if cur != nil && (cur.FinalRecipient != "" || cur.OriginalRecipient != "") && len(w.recips) < maxRecipients {
			if cur.FinalRecipient == "" {
				cur.FinalRecipient = cur.OriginalRecipient
			}
			w.recips = append(w.recips, *cur)
		}
		cur = nil
	}
	var group header
	endGroup := func() {
		for _, f := range group {
			cur = w.applyDSNField(cur, f, flush)
		}
		group = group[:0]
		flush()
	}
	rest := body
	for len(rest) > 0 {
		var line []byte
		line, rest = cutLine(rest)
		switch {
		case len(bytes.TrimSpace(line)) == 0:
			endGroup()
		case (line[0] == ' ' || line[0] == '\t') && len(group) > 0:
			group[len(group)-1].value += " " + strings.TrimSpace(string(line))
		default:
			if n, v, ok := strings.Cut(string(line), ":"); ok {
				group = append(group, field{strings.ToLower(strings.TrimSpace(n)), strings.TrimSpace(v)})
			}
		}
	}
	endGroup()
}

func (w *bounceWalker) applyDSNField(cur *BounceRecipient, f field, flush func()) *BounceRecipient {
	v := f.value
	switch f.name {
	case "reporting-mta":
		w.perMessage.ReportingMTA = cleanHost(stripType(v))
		return cur
	case "original-envelope-id":
		w.perMessage.OriginalEnvelopeID = strings.TrimSpace(v)
		return cur
	case "arrival-date", "received-from-mta", "dsn-gateway", "x-postfix-queue-id", "x-postfix-sender", "x-original-message-id":
		return cur
	}
	if cur == nil {
		cur = &BounceRecipient{}
	}
	switch f.name {
	case "final-recipient", "x-actual-recipient":
		if f.name == "x-actual-recipient" {
			if cur.FinalRecipient == "" {
				cur.FinalRecipient = cleanAddr(stripType(v))
			}
			return cur
		}
		if cur.FinalRecipient != "" {
			// Missing blank line between two recipients.
			flush()
			cur = &BounceRecipient{}
		}
		cur.FinalRecipient = cleanAddr(stripType(v))
	case "original-recipient":
		if cur.OriginalRecipient != "" {
			flush()
			cur = &BounceRecipient{}
		}
		cur.OriginalRecipient = cleanAddr(stripType(v))
	case "action":
		// RFC 3464 §2.3.3; some MTAs add a comment ("failed (bad address)").
		a := strings.ToLower(strings.TrimSpace(v))
		if i := strings.IndexAny(a, " \t("); i >= 0 {
			a = a[:i]
		}
		cur.Action = a
	case "status":
		if m := reEnhancedAny.FindString(v); m != "" {
			cur.Status = m
		}
	case "diagnostic-code":
		t, d := splitType(v)
		cur.DiagnosticType, cur.DiagnosticCode = t, d
	case "remote-mta":
		cur.RemoteMTA = cleanHost(stripType(v))
	case "last-attempt-date":
		cur.LastAttemptDate = v
	}
	return cur
}

// reEnhancedAny finds an enhanced status code (RFC 3463 §2) in free text.
var reEnhancedAny = regexp.MustCompile(`\b[245]\.\d{1,3}\.\d{1,3}\b`)

// splitType splits "smtp; 550 …" into "smtp" and "550 …" (RFC 3464 §2.3.6).
func splitType(v string) (typ, rest string) {
	if i := strings.IndexByte(v, ';'); i > 0 && i < 20 && !strings.ContainsAny(v[:i], " <>@") {
		return strings.ToLower(strings.TrimSpace(v[:i])), strings.TrimSpace(v[i+1:])
	}
	return "", strings.TrimSpace(v)
}

func stripType(v string) string {
	_, rest := splitType(v)
	return rest
}

// cleanHost keeps the host name of an MTA field: Gmail writes
// "gmail-smtp-in.l.google.com. (192.0.2.27, the server for the domain …)".
func cleanHost(h string) string {
	h = strings.TrimSpace(h)
	if i := strings.IndexAny(h, " \t("); i > 0 {
		h = h[:i]
	}
	return strings.TrimSuffix(strings.Trim(h, "[]"), ".")
}

// cleanAddr removes angle brackets and a trailing comment from an address.
func cleanAddr(a string) string {
	a = strings.TrimSpace(a)
	if i := strings.IndexByte(a, '('); i > 0 {
		a = strings.TrimSpace(a[:i])
	}
	a = strings.TrimPrefix(a, "<")
	a = strings.TrimSuffix(a, ">")
	return strings.TrimSpace(a)
}

// origIDs returns the Message-ID and X-Mxprobe-Id of the returned original.
func (w *bounceWalker) origIDs() (msgID, probeID string) {
	for _, h := range w.origHdr {
		if msgID == "" {
			msgID = cleanAddr(h.get("message-id"))
		}
		if probeID == "" {
			probeID = strings.TrimSpace(h.get("x-mxprobe-id"))
		}
	}
	if msgID == "" || probeID == "" {
		// Text bounces (qmail, Exim) quote the original below a marker line.
		for _, t := range w.texts {
			m, p := idsFromText(t)
			if msgID == "" {
				msgID = m
			}
			if probeID == "" {
				probeID = p
			}
		}
	}
	return msgID, probeID
}

var (
	reTextMsgID   = regexp.MustCompile(`(?im)^message-id:[ \t]*(<[^>\r\n]{1,998}>|\S{1,998})`)
	reTextProbeID = regexp.MustCompile(`(?im)^x-mxprobe-id:[ \t]*(\S{1,998})`)
)

func idsFromText(t string) (msgID, probeID string) {
	// Only look below the start of the quoted original, if there is a marker,
	// so that the bounce's own text is not mistaken for it.
	if i := quotedOriginalStart(t); i >= 0 {
		t = t[i:]
	}
	if m := reTextMsgID.FindStringSubmatch(t); m != nil {
		msgID = cleanAddr(m[1])
	}
	if m := reTextProbeID.FindStringSubmatch(t); m != nil {
		probeID = m[1]
	}
	return msgID, probeID
}

// Marker lines after which text bounces quote the original message.
var quoteMarkers = []string{
	"--- Below this line is a copy of the message.",         // qmail
	"--- Enclosed are the original headers of the message.", // qmail
	"------ This is a copy of the message",                  // Exim
	"Original message headers:",                             // Exchange 2010+
	"Ursprüngliche Nachrichtenkopfzeilen:",                  // Exchange 2010+, German
	"Header der ursprünglichen Nachricht:",                  // Exchange, German
	"----- Original message -----",
	"----- Transcript of session follows -----", // sendmail: not a quote, but ends the report
}

func quotedOriginalStart(t string) int {
	best := -1
	for _, m := range quoteMarkers[:len(quoteMarkers)-1] {
		if i := strings.Index(t, m); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	return best
}

func actionFromStatus(status, diag string) string {
	if strings.HasPrefix(status, "4") {
		return "delayed"
	}
	if strings.HasPrefix(status, "2") {
		return "delivered"
	}
	if status == "" {
		if m := reReplyCodeAny.FindString(diag); strings.HasPrefix(m, "4") {
			return "delayed"
		}
	}
	return "failed"
}

var reReplyCodeAny = regexp.MustCompile(`\b[245]\d\d\b`)
