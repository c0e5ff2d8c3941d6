package logscan

import (
	"bufio"
	"bytes"
	"testing"
)

// FuzzScan: a whole log stream, read through a caller's bufio.Reader that
// is bigger than MaxLine (as the CLI does). Every line is counted once,
// every line longer than MaxLine is skipped as overlong (never parsed), and
// the queue map stays within MaxQueue.
func FuzzScan(f *testing.F) {
	f.Add([]byte("Mar  3 10:00:00 mail postfix/cleanup[1]: 4F2A1B2C3D: message-id=<a@b>\n"+
		"Mar  3 10:00:01 mail postfix/smtp[2]: 4F2A1B2C3D: to=<x@live.de>, relay=eur.olc.protection.outlook.com[192.0.2.12]:25, dsn=5.7.1, "+
		"status=bounced (host x said: 550 5.7.1 blocked (S3150) (in reply to MAIL FROM command))\n"), uint16(100))
	f.Add([]byte("2026-03-03 10:00:00 1vAbCd-000Xyz-1a => a@b.example R=dnslookup T=remote_smtp H=mx.b.example [192.0.2.1] C=\"250 2.0.0 OK\"\n"), uint16(0))
	f.Add(bytes.Repeat([]byte("x"), 5000), uint16(300))
	f.Add([]byte("\r\n\r\r\n\n\x00\xff"), uint16(1))
	f.Fuzz(func(t *testing.T, data []byte, ml uint16) {
		maxLine := 64 + int(ml)%2048
		s := NewScanner(Options{MaxLine: maxLine, MaxQueue: 4})
		var recs int64
		err := s.Scan(bufio.NewReaderSize(bytes.NewReader(data), 8192), func(r *Record) error {
			recs++
			switch r.Status {
			case StatusSent, StatusDeferred, StatusBounced:
			default:
				t.Fatalf("status %q", r.Status)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(s.queue) > 4 {
			t.Fatalf("queue map of %d entries", len(s.queue))
		}
		st := s.Stats()
		lines := bytes.SplitAfter(data, []byte("\n"))
		if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
			lines = lines[:len(lines)-1]
		}
		var longTrimmed, longRaw int64
		for _, l := range lines {
			if len(bytes.TrimRight(l, "\r\n")) > maxLine {
				longTrimmed++
			}
			if len(l) > maxLine {
				longRaw++
			}
		}
		if st.Lines != int64(len(lines)) || st.Bytes != int64(len(data)) || st.Records != recs {
			t.Fatalf("stats %+v for %d lines, %d bytes, %d records", st, len(lines), len(data), recs)
		}
		if st.Overlong < longTrimmed || st.Overlong > longRaw {
			t.Fatalf("%d overlong, want between %d and %d (max line %d)", st.Overlong, longTrimmed, longRaw, maxLine)
		}
	})
}
