package dsn

import (
	"strconv"
	"strings"

	"github.com/mxprobe/mxprobe/internal/statuscode"
)

// Text bounces: messages that report failed recipients only in prose. The
// reader works on the shapes these texts share rather than on each MTA's
// exact sentences:
//
//   - a recipient alone on a line ("<addr>", "addr:", qmail's QSBMF
//     paragraphs, https://cr.yp.to/proto/qsbmf.txt; Exim's indented address
//     under "The following address(es) failed:"; Exchange 2003 "addr on
//     date"), followed by the lines that describe it;
//   - "<addr>: text" (Postfix bounce(8) without a report part, Courier);
//   - a reply line naming the recipient ("550 5.1.1 <addr>... User unknown",
//     sendmail's transcript, RFC 5321 §4.2);
//   - a sentence naming the recipient ("There was an error delivering your
//     mail to <addr>.", "Your message to addr couldn't be delivered"), in a
//     second pass when nothing of the above is found.
//
// The remote reply is then taken out of the describing lines with
// statuscode.ParseReply, which knows the wrappings (Postfix "said:", Exim
// "SMTP error from remote mail server after …", qmail "Remote host said:",
// Exchange "Remote Server returned '…'" and "<host #5.1.1 smtp;550 …>").

var (
	// An address alone on a line, optionally "<…>", a trailing colon, or an
	// Exchange 2003 date ("user@example.test am 01.02.2024 10:00", "… on 2/1/2024").
	reRcptAlone = lazy(`^(?:[-*•>]\s*)?(?i:rcpt to:\s*|to:\s*|recipient:\s*|address:\s*|original-recipient:\s*(?:rfc822;)?\s*)?<?([^\s<>@"()\[\]]{1,256}@[^\s<>@"()\[\]]{1,256}?)>?[:.,]?(?:\s+(?:am|on|auf|at|le|el)\s+\S.{0,60}|\s*\([^)]{0,120}\))?$`)
	// Postfix-style "<addr>: text" or qmail "<addr>:" (text may be empty).
	reRcptColon = lazy(`^<([^\s<>@"]{1,256}@[^\s<>@"]{1,256})>(?:\s*\([^)]*\))?:\s*(.*)$|^([^\s<>@"():]{1,256}@[^\s<>@"():]{1,256}):\s+(\S.*)$`)
	// "550 5.1.1 <addr>... User unknown" (sendmail), "addr... Deferred".
	reRcptReply = lazy(`^(?:[245]\d\d[ -](?:[245]\.\d{1,3}\.\d{1,3}\s+)?)?<?([^\s<>@"()]{1,256}@[^\s<>@"():]{1,256}?)>?(?:\.\.\.|:)\s*(.*)$`)
	// Any address in angle brackets or bare, for the second pass.
	reAddrAny     = lazy(`<?([A-Za-z0-9._%+=/'!#$&*?^{|}~-]{1,128}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+)>?`)
	reMailto      = lazy(`<mailto:[^>]*>|\(mailto:[^)]*\)`)
	reQmailHst    = lazy(`(?i)(?:connected to|giving up on)\s+([0-9a-f.:]+|[a-z0-9.-]+\.[a-z]{2,})|([0-9a-f.:]{7,})\s+(?:does not like recipient|failed after I sent the message)`)
	reHashCode    = lazy(`\(#([245]\.\d{1,3}\.\d{1,3})\)`)
	reOldExch     = lazy(`<\s*([^\s<>#]*)\s+#([245]\.\d{1,3}\.\d{1,3})(?:\s+smtp;\s*(.*?))?>(?:\s|$)`)
	reBareHost    = lazy(`(?i)^[a-z0-9-]+(?:\.[a-z0-9-]+)+$`)
	reGenServ     = lazy(`(?i)(?:generating server|generierender server|erstellender server|serveur de génération):\s*(\S+)`)
	reHostSaid    = lazy(`(?i)^(\S+\.[a-z]{2,})\.?\s+\[([0-9a-f.:]+)\]`)
	reReplyStart  = lazy(`(?:^|[\s:;'"(#])([245]\d\d)[ -]`)
	reCodeLine    = lazy(`^[245]\d\d[ -]|^[245]\.\d{1,3}\.\d{1,3}\b|^#[245]\d\d`)
	reRcptBracket = lazy(`^<?([^\s<>@"()\[\]]{1,256}@[^\s<>@"()\[\]]{1,256}?)>?\s+\[([^\]]{1,200})\]$`)
	reHeaderLine  = lazy(`^(?:from|reply-to|return-path|sender|message-id|references|in-reply-to|received|cc|bcc|date|subject|delivered-to|x-[a-z0-9-]+):`)
)

