package delivery

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/lab/imaplab"
)

// TestSendAuthFailureKeepsThe535: a refused login is recorded with the
// server's 535 reply verbatim, and no "*" follows a final reply (RFC 4954
// §4; go-smtp v0.25.1 sent one, and the answer to it replaced the 535).
func TestSendAuthFailureKeepsThe535(t *testing.T) {
	w := newWorld(t, worldOpts{})
	relay, err := imaplab.StartMX(imaplab.MXOptions{Seed: w.seed, Users: map[string]string{"alice": "right"}, InsecureAuth: true, Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer relay.Close()
	submit := func(pw string) *Probe {
		return w.send(t, seedAddr, func(o *SendOptions) {
			o.Route, o.Relay, o.MX, o.TLS = RouteSubmit, relay.Addr(), "", TLSNone
			o.Auth = &Credentials{User: "alice", Password: pw}
		})
	}
	p := submit("wrong")
	const want = "535 5.7.8 Authentication credentials invalid"
	if p.Outcome != OutcomeFailed || p.Stage != "auth" || p.Code != 535 || p.Enhanced != "5.7.8" || p.Reply != want {
		t.Fatalf("outcome %s stage %s code %d %s reply %q", p.Outcome, p.Stage, p.Code, p.Enhanced, p.Reply)
	}
	if p.Error != "authentication failed: "+want {
		t.Fatalf("error %q", p.Error)
	}
	if n := len(p.Attempts); n != 1 || p.Attempts[0].Reply != want {
		t.Fatalf("attempts %+v", p.Attempts)
	}
	var afterAuth []string
	seen := false
	for _, l := range p.Transcript {
		if l.Text == "AUTH PLAIN ***" {
			seen = true
			continue
		}
		if seen {
			afterAuth = append(afterAuth, l.Dir+" "+l.Text)
		}
	}
	if strings.Join(afterAuth, "|") != "S "+want {
		t.Fatalf("after AUTH: %q", afterAuth)
	}
	// The good password still works through our exchange.
	if ok := submit("right"); ok.Outcome != OutcomeAccepted {
		t.Fatalf("good password: %s %q %q", ok.Outcome, ok.Error, ok.Reply)
	}
}

// scriptedAuthServer answers EHLO with AUTH LOGIN, then the AUTH command
// with the given lines, records what the client sends and answers a "*"
// with 501.
func scriptedAuthServer(t *testing.T, authAnswer string) (addr string, got <-chan []string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ch := make(chan []string, 1)
	go func() {
		var lines []string
		defer func() { ch <- lines }()
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		r := bufio.NewReader(c)
		c.Write([]byte("220 auth.test ESMTP\r\n"))
		for i := 0; i < 10; i++ {
			l, err := r.ReadString('\n')
			if err != nil {
				return
			}
			l = strings.TrimRight(l, "\r\n")
			lines = append(lines, l)
			switch {
			case strings.HasPrefix(l, "EHLO"):
				c.Write([]byte("250-auth.test\r\n250 AUTH LOGIN\r\n"))
			case strings.HasPrefix(l, "AUTH"):
				c.Write([]byte(authAnswer))
			case l == "*":
				c.Write([]byte("501 5.7.0 Authentication cancelled\r\n"))
			default:
				c.Write([]byte("535 5.7.8 nope\r\n"))
			}
		}
	}()
	return ln.Addr().String(), ch
}

func TestSendAuthCancelOnlyAfter334(t *testing.T) {
	w := newWorld(t, worldOpts{})
	// A LOGIN server that asks an unexpected question: the client cancels
	// with "*" (allowed: it answers a 334) and the 501 decides.
	addr, got := scriptedAuthServer(t, "334 V2hvIGFyZSB5b3U/\r\n") // "Who are you?"
	p := w.send(t, seedAddr, func(o *SendOptions) {
		o.Route, o.Relay, o.MX, o.TLS = RouteSubmit, addr, "", TLSNone
		o.Auth = &Credentials{User: "bob", Password: "pw"}
	})
	lines := <-got
	if p.Stage != "auth" || p.Code != 501 || p.Reply != "501 5.7.0 Authentication cancelled" || lines[len(lines)-1] != "*" {
		t.Fatalf("stage %s code %d reply %q; server got %q", p.Stage, p.Code, p.Reply, lines)
	}
	// A multi-line final reply to AUTH is kept whole and never followed by "*".
	addr, got = scriptedAuthServer(t, "454-4.7.0 Temporary authentication failure\r\n454 4.7.0 try later\r\n")
	p = w.send(t, seedAddr, func(o *SendOptions) {
		o.Route, o.Relay, o.MX, o.TLS = RouteSubmit, addr, "", TLSNone
		o.Auth = &Credentials{User: "bob", Password: "pw"}
	})
	lines = <-got
	if p.Code != 454 || p.Enhanced != "4.7.0" || p.Reply != "454-4.7.0 Temporary authentication failure\n454 4.7.0 try later" || p.Outcome != OutcomeFailed {
		t.Fatalf("code %d %s outcome %s reply %q", p.Code, p.Enhanced, p.Outcome, p.Reply)
	}
	for _, l := range lines {
		if l == "*" {
			t.Fatalf("cancel after a final reply: %q", lines)
		}
	}
}
