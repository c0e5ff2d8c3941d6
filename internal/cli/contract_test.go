package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/mxprobe/mxprobe/internal/delivery/deliverytest"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/mxprobe/mxprobe/internal/check"
	"github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/lab"
)

// TestCLIStartsNoConcurrencyOrNetwork: scheduling and network work live
// below internal/cli (issue 10): no go statement, no sleep, ticker or timer,
// no dial, and no test hook read from the environment.
func TestCLIStartsNoConcurrencyOrNetwork(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fs := token.NewFileSet()
	banned := map[string]bool{"Sleep": true, "NewTicker": true, "NewTimer": true, "After": true, "Tick": true, "AfterFunc": true,
		"Dial": true, "DialContext": true, "DialTimeout": true, "Listen": true}
	n := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		n++
		f, err := parser.ParseFile(fs, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(x ast.Node) bool {
			switch v := x.(type) {
			case *ast.GoStmt:
				t.Errorf("%s: go statement", fs.Position(v.Pos()))
			case *ast.CallExpr:
				if sel, ok := v.Fun.(*ast.SelectorExpr); ok && banned[sel.Sel.Name] {
					t.Errorf("%s: call of %s", fs.Position(v.Pos()), sel.Sel.Name)
				}
			case *ast.BasicLit:
				if strings.Contains(v.Value, "MXPROBE_TEST_") {
					t.Errorf("%s: test hook %s in production code", fs.Position(v.Pos()), v.Value)
				}
			}
			return true
		})
	}
	if n < 10 {
		t.Fatalf("only %d files looked at", n)
	}
}

// TestOneFilePerProbeSubcommand: each command and probe subcommand has its
// file with a constructor that takes its run function.
func TestOneFilePerProbeSubcommand(t *testing.T) {
	files := map[string]string{"check.go": "newCheckCmd", "dns.go": "newDNSCmd", "explain.go": "newExplainCmd",
		"logscan.go": "newLogscanCmd", "lab.go": "newLabCmd", "version.go": "newVersionCmd"}
	for _, sub := range []string{"send", "confirm", "watch", "list", "show"} {
		files["probe_"+sub+".go"] = "newProbe" + strings.ToUpper(sub[:1]) + sub[1:] + "Cmd"
	}
	for file, ctor := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if !bytes.Contains(b, []byte("func "+ctor+"(g *Globals, ")) || !bytes.Contains(b, []byte("runF func(*")) {
			t.Errorf("%s lacks func %s(g *Globals, …, runF func(*…Options) error)", file, ctor)
		}
	}
}

// testGlobals are the globals of a direct run(opts) call.
func testGlobals(t *testing.T, env map[string]string, now time.Time) (*Globals, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	io := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errb, Getenv: func(k string) string { return env[k] }}
	f := NewFactory(io)
	f.Clock = &deliverytest.FakeClock{T: now}
	g := &Globals{F: f, IO: io, Format: "text", Timeout: time.Minute}
	if err := g.finish(); err != nil {
		t.Fatal(err)
	}
	return g, &out, &errb
}

// TestRunFunctionsDirect calls the run functions with options structs, as
// the commands do, without cobra.
func TestRunFunctionsDirect(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	g, out, _ := testGlobals(t, map[string]string{"XDG_STATE_HOME": dir}, now)
	po := &probeOptions{g: g, failOn: "fail", ledger: filepath.Join(dir, "l.jsonl")}
	if err := probeListRun(&listOptions{g: g, po: po}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "No probes in the ledger") {
		t.Errorf("probe list: %q", out.String())
	}
	err := probeShowRun(&showOptions{g: g, po: po, token: "not-a-token"})
	if exitOf(err) != exitcode.Usage || !strings.Contains(err.Error(), "probe list") {
		t.Errorf("probe show with a bad token: %v", err)
	}
	err = dnsRun(&dnsOptions{g: g, ctx: context.Background(), target: "a@b@c", failOn: "fail"})
	if exitOf(err) != exitcode.Usage || !strings.Contains(err.Error(), "more than one @") {
		t.Errorf("dns a@b@c: %v", err)
	}
}

