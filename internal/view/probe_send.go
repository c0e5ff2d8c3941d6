package view

import (
	"fmt"
	"io"
	"strings"

	"github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/explain"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/render"
	"github.com/mxprobe/mxprobe/internal/report"
)

// SentText draws the send attempts of probe send: outcome, server, reply
// and its meaning, Message-ID, acceptance ids, TLS, DSN and, verbose, the
// transcript; then what to do next.
func SentText(w io.Writer, probes []*delivery.Probe, l i18n.Lang, st render.Styler, verbose bool) {
	width := st.Columns()
	for _, p := range probes {
		role := i18n.T("probe", "Testmail")
		if p.Role == delivery.RoleControl {
			role = i18n.T("control probe", "Kontroll-Testmail")
		}
		sev := OutcomeSeverity(p.Outcome)
		if p.Outcome == delivery.OutcomeFailed {
			sev = report.Warn
		}
		fmt.Fprintf(w, "%s %s %s → %s\n", st.Bold("●"), role.In(l), st.Bold(p.Token), p.To)
		fmt.Fprintf(w, "  %s %s (%s, %s)\n", st.Severity(sev, l), OutcomeText[p.Outcome].In(l), p.Route, stageOr(p))
		via := p.MXHost
		if p.MXIP != "" && p.MXIP != p.MXHost {
			via += " [" + p.MXIP + "]"
		}
		if p.Port != 0 {
			via += fmt.Sprintf(":%d", p.Port)
		}
		line := func(k i18n.Text, v string) {
			if v != "" {
				fmt.Fprintln(w, render.WrapHang(v, width, fmt.Sprintf("          %-13s ", k.In(l)+":"), "                        "))
			}
		}
		line(i18n.T("server", "Server"), via)
		line(i18n.T("reply", "Antwort"), strings.ReplaceAll(p.Reply, "\n", " | "))
		if (p.Outcome == delivery.OutcomeRejected || p.Outcome == delivery.OutcomeDeferred) && p.Reply != "" {
			e := explain.Explain(p.Reply, explain.Options{MXHost: p.MXHost, Command: StageCommand(p.Stage)})
			line(i18n.T("meaning", "Bedeutung"), e.Title.In(l))
		}
		line(i18n.T("error", "Fehler"), p.Error)
		line(i18n.T("Message-ID", "Message-ID"), p.MessageID)
		if a := p.Acceptance; a != nil {
			if a.InternalID != "" {
				echo := i18n.T("our Message-ID echoed", "unsere Message-ID bestätigt")
				if !a.EchoedOurs {
					echo = i18n.T("Message-ID not echoed", "Message-ID nicht bestätigt")
				}
				line(i18n.T("Microsoft", "Microsoft"), fmt.Sprintf("InternalId=%s Hostname=%s (%s)", a.InternalID, a.Hostname, echo.In(l)))
			}
			line(i18n.T("queue id", "Queue-ID"), a.QueueID)
		}
		if p.TLS != nil {
			ver := i18n.T("certificate verified", "Zertifikat geprüft")
			if !p.TLS.Trusted() {
				ver = i18n.T("certificate not verified", "Zertifikat nicht geprüft")
			}
			line(i18n.T("TLS", "TLS"), p.TLS.Version+" "+p.TLS.Cipher+", "+ver.In(l))
		} else if p.Outcome != delivery.OutcomeFailed {
			line(i18n.T("TLS", "TLS"), i18n.T("none", "keins").In(l))
		}
		dsn := i18n.T("not offered: a missing DSN proves nothing", "nicht angeboten: eine fehlende DSN beweist nichts")
		if p.DSNOffered {
			dsn = i18n.T("offered: NOTIFY=SUCCESS,FAILURE,DELAY RET=HDRS ENVID=token", "angeboten: NOTIFY=SUCCESS,FAILURE,DELAY RET=HDRS ENVID=Token")
		}
		if p.Outcome != delivery.OutcomeFailed || p.Stage == "dot" {
			line(i18n.T("DSN", "DSN"), dsn.In(l))
		}
		if verbose {
			for _, tl := range p.Transcript {
				fmt.Fprintln(w, st.Dim("          "+tl.Dir+": "+tl.Text))
			}
		}
	}
	if len(probes) > 0 && probes[0].Accepted() {
		fmt.Fprintln(w, render.WrapHang(i18n.T("Next: mxprobe probe watch --imap imaps://… --imap-user … (or probe confirm later).",
			"Weiter: mxprobe probe watch --imap imaps://… --imap-user … (oder später probe confirm).").In(l), width, "", "  "))
	}
}

// OutcomeSeverity is the severity of a send outcome, as the verdict states
// it: a refusal fails, a deferral warns.
func OutcomeSeverity(o delivery.Outcome) report.Severity {
	switch o {
	case delivery.OutcomeRejected:
		return delivery.StateRejected.Severity()
	case delivery.OutcomeDeferred:
		return delivery.StateDeferred.Severity()
	}
	return report.OK
}

func stageOr(p *delivery.Probe) string {
	if p.Stage == "" {
		return "-"
	}
	return p.Stage
}
