package spf

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Sentinel errors; match them with errors.Is. The Result's status word is
// always set as well: a diagnostic must never lose the finding because an
// error explains it. The concrete errors below carry the details, with a
// bilingual description (Describe).
var (
	// ErrSyntax: the record is not valid SPF (permerror); a *SyntaxError.
	ErrSyntax = errors.New("spf: syntax error")
	// ErrMacro: a macro could not be expanded (permerror).
	ErrMacro = errors.New("spf: macro expansion failed")
	// ErrNoRecord: the domain publishes no SPF record (none).
	ErrNoRecord = errors.New("spf: no spf record")
	// ErrMultipleRecords: more than one SPF record (permerror, RFC 7208
	// §4.5); a *MultipleError.
	ErrMultipleRecords = errors.New("spf: multiple spf records")
	// ErrInvalidDomain: the domain is not a valid, multi-label name (none,
	// RFC 7208 §4.3); a *DomainError.
	ErrInvalidDomain = errors.New("spf: invalid domain")
	// ErrHELONotName: the null sender's SPF identity is the EHLO name, and
	// that is empty or an address literal: nothing to evaluate (none, RFC
	// 7208 §2.3).
	ErrHELONotName = errors.New("spf: the EHLO name is not a domain name")
	// ErrInvalidInput: the query itself is unusable (no valid client IP).
	ErrInvalidInput = errors.New("spf: invalid query")
	// ErrTooManyLookups: more than 10 DNS-querying terms (permerror,
	// RFC 7208 §4.6.4); a *LimitError.
	ErrTooManyLookups = errors.New("spf: too many dns-querying terms")
	// ErrTooManyVoidLookups: more than 2 lookups without an answer
	// (permerror, RFC 7208 §4.6.4); a *LimitError.
	ErrTooManyVoidLookups = errors.New("spf: too many void lookups")
	// ErrTooManyMX: an mx mechanism found more than 10 MX records
	// (permerror, RFC 7208 §4.6.4); a *LimitError.
	ErrTooManyMX = errors.New("spf: too many mx records")
	// ErrLoop: an include or redirect leads back to a domain already being
	// evaluated (permerror; without the check the lookup limit would stop
	// it later); a *LoopError.
	ErrLoop = errors.New("spf: include or redirect loop")
	// ErrIncludeNone: an include target has no SPF record or is not a valid
	// domain (permerror, RFC 7208 §5.2); a *TargetError.
	ErrIncludeNone = errors.New("spf: include target has no spf record")
	// ErrRedirectNone: a redirect target has no SPF record or is not a
	// valid domain (permerror, RFC 7208 §6.1); a *TargetError.
	ErrRedirectNone = errors.New("spf: redirect target has no spf record")
	// ErrDNS: a DNS lookup failed (temperror); a *DNSError.
	ErrDNS = errors.New("spf: dns lookup failed")
)

// tr builds a bilingual text with the same arguments in both languages.
func tr(en, de string, args ...any) i18n.Text {
	return i18n.Text{EN: fmt.Sprintf(en, args...), DE: fmt.Sprintf(de, args...)}
}

// reasonError is an error with a bilingual explanation.
type reasonError struct{ text i18n.Text }

func (e *reasonError) Error() string { return e.text.EN }

func reasonf(en, de string, args ...any) *reasonError { return &reasonError{tr(en, de, args...)} }

// textOf returns the bilingual explanation of err when it has one.
func textOf(err error) i18n.Text {
	var re *reasonError
	if errors.As(err, &re) {
		return re.text
	}
	var me *MacroError
	if errors.As(err, &me) {
		return me.Text()
	}
	return i18n.Text{EN: err.Error(), DE: err.Error()}
}

// SyntaxError explains why a record is not valid SPF; it unwraps to ErrSyntax.
type SyntaxError struct {
	Domain string // whose record (set by check_host; empty from Parse)
	Term   string // the offending term ("" for the record as a whole)
	Reason i18n.Text
}

func (e *SyntaxError) Error() string { return "spf: " + e.Text().EN }

// Text describes the error in English and German.
func (e *SyntaxError) Text() i18n.Text {
	t := i18n.Text{EN: "syntax error", DE: "Syntaxfehler"}
	if e.Domain != "" {
		t.EN += " in the record of " + e.Domain
		t.DE += " im Eintrag von " + e.Domain
	}
	if e.Term != "" {
		t.EN += fmt.Sprintf(" in term %q", e.Term)
		t.DE += fmt.Sprintf(" im Term %q", e.Term)
	}
	t.EN += ": " + e.Reason.EN
	t.DE += ": " + e.Reason.DE
	return t
}

func (e *SyntaxError) Unwrap() error { return ErrSyntax }

// LimitError is a processing limit of RFC 7208 §4.6.4 that was exceeded.
type LimitError struct {
	Limit  error  // ErrTooManyLookups, ErrTooManyVoidLookups or ErrTooManyMX
	Term   string // the term that went over the limit
	Count  int    // the count it reached (terms, void lookups, MX records)
	Max    int
	Target string // for ErrTooManyMX: the name whose MX records were counted
}

func (e *LimitError) Error() string { return e.Text().EN }

func (e *LimitError) Unwrap() error { return e.Limit }

