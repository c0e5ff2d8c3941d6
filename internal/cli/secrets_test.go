package cli

// Secrets never leak (issue 7): one sentinel value is the IMAP password,
// the OAuth token and the SMTP AUTH password on every path (environment and
// files, probe and control route, seed and DSN mailbox, probe commands and
// check --deliver-to), in runs that succeed and runs that fail (wrong
// secret, server down, a hostile server that echoes what it got). stdout,
// stderr — JSON, transcripts, error messages — and every file the commands
// wrote are searched for the sentinel and for its base64 wire forms.

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/lab/imaplab"
)

const sentinel = "S3cr3t-Sentinel-xyz"

// secretNeedles are the strings whose presence anywhere means a leak: the
// sentinel, fragments of it, its hex form, and the part of its standard and
// URL base64 encodings that does not depend on what surrounds it, at every
// byte alignment (that covers AUTH PLAIN "\0user\0pw" and XOAUTH2
// "user=…\x01auth=Bearer …" however they are framed).
func secretNeedles(secret string) []string {
	needles := []string{secret, "S3cr3t", "Sentinel-xyz", hex.EncodeToString([]byte(secret))}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		for k := 0; k < 3; k++ {
			b := enc.EncodeToString(append(make([]byte, k), secret...))
			i0, i1 := (k+2)/3, (k+len(secret))/3 // groups made of secret bytes only
			needles = append(needles, b[4*i0:4*i1])
		}
	}
	return needles
}

func TestSecretNeedles(t *testing.T) {
	n := secretNeedles(sentinel)
	for _, wire := range []string{
		base64.StdEncoding.EncodeToString([]byte("\x00alice\x00" + sentinel)),
		base64.StdEncoding.EncodeToString([]byte("user=seed@dest.test\x01auth=Bearer " + sentinel + "\x01\x01")),
		base64.RawURLEncoding.EncodeToString([]byte("xy" + sentinel)),
	} {
		found := false
		for _, s := range n {
			found = found || strings.Contains(wire, s)
		}
		if !found {
			t.Errorf("no needle matches the wire form %s", wire)
		}
	}
}

// echoSMTP is a hostile submission server: it offers AUTH and answers every
// AUTH attempt with a 535 that quotes what it received, raw and decoded.
func echoSMTP(t *testing.T) string {
	return serveLoopback(t, func(c net.Conn) {
		w := func(s string) { io.WriteString(c, s) }
		w("220 evil.test ESMTP\r\n")
		br := bufio.NewReader(io.LimitReader(c, 1<<20))
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			f := strings.Fields(line)
			verb := ""
			if len(f) > 0 {
				verb = strings.ToUpper(f[0])
			}
			switch {
			case verb == "EHLO":
				w("250-evil.test greets " + line + "\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")
			case verb == "AUTH" && len(f) >= 3:
				dec, _ := base64.StdEncoding.DecodeString(f[2])
				w("535-5.7.8 Authentication failed for " + line + "\r\n535 5.7.8 decoded: " + strings.ReplaceAll(string(dec), "\x00", " ") + "\r\n")
			case verb == "AUTH":
				w("334 \r\n")
				resp, err := br.ReadString('\n')
				if err != nil {
					return
				}
				resp = strings.TrimSpace(resp)
				dec, _ := base64.StdEncoding.DecodeString(resp)
				w("535 5.7.8 bad credentials " + resp + " = " + strings.ReplaceAll(string(dec), "\x00", " ") + "\r\n")
			case verb == "QUIT":
				w("221 2.0.0 bye\r\n")
				return
			default:
				w("502 5.5.2 what is " + line + "\r\n")
			}
		}
	})
}

