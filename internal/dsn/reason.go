package dsn

import (
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/statuscode"
)

// classify names the cause of a result in the vocabulary of mxprobe explain.
// It is the only place that calls the reply classifier, so that moving the
// classifier touches one line.
func classify(r *Result) string {
	switch r.Kind {
	case KindComplaint, KindJunkReport:
		return "feedback"
	case KindAutoReply:
		return string(statuscode.Vacation)
	}
	switch r.Action {
	case "delivered", "relayed", "expanded":
		return string(statuscode.Delivered)
	}
	in := r.RemoteReply
	if r.DiagnosticType != "" && r.DiagnosticType != "smtp" && in != "" {
		// X-Unix and similar: an exit status, not a reply (RFC 3464 §2.3.6).
		in = r.DiagnosticType + "; " + in
	}
	if in == "" {
		in = r.Status
	}
	opt := statuscode.Options{Lang: i18n.EN, MXHost: r.RemoteMTA, Command: r.Command, Status: r.Status}
	reason := statuscode.Explain(in, opt).Reason
	if (reason == statuscode.OnHold || reason == statuscode.Undefined) && r.context != "" {
		// The reply decides nothing: the bounce's own words may ("No such
		// user here" next to an address without a reply).
		if c := statuscode.Explain(r.context, opt).Reason; c != statuscode.OnHold && c != statuscode.Undefined {
			reason = c
		}
	}
	if (reason == statuscode.OnHold || reason == statuscode.Undefined) && r.Action == "delayed" {
		// A delay notice that names no cause: the message waits in the
		// queue until it expires (sisimai's "expired" covers both).
		reason = statuscode.Expired
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
