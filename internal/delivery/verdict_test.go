package delivery

import (
	"strings"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/i18n/i18ntest"
	"github.com/mxprobe/mxprobe/internal/report"
)

var testWindows = Windows{Expect: 10 * time.Second, DropAfter: 60 * time.Second, Final: 120 * time.Second}

type evb struct{ evs []Event }

func (b *evb) send(tok string, at time.Time, outcome Outcome, mut ...func(*Probe)) *evb {
	ev := sentEvent(tok, at)
	ev.Sent.Outcome = outcome
	ev.Sent.MXHost = "hotmail-com.olc.protection.outlook.com"
	switch outcome {
	case OutcomeRejected:
		ev.Sent.Reply, ev.Sent.Code, ev.Sent.Stage = "550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. (S3150)", 550, "rcpt"
	case OutcomeDeferred:
		ev.Sent.Reply, ev.Sent.Code, ev.Sent.Stage = "451 4.7.500 Server busy", 451, "rcpt"
	case OutcomeFailed:
		ev.Sent.Error, ev.Sent.Stage = "dial tcp 192.0.2.1:25: connect: connection timed out", "connect"
	default:
		ev.Sent.Reply = "250 2.6.0 <x@y> [InternalId=1, Hostname=AM0PR.prod.outlook.com] Queued mail for delivery"
	}
	for _, m := range mut {
		m(ev.Sent)
	}
	b.evs = append(b.evs, ev)
	return b
}

func (b *evb) control(tok, group string, at time.Time) *evb {
	return b.send(tok, at, OutcomeAccepted, func(p *Probe) { p.Role, p.Group = RoleControl, group })
}

func (b *evb) scan(at time.Time, complete bool, tokens []string, found ...Sighting) *evb {
	b.evs = append(b.evs, Event{Kind: KindScan, At: at, Scan: &Scan{Purpose: PurposeSeed, Mailbox: "imap://seed@lab", Tokens: tokens, Complete: complete, Found: found}})
	return b
}

func (b *evb) dsn(tok string, at time.Time, action, status string) *evb {
	b.evs = append(b.evs, Event{Kind: KindDSN, At: at, Token: tok, DSN: &DSNMatch{Source: "x", Action: action, Status: status, MatchedBy: "envid", Format: "dsn"}})
	return b
}

// autoReply records an RFC 3834 automatic reply of the recipient's mailbox.
func (b *evb) autoReply(tok string, at time.Time) *evb {
	b.evs = append(b.evs, Event{Kind: KindDSN, At: at, Token: tok, DSN: &DSNMatch{Source: "y", MatchedBy: "header", Format: "autoreply", Kind: "autoreply", FinalRecipient: "away@dest.test"}})
	return b
}

func seen(tok, folder, role string, arrived time.Time) Sighting {
	return Sighting{Token: tok, Folder: folder, Role: role, UID: 1, Arrived: arrived, MatchedBy: "x-mxprobe-id"}
}

func sec(n int) time.Duration { return time.Duration(n) * time.Second }

