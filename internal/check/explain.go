package check

import (
	"fmt"
	"strconv"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"

	"github.com/mxprobe/mxprobe/internal/smtpprobe"
	"github.com/mxprobe/mxprobe/internal/statuscode"
)

// Explanation is a non-2xx reply of the dialogue explained by the explain
// engine: the same object as `mxprobe explain --format json` (its `command`
// names the SMTP command answered), plus the session it came from.
type Explanation struct {
	Session string `json:"session"` // "rcpt" or "accept_all_test"
	statuscode.Explanation
}

// explainAll explains every unsuccessful reply of the sessions with one MX.
func explainAll(o Options, host string, rs ...*smtpprobe.Result) []Explanation {
	var out []Explanation
	for _, r := range rs {
		if r == nil {
			continue
		}
		for _, rep := range r.Unsuccessful() {
			if r.Kind == smtpprobe.KindAcceptAllTest && rep.Command == "RCPT" && rep.Code >= 500 && rep.Code < 600 {
				// The nonexistent recipient was rejected: that is the
				// expected, healthy answer, nothing to explain.
				continue
			}
			e := statuscode.ExplainReply(rep.Code, rep.EnhancedCode, rep.Text, statuscode.Options{Lang: o.Lang, MXHost: host, Command: smtpCommand(rep.Command)})
			if e.Command == "" {
				e.Command = rep.Command
			}
			out = append(out, Explanation{Session: r.Kind, Explanation: e})
		}
	}
	return out
}

// smtpCommand maps smtpprobe's command names to the explain engine's.
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
			var adv i18n.Text
			for _, l := range []i18n.Lang{i18n.EN, i18n.DE} {
				e := statuscode.ExplainReply(r.Rcpt.Code, r.Rcpt.EnhancedCode, r.Rcpt.Text,
					statuscode.Options{Lang: l, MXHost: t.host.Host, Command: "RCPT TO"})
				text := e.Description
				if len(e.Advice) > 0 {
					text += " " + e.Advice[0]
				}
				if l == i18n.EN {
					adv.EN = text
				} else {
					adv.DE = text
				}
			}
			fs[i] = f.WithAdvice(adv)
			break
		}
	}
	return fs
}

// MarshalJSON adds "session" to the explain engine's own JSON encoding
// (statuscode.Explanation has a fast MarshalJSON that embedding would
// otherwise promote, dropping Session).
func (e Explanation) MarshalJSON() ([]byte, error) {
	inner := e.Explanation.AppendJSON(nil)
	if len(inner) < 2 || inner[0] != '{' {
		return nil, fmt.Errorf("check: unexpected explanation encoding")
	}
	out := append([]byte(`{"session":`), strconv.Quote(e.Session)...)
	if len(inner) > 2 {
		out = append(out, ',')
	}
	return append(out, inner[1:]...), nil
}
