package resolver

import "github.com/mxprobe/mxprobe/internal/i18n"

// Text names a lookup outcome for people in both languages (the protocol
// tokens NXDOMAIN, SERVFAIL and REFUSED stay as they are).
func (s Status) Text() i18n.Text {
	switch s {
	case StatusOK:
		return i18n.T("answered", "beantwortet")
	case StatusNXDomain:
		return i18n.T("NXDOMAIN", "NXDOMAIN")
	case StatusNoData:
		return i18n.T("no record", "kein Eintrag")
	case StatusServFail:
		return i18n.T("SERVFAIL", "SERVFAIL")
	case StatusRefused:
		return i18n.T("REFUSED", "REFUSED")
	case StatusTimeout:
		return i18n.T("timeout", "Zeitüberschreitung")
	case StatusError:
		return i18n.T("error", "Fehler")
	}
	return i18n.T(string(s), string(s))
}