type textRcpt struct {
	addr  string
	orig  string // the address it was generated from (Exim "(ultimately generated from …)")
	note  string // the local delivery program's message (sendmail "mail.local: unknown user: bob")
	lines []string
	pre   []string // the lines of its paragraph before it (Domino: reason, then address)
}

// Marker lines after which text bounces quote the original message.
var quoteMarkers = []string{
	"--- Below this line is a copy of the message.",         // qmail
	"--- Enclosed are the original headers of the message.", // qmail
	"------ This is a copy of the message",                  // Exim
	"------ This is a copy of your message",
	"Original message headers:",            // Exchange 2010+
	"Ursprüngliche Nachrichtenkopfzeilen:", // Exchange 2010+, German
	"Header der ursprünglichen Nachricht:", // Exchange, German
	"En-têtes de message d'origine",        // Exchange, French
	"----- Original message -----",
	"----- Unsent message follows -----", // sendmail V5
	"----- Original message follows -----",
	"Message headers follow.",                 // DragonFly
	"Below is a copy of the original message", // OpenSMTPD
	"----- Original Message -----",
	"-----Original Message-----",
	"------ Original message ------",
	"Original message:",
	"--- The header of the original message is following. ---",
	"----- The following addresses had permanent fatal errors -----", // sendmail: ends nothing, see below
}

// markerPrefixes are the other common shapes of such a marker line, lower
// case, after leading dashes, equal signs and blanks.
var markerPrefixes = []string{
	"original message", "unsent message follows", "returned message", "message headers follow",
	"below this line is a copy of the message", "this is a copy of the message", "this is a copy of your message",
	"enclosed are the original headers", "received: from ", "the header of the original message",
}

func quotedOriginalStart(t string) int {
	best := -1
	for _, m := range quoteMarkers[:len(quoteMarkers)-1] {
		if i := strings.Index(t, m); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	pos := 0
	for line := range strings.SplitSeq(t, "\n") {
		if best >= 0 && pos >= best {
			break
		}
		if startsHeaderBlock(line) {
			// A returned header block without a marker line (Zoho puts
			// the original's header after a blank line).
			return pos
		}
		l := strings.TrimLeft(line, "-=_* \t")
		if len(l) >= 14 {
			low := strings.ToLower(l[:min(len(l), 48)])
			for _, p := range markerPrefixes {
				if strings.HasPrefix(low, p) && (p != "original message" || isMarkerEnd(strings.ToLower(l[len(p):]))) {
					return pos
				}
			}
		}
		pos += len(line) + 1
	}
	return best
}

// startsHeaderBlock tells whether a line, unindented (after any "> "
// quoting), is a Received: or Return-Path: field: in a bounce's text only
// a returned message's header has them.
func startsHeaderBlock(line string) bool {
	for strings.HasPrefix(line, ">") && !strings.HasPrefix(line, ">>>") {
		// A quoted bounce (a forward): "> Received: …".
		line = strings.TrimPrefix(strings.TrimPrefix(line, ">"), " ")
	}
	if len(line) < 12 || line[0] == ' ' || line[0] == '\t' {
		return false
	}
	low := strings.ToLower(line[:12])
	return strings.HasPrefix(low, "received:") || strings.HasPrefix(low, "return-path:")
}

// isMarkerEnd accepts what follows "original message" in a marker line
// ("--- Original message follows.", "Original message headers:"), not a
// sentence ("The original message was received at …" does not start so).
func isMarkerEnd(rest string) bool {
	rest = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(rest), "-=.: \r"))
	return rest == "" || rest == "follows" || rest == "headers"
}

