package delivery

import (
	"context"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/lab/smtplab"
	"github.com/mxprobe/mxprobe/internal/lab/tlslab"
)

// BenchmarkSendDialogue20ms sends one probe (EHLO, [STARTTLS, EHLO,] MAIL,
// RCPT, DATA, QUIT) to a lab server that answers every command 20 ms after
// it arrived, like a 20 ms round trip; ms-total is the whole send, QUIT
// included.
//
//	go test -run '^$' -bench SendDialogue20ms -benchtime 10x ./internal/delivery/
func BenchmarkSendDialogue20ms(b *testing.B) {
	ca, err := tlslab.NewCA("bench CA")
	if err != nil {
		b.Fatal(err)
	}
	crt, err := smtplab.CertFor(ca, "mx.lab.test", smtplab.CertValid)
	if err != nil {
		b.Fatal(err)
	}
	for _, v := range []struct {
		name string
		sc   smtplab.Scenario
	}{
		{"plain", smtplab.Scenario{ReplyLatency: 20 * time.Millisecond, Rcpt: smtplab.RcptAcceptAll}},
		{"starttls", smtplab.Scenario{ReplyLatency: 20 * time.Millisecond, Rcpt: smtplab.RcptAcceptAll, TLSCert: crt}},
	} {
		b.Run(v.name, func(b *testing.B) {
			s, err := smtplab.Start("127.0.0.1:0", v.sc)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var total float64
			b.ResetTimer()
			for range b.N {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				t0 := time.Now()
				p, err := Send(ctx, SendOptions{From: "probe@sender.test", To: "seed@lab.test", Route: RouteDirect,
					MX: s.Addr().String(), HelloName: "client.sender.test", RootCAs: ca.Pool})
				cancel()
				if err != nil || p.Outcome != OutcomeAccepted {
					b.Fatalf("%v %s %q", err, p.Outcome, p.Error)
				}
				total += float64(p.DoneAt.Sub(t0).Microseconds()) / 1000
			}
			b.ReportMetric(total/float64(b.N), "ms-total")
		})
	}
}