// TestConstructorsParseIntoOptions: a constructor with a recording runF
// shows what the flags put into the options (--ehlo is --helo).
func TestConstructorsParseIntoOptions(t *testing.T) {
	g, _, _ := testGlobals(t, nil, time.Now())
	var got *sendOptions
	cmd := newProbeSendCmd(g, &probeOptions{g: g}, func(o *sendOptions) error { got = o; return nil })
	cmd.SetGlobalNormalizationFunc(normalizeFlag)
	cmd.SetArgs([]string{"--to", "a@b.example", "--from", "c@d.example", "--ehlo", "mail.d.example", "--dkim-sign-selector", "s1"})
	cmd.SetOut(&bytes.Buffer{})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.helo != "mail.d.example" || got.dkimSelector != "s1" || got.to != "a@b.example" {
		t.Fatalf("options %+v", got)
	}
	var co *checkOptions
	cc := newCheckCmd(g, func(o *checkOptions) error { co = o; return nil })
	cc.SetArgs([]string{"ok.lab.test", "--port", "2525"})
	if err := cc.ExecuteContext(context.Background()); err != nil || co.port != 2525 || co.args[0] != "ok.lab.test" {
		t.Fatalf("check options %+v, %v", co, err)
	}
}

// TestDeliverToHonoursPort: the --deliver-to probe goes to the port the
// check used (--port), not to 25.
func TestDeliverToHonoursPort(t *testing.T) {
	g, _, _ := testGlobals(t, nil, time.Now())
	o := &checkOptions{g: g}
	o.delivery.deliverTo = "seed@ok.example"
	o.delivery.ownMailbox = true
	o.delivery.seed.url, o.delivery.seed.user = "imaps://127.0.0.1:1", "seed"
	g.IO.Getenv = func(k string) string {
		if k == "MXPROBE_IMAP_PASSWORD" {
			return "pw"
		}
		return ""
	}
	tg, _ := check.ParseTarget("ok.example")
	po, err := o.proveOptions(check.Options{Target: tg, MailFrom: "a@b.example", Port: 2525}, &runEnv{Port: 25})
	if err != nil {
		t.Fatal(err)
	}
	if po.Send.Port != 2525 {
		t.Errorf("probe port %d, want 2525", po.Send.Port)
	}
}

// TestUsageErrorsNameTheFlag: every usage error exits 2 with one line that
// names the flag (or argument) at fault, in English and German.
func TestUsageErrorsNameTheFlag(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "list.txt")
	os.WriteFile(list, []byte("ok.lab.test\n"), 0o644)
	empty := filepath.Join(dir, "empty.txt")
	os.WriteFile(empty, []byte("# nothing\n\n"), 0o644)
	env := map[string]string{"XDG_STATE_HOME": dir}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"check", "--lab", "ok.lab.test", "--helo", "localhost"}, "--helo"},
		{[]string{"check", "--lab", "--targets", list, "ok.lab.test"}, "--targets"},
		{[]string{"check", "--lab", "-", "--deliver-to", "seed@ok.lab.test"}, "--deliver-to"},
		{[]string{"check", "--lab", "-q", "-v", "ok.lab.test"}, "-v"},
		{[]string{"check", "--lab", "--targets", empty}, "no targets"},
		{[]string{"check", "--lab", "a.example", "b.example"}, "--targets FILE"},
		{[]string{"check", "--lab", "ok.lab.test", "--port", "70000"}, "--port"},
		{[]string{"check", "--lab", "ok.lab.test", "--fail-on", "bad"}, "--fail-on"},
		{[]string{"dns", "--lab", "ok.lab.test", "--ehlo", "single"}, "--helo"},
		{[]string{"probe", "confirm", "--expect", "2h", "--drop-after", "1h", "--dsn-maildir", dir}, "--drop-after"},
		{[]string{"probe", "send", "--to", "a@b.example"}, "--from"},
		{[]string{"--timeout", "-1s", "version"}, "--timeout"},
		{[]string{"check", "--port", "abc", "ok.lab.test"}, "give a whole number"},
		{[]string{"check", "-Z", "ok.lab.test"}, "unknown flag -Z"},
		{[]string{"probe", "confirm", "--expect", "5"}, "such as 30s"},
	}
	for _, c := range cases {
		_, errOut, code := runCLI(t, env, c.args...)
		if code != exitcode.Usage {
			t.Errorf("%v: exit %d, want 2; stderr %q", c.args, code, errOut)
			continue
		}
		if strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: stderr %q, want one line naming %s", c.args, errOut, c.want)
		}
	}
	_, errOut, _ := runCLI(t, env, "--lang", "de", "check", "--lab", "ok.lab.test", "--helo", "localhost")
	if !strings.Contains(errOut, "unbrauchbares --helo") {
		t.Errorf("German usage error: %q", errOut)
	}
	// A flag that does not parse: German too, and no parser error chain.
	_, errOut, _ = runCLI(t, env, "--lang", "de", "check", "--port", "abc", "ok.lab.test")
	if !strings.Contains(errOut, "ganze Zahl") || strings.Contains(errOut, "strconv") {
		t.Errorf("German flag error: %q", errOut)
	}
}

