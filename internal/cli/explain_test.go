package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/dsn"
	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/explain"
)

// runExplain runs mxprobe in-process with stdin and captured streams.
func runExplain(t testing.TB, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	io := &IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errb, Getenv: func(string) string { return "" }}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code = Run(ctx, args, io)
	return out.String(), errb.String(), code
}

func TestExplainBadInput(t *testing.T) {
	dir := t.TempDir()
	notBounce := filepath.Join(dir, "plain.eml")
	if err := os.WriteFile(notBounce, []byte("From: a@example.test\nSubject: hi\n\nhello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := [][]string{
		{"explain", "9.9.9"},
		{"explain", "5.1"},
		{"explain", ""},
		{"explain", "   "},
		{"explain", "600"},
		{"explain", "5.1.1.1"},
		{"explain", "3.1.1"},
		{"explain", "600 5.1.1 something"},
		{"explain"},
		{"explain", "--lines", filepath.Join(dir, "missing.txt")},
		{"explain", "--lines", dir},
		{"explain", "--message", filepath.Join(dir, "missing.eml")},
		{"explain", "--message", notBounce},
		{"explain", "--lines", "-", "--message", "-"},
		{"explain", "--lines", "-", "5.7.1"},
		{"explain", "--lang", "fr", "5.7.1"},
		{"explain", "-o", "xml", "5.7.1"},
	}
	for _, args := range cases {
		t.Run(strings.Join(args[1:], " "), func(t *testing.T) {
			out, errOut, code := runExplain(t, "", args...)
			if code != exitcode.Usage {
				t.Errorf("exit %d, want %d (stderr %q)", code, exitcode.Usage, errOut)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			if !strings.HasPrefix(errOut, "mxprobe: ") || strings.Count(errOut, "\n") != 1 || !strings.HasSuffix(errOut, "\n") {
				t.Errorf("stderr is not one line: %q", errOut)
			}
		})
	}
}

func TestExplainArgs(t *testing.T) {
	out, errOut, code := runExplain(t, "", "explain", "-o", "json", "5.7.1")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d stderr %q", code, errOut)
	}
	var x explain.Localized
	if err := json.Unmarshal([]byte(out), &x); err != nil {
		t.Fatal(err)
	}
	if *x.EnhancedCode != "5.7.1" || x.Class != "permanent" || x.Subject.Number != 7 || x.Detail.Title == "" || x.Bounce != "hard" {
		t.Errorf("%+v", x)
	}
	// Several codes: one result each; an unquoted reply: one result.
	out, _, code = runExplain(t, "", "explain", "-o", "json", "5.1.1", "550", "4.7.650")
	if code != 0 || strings.Count(out, "\n") != 3 {
		t.Errorf("three codes: exit %d, %d lines", code, strings.Count(out, "\n"))
	}
	out, _, code = runExplain(t, "", "explain", "-o", "json", "550", "5.1.1", "User", "unknown")
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, `"reason":"userunknown"`) {
		t.Errorf("unquoted reply: exit %d %s", code, out)
	}
	// --provider-host identifies the provider.
	out, _, _ = runExplain(t, "", "explain", "-o", "json", "--provider-host", "contoso-com.mail.protection.outlook.com", "451 4.7.500 Server busy. Please try again later.")
	if !strings.Contains(out, `"rule":"microsoft.4.7.500-699"`) || !strings.Contains(out, `"kind":"tenant"`) {
		t.Errorf("--provider-host: %s", out)
	}
	// German.
	out, _, _ = runExplain(t, "", "explain", "--lang", "de", "5.2.2")
	if !strings.Contains(out, "Postfach") || !strings.Contains(out, "Was zu tun ist") {
		t.Errorf("German: %s", out)
	}
	// Quiet.
	out, _, _ = runExplain(t, "", "explain", "-q", "550 5.1.1 User unknown")
	if out != "hard userunknown list_owner\n" {
		t.Errorf("quiet: %q", out)
	}
}

