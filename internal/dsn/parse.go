package dsn

import (
	"strings"
	"unicode/utf8"
)

// ParseBytes is Parse on a message in memory; input beyond MaxSize is ignored.
func ParseBytes(data []byte) (*Message, error) {
	if len(data) > MaxSize {
		data = data[:MaxSize]
	}
	hdr, body := splitHeader(data)
	if len(hdr) == 0 || !looksLikeMail(hdr) {
		return nil, ErrNotMail
	}
	m := &Message{
		From: decodeHeader(hdr.get("from")), To: decodeHeader(hdr.get("to")),
		Subject: clipText(decodeHeader(hdr.get("subject")), 1000), Date: hdr.get("date"),
		MessageID: cleanAddr(hdr.get("message-id")),
	}
	m.Results = parseMessage(hdr, body, m, 0)
	if len(m.Results) == 0 {
		return m, ErrNoReport
	}
	for i := range m.Results {
		r := &m.Results[i]
		if r.Date == "" {
			r.Date = m.Date
		}
		if r.Reason == "" {
			r.senderDomain = domainPart(cleanAddr(m.To))
			r.Reason = classify(r)
		}
	}
	return m, nil
}

// parseMessage finds the results of one message; depth > 0 for a message
// forwarded inside another.
func parseMessage(hdr header, body []byte, m *Message, depth int) []Result {
	if r, ok := junkReport(hdr, m); ok {
		return []Result{r}
	}
	if r, ok := unsubscribeRequest(hdr, m); ok {
		return []Result{r}
	}
	w := &walker{}
	w.walk(hdr, body, 0)
	bounce := isBounce(hdr, m)
	var out []Result
	switch {
	case len(w.feedback) > 0:
		out = w.complaints(hdr)
	case len(w.recips) > 0:
		out = w.dsnResults()
	default:
		for _, t := range w.texts {
			if out = sesResults(t); len(out) > 0 {
				break
			}
		}
		if len(out) == 0 && !bounce {
			if r, ok := autoReply(hdr, m); ok {
				// RFC 3834 marks and no mailer daemon: an auto-reply, even
				// if its text names addresses.
				return []Result{r}
			}
		}
		if len(out) == 0 && bounce {
			out = w.textResults(hdr, false)
		}
	}
	if len(out) == 0 && !fromMailerDaemon(hdr, m) {
		// A mailer daemon's report is never an auto-reply, although they
		// mark theirs Auto-Submitted: auto-replied. (A null Return-Path
		// proves nothing here: RFC 3834 §3.3 asks auto-replies for one.)
		if r, ok := autoReply(hdr, m); ok {
			return []Result{r}
		}
	}
	if len(out) == 0 && depth < 3 {
		// A report forwarded as an attachment or bounced back as a whole.
		for _, e := range w.embedded {
			h, b := splitHeader(e)
			if len(h) == 0 {
				continue
			}
			inner := &Message{Subject: clipText(decodeHeader(h.get("subject")), 1000), From: decodeHeader(h.get("from")), Date: h.get("date")}
			if out = parseMessage(h, b, inner, depth+1); len(out) > 0 {
				for i := range out {
					out[i].Forwarded = true
					if out[i].Date == "" {
						out[i].Date = inner.Date
					}
				}
				break
			}
		}
	}
	if len(out) == 0 && bounce {
		// A bounce whose text names no recipient (old sendmail "421
		// example.com (smtp)... Deferred"): the recipients come from
		// X-Failed-Recipients or the returned message.
		out = w.textResults(hdr, true)
	}
	if len(out) > 0 && out[0].Kind == KindRecipient {
		msgID, probeID := w.origIDs()
		for i := range out {
			if out[i].OriginalMessageID == "" {
				out[i].OriginalMessageID = msgID
			}
			if out[i].MxprobeID == "" {
				out[i].MxprobeID = probeID
			}
		}
	}
	return out
}

// dsnResults completes the recipients of the delivery-status parts.
func (w *walker) dsnResults() []Result {
	out := w.recips
	var textRs []Result
	textDone := false
	for i := range out {
		r := &out[i]
		if r.ReportingMTA == "" {
			r.ReportingMTA = w.perMessage.reportingMTA
		}
		r.OriginalEnvelopeID = w.perMessage.envID
		if r.ArrivalDate == "" {
			r.ArrivalDate = w.perMessage.arrival
		}
		if r.Action == "" {
			r.Action = actionFromStatus(r.Status, r.RemoteReply)
		}
		// Some MTAs leave Diagnostic-Code out of the report and only say it in
		// the human-readable part; Postfix says only there which command the
		// reply answered ("(in reply to RCPT TO command)").
		if r.Action != "delivered" && r.Action != "relayed" && r.Action != "expanded" && (r.RemoteReply == "" || r.Command == "" && w.namesCommand()) {
			if !textDone {
				for _, t := range w.texts {
					if textRs = parseTextBounce(t); len(textRs) > 0 {
						break
					}
				}
				textDone = true
			}
			for _, tr := range textRs {
				if !strings.EqualFold(tr.Recipient, r.Recipient) && !(len(textRs) == 1 && len(out) == 1) {
					continue
				}
				if r.RemoteReply == "" {
					r.RemoteReply, r.ReplyCode = tr.RemoteReply, tr.ReplyCode
				}
				if r.Command == "" {
					r.Command = tr.Command
				}
				if r.RemoteMTA == "" {
					r.RemoteMTA = tr.RemoteMTA
				}
				if r.context == "" && tr.localNote {
					r.context, r.localNote = tr.context, true
				}
				break
			}
		}
		if r.RemoteReply == "" && len(out) == 1 && r.Action == "failed" {
			// sendmail names a pipe or file recipient only in its transcript:
			// the one reply line there is this recipient's.
			r.RemoteReply = firstReplyLine(w.texts)
		}
		fillReply(r)
	}
	return out
}

