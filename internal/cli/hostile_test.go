package cli

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/lab"
	"github.com/mxprobe/mxprobe/internal/lab/imaplab"
)

// The hostile and broken peers of issue 7: every case runs the real command
// against the in-process lab and must end well within its --timeout with a
// specific finding (or error class) in JSON that matches the schema.
//
// Timing is measured and logged; a case fails only when it takes more than
// three times its --timeout (a hang, not a slow machine).

// hostileCase is one end-to-end run of `mxprobe check` or `mxprobe dns`.
type hostileCase struct {
	name    string
	args    []string      // after "<command> --lab --format json"
	timeout time.Duration // --timeout
	code    int
	verdict string
	want    []string // finding ids that must be present
	absent  []string // finding ids that must not be present
	// class and phase are the SMTP error of the first address ("" skip).
	class, phase string
	// detail is a substring of that SMTP error's detail.
	detail string
	// dnsStatus is mx_lookup.dns_status ("" skip); mxErr a substring of
	// mx_lookup.error or of the first MX host's error.
	dnsStatus, mxErr string
	// check runs further assertions on the decoded JSON.
	check func(t *testing.T, m map[string]any)
}

// runHostile runs one case and returns the decoded, schema-checked JSON.
func runHostile(t *testing.T, command, schemaName string, c hostileCase) map[string]any {
	t.Helper()
	args := append([]string{command, "--lab", "--format", "json", "--timeout", c.timeout.String()}, c.args...)
	start := time.Now()
	out, errOut, code := runCLI(t, nil, args...)
	took := time.Since(start)
	t.Logf("%s: exit %d in %s (--timeout %s)", strings.Join(c.args, " "), code, took.Round(time.Millisecond), c.timeout)
	if took > 3*c.timeout {
		t.Errorf("took %s, more than 3× --timeout %s: a phase has no deadline", took, c.timeout)
	}
	if code != c.code {
		t.Errorf("exit %d, want %d; stderr %q", code, c.code, errOut)
	}
	m := validate(t, compileSchema(t, schemaName), out)
	ids := findingIDs(m)
	if c.verdict != "" && m["verdict"] != c.verdict {
		t.Errorf("verdict %v, want %s; findings %v", m["verdict"], c.verdict, ids)
	}
	for _, id := range c.want {
		if _, ok := ids[id]; !ok {
			t.Errorf("missing finding %s; have %v", id, ids)
		}
	}
	for _, id := range c.absent {
		if _, ok := ids[id]; ok {
			t.Errorf("unexpected finding %s", id)
		}
	}
	if c.class != "" {
		e := smtpError(m)
		if e == nil {
			t.Fatalf("no SMTP error in the JSON; want class %s", c.class)
		}
		if e["class"] != c.class || (c.phase != "" && e["phase"] != c.phase) {
			t.Errorf("SMTP error %v/%v, want %s/%s (%v)", e["class"], e["phase"], c.class, c.phase, e["detail"])
		}
		if d, _ := e["detail"].(string); !strings.Contains(d, c.detail) {
			t.Errorf("SMTP error detail %q lacks %q", d, c.detail)
		}
		if d, _ := e["detail"].(string); len(d) > 1024 || strings.Contains(d, `\x0d\x0a`) {
			t.Errorf("SMTP error detail of %d bytes: evidence must be shortened, without line ends: %q", len(d), d)
		}
	}
	if c.dnsStatus != "" || c.mxErr != "" {
		ml, _ := m["mx_lookup"].(map[string]any)
		if c.dnsStatus != "" && ml["dns_status"] != c.dnsStatus {
			t.Errorf("mx_lookup.dns_status %v, want %s", ml["dns_status"], c.dnsStatus)
		}
		if c.mxErr != "" {
			msg, _ := ml["error"].(string)
			if hosts, _ := m["mx"].([]any); len(hosts) > 0 {
				he, _ := hosts[0].(map[string]any)["error"].(string)
				msg += " | " + he
			}
			if !strings.Contains(msg, c.mxErr) {
				t.Errorf("MX error %q lacks %q", msg, c.mxErr)
			}
		}
	}
	if c.check != nil {
		c.check(t, m)
	}
	return m
}

