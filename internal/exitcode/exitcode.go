// Package exitcode is the one place where mxprobe's exit codes are defined
// (docs/architecture.md "Exit codes"). Commands return errors; internal/cli maps them
// with Of.
package exitcode

import (
	"context"
	"errors"
	"fmt"
)

const (
	OK          = 0   // everything checked is fine (or only findings below --fail-on)
	Problems    = 1   // problems found at or above --fail-on
	Usage       = 2   // usage error or invalid input
	Incomplete  = 3   // network/DNS failure or timeout prevented a verdict
	SilentDrop  = 4   // silent drop suspected (delivery proof)
	Interrupted = 130 // interrupted (SIGINT/SIGTERM)
)

// Table is the exit-code table as it appears in the README, help texts and man pages.
var Table = []struct {
	Code   int
	EN, DE string
}{
	{OK, "everything checked is fine (or only findings below --fail-on)", "alles Geprüfte ist in Ordnung (oder nur Befunde unterhalb von --fail-on)"},
	{Problems, "problems found at or above --fail-on (default: fail)", "Probleme auf oder über der Stufe --fail-on gefunden (Standard: fail)"},
	{Usage, "usage error or invalid input (bad domain, unknown code syntax, unreadable file)", "Bedienfehler oder ungültige Eingabe (falsche Domain, ungültiger Code, unlesbare Datei)"},
	{Incomplete, "could not complete: network/DNS failure or timeout prevented a verdict", "nicht abgeschlossen: Netz-/DNS-Fehler oder Zeitüberschreitung verhinderten ein Urteil"},
	{SilentDrop, "silent drop suspected (delivery proof)", "Verdacht auf stilles Verwerfen (Zustellnachweis)"},
	{Interrupted, "interrupted (Ctrl-C / SIGTERM)", "abgebrochen (Strg-C / SIGTERM)"},
}

// HelpText renders the table for a command's help ("EXIT STATUS").
func HelpText() string {
	s := "EXIT STATUS\n"
	for _, r := range Table {
		s += fmt.Sprintf("  %3d  %s\n", r.Code, r.EN)
	}
	return s
}

// Error carries an exit code with an error. Its message is the one line shown
// on stderr.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}
func (e *Error) Unwrap() error { return e.Err }

// WithCode attaches a code to err (nil stays nil).
func WithCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Err: err}
}

// Silent is an error that only sets the exit code; the command has already
// reported everything (e.g. findings at or above --fail-on).
func Silent(code int) error { return &Error{Code: code} }

// Of maps an error to an exit code: nil → 0, *Error → its code, a cancelled
// context → 130, anything else → 3 (could not complete).
func Of(err error) int {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if errors.Is(err, context.Canceled) {
		return Interrupted
	}
	return Incomplete
}
