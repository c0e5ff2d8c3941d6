// Package lab builds mxprobe's loopback mail world: an authoritative DNS
// server with the lab zones, scripted SMTP servers per scenario domain, an
// HTTPS server for MTA-STS policies and IMAP mailboxes for the delivery
// proof. Every integration test and `mxprobe lab` / `--lab` use it.
//
// Everything listens on loopback only (127.0.0.0/8). The client side of the
// lab is 127.0.0.1 with the PTR client.sender.lab.test, so sender checks have
// real answers too.
package lab

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/emersion/go-smtp"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/mxprobe/mxprobe/internal/dnsbl"
	"github.com/mxprobe/mxprobe/internal/lab/httpslab"
	"github.com/mxprobe/mxprobe/internal/lab/imaplab"
	"github.com/mxprobe/mxprobe/internal/lab/smtplab"
	"github.com/mxprobe/mxprobe/internal/lab/tlslab"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
)

// Options tune a lab.
type Options struct {
	// DNSDelay and SMTPLatency add latency to every DNS answer / SMTP reply
	// (benchmarks use 20 ms).
	DNSDelay    time.Duration
	SMTPLatency time.Duration
	// TarpitDelay is the banner delay of tarpit.lab.test (default 60 s; tests
	// use a short --timeout instead of waiting).
	TarpitDelay time.Duration
	// Only limits the SMTP servers started to these scenario domains (nil: all).
	Only []string
	// BulkDomains adds bulk1.lab.test … bulkN.lab.test, each with its own MX
	// name on the ok.lab.test server (bulk-mode benchmarks).
	BulkDomains int
	// DNSNXDomain makes the lab's DNS server answer NXDOMAIN for every
	// name, as a filtering or captive resolver does (MXPROBE_LAB_DNS=nxdomain).
	DNSNXDomain bool
	// HTTPSAddr is where the MTA-STS server listens (default 127.0.0.1:0).
	// `mxprobe lab` asks for 127.0.0.1:443 so that separate mxprobe
	// processes can fetch policies; it falls back to a free port.
	HTTPSAddr string
}

// Well-known lab names.
const (
	Zone         = "lab.test"
	SenderDomain = "sender.lab.test" // a well-configured sending domain
	WeakDomain   = "weak.lab.test"   // a sending domain without SPF, DKIM, DMARC
	ClientName   = "client.sender.lab.test"
	ClientIP     = "127.0.0.1"
	DKIMSelector = "s1"
	BlockList    = "bl.lab.test"
	// Lab credentials: loopback only, printed by `mxprobe lab`.
	SeedUser      = "seed"
	SeedPassword  = "lab-seed-password"
	RelayUser     = "relay"
	RelayPassword = "lab-relay-password"
)

// DNSBLZones are the block lists to ask inside the lab.
func DNSBLZones() []dnsbl.Zone {
	return []dnsbl.Zone{{Name: BlockList, Label: "LabBL"}}
}

// World is a running lab.
type World struct {
	DNS      *dnsserver.Server
	CA       *tlslab.CA
	SMTPPort uint16
	// SMTP holds the server of each MX address.
	SMTP map[netip.Addr]*smtplab.Server
	// DKIMKey signs as SenderDomain with selector DKIMSelector.
	DKIMKey ed25519.PrivateKey
	// HTTPS serves the MTA-STS policies (dial it with HTTPS.DialContext).
	HTTPS *httpslab.Server
	// Seed is the IMAP seed mailbox every scenario delivers into (user
	// SeedUser, password SeedPassword); DSNSink receives bounces.
	Seed    *imaplab.Server
	DSNSink *imaplab.Server
	// Relay is a known-good submission relay (AUTH PLAIN RelayUser /
	// RelayPassword, no TLS on loopback) that delivers into the seed INBOX:
	// the path for control probes.
	Relay *imaplab.MX

	opts    Options
	mu      sync.Mutex
	closers []func() error
}

// DNSAddr is the "IP:port" of the lab's DNS server (for --resolver).
func (w *World) DNSAddr() string { return w.DNS.Addr() }

// Close stops every server.
func (w *World) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	var errs []error
	for i := len(w.closers) - 1; i >= 0; i-- {
		errs = append(errs, w.closers[i]())
	}
	w.closers = nil
	return errors.Join(errs...)
}

func (w *World) onClose(f func() error) {
	w.mu.Lock()
	w.closers = append(w.closers, f)
	w.mu.Unlock()
}

