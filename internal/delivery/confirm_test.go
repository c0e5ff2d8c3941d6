package delivery

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/mxprobe/mxprobe/internal/lab/imaplab"
	"github.com/mxprobe/mxprobe/internal/lab/tlslab"
)

func mustEvents(t *testing.T, l *Ledger) []Event {
	t.Helper()
	evs, _, err := l.Events()
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// assertNoSecret fails when any form of secret is in the file.
func assertNoSecret(t *testing.T, path, secret, user string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	forms := []string{secret, base64.StdEncoding.EncodeToString([]byte(secret)),
		base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + secret))}
	for _, f := range forms {
		if strings.Contains(string(b), f) {
			t.Fatalf("secret form %q found in %s", f, path)
		}
	}
}

func verdictOf(t *testing.T, w *world, tok string) ProbeVerdict {
	t.Helper()
	v, ok := Verdict(mustEvents(t, w.ledger), w.clock.Now(), testWindows).Get(tok)
	if !ok {
		t.Fatalf("no verdict for %s", tok)
	}
	return v
}

func TestConfirmEveryDestination(t *testing.T) {
	w := newWorld(t, worldOpts{rules: map[string]imaplab.Behavior{
		"inbox@dest.test": imaplab.DeliverInbox, "junk@dest.test": imaplab.DeliverJunk, "other@dest.test": imaplab.DeliverOther,
		"drop@dest.test": imaplab.Discard, "bounce@dest.test": imaplab.Bounce, "late@dest.test": imaplab.Delay,
	}})
	tok := map[string]string{}
	for _, r := range []string{"inbox", "junk", "other", "drop", "bounce", "late"} {
		p := w.send(t, r+"@dest.test")
		if p.Outcome != OutcomeAccepted {
			t.Fatalf("%s: %s %q", r, p.Outcome, p.Reply)
		}
		tok[r] = p.Token
	}
	w.clock.Advance(5 * time.Second)
	res := w.confirm(t)
	if res.Seed == nil || !res.Seed.Complete || res.DSN == nil || !res.DSN.Complete {
		t.Fatalf("scans %+v %+v", res.Seed, res.DSN)
	}
	want := map[string]State{"inbox": StateDeliveredInbox, "junk": StateDeliveredJunk, "other": StateDeliveredOther,
		"drop": StatePending, "bounce": StateBouncedLate, "late": StatePending}
	for r, s := range want {
		if v, _ := res.Verdict.Get(tok[r]); v.State != s {
			t.Errorf("%s: %s, want %s (%v)", r, v.State, s, v.Reasons)
		}
	}
	jv, _ := res.Verdict.Get(tok["junk"])
	if jv.Spam == nil || jv.Spam.Dest != "J" || jv.Spam.SCL == nil || *jv.Spam.SCL != 6 || !jv.Spam.Junk() {
		t.Fatalf("junk spam verdict %+v", jv.Spam)
	}
	bv, _ := res.Verdict.Get(tok["bounce"])
	if bv.DSN == nil || bv.DSN.MatchedBy != "envid" || bv.DSN.Status != "5.1.10" || bv.DSN.Action != "failed" {
		t.Fatalf("bounce %+v", bv.DSN)
	}
	// The delayed message arrives 30 s after sending (later than expect = 10 s).
	if n, err := w.mx.Release(t0.Add(30 * time.Second)); err != nil || n != 1 {
		t.Fatalf("release %d %v", n, err)
	}
	w.clock.Set(t0.Add(40 * time.Second))
	w.confirm(t)
	w.clock.Set(t0.Add(61 * time.Second))
	w.confirm(t)
	if v := verdictOf(t, w, tok["late"]); v.State != StateDeliveredLate || v.LatencySeconds != 30 {
		t.Fatalf("late: %s %.0f", v.State, v.LatencySeconds)
	}
	if v := verdictOf(t, w, tok["drop"]); v.State != StateSilentDrop || v.Confidence != ConfidenceLow || v.ScansComplete != 3 {
		t.Fatalf("drop: %s/%s scans %d %v", v.State, v.Confidence, v.ScansComplete, v.Reasons)
	}
	// The bounce is recorded once, however often we look.
	n := 0
	for _, ev := range mustEvents(t, w.ledger) {
		if ev.Kind == KindDSN {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d dsn events", n)
	}
	// Moved after delivery: the inbox probe goes to junk.
	uids, _ := w.seed.Flags("INBOX")
	for uid := range uids {
		w.seed.Move("INBOX", uid, "Junk Email")
	}
	w.confirm(t, func(o *ConfirmOptions) { o.Tokens, o.Pending = []string{tok["inbox"]}, false })
	if v := verdictOf(t, w, tok["inbox"]); v.State != StateMovedAfterDelivery || v.FirstFolder != "INBOX" || v.Folder != "Junk Email" {
		t.Fatalf("moved: %s %s → %s", v.State, v.FirstFolder, v.Folder)
	}
}

func TestConfirmControlRaisesConfidence(t *testing.T) {
	w := newWorld(t, worldOpts{rules: map[string]imaplab.Behavior{seedAddr: imaplab.Discard}})
	good, err := imaplab.StartMX(imaplab.MXOptions{Seed: w.seed, Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	p := w.send(t, seedAddr)
	c := w.send(t, seedAddr, func(o *SendOptions) { o.MX, o.Role, o.Group = good.Addr(), RoleControl, p.Token })
	w.clock.Advance(5 * time.Second)
	w.confirm(t)
	w.clock.Set(t0.Add(61 * time.Second))
	w.confirm(t)
	v := verdictOf(t, w, p.Token)
	if v.State != StateSilentDrop || v.Confidence != ConfidenceMedium || len(v.Controls) != 1 || v.Controls[0].Token != c.Token {
		t.Fatalf("%s/%s %+v %v", v.State, v.Confidence, v.Controls, v.Reasons)
	}
}

func TestConfirmIMAPDownIsNeverADrop(t *testing.T) {
	w := newWorld(t, worldOpts{rules: map[string]imaplab.Behavior{seedAddr: imaplab.Discard}})
	p := w.send(t, seedAddr)
	w.seed.Close()
	w.clock.Advance(5 * time.Second)
	res := w.confirm(t)
	if res.Seed.Complete || res.Seed.Error == "" {
		t.Fatalf("scan of a dead server: %+v", res.Seed)
	}
	w.clock.Set(t0.Add(61 * time.Second))
	w.confirm(t)
	if v := verdictOf(t, w, p.Token); v.State != StateInconclusive || v.Reason != ReasonSeedUnreadable {
		t.Fatalf("%s %s", v.State, v.Reason)
	}
}

func TestConfirmVanishMidFetch(t *testing.T) {
	w := newWorld(t, worldOpts{})
	p := w.send(t, seedAddr)
	w.seed.VanishOnFetch(1)
	w.clock.Advance(5 * time.Second)
	res := w.confirm(t)
	if res.Seed.Complete || !strings.Contains(res.Seed.Error, "INBOX") {
		t.Fatalf("vanish: %+v", res.Seed)
	}
	if v := verdictOf(t, w, p.Token); v.State != StatePending {
		t.Fatalf("%s", v.State)
	}
	// The next round works again and finds it.
	w.confirm(t)
	if v := verdictOf(t, w, p.Token); v.State != StateDeliveredInbox {
		t.Fatalf("%s", v.State)
	}
}

func TestConfirmLeavesFlagsUntouched(t *testing.T) {
	w := newWorld(t, worldOpts{rules: map[string]imaplab.Behavior{"junk@dest.test": imaplab.DeliverJunk}})
	w.send(t, seedAddr)
	w.send(t, "junk@dest.test")
	// An already-read message stays read, an unread one unread.
	w.seed.Append("INBOX", []byte("Subject: x\r\n\r\nx\r\n"), t0, imap.FlagSeen)
	before := map[string]map[imap.UID][]imap.Flag{}
	for _, f := range []string{"INBOX", "Junk Email"} {
		before[f], _ = w.seed.Flags(f)
	}
	w.clock.Advance(5 * time.Second)
	res := w.confirm(t)
	if len(res.Seed.Found) != 2 {
		t.Fatalf("found %+v", res.Seed.Found)
	}
	for f, b := range before {
		after, _ := w.seed.Flags(f)
		if fmt.Sprint(after) != fmt.Sprint(b) {
			t.Fatalf("%s flags changed: %v → %v", f, b, after)
		}
		for _, fl := range after {
			for _, x := range fl {
				if x == imap.FlagSeen && f == "Junk Email" {
					t.Fatal("probe marked as read")
				}
			}
		}
	}
}

func TestConfirmSpecialUseJunk(t *testing.T) {
	w := newWorld(t, worldOpts{folders: imaplab.SpamVariantFolders(), rules: map[string]imaplab.Behavior{seedAddr: imaplab.DeliverJunk}})
	p := w.send(t, seedAddr)
	// A user folder called "Junk" holds a copy: it is not the junk folder here.
	evs := mustEvents(t, w.ledger)
	_ = evs
	w.clock.Advance(5 * time.Second)
	res := w.confirm(t)
	v, _ := res.Verdict.Get(p.Token)
	if v.State != StateDeliveredJunk || v.Folder != "Spam" {
		t.Fatalf("%s in %s", v.State, v.Folder)
	}
	roles := map[string]string{}
	for _, f := range res.Seed.Folders {
		roles[f.Name] = f.Role
	}
	if roles["Spam"] != RoleJunk || roles["Junk"] != RoleOther || roles["Lists/Team"] != RoleOther {
		t.Fatalf("roles %v", roles)
	}
	if _, listed := roles["Lists"]; listed {
		t.Fatal("\\Noselect folder scanned")
	}
}

func TestConfirmXOAUTH2AndTLS(t *testing.T) {
	w := newWorld(t, worldOpts{tls: true})
	p := w.send(t, seedAddr)
	w.clock.Advance(5 * time.Second)
	res := w.confirm(t, func(o *ConfirmOptions) {
		o.Seed = &IMAPOptions{URL: w.seed.URL(), User: seedUser, Token: "seed-oauth-token-1", RootCAs: w.ca.Pool}
	})
	if !strings.HasPrefix(res.Seed.Mailbox, "imaps://") || !res.Seed.Complete {
		t.Fatalf("%+v", res.Seed)
	}
	if v, _ := res.Verdict.Get(p.Token); v.State != StateDeliveredInbox {
		t.Fatalf("%s", v.State)
	}
	// A wrong token: incomplete, and the token is not in the error.
	res = w.confirm(t, func(o *ConfirmOptions) {
		o.Seed = &IMAPOptions{URL: w.seed.URL(), User: seedUser, Token: "S3NT1NEL-token", RootCAs: w.ca.Pool}
		o.Tokens, o.Pending = []string{p.Token}, false
	})
	if res.Seed.Complete || strings.Contains(res.Seed.Error, "S3NT1NEL") {
		t.Fatalf("%+v", res.Seed)
	}
	// An untrusted certificate fails the scan.
	res = w.confirm(t, func(o *ConfirmOptions) {
		o.Seed = &IMAPOptions{URL: w.seed.URL(), User: seedUser, Password: seedPass}
		o.Tokens, o.Pending = []string{p.Token}, false
	})
	if res.Seed.Complete || !strings.Contains(res.Seed.Error, "TLS") {
		t.Fatalf("%+v", res.Seed)
	}
	assertNoSecret(t, w.ledger.Path(), "S3NT1NEL-token", seedUser)
	assertNoSecret(t, w.ledger.Path(), seedPass, seedUser)
}

func TestConfirmPlainURLRules(t *testing.T) {
	o := &IMAPOptions{URL: "imap://user:pw@mail.example:143"}
	if _, err := o.target(); err != ErrSecretInURL {
		t.Fatalf("%v", err)
	}
	o = &IMAPOptions{URL: "imaps://mail.example", User: "u@x"}
	if o.Mailbox() != "imaps://u@x@mail.example:993" {
		t.Fatal(o.Mailbox())
	}
	for _, bad := range []string{"http://x", "imap:", "::"} {
		o := &IMAPOptions{URL: bad}
		if _, err := o.target(); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestConfirmBigMailboxBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 messages")
	}
	w := newWorld(t, worldOpts{})
	for i := 0; i < 10000; i++ {
		msg := fmt.Sprintf("From: n%d@news.test\r\nTo: seed@dest.test\r\nSubject: newsletter %d\r\nMessage-ID: <n%d@news.test>\r\n\r\nbody %d\r\n", i, i, i, i)
		if _, err := w.seed.Append("INBOX", []byte(msg), t0.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	p := w.send(t, seedAddr)
	w.clock.Advance(5 * time.Second)
	start := time.Now()
	res := w.confirm(t)
	t.Logf("scan of 10,000 messages: %s, %d fetched", time.Since(start), len(res.Seed.Found))
	if !res.Seed.Complete || res.Seed.Messages != 10001 || len(res.Seed.Found) != 1 || res.Seed.Found[0].Token != p.Token {
		t.Fatalf("%+v", res.Seed)
	}
}

func TestDSNMaildirAndVERP(t *testing.T) {
	w := newWorld(t, worldOpts{})
	p := w.send(t, seedAddr, func(o *SendOptions) { o.VERP = true })
	if !strings.Contains(p.EnvelopeFrom, "+mxp-"+p.Token+"@") {
		t.Fatal(p.EnvelopeFrom)
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "new"), 0o700)
	os.MkdirAll(filepath.Join(dir, "cur"), 0o700)
	orig := w.mx.Received()[0].Data
	// A plain text bounce to the VERP address, without ENVID.
	plain := imaplab.BounceReport(imaplab.BounceOptions{Plain: true, ReportingMTA: "mx.dest.test", ReturnPath: p.EnvelopeFrom,
		Recipient: seedAddr, Diagnostic: "host mx.dest.test said: 550 5.1.1 user unknown", Original: orig, Date: t0})
	os.WriteFile(filepath.Join(dir, "cur", "1700000000.1.host:2,S"), plain, 0o600)
	// An auto-reply quoting the subject is no bounce: it is recorded as
	// what it is, and the bounce decides the verdict.
	os.WriteFile(filepath.Join(dir, "new", "1700000001.2.host"), []byte("From: seed@dest.test\r\nSubject: Out of office: mxprobe delivery test "+p.Token+"\r\nAuto-Submitted: auto-replied\r\n\r\nI am away.\r\n"), 0o600)
	w.clock.Advance(5 * time.Second)
	res := w.confirm(t, func(o *ConfirmOptions) { o.Seed, o.DSNIMAP, o.DSNMaildir = nil, nil, dir })
	if len(res.NewDSNs) != 2 || res.NewDSNs[0].Token != p.Token || res.NewDSNs[1].Token != p.Token {
		t.Fatalf("%+v", res.NewDSNs)
	}
	var d, auto DSNMatch
	for _, m := range res.NewDSNs {
		if m.DSN.Format == "autoreply" {
			auto = m.DSN
		} else {
			d = m.DSN
		}
	}
	if auto.Source != "maildir:1700000001.2.host" || auto.Action != "" || auto.Reason != "vacation" {
		t.Fatalf("auto-reply recorded as %+v", auto)
	}
	if d.Format != "bounce" || d.Source != "maildir:1700000000.1.host" || d.Action != "failed" {
		t.Fatalf("%+v", d)
	}
	if d.MatchedBy != "header" && d.MatchedBy != "verp" {
		t.Fatalf("matched by %s", d.MatchedBy)
	}
	if v, _ := res.Verdict.Get(p.Token); v.State != StateBouncedLate {
		t.Fatalf("%s", v.State)
	}
}

func TestMatchBounceHostile(t *testing.T) {
	probes := map[string]*Probe{"abcdefghijklmnopqrst": {Token: "abcdefghijklmnopqrst", To: seedAddr}}
	for _, in := range [][]byte{nil, []byte("abcdefghijklmnopqrst"), []byte("Content-Type: multipart/report; boundary=x\r\n\r\n--x\r\n--x--abcdefghijklmnopqrst")} {
		MatchBounce(in, probes)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "m1"), []byte("x"), 0o600)
	sc, _ := ScanMaildir(ctx, dir, probes)
	if sc.Complete || sc.Error == "" {
		t.Fatal("a cancelled maildir scan must not count as complete")
	}
	if sc, _ := ScanMaildir(context.Background(), filepath.Join(dir, "missing"), probes); sc.Complete {
		t.Fatal("a missing maildir must not count as complete")
	}
}

func FuzzMatchBounce(f *testing.F) {
	tok := "abcdefghijklmnopqrst"
	f.Add(imaplab.BounceReport(imaplab.BounceOptions{ReportingMTA: "mx", ReturnPath: "a@b", Recipient: "c@d", EnvelopeID: tok, Status: "5.1.1", Diagnostic: "x", Original: []byte("X-Mxprobe-Id: " + tok + "\r\n\r\n")}))
	f.Add([]byte("To: a+mxp-" + tok + "@b\r\n\r\nfailed " + tok))
	f.Fuzz(func(t *testing.T, b []byte) {
		ms := MatchBounce(b, map[string]*Probe{tok: {Token: tok, To: "c@d"}})
		for _, m := range ms {
			if m.Token != tok || m.DSN.MatchedBy == "" {
				t.Fatalf("bad match %+v", m)
			}
		}
	})
}

func TestConfirmIMAPStartTLS(t *testing.T) {
	ca, _ := tlslab.NewCA("lab CA")
	cert, _ := ca.Issue(tlslab.Leaf{DNSNames: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
	w := newWorld(t, worldOpts{})
	seed, err := imaplab.Start(imaplab.Options{User: seedUser, Password: seedPass, StartTLS: &tls.Config{Certificates: []tls.Certificate{cert}}})
	if err != nil {
		t.Fatal(err)
	}
	defer seed.Close()
	p := w.send(t, seedAddr)
	seed.Append("INBOX", w.mx.Received()[0].Data, t0.Add(time.Second))
	w.clock.Advance(5 * time.Second)
	res := w.confirm(t, func(o *ConfirmOptions) {
		o.Seed = &IMAPOptions{URL: "imap://" + seed.Addr(), User: seedUser, Password: seedPass, RootCAs: ca.Pool}
		o.DSNIMAP = nil
	})
	if !res.Seed.Complete || len(res.Seed.Found) != 1 || res.Seed.Found[0].Token != p.Token {
		t.Fatalf("%+v", res.Seed)
	}
}