func TestVerdictStates(t *testing.T) {
	A, C := "aaaaaaaaaaaaaaaaaaaa", "cccccccccccccccccccc"
	all := []string{A, C}
	at := func(n int) time.Time { return t0.Add(sec(n)) }
	cases := []struct {
		name       string
		b          *evb
		now        time.Time
		state      State
		confidence Confidence
		reason     Reason
		settled    bool
	}{
		{"rejected", new(evb).send(A, t0, OutcomeRejected), at(1), StateRejected, "", "", true},
		{"deferred", new(evb).send(A, t0, OutcomeDeferred), at(1), StateDeferred, "", "", true},
		{"send failed", new(evb).send(A, t0, OutcomeFailed), at(1), StateInconclusive, "", ReasonSendFailed, true},
		{"pending, nothing scanned", new(evb).send(A, t0, OutcomeAccepted), at(5), StatePending, "", "", false},
		{"pending overdue", new(evb).send(A, t0, OutcomeAccepted).scan(at(20), true, all), at(30), StatePending, "", "", false},
		{"inbox", new(evb).send(A, t0, OutcomeAccepted).scan(at(5), true, all, seen(A, "INBOX", RoleInbox, at(2))), at(6), StateDeliveredInbox, "", "", true},
		{"junk", new(evb).send(A, t0, OutcomeAccepted).scan(at(5), true, all, seen(A, "Junk Email", RoleJunk, at(2))), at(6), StateDeliveredJunk, "", "", true},
		{"other", new(evb).send(A, t0, OutcomeAccepted).scan(at(5), true, all, seen(A, "Archive", RoleOther, at(2))), at(6), StateDeliveredOther, "", "", true},
		{"late", new(evb).send(A, t0, OutcomeAccepted).scan(at(40), true, all, seen(A, "INBOX", RoleInbox, at(30))), at(41), StateDeliveredLate, "", "", true},
		{"found by an incomplete scan", new(evb).send(A, t0, OutcomeAccepted).scan(at(5), false, all, seen(A, "INBOX", RoleInbox, at(2))), at(6), StateDeliveredInbox, "", "", true},
		{"moved to junk", new(evb).send(A, t0, OutcomeAccepted).
			scan(at(5), true, all, seen(A, "INBOX", RoleInbox, at(2))).
			scan(at(50), true, all, seen(A, "Junk Email", RoleJunk, at(2))), at(51), StateMovedAfterDelivery, "", "", true},
		{"vanished after delivery", new(evb).send(A, t0, OutcomeAccepted).
			scan(at(5), true, all, seen(A, "INBOX", RoleInbox, at(2))).
			scan(at(50), true, all), at(51), StateMovedAfterDelivery, "", "", true},
		{"failed scan does not count as vanished", new(evb).send(A, t0, OutcomeAccepted).
			scan(at(5), true, all, seen(A, "INBOX", RoleInbox, at(2))).
			scan(at(50), false, all), at(51), StateDeliveredInbox, "", "", true},
		{"bounced late", new(evb).send(A, t0, OutcomeAccepted).dsn(A, at(30), "failed", "5.1.1"), at(31), StateBouncedLate, "", "", true},
		{"drop low", new(evb).send(A, t0, OutcomeAccepted).scan(at(20), true, all).scan(at(61), true, all), at(62), StateSilentDrop, ConfidenceLow, "", false},
		{"drop low final", new(evb).send(A, t0, OutcomeAccepted).scan(at(20), true, all).scan(at(121), true, all), at(122), StateSilentDrop, ConfidenceLow, "", true},
		{"drop medium (control arrived)", new(evb).send(A, t0, OutcomeAccepted).control(C, A, t0).
			scan(at(5), true, all, seen(C, "INBOX", RoleInbox, at(1))).scan(at(61), true, all, seen(C, "INBOX", RoleInbox, at(1))), at(62), StateSilentDrop, ConfidenceMedium, "", false},
		{"control missing too", new(evb).send(A, t0, OutcomeAccepted).control(C, A, t0).
			scan(at(5), true, all).scan(at(61), true, all), at(62), StateInconclusive, "", ReasonControlMissing, false},
		{"control pending keeps low", new(evb).send(A, t0, OutcomeAccepted).control(C, A, at(50)).
			scan(at(5), true, all).scan(at(61), true, all), at(62), StateSilentDrop, ConfidenceLow, "", false},
		{"seed never scanned", new(evb).send(A, t0, OutcomeAccepted), at(61), StateInconclusive, "", ReasonSeedNotWatched, false},
		{"IMAP down is never a drop", new(evb).send(A, t0, OutcomeAccepted).scan(at(20), false, all).scan(at(61), false, all), at(62), StateInconclusive, "", ReasonSeedUnreadable, false},
		{"one complete scan only", new(evb).send(A, t0, OutcomeAccepted).scan(at(61), true, all).scan(at(62), false, all), at(63), StateInconclusive, "", ReasonTooFewScans, false},
		{"two scans, none after the deadline", new(evb).send(A, t0, OutcomeAccepted).scan(at(20), true, all).scan(at(30), true, all), at(63), StateInconclusive, "", ReasonTooFewScans, false},
		{"scan before send does not count", new(evb).scan(at(-5), true, all).send(A, t0, OutcomeAccepted).scan(at(61), true, all), at(63), StateInconclusive, "", ReasonTooFewScans, false},
		{"auto-reply confirms", new(evb).send(A, t0, OutcomeAccepted).autoReply(A, at(3)), at(4), StateDeliveryConfirmed, "", "", true},
		{"auto-reply, seed never scanned", new(evb).send(A, t0, OutcomeAccepted).autoReply(A, at(3)), at(70), StateDeliveryConfirmed, "", "", true},
		{"auto-reply but not found", new(evb).send(A, t0, OutcomeAccepted).autoReply(A, at(3)).scan(at(20), true, all).scan(at(61), true, all), at(62), StateInconclusive, "", ReasonDeliveredNotFound, false},
		{"bounce beats auto-reply", new(evb).send(A, t0, OutcomeAccepted).autoReply(A, at(3)).dsn(A, at(30), "failed", "5.1.1"), at(31), StateBouncedLate, "", "", true},
		{"success DSN but not found", new(evb).send(A, t0, OutcomeAccepted).dsn(A, at(3), "delivered", "2.0.0").scan(at(20), true, all).scan(at(61), true, all), at(62), StateInconclusive, "", ReasonDeliveredNotFound, false},
		{"delay DSN: delayed", new(evb).send(A, t0, OutcomeAccepted).dsn(A, at(3), "delayed", "4.4.7"), at(30), StateDelayed, "", "", false},
		{"success DSN before the drop window: confirmed", new(evb).send(A, t0, OutcomeAccepted).dsn(A, at(3), "delivered", "2.0.0"), at(30), StateDeliveryConfirmed, "", "", true},
		{"late arrival reopens a suspicion", new(evb).send(A, t0, OutcomeAccepted).scan(at(20), true, all).scan(at(61), true, all).
			scan(at(90), true, all, seen(A, "INBOX", RoleInbox, at(80))), at(91), StateDeliveredLate, "", "", true},
		{"complaint", new(evb).send(A, t0, OutcomeAccepted).complaint(A, at(3)), at(4), StateComplaint, "", "", true},
	}
	covered := map[State]bool{}
	var german []string
	for _, tc := range cases {
		covered[tc.state] = true
		t.Run(tc.name, func(t *testing.T) {
			res := Verdict(tc.b.evs, tc.now, testWindows)
			v, ok := res.Get(A)
			if !ok {
				t.Fatal("no verdict")
			}
			if v.State != tc.state || v.Confidence != tc.confidence || v.Reason != tc.reason || v.Settled != tc.settled {
				t.Fatalf("got %s/%s/%s settled=%v, want %s/%s/%s settled=%v\nreasons: %v", v.State, v.Confidence, v.Reason, v.Settled,
					tc.state, tc.confidence, tc.reason, tc.settled, v.Reasons)
			}
			if v.Final != !tc.now.Before(v.FinalAt) && v.State != StateRejected && v.State != StateDeferred && v.State != StateBouncedLate && v.State != StateComplaint && v.Reason != ReasonSendFailed {
				t.Fatalf("final=%v at %s with final window ending %s", v.Final, tc.now, v.FinalAt)
			}
			if len(v.Reasons) == 0 {
				t.Fatal("no reasons")
			}
			for _, r := range append(append(v.Reasons, v.Missing...), NextSteps(v)...) {
				if !r.Complete() {
					t.Fatalf("untranslated text %+v", r)
				}
			}
			german = append(german, germanIssues(tc.name, v)...)
			// Purity: the same input gives the same answer.
			again, _ := Verdict(tc.b.evs, tc.now, testWindows).Get(A)
			if again.State != v.State || again.Confidence != v.Confidence {
				t.Fatal("verdict not deterministic")
			}
			f := v.Finding()
			if f.ID != "delivery."+string(tc.state) {
				t.Fatalf("finding id %s", f.ID)
			}
		})
	}
	for _, st := range States {
		if !covered[st] {
			t.Errorf("state %s has no case: its German texts are not scanned", st)
		}
	}
	if len(german) > 0 {
		t.Errorf("%d English words or glossary violations in the German verdict texts:\n%s", len(german), strings.Join(i18ntest.Uniq(german), "\n"))
	}
}

