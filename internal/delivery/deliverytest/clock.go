// Package deliverytest holds test helpers for code that runs on a
// delivery.Clock: a frozen clock whose Sleep advances it at once. Tests
// only; production code uses delivery.SystemClock.
package deliverytest

import (
	"context"
	"time"
)

// FakeClock is a frozen clock: Sleep advances it at once. Not safe for
// concurrent use (one command run uses it at a time).
type FakeClock struct{ T time.Time }

// Now returns the frozen time.
func (c *FakeClock) Now() time.Time { return c.T }

// Sleep advances the clock by d unless ctx has ended.
func (c *FakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.T = c.T.Add(d)
	return nil
}
