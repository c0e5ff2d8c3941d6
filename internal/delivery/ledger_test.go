package delivery

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)

func mustToken(t testing.TB) string {
	t.Helper()
	tok, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func sentEvent(tok string, at time.Time) Event {
	return Event{Kind: KindSent, At: at, Token: tok, Sent: &Probe{
		Token: tok, Role: RoleProbe, Group: tok, From: "a@sender.example", To: "seed@dest.example",
		Outcome: OutcomeAccepted, Code: 250, StartedAt: at, DoneAt: at,
	}}
}

func TestTokensUnique(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		tok := mustToken(t)
		if !ValidToken(tok) {
			t.Fatalf("invalid token %q", tok)
		}
		if seen[tok] {
			t.Fatalf("token %q generated twice", tok)
		}
		seen[tok] = true
	}
	for _, bad := range []string{"", "abc", strings.Repeat("a", 19), strings.Repeat("A", 20), strings.Repeat("1", 20), strings.Repeat("a", 21)} {
		if ValidToken(bad) {
			t.Errorf("ValidToken(%q) = true", bad)
		}
	}
}

func TestLedgerRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "ledger.jsonl")
	l, err := OpenLedger(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	tok := mustToken(t)
	if _, err := l.Append(sentEvent(tok, t0)); err != nil {
		t.Fatal(err)
	}
	evs, st, err := l.Events()
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Token != tok || evs[0].V != SchemaVersion || st.Events != 1 || st.TornTail || st.Corrupt != 0 {
		t.Fatalf("got %+v %+v", evs, st)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("ledger mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestDefaultLedgerPath(t *testing.T) {
	env := map[string]string{"XDG_STATE_HOME": "/state", "HOME": "/home/u"}
	p, err := DefaultLedgerPath(func(k string) string { return env[k] })
	if err != nil || p != "/state/mxprobe/ledger.jsonl" {
		t.Fatalf("got %q %v", p, err)
	}
	delete(env, "XDG_STATE_HOME")
	p, _ = DefaultLedgerPath(func(k string) string { return env[k] })
	if p != "/home/u/.local/state/mxprobe/ledger.jsonl" {
		t.Fatalf("got %q", p)
	}
	if _, err := DefaultLedgerPath(func(string) string { return "" }); err == nil {
		t.Fatal("want error without HOME")
	}
}

func TestLedgerTornTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.jsonl")
	l, err := OpenLedger(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	a, b := mustToken(t), mustToken(t)
	if _, err := l.Append(sentEvent(a, t0)); err != nil {
		t.Fatal(err)
	}
	// A writer killed mid-write: half a line, no newline.
	line, _ := EncodeEvent(sentEvent(b, t0))
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.Write(line[:len(line)/2])
	f.Close()

	evs, st, err := l.Events()
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || !st.TornTail || st.Corrupt != 0 {
		t.Fatalf("events %d status %+v", len(evs), st)
	}
	// The next append cuts the torn line and goes on; afterwards the ledger
	// is clean, so the warning is said once.
	c := mustToken(t)
	healed, err := l.Append(sentEvent(c, t0))
	if err != nil || !healed {
		t.Fatalf("healed=%v err=%v", healed, err)
	}
	evs, st, _ = l.Events()
	if len(evs) != 2 || evs[1].Token != c || st.TornTail || st.Corrupt != 0 {
		t.Fatalf("after heal: %d events, %+v", len(evs), st)
	}

	// A complete JSON object without its newline is torn as well: the
	// newline is part of the one acknowledged write.
	line, _ = EncodeEvent(sentEvent(mustToken(t), t0))
	f, _ = os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.Write(line[:len(line)-1])
	f.Close()
	evs, st, _ = l.Events()
	if len(evs) != 2 || !st.TornTail {
		t.Fatalf("unterminated complete line: %d events, %+v", len(evs), st)
	}
}

func TestLedgerFutureSchemaAndJunk(t *testing.T) {
	tok := mustToken(t)
	future := fmt.Sprintf(`{"v":7,"kind":"sent","at":"2026-03-03T10:00:00Z","token":%q,"hologram":{"x":1},`+
		`"sent":{"token":%q,"role":"probe","group":%q,"outcome":"accepted","quantum_field":true}}`, tok, tok, tok)
	unknownKind := `{"v":9,"kind":"teleport","at":"2026-03-03T10:00:00Z"}`
	input := strings.Join([]string{
		future,
		"",
		"not json at all",
		unknownKind,
		`{"v":1,"kind":"sent","at":"2026-03-03T10:00:00Z","token":"short"}`,
		"\x00\x00\x00",
	}, "\n") + "\n"
	evs, st, err := ReadEvents(strings.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Sent.Outcome != OutcomeAccepted || evs[0].V != 7 {
		t.Fatalf("events %+v", evs)
	}
	if st.Future != 1 || st.UnknownKind != 1 || st.Corrupt != 3 || st.TornTail {
		t.Fatalf("status %+v", st)
	}
}

func TestLedgerLongLine(t *testing.T) {
	tok := mustToken(t)
	good, _ := EncodeEvent(sentEvent(tok, t0))
	long := bytes.Repeat([]byte("x"), MaxEventSize+10)
	input := append(append(append([]byte{}, long...), '\n'), good...)
	evs, st, err := ReadEvents(bytes.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || st.Corrupt != 1 {
		t.Fatalf("%d events, %+v", len(evs), st)
	}
	big := sentEvent(tok, t0)
	big.Sent.Reply = strings.Repeat("y", MaxEventSize)
	l, _ := OpenLedger(filepath.Join(t.TempDir(), "l.jsonl"))
	defer l.Close()
	if _, err := l.Append(big); err != ErrEventTooLarge {
		t.Fatalf("want ErrEventTooLarge, got %v", err)
	}
}

func TestLedgerConcurrentGoroutines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.jsonl")
	const writers, each = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each goroutine opens its own handle, like a separate process.
			l, err := OpenLedger(path)
			if err != nil {
				errs <- err
				return
			}
			defer l.Close()
			for i := 0; i < each; i++ {
				if _, err := l.Append(sentEvent(mustToken(t), t0)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	l, _ := OpenLedger(path)
	defer l.Close()
	evs, st, err := l.Events()
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != writers*each || st.Corrupt != 0 || st.TornTail {
		t.Fatalf("%d events, %+v", len(evs), st)
	}
}

// TestLedgerHelperProcess is the body of the subprocess writers below.
func TestLedgerHelperProcess(t *testing.T) {
	path := os.Getenv("MXPROBE_LEDGER_HELPER")
	if path == "" {
		t.Skip("helper process only")
	}
	n, _ := strconv.Atoi(os.Getenv("MXPROBE_LEDGER_HELPER_N"))
	l, err := OpenLedger(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(os.Stdout)
	for i := 0; i < n; i++ {
		tok := mustToken(t)
		if _, err := l.Append(sentEvent(tok, t0)); err != nil {
			t.Fatal(err)
		}
		// Acknowledged: only now does the token count as written.
		fmt.Fprintln(w, "ACK", tok)
		w.Flush()
	}
}

func helperCmd(t *testing.T, path string, n int) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestLedgerHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "MXPROBE_LEDGER_HELPER="+path, "MXPROBE_LEDGER_HELPER_N="+strconv.Itoa(n))
	return cmd
}

func TestLedgerConcurrentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), "ledger.jsonl")
	const procs, each = 3, 40
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for i := 0; i < procs; i++ {
		cmd := helperCmd(t, path, each)
		var out bytes.Buffer
		cmd.Stdout = &out
		cmd.Stderr = &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
		outs = append(outs, &out)
	}
	// And goroutines of this process at the same time.
	l, err := OpenLedger(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := 0; i < each; i++ {
		if _, err := l.Append(sentEvent(mustToken(t), t0)); err != nil {
			t.Fatal(err)
		}
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper %d: %v\n%s", i, err, outs[i])
		}
	}
	evs, st, err := l.Events()
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != (procs+1)*each || st.Corrupt != 0 || st.TornTail {
		t.Fatalf("%d events, %+v", len(evs), st)
	}
}

// TestLedgerKilledWriter kills a writing process at varying points while
// another appends: every acknowledged event is present afterwards and the
// ledger stays readable (issue 7, bounded to a few rounds here).
func TestLedgerKilledWriter(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), "ledger.jsonl")
	l, err := OpenLedger(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	acked := map[string]bool{}
	for round := 0; round < 5; round++ {
		cmd := helperCmd(t, path, 100000)
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		// Read a varying number of acknowledgements, then kill.
		want := 5 + round*7
		for i := 0; i < want && sc.Scan(); i++ {
			if tok, ok := strings.CutPrefix(sc.Text(), "ACK "); ok {
				acked[tok] = true
			}
		}
		if _, err := l.Append(sentEvent(mustToken(t), t0)); err != nil {
			t.Fatal(err)
		}
		cmd.Process.Kill()
		for sc.Scan() { // acknowledgements printed before the kill landed
			if tok, ok := strings.CutPrefix(sc.Text(), "ACK "); ok {
				acked[tok] = true
			}
		}
		cmd.Wait()
	}
	evs, st, err := l.Events()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, ev := range evs {
		have[ev.Token] = true
	}
	for tok := range acked {
		if !have[tok] {
			t.Fatalf("acknowledged event %s lost (status %+v)", tok, st)
		}
	}
	if st.Corrupt != 0 {
		t.Fatalf("corrupt lines after kills: %+v", st)
	}
}

