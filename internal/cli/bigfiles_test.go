package cli

// Big and broken files (issue 7, hostile list "Files"): `explain --lines`
// and `logscan` on a generated ~100 MB input keep their memory flat (peak
// RSS of the child process, compared with a 10 MB run); overlong lines,
// binary garbage and NUL bytes are handled line by line; an unreadable file
// is one line of error and exit 2; malformed DSNs to `explain --message`
// give a result or a clear error, never a panic.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/exitcode"
)

// genLines writes about size bytes of lines from next(i) to path and
// returns the number of calls.
func genLines(t *testing.T, path string, size int64, next func(w *bufio.Writer, i int)) int {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	cw := &lineCounter{w: f}
	w := bufio.NewWriterSize(cw, 1<<20)
	n := 0
	for ; cw.bytes+int64(w.Buffered()) < size; n++ {
		next(w, n)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return n
}

// replyLine is one line of an `explain --lines` input: replies and log
// excerpts of the kinds people grep out of their logs.
func replyLine(w *bufio.Writer, i int) {
	switch i % 8 {
	case 0:
		fmt.Fprintf(w, "550 5.7.1 Unfortunately, messages from [203.0.113.%d] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).\n", i%250)
	case 1:
		fmt.Fprintf(w, "451 4.7.1 <user%d@dest.example>: Recipient address rejected: Greylisted, see https://postgrey.example/%d\n", i, i%97)
	case 2:
		fmt.Fprintf(w, "550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address. %x - gsmtp\n", i)
	case 3:
		fmt.Fprintf(w, "421 4.7.0 [TSS04] Messages from 192.0.2.%d temporarily deferred due to unexpected volume or user complaints\n", i%250)
	case 4:
		fmt.Fprintf(w, "Mar  3 10:%02d:%02d mail postfix/smtp[%d]: %010X: to=<u%d@gmx.de>, relay=mx00.gmx.net[198.51.100.20]:25, dsn=5.7.1, status=bounced (host mx00.gmx.net said: 554-gmx.net (mxgmx017) Nemesis ESMTP Service not available 554 Reject due to policy restrictions (in reply to RCPT TO command))\n", i/60%60, i%60, i%30000, i, i)
	case 5:
		fmt.Fprintf(w, "5.%d.%d\n", i%8, i%10)
	case 6:
		fmt.Fprintf(w, "250 2.6.0 <%d@sender.example> [InternalId=%d, Hostname=AM0PR01MB1234.eurprd01.prod.exchangelabs.com] 4096 bytes in 0.012, 98.765 KB/sec Queued mail for delivery\n", i, 1099511627776+i)
	default:
		fmt.Fprintf(w, "something without any code at all, line %d\n", i)
	}
}

// postfixLines is one message in a Postfix log: cleanup, qmgr, one smtp
// delivery line (sent, deferred or bounced, Microsoft, Gmail, GMX and
// thousands of other domains) and the removal.
func postfixLines(w *bufio.Writer, i int) {
	ts := fmt.Sprintf("Mar  3 %02d:%02d:%02d", i/3600%24, i/60%60, i%60)
	qid := fmt.Sprintf("%010X", i)
	fmt.Fprintf(w, "%s mail postfix/cleanup[4101]: %s: message-id=<%d.%s@sender.example>\n", ts, qid, i, qid)
	fmt.Fprintf(w, "%s mail postfix/qmgr[900]: %s: from=<news@sender.example>, size=%d, nrcpt=1 (queue active)\n", ts, qid, 1000+i%5000)
	switch i % 6 {
	case 0:
		fmt.Fprintf(w, "%s mail postfix/smtp[4102]: %s: to=<u%d@hotmail.com>, relay=hotmail-com.olc.protection.outlook.com[192.0.2.10]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.6.0, status=sent (250 2.6.0 <%d.%s@sender.example> [InternalId=%d, Hostname=PAXP193MB1234.EURP193.PROD.OUTLOOK.COM] 2345 bytes in 0.081, 28.271 KB/sec Queued mail for delivery -> 250 2.1.5)\n", ts, qid, i, i, qid, 21474840105+i)
	case 1:
		fmt.Fprintf(w, "%s mail postfix/smtp[4104]: %s: to=<u%d@gmail.com>, relay=gmail-smtp-in.l.google.com[198.51.100.26]:25, delay=0.7, delays=0.1/0/0.3/0.3, dsn=2.0.0, status=sent (250 2.0.0 OK  1772532004 a640c23a62f3a-%x.321 - gsmtp)\n", ts, qid, i, i)
	case 2:
		fmt.Fprintf(w, "%s mail postfix/smtp[4106]: %s: to=<u%d@outlook.com>, relay=outlook-com.olc.protection.outlook.com[192.0.2.11]:25, delay=30, delays=0.1/0/0.2/0, dsn=4.7.650, status=deferred (host outlook-com.olc.protection.outlook.com[192.0.2.11] said: 451 4.7.650 The mail server [192.0.2.1] has been temporarily rate limited due to IP reputation. (S775) (in reply to MAIL FROM command))\n", ts, qid, i)
	case 3:
		fmt.Fprintf(w, "%s mail postfix/smtp[4107]: %s: to=<u%d@gmx.de>, relay=mx00.gmx.net[198.51.100.20]:25, delay=0.5, delays=0.1/0/0.2/0.2, dsn=5.7.1, status=bounced (host mx00.gmx.net[198.51.100.20] said: 554-gmx.net (mxgmx017) Nemesis ESMTP Service not available 554 Reject due to policy restrictions (in reply to RCPT TO command))\n", ts, qid, i)
	default:
		fmt.Fprintf(w, "%s mail postfix/smtp[4108]: %s: to=<u%d@d%d.example>, relay=mx.d%d.example[203.0.113.%d]:25, delay=0.4, delays=0.1/0/0.2/0.1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as %X)\n", ts, qid, i, i%20000, i%20000, i%250, i*7)
	}
	fmt.Fprintf(w, "%s mail postfix/qmgr[900]: %s: removed\n", ts, qid)
}

// lineCounter counts the bytes and newlines written through it (to w, or
// nowhere).
type lineCounter struct {
	w            io.Writer
	bytes, lines int64
}

func (c *lineCounter) Write(b []byte) (int, error) {
	c.bytes += int64(len(b))
	c.lines += int64(bytes.Count(b, []byte{'\n'}))
	if c.w != nil {
		return c.w.Write(b)
	}
	return len(b), nil
}

// runMeasured runs the binary to its end and returns its exit code, its
// output (counted, not kept), stderr, the peak RSS in bytes and the wall
// time. The peak is the child's VmHWM from /proc, read every 10 ms until it
// exits (the rusage Maxrss of a child that Go started with vfork also
// counts the parent's memory at exec time: the test process, not mxprobe).
func runMeasured(t *testing.T, bin string, args ...string) (code int, out *lineCounter, errOut string, rss int64, wall time.Duration) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LANG=C", "NO_COLOR=1"}
	out = &lineCounter{}
	var eb bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &eb
	start := time.Now()
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(3 * time.Minute)
wait:
	for {
		select {
		case <-done:
			break wait
		case <-tick.C:
			rss = max(rss, vmHWM(status))
		case <-deadline:
			cmd.Process.Kill()
			<-done
			t.Fatalf("%v did not end in 3 minutes", args)
		}
	}
	wall = time.Since(start)
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && rss == 0 {
		rss = ru.Maxrss * 1024 // no /proc: an upper bound (kilobytes on Linux)
	}
	return cmd.ProcessState.ExitCode(), out, eb.String(), rss, wall
}

