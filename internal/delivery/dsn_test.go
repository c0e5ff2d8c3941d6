package delivery

import (
	"strings"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/lab/imaplab"
)

// TestDSNMailboxChangesVerdict: a bounce, a delay notification, a success
// DSN and a complaint report about a probe, each arriving in the lab's DSN
// mailbox (IMAP), turn its verdict into bounced late, delayed, delivery
// confirmed and complaint, and enter its timeline as a dsn event.
func TestDSNMailboxChangesVerdict(t *testing.T) {
	w := newWorld(t, worldOpts{rules: map[string]imaplab.Behavior{
		"bounce@dest.test": imaplab.Bounce, "slow@dest.test": imaplab.Discard,
		"quiet@dest.test": imaplab.Discard, "angry@dest.test": imaplab.DeliverInbox,
		"away@dest.test": imaplab.AutoReply,
	}})
	tok := map[string]string{}
	for _, name := range []string{"bounce", "slow", "quiet", "angry", "away"} {
		p := w.send(t, name+"@dest.test")
		tok[name] = p.Token
		if p.Outcome != OutcomeAccepted {
			t.Fatalf("%s: outcome %s", name, p.Outcome)
		}
	}
	orig := map[string][]byte{}
	for _, r := range w.mx.Received() {
		for name, tk := range tok {
			if containsToken(r.Data, tk) {
				orig[name] = r.Data
			}
		}
	}
	appendDSN := func(report []byte) {
		if _, err := w.sink.Append("INBOX", report, w.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	appendDSN(imaplab.BounceReport(imaplab.BounceOptions{ReportingMTA: "mx.dest.test", ReturnPath: fromAddr, Recipient: "slow@dest.test",
		Action: "delayed", Status: "4.4.1", Diagnostic: "smtp; 451 4.4.1 mailbox server not reachable, will retry", Original: orig["slow"], Date: t0}))
	appendDSN(imaplab.BounceReport(imaplab.BounceOptions{ReportingMTA: "mx.dest.test", ReturnPath: fromAddr, Recipient: "quiet@dest.test",
		Action: "delivered", Status: "2.0.0", Diagnostic: "smtp; 250 2.0.0 delivered to mailbox", Original: orig["quiet"], Date: t0}))
	appendDSN(imaplab.FeedbackReport(imaplab.FeedbackOptions{ReportingMTA: "hotmail.lab.test", To: fromAddr, SourceIP: "192.0.2.5",
		Recipient: "angry@dest.test", Original: orig["angry"], Date: t0}))
	w.clock.Advance(5 * time.Second)
	res := w.confirm(t)

	want := map[string]State{"bounce": StateBouncedLate, "slow": StateDelayed, "quiet": StateDeliveryConfirmed, "angry": StateComplaint, "away": StateDeliveryConfirmed}
	wantFormat := map[string]string{"bounce": "dsn", "slow": "dsn", "quiet": "dsn", "angry": "complaint", "away": "autoreply"}
	for name, st := range want {
		v, ok := res.Verdict.Get(tok[name])
		if !ok {
			t.Fatalf("%s: no verdict", name)
		}
		if v.State != st {
			t.Errorf("%s: state %s, want %s (reasons %v)", name, v.State, st, v.Reasons)
			continue
		}
		if v.DSN == nil || v.DSN.Format != wantFormat[name] {
			t.Errorf("%s: dsn %+v, want format %s", name, v.DSN, wantFormat[name])
		}
	}
	// The timeline: one dsn event per report and probe in the ledger.
	evs := mustEvents(t, w.ledger)
	got := map[string]int{}
	for _, ev := range evs {
		if ev.Kind == KindDSN {
			got[ev.Token]++
		}
	}
	for name, tk := range tok {
		if got[tk] != 1 {
			t.Errorf("%s: %d dsn events in the ledger, want 1", name, got[tk])
		}
	}
	// A second confirm round records nothing twice and keeps the verdicts.
	w.clock.Advance(5 * time.Second)
	res = w.confirm(t)
	if len(res.NewDSNs) != 0 {
		t.Errorf("second round matched again: %+v", res.NewDSNs)
	}
	if v, _ := res.Verdict.Get(tok["angry"]); v.State != StateComplaint || v.DSN.Reason != "feedback" {
		t.Errorf("complaint lost: %s %+v", v.State, v.DSN)
	}
}

func containsToken(data []byte, tok string) bool {
	return len(findTokens(string(data), map[string]bool{tok: true})) > 0
}

// TestUnsubscribeRequestMatchesNoProbe: a request to leave a mailing list
// is about a list mail, never evidence about a probe, even when it quotes
// the probe's token.
func TestUnsubscribeRequestMatchesNoProbe(t *testing.T) {
	tok := "u3m7uggvm3knvvj565v2"
	msg := "From: erika@kunde.test\r\nTo: leave@list.test\r\nSubject: unsubscribe\r\nX-Apple-Unsubscribe: true\r\n" +
		"In-Reply-To: <mxprobe." + tok + "@sender.test>\r\n\r\nApple Mail sent this email to unsubscribe from the message \"mxprobe delivery test " + tok + "\".\r\n"
	if ms := MatchBounce([]byte(msg), map[string]*Probe{tok: {Token: tok, To: "erika@kunde.test"}}); len(ms) != 0 {
		t.Errorf("matched: %+v", ms)
	}
	// The same words as an auto-reply do match.
	auto := strings.Replace(strings.Replace(msg, "Subject: unsubscribe", "Subject: Auto: mxprobe delivery test "+tok, 1), "X-Apple-Unsubscribe: true", "Auto-Submitted: auto-replied", 1)
	if ms := MatchBounce([]byte(auto), map[string]*Probe{tok: {Token: tok, To: "erika@kunde.test"}}); len(ms) != 1 || ms[0].DSN.Format != "autoreply" {
		t.Errorf("auto-reply: %+v", ms)
	}
}
