// Package i18n holds the two languages mxprobe speaks and the bilingual text type
// every user-facing string is written in.
package i18n

import "strings"

// Lang is an output language.
type Lang string

const (
	EN Lang = "en"
	DE Lang = "de"
)

// Text is one user-facing text in English and German. Both must be set; the
// catalog tests of each package check that.
type Text struct {
	EN string `json:"en"`
	DE string `json:"de"`
}

// T builds a Text.
func T(en, de string) Text { return Text{EN: en, DE: de} }

// In returns the text in the given language, falling back to English.
func (t Text) In(l Lang) string {
	if l == DE && t.DE != "" {
		return t.DE
	}
	return t.EN
}

// Complete reports whether both languages are present.
func (t Text) Complete() bool { return strings.TrimSpace(t.EN) != "" && strings.TrimSpace(t.DE) != "" }

// IsZero reports whether neither language is set.
func (t Text) IsZero() bool { return t.EN == "" && t.DE == "" }

// Parse accepts "de", "en" (case-insensitive, also "de_DE.UTF-8" style) and
// reports whether the value names a supported language.
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "de" || strings.HasPrefix(s, "de_") || strings.HasPrefix(s, "de-") || strings.HasPrefix(s, "de."):
		return DE, true
	case s == "en" || strings.HasPrefix(s, "en_") || strings.HasPrefix(s, "en-") || strings.HasPrefix(s, "en."):
		return EN, true
	}
	return EN, false
}

// Detect picks the default language from the POSIX locale variables in their
// order of precedence (LC_ALL, LC_MESSAGES, LANG): German when the first set
// value starts with "de", else English.
func Detect(getenv func(string) string) Lang {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(k)
		if v == "" {
			continue
		}
		if strings.HasPrefix(strings.ToLower(v), "de") {
			return DE
		}
		return EN
	}
	return EN
}