// textFormat names the family of a text bounce from its wording.
func textFormat(lower string) string {
	switch {
	case strings.Contains(lower, "qmail-send") || strings.Contains(lower, "i've given up") ||
		strings.Contains(lower, "i'm not going to try again") || strings.Contains(lower, "remote host said:"):
		return FormatQmail
	case reOldExch.MatchString(lower) || strings.Contains(lower, "remote server returned") ||
		strings.Contains(lower, "diagnostic information for administrators") ||
		strings.Contains(lower, "diagnoseinformationen für administratoren") ||
		strings.Contains(lower, "nicht erreicht werden") || strings.Contains(lower, "could not be reached"):
		return FormatExchange
	}
	return FormatText
}

func parseTextBounce(t string) []Result {
	if i := quotedOriginalStart(t); i >= 0 {
		t = t[:i]
	}
	if len(t) > 256<<10 {
		t = t[:256<<10]
	}
	lower := strings.ToLower(t)
	format := textFormat(lower)
	rcpts := scanRecipients(t, false)
	if len(rcpts) == 0 {
		rcpts = scanRecipients(t, true)
	}
	tone := toneOf(lower)
	genServer := ""
	if m := reGenServ.FindStringSubmatch(t); m != nil {
		genServer = m[1]
	}
	reporting := genServer
	if m := reReportingHost.FindStringSubmatch(t); m != nil {
		reporting = strings.TrimSuffix(firstOf(m[1], m[2], m[3]), ".")
	}
	cmd := ""
	if m := reCmdSection.FindStringSubmatch(t); m != nil {
		cmd = strings.ToUpper(strings.Join(strings.Fields(m[1]), " "))
	}
	var out []Result
	for _, r := range rcpts {
		res := textResult(r, format, tone, genServer)
		res.ReportingMTA = reporting
		if r.orig != "" && res.OriginalRecipient == "" {
			res.OriginalRecipient = r.orig
		}
		if r.note != "" {
			res.context, res.localNote = r.note, true
		}
		if res.Command == "" {
			res.Command = cmd
		}
		out = append(out, res)
	}
	return out
}

// reLocalMailer matches the message of a local delivery program as
// sendmail's transcript quotes it ("mail.local: unknown user: bob",
// "procmail: Quota exceeded …").
var reLocalMailer = lazy(`(?i)^(?:mail\.local|procmail|dovecot(?:-lda)?|deliver|maildrop|cyrus(?:-deliver)?|lmtp|local|virtual):\s+\S`)

// reGenerated is Exim's note under a recipient that an alias or forward
// produced it; reSenderLead the line before the sender's address in
// Exim's newer bounce text.
var (
	reGenerated  = lazy(`(?i)^\(?(?:ultimately )?generated from\s+<?([^\s<>()]+@[^\s<>()]+?)>?\)?$`)
	reSenderLead = lazy(`(?i)^(?:a )?message (?:that you )?sent by:?$`)
)

// reCmdSection finds a section or field that names the SMTP command the
// remote server answered: m-FILTER's "-------SMTP command" block below
// "-------server message", or a "SMTP command: RCPT TO" line.
var reCmdSection = lazy(`(?im)^[-=\s]*smtp command\s*:?[ \t]*\n?[ \t]*(helo|ehlo|mail\s+from|rcpt\s+to|data)\b`)

// reReportingHost finds the host that wrote a text bounce: Postfix "This is
// the mail system at host X.", qmail "This is the qmail-send program at X.",
// DragonFly "This is the DragonFly Mail Agent … at X." and Exim's delay
// warning "… hours on the queue on X.".
var reReportingHost = lazy(`(?i)this is the mail system at host ([a-z0-9.-]+)|this is the (?:qmail-send program|dragonfly mail agent[^\n]*?) at ([a-z0-9.-]+)|hours on the queue on ([a-z0-9.-]+)`)

// scanRecipients finds recipient anchors and their describing lines. loose
// also takes addresses inside sentences.
func scanRecipients(t string, loose bool) []*textRcpt {
	s := &rcptScanner{loose: loose, byAddr: map[string]*textRcpt{}}
	for line := range strings.SplitSeq(t, "\n") {
		if !s.line(line) {
			break
		}
	}
	return s.finish()
}