// vmHWM returns the peak resident set of a process from its
// /proc/PID/status in bytes, or 0.
func vmHWM(status string) int64 {
	b, err := os.ReadFile(status)
	if err != nil {
		return 0
	}
	for _, ln := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(ln, "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb * 1024
		}
	}
	return 0
}

// TestBigFilesFlatMemory: explain --lines and logscan on ~100 MB stay
// within a generous memory bound and use about as much memory as on 10 MB.
func TestBigFilesFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 220 MB of input")
	}
	bin := buildMxprobe(t)
	dir := t.TempDir()
	const big, small = 100 << 20, 10 << 20
	const bound = 300 << 20
	// input returns a generated file of the kind and size and the number
	// of gen calls in it. The big one is ten copies of the small one,
	// written at disk speed: neither command keeps state across lines that
	// repeating would hide (the queue and destination maps are capped).
	type generated struct {
		path string
		n    int
	}
	inputs := map[string]generated{}
	var input func(kind string, gen func(*bufio.Writer, int), size int64) (string, int)
	input = func(kind string, gen func(*bufio.Writer, int), size int64) (string, int) {
		key := fmt.Sprintf("%s-%d", kind, size)
		if in, ok := inputs[key]; ok {
			return in.path, in.n
		}
		in := generated{path: filepath.Join(dir, key)}
		if size == small {
			in.n = genLines(t, in.path, small, gen)
		} else {
			smallPath, smallN := input(kind, gen, small)
			f := must(os.Create(in.path))
			for i := int64(0); i < size/small; i++ {
				src := must(os.Open(smallPath))
				if _, err := io.Copy(f, src); err != nil {
					t.Fatal(err)
				}
				src.Close()
				in.n += smallN
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}
		inputs[key] = in
		return in.path, in.n
	}
	for _, c := range []struct {
		name    string
		sizes   []int64
		perCall int // input lines per call of gen
		gen     func(*bufio.Writer, int)
		args    func(file string) []string
		code    int
		rows    func(lines int) int64 // output lines expected for the input lines
	}{
		{"explain --lines", []int64{small, big}, 1, replyLine, func(f string) []string { return []string{"explain", "--lines", f} }, 0,
			func(n int) int64 { return int64(n) }},
		// 100 MB of lines are 2 GB of NDJSON: the small run is enough.
		{"explain --lines -o json", []int64{small}, 1, replyLine, func(f string) []string { return []string{"explain", "--lines", f, "-o", "json"} }, 0,
			func(n int) int64 { return int64(n) }},
		{"logscan", []int64{small, big}, 4, postfixLines, func(f string) []string { return []string{"logscan", f} }, exitcode.Problems, nil},
		{"logscan -o json", []int64{small, big}, 4, postfixLines, func(f string) []string { return []string{"logscan", f, "-o", "json"} }, exitcode.Problems,
			func(n int) int64 { return int64(n) + 1 }}, // one delivery per message, the summary
	} {
		t.Run(c.name, func(t *testing.T) {
			var rssSmall int64
			for _, size := range c.sizes {
				file, n := input(strings.Fields(c.name)[0], c.gen, size)
				fi := must(os.Stat(file))
				code, out, errOut, rss, wall := runMeasured(t, bin, c.args(file)...)
				if code != c.code {
					t.Fatalf("%d MB: exit %d, want %d\n%s", size>>20, code, c.code, errOut)
				}
				if c.rows != nil && out.lines < c.rows(n) {
					t.Errorf("%d MB: %d output lines for %d inputs", size>>20, out.lines, n)
				}
				t.Logf("%3d MB (%d lines): peak RSS %.1f MB, %s, %.0f MB/s, %.0fk lines/s, %.0f MB out",
					fi.Size()>>20, n*c.perCall, float64(rss)/(1<<20), wall.Round(time.Millisecond), float64(fi.Size())/(1<<20)/wall.Seconds(),
					float64(n*c.perCall)/1000/wall.Seconds(), float64(out.bytes)/(1<<20))
				if rss == 0 {
					t.Skip("no peak RSS from the OS")
				}
				if rss > bound {
					t.Errorf("peak RSS %d MB on %d MB of input (bound %d MB)", rss>>20, size>>20, bound>>20)
				}
				if size == small {
					rssSmall = rss
					continue
				}
				// Flat: ten times the input, not ten times the memory (a
				// program that holds the input would need 100+ MB more).
				if rss > 2*rssSmall+32<<20 {
					t.Errorf("memory grows with the input: %d MB on 10 MB, %d MB on 100 MB", rssSmall>>20, rss>>20)
				}
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestBigFilesHostileLines: overlong lines, binary garbage and NUL bytes
// are handled one line at a time with bounded output; the lines after them
// are still read.
func TestBigFilesHostileLines(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	b.WriteString("550 5.1.1 user unknown\n")
	b.WriteString("550 5.7.1 " + strings.Repeat("A", 1<<20) + "\n")             // 1 MiB: beyond every line bound
	b.WriteString(strings.Repeat("\x00", 5000) + "550\x005.7.1\x00nul\n")       // NUL bytes
	b.WriteString("\xff\xfe\x80\x81 garbage \xc3\x28 \xed\xa0\x80 421 4.7.0\n") // invalid UTF-8
	for i := 0; i < 300; i++ {
		b.WriteByte(byte(i * 7))
	}
	b.WriteString("\n\r\n\r\r\r\n")
	b.WriteString("Mar  3 10:00:07 mail postfix/smtp[4107]: 9F7A6B8C9D: to=<x@live.de>, relay=eur.olc.protection.outlook.com[192.0.2.12]:25, dsn=5.7.1, status=bounced (host eur.olc.protection.outlook.com[192.0.2.12] said: 550 5.7.1 blocked (S3150) (in reply to MAIL FROM command))\n")
	b.WriteString(strings.Repeat("x", 70000)) // an overlong last line without newline
	file := filepath.Join(dir, "hostile.txt")
	os.WriteFile(file, b.Bytes(), 0o600)

	// explain --lines: one result per non-empty line, cut to the line bound.
	out, errOut, code := runCLI(t, nil, "explain", "--lines", file, "-o", "json")
	if code != 0 {
		t.Fatalf("explain --lines: exit %d\n%s", code, errOut)
	}
	var lines []int
	for _, ln := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct {
			Line  int    `json:"line"`
			Input string `json:"input"`
		}
		if err := json.Unmarshal([]byte(ln), &r); err != nil {
			t.Fatalf("not one JSON object per line: %v\n%.200s", err, ln)
		}
		lines = append(lines, r.Line)
	}
	if len(lines) < 6 || lines[0] != 1 || lines[1] != 2 {
		t.Fatalf("results for lines %v", lines)
	}
	if len(out) > 4<<20 {
		t.Errorf("explain wrote %d bytes for a %d-byte input", len(out), b.Len())
	}
	if !strings.Contains(out, "S3150") {
		t.Error("the log line after the hostile ones was not explained")
	}
	txt, _, code := runCLI(t, nil, "explain", "--lines", file)
	if code != 0 || strings.Count(txt, "\n") < 6 || len(txt) > 1<<20 {
		t.Errorf("explain --lines text: exit %d, %d bytes", code, len(txt))
	}

	// logscan: overlong lines skipped and counted, the delivery found.
	out, errOut, code = runCLI(t, nil, "logscan", file, "-o", "json")
	if code != exitcode.Problems {
		t.Fatalf("logscan: exit %d\n%s", code, errOut)
	}
	var sum struct {
		Type   string `json:"type"`
		Totals struct {
			Bounced int `json:"bounced"`
		} `json:"totals"`
		Stats struct {
			Overlong int `json:"overlong"`
		} `json:"stats"`
	}
	ls := strings.Split(strings.TrimSpace(out), "\n")
	if err := json.Unmarshal([]byte(ls[len(ls)-1]), &sum); err != nil || sum.Type != "summary" || sum.Totals.Bounced != 1 {
		t.Fatalf("logscan summary %+v %v\n%s", sum, err, out)
	}
	if sum.Stats.Overlong != 2 {
		t.Errorf("overlong lines counted %d, want 2 (%s)", sum.Stats.Overlong, ls[len(ls)-1])
	}
	// --max-line below the log line's length: it is skipped as well (the
	// bound held only from 256 KiB up before, the CLI's read buffer).
	out, errOut, code = runCLI(t, nil, "logscan", file, "--max-line", "256", "-o", "json")
	ls = strings.Split(strings.TrimSpace(out), "\n")
	if err := json.Unmarshal([]byte(ls[len(ls)-1]), &sum); err != nil || code != 0 || sum.Totals.Bounced != 0 || sum.Stats.Overlong != 4 {
		t.Errorf("logscan --max-line 256: exit %d, %+v\n%s", code, sum, errOut)
	}
}

// TestBigFilesUnreadable: a directory, a missing file, a file without read
// permission and a read error mid-stream are one line of error and exit 2.
func TestBigFilesUnreadable(t *testing.T) {
	dir := t.TempDir()
	noPerm := filepath.Join(dir, "noperm.log")
	os.WriteFile(noPerm, []byte("550 5.1.1 x\n"), 0o000)
	inputs := map[string]string{"a directory": dir, "a missing file": filepath.Join(dir, "missing.log")}
	if os.Geteuid() != 0 {
		inputs["no read permission"] = noPerm
	} else {
		t.Log("running as root: the permission case is not testable")
	}
	if _, err := os.Stat("/proc/self/mem"); err == nil {
		// Opens fine, every read fails (EIO at offset 0).
		inputs["a read error"] = "/proc/self/mem"
	}
	for what, path := range inputs {
		for _, args := range [][]string{{"explain", "--lines", path}, {"explain", "--message", path}, {"logscan", path}, {"logscan", path, "-o", "json"}} {
			out, errOut, code := runCLI(t, nil, args...)
			if code != exitcode.Usage {
				t.Errorf("%s, %v: exit %d, want 2 (%q)", what, args[:len(args)-1], code, errOut)
			}
			if strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "mxprobe: ") {
				t.Errorf("%s, %v: want one line of error, got %q", what, args[:2], errOut)
			}
			if args[0] == "explain" && out != "" && !strings.Contains(args[1], "lines") {
				t.Errorf("%s, %v: output %q", what, args[:2], out)
			}
		}
	}
}

// TestBigFilesMalformedDSN: broken bounces to explain --message give a
// result or a clear one-line error (exit 2), never a panic or a hang.
func TestBigFilesMalformedDSN(t *testing.T) {
	report := func(boundary, body string) string {
		return "From: MAILER-DAEMON@mx.example\r\nTo: a@sender.example\r\nSubject: Undelivered Mail\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/report; report-type=delivery-status; boundary=\"" + boundary + "\"\r\n\r\n" + body
	}
	deep := strings.Repeat("--b\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n", 5000)
	many := strings.Repeat("--r\r\nContent-Type: text/plain\r\n\r\nx\r\n", 3000)
	recips := "--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n" +
		strings.Repeat("Final-Recipient: rfc822; u@dest.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n", 2000) + "--r--\r\n"
	cases := map[string]string{
		"empty":               "",
		"only headers":        "Subject: hello\r\n",
		"no bounce":           "Subject: hi\r\n\r\nhello there\r\n",
		"boundary missing":    report("nope", "--other\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\n"),
		"empty boundary":      report("", "--\r\n\r\n--\r\n"),
		"unterminated report": report("r", "--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822;"),
		"garbage status": report("r", "--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns;\r\n\r\nFinal-Recipient: rfc822; <<>>@@\r\n"+
			"Action: explode\r\nStatus: 9.99.999999\r\nDiagnostic-Code: smtp; \x00\xff\xfe 999 9.9.9 "+strings.Repeat("z", 100000)+"\r\n--r--\r\n"),
		"base64 garbage":    report("r", "--r\r\nContent-Type: message/delivery-status\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!****not base64****\r\n--r--\r\n"),
		"qp garbage":        report("r", "--r\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=ZZ=\r\n=\r\n550 5.1.1 <u@dest.example>: unknown=\r\n--r--\r\n"),
		"deep nesting":      report("b", deep),
		"many parts":        report("r", many+"--r--\r\n"),
		"many recipients":   report("r", recips),
		"header line 1 MiB": "Subject: " + strings.Repeat("s", 1<<20) + "\r\nContent-Type: multipart/report; boundary=r\r\n\r\n--r\r\n",
		"NUL everywhere":    strings.Repeat("\x00", 10000),
		"binary":            string(bytes.Repeat([]byte{0xff, 0x00, 0x1b, '\n', '-', '-'}, 4000)),
		"text bounce, odd":  "Subject: failure notice\r\n\r\nHi. This is the qmail-send program.\r\n\r\n<u@dest.example>:\r\n\x00\x00 Sorry, no mailbox here by that name. (#5.1.1)\r\n",
	}
	dir := t.TempDir()
	for name, msg := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".eml")
			os.WriteFile(path, []byte(msg), 0o600)
			for _, format := range []string{"text", "json"} {
				start := time.Now()
				out, errOut, code := runCLI(t, nil, "explain", "--message", path, "-o", format)
				switch code {
				case 0, exitcode.Problems:
					// Text always says something; JSON is one object per
					// failed recipient (none: no output).
					if out == "" && format == "text" {
						t.Errorf("%s: exit %d without a result", format, code)
					}
					for _, ln := range strings.Split(strings.TrimSpace(out), "\n") {
						if format == "json" && ln != "" && !json.Valid([]byte(ln)) {
							t.Errorf("invalid JSON line: %.300s", ln)
						}
					}
				case exitcode.Usage:
					if strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "mxprobe: --message") || len(errOut) > 400 {
						t.Errorf("%s: unclear error %q", format, errOut)
					}
				default:
					t.Errorf("%s: exit %d\n%s", format, code, errOut)
				}
				if d := time.Since(start); d > 10*time.Second {
					t.Errorf("%s took %s", format, d)
				}
			}
		})
	}
}