func FuzzParseEvent(f *testing.F) {
	tok := "abcdefghijklmnopqrst"
	line, _ := EncodeEvent(sentEvent(tok, t0))
	f.Add(line)
	f.Add([]byte(`{"v":2,"kind":"scan","at":"2026-03-03T10:00:00Z","scan":{"purpose":"seed","complete":true,"found":[{"token":"x"}]}}`))
	f.Add([]byte(`{"v":1,"kind":"dsn","at":"2026-03-03T10:00:00Z","token":"abcdefghijklmnopqrst","dsn":{"action":"failed"}}`))
	f.Add([]byte(`{"v":1`))
	f.Add([]byte("\x00\xff{}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := ParseEvent(b)
		if err != nil {
			return
		}
		// A parsed event re-encodes and parses to the same kind and token.
		out, err := EncodeEvent(ev)
		if err != nil {
			if err == ErrEventTooLarge {
				return
			}
			t.Fatal(err)
		}
		ev2, err := ParseEvent(out)
		if err != nil {
			t.Fatalf("re-parse: %v\n%s", err, out)
		}
		if ev2.Kind != ev.Kind || ev2.Token != ev.Token {
			t.Fatalf("round trip changed the event")
		}
		// And the reader accepts any bytes without panicking.
		ReadEvents(bytes.NewReader(b))
	})
}