// smtpError is mx[0].addresses[0].smtp.error of a check report.
func smtpError(m map[string]any) map[string]any {
	hosts, _ := m["mx"].([]any)
	if len(hosts) == 0 {
		return nil
	}
	addrs, _ := hosts[0].(map[string]any)["addresses"].([]any)
	if len(addrs) == 0 {
		return nil
	}
	s, _ := addrs[0].(map[string]any)["smtp"].(map[string]any)
	e, _ := s["error"].(map[string]any)
	return e
}

// The short deadline for cases that wait on a peer, and the one for cases
// that should fail fast.
const (
	waitTimeout = 2 * time.Second
	fastTimeout = 10 * time.Second
)

// TestHostileSMTPPeers: the SMTP side of issue 7.
func TestHostileSMTPPeers(t *testing.T) {
	cases := []hostileCase{
		{name: "banner never sent", args: []string{"hostile-banner-never.lab.test"}, timeout: waitTimeout,
			code: exitcode.Incomplete, verdict: "incomplete", want: []string{"smtp.tarpit"}, absent: []string{"smtp.rcpt_accepted"},
			class: "banner_timeout", phase: "banner"},
		{name: "banner after 60 s", args: []string{"tarpit.lab.test"}, timeout: waitTimeout,
			code: exitcode.Incomplete, verdict: "incomplete", want: []string{"smtp.tarpit"}, absent: []string{"smtp.rcpt_accepted"},
			class: "banner_timeout", phase: "banner"},
		{name: "endless 250- continuation", args: []string{"hostile-endless.lab.test"}, timeout: fastTimeout,
			code: exitcode.Incomplete, verdict: "incomplete", want: []string{"smtp.protocol_error"},
			class: "protocol_error", phase: "ehlo", detail: "too many reply lines"},
		{name: "1 MiB reply line", args: []string{"hostile.lab.test"}, timeout: fastTimeout,
			code: exitcode.Incomplete, verdict: "incomplete", want: []string{"smtp.protocol_error"},
			class: "protocol_error", phase: "ehlo", detail: "reply line too long"},
		{name: "NUL and non-UTF-8 bytes", args: []string{"hostile-garbage.lab.test"}, timeout: fastTimeout,
			code: exitcode.Incomplete, verdict: "incomplete", want: []string{"smtp.protocol_error"},
			class: "protocol_error", phase: "ehlo", detail: "NUL byte"},
		{name: "non-UTF-8 bytes, otherwise working", args: []string{"hostile-8bit.lab.test"}, timeout: fastTimeout,
			code: exitcode.OK, verdict: "warn", want: []string{"smtp.protocol_anomaly", "smtp.rcpt_accepted"}, absent: []string{"smtp.protocol_error"}},
		{name: "reply code outside 200-599", args: []string{"hostile-badcode.lab.test"}, timeout: fastTimeout,
			code: exitcode.Incomplete, verdict: "incomplete", want: []string{"smtp.protocol_error"},
			class: "protocol_error", phase: "ehlo", detail: "bad reply code"},
		{name: "mismatched multi-line codes", args: []string{"hostile-mismatch.lab.test"}, timeout: fastTimeout,
			code: exitcode.Incomplete, verdict: "incomplete", want: []string{"smtp.protocol_error"},
			class: "protocol_error", phase: "ehlo", detail: "mismatched multi-line code"},
		{name: "reset mid-reply", args: []string{"hostile-reset.lab.test"}, timeout: fastTimeout,
			code: exitcode.Incomplete, verdict: "incomplete", want: []string{"smtp.connection_lost"},
			class: "reset", phase: "ehlo"},
		{name: "STARTTLS handshake fails", args: []string{"hostile-tls-fail.lab.test"}, timeout: fastTimeout,
			code: exitcode.Incomplete, verdict: "incomplete", want: []string{"tls.handshake_failed"}, absent: []string{"tls.ok"},
			class: "tls_failed", phase: "tls_handshake"},
		{name: "TLS with garbage", args: []string{"hostile-tls-garbage.lab.test"}, timeout: fastTimeout,
			code: exitcode.Incomplete, verdict: "incomplete", want: []string{"tls.handshake_failed"}, absent: []string{"tls.ok"},
			class: "tls_failed", phase: "tls_handshake"},
		{name: "accepts TCP, never reads", args: []string{"hostile-never-read.lab.test"}, timeout: waitTimeout,
			code: exitcode.Incomplete, verdict: "incomplete", want: []string{"smtp.timeout"}, absent: []string{"smtp.rcpt_accepted"},
			class: "timeout", phase: "ehlo"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			runHostile(t, "check", "check.schema.json", c)
		})
	}
}

