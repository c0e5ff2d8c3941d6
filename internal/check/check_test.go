package check

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/dnsbl"
	"github.com/mxprobe/mxprobe/internal/lab/smtplab"
	"github.com/mxprobe/mxprobe/internal/mxdialog"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
)

// TestPort25Blocked: every MX address times out on connect while DNS works →
// one smtp.port25_blocked finding, verdict incomplete, no list of dead hosts.
func TestPort25Blocked(t *testing.T) {
	bh, err := smtplab.NewBlackhole()
	if err != nil {
		t.Skipf("no blackhole on this system: %v", err)
	}
	defer bh.Close()
	dns, err := dnsserver.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer dns.Close()
	ip := bh.Addr().Addr().String()
	dns.AddRR("blocked.test. 300 IN MX 10 mx1.blocked.test.", "blocked.test. 300 IN MX 20 mx2.blocked.test.",
		"mx1.blocked.test. 300 IN A "+ip, "mx2.blocked.test. 300 IN A "+ip)
	r, _ := resolver.New(resolver.Config{Servers: []string{dns.Addr()}, Timeout: time.Second, Attempts: 1})
	tg, _ := ParseTarget("blocked.test")
	// Both MX names share the blackhole address: give them distinct ones
	// by probing every MX (--all-mx) so two connection attempts are made.
	rep := Run(context.Background(), Options{Target: tg, Resolver: r, Port: int(bh.Addr().Port()), AllMX: true, NoAcceptAllTest: true,
		HELO: "client.test", IP: netip.MustParseAddr("192.0.2.1"), DNSBLZones: []dnsbl.Zone{},
		Timeouts: mxdialog.Timeouts{Connect: 500 * time.Millisecond, Banner: time.Second, Command: time.Second}})
	ids := map[string]int{}
	for _, f := range rep.raw {
		ids[f.ID]++
	}
	if ids["smtp.port25_blocked"] != 1 || ids["smtp.connect_failed"] != 0 {
		t.Fatalf("want exactly one smtp.port25_blocked and no per-host failures, got %v", ids)
	}
	if rep.Verdict != "incomplete" {
		t.Fatalf("verdict %s, want incomplete", rep.Verdict)
	}
}

// TestPacer: sessions to one operator run one at a time, Gap apart; other
// operators are not held up.
func TestPacer(t *testing.T) {
	p := NewPacer(100 * time.Millisecond)
	if PaceKey("hotmail-com.olc.protection.outlook.com") != PaceKey("outlook-com.olc.protection.outlook.com") {
		t.Fatal("Microsoft MX hosts must share a pacing key")
	}
	ctx := context.Background()
	var mu sync.Mutex
	var starts []time.Time
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rel, err := p.Acquire(ctx, "outlook.com")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			starts = append(starts, time.Now())
			mu.Unlock()
			rel()
		}()
	}
	wg.Wait()
	if len(starts) != 3 {
		t.Fatalf("%d sessions", len(starts))
	}
	// Sort and check the gaps.
	for i := 1; i < len(starts); i++ {
		for j := i; j > 0 && starts[j].Before(starts[j-1]); j-- {
			starts[j], starts[j-1] = starts[j-1], starts[j]
		}
	}
	for i := 1; i < len(starts); i++ {
		if d := starts[i].Sub(starts[i-1]); d < 90*time.Millisecond {
			t.Fatalf("sessions to one operator only %s apart", d)
		}
	}
	// While one operator's slot is held, another operator proceeds.
	held, _ := p.Acquire(ctx, "outlook.com")
	got := make(chan struct{})
	go func() {
		rel, _ := p.Acquire(ctx, "google.com")
		rel()
		close(got)
	}()
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("a session to another operator waited for outlook.com")
	}
	held()
	cctx, cancel := context.WithCancel(ctx)
	rel, _ := p.Acquire(ctx, "x.example")
	cancel()
	if _, err := p.Acquire(cctx, "x.example"); err == nil {
		t.Fatal("a cancelled wait must return an error")
	}
	rel()
}

// TestProviderNotFromRejectionText: a Postfix MX that imitates Microsoft's
// S3150 rejection text is not "Microsoft": only MX names and the server's
// own greeting name the operator.
func TestProviderNotFromRejectionText(t *testing.T) {
	srv, err := smtplab.Start("127.0.0.1:0", smtplab.Scenario{Rcpt: smtplab.RcptRejectS3150, Hostname: "mx.imitation.test"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dns, err := dnsserver.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer dns.Close()
	dns.AddRR("imitation.test. 300 IN MX 10 mx.imitation.test.", "mx.imitation.test. 300 IN A 127.0.0.1")
	r, _ := resolver.New(resolver.Config{Servers: []string{dns.Addr()}, Timeout: time.Second, Attempts: 1})
	tg, _ := ParseTarget("imitation.test")
	rep := Run(context.Background(), Options{Target: tg, Resolver: r, Port: int(srv.Addr().Port()), NoAcceptAllTest: true,
		HELO: "client.test", IP: netip.MustParseAddr("192.0.2.1"), DNSBLZones: []dnsbl.Zone{}})
	if rep.MX[0].Addresses[0].SMTP.RcptOutcome() != mxdialog.RcptRejected {
		t.Fatalf("lab server did not reject: %+v", rep.MX[0].Addresses[0].SMTP.Rcpt)
	}
	if rep.Provider != nil {
		t.Fatalf("provider %+v identified from a rejection text", rep.Provider)
	}
}