// Start builds and starts a lab.
func Start(opts Options) (w *World, err error) {
	if opts.TarpitDelay == 0 {
		opts.TarpitDelay = 60 * time.Second
	}
	w = &World{SMTP: map[netip.Addr]*smtplab.Server{}, opts: opts}
	defer func() {
		if err != nil {
			w.Close()
		}
	}()
	if w.CA, err = tlslab.NewCA("mxprobe lab CA"); err != nil {
		return nil, err
	}
	_, w.DKIMKey, err = ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	if w.DNS, err = dnsserver.Start(ClientIP + ":0"); err != nil {
		return nil, fmt.Errorf("lab: dns: %w", err)
	}
	w.onClose(w.DNS.Close)
	if opts.DNSDelay > 0 {
		w.DNS.SetDelay(opts.DNSDelay)
	}
	scs := Scenarios()
	if err := w.addZones(scs); err != nil {
		return nil, err
	}
	if opts.DNSNXDomain {
		w.DNS.SetFallbackRule(dnsserver.Rule{NXDomain: true})
	}
	if w.Seed, err = imaplab.Start(imaplab.Options{User: SeedUser, Password: SeedPassword}); err != nil {
		return nil, fmt.Errorf("lab: imap: %w", err)
	}
	w.onClose(w.Seed.Close)
	if w.DSNSink, err = imaplab.Start(imaplab.Options{User: SeedUser, Password: SeedPassword}); err != nil {
		return nil, fmt.Errorf("lab: imap: %w", err)
	}
	w.onClose(w.DSNSink.Close)
	if w.Relay, err = imaplab.StartMX(imaplab.MXOptions{Seed: w.Seed, DSNSink: w.DSNSink, DSN: true,
		Hostname: "relay.lab.test", Users: map[string]string{RelayUser: RelayPassword}, InsecureAuth: true}); err != nil {
		return nil, fmt.Errorf("lab: relay: %w", err)
	}
	w.onClose(w.Relay.Close)
	if err := w.startSMTP(scs, opts); err != nil {
		return nil, err
	}
	if opts.HTTPSAddr != "" {
		w.HTTPS, err = httpslab.Start(w.CA, opts.HTTPSAddr)
	}
	if w.HTTPS == nil {
		w.HTTPS, err = httpslab.Start(w.CA, ClientIP+":0")
	}
	if err != nil {
		return nil, fmt.Errorf("lab: https: %w", err)
	}
	w.onClose(w.HTTPS.Close)
	w.addRulesPages()
	for _, sc := range scs {
		if sc.Policy != "" {
			w.HTTPS.SetPolicy("mta-sts."+sc.Domain, sc.Policy)
		}
	}
	return w, nil
}

// addZones loads the static lab zone and each scenario's records.
func (w *World) addZones(scs []Scenario) error {
	pub := w.DKIMKey.Public().(ed25519.PublicKey)
	rr := []string{
		// The client side: FCrDNS for 127.0.0.1 and a good sending domain.
		"1.0.0.127.in-addr.arpa. 300 IN PTR " + ClientName + ".",
		ClientName + ". 300 IN A " + ClientIP,
		SenderDomain + ". 300 IN MX 10 mx.ok.lab.test.",
		SenderDomain + ". 300 IN TXT \"v=spf1 ip4:127.0.0.1 ip6:::1 -all\"",
		ClientName + ". 300 IN TXT \"v=spf1 a -all\"",
		"_dmarc." + SenderDomain + ". 300 IN TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@" + SenderDomain + "\"",
		WeakDomain + ". 300 IN MX 10 mx.ok.lab.test.",
		// The lab block list: its RFC 5782 §5 test entry 127.0.0.2 is listed,
		// 127.0.0.1 (the lab client) is not.
		"2.0.0.127." + BlockList + ". 300 IN A 127.0.0.2",
		"2.0.0.127." + BlockList + ". 300 IN TXT \"test entry of the lab block list\"",
	}
	rr = append(rr, rulesRecords()...)
	if err := w.DNS.AddRR(rr...); err != nil {
		return fmt.Errorf("lab: zone: %w", err)
	}
	if err := w.DNS.AddTXT(DKIMSelector+"._domainkey."+SenderDomain,
		"v=DKIM1; k=ed25519; p="+base64.StdEncoding.EncodeToString(pub)); err != nil {
		return err
	}
	for i := 1; i <= w.opts.BulkDomains; i++ {
		d := fmt.Sprintf("bulk%d.%s", i, Zone)
		if err := w.DNS.AddRR(d+". 300 IN MX 10 mx."+d+".", "mx."+d+". 300 IN A 127.0.0.10",
			d+". 300 IN TXT \"v=spf1 mx -all\"", "_dmarc."+d+". 300 IN TXT \"v=DMARC1; p=reject\""); err != nil {
			return err
		}
	}
	for _, sc := range scs {
		if err := w.DNS.AddRR(sc.Records...); err != nil {
			return fmt.Errorf("lab: zone of %s: %w", sc.Domain, err)
		}
		for _, r := range sc.DNSRules {
			w.DNS.SetRule(r.Name, r.Type, r.Rule)
		}
	}
	return nil
}

