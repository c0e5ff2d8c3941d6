package cli

// Faults and data safety (issue 7): `probe watch` killed with SIGKILL at
// random points while two other processes append to the same ledger; a
// ledger with a torn last line, a corrupt line and events of a future
// schema. The kill test runs the real binary (built once per test) against
// the loopback imaplab seed and MX.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/lab/imaplab"
)

// buildMxprobe builds cmd/mxprobe into a temp dir of the test (the build
// cache makes the second build of a run a link step).
func buildMxprobe(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mxprobe")
	cmd := exec.Command("go", "build", "-o", bin, "../../cmd/mxprobe")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// fakeNowMainSrc is mxprobe's main with a frozen clock from
// MXPROBE_FAULT_NOW: the factory's clock, set by this test-only program
// (the product has no such variable).
const fakeNowMainSrc = `package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/mxprobe/mxprobe/internal/cli"
	"github.com/mxprobe/mxprobe/internal/delivery/deliverytest"
)

func main() {
	f := cli.NewFactory(cli.System())
	if v := os.Getenv("MXPROBE_FAULT_NOW"); v != "" {
		now, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			os.Exit(2)
		}
		f.Clock = &deliverytest.FakeClock{T: now.UTC()}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.RunFactory(ctx, os.Args[1:], f)
	stop()
	os.Exit(code)
}
`

// buildFakeNowMxprobe builds fakeNowMainSrc (see buildOverlay).
func buildFakeNowMxprobe(t *testing.T) string {
	return buildOverlay(t, fakeNowMainSrc, "zz_fault_mxprobe", "mxprobe")
}

// envInt reads a positive integer knob from the environment.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// faultClock is the fake time the seed MX stamps deliveries with; the
// child processes get the same instant through MXPROBE_FAULT_NOW (see
// fakeNowMainSrc).
type faultClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *faultClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *faultClock) set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// childEnv is a small, explicit environment for the binary: nothing of the
// developer's environment (resolvers, ledgers, seeds) leaks into the test.
func childEnv(state string, now time.Time, extra ...string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + state, "XDG_STATE_HOME=" + state, "XDG_CONFIG_HOME=" + state,
		"LANG=C", "NO_COLOR=1", "MXPROBE_FAULT_NOW=" + now.UTC().Format(time.RFC3339Nano)}
	return append(env, extra...)
}

// appenderSrc is the appender helper: a separate small program that
// appends MXPROBE_FAULT_APPENDER_N events (probes refused at RCPT, whose
// verdict no later event can change) through delivery.OpenLedger and prints
// "ACK token" after each Append returned. With MXPROBE_FAULT_APPENDER_TEAR=1
// it then dies like a writer killed mid-write: half a line under the
// exclusive lock, then SIGKILL. It is built through a go build overlay (a
// virtual package inside the module, so it may import internal/delivery),
// without the race detector: re-executing the test binary costs a second
// per start under -race.
const appenderSrc = `package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/mxprobe/mxprobe/internal/delivery"
)

func rejected(tok string, at time.Time) delivery.Event {
	return delivery.Event{Kind: delivery.KindSent, At: at, Token: tok, Sent: &delivery.Probe{
		Token: tok, Role: delivery.RoleProbe, Group: tok, From: "probe@sender.test", To: "rej@dest.test",
		EnvelopeFrom: "probe@sender.test", MessageID: "<" + tok + "@sender.test>", Subject: "mxprobe " + tok,
		Route: delivery.RouteDirect, Outcome: delivery.OutcomeRejected, Stage: "rcpt", Code: 550, Enhanced: "5.1.1",
		Reply: "550 5.1.1 user unknown", StartedAt: at, DoneAt: at,
	}}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "appender:", err)
	os.Exit(1)
}

func main() {
	path := os.Getenv("MXPROBE_FAULT_APPENDER")
	n, _ := strconv.Atoi(os.Getenv("MXPROBE_FAULT_APPENDER_N"))
	at, err := time.Parse(time.RFC3339Nano, os.Getenv("MXPROBE_FAULT_APPENDER_AT"))
	if err != nil {
		fail(err)
	}
	l, err := delivery.OpenLedger(path)
	if err != nil {
		fail(err)
	}
	w := bufio.NewWriter(os.Stdout)
	for i := 0; i < n; i++ {
		tok, err := delivery.NewToken()
		if err != nil {
			fail(err)
		}
		if _, err := l.Append(rejected(tok, at)); err != nil {
			fail(err)
		}
		// Acknowledged only now: Append returned after fsync.
		fmt.Fprintln(w, "ACK", tok)
		w.Flush()
	}
	if os.Getenv("MXPROBE_FAULT_APPENDER_TEAR") != "1" {
		return
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		fail(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		fail(err)
	}
	tok, _ := delivery.NewToken()
	line, _ := delivery.EncodeEvent(rejected(tok, at))
	f.Write(line[:len(line)/2])
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}
`

