// Package dsn reads delivery reports into per-recipient results: RFC 3464
// delivery status notifications (RFC 6522 multipart/report, RFC 6533 global
// DSNs), the plain-text bounces of the MTAs that do not write one (Postfix,
// Sendmail, Exim, qmail, Exchange, Domino, Courier, OpenSMTPD, DragonFly and
// the big mailbox providers, in English, German, French and Japanese
// wording), RFC 5965 complaint reports (ARF), RFC 3834 auto-replies and
// Microsoft's junk-mail-report forwards. The reason of each result is in the
// vocabulary of mxprobe explain (see classify).
package dsn

import (
	"errors"
)

// Limits for hostile input. A message is read up to MaxSize octets (the
// report parts come before any returned original, RFC 6522 §3); the rest is
// read and discarded, so memory stays bounded whatever the input size.
const (
	MaxSize       = 4 << 20
	maxParts      = 256
	maxDepth      = 10
	maxRecipients = 2000
)

// Errors. ErrNotMail: the input is not an Internet message at all (no RFC
// 5322 header). ErrNoReport: it is a message, but none of the kinds this
// package reads.
var (
	ErrNotMail  = errors.New("dsn: input is not a mail message")
	ErrNoReport = errors.New("dsn: message is no delivery report, complaint report or auto-reply")
)

// Kind tells what a Result reports.
type Kind string

// Result kinds.
const (
	// KindRecipient: a delivery status for one recipient (any RFC 3464 action).
	KindRecipient Kind = "recipient"
	// KindComplaint: an RFC 5965 abuse/complaint report (ARF, Microsoft JMRP).
	KindComplaint Kind = "complaint"
	// KindAutoReply: an RFC 3834 automatic reply (vacation, out of office).
	KindAutoReply Kind = "autoreply"
	// KindJunkReport: a Microsoft junk-mail report forwarded as a plain copy
	// of the reported mail (X-Sender: staff@hotmail.com, X-Hmxmroriginalrecipient).
	KindJunkReport Kind = "junkreport"
	// KindUnsubscribe: a request to leave a mailing list that the
	// recipient's mail program sent to the list's List-Unsubscribe mailto
	// address (RFC 2369 §3.2; Apple Mail marks it X-Apple-Unsubscribe).
	KindUnsubscribe Kind = "unsubscribe"
)

// Formats, in Result.Format: how the result was found.
const (
	FormatDSN       = "rfc3464" // message/delivery-status or message/global-delivery-status
	FormatARF       = "arf"     // message/feedback-report (RFC 5965)
	FormatAutoReply = "rfc3834"
	FormatJunk      = "microsoft-junk-report"
	FormatUnsub     = "list-unsubscribe"
	FormatQmail     = "qmail"
	FormatExchange  = "exchange"
	FormatSES       = "amazon-ses" // Amazon SES JSON notification
	FormatText      = "text"       // any other plain-text bounce
)

// Result is one recipient of a delivery report, or one complaint report or
// auto-reply. Field names of the JSON form are a public contract (docs/json.md).
type Result struct {
	Kind Kind `json:"kind"`
	// Recipient is the final recipient (RFC 3464 §2.3.2) without address type
	// and angle brackets; for a complaint, the reported original recipient;
	// for an auto-reply, its sender.
	Recipient string `json:"recipient,omitempty"`
	// OriginalRecipient is the address as the sender gave it (RFC 3464 §2.3.1).
	OriginalRecipient string `json:"original_recipient,omitempty"`
	// Action: failed, delayed, delivered, relayed or expanded (RFC 3464 §2.3.3).
	Action string `json:"action,omitempty"`
	// Status is the enhanced status code (RFC 3463), "" when the report has none.
	Status string `json:"status,omitempty"`
	// ReplyCode is the basic SMTP reply code in the remote reply, 0 when none.
	ReplyCode int `json:"reply_code,omitempty"`
	// RemoteReply is the remote server's reply (Diagnostic-Code, RFC 3464
	// §2.3.6, without its type; or the quoted reply of a text bounce), verbatim
	// apart from line unfolding.
	RemoteReply string `json:"remote_reply,omitempty"`
	// DiagnosticType is the Diagnostic-Code type, usually "smtp", lower case.
	DiagnosticType string `json:"diagnostic_type,omitempty"`
	// RemoteMTA is the host that gave the reply (RFC 3464 §2.3.5).
	RemoteMTA string `json:"remote_mta,omitempty"`
	// ReportingMTA is the MTA that wrote the report (RFC 3464 §2.2.2).
	ReportingMTA string `json:"reporting_mta,omitempty"`
	// Command is the SMTP command the reply answered: CONNECT, EHLO, MAIL FROM, RCPT TO, DATA.
	Command string `json:"command,omitempty"`
	// ArrivalDate and LastAttemptDate are the report's fields as written
	// (RFC 3464 §2.2.5, §2.3.7); Date is the report message's own Date header.
	ArrivalDate     string `json:"arrival_date,omitempty"`
	LastAttemptDate string `json:"last_attempt_date,omitempty"`
	Date            string `json:"date,omitempty"`
	// OriginalMessageID is the Message-ID of the message the report is about,
	// without angle brackets (from the returned headers or the ARF part).
	OriginalMessageID string `json:"original_message_id,omitempty"`
	// OriginalEnvelopeID is the ENVID of RFC 3461 §4.4 (RFC 3464 §2.2.1).
	OriginalEnvelopeID string `json:"original_envelope_id,omitempty"`
	// MxprobeID is the X-Mxprobe-Id header of the returned original.
	MxprobeID string `json:"mxprobe_id,omitempty"`
	// Reason is the cause in mxprobe explain's vocabulary (sisimai's names):
	// userunknown, mailboxfull, …, delivered, feedback, vacation.
	Reason string `json:"reason"`
	// Format tells how the result was found (FormatDSN, FormatQmail, …).
	Format string `json:"format"`

	// Complaint reports (RFC 5965 §3.1, §3.2).
	FeedbackType string `json:"feedback_type,omitempty"`
	SourceIP     string `json:"source_ip,omitempty"`
	UserAgent    string `json:"user_agent,omitempty"`
	// Subject is the auto-reply's or the reported message's subject.
	Subject string `json:"subject,omitempty"`
	// Forwarded is set when the report was found inside a forwarded or
	// quoted message (message/rfc822 attachment of another mail).
	Forwarded bool `json:"forwarded,omitempty"`

	// context is the bounce's own text (without the returned original),
	// classified when the remote reply alone decides nothing.
	context string
	// localNote: context is the local delivery program's message for this
	// recipient (sendmail's transcript line before "<addr>... Service
	// unavailable").
	localNote bool
	// senderDomain is the domain the bounce was sent to: the original
	// message's sender (RFC 5321 §4.5.5 sends bounces to the reverse path).
	senderDomain string
}

// Failed reports whether the recipient was not (yet) delivered.
func (r Result) Failed() bool {
	return r.Kind == KindRecipient && (r.Action == "failed" || r.Action == "delayed")
}

// Message is a parsed report message: its own header fields and its results
// in the order the message lists them.
type Message struct {
	From      string   `json:"from,omitempty"`
	To        string   `json:"to,omitempty"`
	Subject   string   `json:"subject,omitempty"`
	Date      string   `json:"date,omitempty"`
	MessageID string   `json:"message_id,omitempty"`
	Results   []Result `json:"results"`
}
