package dsn

import (
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/statuscode"
)

// Explanation is the classifier's explanation of a recipient result, in
// lang: what its remote reply (or, where the reply decides nothing, the
// bounce's own words) and status mean, the reason and what to do. mxHost
// names the server when the caller knows it better than the report.
func Explanation(r *Result, lang i18n.Lang, mxHost string) statuscode.Explanation {
	if mxHost == "" {
		mxHost = r.RemoteMTA
	}
	return explain(r, statuscode.Options{Lang: lang, MXHost: mxHost, Command: r.Command, Status: r.Status})
}

// explain is the only place that calls the reply classifier, so that moving
// the classifier to another package touches one line.
func explain(r *Result, opt statuscode.Options) statuscode.Explanation {
	in := r.RemoteReply
	if r.DiagnosticType != "" && r.DiagnosticType != "smtp" && in != "" {
		// X-Unix and similar: an exit status, not a reply (RFC 3464 §2.3.6).
		in = r.DiagnosticType + "; " + in
	}
	if in == "" {
		in = r.Status
	}
	x := statuscode.Explain(in, opt)
	if (x.Reason == statuscode.OnHold || x.Reason == statuscode.Undefined) && r.context != "" {
		// The reply decides nothing: the bounce's own words may ("No such
		// user here" next to an address without a reply).
		if c := statuscode.Explain(r.context, opt); c.Reason != statuscode.OnHold && c.Reason != statuscode.Undefined {
			x.Reason, x.ReasonSource = c.Reason, "context"
		}
	}
	return x
}

// classify names the cause of a result in the vocabulary of mxprobe explain.
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
	reason := explain(r, statuscode.Options{Lang: i18n.EN, MXHost: r.RemoteMTA, Command: r.Command, Status: r.Status}).Reason
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
