package view

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/explain"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/render"
	"github.com/mxprobe/mxprobe/internal/report"
)

// The probe views: the timeline of `probe show`, the scan summary and the
// verdict blocks of `probe confirm/watch/send/show` and of check
// --deliver-to's delivery proof, and the table of `probe list`. They read
// ledger events and verdicts and change nothing; the one styler of the
// stream gives colour and width.

// TimelineEntry is one event of a probe's timeline.
type TimelineEntry struct {
	At   string // "2006-01-02 15:04:05Z"
	Text i18n.Text
}

// OutcomeText is the word of a send outcome.
var OutcomeText = map[delivery.Outcome]i18n.Text{
	delivery.OutcomeAccepted: i18n.T("accepted", "angenommen"),
	delivery.OutcomeRejected: i18n.T("rejected", "abgelehnt"),
	delivery.OutcomeDeferred: i18n.T("deferred", "zurückgestellt"),
	delivery.OutcomeFailed:   i18n.T("not handed over", "nicht übergeben"),
}

// Timeline is the timeline of ledger events (delivery.Evidence).
func Timeline(evs []delivery.Event) []TimelineEntry {
	out := make([]TimelineEntry, 0, len(evs))
	for _, ev := range evs {
		var t i18n.Text
		switch ev.Kind {
		case delivery.KindSent:
			t = sentEntry(ev.Sent)
		case delivery.KindScan:
			t = scanEntry(ev.Scan)
		case delivery.KindDSN:
			t = dsnEntry(ev.Token, ev.DSN)
		default:
			continue
		}
		out = append(out, TimelineEntry{At: ev.At.UTC().Format("2006-01-02 15:04:05Z"), Text: t})
	}
	return out
}

// inBoth builds a text whose two languages differ only in the words fmt
// fills in per language.
func inBoth(f func(l i18n.Lang) string) i18n.Text { return i18n.T(f(i18n.EN), f(i18n.DE)) }

func sentEntry(p *delivery.Probe) i18n.Text {
	if p == nil {
		return i18n.Text{}
	}
	return inBoth(func(l i18n.Lang) string {
		s := fmt.Sprintf("%s %s (%s) %s → %s: %s", tr(l, "sent", "gesendet"), p.Token, p.Role, p.Route, orMX(p), OutcomeText[p.Outcome].In(l))
		if p.Reply != "" {
			s += " — " + strings.ReplaceAll(p.Reply, "\n", " | ")
		}
		if p.Error != "" {
			s += " — " + p.Error
		}
		return s
	})
}

func orMX(p *delivery.Probe) string {
	switch {
	case p.Relay != "":
		return p.Relay
	case p.MXHost != "":
		return p.MXHost
	}
	return "-"
}

func scanEntry(sc *delivery.Scan) i18n.Text {
	if sc == nil {
		return i18n.Text{}
	}
	return inBoth(func(l i18n.Lang) string {
		what := tr(l, "scan", "Durchsuchung")
		if sc.Purpose == delivery.PurposeDSN {
			what = tr(l, "DSN scan", "DSN-Durchsuchung")
		}
		state := tr(l, "complete", "vollständig")
		if !sc.Complete {
			state = tr(l, "incomplete: ", "unvollständig: ")
		}
		s := what + " " + sc.Mailbox + " " + state + sc.Error
		for _, f := range sc.Found {
			s += fmt.Sprintf("; %s %s %s (%s)", f.Token, tr(l, "in", "in"), f.Folder, f.Role)
		}
		if sc.Complete && len(sc.Found) == 0 && sc.Purpose == delivery.PurposeSeed {
			s += "; " + tr(l, "not found", "nicht gefunden")
		}
		return s
	})
}