// firstReplyLine returns the first line of the bounce texts that starts
// with a reply code (a transcript line), without the quoted original.
func firstReplyLine(texts []string) string {
	for _, t := range texts {
		if i := quotedOriginalStart(t); i >= 0 {
			t = t[:i]
		}
		for line := range strings.SplitSeq(t, "\n") {
			if l := strings.TrimSpace(line); reCodeLine.MatchString(l) {
				return l
			}
		}
	}
	return ""
}

// textResults reads a bounce without a delivery-status part.
func (w *walker) textResults(hdr header, fallback bool) []Result {
	if fallback {
		out := fallbackRecipients(hdr, w)
		w.finishText(out, "")
		return out
	}
	var out []Result
	for _, t := range w.texts {
		// A report pasted into the text (Amazon WorkMail's "Technical
		// report:", forwarded DSNs) is read as one.
		if loc := reInlineDSN.FindStringIndex(t); loc != nil {
			sub := &walker{texts: []string{t[:loc[0]]}} // the prose before the fields
			body := t[loc[0]:]
			if i := quotedOriginalStart(body); i > 0 {
				body = body[:i]
			}
			sub.parseDeliveryStatus([]byte(body))
			if len(sub.recips) > 0 {
				return sub.dsnResults()
			}
		}
	}
	var context string
	for _, t := range w.texts {
		if out = parseTextBounce(t); len(out) > 0 {
			context = t
			break
		}
	}
	w.finishText(out, context)
	return out
}

// finishText completes text results: reply fields and the bounce's own
// text as context for the classifier.
func (w *walker) finishText(out []Result, context string) {
	if context == "" && len(w.texts) > 0 {
		context = w.texts[0]
	}
	if i := quotedOriginalStart(context); i >= 0 {
		context = context[:i]
	}
	context = context[:min(len(context), 4096)]
	if len(out) > 1 {
		// The text describes several recipients: its words (another
		// address's "User unknown") are no cause of this one's.
		context = ""
	}
	for i := range out {
		fillReply(&out[i])
		if !out[i].localNote {
			out[i].context = context
		}
	}
}

// reInlineDSN finds RFC 3464 fields written into a text part.
var reInlineDSN = lazy(`(?im)^(?:reporting-mta|final-recipient|original-recipient)\s*:\s*\S`)

// origIDs returns the Message-ID and X-Mxprobe-Id of the returned original.
func (w *walker) origIDs() (msgID, probeID string) {
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
	reTextMsgID   = lazy(`(?im)^[ \t>]*message-id:[ \t]*(<[^>\r\n]{1,998}>|\S{1,998})`)
	reTextProbeID = lazy(`(?im)^[ \t>]*x-mxprobe-id:[ \t]*(\S{1,998})`)
)

func idsFromText(t string) (msgID, probeID string) {
	// Only look below the start of the quoted original, if there is a marker,
	// so that the bounce's own text is not mistaken for it.
	i := quotedOriginalStart(t)
	if i < 0 {
		return "", ""
	}
	t = t[i:]
	if m := reTextMsgID.FindStringSubmatch(t); m != nil {
		msgID = cleanAddr(m[1])
	}
	if m := reTextProbeID.FindStringSubmatch(t); m != nil {
		probeID = m[1]
	}
	return msgID, probeID
}

func actionFromStatus(status, diag string) string {
	switch {
	case strings.HasPrefix(status, "4"):
		return "delayed"
	case strings.HasPrefix(status, "2"):
		return "delivered"
	case status == "":
		if m := reReplyCodeAny.FindString(diag); strings.HasPrefix(m, "4") {
			return "delayed"
		}
	}
	return "failed"
}

var reReplyCodeAny = lazy(`\b[245]\d\d\b`)

// namesCommand tells whether a human-readable part says which SMTP command
// a reply answered (Postfix "in reply to RCPT TO command", Exim "after RCPT
// TO", DragonFly "did not like our RCPT TO").
func (w *walker) namesCommand() bool {
	for _, t := range w.texts {
		if strings.Contains(t, "in reply to") || strings.Contains(t, " after ") || strings.Contains(t, "did not like our") || strings.Contains(t, ">>> ") {
			return true
		}
	}
	return false
}

// clipText keeps at most n octets of s, cut at a rune boundary.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
