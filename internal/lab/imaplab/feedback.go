package imaplab

import (
	"bytes"
	"fmt"
	"time"
)

// FeedbackOptions describe a generated complaint report.
type FeedbackOptions struct {
	ReportingMTA string // the provider's host, e.g. "hotmail.lab.test"
	To           string // the feedback-loop address of the sender
	FeedbackType string // default "abuse"
	SourceIP     string
	Recipient    string // the complaining user (Original-Rcpt-To)
	Original     []byte // the reported message; its header is returned
	Date         time.Time
}

// FeedbackReport builds an RFC 5965 abuse report (multipart/report;
// report-type=feedback-report) as feedback loops such as Microsoft's JMRP
// send it: a human-readable part, the message/feedback-report fields
// (§3.1: Feedback-Type, User-Agent, Version; §3.2: Original-Rcpt-To,
// Source-IP, Arrival-Date) and the reported message's header.
func FeedbackReport(o FeedbackOptions) []byte {
	if o.FeedbackType == "" {
		o.FeedbackType = "abuse"
	}
	if o.Date.IsZero() {
		o.Date = time.Now()
	}
	hdr := o.Original
	if i := bytes.Index(hdr, []byte("\r\n\r\n")); i >= 0 {
		hdr = hdr[:i+2]
	}
	const boundary = "lab-feedback-boundary"
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: <staff@%s>\r\nTo: <%s>\r\nSubject: complaint about message from %s\r\n", o.ReportingMTA, o.To, o.SourceIP)
	fmt.Fprintf(&b, "Date: %s\r\nMessage-ID: <fbl.%d@%s>\r\nMIME-Version: 1.0\r\n", o.Date.Format(time.RFC1123Z), o.Date.UnixNano(), o.ReportingMTA)
	fmt.Fprintf(&b, "Content-Type: multipart/report; report-type=feedback-report; boundary=%q\r\n\r\n", boundary)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThis is an email abuse report for a message received from IP %s.\r\n\r\n", boundary, o.SourceIP)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: message/feedback-report\r\n\r\n", boundary)
	fmt.Fprintf(&b, "Feedback-Type: %s\r\nUser-Agent: mxprobe-lab/1.0\r\nVersion: 1\r\n", o.FeedbackType)
	fmt.Fprintf(&b, "Original-Rcpt-To: <%s>\r\nSource-IP: %s\r\nArrival-Date: %s\r\n\r\n", o.Recipient, o.SourceIP, o.Date.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/rfc822-headers\r\n\r\n", boundary)
	b.Write(hdr)
	fmt.Fprintf(&b, "\r\n--%s--\r\n", boundary)
	return b.Bytes()
}
