package resolver

import "strings"

// HasVersionTag reports whether a TXT string is meant as a record of the
// versioned kind "v=<version>": it begins with "v=<version>" followed by ";"
// (possibly after blanks) or the end. MTA-STS (RFC 8461 §3.1) and TLS-RPT
// (RFC 8460 §3) discard records that do not begin with "v=<version>;"; the
// checks also take those with blanks before the ";" so that their parsers
// can flag them instead of dropping them silently.
func HasVersionTag(txt, version string) bool {
	rest, ok := strings.CutPrefix(txt, "v="+version)
	if !ok {
		return false
	}
	rest = strings.TrimLeft(rest, " \t")
	return rest == "" || rest[0] == ';'
}