// germanIssues scans the German reasons, missing evidence and next steps of
// v (the next steps for every provider family) with the glossary scanner.
func germanIssues(name string, v ProbeVerdict) []string {
	var texts []string
	for _, r := range append(v.Reasons, v.Missing...) {
		texts = append(texts, r.DE)
	}
	var steps []string
	for _, prov := range []string{"microsoft_consumer", "microsoft_tenant", "gmail", "gmx"} {
		v.Provider = prov
		for _, r := range NextSteps(v) {
			texts, steps = append(texts, r.DE), append(steps, r.DE)
		}
	}
	// What the receiver or the network said is quoted verbatim, not scanned.
	text := strings.Join(texts, "\n")
	for _, quoted := range []string{"dial tcp 192.0.2.1:25: connect: connection timed out", "451 4.7.500 Server busy"} {
		text = strings.ReplaceAll(text, quoted, "")
	}
	var out []string
	for _, e := range i18ntest.EnglishIn(text, nil) {
		out = append(out, name+": "+e)
	}
	for _, e := range i18ntest.InfinitiveInstructions(strings.Join(steps, "\n")) {
		out = append(out, name+": instruction as an infinitive: "+e)
	}
	return out
}

func (b *evb) complaint(tok string, at time.Time) *evb {
	b.evs = append(b.evs, Event{Kind: KindDSN, At: at, Token: tok, DSN: &DSNMatch{Source: "x", Format: "complaint", Kind: "abuse", FeedbackType: "abuse", MatchedBy: "envid"}})
	return b
}

