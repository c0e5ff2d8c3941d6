package check

import (
	"fmt"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/mx"
	"github.com/mxprobe/mxprobe/internal/mxdialog"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Status values shown to people, in both languages (docs/glossary.md). The
// JSON keeps the values themselves; a renderer shows StatusLabel.

// Kinds of status for StatusLabel.
const (
	KindMX     = "mx"
	KindMTASTS = "mta_sts"
	KindTLSRPT = "tls_rpt"
	KindDANE   = "dane"
	KindDKIM   = "dkim"
	KindDMARC  = "dmarc"
	KindSPF    = "spf_record"
	KindDNSBL  = "dnsbl"
)

// statusLabels: kind → status → label. Status words shared by every kind
// are under "".
var statusLabels = map[string]map[string]i18n.Text{
	"": {
		"ok":           i18n.T("ok", "in Ordnung"),
		"none":         i18n.T("none", "keiner"),
		"valid":        i18n.T("valid", "gültig"),
		"invalid":      i18n.T("invalid", "ungültig"),
		"missing":      i18n.T("missing", "fehlt"),
		"unknown":      i18n.T("unknown", "unbekannt"),
		"temperror":    i18n.T("no DNS answer", "keine DNS-Antwort"),
		"error":        i18n.T("error", "Fehler"),
		"multiple":     i18n.T("several records", "mehrere Einträge"),
		"fetch_failed": i18n.T("policy not retrievable", "Richtlinie nicht abrufbar"),
	},
	KindMX: {
		"implicit": i18n.T("none (implicit MX: the domain's address)", "keiner (implizites MX: die Adresse der Domain)"),
		"null":     i18n.T("null MX (accepts no mail)", "Null-MX (nimmt keine E-Mail an)"),
		"none":     i18n.T("none (no MX and no address)", "keiner (kein MX und keine Adresse)"),
		"nxdomain": i18n.T("the domain does not exist", "die Domain existiert nicht"),
		"invalid":  i18n.T("invalid domain name", "ungültiger Domainname"),
	},
	KindMTASTS: {
		"none": i18n.T("no policy", "keine Richtlinie"),
	},
	KindTLSRPT: {
		"none": i18n.T("no record", "kein Eintrag"),
	},
	KindSPF: {
		"none": i18n.T("no record", "kein Eintrag"),
	},
	KindDMARC: {
		"none": i18n.T("no record", "kein Eintrag"),
	},
	KindDANE: {
		"none":            i18n.T("no TLSA records", "keine TLSA-Einträge"),
		"usable":          i18n.T("usable", "nutzbar"),
		"unusable":        i18n.T("unusable", "nicht nutzbar"),
		"unauthenticated": i18n.T("not DNSSEC-signed", "nicht DNSSEC-signiert"),
	},
	KindDKIM: {
		"unknown": i18n.T("selector unknown", "Selektor unbekannt"),
	},
	KindDNSBL: {
		"clean":      i18n.T("not listed", "nicht gelistet"),
		"listed":     i18n.T("listed", "gelistet"),
		"not_listed": i18n.T("not listed", "nicht gelistet"),
		"unknown":    i18n.T("unknown (a list did not answer)", "unbekannt (eine Liste hat nicht geantwortet)"),
		"broken":     i18n.T("list broken", "Liste gestört"),
		"skipped":    i18n.T("not checked (no list answers for this address family)", "nicht geprüft (keine Liste antwortet für diese Adressfamilie)"),
	},
}

// StatusLabel is the label of a status value of kind in lang (the value
// itself when there is none).
func StatusLabel(kind, status string, lang i18n.Lang) string {
	if t, ok := statusLabels[kind][status]; ok {
		return t.In(lang)
	}
	if t, ok := statusLabels[""][status]; ok {
		return t.In(lang)
	}
	return status
}

// MXLookupLabel names the outcome of the MX lookup for people: the status
// label, and for a failed lookup the DNS status (the English error text
// stays in the JSON).
func MXLookupLabel(m MXLookup, lang i18n.Lang) string {
	s := StatusLabel(KindMX, string(m.Status), lang)
	if m.Status == mx.StatusTempError && m.DNSStatus != "" {
		s += " (" + DNSStatusLabel(string(m.DNSStatus), lang) + ")"
	}
	if m.Authentic {
		s += ", DNSSEC"
	}
	return s
}

// errorClassLabels name how an SMTP session ended early (mxdialog's
// error classes); the error text itself stays in the JSON and in -v.
var errorClassLabels = map[mxdialog.ErrorClass]i18n.Text{
	mxdialog.ClassConnectRefused: i18n.T("connection refused", "Verbindung abgelehnt"),
	mxdialog.ClassConnectTimeout: i18n.T("no connection within the time limit", "keine Verbindung innerhalb des Zeitlimits"),
	mxdialog.ClassConnectFailed:  i18n.T("no connection", "keine Verbindung"),
	mxdialog.ClassBannerTimeout:  i18n.T("no greeting within the time limit", "keine Begrüßung innerhalb des Zeitlimits"),
	mxdialog.ClassTimeout:        i18n.T("no reply within the time limit", "keine Antwort innerhalb des Zeitlimits"),
	mxdialog.ClassClosed:         i18n.T("the server closed the connection", "der Server hat die Verbindung beendet"),
	mxdialog.ClassReset:          i18n.T("the connection was reset", "die Verbindung wurde zurückgesetzt"),
	mxdialog.ClassProtocol:       i18n.T("protocol error", "Protokollfehler"),
	mxdialog.ClassTLS:            i18n.T("TLS handshake failed", "TLS-Handshake gescheitert"),
	mxdialog.ClassRejected:       i18n.T("rejected", "abgelehnt"),
	mxdialog.ClassSMTPUTF8:       i18n.T("SMTPUTF8 not supported", "SMTPUTF8 nicht unterstützt"),
	mxdialog.ClassCanceled:       i18n.T("cancelled", "abgebrochen"),
	mxdialog.ClassInvalid:        i18n.T("invalid options", "ungültige Optionen"),
}

// ErrorClassLabel names how a session ended early.
func ErrorClassLabel(c mxdialog.ErrorClass, l i18n.Lang) string {
	if t, ok := errorClassLabels[c]; ok {
		return t.In(l)
	}
	return string(c)
}

// DNSStatusLabel names a resolver status for people.
func DNSStatusLabel(s string, l i18n.Lang) string { return resolver.Status(s).Text().In(l) }

// HostAddressLabel says why an MX host has no address, for people (the
// error text stays in the JSON).
func HostAddressLabel(h *MXHost, l i18n.Lang) string {
	t := i18n.T("no address", "keine Adresse")
	if h.AStatus != "" || h.AAAAStatus != "" {
		t = i18n.Text{
			EN: fmt.Sprintf("no address (A: %s, AAAA: %s)", h.AStatus.Text().EN, h.AAAAStatus.Text().EN),
			DE: fmt.Sprintf("keine Adresse (A: %s, AAAA: %s)", h.AStatus.Text().DE, h.AAAAStatus.Text().DE),
		}
	}
	return t.In(l)
}
