package imaplab

import (
	"bytes"
	"fmt"
	"time"
)

// AutoReplyOptions describe a generated automatic reply.
type AutoReplyOptions struct {
	From     string // the recipient whose mailbox answers
	To       string // where the reply goes (the original's envelope sender)
	Original []byte // the message answered; its Message-ID and Subject are referred to
	Date     time.Time
}

// AutoReplyMessage builds an out-of-office reply the way RFC 3834 asks for
// one: Auto-Submitted: auto-replied (§5), In-Reply-To and References naming
// the original's Message-ID (§3.1.4), a subject that starts with "Auto:"
// and keeps the original one (§3.1.5), sent to the return path (§4) and
// with a body that does not quote the original.
func AutoReplyMessage(o AutoReplyOptions) []byte {
	if o.Date.IsZero() {
		o.Date = time.Now()
	}
	msgID := headerOf(o.Original, "Message-Id")
	subject := headerOf(o.Original, "Subject")
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: <%s>\r\nTo: <%s>\r\n", o.From, o.To)
	fmt.Fprintf(&b, "Subject: Auto: %s\r\n", subject)
	fmt.Fprintf(&b, "Date: %s\r\nMessage-ID: <auto.%d@lab.test>\r\n", o.Date.Format(time.RFC1123Z), o.Date.UnixNano())
	if msgID != "" {
		fmt.Fprintf(&b, "In-Reply-To: %s\r\nReferences: %s\r\n", msgID, msgID)
	}
	b.WriteString("Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString("I am out of the office until Monday and will read your message then.\r\n")
	return b.Bytes()
}