// Text describes the error in English and German.
func (e *LimitError) Text() i18n.Text {
	switch e.Limit {
	case ErrTooManyVoidLookups:
		return tr("%q is lookup number %d without an answer (NXDOMAIN or no records); at most %d are allowed (RFC 7208 §4.6.4)",
			"%q ist die %d. Abfrage ohne Ergebnis (NXDOMAIN oder keine Einträge); erlaubt sind höchstens %d (RFC 7208 §4.6.4)",
			e.Term, e.Count, e.Max)
	case ErrTooManyMX:
		return tr("%q: %s has %d MX records; an mx term may look up at most %d (RFC 7208 §4.6.4)",
			"%q: %s hat %d MX-Einträge; ein mx-Term darf höchstens %d abfragen (RFC 7208 §4.6.4)",
			e.Term, e.Target, e.Count, e.Max)
	}
	return tr("%q is DNS-querying term number %d; at most %d are allowed (RFC 7208 §4.6.4)",
		"%q ist der %d. Term mit DNS-Abfrage; erlaubt sind höchstens %d (RFC 7208 §4.6.4)",
		e.Term, e.Count, e.Max)
}

// LoopError: Term leads to Target, which is already being evaluated.
type LoopError struct {
	Term, Target string
	Chain        []string // the domains under evaluation, outermost first
}

func (e *LoopError) Error() string { return e.Text().EN }

func (e *LoopError) Is(target error) bool { return target == ErrLoop }

// Text describes the error in English and German.
func (e *LoopError) Text() i18n.Text {
	chain := strings.Join(append(append([]string(nil), e.Chain...), e.Target), " → ")
	return tr("%q leads back to %s, which is already being evaluated (%s)",
		"%q führt zurück zu %s, das bereits ausgewertet wird (%s)", e.Term, e.Target, chain)
}

// TargetError: the target of an include or redirect has no SPF record or
// is not a valid domain.
type TargetError struct {
	Kind   error // ErrIncludeNone or ErrRedirectNone
	Term   string
	Target string
	Err    error // ErrNoRecord or a *DomainError
}

func (e *TargetError) Error() string { return e.Text().EN }

func (e *TargetError) Unwrap() []error { return []error{e.Kind, e.Err} }

// Text describes the error in English and German.
func (e *TargetError) Text() i18n.Text {
	var de *DomainError
	if errors.As(e.Err, &de) {
		d := de.Text()
		return i18n.Text{
			EN: fmt.Sprintf("%q: the target is not a valid domain: %s", e.Term, d.EN),
			DE: fmt.Sprintf("%q: Das Ziel ist keine gültige Domain: %s", e.Term, d.DE),
		}
	}
	return tr("%q: %s publishes no SPF record", "%q: %s veröffentlicht keinen SPF-Eintrag", e.Term, e.Target)
}

// MultipleError: a domain publishes more than one SPF record.
type MultipleError struct {
	Domain  string
	Records []string
}

func (e *MultipleError) Error() string { return e.Text().EN }

func (e *MultipleError) Is(target error) bool { return target == ErrMultipleRecords }

// Text describes the error in English and German.
func (e *MultipleError) Text() i18n.Text {
	q := make([]string, len(e.Records))
	for i, r := range e.Records {
		q[i] = fmt.Sprintf("%q", r)
	}
	return tr("%s publishes %d SPF records, exactly one is allowed (RFC 7208 §4.5): %s",
		"%s veröffentlicht %d SPF-Einträge, erlaubt ist genau einer (RFC 7208 §4.5): %s",
		e.Domain, len(e.Records), strings.Join(q, ", "))
}

// DomainError: a name that cannot be checked (RFC 7208 §4.3).
type DomainError struct {
	Domain string
	Reason i18n.Text
}

func (e *DomainError) Error() string { return e.Text().EN }

func (e *DomainError) Is(target error) bool { return target == ErrInvalidDomain }

// Text describes the error in English and German.
func (e *DomainError) Text() i18n.Text {
	return i18n.Text{EN: fmt.Sprintf("%q %s", e.Domain, e.Reason.EN), DE: fmt.Sprintf("%q %s", e.Domain, e.Reason.DE)}
}

// DNSError is a failed lookup (SERVFAIL, REFUSED, timeout, …): temperror.
type DNSError struct {
	Name   string
	Type   resolver.Type
	Status resolver.Status
	Err    error
}

func (e *DNSError) Error() string {
	s := fmt.Sprintf("spf: dns lookup %s %s: %s", e.Type, e.Name, e.Status)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *DNSError) Is(target error) bool { return target == ErrDNS }

func (e *DNSError) Unwrap() error { return e.Err }

// Text describes the error in English and German.
func (e *DNSError) Text() i18n.Text {
	if e.Status == resolver.StatusTimeout {
		return tr("the %s lookup of %s timed out", "die %s-Abfrage von %s hat zu lange gedauert", e.Type, e.Name)
	}
	return tr("the %s lookup of %s failed (%s)", "die %s-Abfrage von %s ist fehlgeschlagen (%s)", e.Type, e.Name, e.Status)
}

// Describe explains an error of this package in English and German: the
// typed cause (loop, limit, multiple records, missing target, syntax,
// invalid domain, DNS failure); any other error as its text in both.
func Describe(err error) i18n.Text {
	if err == nil {
		return i18n.Text{}
	}
	var (
		le *LoopError
		li *LimitError
		me *MultipleError
		te *TargetError
		se *SyntaxError
		de *DomainError
		ne *DNSError
	)
	switch {
	case errors.As(err, &le):
		return le.Text()
	case errors.As(err, &li):
		return li.Text()
	case errors.As(err, &me):
		return me.Text()
	case errors.As(err, &te):
		return te.Text()
	case errors.As(err, &se):
		return se.Text()
	case errors.As(err, &de):
		return de.Text()
	case errors.As(err, &ne):
		return ne.Text()
	}
	return textOf(err)
}
