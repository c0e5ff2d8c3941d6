package mxdialog

import (
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/report"
)

var allIDs = []string{
	IDConnectFailed, IDPort25Blocked, IDBannerDelay, IDTarpit, IDTimeout, IDConnectionLost,
	IDProtocolError, IDProtocolAnomaly, IDSessionRejected, IDRcptAccepted, IDRcptRejected,
	IDRcptDeferred, IDAcceptAll, IDStartTLSMissing, IDSMTPUTF8Missing, IDHELOFallback,
	IDTLSOK, IDTLSHandshake, IDTLSCertInvalid, IDTLSCertExpiring, IDTLSSelfSigned,
	IDTLSNameMismatch, IDTLSWeakVersion,
}

// The ids the issue fixes by name must exist exactly so.
func TestFindingCatalog(t *testing.T) {
	for _, id := range []string{"smtp.connect_failed", "smtp.port25_blocked", "smtp.banner_delay",
		"smtp.rcpt_accepted", "smtp.rcpt_rejected", "smtp.rcpt_deferred", "smtp.accept_all",
		"smtp.starttls_missing", "tls.cert_invalid", "tls.cert_expiring"} {
		if _, ok := report.Lookup(id); !ok {
			t.Errorf("id %s not registered", id)
		}
	}
	// Transliterated umlauts are a sign of lazy German.
	words := []string{"fuer", "ueber", "koenn", "muess", "pruef", "laeuft", "schliess", "groess", "gross ", "aender", "zurueck", "verzoeger", "begruess"}
	for _, id := range allIDs {
		d, ok := report.Lookup(id)
		if !ok {
			t.Errorf("id %s not registered", id)
			continue
		}
		if !d.Title.Complete() || !d.Advice.Complete() {
			t.Errorf("%s: incomplete texts %+v", id, d)
		}
		de := strings.ToLower(d.Title.DE + " " + d.Advice.DE)
		for _, w := range words {
			if strings.Contains(de, w) {
				t.Errorf("%s: German text contains %q", id, w)
			}
		}
		if d.Title.DE == d.Title.EN {
			t.Errorf("%s: title not translated", id)
		}
	}
}