// TestWindowsAlone: any one of --expect, --drop-after, --final works alone;
// the others follow.
func TestWindowsAlone(t *testing.T) {
	for _, c := range []struct {
		w    windowFlags
		want delivery.Windows
	}{
		{windowFlags{dropAfter: 2 * time.Second}, delivery.Windows{Expect: time.Second, DropAfter: 2 * time.Second, Final: 72 * time.Hour}},
		{windowFlags{expect: 30 * time.Hour}, delivery.Windows{Expect: 30 * time.Hour, DropAfter: 60 * time.Hour, Final: 72 * time.Hour}},
		{windowFlags{final: 3 * time.Hour}, delivery.Windows{Expect: 15 * time.Minute, DropAfter: time.Hour, Final: 3 * time.Hour}},
		{windowFlags{expect: time.Second, dropAfter: 2 * time.Second, final: 4 * time.Second}, delivery.Windows{Expect: time.Second, DropAfter: 2 * time.Second, Final: 4 * time.Second}},
	} {
		got, err := c.w.resolve(false)
		if err != nil || got != c.want {
			t.Errorf("%+v: %+v, %v; want %+v", c.w, got, err, c.want)
		}
	}
	dir := t.TempDir()
	_, errOut, code := runCLI(t, map[string]string{"XDG_STATE_HOME": dir}, "probe", "confirm", "--drop-after", "2s", "--dsn-maildir", dir)
	if code != 0 {
		t.Errorf("--drop-after alone: exit %d, %s", code, errOut)
	}
}

// TestBulkExitRule: the worst over all lines, 0 < 1 < 2 (bad line) < 3
// (could not complete) — a network failure is not hidden behind a bad line.
func TestBulkExitRule(t *testing.T) {
	cases := []struct {
		lines string
		code  int
	}{
		{"ok.lab.test\n", 0},
		{"ok.lab.test\nreject.lab.test\n", exitcode.Problems},
		{"ok.lab.test\na@b@c\nreject.lab.test\n", exitcode.Usage},
		{"a@b@c\nclosed.lab.test\nreject.lab.test\n<x@y.test>\n", exitcode.Incomplete},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		io := &IOStreams{In: strings.NewReader(c.lines), Out: &out, ErrOut: &errb, Getenv: func(string) string { return "" }}
		code := RunFactory(context.Background(), []string{"check", "--lab", "-", "-o", "json", "--timeout", "20s"}, NewFactory(io))
		if code != c.code {
			t.Errorf("%q: exit %d, want %d; %s", c.lines, code, c.code, errb.String())
		}
		if n := strings.Count(out.String(), "\n"); n != strings.Count(c.lines, "\n") {
			t.Errorf("%q: %d result lines", c.lines, n)
		}
	}
}

// TestInvalidTargetJSON: under -o json an invalid target writes the result
// object with error {id, message} to stdout (as bulk does) and exits 2;
// text output says what to type instead, with at most 200 bytes of input.
func TestInvalidTargetJSON(t *testing.T) {
	out, _, code := runCLI(t, nil, "check", "--lab", "-o", "json", "bad..domain")
	var m struct {
		Verdict string `json:"verdict"`
		Error   struct{ ID, Message string }
	}
	if code != exitcode.Usage || json.Unmarshal([]byte(out), &m) != nil || m.Error.ID != "target.invalid_domain" || m.Verdict != "incomplete" {
		t.Fatalf("exit %d, %q", code, out)
	}
	validate(t, compileSchema(t, "check.schema.json"), out)
	long := strings.Repeat("a", 100_000) + "@ok.lab.test"
	_, errOut, code := runCLI(t, nil, "check", "--lab", long)
	if code != exitcode.Usage || len(errOut) > 600 || !strings.Contains(errOut, "at most 64") {
		t.Errorf("long local part: exit %d, %d bytes: %.300s", code, len(errOut), errOut)
	}
	for in, want := range map[string]string{"<user@ok.lab.test>": "type user@ok.lab.test", "127.0.0.1": "--ip 127.0.0.1"} {
		if _, errOut, code := runCLI(t, nil, "check", "--lab", in); code != exitcode.Usage || !strings.Contains(errOut, want) {
			t.Errorf("%s: exit %d, %q", in, code, errOut)
		}
	}
}