// rcptScanner is the state of scanRecipients' walk over the lines of a
// text bounce.
type rcptScanner struct {
	loose              bool
	rcpts              []*textRcpt
	byAddr             map[string]*textRcpt
	cur                *textRcpt // the recipient the lines describe now
	pending            []string  // sendmail transcript lines before their recipient line
	prevLine, lastLine string
	para, lastReply    []string
	recap              *textRcpt // a recipient just taken from a "To:" line
}

// normLine trims a line, undoes "> " quoting (a bounce quoted in a reply or
// an inline forward) and drops mailto: links.
func normLine(line string) string {
	trim := strings.TrimSpace(line)
	for strings.HasPrefix(trim, ">") && !strings.HasPrefix(trim, ">>>") {
		trim = strings.TrimSpace(trim[1:])
	}
	if strings.Contains(trim, "mailto:") {
		trim = strings.TrimSpace(reMailto.ReplaceAllString(trim, ""))
	}
	return trim
}

// line takes one line; false ends the walk (too many recipients).
func (s *rcptScanner) line(line string) bool {
	trim := normLine(line)
	if trim == "" {
		s.blank()
		return true
	}
	s.prevLine, s.lastLine = s.lastLine, trim
	s.headerAndTranscript(trim)
	if s.cur != nil && s.cur.orig == "" && len(s.cur.lines) == 0 {
		if m := reGenerated.FindStringSubmatch(trim); m != nil {
			// Exim names the address an alias or forward expanded to
			// this recipient: the original recipient, not another one.
			s.cur.orig = m[1]
			return true
		}
	}
	if reSenderLead.MatchString(s.prevLine) && strings.IndexByte(trim, '@') > 0 && len(s.rcpts) == 0 {
		// Exim 4.9x: "A message sent by / <sender> / could not be
		// delivered …": the sender, no recipient.
		return true
	}
	addr, rest := "", ""
	if len(trim) > 4096 {
		trim = trim[:4096] // no address line or reply is that long
	}
	if strings.IndexByte(trim, '@') > 0 {
		addr, rest = anchor(trim, s.loose)
	}
	if addr != "" && strings.Contains(addr[strings.IndexByte(addr, '@'):], ".") {
		return s.addressLine(trim, addr, rest)
	}
	if s.cur != nil && len(s.cur.lines) < 60 {
		s.cur.lines = append(s.cur.lines, trim)
	} else if s.cur == nil && len(s.para) < 8 {
		s.para = append(s.para, trim)
	}
	return true
}

// blank ends a paragraph.
func (s *rcptScanner) blank() {
	if hasReply(s.para) {
		s.lastReply = append(s.lastReply[:0], s.para...)
	}
	s.para = s.para[:0]
	// A blank line ends a recipient's paragraph once it has a reply;
	// without one the next paragraphs may still give it (Gmail's "Technical
	// details of temporary failure" below "Message will be retried").
	if s.cur != nil && len(s.cur.lines) > 0 && (hasReply(s.cur.lines) || len(s.cur.lines) > 12) {
		s.cur = nil
	}
}

// headerAndTranscript undoes a recipient taken from a repeated header
// ("To:" then "Subject:") and keeps sendmail's transcript lines.
func (s *rcptScanner) headerAndTranscript(trim string) {
	if s.recap != nil && len(s.recap.lines) <= 1 && strings.HasPrefix(strings.ToLower(trim), "subject:") {
		// "To: addr" and then "Subject:": the bounce repeats the returned
		// message's header (Exchange 2003 "Your message / To: / Subject: /
		// Sent:"); the address is no recipient line.
		s.rcpts = s.rcpts[:len(s.rcpts)-1]
		delete(s.byAddr, strings.ToLower(s.recap.addr))
		s.cur = nil
	}
	s.recap = nil
	switch {
	case strings.HasPrefix(trim, "<<< ") && len(s.pending) < 8:
		// sendmail transcript: the remote reply, before the line that
		// names the recipient it concerns.
		s.pending = append(s.pending, trim)
	case strings.HasPrefix(trim, ">>> DATA"):
		// With PIPELINING (RFC 2920 §3.1) the replies after ">>> DATA" may
		// still answer the pipelined RCPT TOs: no command is known.
		s.pending = s.pending[:0]
	case strings.HasPrefix(trim, ">>> "):
		s.pending = append(s.pending[:0], trim) // the command it answers
	case strings.HasPrefix(strings.ToLower(trim), "while talking to"):
		s.pending = s.pending[:0]
	}
}