// echoIMAP is a hostile IMAP server: it refuses STARTTLS and every login
// with a NO that quotes the command, and for AUTHENTICATE the decoded
// initial response.
func echoIMAP(t *testing.T) string {
	return serveLoopback(t, func(c net.Conn) {
		w := func(s string) { io.WriteString(c, s) }
		w("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2] evil IMAP ready\r\n")
		br := bufio.NewReader(io.LimitReader(c, 1<<20))
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			tag, rest, _ := strings.Cut(line, " ")
			f := strings.Fields(rest)
			verb := ""
			if len(f) > 0 {
				verb = strings.ToUpper(f[0])
			}
			switch verb {
			case "CAPABILITY":
				w("* CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2\r\n" + tag + " OK done\r\n")
			case "STARTTLS":
				w(tag + " NO no TLS here\r\n")
			case "LOGIN":
				w(tag + " NO [AUTHENTICATIONFAILED] invalid " + rest + "\r\n")
			case "AUTHENTICATE":
				ir := ""
				if len(f) >= 3 {
					ir = f[2]
				} else {
					w("+ \r\n")
					ir, _ = br.ReadString('\n')
					ir = strings.TrimSpace(ir)
				}
				dec, _ := base64.StdEncoding.DecodeString(ir)
				// Like Gmail: a JSON error as a challenge, then NO.
				w("+ " + base64.StdEncoding.EncodeToString([]byte(`{"status":"400","schemes":"Bearer","scope":"`+ir+`"}`)) + "\r\n")
				if _, err := br.ReadString('\n'); err != nil {
					return
				}
				w(tag + " NO [AUTHENTICATIONFAILED] " + ir + " means " + strings.NewReplacer("\x00", " ", "\x01", " ").Replace(string(dec)) + "\r\n")
			case "LOGOUT":
				w("* BYE\r\n" + tag + " OK bye\r\n")
				return
			default:
				w(tag + " BAD " + rest + "\r\n")
			}
		}
	})
}

// serveLoopback runs handle for every connection to a new loopback
// listener until the test ends.
func serveLoopback(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(20 * time.Second))
				handle(c)
			})
		}
	})
	return ln.Addr().String()
}