// startSMTP starts one server per scenario MX address, all on one port.
func (w *World) startSMTP(scs []Scenario, opts Options) error {
	only := map[string]bool{}
	for _, d := range opts.Only {
		only[d] = true
	}
	type want struct {
		addr netip.Addr
		sc   smtplab.Scenario
	}
	var wants []want
	v6 := ipv6Loopback()
	for _, sc := range scs {
		if len(only) > 0 && !only[sc.Domain] {
			continue
		}
		for _, s := range sc.SMTP {
			if s.Addr.Is6() && !v6 {
				continue // no ::1 here: the IPv6 scenarios have no server
			}
			ss := s.Scenario
			if s.Cert != "" {
				c, err := smtplab.CertFor(w.CA, s.Host, s.Cert, s.AltNames...)
				if err != nil {
					return err
				}
				ss.TLSCert = c
			}
			if opts.SMTPLatency > 0 {
				ss.ReplyLatency = opts.SMTPLatency
			}
			if s.Tarpit {
				ss.BannerDelay = opts.TarpitDelay
			}
			if ss.OnData == nil {
				ss.OnData = w.deliver(sc.Delivery, ss.Hostname)
			}
			wants = append(wants, want{s.Addr, ss})
		}
	}
	if len(wants) == 0 {
		return nil
	}
	// Find one port free on every address (bounded attempts).
	var lastErr error
	for attempt := 0; attempt < 20; attempt++ {
		port, err := freePort(wants[0].addr)
		if err != nil {
			return err
		}
		started := map[netip.Addr]*smtplab.Server{}
		ok := true
		for _, wt := range wants {
			srv, err := smtplab.Start(netip.AddrPortFrom(wt.addr, port).String(), wt.sc)
			if err != nil {
				lastErr = err
				ok = false
				break
			}
			started[wt.addr] = srv
		}
		if !ok {
			for _, s := range started {
				s.Close()
			}
			continue
		}
		w.SMTPPort = port
		for a, s := range started {
			w.SMTP[a] = s
			w.onClose(s.Close)
		}
		return nil
	}
	return fmt.Errorf("lab: no common SMTP port free on the lab addresses: %w", lastErr)
}

func freePort(a netip.Addr) (uint16, error) {
	l, err := net.Listen("tcp", netip.AddrPortFrom(a, 0).String())
	if err != nil {
		return 0, fmt.Errorf("lab: listen on %s: %w", a, err)
	}
	defer l.Close()
	return uint16(l.Addr().(*net.TCPAddr).Port), nil
}

// deliver is the OnData hook of a scenario's MX: the accepted message lands
// in the seed INBOX or junk folder; "discard" answers like Microsoft and
// throws it away (the silent drop).
func (w *World) deliver(how, host string) func(smtplab.Envelope, []byte) *smtp.SMTPError {
	switch how {
	case "discard":
		return msQueued
	case "inbox", "junk":
		return func(env smtplab.Envelope, msg []byte) *smtp.SMTPError {
			folder := "INBOX"
			if how == "junk" {
				folder = w.Seed.JunkFolder()
			}
			msg = append(receivedField(env, host, time.Now()), msg...)
			if _, err := w.Seed.Append(folder, msg, time.Time{}); err != nil {
				return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "lab mailbox error"}
			}
			return nil
		}
	}
	return nil
}

// receivedField is the trace field a receiving MTA prepends (RFC 5321
// §4.4), with the protocol of RFC 3848: ESMTPS when STARTTLS was used.
func receivedField(env smtplab.Envelope, host string, at time.Time) []byte {
	proto := "ESMTP"
	if env.TLS {
		proto = "ESMTPS"
	}
	return []byte(fmt.Sprintf("Received: from %s ([%s])\r\n\tby %s with %s id L%d;\r\n\t%s\r\n",
		env.Helo, env.RemoteAddr.Addr(), host, proto, env.Session, at.UTC().Format(time.RFC1123Z)))
}