func TestExplainLines(t *testing.T) {
	in := strings.Join([]string{
		"550 5.1.1 <bob@example.test>: Recipient address rejected: User unknown",
		"",
		"host mx.example.test[192.0.2.1] said: 452 4.2.2 Mailbox full (in reply to RCPT TO command)",
		"no code here, just the mailbox is full",
		"hello world",
		"   ",
		strings.Repeat("x", 200<<10) + " 550 5.7.1 tail beyond the limit",
		"421 4.7.0 [TSS04] Messages from 192.0.2.9 temporarily deferred due to unexpected volume or user complaints",
	}, "\n")
	out, errOut, code := runExplain(t, in, "explain", "--lines", "-", "-o", "json")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d stderr %q", code, errOut)
	}
	type row struct {
		Line   int    `json:"line"`
		Reason string `json:"reason"`
		Bounce string `json:"bounce"`
		Input  string `json:"input"`
	}
	var rows []row
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r row
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("not NDJSON: %v: %.200s", err, sc.Text())
		}
		rows = append(rows, r)
	}
	want := []struct {
		line           int
		reason, bounce string
	}{{1, "userunknown", "hard"}, {3, "mailboxfull", "soft"}, {4, "mailboxfull", "hard"}, {5, "onhold", "unknown"}, {7, "", ""}, {8, "badreputation", "soft"}}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(rows), len(want), rows)
	}
	for i, w := range want {
		if rows[i].Line != w.line || (w.reason != "" && (rows[i].Reason != w.reason || rows[i].Bounce != w.bounce)) {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], w)
		}
	}
	if len(rows[4].Input) > 64<<10 {
		t.Errorf("long line not cut: %d bytes", len(rows[4].Input))
	}

	// Text mode: a table with a header and one row per line.
	out, _, code = runExplain(t, in, "explain", "--lines", "-")
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if code != 0 || len(lines) != 7 || !strings.HasPrefix(lines[0], "LINE") || !strings.Contains(lines[1], "userunknown") {
		t.Errorf("table: exit %d\n%s", code, out)
	}
}

// TestExplainLines100k feeds 100,000 lines through --lines and checks that
// every line yields exactly one result, in order.
func TestExplainLines100k(t *testing.T) {
	n := 100_000
	if testing.Short() || explainRaceEnabled {
		n = 10_000
	}
	src := benchLines(t)
	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriter(pw)
		for i := 0; i < n; i++ {
			bw.WriteString(src[i%len(src)])
			bw.WriteByte('\n')
		}
		bw.Flush()
		pw.Close()
	}()
	cw := &countingWriter{}
	io := &IOStreams{In: pr, Out: cw, ErrOut: io.Discard, Getenv: func(string) string { return "" }}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if code := Run(ctx, []string{"explain", "--lines", "-", "-o", "json"}, io); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if cw.lines != n {
		t.Errorf("%d results for %d lines", cw.lines, n)
	}
}

type countingWriter struct{ lines, bytes int }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.lines += bytes.Count(p, []byte{'\n'})
	c.bytes += len(p)
	return len(p), nil
}

func TestExplainMessage(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "statuscode", "dsn")
	cases := map[string][]string{
		"postfix.eml":                  {"userunknown", "blocked"},
		"gmail.eml":                    {"authfailure"},
		"exchange-online.eml":          {"userunknown"},
		"qmail.eml":                    {"policyviolation", "userunknown", "mailboxfull"},
		"exchange-de-unzustellbar.eml": {"userunknown", "mailboxfull"},
		"exchange-de-2016-html.eml":    {"filtered"},
		"exim.eml":                     {"suspend"},
	}
	for file, reasons := range cases {
		t.Run(file, func(t *testing.T) {
			out, errOut, code := runExplain(t, "", "explain", "--message", filepath.Join(dir, file), "-o", "json")
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d stderr %q", code, errOut)
			}
			var got []string
			dec := json.NewDecoder(strings.NewReader(out))
			for dec.More() {
				var r struct {
					Recipient   dsn.Result        `json:"recipient"`
					Explanation explain.Localized `json:"explanation"`
				}
				if err := dec.Decode(&r); err != nil {
					t.Fatal(err)
				}
				if r.Recipient.Recipient == "" || r.Recipient.MxprobeID == "" {
					t.Errorf("recipient incomplete: %+v", r.Recipient)
				}
				got = append(got, string(r.Explanation.Reason))
			}
			if strings.Join(got, " ") != strings.Join(reasons, " ") {
				t.Errorf("reasons %v, want %v", got, reasons)
			}
		})
	}
	// From standard input, as text.
	b, _ := os.ReadFile(filepath.Join(dir, "postfix.eml"))
	out, _, code := runExplain(t, string(b), "explain", "--message", "-")
	if code != 0 || strings.Count(out, "- failed ") != 2 || !strings.Contains(out, "<mxp.7f3a9c2e.1741079700@sender.test>") {
		t.Errorf("text: exit %d\n%s", code, out)
	}
}

