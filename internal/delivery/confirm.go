package delivery

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"
)

// ConfirmOptions configure one round of evidence gathering.
type ConfirmOptions struct {
	Ledger *Ledger
	// Tokens to look for; with Pending (or when empty) every probe whose
	// verdict is not final.
	Tokens  []string
	Pending bool
	// Seed is the seed mailbox (nil: not scanned this round).
	Seed *IMAPOptions
	// DSNIMAP or DSNMaildir is the mailbox where bounces arrive.
	DSNIMAP    *IMAPOptions
	DSNMaildir string
	// Windows judge the probes of this round and are recorded with its
	// scans, so that later verdicts (probe list/show, logscan) judge these
	// probes the same way. Zero: each probe's stored windows, else the
	// defaults.
	Windows Windows
	// WindowsFallback makes Windows apply only to probes without stored
	// windows, and records nothing (the user did not choose them).
	WindowsFallback bool
	Now             func() time.Time
}

// ConfirmResult is what one round found.
type ConfirmResult struct {
	Tokens []string `json:"tokens"`
	// Seed and DSN are the scans of this round (nil when not configured).
	Seed *Scan `json:"seed_scan,omitempty"`
	DSN  *Scan `json:"dsn_scan,omitempty"`
	// DSNs are the reports of the DSN mailbox matched to probes in this
	// round (one per report and probe), NewDSNs those matched for the first
	// time.
	DSNs    []TokenMatch `json:"-"`
	NewDSNs []TokenMatch `json:"-"`
	// Verdict over the whole ledger after this round.
	Verdict VerdictResult `json:"-"`
	// Ledger tells what reading the ledger skipped.
	Ledger LedgerStatus `json:"-"`
	Healed bool         `json:"-"`
}

// MaxTokensPerRound bounds the probes one Confirm round looks for.
const MaxTokensPerRound = 2000

// ErrUnknownToken is returned for a token that is not in the ledger.
var ErrUnknownToken = errors.New("delivery: no probe with this token in the ledger")

// Confirm gathers evidence once: it scans the seed mailbox and the DSN
// mailbox for the probes, appends what it saw (complete or failed scans,
// new bounces) to the ledger, and returns the recomputed verdict. A mailbox
// that cannot be read is recorded as an incomplete scan, never as "not
// found"; it is not an error of Confirm.
func Confirm(ctx context.Context, o ConfirmOptions) (*ConfirmResult, error) {
	if o.Ledger == nil {
		return nil, errors.New("delivery: Confirm needs a ledger")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	vo := VerdictOptions{Windows: o.Windows, Override: o.Windows != (Windows{}) && !o.WindowsFallback}
	var record *Windows
	if vo.Override {
		if err := o.Windows.Validate(); err != nil {
			return nil, fmt.Errorf("delivery: %w", err)
		}
		w := o.Windows
		record = &w
	}
	evs, st, err := o.Ledger.Events()
	if err != nil {
		return nil, err
	}
	res := &ConfirmResult{Ledger: st}
	probes := map[string]*Probe{}
	for _, ev := range evs {
		if ev.Kind == KindSent && ev.Sent != nil {
			if _, dup := probes[ev.Token]; !dup {
				probes[ev.Token] = ev.Sent
			}
		}
	}
	tokens, err := confirmTokens(o, vo, evs, probes)
	if err != nil {
		return nil, err
	}
	// Only accepted probes can arrive or bounce later.
	want := map[string]*Probe{}
	var since time.Time
	var accepted []string
	for _, t := range tokens {
		p := probes[t]
		if !p.Accepted() {
			continue
		}
		want[t] = p
		accepted = append(accepted, t)
		if since.IsZero() || p.StartedAt.Before(since) {
			since = p.StartedAt
		}
	}
	if len(accepted) > MaxTokensPerRound {
		// Bounded work and event size: the most recent probes first; older
		// ones are looked at when these are final.
		sort.SliceStable(accepted, func(i, j int) bool { return probes[accepted[i]].StartedAt.After(probes[accepted[j]].StartedAt) })
		accepted = accepted[:MaxTokensPerRound]
		since = probes[accepted[len(accepted)-1]].StartedAt
		for t := range want {
			if !slices.Contains(accepted, t) {
				delete(want, t)
			}
		}
	}
	res.Tokens = accepted
	var add []Event
	if len(accepted) > 0 && o.Seed != nil {
		sc := ScanSeed(ctx, o.Seed, accepted, since)
		res.Seed = sc
		add = append(add, Event{Kind: KindScan, At: o.Now(), Scan: sc, Windows: record})
	}
	if len(accepted) > 0 && (o.DSNIMAP != nil || o.DSNMaildir != "") {
		var sc *Scan
		var matches []TokenMatch
		if o.DSNIMAP != nil {
			sc, matches = ScanDSNIMAP(ctx, o.DSNIMAP, want, since)
		} else {
			sc, matches = ScanMaildir(ctx, o.DSNMaildir, want)
		}
		res.DSN, res.DSNs = sc, matches
		add = append(add, Event{Kind: KindScan, At: o.Now(), Scan: sc, Windows: record})
		known := map[string]bool{}
		for _, ev := range evs {
			if ev.Kind == KindDSN && ev.DSN != nil {
				known[ev.Token+"\x00"+ev.DSN.Source] = true
			}
		}
		for _, m := range matches {
			k := m.Token + "\x00" + m.DSN.Source
			if known[k] {
				continue
			}
			known[k] = true
			d := m.DSN
			res.NewDSNs = append(res.NewDSNs, m)
			add = append(add, Event{Kind: KindDSN, At: o.Now(), Token: m.Token, DSN: &d})
		}
	}
	if len(add) > 0 {
		healed, err := o.Ledger.Append(add...)
		res.Healed = healed
		if err != nil {
			return res, err
		}
		evs = append(evs, add...)
		for i := range evs[len(evs)-len(add):] {
			evs[len(evs)-len(add)+i].V = SchemaVersion
		}
	}
	res.Verdict = VerdictWith(evs, o.Now(), vo)
	return res, nil
}

// confirmTokens is the probes a Confirm round looks at: those named, and
// with none named (or with Pending) those not final yet.
func confirmTokens(o ConfirmOptions, vo VerdictOptions, evs []Event, probes map[string]*Probe) ([]string, error) {
	var tokens []string
	if len(o.Tokens) > 0 {
		for _, t := range o.Tokens {
			if probes[t] == nil {
				return nil, fmt.Errorf("%w: %s", ErrUnknownToken, t)
			}
			if !slices.Contains(tokens, t) {
				tokens = append(tokens, t)
			}
		}
	}
	if len(o.Tokens) == 0 || o.Pending {
		// Pending are the probes `probe list` shows as not final (each
		// judged by its stored windows), and those not final under windows
		// given for this round: windows given now never hide a probe the
		// list shows as pending.
		views := []VerdictOptions{{Windows: o.Windows}}
		if vo.Override {
			views = append(views, vo)
		}
		for _, view := range views {
			for _, v := range VerdictWith(evs, o.Now(), view).Probes {
				if !v.Final && !slices.Contains(tokens, v.Token) {
					tokens = append(tokens, v.Token)
				}
			}
		}
	}
	return tokens, nil
}