// addressLine takes a line that names a recipient; false ends the walk.
func (s *rcptScanner) addressLine(trim, addr, rest string) bool {
	key := strings.ToLower(addr)
	r := s.byAddr[key]
	if r == nil {
		if len(s.rcpts) >= maxRecipients {
			return false
		}
		pre := s.para
		if !hasReply(pre) && len(s.lastReply) > 0 {
			// The reason stands in a paragraph before the address (Apache
			// James "Error message below:", Domino).
			pre = s.lastReply
		}
		r = &textRcpt{addr: addr, pre: append([]string(nil), pre...)}
		s.byAddr[key] = r
		s.rcpts = append(s.rcpts, r)
		if strings.HasPrefix(strings.ToLower(trim), "to:") {
			s.recap = r
		}
	}
	if s.cur == r {
		// The paragraph's own recipient again (qmail's "Remote host said:
		// 550 5.2.1 <addr>... User Unknown"): part of its text.
		if reCodeLine.MatchString(trim) && reLocalMailer.MatchString(s.prevLine) {
			s.cur.note = s.prevLine // see transcriptLine
		}
		s.cur.lines = append(s.cur.lines, trim)
		return true
	}
	s.cur = r
	if reCodeLine.MatchString(trim) && reRcptReply.MatchString(trim) {
		s.transcriptLine(rest)
		return true
	}
	if rest != "" {
		s.cur.lines = append(s.cur.lines, rest)
	}
	return true
}

// transcriptLine takes a whole transcript line of the current recipient:
// "554 <addr>... reason", with the remote reply the "<<<" lines before
// gave. Lines the recipient already has ("(reason: 550 …)" under
// sendmail's list) give way to the remote reply, or stay alone.
func (s *rcptScanner) transcriptLine(rest string) {
	cur := s.cur
	if len(s.pending) > 0 {
		cur.lines = cur.lines[:0]
	} else if hasReply(cur.lines) {
		s.cur = nil
		return
	}
	if len(s.pending) == 0 && reLocalMailer.MatchString(s.prevLine) {
		// sendmail's local delivery: the mailer's own message stands
		// before "554 <addr>... Service unavailable".
		cur.note = s.prevLine
	}
	if len(s.pending) == 0 && strings.HasSuffix(s.prevLine, ":") {
		// A lead-in ("mx.example [192.0.2.25] did not like our RCPT TO:",
		// DragonFly) names host and command.
		cur.lines = append(cur.lines, s.prevLine)
	}
	cur.lines = append(cur.lines, s.pending...)
	if len(s.pending) == 0 {
		cur.lines = append(cur.lines, rest)
	}
	s.pending = s.pending[:0]
	s.cur = nil
}

// finish gives recipients without any describing line the text that
// follows the list (Exim "The following address(es) failed" lists, Gmail).
func (s *rcptScanner) finish() []*textRcpt {
	out := s.rcpts[:0]
	for _, r := range s.rcpts {
		if len(r.pre) > 0 && (len(r.lines) == 0 || !hasReply(r.lines) && hasReply(r.pre)) {
			r.lines = r.pre
		}
		if len(r.lines) > 0 || !s.loose {
			out = append(out, r)
		}
	}
	return out
}

// anchor returns the recipient a line names and the rest of the line that
// belongs to its description.
func anchor(trim string, loose bool) (addr, rest string) {
	if m := reRcptColon.FindStringSubmatch(trim); m != nil {
		if m[1] == "" {
			return m[3], m[4] // OpenSMTPD, Courier: "addr: reason"
		}
		return m[1], m[2]
	}
	if m := reRcptReply.FindStringSubmatch(trim); m != nil {
		if reCodeLine.MatchString(trim) {
			return m[1], trim
		}
		return m[1], m[2]
	}
	if m := reRcptAlone.FindStringSubmatch(trim); m != nil {
		return m[1], ""
	}
	if m := reRcptBracket.FindStringSubmatch(trim); m != nil {
		return m[1], m[2] // "addr [User unknown]"
	}
	if !loose || reCodeLine.MatchString(trim) {
		return "", ""
	}
	low := strings.ToLower(trim)
	if reHeaderLine.MatchString(low) || strings.HasPrefix(low, "from ") ||
		strings.Contains(low, "postmaster@") || strings.Contains(low, "mailer-daemon@") {
		return "", ""
	}
	if m := reAddrAny.FindStringSubmatchIndex(trim); m != nil {
		return strings.TrimRight(trim[m[2]:m[3]], "."), strings.TrimSpace(strings.TrimLeft(trim[m[1]:], ">.:,; "))
	}
	return "", ""
}

