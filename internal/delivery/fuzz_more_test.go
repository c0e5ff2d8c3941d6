package delivery

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
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

// FuzzTranscriptRedacts: whatever a server sent before (noise lines, a 354,
// a 334 challenge), the AUTH command's initial response and the client's
// answer to a 334 challenge never reach the recorded transcript (RFC 4954
// §4), and the record stays bounded.
func FuzzTranscriptRedacts(f *testing.F) {
	f.Add([]byte("220 mx ESMTP\r\n250-mx\r\n250 AUTH PLAIN LOGIN\r\n"), []byte("pw"), "PLAIN", true)
	f.Add([]byte("220 mx\r\n"), []byte{0, 1, 2}, "LOGIN", false)
	f.Add([]byte("220 mx\r\n354 go ahead\r\n"), []byte("x"), "XOAUTH2", true)
	f.Add([]byte("334 \r\n334 \r\n"), []byte("y"), "CRAM-MD5", false)
	f.Add([]byte(strings.Repeat("250-"+strings.Repeat("z", 3000)+"\r\n", 500)), []byte("long"), "PLAIN", true)
	f.Fuzz(func(t *testing.T, noise, raw []byte, mech string, initial bool) {
		if mech == "" || len(mech) > 20 || strings.Trim(mech, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
			return // RFC 4422 §3.1 mechanism names
		}
		// A secret that the noise cannot contain by chance.
		secret := "Zq9" + hex.EncodeToString(raw) + "Xw7"
		if bytes.Contains(noise, []byte(secret[:3])) {
			return
		}
		if len(noise) > 0 && noise[len(noise)-1] != '\n' {
			noise = append(noise, '\n') // the client reads whole replies before it speaks
		}
		at := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
		tr := newTranscript(func() time.Time { return at })
		tr.server(noise)
		if initial {
			tr.client([]byte("AUTH " + mech + " " + secret + "\r\n"))
		} else {
			tr.client([]byte("AUTH " + mech + "\r\n"))
			tr.server([]byte("334 \r\n"))
			tr.client([]byte(secret + "\r\n"))
		}
		tr.server([]byte("235 2.7.0 ok\r\n"))
		lines := tr.Lines()
		if len(lines) > maxTranscriptLines+1 {
			t.Fatalf("%d lines", len(lines))
		}
		for _, l := range lines {
			if strings.Contains(l.Text, secret) {
				t.Fatalf("secret recorded: %q", l.Text)
			}
			if len(l.Text) > maxTranscriptLine+8 || !utf8.ValidString(l.Dir) {
				t.Fatalf("line of %d bytes", len(l.Text))
			}
		}
		_ = tr.LastReply()
		_ = tr.FirstReply()
	})
}