// TestHostileSMTPTextIsClean: hostile bytes never reach the terminal raw —
// the text report (with transcript) is valid UTF-8 without control
// characters other than newline and tab.
func TestHostileSMTPTextIsClean(t *testing.T) {
	for _, d := range []string{"hostile-garbage.lab.test", "hostile-8bit.lab.test", "hostile-mismatch.lab.test"} {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			for _, lang := range []string{"en", "de"} {
				out, _, _ := runCLI(t, nil, "check", "--lab", "--timeout", fastTimeout.String(), "--lang", lang, "--verbose", "--transcript", d)
				if !utf8.ValidString(out) {
					t.Errorf("%s: text output is not valid UTF-8", lang)
				}
				for i, r := range out {
					if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 {
						t.Errorf("%s: control character %U at %d: %q", lang, r, i, out[max(0, i-40):min(len(out), i+40)])
						break
					}
				}
			}
		})
	}
}

// TestHostileDNS: the DNS side of issue 7, through `mxprobe check`.
func TestHostileDNS(t *testing.T) {
	cases := []hostileCase{
		{name: "no answer at all", args: []string{"dnstimeout.lab.test"}, timeout: waitTimeout,
			code: exitcode.Incomplete, verdict: "incomplete", want: []string{"dns.timeout"}, absent: []string{"mx.none", "mx.implicit"},
			dnsStatus: "timeout"},
		{name: "SERVFAIL", args: []string{"dns-servfail.lab.test"}, timeout: fastTimeout,
			code: exitcode.Incomplete, verdict: "incomplete", want: []string{"dns.servfail"}, absent: []string{"mx.none", "mx.implicit", "dns.timeout"},
			dnsStatus: "servfail", mxErr: "SERVFAIL"},
		{name: "truncated UDP, broken TCP", args: []string{"dns-truncated.lab.test"}, timeout: fastTimeout,
			code: exitcode.Incomplete, verdict: "incomplete", want: []string{"dns.error"}, absent: []string{"mx.none", "mx.implicit", "dns.timeout"},
			dnsStatus: "error", mxErr: "truncated answer and TCP failed"},
		{name: "CNAME loop as MX target", args: []string{"cname-loop.lab.test"}, timeout: fastTimeout,
			code: exitcode.Incomplete, verdict: "incomplete", want: []string{"mx.host_temperror", "mx.cname"}, absent: []string{"smtp.rcpt_accepted"},
			mxErr: "CNAME loop"},
		{name: "SPF include loop", args: []string{"ok.lab.test", "--from", "probe@spf-loop.lab.test"}, timeout: fastTimeout,
			code: exitcode.Problems, verdict: "fail", want: []string{"spf.include_loop", "smtp.rcpt_accepted"},
			check: func(t *testing.T, m map[string]any) { wantSPF(t, m, "sender", "permerror") }},
		{name: "SPF with 30 includes", args: []string{"ok.lab.test", "--from", "probe@spf-includes30.lab.test"}, timeout: fastTimeout,
			code: exitcode.Problems, verdict: "fail", want: []string{"spf.lookup_limit", "smtp.rcpt_accepted"},
			check: func(t *testing.T, m map[string]any) { wantSPF(t, m, "sender", "permerror") }},
		{name: "1,000 MX records", args: []string{"mx1000.lab.test"}, timeout: fastTimeout,
			code: exitcode.OK, verdict: "ok", want: []string{"mx.ok", "smtp.rcpt_accepted", "smtp.not_tried"},
			absent: []string{"dane.temperror", "mx.host_temperror"}, dnsStatus: "noerror",
			check: func(t *testing.T, m map[string]any) {
				if hosts, _ := m["mx"].([]any); len(hosts) != lab.MX1000Count {
					t.Errorf("%d MX hosts in the JSON, want %d", len(hosts), lab.MX1000Count)
				}
			}},
		{name: "answer for the wrong question", args: []string{"dns-wrongquestion.lab.test"}, timeout: fastTimeout,
			code: exitcode.Incomplete, verdict: "incomplete", want: []string{"dns.error"}, absent: []string{"mx.none", "mx.implicit", "dns.timeout"},
			dnsStatus: "error", mxErr: "answer does not match the query"},
		{name: "compression-pointer loop", args: []string{"dns-pointerloop.lab.test"}, timeout: fastTimeout,
			code: exitcode.Incomplete, verdict: "incomplete", want: []string{"dns.error"}, absent: []string{"mx.none", "mx.implicit", "dns.timeout"},
			dnsStatus: "error", mxErr: "malformed answer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			runHostile(t, "check", "check.schema.json", c)
		})
	}
}