// buildAppender builds appenderSrc into a temp dir of the test.
func buildAppender(t *testing.T) string {
	return buildOverlay(t, appenderSrc, "zz_fault_appender", "appender")
}

// buildOverlay builds the program src as the virtual package ./pkg (a go
// build overlay: inside the module, so it may import internal packages).
func buildOverlay(t *testing.T, src, pkg, name string) string {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "main.go")
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	virtual, err := filepath.Abs(filepath.Join(pkg, "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	ov, _ := json.Marshal(map[string]map[string]string{"Replace": {virtual: file}})
	overlay := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlay, ov, 0o600); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-overlay", overlay, "-o", bin, "./"+pkg)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", name, err, out)
	}
	return bin
}

// child is a started process whose end is reported on done.
type child struct {
	cmd    *exec.Cmd
	out    bytes.Buffer
	errOut bytes.Buffer
	done   chan struct{}
	start  time.Time
	dur    time.Duration
}

func startChild(t *testing.T, ctx context.Context, env []string, name string, args ...string) *child {
	t.Helper()
	c := &child{cmd: exec.CommandContext(ctx, name, args...), done: make(chan struct{})}
	c.cmd.Env = env
	c.cmd.Stdout, c.cmd.Stderr = &c.out, &c.errOut
	c.start = time.Now()
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		c.cmd.Wait()
		c.dur = time.Since(c.start)
		close(c.done)
	}()
	return c
}

// killAfter kills c with SIGKILL after d unless it ended before; it reports
// whether the signal ended the process.
func (c *child) killAfter(d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-c.done:
		return false
	case <-timer.C:
		c.cmd.Process.Signal(syscall.SIGKILL)
		<-c.done
		ws, ok := c.cmd.ProcessState.Sys().(syscall.WaitStatus)
		return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
	}
}

// verdictKey is the part of a verdict compared across runs.
type verdictKey struct {
	Token         string `json:"token"`
	State         string `json:"state"`
	Confidence    string `json:"confidence"`
	Reason        string `json:"reason"`
	Final         bool   `json:"final"`
	Settled       bool   `json:"settled"`
	ScansComplete int    `json:"scans_complete"`
	ScansFailed   int    `json:"scans_failed"`
	Folder        string `json:"folder"`
}

func keyOf(v delivery.ProbeVerdict) verdictKey {
	return verdictKey{Token: v.Token, State: string(v.State), Confidence: string(v.Confidence), Reason: string(v.Reason),
		Final: v.Final, Settled: v.Settled, ScansComplete: v.ScansComplete, ScansFailed: v.ScansFailed, Folder: v.Folder}
}