// dsnEntry words a matched report by what it is: a complaint, a delay
// notice, a delivery confirmation or an automatic reply of the recipient's
// mailbox (the states delayed, complaint and delivery_confirmed rest on
// them) or a bounce.
func dsnEntry(token string, d *delivery.DSNMatch) i18n.Text {
	if d == nil {
		return i18n.Text{}
	}
	return inBoth(func(l i18n.Lang) string {
		by := " (" + tr(l, "matched by", "zugeordnet über") + " " + d.MatchedBy + ")"
		code := strings.TrimSpace(d.Status + " " + d.DiagnosticCode)
		switch {
		case d.Format == "complaint" || d.Kind == "complaint" || d.Kind == "junkreport":
			s := tr(l, "complaint report about ", "Beschwerde über ") + token
			if d.FeedbackType != "" {
				s += ": " + tr(l, "feedback type ", "Art ") + d.FeedbackType
			}
			return s + " — " + tr(l, "a recipient or the provider's filter reported the probe as spam",
				"ein Empfänger oder der Filter des Anbieters hat die Testmail als Spam gemeldet") + by
		case d.Format == "autoreply":
			s := tr(l, "automatic reply to ", "automatische Antwort auf ") + token
			if d.FinalRecipient != "" {
				s += " " + tr(l, "from", "von") + " " + d.FinalRecipient
			}
			return s + " — " + tr(l, "the recipient's mailbox received the probe", "das Postfach des Empfängers hat die Testmail erhalten") + by
		case strings.EqualFold(d.Action, "delayed"):
			s := tr(l, "delay notice for ", "Meldung über verzögerte Zustellung zu ") + token
			if code != "" {
				s += ": " + code
			}
			return s + " — " + tr(l, "not delivered yet, the server keeps trying", "noch nicht zugestellt, der Server versucht es weiter") + by
		case strings.EqualFold(d.Action, "delivered") || strings.EqualFold(d.Action, "relayed") || strings.EqualFold(d.Action, "expanded"):
			s := tr(l, "delivery confirmation for ", "Zustellbestätigung zu ") + token + ": " + d.Action
			if code != "" {
				s += " " + code
			}
			return s + by
		}
		return fmt.Sprintf("%s %s: %s %s %s%s", tr(l, "bounce report for", "Unzustellbarkeitsnachricht (NDR) zu"), token, d.Action, d.Status, d.DiagnosticCode, by)
	})
}

// TimelineText draws a timeline under its heading, then a blank line.
func TimelineText(w io.Writer, es []TimelineEntry, l i18n.Lang, st render.Styler) {
	io.WriteString(w, st.Bold(tr(l, "Timeline", "Zeitleiste"))+"\n")
	for _, e := range es {
		io.WriteString(w, render.WrapHang(e.Text.In(l), st.Columns(), "  "+e.At+"  ", strings.Repeat(" ", 24))+"\n")
	}
	io.WriteString(w, "\n")
}

// ScansText summarises the seed and DSN scans of one confirm round.
func ScansText(w io.Writer, res *delivery.ConfirmResult, l i18n.Lang) {
	for _, sc := range []*delivery.Scan{res.Seed, res.DSN} {
		if sc == nil {
			continue
		}
		what := tr(l, "Seed mailbox", "Testpostfach")
		// Seed matches are sightings; DSN matches are reports tied to probes.
		matches := len(sc.Found)
		if sc.Purpose == delivery.PurposeDSN {
			what, matches = tr(l, "DSN mailbox", "DSN-Postfach"), len(res.DSNs)
		}
		if sc.Complete {
			n := max(len(sc.Folders), 1)
			fmt.Fprintf(w, "%s %s: %s\n", what, sc.Mailbox, i18n.Text{
				EN: fmt.Sprintf("complete scan of %d folder(s), %d message(s), %d match(es)", n, sc.Messages, matches),
				DE: fmt.Sprintf("vollständig durchsucht: %d Ordner, %d Nachricht(en), %d Treffer", n, sc.Messages, matches),
			}.In(l))
		} else {
			fmt.Fprintf(w, "%s %s: %s %s\n", what, sc.Mailbox, tr(l, "incomplete scan:", "unvollständig durchsucht:"), sc.Error)
		}
	}
	if n := len(res.NewDSNs); n > 0 {
		fmt.Fprintln(w, i18n.Text{EN: fmt.Sprintf("%d new report(s) matched (bounces, delay notices, confirmations, complaints).", n),
			DE: fmt.Sprintf("%d neue Meldung(en) zugeordnet (Unzustellbarkeitsnachrichten, Meldungen über verzögerte oder erfolgte Zustellung, Beschwerden).", n)}.In(l))
	}
	fmt.Fprintln(w)
}

