package lab

import (
	"bufio"
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/mxprobe/mxprobe/internal/resolver"
)

func TestWorldServesScenarios(t *testing.T) {
	w, err := Start(Options{TarpitDelay: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r, err := resolver.New(resolver.Config{Servers: []string{w.DNSAddr()}, Timeout: time.Second, Attempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	seen := map[netip.Addr]bool{}
	for _, sc := range Scenarios() {
		for _, h := range sc.SMTP {
			if seen[h.Addr] {
				t.Fatalf("address %s used twice", h.Addr)
			}
			seen[h.Addr] = true
			if !h.Addr.IsLoopback() {
				t.Fatalf("%s: non-loopback address %s", sc.Domain, h.Addr)
			}
			if _, ok := w.SMTP[h.Addr]; !ok {
				t.Fatalf("%s: no server at %s", sc.Domain, h.Addr)
			}
		}
		if !sc.Title.Complete() {
			t.Errorf("%s: title needs EN and DE", sc.Domain)
		}
	}

	a := r.Lookup(ctx, "ok.lab.test", resolver.TypeMX)
	if a.Status != resolver.StatusOK || len(a.MX) != 1 || a.MX[0].Host != "mx.ok.lab.test" {
		t.Fatalf("MX of ok.lab.test: %+v", a)
	}
	ip := r.Lookup(ctx, "mx.ok.lab.test", resolver.TypeA)
	if ip.Status != resolver.StatusOK || ip.IPs[0].String() != "127.0.0.10" {
		t.Fatalf("A of mx.ok.lab.test: %+v", ip)
	}
	ptr := r.Lookup(ctx, resolver.ReverseName(netip.MustParseAddr(ClientIP)), resolver.TypePTR)
	if ptr.Status != resolver.StatusOK || ptr.PTR[0] != ClientName {
		t.Fatalf("PTR of the lab client: %+v", ptr)
	}
	if to := r.Lookup(ctx, "dnstimeout.lab.test", resolver.TypeMX); to.Status != resolver.StatusTimeout {
		t.Fatalf("dnstimeout MX: %s", to.Status)
	}

	conn, err := net.DialTimeout("tcp", netip.AddrPortFrom(ip.IPs[0], w.SMTPPort).String(), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "220 ") {
		t.Fatalf("banner %q, %v", line, err)
	}
}

func TestWorldDeliversIntoSeed(t *testing.T) {
	w, err := Start(Options{Only: []string{"ok.lab.test", "junk.lab.test", "drop.lab.test"}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	send := func(ip string, rcpt string) string {
		t.Helper()
		c, err := smtp.Dial(netip.AddrPortFrom(netip.MustParseAddr(ip), w.SMTPPort).String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.CommandTimeout = 5 * time.Second
		if err := c.Hello(ClientName); err != nil {
			t.Fatal(err)
		}
		if err := c.Mail("a@"+SenderDomain, nil); err != nil {
			t.Fatal(err)
		}
		if err := c.Rcpt(rcpt, nil); err != nil {
			t.Fatal(err)
		}
		wc, err := c.Data()
		if err != nil {
			t.Fatal(err)
		}
		wc.Write([]byte("Message-ID: <t1@sender.lab.test>\r\nSubject: x\r\n\r\nbody\r\n"))
		resp, err := wc.CloseWithResponse()
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusText
	}
	send("127.0.0.10", "seed@ok.lab.test")
	send("127.0.0.11", "seed@junk.lab.test")
	line := send("127.0.0.12", "seed@drop.lab.test")
	if !strings.Contains(line, "Queued mail for delivery") || !strings.Contains(line, "t1@sender.lab.test") {
		t.Fatalf("drop scenario acceptance %q", line)
	}
	if n, _ := w.Seed.Count("INBOX"); n != 1 {
		t.Fatalf("INBOX has %d messages, want 1", n)
	}
	if n, _ := w.Seed.Count(w.Seed.JunkFolder()); n != 1 {
		t.Fatalf("junk has %d messages, want 1 (the drop must not deliver)", n)
	}
}