// TestDurationsPrintedOneWay: every duration default in the help prints
// without zero units ("24h", "1m", never "24h0m0s" or "1m0s").
func TestDurationsPrintedOneWay(t *testing.T) {
	g := &Globals{F: NewFactory(&IOStreams{Getenv: func(string) string { return "" }})}
	g.IO = g.F.IO
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, fs := range []string{c.Flags().FlagUsages(), c.PersistentFlags().FlagUsages()} {
			for _, bad := range []string{"h0m", "m0s"} {
				if strings.Contains(fs, bad) {
					t.Errorf("%s: a duration printed with zero units:\n%s", c.CommandPath(), fs)
				}
			}
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(NewRootCmd(g))
}

// TestVersionFlagAndLabJSON: mxprobe --version works; lab -o json prints
// JSON (the addresses, scenarios and examples), not text.
func TestVersionFlagAndLabJSON(t *testing.T) {
	out, errOut, code := runCLI(t, nil, "--version")
	if code != 0 || !strings.HasPrefix(out, "mxprobe ") {
		t.Fatalf("--version: exit %d, %q %q", code, out, errOut)
	}
	for _, args := range [][]string{{"explain", "--lab", "5.7.1"}, {"version", "--lab"}, {"logscan", "--lab", "-"}, {"explain", "--mx", "x.test", "5.7.1"}} {
		if _, _, code := runCLI(t, nil, args...); code != exitcode.Usage {
			t.Errorf("%v: exit %d, want 2 (the flag means nothing there)", args, code)
		}
	}
	w, err := lab.Start(lab.Options{Only: []string{"ok.lab.test"}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	g := &Globals{IO: &IOStreams{Getenv: func(string) string { return "" }}, Format: "json"}
	j := newLabJSON(g, w, "/tmp/ca.pem")
	if j.Command != "lab" || j.DNS == "" || len(j.Commands) < 5 {
		t.Fatalf("lab -o json: %+v", j)
	}
}

// TestNoErrorChainsInText: a failed lookup shows the DNS status in text;
// the error chain stays in JSON (mx_lookup.error).
func TestNoErrorChainsInText(t *testing.T) {
	out, _, code := runCLI(t, nil, "check", "--lab", "--timeout", "5s", "dns-servfail.lab.test")
	if code != exitcode.Incomplete || strings.Contains(out, "resolver:") || strings.Contains(out, "(last of") {
		t.Errorf("text: exit %d\n%s", code, out)
	}
	js, _, _ := runCLI(t, nil, "check", "--lab", "--timeout", "5s", "-o", "json", "dns-servfail.lab.test")
	if !strings.Contains(js, "SERVFAIL") {
		t.Errorf("JSON lost the error chain:\n%.500s", js)
	}
}

// TestSPFFromDomainAndQuotedLocalPart: --from @domain evaluates SPF for
// postmaster@domain (RFC 7208 §4.3); a quoted local part (RFC 5321
// §4.1.2) is accepted.
func TestSPFFromDomainAndQuotedLocalPart(t *testing.T) {
	for _, from := range []string{"@sender.lab.test", `"Macro Error"@sender.lab.test`} {
		out, errOut, code := runCLI(t, nil, "dns", "--lab", "ok.lab.test", "--ip", "127.0.0.1", "--from", from, "-o", "json")
		if code != 0 || !strings.Contains(out, `"spf.pass"`) {
			t.Errorf("--from %s: exit %d, %s\n%.300s", from, code, errOut, out)
		}
	}
}

// TestExplainMessageRandomBytes: input that is not a mail (random bytes,
// 2 MB) to explain --message is a usage error (exit 2), not garbage
// recipients; the message reads in German under --lang de.
func TestExplainMessageRandomBytes(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, 2<<20)
	for i := range b {
		b[i] = byte(rnd.UintN(256))
	}
	file := filepath.Join(t.TempDir(), "random.bin")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, nil, "--lang", "de", "explain", "--message", file)
	if code != exitcode.Usage || out != "" || !strings.Contains(errOut, "keine E-Mail-Nachricht") {
		t.Fatalf("random bytes: exit %d, %d bytes out, %q", code, len(out), errOut)
	}
}