// TestFaultWatchKilledWhileOthersAppend kills `probe watch` with SIGKILL at
// random points while `probe send` and an appender process write to the
// same ledger (and, every fifth round, the appender dies mid-write holding
// the lock). Afterwards every acknowledged event is present, the ledger
// opens without a corrupt line, each round's ledger is a byte prefix of the
// next (append-only), the verdicts of probes settled before the chaos are
// unchanged, and the binary's verdicts equal those recomputed from the same
// events. MXPROBE_KILL_ROUNDS sets the number of rounds (default 50),
// MXPROBE_KILL_BUDGET the wall time after which it stops early (default
// 30s), MXPROBE_KILL_SEED the random seed (scripts/ledger-kill.sh).
func TestFaultWatchKilledWhileOthersAppend(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and spawns processes")
	}
	bin, appenderBin := buildFakeNowMxprobe(t), buildAppender(t)
	rounds := envInt(t, "MXPROBE_KILL_ROUNDS", 50)
	seed := time.Now().UnixNano()
	if v := os.Getenv("MXPROBE_KILL_SEED"); v != "" {
		seed, _ = strconv.ParseInt(v, 10, 64)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	t.Logf("MXPROBE_KILL_ROUNDS=%d MXPROBE_KILL_SEED=%d", rounds, seed)
	budget := 30 * time.Second // stop early (and say so) on a slow machine
	if v := os.Getenv("MXPROBE_KILL_BUDGET"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			t.Fatalf("MXPROBE_KILL_BUDGET=%q: want a duration", v)
		}
		budget = d
	}
	started := time.Now()

	t0 := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	clk := &faultClock{now: t0}
	seedSrv, err := imaplab.Start(imaplab.Options{User: labSeedUser, Password: labSeedPass})
	if err != nil {
		t.Fatal(err)
	}
	defer seedSrv.Close()
	mx, err := imaplab.StartMX(imaplab.MXOptions{Seed: seedSrv, Microsoft: true, Now: clk.Now,
		Rules: map[string]imaplab.Behavior{"drop@dest.test": imaplab.Discard, "rej@dest.test": imaplab.RejectRcpt}})
	if err != nil {
		t.Fatal(err)
	}
	defer mx.Close()
	state := t.TempDir()
	ledger := filepath.Join(state, "ledger.jsonl")
	windows := []string{"--expect", "10s", "--drop-after", "60s", "--final", "120s"}
	win := delivery.Windows{Expect: 10 * time.Second, DropAfter: 60 * time.Second, Final: 120 * time.Second}
	imapArgs := []string{"--imap", seedSrv.URL(), "--imap-user", labSeedUser, "--ledger", ledger}
	env := func(now time.Time) []string { return childEnv(state, now, "MXPROBE_IMAP_PASSWORD="+labSeedPass) }
	ctx, cancel := context.WithTimeout(context.Background(), budget+2*time.Minute)
	defer cancel()

	sendArgs := func(to string) []string {
		// The same windows everywhere: stored with the probe and given to
		// every reading command, they judge alike.
		return append([]string{"probe", "send", "--format", "json", "--to", to, "--from", "probe@sender.test", "--i-own-this-mailbox",
			"--mx", mx.Addr(), "--ehlo", "client.sender.test", "--ledger", ledger, "--timeout", "20s"}, windows...)
	}
	// acked parses a finished send: the token counts only when the
	// process said so (exit 0 and the JSON with the accepted probe).
	acked := func(c *child) (string, bool) {
		if c.cmd.ProcessState == nil || c.cmd.ProcessState.ExitCode() != 0 {
			return "", false
		}
		var res struct {
			Probes []*delivery.Probe `json:"probes"`
		}
		if err := json.Unmarshal(c.out.Bytes(), &res); err != nil || len(res.Probes) != 1 || !res.Probes[0].Accepted() {
			t.Fatalf("send exit 0 without an accepted probe: %v\n%s\n%s", err, c.out.String(), c.errOut.String())
		}
		return res.Probes[0].Token, true
	}
	runToEnd := func(now time.Time, args ...string) *child {
		t.Helper()
		c := startChild(t, ctx, env(now), bin, args...)
		<-c.done
		if code := c.cmd.ProcessState.ExitCode(); code == exitcode.Usage || code < 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, c.out.String(), c.errOut.String())
		}
		return c
	}
	list := func(now time.Time) map[string]verdictKey {
		t.Helper()
		c := runToEnd(now, append([]string{"probe", "list", "--format", "json", "--ledger", ledger}, windows...)...)
		var res struct {
			Probes []verdictKey `json:"probes"`
		}
		if err := json.Unmarshal(c.out.Bytes(), &res); err != nil {
			t.Fatalf("probe list: %v\n%s\n%s", err, c.out.String(), c.errOut.String())
		}
		m := map[string]verdictKey{}
		for _, v := range res.Probes {
			m[v.Token] = v
		}
		return m
	}

	// Before the chaos: three probes whose verdicts are final at e.
	base := map[string]string{}
	for _, to := range []string{"inbox@dest.test", "drop@dest.test", "rej@dest.test"} {
		c := runToEnd(t0, sendArgs(to)...)
		var res struct {
			Probes []*delivery.Probe `json:"probes"`
		}
		if err := json.Unmarshal(c.out.Bytes(), &res); err != nil || len(res.Probes) != 1 {
			t.Fatalf("baseline send to %s: %v\n%s", to, err, c.errOut.String())
		}
		base[res.Probes[0].Token] = to
	}
	for _, s := range []int{5, 61, 121} {
		runToEnd(t0.Add(time.Duration(s)*time.Second), append(append([]string{"probe", "confirm"}, imapArgs...), windows...)...)
	}
	e := t0.Add(121 * time.Second)
	v0 := list(e)
	wantBase := map[string]string{"inbox@dest.test": "delivered_inbox", "drop@dest.test": "silent_drop_suspected", "rej@dest.test": "rejected"}
	for tok, to := range base {
		if v0[tok].State != wantBase[to] || !v0[tok].Final {
			t.Fatalf("baseline %s: %+v, want final %s", to, v0[tok], wantBase[to])
		}
	}

	ackedSends := map[string]string{} // token → recipient
	ackedEvents := map[string]bool{}  // tokens of the appender helper
	var prefix []byte                 // the ledger up to its last newline after the previous round
	var killMax, sendMax time.Duration
	var kills, watchEnded, sendKills, sendTries, tears, tornSeen, done int
	var last time.Time
	appender := func(now time.Time, n int, tear bool) *child {
		tearV := "0"
		if tear {
			tearV = "1"
		}
		return startChild(t, ctx, []string{"MXPROBE_FAULT_APPENDER=" + ledger, "MXPROBE_FAULT_APPENDER_N=" + strconv.Itoa(n),
			"MXPROBE_FAULT_APPENDER_AT=" + now.Format(time.RFC3339Nano), "MXPROBE_FAULT_APPENDER_TEAR=" + tearV}, appenderBin)
	}
	collect := func(c *child) {
		for _, ln := range strings.Split(c.out.String(), "\n") {
			if tok, ok := strings.CutPrefix(ln, "ACK "); ok {
				ackedEvents[tok] = true
			}
		}
	}
	for r := 1; r <= rounds; r++ {
		if time.Since(started) > budget {
			t.Logf("time budget of %s reached after %d rounds", budget, done)
			break
		}
		now := e.Add(time.Duration(r) * 20 * time.Second)
		last = now
		clk.set(now)
		to := "inbox@dest.test"
		if r%2 == 0 {
			to = "drop@dest.test"
		}
		tear := r%5 == 0
		watch := startChild(t, ctx, env(now), bin, append(append([]string{"probe", "watch", "--until", "40s", "--timeout", "20s"}, imapArgs...), windows...)...)
		send := startChild(t, ctx, env(now), bin, sendArgs(to)...)
		app := appender(now, 5, tear)

		// Every tenth watch (and the first two) runs to its end: how long
		// an unkilled watch takes sets the window the kills are drawn
		// from, a quarter beyond it so that some watches end by themselves.
		// Every third send is killed at a random point of its own window.
		calibrate := r <= 2 || r%10 == 0
		watchDelay := time.Duration(rng.Int64N(int64(killMax)*5/4 + 1))
		killSend := r%3 == 2 && sendMax > 0 // inbox and drop sends alike
		sendDelay := time.Duration(rng.Int64N(int64(sendMax)*5/4 + 1))
		var watchKilled, sendKilled bool
		var wg sync.WaitGroup
		wg.Go(func() {
			if calibrate {
				<-watch.done
			} else {
				watchKilled = watch.killAfter(watchDelay)
			}
		})
		wg.Go(func() {
			if killSend {
				sendKilled = send.killAfter(sendDelay)
			} else {
				<-send.done
			}
		})
		wg.Wait()
		if calibrate {
			// The latest, not the longest: one slow run on a busy machine
			// would widen the window for good.
			killMax = watch.dur
		}
		if watchKilled {
			kills++
		} else {
			watchEnded++
		}
		if killSend {
			sendTries++
			if sendKilled {
				sendKills++
			}
		} else {
			sendMax = send.dur // the latest: a single slow send would widen the window for good
		}
		<-app.done
		if ws, ok := watch.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && !ws.Signaled() {
			if code := ws.ExitStatus(); code == exitcode.Usage || strings.Contains(watch.errOut.String(), "corrupt") {
				t.Fatalf("round %d: watch exit %d\n%s", r, code, watch.errOut.String())
			}
		}
		if tok, ok := acked(send); ok {
			ackedSends[tok] = to
		}
		collect(app)
		if tear {
			if ws, ok := app.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
				t.Fatalf("round %d: the tearing appender did not die: %v\n%s", r, app.cmd.ProcessState, app.errOut.String())
			}
			tears++
		} else if app.cmd.ProcessState.ExitCode() != 0 {
			t.Fatalf("round %d: appender: %v\n%s%s", r, app.cmd.ProcessState, app.out.String(), app.errOut.String())
		}
		// Append-only: what was complete after the last round is still
		// there, byte for byte.
		cur, err := os.ReadFile(ledger)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(cur, prefix) {
			t.Fatalf("round %d: the ledger is no longer an extension of the previous round's (%d → %d bytes)", r, len(prefix), len(cur))
		}
		if len(cur) > 0 && cur[len(cur)-1] != '\n' {
			tornSeen++
		}
		prefix = cur[:bytes.LastIndexByte(cur, '\n')+1]
		done++
	}
	if done < 3 {
		t.Fatalf("only %d rounds in the time budget", done)
	}
	// One more acknowledged append heals a torn tail the last round left.
	fin := appender(last, 1, false)
	<-fin.done
	if fin.cmd.ProcessState.ExitCode() != 0 {
		t.Fatalf("final appender: %s", fin.errOut.String())
	}
	collect(fin)

	// The ledger opens and holds every acknowledged event, once.
	l, err := delivery.OpenLedger(ledger)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	evs, st, err := l.Events()
	if err != nil {
		t.Fatal(err)
	}
	if st.Corrupt != 0 || st.UnknownKind != 0 || st.TornTail {
		t.Fatalf("ledger status after the kills: %+v", st)
	}
	sent := map[string]int{}
	for _, ev := range evs {
		if ev.Kind == delivery.KindSent {
			sent[ev.Token]++
		}
	}
	for tok := range ackedSends {
		if sent[tok] != 1 {
			t.Errorf("acknowledged probe %s recorded %d times", tok, sent[tok])
		}
	}
	for tok := range ackedEvents {
		if sent[tok] != 1 {
			t.Errorf("acknowledged event %s recorded %d times", tok, sent[tok])
		}
	}

	// Verdicts of the probes settled before the chaos are unchanged.
	v1 := list(e)
	for tok := range base {
		if v1[tok] != v0[tok] {
			t.Errorf("baseline verdict changed: %+v → %+v", v0[tok], v1[tok])
		}
	}
	// The binary's verdicts equal the pure function over the same events.
	z := last.Add(121 * time.Second)
	got := list(z)
	want := delivery.Verdict(evs, z, win)
	if len(got) != len(want.Probes) {
		t.Errorf("probe list has %d probes, the ledger %d", len(got), len(want.Probes))
	}
	states := map[string]int{}
	for _, v := range want.Probes {
		states[string(v.State)]++
		if got[v.Token] != keyOf(v) {
			t.Errorf("verdict of %s: binary %+v, recomputed %+v", v.Token, got[v.Token], keyOf(v))
		}
		// A kill never turns a delivered probe into a suspected drop, nor
		// a discarded one into a delivery.
		switch ackedSends[v.Token] {
		case "inbox@dest.test":
			if v.State == delivery.StateSilentDrop {
				t.Errorf("delivered probe %s judged a silent drop: %+v", v.Token, keyOf(v))
			}
		case "drop@dest.test":
			if v.State.Delivered() {
				t.Errorf("discarded probe %s judged delivered: %+v", v.Token, keyOf(v))
			}
		}
		if ackedEvents[v.Token] && v.State != delivery.StateRejected {
			t.Errorf("appended event %s: %s", v.Token, v.State)
		}
	}
	t.Logf("%d rounds in %s: watch killed %d×, ended by itself %d× (kill window %s), send killed %d× in %d tries, writer torn %d× (torn tail seen %d×); "+
		"acknowledged: %d sends + %d appended events; ledger %d events, %d bytes; verdicts at the end %v",
		done, time.Since(started).Round(time.Millisecond), kills, watchEnded, killMax.Round(time.Millisecond), sendKills, sendTries, tears, tornSeen,
		len(ackedSends), len(ackedEvents), len(evs), len(prefix), states)
	if kills == 0 && done > 3 {
		t.Error("no watch was killed mid-run: the kill window is wrong")
	}
}

