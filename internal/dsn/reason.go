package dsn

import (
	"strings"

	"github.com/mxprobe/mxprobe/internal/explain"
	"github.com/mxprobe/mxprobe/internal/statuscode"
)

// Explanation is the classifier's explanation of a recipient result: what
// its remote reply (or, where the reply decides nothing, the bounce's own
// words) and status mean, the reason and what to do. mxHost names the
// server when the caller knows it better than the report.
func Explanation(r *Result, mxHost string) explain.Explanation {
	if mxHost == "" {
		mxHost = r.RemoteMTA
	}
	return explainResult(r, mxHost)
}

// explainResult is the only place that calls the reply classifier
// (internal/explain), so that moving it touches one line.
func explainResult(r *Result, mxHost string) explain.Explanation {
	opt := explain.Options{MXHost: mxHost, Command: r.Command, Status: r.Status, Action: r.Action}
	in := r.RemoteReply
	if r.DiagnosticType != "" && r.DiagnosticType != "smtp" && in != "" {
		// X-Unix and similar: an exit status, not a reply (RFC 3464 §2.3.6).
		in = r.DiagnosticType + "; " + in
	}
	switch {
	case in == "" && r.Format == FormatDSN && r.context != "":
		// No Diagnostic-Code: the Status field's comment names the cause
		// ("4.0.0 (cat.example: host name lookup failure)").
		in = r.Status + " " + r.context
	case in == "":
		in = r.Status
	case r.Format == FormatDSN && r.context != "":
		// The Status field's comment is the reporting MTA's reading of the
		// status ("5.2.1 (mailbox disabled, not accepting messages)"); it
		// counts with the reply ("550 5.2.1 … User Unknown").
		in += " (" + r.context + ")"
	}
	x := explain.Explain(in, opt)
	switch {
	case r.context == "":
	case x.Reason == explain.OnHold || x.Reason == explain.Undefined:
		// The reply decides nothing: the bounce's own words may ("No such
		// user here" next to an address without a reply).
		if c := explain.Explain(r.context, opt); c.Reason != explain.OnHold && c.Reason != explain.Undefined {
			x.Reason, x.ReasonSource, x.ReasonWeak = c.Reason, "context", c.ReasonWeak
		}
	case x.ReasonWeak && r.localNote:
		// A vague reply ("554 … Service unavailable", sendmail's words
		// for a local mailer's failure) beside the local mailer's own
		// message ("mail.local: unknown user: bob"): the message names
		// the cause, when it does so clearly.
		if c := explain.Explain(r.context, opt); !c.ReasonWeak && c.Reason != explain.OnHold && c.Reason != explain.Undefined {
			x.Reason, x.ReasonSource, x.ReasonWeak = c.Reason, "context", false
		}
	}
	switch {
	case (x.Reason == explain.OnHold || x.Reason == explain.Undefined) && strings.HasPrefix(r.Recipient, "|"):
		// The recipient is a pipe to a program (Exim "pipe to |…",
		// sendmail "|/usr/bin/…"): the local delivery program failed.
		x.Reason, x.ReasonSource = explain.MailerError, "context"
	case x.Reason == explain.HostUnknown && namesSenderDomain(in, r):
		// "553 example.com does not exist" naming the sender's own domain
		// (the bounce went to it), not the recipient's: the receiver
		// refused the sender.
		x.Reason, x.ReasonSource, x.ReasonWeak = explain.Rejected, "context", false
	}
	return x
}

// namesSenderDomain tells whether a reply names the sender's domain and
// not the recipient's.
func namesSenderDomain(reply string, r *Result) bool {
	sd, rd := strings.ToLower(r.senderDomain), strings.ToLower(domainPart(r.Recipient))
	if sd == "" || rd == "" || sd == rd {
		return false
	}
	l := strings.ToLower(reply)
	return strings.Contains(l, sd) && !strings.Contains(l, rd)
}

// domainPart is the domain of an address, "" without one.
func domainPart(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.Trim(addr[i+1:], ">. ")
	}
	return ""
}

// classify names the cause of a result in the vocabulary of mxprobe explain.
func classify(r *Result) string {
	switch r.Kind {
	case KindComplaint, KindJunkReport, KindUnsubscribe:
		return "feedback"
	case KindAutoReply:
		return string(explain.Vacation)
	}
	switch r.Action {
	case "delivered", "relayed", "expanded":
		return string(explain.Delivered)
	}
	reason := explainResult(r, r.RemoteMTA).Reason
	if (reason == explain.OnHold || reason == explain.Undefined) && r.Action == "delayed" {
		// A delay notice that names no cause: the message waits in the
		// queue until it expires (sisimai's "expired" covers both).
		reason = explain.Expired
	}
	return string(reason)
}

// fillReply takes reply code, command and remote host out of the remote
// reply where the report did not give them separately.
func fillReply(r *Result) {
	if r.RemoteReply == "" {
		return
	}
	rep, _ := statuscode.ParseReply(r.RemoteReply)
	if r.ReplyCode == 0 {
		r.ReplyCode = rep.Code
	}
	if r.Command == "" {
		r.Command = rep.Command
	}
	if r.RemoteMTA == "" {
		r.RemoteMTA = rep.Host
		if r.RemoteMTA == "" {
			r.RemoteMTA = rep.IP
		}
	}
	if r.Status == "" && !rep.Enhanced.IsZero() {
		r.Status = rep.Enhanced.String()
	}
}