func textResult(r *textRcpt, format string, tone textTone, genServer string) Result {
	diag := strings.Join(r.lines, " ")
	b := Result{Kind: KindRecipient, Recipient: r.addr, Format: format, DiagnosticType: "smtp"}
	rep, _ := statuscode.ParseReply(diag)
	inner := rep.Raw
	if inner == "" {
		inner = diag
	}
	if m := reOldExch.FindStringSubmatch(diag); m != nil && m[3] != "" {
		// Exchange 2003/2007: "<mx.example #5.1.1 smtp;550 5.1.1 … >".
		inner = m[3]
		if b.RemoteMTA == "" {
			b.RemoteMTA = m[1]
		}
	} else if rep.Code != 0 {
		// Keep the remote reply itself, from its first code on.
		for _, m := range reReplyStart.FindAllStringSubmatchIndex(inner, 8) {
			if inner[m[2]:m[3]] == strconv.Itoa(rep.Code) {
				inner = inner[m[2]:]
				break
			}
		}
	}
	b.RemoteMTA, b.Command = rep.Host, rep.Command
	if b.RemoteMTA == "" {
		if m := reQmailHst.FindStringSubmatch(diag); m != nil {
			b.RemoteMTA = m[1] + m[2]
		} else if m := reHostSaid.FindStringSubmatch(diag); m != nil {
			b.RemoteMTA = m[1]
		}
	}
	if format == FormatQmail {
		// qmail names what happens next after the reply ("Giving up on …").
		if i := strings.Index(inner, " Giving up on "); i >= 0 {
			inner = inner[:i]
		}
	}
	if i := strings.Index(inner, " ##"); i > 0 {
		inner = inner[:i] // Exchange 2010+: "#550 5.1.1 RESOLVER… ##"
	}
	inner = strings.TrimSpace(inner)
	if strings.HasSuffix(inner, ")") && strings.Count(inner, ")") > strings.Count(inner, "(") {
		inner = strings.TrimSpace(inner[:len(inner)-1]) // "(reason: 550 …)"
	}
	if strings.HasSuffix(inner, "'") && strings.Count(inner, "'")%2 == 1 {
		// Exchange's "Remote Server returned '550 …'" wrapped over lines:
		// the closing quote is no part of the reply.
		inner = strings.TrimSpace(inner[:len(inner)-1])
	}
	b.RemoteReply = inner
	if len(b.RemoteReply) > 2000 {
		b.RemoteReply = b.RemoteReply[:2000]
	}
	b.ReplyCode = rep.Code
	switch {
	case !rep.Enhanced.IsZero():
		b.Status = rep.Enhanced.String()
	default:
		if m := reOldExch.FindStringSubmatch(diag); m != nil {
			b.Status = m[2]
		} else if m := reHashCode.FindStringSubmatch(diag); m != nil {
			b.Status = m[1]
		} else if m := findEnhanced(inner); m != "" {
			b.Status = m
		}
	}
	if b.RemoteMTA == "" && format == FormatExchange && len(r.lines) > 0 && reBareHost.MatchString(r.lines[0]) {
		// Exchange 2013+: the line after the address names the remote server.
		b.RemoteMTA = r.lines[0]
	}
	if b.RemoteMTA == "" && format == FormatExchange {
		b.RemoteMTA = genServer
	}
	b.Action = textAction(b.Status, b.ReplyCode, strings.ToLower(diag), tone)
	if strings.HasPrefix(b.Status, "2") {
		b.Status = "" // a success code in a failure text is not this recipient's status
	}
	return b
}

