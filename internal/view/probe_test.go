package view

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/render"
)

const tok = "abcdefghij0123456789"

// probeEvents is an accepted probe followed by one matched report.
func probeEvents(d delivery.DSNMatch) ([]delivery.Event, time.Time) {
	t0 := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	sent := &delivery.Probe{Token: tok, Role: delivery.RoleProbe, Group: tok, To: "seed@example.org", Route: delivery.RouteDirect,
		MXHost: "mx.example.org", Outcome: delivery.OutcomeAccepted, Code: 250, Reply: "250 2.0.0 Ok: queued as 4F2A1"}
	d.Source, d.Mailbox, d.MatchedBy = "cur/1", "dsn@example.net", "envid"
	return []delivery.Event{
		{V: 1, Kind: delivery.KindSent, At: t0, Token: tok, Sent: sent},
		{V: 1, Kind: delivery.KindDSN, At: t0.Add(20 * time.Minute), Token: tok, DSN: &d},
	}, t0.Add(30 * time.Minute)
}

// TestTimelineDeliveryStates: a delay notice, a delivery confirmation, a
// complaint and an auto-reply are worded as what they are, in English and German, and the
// verdict that rests on them carries its own title.
func TestTimelineDeliveryStates(t *testing.T) {
	cases := []struct {
		dsn    delivery.DSNMatch
		state  delivery.State
		en, de string
	}{
		{delivery.DSNMatch{Format: "dsn", Kind: "recipient", Action: "delayed", Status: "4.4.7", DiagnosticCode: "451 4.4.7 try again later"},
			delivery.StateDelayed, "delay notice for " + tok + ": 4.4.7 451 4.4.7 try again later — not delivered yet", "Meldung über verzögerte Zustellung zu " + tok + ": 4.4.7"},
		{delivery.DSNMatch{Format: "dsn", Kind: "recipient", Action: "delivered", Status: "2.0.0"},
			delivery.StateDeliveryConfirmed, "delivery confirmation for " + tok + ": delivered 2.0.0", "Zustellbestätigung zu " + tok + ": delivered 2.0.0"},
		{delivery.DSNMatch{Format: "complaint", Kind: "complaint", FeedbackType: "abuse"},
			delivery.StateComplaint, "complaint report about " + tok + ": feedback type abuse", "Beschwerde über " + tok + ": Art abuse"},
		{delivery.DSNMatch{Format: "autoreply", Kind: "autoreply", FinalRecipient: "away@dest.test", Reason: "vacation", MatchedBy: "header"},
			delivery.StateDeliveryConfirmed, "automatic reply to " + tok + " from away@dest.test — the recipient's mailbox received the probe",
			"automatische Antwort auf " + tok + " von away@dest.test — das Postfach des Empfängers hat die Testmail erhalten"},
	}
	for _, c := range cases {
		evs, now := probeEvents(c.dsn)
		res := delivery.VerdictWith(evs, now, delivery.VerdictOptions{Windows: delivery.DefaultWindows()})
		v, ok := res.Get(tok)
		if !ok || v.State != c.state {
			t.Fatalf("%s: verdict %+v", c.state, v)
		}
		for _, lc := range []struct {
			l    i18n.Lang
			want string
		}{{i18n.EN, c.en}, {i18n.DE, c.de}} {
			var b bytes.Buffer
			TimelineText(&b, Timeline(delivery.Evidence(evs, v)), lc.l, render.Styler{Width: 200})
			VerdictsText(&b, []delivery.ProbeVerdict{v}, lc.l, render.Styler{Width: 200}, VerdictOptions{Verbose: true})
			out := b.String()
			if !strings.Contains(out, lc.want) {
				t.Errorf("%s %s: timeline lacks %q:\n%s", c.state, lc.l, lc.want, out)
			}
			if strings.Contains(out, "bounce report") || strings.Contains(out, "Unzustellbarkeitsnachricht") {
				t.Errorf("%s %s: worded as a bounce:\n%s", c.state, lc.l, out)
			}
			if title := v.State.Title().In(lc.l); !strings.Contains(out, title) {
				t.Errorf("%s %s: verdict title %q missing:\n%s", c.state, lc.l, title, out)
			}
		}
	}
}

// TestDeliveryProofNoRepeat: check --deliver-to's proof keeps the evidence
// and leaves the advice to the report's finding; probe confirm's verdict
// block gives it.
func TestDeliveryProofNoRepeat(t *testing.T) {
	evs, now := probeEvents(delivery.DSNMatch{Format: "dsn", Kind: "recipient", Action: "delayed", Status: "4.4.7", DiagnosticCode: "451 4.4.7 try again later"})
	v, _ := delivery.VerdictWith(evs, now, delivery.VerdictOptions{Windows: delivery.DefaultWindows()}).Get(tok)
	steps := delivery.NextSteps(v)
	if len(steps) == 0 {
		t.Fatal("a delayed probe without next steps")
	}
	first := strings.Fields(steps[0].In(i18n.EN))[0:4]
	var proof, block bytes.Buffer
	DeliveryProof(&proof, &delivery.ConfirmResult{}, []delivery.ProbeVerdict{v}, i18n.EN, render.Styler{Width: 200}, VerdictOptions{})
	VerdictsText(&block, []delivery.ProbeVerdict{v}, i18n.EN, render.Styler{Width: 200}, VerdictOptions{})
	key := strings.Join(first, " ")
	if !strings.Contains(block.String(), key) {
		t.Fatalf("verdict block lacks the next step %q:\n%s", key, block.String())
	}
	if strings.Contains(proof.String(), key) || strings.Contains(proof.String(), "          → ") {
		t.Errorf("delivery proof repeats the advice:\n%s", proof.String())
	}
	if !strings.Contains(proof.String(), "Delivery proof") || !strings.Contains(proof.String(), tok) || !strings.Contains(proof.String(), "Explanation: ") {
		t.Errorf("delivery proof lost its evidence:\n%s", proof.String())
	}
}

// TestSentTextStyler: probe send's lines follow the stream's styler (no
// escapes without colour, wrapped at its width) and the glossary in German.
func TestSentTextStyler(t *testing.T) {
	p := &delivery.Probe{Token: tok, Role: delivery.RoleProbe, To: "seed@example.org", Route: delivery.RouteDirect, MXHost: "mx.example.org",
		Outcome: delivery.OutcomeRejected, Stage: "rcpt", Code: 550,
		Reply: "550 5.7.1 Service unavailable; client host [192.0.2.1] blocked using a block list that this receiver consults for every connection it accepts"}
	var b bytes.Buffer
	SentText(&b, []*delivery.Probe{p}, i18n.DE, render.Styler{Width: 60}, false)
	out := b.String()
	if strings.Contains(out, "\x1b[") || !strings.Contains(out, "Testmail "+tok) || !strings.Contains(out, "abgelehnt (direct, rcpt)") {
		t.Errorf("send lines:\n%s", out)
	}
	for _, ln := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if n := len([]rune(ln)); n > 60 && strings.Contains(ln, " ") && !strings.HasPrefix(strings.TrimSpace(ln), "Testmail") {
			t.Errorf("line of %d runes beyond width 60: %q", n, ln)
		}
	}
	b.Reset()
	SentText(&b, []*delivery.Probe{p}, i18n.EN, render.Styler{Color: true}, false)
	if !strings.Contains(b.String(), "\x1b[") {
		t.Errorf("no colour with colour on:\n%s", b.String())
	}
}
