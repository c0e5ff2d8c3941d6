package cli

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/check"
	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/i18n"
)

// userError is an error a user can act on: what was wrong and what to type
// instead, in both languages, naming the flag (or argument) at fault. The
// cause (a Go error chain) is kept for -v and JSON, never printed in the
// one line of text output.
type userError struct {
	Flag  string
	Text  i18n.Text
	Cause error
}

func (e *userError) Error() string { return e.Text.EN }
func (e *userError) Unwrap() error { return e.Cause }

// maxEcho bounds how much of the user's input an error message repeats.
const maxEcho = 200

// echo clips user input for an error message: at most maxEcho bytes (on a
// rune boundary), control characters made visible by %q at the call site.
func echo(s string) string {
	if len(s) <= maxEcho {
		return s
	}
	cut := maxEcho
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("…(%d bytes)", len(s))
}

// usageErr is a usage error (exit 2) about flag. Arguments of type string
// are clipped with echo; errors are kept as the cause and shown as their
// short form.
func usageErr(flag string, t i18n.Text, args ...any) error {
	var cause error
	for i, a := range args {
		switch v := a.(type) {
		case string:
			args[i] = echo(v)
		case error:
			cause = v
			args[i] = echo(shortErr(v))
		}
	}
	return exitcode.WithCode(exitcode.Usage, &userError{Flag: flag,
		Text: i18n.T(fmt.Sprintf(t.EN, args...), fmt.Sprintf(t.DE, args...)), Cause: cause})
}

// exitOf is the one mapping from errors to exit codes: exitcode.Error
// carries its own; invalid input (check.ErrInvalidInput) is a usage error;
// the rest as exitcode.Of (cancelled → 130, anything else → 3).
func exitOf(err error) int {
	var ee *exitcode.Error
	if !errors.As(err, &ee) && errors.Is(err, check.ErrInvalidInput) {
		return exitcode.Usage
	}
	return exitcode.Of(err)
}

// incomplete is a failure that prevented a verdict (exit 3).
func incomplete(err error) error { return exitcode.WithCode(exitcode.Incomplete, err) }

// shortErr is the last link of an error chain ("a: b: c" → "c"), which is
// what a user can act on; the whole chain stays in -v and JSON.
func shortErr(err error) string {
	var ue *userError
	if errors.As(err, &ue) {
		return ue.Text.EN
	}
	var ie *check.InputError
	if errors.As(err, &ie) {
		return ie.Text.EN
	}
	s := err.Error()
	for {
		u := errors.Unwrap(err)
		if u == nil {
			break
		}
		err = u
	}
	if t := err.Error(); t != "" {
		s = t
	}
	return s
}

// errorLine is the one line printed on stderr for err: the localised text
// of a userError, else the error's message; with verbose the cause chain
// follows.
func errorLine(err error, lang i18n.Lang, verbose bool) string {
	var ue *userError
	var ie *check.InputError
	msg := err.Error()
	if errors.As(err, &ie) && !errors.As(err, &ue) {
		msg = ie.Text.In(lang)
		if verbose && ie.Cause != nil {
			msg += " (" + ie.Cause.Error() + ")"
		}
	}
	if errors.As(err, &ue) {
		msg = ue.Text.In(lang)
		if verbose && ue.Cause != nil {
			msg += " (" + ue.Cause.Error() + ")"
		}
	}
	return oneLine(msg)
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\r", " ")
	return strings.ReplaceAll(s, "\n", " ")
}
