package delivery

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/lab/imaplab"
)

// TestWindowsJSON: windows are seconds with the unit in the key, never
// nanoseconds; odd values read as invalid windows, not as errors.
func TestWindowsJSON(t *testing.T) {
	b, err := json.Marshal(DefaultWindows())
	if err != nil || string(b) != `{"expect_s":900,"drop_after_s":86400,"final_s":259200}` {
		t.Fatalf("%s %v", b, err)
	}
	w := Windows{Expect: 1500 * time.Millisecond, DropAfter: 4 * time.Second, Final: 10 * time.Second}
	b, _ = json.Marshal(w)
	var back Windows
	if err := json.Unmarshal(b, &back); err != nil || back != w {
		t.Fatalf("%s → %+v %v", b, back, err)
	}
	for _, in := range []string{`{"expect_s":-1,"drop_after_s":1,"final_s":2}`, `{"expect_s":1e300,"drop_after_s":1,"final_s":2}`, `{}`,
		`{"expect_s":"15m","drop_after_s":1,"final_s":2}`, `"15m/24h/72h"`, `[1,2,3]`, `null`} {
		var w Windows
		if err := json.Unmarshal([]byte(in), &w); err != nil || w.Validate() == nil {
			t.Errorf("%s: %+v %v", in, w, err)
		}
	}
	// An event whose windows have a shape this build does not know still
	// parses: the probe is not lost, its windows are ignored.
	line := `{"v":2,"kind":"sent","at":"2026-03-03T10:00:00Z","token":"aaaaaaaaaaaaaaaaaaaa","windows":{"expect":"15m"},"sent":{"token":"aaaaaaaaaaaaaaaaaaaa"}}`
	ev, err := ParseEvent([]byte(line))
	if err != nil || ev.Windows == nil || ev.Windows.Validate() == nil {
		t.Fatalf("%+v %v", ev, err)
	}
	if got := StoredWindows([]Event{ev}); len(got) != 0 {
		t.Fatalf("invalid windows stored: %+v", got)
	}
}

// TestVerdictStoredWindows: a probe is judged with the windows stored with
// it; the latest scan event that names it may replace them; Override and
// events without windows use the caller's. Found by the integration run:
// confirm said silent_drop_suspected, logscan said pending.
func TestVerdictStoredWindows(t *testing.T) {
	A, B := "aaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbb"
	short := Windows{Expect: sec(1), DropAfter: sec(4), Final: sec(10)}
	var b evb
	b.send(A, t0, OutcomeAccepted).send(B, t0, OutcomeAccepted)
	b.evs[0].Windows = &short // A: stored at send; B: an older event without windows
	b.scan(t0.Add(sec(2)), true, []string{A, B}).scan(t0.Add(sec(5)), true, []string{A, B})
	now := t0.Add(sec(6))

	res := Verdict(b.evs, now, DefaultWindows())
	a, _ := res.Get(A)
	bv, _ := res.Get(B)
	if a.State != StateSilentDrop || a.Windows != short || !a.DropAt.Equal(t0.Add(sec(4))) {
		t.Fatalf("A with its stored windows: %s %+v", a.State, a.Windows)
	}
	if bv.State != StatePending || bv.Windows != DefaultWindows() {
		t.Fatalf("B without stored windows: %s %+v", bv.State, bv.Windows)
	}
	// The user's flags override what is stored.
	a, _ = VerdictWith(b.evs, now, VerdictOptions{Windows: DefaultWindows(), Override: true}).Get(A)
	if a.State != StatePending {
		t.Fatalf("override: %s", a.State)
	}
	// A later scan with explicit windows (confirm --drop-after …) replaces them.
	long := Windows{Expect: sec(10), DropAfter: sec(60), Final: sec(120)}
	b.evs = append(b.evs, Event{Kind: KindScan, At: t0.Add(sec(6)), Windows: &long,
		Scan: &Scan{Purpose: PurposeSeed, Mailbox: "imap://seed@lab", Tokens: []string{A}, Complete: true}})
	a, _ = Verdict(b.evs, now, DefaultWindows()).Get(A)
	if a.State != StatePending || a.Windows != long {
		t.Fatalf("after the scan with windows: %s %+v", a.State, a.Windows)
	}
	// Invalid stored windows are ignored.
	bad := Windows{Expect: sec(5), DropAfter: sec(1), Final: sec(2)}
	b.evs = append(b.evs, Event{Kind: KindScan, At: t0.Add(sec(7)), Windows: &bad,
		Scan: &Scan{Purpose: PurposeSeed, Mailbox: "imap://seed@lab", Tokens: []string{A}, Complete: true}})
	if a, _ = Verdict(b.evs, now, DefaultWindows()).Get(A); a.Windows != long {
		t.Fatalf("invalid windows used: %+v", a.Windows)
	}
}

