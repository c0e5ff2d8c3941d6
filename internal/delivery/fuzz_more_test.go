package delivery

import (
	"strings"
	"testing"
)

// FuzzSpamVerdict: the spam headers a receiver adds (X-Forefront-Antispam-
// Report, X-Microsoft-Antispam-Mailbox-Delivery, X-Spam-*) come from the
// seed mailbox, so from anyone who can write to it. Any header block gives
// a bounded verdict or none.
func FuzzSpamVerdict(f *testing.F) {
	for _, s := range []string{
		"X-Forefront-Antispam-Report: CIP:127.0.0.1;CTRY:;LANG:en;SCL:6;SRV:;IPV:NLI;SFV:SPM;H:lab;CAT:SPM;DIR:INB;\r\n" +
			"X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;jmr:0;auth:0;dest:J;OFR:SpamFilterAuthJ;\r\n\r\n",
		"X-Spam-Flag: YES\r\nX-Spam-Status: Yes, score=7.1 required=5.0\r\n",
		"X-Forefront-Antispam-Report: SCL:-2;SCL:10;SCL:99999999999999999999;SFV:" + strings.Repeat("x", 100) + "\r\n",
		"X-Forefront-Antispam-Report: " + strings.Repeat(";", 200) + "SCL:9\r\n",
		"Authentication-Results: mx.example; dkim=pass\r\n continued\r\n\r\n",
		"no colon here\r\n", "\x00\xff: \xfe\r\n", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v := SpamVerdictOf(parseHeaderBlock(b))
		if v == nil {
			return
		}
		if v.IsZero() {
			t.Fatal("a zero verdict is returned as nil")
		}
		if v.SCL != nil && (*v.SCL < -1 || *v.SCL > 9) {
			t.Fatalf("SCL %d", *v.SCL)
		}
		if len(v.SFV) > 16 || len(v.CAT) > 16 || len(v.Dest) > 4 || len(v.OFR) > 64 || len(v.SpamFlag) > 16 ||
			len(v.SpamStatus) > maxHeaderValue || len(v.AuthResults) > maxHeaderValue {
			t.Fatalf("unbounded field: %+v", v)
		}
		if s := v.Summary(); len(s) > 512 {
			t.Fatalf("summary of %d bytes", len(s))
		}
		_ = v.Junk()
	})
}
