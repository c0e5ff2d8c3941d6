package check

import (
	"bufio"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Bulk input limits: targets per run and bytes per line.
const (
	MaxTargets    = 1_000_000
	MaxTargetLine = 1024
)

// ErrNoTargets: the bulk input held no target (only blank lines and
// comments, or nothing at all).
var ErrNoTargets = errors.New("no targets in the input")

// ErrTooManyTargets: the bulk input exceeds MaxTargets.
var ErrTooManyTargets = fmt.Errorf("too many targets (limit %d)", MaxTargets)

// ReadTargets reads one target per line; blank lines and lines starting
// with # are skipped. A line longer than MaxTargetLine is an error.
func ReadTargets(r io.Reader) ([]string, error) {
	var targets []string
	sc := bufio.NewScanner(r)
	// The limit is the larger of max and the buffer's capacity: keep the
	// buffer small so MaxTargetLine (plus CR LF) is the bound.
	sc.Buffer(make([]byte, 0, 512), MaxTargetLine+2)
	for sc.Scan() {
		if len(sc.Bytes()) > MaxTargetLine {
			return nil, bufio.ErrTooLong
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if len(targets) >= MaxTargets {
			return nil, ErrTooManyTargets
		}
		targets = append(targets, line)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(targets) == 0 {
		return nil, ErrNoTargets
	}
	return targets, nil
}

// BulkOptions drive RunBulk.
type BulkOptions struct {
	// Base are the options of every check; Target is set per line.
	Base Options
	// Concurrency is the number of checks at once (at least 1).
	Concurrency int
	// Timeout bounds each check; it starts after the pacing wait.
	Timeout time.Duration
	// PaceGap spaces sessions per destination operator (0: no pacing, as
	// in the lab where every domain is one loopback server).
	PaceGap time.Duration
}

// RunBulk checks targets concurrently and hands each report to emit in
// input order. A target that does not parse gives a Failed report (its
// Error set), not an error. It returns ctx's error when interrupted, else
// the first error of emit.
//
// Checks whose first MX belongs to the same operator run one after the
// other, PaceGap apart; the wait happens before a target's Timeout starts,
// so a long queue toward one provider never turns into incomplete results.
func RunBulk(ctx context.Context, targets []string, o BulkOptions, emit func(i int, r *Report) error) error {
	ctx, cancel := context.WithCancel(ctx)
	// The system roots take ~15 ms to load; load them beside the first
	// network waits instead of at the first certificate check.
	go x509.SystemCertPool()
	var pacer *Pacer
	if o.PaceGap > 0 {
		pacer = NewPacer(o.PaceGap)
	}
	reps := make([]*Report, len(targets))
	done := make([]chan struct{}, len(targets))
	for i := range done {
		done[i] = make(chan struct{})
	}
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	wg.Add(1) // the dispatcher; Add below happens while the count is > 0
	go func() {
		defer wg.Done()
		sem := make(chan struct{}, max(o.Concurrency, 1))
		for i, t := range targets {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				for _, d := range done[i:] {
					close(d)
				}
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				defer close(done[i])
				reps[i] = bulkOne(ctx, t, o, pacer)
			}()
		}
	}()
	for i := range targets {
		<-done[i]
		if reps[i] == nil {
			return ctx.Err() // interrupted
		}
		if err := emit(i, reps[i]); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// bulkOne checks one line of bulk input; nil when interrupted.
func bulkOne(ctx context.Context, line string, o BulkOptions, pacer *Pacer) *Report {
	tgt, err := ParseTarget(line)
	if err != nil {
		return Failed(line, o.Base.Version, err)
	}
	opt := o.Base
	opt.Target = tgt
	if pacer != nil {
		release, err := pacer.Acquire(ctx, operatorKey(ctx, o.Base.Resolver, tgt.Domain))
		if err != nil {
			return nil
		}
		defer release()
	}
	tctx, tcancel := context.WithTimeout(ctx, o.Timeout)
	defer tcancel()
	return Run(tctx, opt)
}

// operatorKey is the pacing key of a target: the operator of its first MX
// host (the lookup is cached and reused by the check), else the domain.
func operatorKey(ctx context.Context, r resolver.Lookuper, domain string) string {
	lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	a := r.Lookup(lctx, domain, resolver.TypeMX)
	best := ""
	var pref uint16
	for _, m := range a.MX {
		if m.Host != "." && (best == "" || m.Preference < pref) {
			best, pref = m.Host, m.Preference
		}
	}
	if best == "" {
		return domain
	}
	return PaceKey(best)
}
