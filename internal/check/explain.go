package check

import (
	"fmt"
	"strconv"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"

	"github.com/mxprobe/mxprobe/internal/explain"
	"github.com/mxprobe/mxprobe/internal/mxdialog"
)

// Explanation is a non-2xx reply of the dialogue explained by the explain
// engine: the same object as `mxprobe explain --format json` (its `command`
// names the SMTP command answered), plus the session it came from.
type Explanation struct {
	Session string `json:"session"` // "rcpt" or "accept_all_test"
	explain.Explanation
	// lang is the language of the JSON encoding, set by Report.Localize.
	lang i18n.Lang
}

// explainAll explains every unsuccessful reply of the sessions with one MX.
func explainAll(o Options, host string, rs ...*mxdialog.Result) []Explanation {
	var out []Explanation
	for _, r := range rs {
		if r == nil {
			continue
		}
		for _, rep := range r.Unsuccessful() {
			if r.Kind == mxdialog.KindAcceptAllTest && rep.Command == "RCPT" && rep.Code >= 500 && rep.Code < 600 {
				// The nonexistent recipient was rejected: that is the
				// expected, healthy answer, nothing to explain.
				continue
			}
			e := explain.ExplainReply(rep.Code, rep.EnhancedCode, rep.Text, explain.Options{MXHost: host, Command: smtpCommand(rep.Command)})
			if e.Command == "" {
				e.Command = rep.Command
			}
			out = append(out, Explanation{Session: r.Kind, Explanation: e})
		}
	}
	return out
}

// smtpCommand maps mxdialog's command names to the explain engine's.
func smtpCommand(c string) string {
	switch c {
	case "banner":
		return "CONNECT"
	case "MAIL":
		return "MAIL FROM"
	case "RCPT":
		return "RCPT TO"
	}
	return c
}

// withReplyAdvice replaces the generic advice of a refused or deferred RCPT
// with the explain engine's concrete steps for that very reply, in both
// languages (the finding is localised later).
func withReplyAdvice(fs []report.Finding, targets []addrTarget) []report.Finding {
	for i, f := range fs {
		if f.ID != "smtp.rcpt_rejected" && f.ID != "smtp.rcpt_deferred" || len(f.Evidence) == 0 {
			continue
		}
		for _, t := range targets {
			r := t.addr.SMTP
			if r == nil || r.Rcpt == nil || r.Rcpt.Line() != f.Evidence[0] {
				continue
			}
			e := explain.ExplainReply(r.Rcpt.Code, r.Rcpt.EnhancedCode, r.Rcpt.Text,
				explain.Options{MXHost: t.host.Host, Command: "RCPT TO"})
			adv := e.Description
			if len(e.Advice) > 0 {
				adv = i18n.T(adv.EN+" "+e.Advice[0].EN, adv.DE+" "+e.Advice[0].DE)
			}
			fs[i] = f.WithAdvice(adv)
			break
		}
	}
	return fs
}

// MarshalJSON adds "session" to the explain engine's own JSON encoding,
// in the language Report.Localize chose.
func (e Explanation) MarshalJSON() ([]byte, error) {
	inner := e.Explanation.AppendJSON(nil, e.lang)
	if len(inner) < 2 || inner[0] != '{' {
		return nil, fmt.Errorf("check: unexpected explanation encoding")
	}
	out := append([]byte(`{"session":`), strconv.Quote(e.Session)...)
	if len(inner) > 2 {
		out = append(out, ',')
	}
	return append(out, inner[1:]...), nil
}
