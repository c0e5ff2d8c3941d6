package imaplab

import (
	"bytes"
	"fmt"
	"time"
)

// BounceOptions describe a generated non-delivery report.
type BounceOptions struct {
	// Plain makes an old-style text bounce without a delivery-status part.
	Plain        bool
	ReportingMTA string
	ReturnPath   string // where the bounce goes (the envelope sender)
	Recipient    string
	EnvelopeID   string
	Action       string // default "failed"
	Status       string
	Diagnostic   string
	Original     []byte // the original message; its header is quoted
	Date         time.Time
}

// BounceReport builds an RFC 3464 delivery status notification
// (multipart/report; report-type=delivery-status, RFC 6522) with the
// original header as text/rfc822-headers — or, with Plain, a text bounce
// that quotes the original header inline.
func BounceReport(o BounceOptions) []byte {
	if o.Action == "" {
		o.Action = "failed"
	}
	if o.Date.IsZero() {
		o.Date = time.Now()
	}
	hdr := o.Original
	if i := bytes.Index(hdr, []byte("\r\n\r\n")); i >= 0 {
		hdr = hdr[:i+2]
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Mail Delivery System <MAILER-DAEMON@%s>\r\n", o.ReportingMTA)
	fmt.Fprintf(&b, "To: <%s>\r\n", o.ReturnPath)
	fmt.Fprintf(&b, "Subject: Undeliverable: delivery status notification\r\n")
	fmt.Fprintf(&b, "Date: %s\r\n", o.Date.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <bounce.%d@%s>\r\n", o.Date.UnixNano(), o.ReportingMTA)
	fmt.Fprintf(&b, "Auto-Submitted: auto-replied\r\n")
	b.WriteString("MIME-Version: 1.0\r\n")
	if o.Plain {
		b.WriteString("Content-Type: text/plain; charset=us-ascii\r\n\r\n")
		fmt.Fprintf(&b, "This is the mail system at host %s.\r\n\r\nI'm sorry to have to inform you that your message could not\r\nbe delivered to one or more recipients.\r\n\r\n", o.ReportingMTA)
		fmt.Fprintf(&b, "<%s>: %s\r\n\r\n------ Original message header ------\r\n\r\n", o.Recipient, o.Diagnostic)
		b.Write(hdr)
		return b.Bytes()
	}
	const boundary = "lab-report-boundary"
	fmt.Fprintf(&b, "Content-Type: multipart/report; report-type=delivery-status; boundary=%q\r\n\r\n", boundary)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nDelivery to the following recipient failed permanently:\r\n\r\n    %s\r\n\r\n", boundary, o.Recipient)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: message/delivery-status\r\n\r\n", boundary)
	fmt.Fprintf(&b, "Reporting-MTA: dns; %s\r\n", o.ReportingMTA)
	if o.EnvelopeID != "" {
		fmt.Fprintf(&b, "Original-Envelope-Id: %s\r\n", o.EnvelopeID)
	}
	fmt.Fprintf(&b, "Arrival-Date: %s\r\n\r\n", o.Date.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Final-Recipient: rfc822; %s\r\nAction: %s\r\nStatus: %s\r\n", o.Recipient, o.Action, o.Status)
	fmt.Fprintf(&b, "Remote-MTA: dns; %s\r\nDiagnostic-Code: %s\r\n\r\n", o.ReportingMTA, o.Diagnostic)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/rfc822-headers\r\n\r\n", boundary)
	b.Write(hdr)
	fmt.Fprintf(&b, "\r\n--%s--\r\n", boundary)
	return b.Bytes()
}