// textAction decides failed or delayed from the codes and the wording of
// warnings (sendmail "Warning: could not send message for past 4 hours",
// Exim "This message was created automatically … has not yet been
// delivered", Exchange "Delivery has been delayed").
func textAction(status string, code int, lowerDiag string, tone textTone) string {
	if strings.HasPrefix(status, "5") || code >= 500 {
		return "failed"
	}
	delayed := strings.HasPrefix(status, "4") || code >= 400 && code < 500 || tone.warning ||
		strings.Contains(lowerDiag, "will be retried") || strings.Contains(lowerDiag, "delay reason")
	if delayed && !tone.gaveUp {
		return "delayed"
	}
	return "failed"
}

// textTone is what the whole bounce text says about retrying, computed once
// per text (a text may name thousands of recipients).
type textTone struct{ warning, gaveUp bool }

func toneOf(lower string) textTone {
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(lower, s) {
				return true
			}
		}
		return false
	}
	return textTone{
		warning: has("this is a warning message only", "delivery has been delayed", "zustellung verzögert",
			"has not yet been delivered", "will keep trying", "still trying"),
		gaveUp: has("i've given up", "permanent error", "giving up", "too long", "expired"),
	}
}

// fallbackRecipients serves bounces whose text names no recipient (old
// sendmail "421 example.com (smtp)... Deferred", some web mailers): the
// X-Failed-Recipients header (Exim), else the To of the returned message,
// with the first reply line of the text as the diagnostic.
func fallbackRecipients(h header, w *walker) []Result {
	var addrs []string
	for _, f := range h {
		if f.name == "x-failed-recipients" {
			for a := range strings.SplitSeq(f.value, ",") {
				if a = cleanAddr(a); a != "" {
					addrs = append(addrs, a)
				}
			}
		}
	}
	var text string
	for _, t := range w.texts {
		text += t + "\n"
	}
	orig := text
	if i := quotedOriginalStart(text); i >= 0 {
		text, orig = text[:i], text[i:]
	} else {
		orig = ""
	}
	if len(addrs) == 0 {
		for _, oh := range w.origHdr {
			if a := cleanAddr(oh.get("to")); strings.Contains(a, "@") {
				addrs = append(addrs, a)
				break
			}
		}
	}
	if len(addrs) == 0 && orig != "" {
		if m := reToLine.FindStringSubmatch(orig); m != nil {
			if a := cleanAddr(m[1]); strings.Contains(a, "@") {
				addrs = append(addrs, a)
			}
		}
	}
	diag := ""
	for line := range strings.SplitSeq(text, "\n") {
		if l := strings.TrimSpace(line); reCodeLine.MatchString(l) {
			diag = l
			break
		}
	}
	var out []Result
	for _, a := range addrs {
		if len(out) >= maxRecipients {
			break
		}
		r := Result{Kind: KindRecipient, Recipient: a, Format: textFormat(strings.ToLower(text)), DiagnosticType: "smtp", RemoteReply: diag}
		rep, _ := statuscode.ParseReply(diag)
		r.ReplyCode = rep.Code
		if !rep.Enhanced.IsZero() {
			r.Status = rep.Enhanced.String()
		}
		r.Action = textAction(r.Status, r.ReplyCode, strings.ToLower(diag), toneOf(strings.ToLower(text)))
		out = append(out, r)
	}
	return out
}

// hasReply tells whether describing lines contain a reply or status code:
// a 2xx/4xx/5xx number or an x.y.z status standing alone (a cheap scan; it
// runs for every paragraph).
func hasReply(lines []string) bool {
	for _, l := range lines {
		for i := 0; i+2 < len(l); i++ {
			c := l[i]
			if c != '2' && c != '4' && c != '5' || i > 0 && (isDigit(l[i-1]) || l[i-1] == '.') {
				continue
			}
			if isDigit(l[i+1]) && isDigit(l[i+2]) && (i+3 == len(l) || !isDigit(l[i+3])) {
				return true
			}
			if l[i+1] == '.' && isDigit(l[i+2]) {
				return true
			}
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

var reToLine = lazy(`(?im)^to:\s*(.+)$`)