func TestVerdictHighConfidence(t *testing.T) {
	var b evb
	var probes []string
	// Three probes 20 s apart (separate 10 s windows), each with a control that arrived.
	for i := 0; i < 3; i++ {
		p, c := mustToken(t), mustToken(t)
		probes = append(probes, p)
		at := t0.Add(sec(20 * i))
		b.send(p, at, OutcomeAccepted).control(c, p, at)
		b.scan(at.Add(sec(5)), true, []string{p, c}, seen(c, "INBOX", RoleInbox, at.Add(sec(1))))
		b.scan(at.Add(sec(70)), true, []string{p, c}, seen(c, "INBOX", RoleInbox, at.Add(sec(1))))
	}
	now := t0.Add(sec(200))
	res := Verdict(b.evs, now, testWindows)
	for _, p := range probes {
		v, _ := res.Get(p)
		if v.State != StateSilentDrop || v.Confidence != ConfidenceHigh || v.Series != 3 {
			t.Fatalf("%s: %s/%s series %d", p, v.State, v.Confidence, v.Series)
		}
	}
	// A fourth probe of the same route that arrived in between makes it intermittent.
	d := mustToken(t)
	b.send(d, t0.Add(sec(25)), OutcomeAccepted).scan(t0.Add(sec(30)), true, []string{d}, seen(d, "INBOX", RoleInbox, t0.Add(sec(26))))
	res = Verdict(b.evs, now, testWindows)
	v, _ := res.Get(probes[0])
	if v.Confidence != ConfidenceMedium {
		t.Fatalf("intermittent: got %s", v.Confidence)
	}
	// Probes in one burst (less than the expect window apart) are one window.
	var burst evb
	for i := 0; i < 3; i++ {
		p, c := mustToken(t), mustToken(t)
		at := t0.Add(sec(i))
		burst.send(p, at, OutcomeAccepted).control(c, p, at)
		burst.scan(at.Add(sec(5)), true, []string{p, c}, seen(c, "INBOX", RoleInbox, at))
		burst.scan(at.Add(sec(70)), true, []string{p, c}, seen(c, "INBOX", RoleInbox, at))
	}
	for _, v := range Verdict(burst.evs, now, testWindows).Probes {
		if v.Confidence == ConfidenceHigh {
			t.Fatal("a burst must not count as separate windows")
		}
	}
}

func TestWindowsValidate(t *testing.T) {
	if err := DefaultWindows().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, w := range []Windows{{}, {Expect: 2, DropAfter: 1, Final: 3}, {Expect: 1, DropAfter: 3, Final: 2}, {Expect: -1, DropAfter: 1, Final: 1}} {
		if w.Validate() == nil {
			t.Errorf("%+v accepted", w)
		}
	}
}

func TestStateCatalog(t *testing.T) {
	for _, s := range States {
		d, ok := report.Lookup(FindingID(s))
		if !ok || !d.Title.Complete() || !d.Advice.Complete() {
			t.Fatalf("%s: incomplete catalog entry", s)
		}
		for _, txt := range []string{d.Title.DE, d.Advice.DE} {
			if strings.Contains(txt, "fuer") || strings.Contains(txt, "koennen") || strings.Contains(txt, "Pruef") {
				t.Fatalf("%s: German without umlauts: %q", s, txt)
			}
		}
	}
	if !strings.Contains(StateSilentDrop.Title().EN, "Silent drop") {
		t.Fatal("title")
	}
}