// VerdictOptions choose what the verdict blocks show.
type VerdictOptions struct {
	Quiet, Verbose bool
	// AdviceShown: the report above already carries each verdict's
	// finding with its advice (check --deliver-to), so the blocks show the
	// evidence only — reasons, the explained reply, what is missing — and
	// no next steps (each fact once).
	AdviceShown bool
}

var confidenceText = map[delivery.Confidence]i18n.Text{
	delivery.ConfidenceLow:    i18n.T("low confidence", "geringe Aussagekraft"),
	delivery.ConfidenceMedium: i18n.T("medium confidence", "mittlere Aussagekraft"),
	delivery.ConfidenceHigh:   i18n.T("high confidence", "hohe Aussagekraft"),
}

var reasonText = map[delivery.Reason]i18n.Text{
	delivery.ReasonSendFailed:        i18n.T("the probe was not handed over", "die Testmail wurde nicht übergeben"),
	delivery.ReasonSeedNotWatched:    i18n.T("the seed mailbox was not scanned", "das Testpostfach wurde nicht durchsucht"),
	delivery.ReasonSeedUnreadable:    i18n.T("the seed mailbox could not be read", "das Testpostfach war nicht lesbar"),
	delivery.ReasonTooFewScans:       i18n.T("too few complete scans", "zu wenige vollständige Durchsuchungen"),
	delivery.ReasonControlMissing:    i18n.T("the control probe is missing too", "die Kontroll-Testmail fehlt ebenfalls"),
	delivery.ReasonDeliveredNotFound: i18n.T("reported delivered, but in no folder", "als zugestellt gemeldet, aber in keinem Ordner"),
}

// StageCommand names the SMTP command a send stage answered.
func StageCommand(stage string) string {
	switch stage {
	case "greeting", "connect":
		return "CONNECT"
	case "ehlo":
		return "EHLO"
	case "mail":
		return "MAIL FROM"
	case "rcpt":
		return "RCPT TO"
	case "data", "dot":
		return "DATA"
	}
	return ""
}

// VerdictExplanation explains the reply behind a refusal, deferral, delay
// or bounce (nil when there is none).
func VerdictExplanation(v delivery.ProbeVerdict, lang i18n.Lang) *explain.Localized {
	switch {
	case (v.State == delivery.StateRejected || v.State == delivery.StateDeferred) && v.Reply != "":
		e := explain.Explain(v.Reply, explain.Options{MXHost: v.MXHost, Command: StageCommand(v.Stage)}).Localize(lang)
		return &e
	case (v.State == delivery.StateBouncedLate || v.State == delivery.StateDelayed) && v.DSN != nil && (v.DSN.DiagnosticCode != "" || v.DSN.Status != ""):
		in := v.DSN.DiagnosticCode
		if in == "" {
			in = v.DSN.Status
		}
		e := explain.Explain(in, explain.Options{MXHost: v.DSN.RemoteMTA, Status: v.DSN.Status, Action: v.DSN.Action}).Localize(lang)
		return &e
	}
	return nil
}

