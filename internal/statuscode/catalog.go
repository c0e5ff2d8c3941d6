package statuscode

import "github.com/mxprobe/mxprobe/internal/i18n"

// Entry is what the catalog says about one code, in both languages.
type Entry struct {
	Title       i18n.Text
	Description i18n.Text
	// Reference names the RFC(s) that define the code, e.g. "RFC 3463".
	Reference string
}

// ClassEntry describes an enhanced code's class (2 success, 4 persistent
// transient failure, 5 permanent failure; RFC 3463 §3.1).
func ClassEntry(class int) (Entry, bool) {
	c, ok := classCatalog[class]
	return Entry{c.Title, c.Description, c.Reference}, ok
}

// SubjectEntry describes an enhanced code's subject (0–7, RFC 3463 §3.2).
func SubjectEntry(subject int) (Entry, bool) {
	if subject < 0 || subject >= len(subjectCatalog) {
		return Entry{}, false
	}
	c := subjectCatalog[subject]
	return Entry{c.Title, c.Description, c.Reference}, true
}

// DetailEntry describes an enhanced code from the IANA registry; ok is
// false when the code is not registered.
func DetailEntry(e Enhanced) (Entry, bool) {
	if e.IsZero() {
		return Entry{}, false
	}
	c, ok := detailCatalog[e.Subject*1000+e.Detail]
	return Entry{c.Title, c.Description, c.Reference}, ok
}

// Registered reports whether the enhanced code is in the IANA registry.
func Registered(e Enhanced) bool { _, ok := DetailEntry(e); return ok }

// BasicEntry describes a basic reply code listed by RFC 5321 §4.2 or a
// later RFC.
func BasicEntry(code int) (Entry, bool) {
	b, ok := basicCatalog[code]
	return Entry{b.Title, b.Description, b.Reference}, ok
}

// BasicDigits gives the meanings of a valid reply code's first digit (its
// kind of reply) and second digit (its category), RFC 5321 §4.2.1.
func BasicDigits(code int) (first, second i18n.Text) {
	return firstDigit[byte('0'+code/100%10)], secondDigit[byte('0'+(code/10)%10)]
}
