package mxdialog

import (
	"context"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/lab/smtplab"
)

// BenchmarkDialogue20ms runs one dialogue against a lab server that delays
// every reply by 20 ms after its command arrived (like a 20 ms round trip).
// It reports the time to the RCPT reply and to the end of the dialogue, and
// their ratio to the ideal: round trips × 20 ms. Round trips are counted
// from the transcript (the banner, plus one per group of commands sent
// together).
//
//	go test -run XXX -bench Dialogue20ms -benchtime 20x ./internal/mxdialog/
func BenchmarkDialogue20ms(b *testing.B) {
	const lat = 20 * time.Millisecond
	ca := labCA
	crt, err := smtplab.CertFor(ca, mxName, smtplab.CertValid)
	if err != nil {
		b.Fatal(err)
	}
	for _, v := range []struct {
		name string
		sc   smtplab.Scenario
		nop  bool
	}{
		{"plain/no-latency", smtplab.Scenario{}, false},
		{"plain/pipelined", smtplab.Scenario{ReplyLatency: lat}, false},
		{"plain/lockstep", smtplab.Scenario{ReplyLatency: lat}, true},
		{"starttls/pipelined", smtplab.Scenario{ReplyLatency: lat, TLSCert: crt}, false},
	} {
		b.Run(v.name, func(b *testing.B) {
			s, err := smtplab.Start("", v.sc)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			o := Options{Host: mxName, Addr: s.Addr(), HELO: "probe.lab.test", RcptTo: "postmaster@lab.test",
				RootCAs: ca.Pool, NoPipelining: v.nop}
			var rcptMS, totalMS float64
			var rtRcpt, rtTotal int
			b.ResetTimer()
			for range b.N {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				r := Run(ctx, o)
				cancel()
				if r.Phase != PhaseDone || r.Rcpt == nil {
					b.Fatalf("probe failed: %+v", r.Error)
				}
				rcptMS += r.RcptAtMS
				totalMS += r.DurationMS
				rtRcpt, rtTotal = roundTrips(r)
			}
			n := float64(b.N)
			ideal := float64(lat.Milliseconds())
			b.ReportMetric(rcptMS/n, "ms-to-rcpt")
			b.ReportMetric(totalMS/n, "ms-total")
			b.ReportMetric(float64(rtRcpt), "rtt-to-rcpt")
			if v.sc.ReplyLatency > 0 {
				b.ReportMetric(rcptMS/n/(float64(rtRcpt)*ideal), "ratio-to-rcpt")
				b.ReportMetric(totalMS/n/(float64(rtTotal)*ideal), "ratio-total")
			}
		})
	}
}

// roundTrips counts the banner plus one round trip per run of client lines;
// the first count ends with the group that carried RCPT.
func roundTrips(r *Result) (toRcpt, total int) {
	total = 1 // the banner
	prevClient := false
	for _, l := range r.Transcript {
		isClient := l.Dir == DirClient
		if isClient && !prevClient {
			total++
		}
		if isClient && len(l.Text) >= 4 && l.Text[:4] == "RCPT" {
			toRcpt = total
		}
		if l.Dir != DirEvent {
			prevClient = isClient
		}
	}
	return toRcpt, total
}