// goldenCases are rendered in both languages and compared with
// testdata/explain/<name>.<lang>.golden (go test -run Golden -update rewrites them).
var goldenCases = []struct {
	name string
	args []string
}{
	{"code-5.7.1", []string{"5.7.1"}},
	{"basic-550", []string{"550"}},
	{"microsoft-S3150", []string{"550 5.7.1 Unfortunately, messages from [203.0.113.5] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [AM4PEPF00027A6C.eurprd04.prod.outlook.com 2025-03-04T09:15:02.914Z 08DD5A3B1C2E4F10]"}},
	{"microsoft-5.7.606", []string{"5.7.606"}},
	{"gmail-5.7.27", []string{"--provider-host", "gmail-smtp-in.l.google.com", "550-5.7.27 This message was blocked because it didn't pass SPF authentication.\n550 5.7.27 Gmail requires bulk email senders to authenticate with SPF. - gsmtp"}},
	{"postfix-userunknown", []string{"host mx1.receiver.test[192.0.2.25] said: 550 5.1.1 <bob@receiver.test>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)"}},
	{"inconsistent-5.0.0", []string{"550 5.0.0 <bob@receiver.test>... mailbox does not exist"}},
	{"soft-4.2.2", []string{"452 4.2.2 The recipient's inbox is out of storage space. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaTemp"}},
	{"tonline-BL", []string{"554 IP=203.0.113.5 - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to clarify.) (BL)"}},
	{"lines-table", []string{"--lines", filepath.Join("testdata", "explain", "lines.txt")}},
	{"message-de-ndr", []string{"--message", filepath.Join("..", "..", "testdata", "statuscode", "dsn", "exchange-de-unzustellbar.eml")}},
}

func TestExplainGolden(t *testing.T) {
	for _, c := range goldenCases {
		for _, lang := range []string{"en", "de"} {
			t.Run(c.name+"."+lang, func(t *testing.T) {
				args := append([]string{"explain", "--lang", lang}, c.args...)
				out, errOut, code := runExplain(t, "", args...)
				if code != 0 || errOut != "" {
					t.Fatalf("exit %d stderr %q", code, errOut)
				}
				file := filepath.Join("testdata", "explain", c.name+"."+lang+".golden")
				if *update {
					if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(file)
				if err != nil {
					t.Fatalf("%v (run go test ./internal/cli -run TestExplainGolden -update)", err)
				}
				if out != string(want) {
					t.Errorf("output differs from %s (rerun with -update if intended):\n%s", file, diffLines(string(want), out))
				}
			})
		}
	}
}

// diffLines shows the first differing line.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, a, b)
		}
	}
	return ""
}

// benchLines are realistic reply lines: the sisimai corpus plus Postfix log
// excerpts.
func benchLines(t testing.TB) []string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "testdata", "statuscode", "sisimai-reply-lines.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	sc.Scan() // header
	for sc.Scan() {
		if i := strings.IndexByte(sc.Text(), '\t'); i > 0 {
			lines = append(lines, sc.Text()[:i])
		}
	}
	return lines
}

// BenchmarkExplainLines measures the --lines pipeline (read, explain, write
// NDJSON) on one core: go test ./internal/cli -run XXX -bench ExplainLines -cpu 1
func BenchmarkExplainLines(b *testing.B) {
	src := benchLines(b)
	var in bytes.Buffer
	const n = 20_000
	for i := 0; i < n; i++ {
		in.WriteString(src[i%len(src)])
		in.WriteByte('\n')
	}
	data := in.Bytes()
	for _, format := range []string{"json", "text"} {
		b.Run(format, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				io := &IOStreams{In: bytes.NewReader(data), Out: io.Discard, ErrOut: io.Discard, Getenv: func(string) string { return "" }}
				if code := Run(context.Background(), []string{"explain", "--lines", "-", "-o", format}, io); code != 0 {
					b.Fatalf("exit %d", code)
				}
			}
			// lines per second of wall time, and per second of this process's
			// CPU time (the fairer number on a busy machine).
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "lines/s")
			if cpu := cpuTime() - cpu0; cpu > 0 {
				b.ReportMetric(float64(b.N*n)/cpu.Seconds(), "lines/cpu-s")
			}
			b.ReportMetric(0, "ns/op")
		})
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