// VerdictsText draws one block per verdict: the probe, its state (with
// confidence or reason), the reasons, the explained reply, what is missing
// and, unless the report above shows them, the next steps.
func VerdictsText(w io.Writer, vs []delivery.ProbeVerdict, l i18n.Lang, st render.Styler, o VerdictOptions) {
	width := st.Columns()
	hang := func(s, first string) { io.WriteString(w, render.WrapHang(s, width, first, "            ")+"\n") }
	for _, v := range vs {
		problem := v.State.Severity().Rank() >= report.Warn.Rank() || v.State == delivery.StateInconclusive
		if o.Quiet && !problem {
			continue
		}
		role := ""
		if v.Role == delivery.RoleControl {
			role = tr(l, " (control of ", " (Kontrolle zu ") + v.Group + ")"
		}
		fmt.Fprintf(w, "%s %s → %s%s\n", st.Bold("●"), st.Bold(v.Token), v.To, role)
		title := v.State.Title().In(l)
		if c, ok := confidenceText[v.Confidence]; ok {
			title += " (" + c.In(l) + ")"
		}
		if r, ok := reasonText[v.Reason]; ok {
			title += ": " + r.In(l)
		}
		fmt.Fprintf(w, "  %s %s %s\n", st.Severity(v.State.Severity(), l), title, st.Dim("["+delivery.FindingID(v.State)+"]"))
		for _, r := range v.Reasons {
			hang(r.In(l), "          · ")
		}
		if e := VerdictExplanation(v, l); e != nil {
			line := tr(l, "Explanation: ", "Erklärung: ") + e.Title
			if e.Provider != nil && e.Provider.Meaning != "" {
				line += " — " + e.Provider.Meaning
			}
			hang(line, "          · ")
			if len(e.Advice) > 0 && !o.AdviceShown {
				hang(e.Advice[0], "          → ")
			}
		}
		for _, m := range v.Missing {
			hang(tr(l, "Missing: ", "Es fehlt: ")+m.In(l), "          ? ")
		}
		if (o.Verbose || problem) && !o.AdviceShown {
			for _, a := range delivery.NextSteps(v) {
				hang(a.In(l), "          → ")
			}
		}
	}
}

// DeliveryProof draws check --deliver-to's block after the report: its
// heading, the scans and the verdicts without the advice the report's
// findings already give.
func DeliveryProof(w io.Writer, res *delivery.ConfirmResult, vs []delivery.ProbeVerdict, l i18n.Lang, st render.Styler, o VerdictOptions) {
	io.WriteString(w, "\n"+st.Bold(tr(l, "Delivery proof", "Zustellnachweis"))+"\n")
	if res != nil {
		ScansText(w, res, l)
	}
	o.AdviceShown = true
	VerdictsText(w, vs, l, st, o)
}

// ProbeListText draws the probes as a table whose columns are as wide as
// their longest cell (silent_drop_suspected/medium is 28 characters).
func ProbeListText(w io.Writer, vs []delivery.ProbeVerdict, l i18n.Lang, st render.Styler) {
	head := []string{"TOKEN", tr(l, "SENT (UTC)", "GESENDET (UTC)"), tr(l, "ROLE", "ROLLE"), tr(l, "STATE", "ZUSTAND"), tr(l, "TO", "AN")}
	rows := make([][]string, 0, len(vs))
	for _, v := range vs {
		state := string(v.State)
		if v.Confidence != "" {
			state += "/" + string(v.Confidence)
		}
		rows = append(rows, []string{v.Token, v.SentAt.UTC().Format("2006-01-02 15:04"), string(v.Role), state, v.To})
	}
	width := make([]int, len(head))
	for _, r := range append([][]string{head}, rows...) {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	line := func(r []string) string {
		var b strings.Builder
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 { // the last column is not padded
				b.WriteString(strings.Repeat(" ", width[i]-utf8.RuneCountInString(c)+2))
			}
		}
		return b.String()
	}
	io.WriteString(w, st.Bold(line(head))+"\n")
	for _, r := range rows {
		io.WriteString(w, line(r)+"\n")
	}
}
