// Package delivery proves delivery: it sends a tagged probe message to a seed
// mailbox the user controls, records every step as an event in an
// append-only ledger, gathers evidence (IMAP folders of the seed, DSNs and
// bounces in a DSN mailbox) and recomputes an honest verdict from the events
// with a pure function and an injected clock.
//
// The flow for a caller (the `probe` commands, later `check --deliver-to`):
//
//	l, _ := delivery.OpenLedger(path)
//	p, _ := delivery.Send(ctx, delivery.SendOptions{..., Ledger: l})
//	_, _ = delivery.Confirm(ctx, delivery.ConfirmOptions{..., Ledger: l})
//	evs, _, _ := l.Events()
//	res := delivery.Verdict(evs, now, delivery.DefaultWindows())
//
// Nothing in this package prints; nothing stores a secret.
package delivery
