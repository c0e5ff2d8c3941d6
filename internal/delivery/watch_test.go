package delivery

import (
	"context"
	"errors"
	"github.com/mxprobe/mxprobe/internal/delivery/deliverytest"
	"testing"
	"time"
)

// pendingResult is a round's result with one unsettled probe whose final
// window ends at final.
func pendingResult(tok string, sent, final time.Time, settled bool) *ConfirmResult {
	w := Windows{Expect: time.Minute, DropAfter: time.Hour, Final: final.Sub(sent)}
	return &ConfirmResult{Verdict: VerdictResult{Probes: []ProbeVerdict{{Token: tok, Settled: settled, Windows: w,
		SentAt: sent, ExpectBy: sent.Add(w.Expect), DropAt: sent.Add(w.DropAfter), FinalAt: final}}}}
}

// TestWatchStopsWhenSettled: rounds run until the verdict settles; the fake
// clock makes hours of back-off instant, and each change is reported once.
func TestWatchStopsWhenSettled(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	clk := &deliverytest.FakeClock{T: t0}
	rounds := 0
	var changes []State
	res := pendingResult("tok", t0, t0.Add(72*time.Hour), false)
	res.Verdict.Probes[0].State = StatePending
	out, err := Watch(context.Background(), WatchOptions{Clock: clk, Tokens: []string{"tok"},
		Round: func(context.Context) (*ConfirmResult, error) {
			rounds++
			r := pendingResult("tok", t0, t0.Add(72*time.Hour), rounds == 3)
			r.Verdict.Probes[0].State = StatePending
			if rounds == 3 {
				r.Verdict.Probes[0].State = StateDeliveredInbox
			}
			return r, nil
		},
		Changed: func(_ time.Time, _ string, s State) { changes = append(changes, s) }}, res)
	if err != nil {
		t.Fatal(err)
	}
	if rounds != 3 || !out.Verdict.AllSettled("tok") {
		t.Fatalf("rounds %d, settled %v; want 3 rounds and a settled verdict", rounds, out.Verdict.AllSettled("tok"))
	}
	if len(changes) != 2 || changes[0] != StatePending || changes[1] != StateDeliveredInbox {
		t.Errorf("changes %v, want [pending delivered_inbox]", changes)
	}
	if !clk.T.After(t0) {
		t.Error("the clock did not advance")
	}
}

// TestWatchStopsAtStop: without a settled verdict the watch ends at Stop,
// never later, and a cancelled context ends it with the context's error.
func TestWatchStopsAtStop(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	clk := &deliverytest.FakeClock{T: t0}
	round := func(context.Context) (*ConfirmResult, error) {
		return pendingResult("tok", t0, t0.Add(72*time.Hour), false), nil
	}
	stop := t0.Add(2 * time.Hour)
	if _, err := Watch(context.Background(), WatchOptions{Clock: clk, Tokens: []string{"tok"}, Stop: stop, Round: round},
		pendingResult("tok", t0, t0.Add(72*time.Hour), false)); err != nil {
		t.Fatal(err)
	}
	if clk.T.Before(stop) || clk.T.After(stop.Add(time.Second)) {
		t.Errorf("stopped at %s, want %s", clk.T, stop)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Watch(ctx, WatchOptions{Clock: &deliverytest.FakeClock{T: t0}, Tokens: []string{"tok"}, Round: round}, pendingResult("tok", t0, t0.Add(time.Hour), false))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled watch: %v", err)
	}
}

func TestPollInterval(t *testing.T) {
	w := DefaultWindows()
	if d := PollInterval(0, w); d != time.Minute { // a quarter of 15m, capped at 1m
		t.Errorf("round 0: %s", d)
	}
	if d := PollInterval(50, w); d != 15*time.Minute {
		t.Errorf("round 50: %s, want the 15m ceiling", d)
	}
}

// TestEvidenceFiltersOtherProbes: scans keep only the wanted tokens; events
// of other probes are dropped.
func TestEvidenceFiltersOtherProbes(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	evs := []Event{
		{Kind: KindScan, At: t0.Add(time.Minute), Scan: &Scan{Tokens: []string{"a", "b"}, Found: []Sighting{{Token: "a"}, {Token: "b"}}}},
		{Kind: KindSent, At: t0, Token: "a"},
		{Kind: KindSent, At: t0, Token: "b"},
		{Kind: KindScan, At: t0.Add(2 * time.Minute), Scan: &Scan{Tokens: []string{"b"}}},
	}
	got := Evidence(evs, ProbeVerdict{Token: "a"})
	if len(got) != 2 || got[0].Kind != KindSent || got[1].Kind != KindScan {
		t.Fatalf("evidence %+v", got)
	}
	if sc := got[1].Scan; len(sc.Tokens) != 1 || len(sc.Found) != 1 || sc.Found[0].Token != "a" {
		t.Errorf("scan not reduced: %+v", sc)
	}
	if len(evs[0].Scan.Tokens) != 2 {
		t.Error("Evidence modified its input")
	}
}
