package prove

import (
	"context"
	"errors"
	"github.com/mxprobe/mxprobe/internal/delivery/deliverytest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/check"
	"github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/lab"
	"github.com/mxprobe/mxprobe/internal/mtasts"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// labOptions are the proof's options against the lab for domain, with a
// fake clock (the watch of seconds runs at once).
func labOptions(t *testing.T, w *lab.World, domain string, clk delivery.Clock) Options {
	t.Helper()
	r, err := resolver.New(resolver.Config{Servers: []string{w.DNSAddr()}, Timeout: 2 * time.Second, Attempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := check.ParseTarget(domain)
	if err != nil {
		t.Fatal(err)
	}
	from := "you@" + lab.SenderDomain
	co := check.Options{Target: tg, MailFrom: from, FromDomain: lab.SenderDomain, HELO: lab.ClientName, Port: int(w.SMTPPort),
		Resolver: r, RootCAs: w.CA.Pool, DNSBLZones: lab.DNSBLZones(),
		Policy: check.PolicyOptions{Fetcher: &mtasts.Fetcher{Resolver: r, RootCAs: w.CA.Pool, Dial: w.HTTPS.DialContext}}}
	win := delivery.Windows{Expect: time.Second, DropAfter: 2 * time.Second, Final: 4 * time.Second}
	l, err := delivery.OpenLedger(filepath.Join(t.TempDir(), "ledger.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	send := delivery.SendOptions{From: from, To: "seed@" + domain, HelloName: lab.ClientName, RootCAs: w.CA.Pool, Lang: i18n.EN,
		Now: clk.Now, Route: delivery.RouteDirect, Resolver: r, Port: int(w.SMTPPort), Windows: &win}
	ctl := send
	ctl.Route, ctl.Relay, ctl.TLS = delivery.RouteSubmit, "127.0.0.1:"+strconv.Itoa(w.Relay.Port()), delivery.TLSNone
	ctl.Auth = &delivery.Credentials{User: lab.RelayUser, Password: lab.RelayPassword}
	ctl.Resolver, ctl.Port = nil, 0
	return Options{Check: co, Send: send, Control: &ctl, Ledger: l, Windows: win, Wait: time.Minute, Timeout: 20 * time.Second, Clock: clk,
		Seed: &delivery.IMAPOptions{URL: w.Seed.URL(), User: lab.SeedUser, Password: lab.SeedPassword},
		DSN:  &delivery.IMAPOptions{URL: w.DSNSink.URL(), User: lab.SeedUser, Password: lab.SeedPassword}}
}

// TestProveLab: the whole proof against the lab — delivered to the inbox
// on ok.lab.test; a suspected silent drop on drop.lab.test, with the
// verdict as a finding of the check report.
func TestProveLab(t *testing.T) {
	w, err := lab.Start(lab.Options{Only: []string{"ok.lab.test", "drop.lab.test"}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for domain, want := range map[string]delivery.State{"ok.lab.test": delivery.StateDeliveredInbox, "drop.lab.test": delivery.StateSilentDrop} {
		clk := &deliverytest.FakeClock{T: time.Now().UTC()}
		res, err := Run(context.Background(), labOptions(t, w, domain, clk))
		if err != nil {
			t.Fatalf("%s: %v", domain, err)
		}
		if len(res.Probes) != 2 || len(res.Verdicts) != 2 {
			t.Fatalf("%s: %d probes, %d verdicts", domain, len(res.Probes), len(res.Verdicts))
		}
		if v := res.Verdicts[0]; v.State != want {
			t.Errorf("%s: state %s, want %s", domain, v.State, want)
		}
		found := false
		for _, f := range res.Report.RawFindings() {
			if f.ID == delivery.FindingID(want) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: the report lacks %s", domain, delivery.FindingID(want))
		}
	}
}

// TestProveNotSent: a probe no server took is ErrNotSent, after the check.
func TestProveNotSent(t *testing.T) {
	w, err := lab.Start(lab.Options{Only: []string{"ok.lab.test"}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	o := labOptions(t, w, "ok.lab.test", &deliverytest.FakeClock{T: time.Now().UTC()})
	o.Send.Resolver, o.Send.MX = nil, "127.0.0.1:1"
	res, err := Run(context.Background(), o)
	if err != nil && !errors.Is(err, ErrNotSent) {
		t.Fatalf("err %v", err)
	}
	if res.Report == nil {
		t.Fatal("the check did not run")
	}
	if err == nil && (len(res.Probes) == 0 || res.Probes[0].Outcome != delivery.OutcomeFailed) {
		t.Fatalf("a refused connection was not a failed hand-over: %+v", res.Probes)
	}
}