// TestHostileDNSCommand: the same broken DNS through `mxprobe dns`, which
// reports the MX lookup itself (mx.temperror) and evaluates SPF for --ip.
func TestHostileDNSCommand(t *testing.T) {
	spfArgs := func(d string) []string { return []string{"--ip", lab.ClientIP, "--from", "probe@" + d, d} }
	cases := []hostileCase{
		{name: "SERVFAIL", args: []string{"dns-servfail.lab.test"}, timeout: fastTimeout,
			code: exitcode.Incomplete, verdict: "incomplete", want: []string{"mx.temperror"}},
		{name: "no answer at all", args: []string{"dnstimeout.lab.test"}, timeout: waitTimeout,
			code: exitcode.Incomplete, verdict: "incomplete", want: []string{"mx.temperror"}},
		{name: "compression-pointer loop", args: []string{"dns-pointerloop.lab.test"}, timeout: fastTimeout,
			code: exitcode.Incomplete, verdict: "incomplete", want: []string{"mx.temperror"}},
		{name: "CNAME loop as MX target", args: []string{"cname-loop.lab.test"}, timeout: fastTimeout,
			code: exitcode.Incomplete, verdict: "incomplete", want: []string{"mx.host_temperror", "mx.cname"}, mxErr: "CNAME loop"},
		{name: "SPF include loop", args: spfArgs("spf-loop.lab.test"), timeout: fastTimeout,
			code: exitcode.Problems, verdict: "fail", want: []string{"spf.include_loop"},
			check: func(t *testing.T, m map[string]any) { wantSPF(t, m, "", "permerror") }},
		{name: "SPF with 30 includes", args: spfArgs("spf-includes30.lab.test"), timeout: fastTimeout,
			code: exitcode.Problems, verdict: "fail", want: []string{"spf.lookup_limit"},
			check: func(t *testing.T, m map[string]any) { wantSPF(t, m, "", "permerror") }},
		{name: "1,000 MX records", args: []string{"mx1000.lab.test"}, timeout: fastTimeout,
			code: exitcode.OK, want: []string{"mx.ok"}, absent: []string{"dane.temperror", "mx.host_temperror"},
			check: func(t *testing.T, m map[string]any) {
				if hosts, _ := m["mx"].([]any); len(hosts) != lab.MX1000Count {
					t.Errorf("%d MX hosts in the JSON, want %d", len(hosts), lab.MX1000Count)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			runHostile(t, "dns", "dns.schema.json", c)
		})
	}
}

// wantSPF checks the SPF result ("sender.spf" of check, "spf" of dns).
func wantSPF(t *testing.T, m map[string]any, under, result string) {
	t.Helper()
	if under != "" {
		m, _ = m[under].(map[string]any)
	}
	spf, _ := m["spf"].(map[string]any)
	if spf == nil {
		t.Fatalf("no SPF result")
	}
	if spf["result"] != result {
		t.Errorf("SPF result %v, want %s", spf["result"], result)
	}
}

// TestHostileIMAPVanishMidFetch: the seed server dies in the middle of
// every FETCH. The probe is in the inbox, but no round can read it: every
// round is an incomplete scan, and at the drop-after and final windows the
// verdict is inconclusive (exit 3) — never a silent drop (exit 4).
func TestHostileIMAPVanishMidFetch(t *testing.T) {
	t.Parallel()
	l := newProbeLab(t, nil, map[string]imaplab.Behavior{labSeedUser: imaplab.DeliverInbox})
	p := l.send(labSeedUser)
	if n, _ := l.seed.Count("INBOX"); n != 1 {
		t.Fatalf("the probe is not in the inbox (%d messages)", n)
	}
	const timeout = 10 * time.Second
	for _, sec := range []int{5, 61, 130} {
		l.seed.VanishOnFetch(1)
		l.at(sec)
		start := time.Now()
		// The token is named, so the round scans also after the final
		// window.
		out, code := l.confirm(p.Token, "--format", "json", "--timeout", timeout.String())
		took := time.Since(start)
		t.Logf("confirm at %3d s: exit %d in %s", sec, code, took.Round(time.Millisecond))
		if took > 3*timeout {
			t.Errorf("confirm took %s", took)
		}
		if code == exitcode.SilentDrop {
			t.Fatalf("confirm at %d s reported a silent drop although the seed mailbox was unreadable:\n%s", sec, out)
		}
		var res struct {
			Seed struct {
				Complete bool   `json:"complete"`
				Error    string `json:"error"`
			} `json:"seed_scan"`
			Probes []struct {
				State string `json:"state"`
			} `json:"probes"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("confirm JSON: %v\n%s", err, out)
		}
		if res.Seed.Complete || res.Seed.Error == "" {
			t.Errorf("at %d s: seed scan %+v, want incomplete with an error", sec, res.Seed)
		}
		if len(res.Probes) != 1 {
			t.Fatalf("at %d s: %d probes in the JSON", sec, len(res.Probes))
		}
		if st := res.Probes[0].State; st != "pending" && st != "inconclusive" {
			t.Fatalf("at %d s: state %s, want pending or inconclusive", sec, st)
		}
	}
	s, code := l.show(p.Token)
	if s.Verdict.State != "inconclusive" || s.Verdict.Reason != "seed_unreadable" || code != exitcode.Incomplete {
		t.Fatalf("verdict %+v, exit %d; want inconclusive/seed_unreadable, exit 3", s.Verdict, code)
	}
	// Once the server behaves again, a scan is complete and finds the
	// probe; a drop it is still not.
	l.at(131)
	out, code := l.confirm(p.Token, "--format", "json", "--timeout", timeout.String())
	if code == exitcode.SilentDrop || strings.Contains(out, "silent_drop") {
		t.Fatalf("exit %d after recovery:\n%s", code, out)
	}
	s, _ = l.show(p.Token)
	t.Logf("after recovery: %s (%s), exit %d", s.Verdict.State, s.Verdict.Reason, code)
}

// TestHostileIMAPHugeMailbox: 10,000 unrelated messages in the inbox; the
// confirm round finds the one probe and stays bounded in time and memory
// (measured and logged; the bound only catches a hang).
func TestHostileIMAPHugeMailbox(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 messages")
	}
	t.Parallel()
	const n = 10000
	l := newProbeLab(t, nil, map[string]imaplab.Behavior{labSeedUser: imaplab.DeliverInbox})
	fill := time.Now()
	for i := range n {
		msg := fmt.Sprintf("From: n%d@news.test\r\nTo: %s\r\nSubject: newsletter %d\r\nMessage-ID: <n%d@news.test>\r\n\r\nbody %d\r\n",
			i, labSeedUser, i, i, i)
		if _, err := l.seed.Append("INBOX", []byte(msg), probeT0.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("filled the inbox with %d messages in %s", n, time.Since(fill).Round(time.Millisecond))
	p := l.send(labSeedUser)
	l.at(5)
	const timeout = 20 * time.Second
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	out, code := l.confirm("--format", "json", "--timeout", timeout.String())
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	// The lab server runs in this process too, so the figures include its
	// share of the work.
	t.Logf("confirm over %d messages: exit %d in %s; allocated %.1f MiB in %d objects, heap in use %.1f MiB after",
		n+1, code, took.Round(time.Millisecond), float64(after.TotalAlloc-before.TotalAlloc)/(1<<20),
		after.Mallocs-before.Mallocs, float64(after.HeapInuse)/(1<<20))
	if took > 3*timeout {
		t.Errorf("confirm took %s", took)
	}
	var res struct {
		Seed struct {
			Complete bool `json:"complete"`
			Messages int  `json:"messages"`
			Found    []struct {
				Token string `json:"token"`
			} `json:"found"`
		} `json:"seed_scan"`
		Probes []struct {
			Token string `json:"token"`
			State string `json:"state"`
		} `json:"probes"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("confirm JSON: %v\n%s", err, out)
	}
	if !res.Seed.Complete || res.Seed.Messages != n+1 || len(res.Seed.Found) != 1 || res.Seed.Found[0].Token != p.Token {
		t.Fatalf("seed scan %+v", res.Seed)
	}
	if len(res.Probes) != 1 || res.Probes[0].State != "delivered_inbox" {
		t.Fatalf("probes %+v (exit %d)", res.Probes, code)
	}
}
