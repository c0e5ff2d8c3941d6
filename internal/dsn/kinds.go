package dsn

import (
	"strings"
)

// complaints turns the message/feedback-report parts into one result per
// reported recipient (RFC 5965 §3.1, §3.2: Original-Rcpt-To may repeat;
// some feedback loops name the address in Removal-Recipient instead), at
// least one per report.
func (w *walker) complaints(top header) []Result {
	msgID, probeID := w.origIDs()
	subject := ""
	for _, h := range w.origHdr {
		if s := h.get("subject"); s != "" {
			subject = decodeHeader(s)
			break
		}
	}
	var out []Result
	for _, fb := range w.feedback {
		base := Result{
			Kind: KindComplaint, Format: FormatARF,
			FeedbackType:      strings.ToLower(strings.TrimSpace(fb.h.get("feedback-type"))),
			UserAgent:         fb.h.get("user-agent"),
			SourceIP:          strings.Trim(fb.h.get("source-ip"), "[] "),
			ArrivalDate:       firstOf(fb.h.get("arrival-date"), fb.h.get("received-date")),
			ReportingMTA:      cleanHost(stripType(fb.h.get("reporting-mta"))),
			OriginalMessageID: msgID, MxprobeID: probeID, Subject: subject,
		}
		if id := fb.h.get("original-message-id"); id != "" && base.OriginalMessageID == "" {
			base.OriginalMessageID = cleanAddr(id)
		}
		n := 0
		for _, f := range fb.h {
			if (f.name == "original-rcpt-to" || f.name == "removal-recipient") && len(out) < maxRecipients {
				r := base
				r.Recipient = cleanAddr(f.value)
				out = append(out, r)
				n++
			}
		}
		if n == 0 {
			r := base
			for _, h := range w.origHdr {
				if r.Recipient = cleanAddr(h.get("to")); r.Recipient != "" {
					break
				}
			}
			out = append(out, r)
		}
	}
	return out
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// reAutoSubject matches subjects of automatic replies in English, German,
// French and Japanese.
var reAutoSubject = lazy(`(?i)^\s*(?:auto(?:matic)?[ -]?(?:reply|response|antwort)|auto:|autoreply|out of (?:the )?office|abwesenheit|automatische antwort|réponse automatique|r[ée]ponse en absence|absence|vacation|away from|自動(?:応答|返信)|不在)`)

// autoReply recognises an RFC 3834 automatic response: Auto-Submitted:
// auto-replied (§5), or the older conventions its §3.1.7 and the mail
// programs use (X-Autoreply, X-Autorespond, Precedence: auto_reply, an
// out-of-office subject).
func autoReply(h header, m *Message) (Result, bool) {
	as := strings.ToLower(h.get("auto-submitted"))
	prec := strings.ToLower(h.get("precedence"))
	ok := strings.HasPrefix(as, "auto-replied") ||
		h.has("x-autoreply") || h.has("x-autorespond") || h.has("x-autoreply-from") ||
		strings.Contains(prec, "auto_reply") || strings.EqualFold(h.get("x-auto-response-suppress"), "all") && reAutoSubject.MatchString(m.Subject) ||
		reAutoSubject.MatchString(m.Subject) && (as != "" || prec != "")
	if !ok {
		if !reAutoSubject.MatchString(m.Subject) {
			return Result{}, false
		}
	}
	return Result{
		Kind: KindAutoReply, Format: FormatAutoReply, Recipient: cleanAddr(m.From),
		Subject: m.Subject, OriginalMessageID: cleanAddr(firstOf(h.get("in-reply-to"), h.get("references"))),
	}, true
}

// unsubscribeRequest recognises a request to leave a mailing list: the
// mail a mail program sends to the mailto: address of a List-Unsubscribe
// header (RFC 2369 §3.2) when its user presses "unsubscribe". Apple Mail
// marks it X-Apple-Unsubscribe: true; others send the subject the header's
// mailto URL gives, by custom "unsubscribe". It is no auto-reply, although
// it may carry Auto-Submitted.
func unsubscribeRequest(h header, m *Message) (Result, bool) {
	apple := strings.EqualFold(strings.TrimSpace(h.get("x-apple-unsubscribe")), "true")
	if !apple && !strings.EqualFold(strings.TrimSpace(m.Subject), "unsubscribe") {
		return Result{}, false
	}
	if fromMailerDaemon(h, m) {
		return Result{}, false // a bounce of such a request is a bounce
	}
	return Result{
		Kind: KindUnsubscribe, Format: FormatUnsub, Recipient: cleanAddr(m.From), Subject: m.Subject,
		OriginalMessageID: cleanAddr(firstOf(h.get("in-reply-to"), h.get("references"))),
	}, true
}

// junkReport recognises a Microsoft junk-mail report forward: Outlook.com /
// Hotmail sends a copy of a mail that one of its users marked as junk to
// the address enrolled in its Junk Mail Reporting Program, sometimes as a
// plain copy rather than an ARF report. Its marks are X-Sender:
// staff@hotmail.com, X-Hmxmroriginalrecipient (the Microsoft user who
// reported it) and X-MS-Exchange-EOPDirect.
func junkReport(h header, m *Message) (Result, bool) {
	hm := h.get("x-hmxmroriginalrecipient")
	staff := strings.Contains(strings.ToLower(h.get("x-sender")), "staff@hotmail.com")
	eop := h.has("x-ms-exchange-eopdirect")
	if hm == "" && !(staff && eop) && !(staff && strings.Contains(strings.ToLower(m.From), "hotmail")) {
		return Result{}, false
	}
	if hm == "" && !staff {
		return Result{}, false
	}
	return Result{
		Kind: KindJunkReport, Format: FormatJunk, Recipient: cleanAddr(hm),
		Subject: m.Subject, OriginalMessageID: m.MessageID, MxprobeID: strings.TrimSpace(h.get("x-mxprobe-id")),
		SourceIP: strings.Trim(firstOf(h.get("x-originating-ip"), h.get("x-sid-pra-ip")), "[] "),
	}, true
}

// reBounceSubject matches the subjects bounces carry in the wild.
var reBounceSubject = lazy(`(?i)(undeliver|delivery (?:status|fail|notification|problem|report)|returned mail|return(?:ed)? to sender|failure notice|mail delivery (?:failed|failure|system)|could not be delivered|not delivered|delivery has failed|nondeliverable|non[- ]?delivery|mail system error|warning: could not send|message (?:not delivered|delayed|rejected)|delivery failure|mail rejected|returned message|unzustellbar|nicht zustellbar|zustellung fehlgeschlagen|unzustellbare|nachricht nicht zugestellt|non remis|non distribuable|échec de (?:la )?remise|rapport de remise|配信(?:エラー|不能|失敗)|不達|エラーメール|メールエラー|エラー通知|送信エラー|配信状態|undeliverable|delivery notification|mail error|delivery delayed|delayed mail|mail could not be delivered)`)

var reDaemon = lazy(`(?i)(mailer-daemon|post_?master|mail delivery|maildelivery|mail-daemon|mailerdaemon|mdaemon|mail administrator|mail system)`)

// fromMailerDaemon tells whether a message is a mailer daemon's report by
// its author or structure: a daemon's From, failed recipients named, a
// multipart/report.
func fromMailerDaemon(h header, m *Message) bool {
	return reDaemon.MatchString(m.From) || h.has("x-failed-recipients") ||
		strings.Contains(strings.ToLower(h.get("content-type")), "multipart/report")
}

// isBounce tells whether a message without a report part is a bounce at
// all: written by a mailer daemon (RFC 5321 §4.5.5 null reverse path), with
// a bounce subject, or naming failed recipients.
func isBounce(h header, m *Message) bool {
	rp := strings.TrimSpace(h.get("return-path"))
	return fromMailerDaemon(h, m) || rp == "<>" || reBounceSubject.MatchString(m.Subject)
}
