package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/mxprobe/mxprobe/internal/dsn"
	"github.com/mxprobe/mxprobe/internal/explain"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/view"
)

// explainMessageResult is one NDJSON object of explain --message: one per
// recipient, complaint report or auto-reply, in message order (docs/json.md,
// "explain --message").
type explainMessageResult struct {
	probeJSON
	// Source names the message: the file, "-", "<maildir>/cur/<file>" or
	// "<mbox>#<n>".
	Source  string         `json:"source"`
	Message explainMsgInfo `json:"message"`
	// Recipient is the result as internal/dsn reads it.
	Recipient dsn.Result `json:"recipient"`
	// Explanation explains the remote reply of a recipient result; Note
	// explains a complaint report, auto-reply or junk-report forward.
	Explanation *explain.Localized `json:"explanation,omitempty"`
	Note        *explainNote       `json:"note,omitempty"`
}

type explainMsgInfo struct {
	From      string `json:"from,omitempty"`
	Subject   string `json:"subject,omitempty"`
	Date      string `json:"date,omitempty"`
	MessageID string `json:"message_id,omitempty"`
}

type explainNote struct {
	Title  string   `json:"title"`
	Text   string   `json:"text"`
	Advice []string `json:"advice"`
}

// explainMessage explains the reports in a file, "-", a maildir or an mbox.
// A single input that is no mail or no report is a usage error (exit 2); in
// a mailbox such messages are skipped and counted on standard error.
func explainMessage(ctx context.Context, g *Globals, name string, opt explain.Options) error {
	single := true
	if name != "-" {
		st, err := os.Stat(name)
		if err != nil {
			return usageErr("--message", i18n.T("--message: cannot read %s: %s", "--message: %s ist nicht lesbar: %s"), name, explainPathErr(err))
		}
		single = !st.IsDir()
	} else if g.IO.In == nil {
		return usageErr("--message", i18n.T("--message -: no standard input", "--message -: keine Standardeingabe"))
	}
	r := newMessageRenderer(g)
	var skipped, items int
	notMail := false
	err := dsn.WalkMessages(ctx, name, g.IO.In, func(it dsn.Item) error {
		items++
		m, err := dsn.ParseBytes(it.Data)
		if err != nil {
			skipped++
			notMail = notMail || errors.Is(err, dsn.ErrNotMail)
			return nil
		}
		for i := range m.Results {
			if err := r.result(explainMessageOf(it.Source, m, &m.Results[i], opt.MXHost, g.Lang)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return usageErr("--message", i18n.T("--message: cannot read %s: %s", "--message: %s ist nicht lesbar: %s"), explainInputName(name), explainPathErr(err))
	}
	switch {
	case r.n == 0 && single && items <= 1 && notMail:
		return usageErr("--message", i18n.T("--message: %s is not a mail message (no RFC 5322 header)", "--message: %s ist keine E-Mail-Nachricht (kein RFC-5322-Kopf)"), explainInputName(name))
	case r.n == 0 && single && items <= 1:
		return usageErr("--message", i18n.T("--message: %s is not a bounce: no delivery status, complaint report or auto-reply found", "--message: %s ist keine Unzustellbarkeitsnachricht: kein Zustellstatus, keine Beschwerde und keine automatische Antwort gefunden"), explainInputName(name))
	case r.n == 0:
		return usageErr("--message", i18n.T("--message: none of the %d messages in %s is a bounce, complaint report or auto-reply", "--message: keine der %d Nachrichten in %s ist eine Unzustellbarkeitsnachricht, Beschwerde oder automatische Antwort"), items, explainInputName(name))
	}
	if skipped > 0 && !g.Quiet {
		fmt.Fprintf(g.IO.ErrOut, "%s\n", explainT(g, fmt.Sprintf("mxprobe: %d of %d messages were no report and were skipped", skipped, items),
			fmt.Sprintf("mxprobe: %d von %d Nachrichten waren keine Meldung und wurden übergangen", skipped, items)))
	}
	return r.err()
}

func explainT(g *Globals, en, de string) string { return i18n.T(en, de).In(g.Lang) }

// explainMessageOf builds the result object of one dsn result.
func explainMessageOf(src string, m *dsn.Message, r *dsn.Result, mxHost string, lang i18n.Lang) explainMessageResult {
	out := explainMessageResult{probeJSON: envelopeFor("explain"), Source: src, Recipient: *r,
		Message: explainMsgInfo{From: m.From, Subject: m.Subject, Date: m.Date, MessageID: m.MessageID}}
	if n, ok := dsn.KindNote(r.Kind); ok {
		en := &explainNote{Title: n.Title.In(lang), Text: n.Text.In(lang)}
		for _, a := range n.Advice {
			en.Advice = append(en.Advice, a.In(lang))
		}
		out.Note = en
		return out
	}
	x := dsn.Explanation(r, mxHost).Localize(lang)
	out.Explanation = &x
	return out
}

// messageRenderer writes results as NDJSON or as text: one line per result
// and the explanation card once per distinct cause. The card goes through
// the explain renderer (explainWriter.explanation), in this one place.
type messageRenderer struct {
	g    *Globals
	enc  *json.Encoder
	w    *explainWriter
	seen map[string]bool
	n    int
	werr error
}

func newMessageRenderer(g *Globals) *messageRenderer {
	r := &messageRenderer{g: g, seen: map[string]bool{}}
	if g.JSON() {
		r.enc = json.NewEncoder(g.IO.Out)
		r.enc.SetEscapeHTML(false)
	} else {
		r.w = newExplainWriter(g)
	}
	return r
}

func (r *messageRenderer) err() error {
	if r.werr != nil {
		return r.werr
	}
	if r.w != nil {
		return r.w.err
	}
	return nil
}

func (r *messageRenderer) result(res explainMessageResult) error {
	r.n++
	if r.enc != nil {
		r.werr = r.enc.Encode(res)
		return r.werr
	}
	t := r.w
	t.line(messageLine(t, res))
	// The cause is what the card explains: the kind and the reason (and a
	// provider's own rule). The status code stays on each result's line; a
	// second code for the same reason (5.1.1, 5.2.1 "User Unknown") gets
	// no second card with the same meaning and advice.
	cause := string(res.Recipient.Kind) + "|" + res.Recipient.Reason
	if res.Explanation != nil {
		cause += "|" + string(res.Explanation.Reason)
		if res.Explanation.Provider != nil {
			cause += "|" + res.Explanation.Provider.Rule
		}
	}
	if !r.seen[cause] && !t.quiet {
		r.seen[cause] = true
		t.nl()
		if res.Note != nil {
			if t.err == nil {
				t.err = view.NoteText(t.w, res.Note.Title, res.Note.Text, res.Note.Advice, t.st)
			}
		} else {
			t.explanation(*res.Explanation)
		}
		t.nl()
	}
	return t.err
}

// messageLine is the one-line summary of a result.
func messageLine(t *explainWriter, res explainMessageResult) string {
	r := res.Recipient
	what := r.Action
	switch r.Kind {
	case dsn.KindComplaint:
		what = t.tr("complaint", "Beschwerde")
	case dsn.KindAutoReply:
		what = t.tr("auto-reply", "Auto-Antwort")
	case dsn.KindJunkReport:
		what = t.tr("junk report", "Spam-Meldung")
	case dsn.KindUnsubscribe:
		what = t.tr("unsubscribe request", "Abmeldewunsch")
	}
	parts := []string{res.Source, t.st.Bold(what), orDashStr(r.Recipient)}
	if r.Status != "" {
		parts = append(parts, r.Status)
	}
	parts = append(parts, r.Reason)
	if r.RemoteMTA != "" {
		parts = append(parts, t.tr("via ", "über ")+r.RemoteMTA)
	}
	if r.RemoteReply != "" {
		parts = append(parts, "— "+view.Clip(r.RemoteReply, 160))
	}
	if r.OriginalMessageID != "" {
		parts = append(parts, "<"+r.OriginalMessageID+">")
	}
	return strings.Join(parts, " ")
}

func orDashStr(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