// TestFaultLedgerTornCorruptFuture: a ledger with events of a newer schema
// (unknown fields, a higher version, an unknown kind), a corrupt line in the
// middle and a torn last line is read with one warning per kind, in English
// and German, and every command goes on; the next write heals the tail.
func TestFaultLedgerTornCorruptFuture(t *testing.T) {
	l := newProbeLab(t, nil, nil)
	p := l.send(labSeedUser)
	future, err := delivery.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(l.ledger, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, `{"v":99,"kind":"sent","at":"2026-03-03T10:00:00Z","token":%q,"signature":{"alg":"quantum"},`+
		`"sent":{"token":%q,"role":"probe","group":%q,"to":"seed@dest.test","outcome":"rejected","stage":"rcpt","code":550,`+
		`"reply":"550 5.1.1 unknown","hologram":[1,2,3],"done_at":"2026-03-03T10:00:00Z"}}`+"\n", future, future, future)
	f.WriteString("\x00\x00garbage \xff\xfe not json\n")
	f.WriteString(`{"v":42,"kind":"teleport","at":"2026-03-03T10:00:00Z","where":"mars"}` + "\n")
	f.WriteString(`{"v":1,"kind":"scan","at":"2026-03-03T10:00:05Z","scan":{"purpose":"seed","mailb`)
	f.Close()

	out, errOut, code := l.run(append([]string{"probe", "list"}, labWindows...)...)
	if code != 0 || !strings.Contains(out, p.Token) || !strings.Contains(out, future) {
		t.Fatalf("list: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, w := range []string{"ignored a torn last event", "ignored 1 corrupt line(s)", "ignored 1 event(s) of a newer mxprobe",
		"1 event(s) written by a newer mxprobe"} {
		if strings.Count(errOut, w) != 1 {
			t.Errorf("list: warning %q not said once:\n%s", w, errOut)
		}
	}
	if n := strings.Count(strings.TrimSpace(errOut), "\n") + 1; n != 4 {
		t.Errorf("want 4 warning lines, got %d:\n%s", n, errOut)
	}
	_, errDE, _ := l.run(append([]string{"probe", "list", "--lang", "de"}, labWindows...)...)
	for _, w := range []string{"abgerissenes letztes Ereignis", "beschädigte Zeile", "neueren mxprobe-Version ignoriert", "von einer neueren mxprobe-Version geschrieben"} {
		if !strings.Contains(errDE, w) {
			t.Errorf("German warning %q missing:\n%s", w, errDE)
		}
	}
	// JSON on stdout stays clean; the future event's probe is judged.
	s, code := l.show(future)
	if s.Verdict.State != "rejected" || code != exitcode.Problems {
		t.Fatalf("show future: %+v exit %d", s.Verdict, code)
	}
	// confirm goes on: it scans, writes (healing the tail) and judges.
	l.at(5)
	out, code = l.confirm("--format", "json")
	var res struct {
		Probes []struct {
			Token, State string
		} `json:"probes"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 || len(res.Probes) != 1 || res.Probes[0].State != "delivered_inbox" {
		t.Fatalf("confirm: exit %d %v\n%s", code, err, out)
	}
	_, errOut, _ = l.run(append([]string{"probe", "list"}, labWindows...)...)
	if strings.Contains(errOut, "torn") || !strings.Contains(errOut, "corrupt") {
		t.Fatalf("after healing: %q", errOut)
	}
	// The probe, the future event, and the seed and DSN scans of confirm.
	if evs := readLedgerFile(t, l.ledger); len(evs) != 4 {
		t.Fatalf("ledger after healing: %d events", len(evs))
	}
}
