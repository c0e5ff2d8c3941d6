package check

import (
	"context"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/publicsuffix"
)

// Pacer spaces SMTP sessions per destination operator in bulk mode, so one
// provider never sees a burst from us (docs/architecture.md "Network etiquette").
type Pacer struct {
	// Gap is the minimum time between two sessions to the same operator.
	Gap time.Duration
	mu  sync.Mutex
	key map[string]*paceSlot
}

type paceSlot struct {
	mu   sync.Mutex
	last time.Time
}

// NewPacer returns a pacer with the given gap.
func NewPacer(gap time.Duration) *Pacer { return &Pacer{Gap: gap, key: map[string]*paceSlot{}} }

// PaceKey groups MX hosts by operator: the registrable domain of the host
// name (hotmail-com.olc.protection.outlook.com → outlook.com).
func PaceKey(host string) string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if k, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return k
	}
	return host
}

// Acquire waits until a session to key may start and returns the function
// that ends it. Sessions to one key run one at a time, Gap apart. A nil
// Pacer does not wait.
func (p *Pacer) Acquire(ctx context.Context, key string) (release func(), err error) {
	if p == nil {
		return func() {}, nil
	}
	p.mu.Lock()
	s, ok := p.key[key]
	if !ok {
		s = &paceSlot{}
		p.key[key] = s
	}
	p.mu.Unlock()
	locked := make(chan struct{})
	go func() { s.mu.Lock(); close(locked) }()
	select {
	case <-locked:
	case <-ctx.Done():
		go func() { <-locked; s.mu.Unlock() }()
		return nil, ctx.Err()
	}
	if wait := time.Until(s.last.Add(p.Gap)); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			s.mu.Unlock()
			return nil, ctx.Err()
		}
	}
	return func() { s.last = time.Now(); s.mu.Unlock() }, nil
}
