// Package prove is the delivery proof of `check --deliver-to` in one run:
// the check, a tagged probe (and its control) to a seed mailbox, the watch
// until the verdict is final or the wait ends, and the probe verdicts as
// findings of the check report. The command layer (internal/cli) only
// builds the options and renders the result.
package prove

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mxprobe/mxprobe/internal/check"
	"github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/report"
)

// ErrNotSent: the probe could not be handed to any server (the check ran).
var ErrNotSent = errors.New("probe not sent")

// Options drive Run.
type Options struct {
	Check check.Options
	// Send is the probe's route; Control the control probe's (nil: none).
	Send    delivery.SendOptions
	Control *delivery.SendOptions
	Ledger  *delivery.Ledger
	// Seed is the seed mailbox, DSN the mailbox where bounces arrive.
	Seed, DSN *delivery.IMAPOptions
	Windows   delivery.Windows
	// Wait bounds the watch; Timeout each step (check, send, one round).
	Wait, Timeout time.Duration
	Clock         delivery.Clock
	// Changed is told each change of a probe's state (may be nil).
	Changed func(at time.Time, token string, state delivery.State)
}

// Result is what a proof found.
type Result struct {
	Report   *check.Report
	Probes   []*delivery.Probe
	Confirm  *delivery.ConfirmResult
	Verdicts []delivery.ProbeVerdict
}

// Run checks, sends, watches and judges. An error means the proof could not
// run to its end (ctx ended, the probe was not sent, a ledger failure); the
// Result holds what was done before.
func Run(ctx context.Context, o Options) (*Result, error) {
	res := &Result{}
	step := func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, o.Timeout) }
	cctx, cancel := step()
	res.Report = check.Run(cctx, o.Check)
	cancel()
	if err := ctx.Err(); err != nil {
		return res, err
	}
	sctx, cancel := step()
	probes, err := send(sctx, o)
	cancel()
	res.Probes = probes
	if err != nil {
		return res, err
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	tokens := make([]string, 0, len(probes))
	for _, p := range probes {
		tokens = append(tokens, p.Token)
	}
	copts := delivery.ConfirmOptions{Ledger: o.Ledger, Tokens: tokens, Seed: o.Seed, DSNIMAP: o.DSN, Windows: o.Windows, Now: o.Clock.Now}
	round := func(ctx context.Context) (*delivery.ConfirmResult, error) {
		rctx, rcancel := context.WithTimeout(ctx, o.Timeout)
		defer rcancel()
		return delivery.Confirm(rctx, copts)
	}
	cr, err := round(ctx)
	if err != nil {
		return res, err
	}
	wo := delivery.WatchOptions{Clock: o.Clock, Windows: o.Windows, Stop: o.Clock.Now().Add(o.Wait), Tokens: tokens, Round: round, Changed: o.Changed}
	if cr, err = delivery.Watch(ctx, wo, cr); err != nil {
		return res, err
	}
	res.Confirm = cr
	if m := probeMessage(probes[0], cr); m != nil {
		mctx, mcancel := step()
		res.Report.AddMessage(mctx, m)
		mcancel()
	}
	res.judge()
	return res, ctx.Err()
}

// probeMessage is the probe message the rulebooks' message rules are
// decided with (check.Report.AddMessage): the message as sent, headed by
// the topmost Received field of the copy found in the seed mailbox when
// there is one — that field, written by the receiver, records whether the
// session used TLS (RFC 3848). nil when the message is unknown.
func probeMessage(p *delivery.Probe, cr *delivery.ConfirmResult) []byte {
	if p == nil || len(p.Message) == 0 {
		return nil
	}
	var rcv string
	if cr != nil && cr.Seed != nil {
		for _, s := range cr.Seed.Found {
			if s.Token == p.Token && s.Received != "" {
				rcv = s.Received
				break
			}
		}
	}
	if rcv == "" || strings.ContainsAny(rcv, "\r\n") {
		return p.Message
	}
	return append([]byte("Received: "+rcv+"\r\n"), p.Message...)
}

// send hands over the probe and, when asked, its control (same group).
func send(ctx context.Context, o Options) ([]*delivery.Probe, error) {
	m := o.Send
	m.Ledger = o.Ledger
	p, err := delivery.Send(ctx, m)
	if p == nil {
		return nil, fmt.Errorf("%w: %w", ErrNotSent, err)
	}
	probes := []*delivery.Probe{p}
	if o.Control != nil {
		c := *o.Control
		c.Ledger, c.Role, c.Group = o.Ledger, delivery.RoleControl, p.Token
		if cp, _ := delivery.Send(ctx, c); cp != nil {
			probes = append(probes, cp)
		}
	}
	return probes, nil
}

// judge collects the verdicts of the sent probes and adds them to the
// report as findings, so the headline verdict and the findings list
// reflect a suspected drop. A control's verdict is information only.
func (r *Result) judge() {
	for _, p := range r.Probes {
		v, ok := r.Confirm.Verdict.Get(p.Token)
		if !ok {
			continue
		}
		r.Verdicts = append(r.Verdicts, v)
		f := v.Finding()
		if v.Role == delivery.RoleControl {
			f = f.WithSeverity(report.Info)
			f.Evidence = append(f.Evidence, "role=control")
		}
		r.Report.AddFindings(v.State == delivery.StateInconclusive, f)
	}
}
