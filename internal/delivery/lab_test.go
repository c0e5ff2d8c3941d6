package delivery

import (
	"context"
	"crypto/tls"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/lab/imaplab"
	"github.com/mxprobe/mxprobe/internal/lab/tlslab"
)

// fakeClock is the injected clock of the tests: it only moves when told.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type world struct {
	clock  *fakeClock
	seed   *imaplab.Server
	sink   *imaplab.Server
	mx     *imaplab.MX
	ledger *Ledger
	ca     *tlslab.CA
}

const (
	seedAddr = "seed@dest.test"
	seedUser = "seed@dest.test"
	seedPass = "seed-password-1"
	sinkUser = "bounces@sender.test"
	sinkPass = "sink-password-1"
	fromAddr = "probe@sender.test"
)

type worldOpts struct {
	folders []imaplab.Folder
	rules   map[string]imaplab.Behavior
	noDSN   bool
	tls     bool
	plainMX bool
}

func newWorld(t testing.TB, o worldOpts) *world {
	t.Helper()
	w := &world{clock: newClock(t0)}
	var err error
	if o.tls {
		w.ca, err = tlslab.NewCA("lab CA")
		if err != nil {
			t.Fatal(err)
		}
	}
	seedOpts := imaplab.Options{User: seedUser, Password: seedPass, BearerToken: "seed-oauth-token-1", Folders: o.folders}
	if o.tls {
		cert, err := w.ca.Issue(tlslab.Leaf{DNSNames: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
		if err != nil {
			t.Fatal(err)
		}
		seedOpts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	w.seed, err = imaplab.Start(seedOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.seed.Close() })
	w.sink, err = imaplab.Start(imaplab.Options{User: sinkUser, Password: sinkPass, Folders: []imaplab.Folder{{Name: "INBOX"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.sink.Close() })
	w.mx, err = imaplab.StartMX(imaplab.MXOptions{Seed: w.seed, DSNSink: w.sink, Rules: o.rules, DSN: !o.noDSN,
		Microsoft: !o.plainMX, Hostname: "AM0PR01MB1234.eurprd01.prod.exchangelabs.lab.test", Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.mx.Close() })
	w.ledger, err = OpenLedger(filepath.Join(t.TempDir(), "ledger.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.ledger.Close() })
	return w
}

func (w *world) send(t testing.TB, to string, mut ...func(*SendOptions)) *Probe {
	t.Helper()
	o := SendOptions{From: fromAddr, To: to, Route: RouteDirect, MX: w.mx.Addr(), Now: w.clock.Now, Ledger: w.ledger, HelloName: "client.sender.test"}
	for _, m := range mut {
		m(&o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := Send(ctx, o)
	if err != nil && p == nil {
		t.Fatalf("send: %v", err)
	}
	return p
}

func (w *world) seedIMAP() *IMAPOptions {
	o := &IMAPOptions{URL: w.seed.URL(), User: seedUser, Password: seedPass}
	if w.ca != nil {
		o.RootCAs = w.ca.Pool
	}
	return o
}

func (w *world) sinkIMAP() *IMAPOptions {
	return &IMAPOptions{URL: w.sink.URL(), User: sinkUser, Password: sinkPass}
}

func (w *world) confirm(t *testing.T, mut ...func(*ConfirmOptions)) *ConfirmResult {
	t.Helper()
	o := ConfirmOptions{Ledger: w.ledger, Seed: w.seedIMAP(), DSNIMAP: w.sinkIMAP(), Windows: testWindows, Now: w.clock.Now, Pending: true}
	for _, m := range mut {
		m(&o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := Confirm(ctx, o)
	if err != nil {
		t.Fatalf("confirm: %v", err)
	}
	return res
}