// closedPort returns a loopback address nobody listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestSecretsNeverLeak(t *testing.T) {
	seed, err := imaplab.Start(imaplab.Options{User: labSeedUser, Password: sentinel, BearerToken: sentinel})
	if err != nil {
		t.Fatal(err)
	}
	defer seed.Close()
	sink, err := imaplab.Start(imaplab.Options{User: labSinkUser, Password: sentinel, Folders: []imaplab.Folder{{Name: "INBOX"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	relay, err := imaplab.StartMX(imaplab.MXOptions{Seed: seed, Users: map[string]string{"alice": sentinel}, InsecureAuth: true, Hostname: "relay.sender.test"})
	if err != nil {
		t.Fatal(err)
	}
	defer relay.Close()
	ctlRelay, err := imaplab.StartMX(imaplab.MXOptions{Seed: seed, Users: map[string]string{"bob": sentinel}, InsecureAuth: true, Hostname: "good.sender.test"})
	if err != nil {
		t.Fatal(err)
	}
	defer ctlRelay.Close()
	evilSMTP, evilIMAP, down := echoSMTP(t), echoIMAP(t), closedPort(t)

	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := file("good", sentinel+"\n")
	wrong := file("wrong", sentinel+"-wrong\r\nsecond line "+sentinel+"\n")
	huge := file("huge", sentinel+"\n"+strings.Repeat(sentinel, 4000))
	empty := file("empty", "\n"+sentinel+"\n") // an empty first line
	asDir := filepath.Join(dir, "a-directory")
	os.Mkdir(asDir, 0o700)

	var all bytes.Buffer
	runs := 0
	run := func(env map[string]string, args ...string) (string, int) {
		t.Helper()
		e := map[string]string{"XDG_STATE_HOME": state, "HOME": dir, testNow: time.Now().UTC().Format(time.RFC3339Nano)}
		for k, v := range env {
			e[k] = v
		}
		out, errOut, code := runCLI(t, e, args...)
		all.WriteString(out)
		all.WriteString(errOut)
		runs++
		return out, code
	}
	smtpEnv := map[string]string{"MXPROBE_SMTP_USER": "alice", "MXPROBE_SMTP_PASSWORD": sentinel}
	wrongSMTPEnv := map[string]string{"MXPROBE_SMTP_USER": "alice", "MXPROBE_SMTP_PASSWORD": sentinel + "-wrong"}
	imapEnv := map[string]string{"MXPROBE_IMAP_PASSWORD": sentinel, "MXPROBE_DSN_IMAP_PASSWORD": sentinel}
	wrongIMAPEnv := map[string]string{"MXPROBE_IMAP_PASSWORD": sentinel + "-wrong", "MXPROBE_DSN_IMAP_PASSWORD": sentinel + "-wrong"}
	windows := []string{"--expect", "1s", "--drop-after", "2s", "--final", "4s"}

	// Text with -v (transcripts, every detail) and JSON (transcripts too).
	for _, mode := range [][2]string{{"text", "-v"}, {"json", "-v=false"}} {
		format, verbose := mode[0], mode[1]
		send := func(relayAddr string, extra ...string) []string {
			return append([]string{"probe", "send", "--format", format, verbose, "--to", labSeedUser, "--from", "probe@sender.test",
				"--i-own-this-mailbox", "--via", "submit", "--relay", relayAddr, "--tls", "none", "--ehlo", "c.sender.test"}, extra...)
		}
		ctl := []string{"--control-via", "submit", "--control-relay", ctlRelay.Addr(), "--control-tls", "none", "--control-smtp-user", "bob"}
		// Succeeding sends: the sentinel really is the password.
		for _, c := range []struct {
			env  map[string]string
			args []string
		}{
			{smtpEnv, send(relay.Addr())},
			{nil, send(relay.Addr(), "--smtp-user", "alice", "--smtp-password-file", good)},
			{map[string]string{"MXPROBE_SMTP_USER": "alice", "MXPROBE_SMTP_PASSWORD": sentinel, "MXPROBE_CONTROL_SMTP_PASSWORD": sentinel}, send(relay.Addr(), ctl...)},
			{smtpEnv, send(relay.Addr(), append(ctl, "--control-smtp-password-file", good)...)},
		} {
			if _, code := run(c.env, c.args...); code != 0 {
				t.Fatalf("%v: exit %d\n%s", c.args, code, all.String())
			}
		}
		// Failing sends: wrong secret, relay down, a hostile relay.
		for _, c := range []struct {
			env  map[string]string
			args []string
			code int
		}{
			{wrongSMTPEnv, send(relay.Addr()), exitcode.Incomplete},
			{nil, send(relay.Addr(), "--smtp-user", "alice", "--smtp-password-file", wrong), exitcode.Incomplete},
			{smtpEnv, send(down), exitcode.Incomplete},
			{smtpEnv, send(evilSMTP), -1},
			{map[string]string{"MXPROBE_SMTP_USER": "alice", "MXPROBE_SMTP_PASSWORD": sentinel, "MXPROBE_CONTROL_SMTP_PASSWORD": sentinel},
				send(relay.Addr(), "--control-via", "submit", "--control-relay", evilSMTP, "--control-tls", "none", "--control-smtp-user", "bob"), -1},
			{nil, send(relay.Addr(), "--smtp-user", "alice", "--smtp-password-file", huge), exitcode.Usage},
			{nil, send(relay.Addr(), "--smtp-user", "alice", "--smtp-password-file", asDir), exitcode.Usage},
			{nil, send(relay.Addr(), "--smtp-user", "alice", "--smtp-password-file", empty), exitcode.Usage},
		} {
			if _, code := run(c.env, c.args...); c.code >= 0 && code != c.code {
				t.Errorf("%v: exit %d, want %d", c.args[len(c.args)-4:], code, c.code)
			}
		}

		// IMAP: seed and DSN mailbox, password and token, env and files.
		confirm := func(url string, extra ...string) []string {
			return append(append([]string{"probe", "confirm", "--format", format, verbose, "--imap", url, "--imap-user", labSeedUser}, windows...), extra...)
		}
		dsn := []string{"--dsn-imap", sink.URL(), "--dsn-imap-user", labSinkUser}
		for _, c := range []struct {
			env      map[string]string
			args     []string
			complete bool
		}{
			{imapEnv, confirm(seed.URL(), dsn...), true},
			{nil, confirm(seed.URL(), append(dsn, "--imap-password-file", good, "--dsn-imap-password-file", good)...), true},
			{nil, confirm(seed.URL(), "--imap-token-file", good), true},
			{wrongIMAPEnv, confirm(seed.URL(), dsn...), false},
			{nil, confirm(seed.URL(), append(dsn, "--imap-password-file", wrong, "--dsn-imap-password-file", wrong)...), false},
			{nil, confirm(seed.URL(), "--imap-token-file", wrong), false},
			{imapEnv, confirm("imap://"+down, dsn...), false},
			{imapEnv, confirm("imap://"+evilIMAP, "--dsn-imap", "imap://"+evilIMAP, "--dsn-imap-user", labSinkUser), false},
			{nil, confirm("imap://"+evilIMAP, "--imap-token-file", good), false},
		} {
			out, code := run(c.env, c.args...)
			if code == exitcode.Usage {
				t.Fatalf("%v: usage error\n%s", c.args, all.String())
			}
			if format == "json" {
				var res struct {
					Seed *delivery.Scan `json:"seed_scan"`
				}
				if err := json.Unmarshal([]byte(out), &res); err != nil || res.Seed == nil || res.Seed.Complete != c.complete {
					t.Errorf("%v: seed scan %+v (%v), want complete=%v", c.args[len(c.args)-4:], res.Seed, err, c.complete)
				}
			}
		}
		for _, bad := range [][]string{
			confirm(seed.URL(), "--imap-password-file", huge),
			confirm(seed.URL(), "--imap-token-file", asDir),
			confirm(seed.URL(), "--imap-token-file", empty),
			confirm("imap://" + labSeedUser + ":" + sentinel + "@" + seed.Addr()),
		} {
			if _, code := run(nil, bad...); code != exitcode.Usage {
				t.Errorf("%v: exit %d, want 2", bad[len(bad)-2:], code)
			}
		}
		run(imapEnv, append(append([]string{"probe", "watch", "--format", format, verbose, "--until", "6s", "--imap", seed.URL(), "--imap-user", labSeedUser}, windows...), dsn...)...)
		run(nil, "probe", "list", "--format", format, verbose)
	}
	// Every probe's evidence pack and timeline.
	for _, ev := range readLedgerFile(t, filepath.Join(state, "mxprobe", "ledger.jsonl")) {
		if ev.Kind == delivery.KindSent {
			run(nil, "probe", "show", ev.Token, "--format", "json")
			run(nil, "probe", "show", ev.Token, "-v")
		}
	}
	// check --deliver-to in the lab, with our seed mailbox and a control
	// relay that need the sentinel, text with transcripts and JSON.
	for _, format := range []string{"text", "json"} {
		for _, seedAuth := range [][]string{{}, {"--imap-token-file", good}} {
			args := append([]string{"check", "--lab", "--format", format, "-v", "--transcript", "ok.lab.test", "--from", "you@sender.lab.test",
				"--deliver-to", "seed@ok.lab.test", "--imap", seed.URL(), "--imap-user", labSeedUser, "--control-via", "submit",
				"--control-relay", relay.Addr(), "--control-tls", "none", "--control-smtp-user", "alice", "--wait", "5s"}, seedAuth...)
			args = append(args, windows...)
			if _, code := run(map[string]string{"MXPROBE_IMAP_PASSWORD": sentinel, "MXPROBE_CONTROL_SMTP_PASSWORD": sentinel}, args...); code == exitcode.Usage {
				t.Fatalf("check --deliver-to: usage error\n%s", all.String())
			}
		}
	}
	if n := len(relay.Received()); n == 0 {
		t.Fatal("the relay never accepted the sentinel password")
	}
	for _, r := range relay.Received() {
		if r.AuthUser != "alice" {
			t.Fatalf("relay delivery without AUTH: %+v", r.AuthUser)
		}
	}
	if len(ctlRelay.Received()) == 0 || seed.Logins() == 0 {
		t.Fatalf("control relay %d deliveries, seed %d logins: the sentinel was not used", len(ctlRelay.Received()), seed.Logins())
	}
	if !strings.Contains(all.String(), "AUTH PLAIN") {
		t.Fatal("no transcript with AUTH in the output: the verbose paths were not exercised")
	}

	// Search everything.
	haystacks := map[string][]byte{"stdout/stderr": all.Bytes()}
	filepath.WalkDir(state, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			haystacks[p] = b
		}
		return nil
	})
	if len(haystacks) < 2 {
		t.Fatal("no ledger written")
	}
	for name, h := range haystacks {
		for _, n := range secretNeedles(sentinel) {
			if i := bytes.Index(h, []byte(n)); i >= 0 {
				t.Errorf("%s contains %q: …%s…", name, n, h[max(0, i-120):min(len(h), i+len(n)+40)])
			}
		}
	}
	t.Logf("%d runs, %d bytes of output and %d files searched", runs, all.Len(), len(haystacks)-1)
}