// TestSendAndConfirmStoreWindows: Send records SendOptions.Windows with the
// probe; Confirm records explicit windows with its scans and nothing with
// WindowsFallback; the ledger round-trips them.
func TestSendAndConfirmStoreWindows(t *testing.T) {
	w := newWorld(t, worldOpts{rules: map[string]imaplab.Behavior{seedAddr: imaplab.Discard}})
	stored := Windows{Expect: sec(1), DropAfter: sec(4), Final: sec(10)}
	p := w.send(t, seedAddr, func(o *SendOptions) { o.Windows = &stored })
	evs := mustEvents(t, w.ledger)
	if len(evs) != 1 || evs[0].Windows == nil || *evs[0].Windows != stored {
		t.Fatalf("sent event windows %+v", evs[0].Windows)
	}
	if _, err := Send(t.Context(), SendOptions{From: fromAddr, To: seedAddr, Route: RouteDirect, MX: w.mx.Addr(),
		Windows: &Windows{Expect: sec(2), DropAfter: sec(1), Final: sec(3)}}); err == nil || !strings.Contains(err.Error(), "windows") {
		t.Fatalf("invalid windows accepted: %v", err)
	}
	// Two rounds without explicit windows: the stored ones decide, nothing recorded.
	w.clock.Advance(sec(2))
	w.confirm(t, func(o *ConfirmOptions) { o.Windows, o.WindowsFallback = DefaultWindows(), true })
	w.clock.Advance(sec(3))
	res := w.confirm(t, func(o *ConfirmOptions) { o.Windows, o.WindowsFallback = DefaultWindows(), true })
	if v, _ := res.Verdict.Get(p.Token); v.State != StateSilentDrop || v.Windows != stored {
		t.Fatalf("fallback round: %s %+v", v.State, v.Windows)
	}
	for _, ev := range mustEvents(t, w.ledger)[1:] {
		if ev.Windows != nil {
			t.Fatalf("fallback round recorded windows: %+v", ev)
		}
	}
	// An explicit round records its windows with both scans (seed and DSN).
	res = w.confirm(t, func(o *ConfirmOptions) { o.Windows, o.Tokens, o.Pending = testWindows, []string{p.Token}, false })
	if v, _ := res.Verdict.Get(p.Token); v.State != StatePending || v.Windows != testWindows {
		t.Fatalf("explicit round: %s %+v", v.State, v.Windows)
	}
	evs = mustEvents(t, w.ledger)
	last := evs[len(evs)-2:]
	for _, ev := range last {
		if ev.Kind != KindScan || ev.Windows == nil || *ev.Windows != testWindows {
			t.Fatalf("explicit round event %+v", ev)
		}
	}
	// Every later reader, whatever its own default, now agrees.
	if v, _ := Verdict(evs, w.clock.Now(), DefaultWindows()).Get(p.Token); v.Windows != testWindows {
		t.Fatalf("later reader: %+v", v.Windows)
	}
}

// TestNextStepsProviderAware: Microsoft's channels only for Microsoft
// destinations, Postmaster Tools for Google, the receiving postmaster for
// everyone else (found by the integration run: provider "other" got
// Microsoft-only steps).
func TestNextStepsProviderAware(t *testing.T) {
	joined := func(v ProbeVerdict) string {
		var b strings.Builder
		for _, s := range NextSteps(v) {
			if !s.Complete() {
				t.Fatalf("untranslated %+v", s)
			}
			b.WriteString(s.EN + "\n" + s.DE + "\n")
		}
		b.WriteString(v.Finding().Advice.EN)
		return b.String()
	}
	for _, c := range []struct {
		provider, to string
		want, not    []string
	}{
		{"other", "seed@accept.example", []string{"postmaster@accept.example", "probe show tok --format json"}, []string{"614866", "SNDS", "JMRP", "messagetrace", "postmaster.google.com"}},
		{"gmx", "seed@gmx.de", []string{"postmaster@gmx.de"}, []string{"614866", "SNDS"}},
		{"microsoft_consumer", "seed@hotmail.com", []string{"614866", "SNDS", "JMRP"}, []string{"postmaster@", "messagetrace", "postmaster.google.com"}},
		{"microsoft_tenant", "seed@contoso.example", []string{"messagetrace", "InternalId"}, []string{"614866", "JMRP", "postmaster@"}},
		{"gmail", "seed@gmail.com", []string{"postmaster.google.com"}, []string{"614866", "SNDS", "postmaster@"}},
	} {
		v := ProbeVerdict{Token: "tok", To: c.to, Provider: c.provider, State: StateSilentDrop, Confidence: ConfidenceLow}
		txt := joined(v)
		for _, w := range c.want {
			if !strings.Contains(txt, w) {
				t.Errorf("%s: lacks %q:\n%s", c.provider, w, txt)
			}
		}
		for _, n := range c.not {
			if strings.Contains(txt, n) {
				t.Errorf("%s: has %q:\n%s", c.provider, n, txt)
			}
		}
	}
	// Other problem states follow the same rule.
	for _, st := range []State{StateRejected, StateDeferred, StateDeliveredJunk, StateMovedAfterDelivery, StateBouncedLate, StateDeliveredLate} {
		if txt := joined(ProbeVerdict{Token: "tok", To: "seed@accept.example", Provider: "other", State: st}); strings.Contains(txt, "614866") || strings.Contains(txt, "SNDS") || strings.Contains(txt, "Microsoft") {
			t.Errorf("%s for provider other names Microsoft:\n%s", st, txt)
		}
		if txt := joined(ProbeVerdict{Token: "tok", To: "seed@hotmail.com", Provider: "microsoft_consumer", State: st}); st == StateRejected && !strings.Contains(txt, "614866") {
			t.Errorf("%s for Outlook.com lacks the support form", st)
		}
	}
}
