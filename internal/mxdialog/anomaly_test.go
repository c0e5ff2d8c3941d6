package mxdialog

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/smtpconn"
)

// TestAnomalyGerman: the protocol-anomaly finding reads German in German,
// for a Result of this run and for one decoded from JSON (a ledger), while
// the JSON keeps the English words.
func TestAnomalyGerman(t *testing.T) {
	r := &Result{Address: "192.0.2.1:25"}
	r.addAnomaly(smtpconn.AnomalyNotUTF8)
	r.addAnomaly(smtpconn.AnomalyBareLF)
	r.addAnomaly(smtpconn.AnomalyBareLF) // once only
	r.addAnomaly(anomalyLostBeforeRSET)
	if len(r.Anomalies) != 3 || r.Anomalies[0] != "bytes that are not UTF-8 in reply text" {
		t.Fatalf("Anomalies = %q", r.Anomalies)
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	back.Anomalies = append(back.Anomalies, "no reply to QUIT: read: i/o timeout")
	for name, res := range map[string]*Result{"live": r, "decoded": &back} {
		var found bool
		for _, f := range Findings([]*Result{res}, FindingsOptions{}) {
			if f.ID != IDProtocolAnomaly {
				continue
			}
			found = true
			de := f.Localize(i18n.DE).Detail
			for _, en := range []string{"reply", "bytes", "lost", "bare", "no reply", "timeout"} {
				if strings.Contains(de, en) {
					t.Errorf("%s: English %q in German detail %q", name, en, de)
				}
			}
			if !strings.Contains(de, "Bytes im Antworttext, die kein gültiges UTF-8 sind") || !strings.Contains(f.Detail.EN, "bytes that are not UTF-8 in reply text") {
				t.Errorf("%s: detail %q / %q", name, f.Detail.EN, de)
			}
			for _, e := range f.Evidence {
				if strings.Contains(e, "reply") {
					t.Errorf("%s: English label in evidence %q", name, e)
				}
			}
		}
		if !found {
			t.Errorf("%s: no %s finding", name, IDProtocolAnomaly)
		}
	}
}
