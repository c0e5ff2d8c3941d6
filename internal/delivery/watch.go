package delivery

import (
	"context"
	"time"
)

// Clock is the time source of the delivery commands: Now for every event,
// Sleep between the rounds of a watch. Tests pass a FakeClock, which makes
// a watch of days run in milliseconds.
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the real clock (UTC).
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// Sleep waits d or until ctx ends.
func (SystemClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// WatchOptions drive Watch.
type WatchOptions struct {
	Clock Clock
	// Windows are used for the back-off when no watched probe has windows
	// of its own.
	Windows Windows
	// Stop ends the watch; zero: when the last watched verdict becomes final.
	Stop time.Time
	// Tokens are the watched probes.
	Tokens []string
	// Round runs one confirm round (bounded by its own deadline).
	Round func(ctx context.Context) (*ConfirmResult, error)
	// Changed is told every change of a watched probe's state (may be nil).
	Changed func(at time.Time, token string, state State)
	// UntilFinal watches until every verdict is final, not only settled
	// (a found probe is settled at once but final only after its final
	// window): for a mailbox that will not exist later, such as the
	// in-process lab's.
	UntilFinal bool
}

// maxWatchRounds bounds the loop whatever the clock does.
const maxWatchRounds = 100000

// Watch repeats Round with back-off, starting from the result of a first
// round, until every watched verdict is final or Stop passes. It wakes just
// after the next deadline of a watched probe when that comes first: that is
// when a verdict can change without new mail.
func Watch(ctx context.Context, o WatchOptions, res *ConfirmResult) (*ConfirmResult, error) {
	stop := o.Stop
	if stop.IsZero() {
		for _, t := range o.Tokens {
			if v, ok := res.Verdict.Get(t); ok && v.FinalAt.After(stop) {
				stop = v.FinalAt
			}
		}
	}
	last := map[string]State{}
	changed := func() {
		for _, t := range o.Tokens {
			v, ok := res.Verdict.Get(t)
			if !ok || last[t] == v.State {
				continue
			}
			last[t] = v.State
			if o.Changed != nil {
				o.Changed(o.Clock.Now(), t, v.State)
			}
		}
	}
	changed()
	for i := 0; i < maxWatchRounds; i++ {
		now := o.Clock.Now()
		if done(res, o) || !now.Before(stop) {
			return res, nil
		}
		d := nextWake(res, o, PollInterval(i, pollWindows(res, o.Tokens, o.Windows)), now)
		if left := stop.Sub(now); left < d {
			d = max(left, time.Millisecond)
		}
		if err := o.Clock.Sleep(ctx, d); err != nil {
			return nil, err
		}
		next, err := o.Round(ctx)
		if err != nil {
			return nil, err
		}
		res = next
		changed()
	}
	return res, nil
}

// done: every watched verdict is settled (UntilFinal: final).
func done(res *ConfirmResult, o WatchOptions) bool {
	if !o.UntilFinal {
		return res.Verdict.AllSettled(o.Tokens...)
	}
	for _, t := range o.Tokens {
		if v, ok := res.Verdict.Get(t); ok && !v.Final {
			return false
		}
	}
	return true
}

// nextWake shortens d to just after the next deadline of a watched probe.
func nextWake(res *ConfirmResult, o WatchOptions, d time.Duration, now time.Time) time.Duration {
	for _, t := range o.Tokens {
		v, ok := res.Verdict.Get(t)
		if !ok || v.Final || (v.Settled && !o.UntilFinal) {
			continue
		}
		for _, dl := range []time.Time{v.ExpectBy, v.DropAt, v.FinalAt} {
			if dl.After(now) && dl.Sub(now)+time.Second < d {
				d = dl.Sub(now) + time.Second
			}
		}
	}
	return d
}

// PollInterval is the back-off of a watch: from a quarter of the expect
// window (1 s … 1 min), doubling, up to an eighth of the drop-after window
// (at most 15 min).
func PollInterval(round int, w Windows) time.Duration {
	base := min(max(w.Expect/4, time.Second), time.Minute)
	ceil := min(max(w.DropAfter/8, base), 15*time.Minute)
	d := base
	for i := 0; i < round && d < ceil; i++ {
		d *= 2
	}
	return min(d, ceil)
}

// pollWindows are the shortest windows among the watched probes that are
// not settled (each may have its own, stored in the ledger); win when there
// are none.
func pollWindows(res *ConfirmResult, watched []string, win Windows) Windows {
	out, found := Windows{}, false
	for _, t := range watched {
		v, ok := res.Verdict.Get(t)
		if !ok || v.Settled || v.Windows.Validate() != nil {
			continue
		}
		if !found {
			out, found = v.Windows, true
			continue
		}
		out.Expect, out.DropAfter, out.Final = min(out.Expect, v.Windows.Expect), min(out.DropAfter, v.Windows.DropAfter), min(out.Final, v.Windows.Final)
	}
	if !found {
		return win
	}
	return out
}
