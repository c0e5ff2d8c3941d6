package cli

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/exitcode"
)

var bounceCorpus = filepath.Join("..", "..", "testdata", "bounces", "sisimai-set-of-emails", "mails")
var bounceFixtures = filepath.Join("..", "..", "testdata", "bounces", "fixtures")

// corpusMaildir copies the development set into a maildir (cur/).
func corpusMaildir(t testing.TB) (dir string, n int) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "Maildir")
	for _, s := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, s), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	names, err := filepath.Glob(filepath.Join(bounceCorpus, "*.eml"))
	if err != nil || len(names) < 300 {
		t.Fatalf("corpus: %d files, %v", len(names), err)
	}
	for i, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "cur", strings.Repeat("0", 6-len(itoa(i)))+itoa(i)+"."+filepath.Base(name)+":2,S"), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir, len(names)
}

func itoa(i int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(i)) }

func fmtInt(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// TestExplainMessageMaildir: a maildir of the development set streams one
// NDJSON object per recipient, complaint and auto-reply, each with its
// source, and every line is a whole JSON object.
func TestExplainMessageMaildir(t *testing.T) {
	dir, n := corpusMaildir(t)
	out, errOut, code := runExplain(t, "", "explain", "--message", dir, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	kinds := map[string]int{}
	sources := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	lines := 0
	for sc.Scan() {
		lines++
		var r explainMessageResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %d: %v", lines, err)
		}
		kinds[string(r.Recipient.Kind)]++
		sources[r.Source] = true
		if r.Recipient.Reason == "" || (r.Explanation == nil) == (r.Note == nil) {
			t.Fatalf("line %d incomplete: %s", lines, sc.Text())
		}
	}
	if lines < 340 || kinds["complaint"] < 15 || len(sources) < n-5 {
		t.Errorf("%d lines from %d of %d messages, kinds %v", lines, len(sources), n, kinds)
	}
	if !strings.Contains(errOut, "skipped") {
		t.Errorf("the skipped messages are not counted on stderr: %q", errOut)
	}
}

// TestExplainMessageMbox: an mbox is split at its From_ lines (RFC 4155),
// ">From " quoting undone, and each message explained; the text view
// prints one line per result and each distinct cause's card once.
func TestExplainMessageMbox(t *testing.T) {
	var mbox strings.Builder
	// An unknown user with another status code (5.2.1), as GMX's Exim
	// writes it.
	gmx521 := "From: Mail Delivery System <mailer-daemon@gmx.test>\nTo: a@sender.test\nSubject: Mail delivery failed: returning message to sender\n\n" +
		"This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of\n" +
		"its recipients. This is a permanent error. The following address\nfailed:\n\n\"dora@receiver.test\":\nSMTP error from remote server after RCPT command:\n" +
		"host: mx.receiver.test\n5.2.1 <dora@receiver.test>... User Unknown\n"
	for _, f := range []string{"postfix.eml", "postfix.eml", "arf-jmrp.eml", "microsoft-junk-report.eml", "autoreply-de.eml", "gmx521"} {
		b, err := os.ReadFile(filepath.Join(bounceFixtures, f))
		if f == "gmx521" {
			b, err = []byte(gmx521), nil
		}
		if err != nil {
			t.Fatal(err)
		}
		mbox.WriteString("From MAILER-DAEMON Sat Dec  5 10:00:00 2026\n")
		for _, line := range strings.SplitAfter(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n") {
			if strings.HasPrefix(line, "From ") {
				line = ">" + line
			}
			mbox.WriteString(line)
		}
		mbox.WriteString("\n")
	}
	path := filepath.Join(t.TempDir(), "bounces.mbox")
	if err := os.WriteFile(path, []byte(mbox.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runExplain(t, "", "explain", "--message", path, "--lang", "de")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"bounces.mbox#1 ", "bounces.mbox#2 ", "bounces.mbox#3 Beschwerde someone@hotmail.test", "bounces.mbox#4 Spam-Meldung kunde@outlook.test",
		"bounces.mbox#5 Auto-Antwort petra@firma.test", "Spam-Meldung von Microsoft", "Daten Dritter", "SRS", "JMRP"} {
		// Words of a wrapped paragraph may stand on two lines.
		if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	// Two messages with the same two causes, and a third unknown user with
	// another status code (5.2.1): each card once.
	if !strings.Contains(out, "bounces.mbox#6 failed dora@receiver.test 5.2.1 userunknown") {
		t.Errorf("5.2.1 line missing\n%s", out)
	}
	if c := strings.Count(out, "Die Empfängeradresse existiert nicht"); c != 1 {
		t.Errorf("userunknown card printed %d times\n%s", c, out)
	}
	if c := strings.Count(out, " failed bob@receiver.test "); c != 2 {
		t.Errorf("recipient line printed %d times, want 2", c)
	}
}

// TestExplainMessageStdinAndErrors: "-" reads standard input; input that is
// no mail, or a mail that is no report, is a usage error (exit 2).
func TestExplainMessageStdinAndErrors(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(bounceFixtures, "dsn-delivered-relayed-expanded.eml"))
	if err != nil {
		t.Fatal(err)
	}
	out, _, code := runExplain(t, string(b), "explain", "--message", "-", "-o", "json")
	if code != 0 || strings.Count(out, "\n") != 3 || !strings.Contains(out, `"action":"delivered"`) || !strings.Contains(out, `"reason":"delivered"`) {
		t.Errorf("success DSN: exit %d\n%s", code, out)
	}
	for _, in := range []string{"\x00\x01 binary garbage", "From: a@example.test\nSubject: hi\n\nhello\n"} {
		out, errOut, code := runExplain(t, in, "explain", "--message", "-")
		if code != exitcode.Usage || out != "" || !strings.HasPrefix(errOut, "mxprobe: ") {
			t.Errorf("%q: exit %d out %q err %q", in, code, out, errOut)
		}
	}
}

// BenchmarkExplainMessageMaildir: explain --message -o json over a maildir
// of the development set (issue 13: ≥ 2,000 messages/s on one core).
func BenchmarkExplainMessageMaildir(b *testing.B) {
	dir, n := corpusMaildir(b)
	b.ResetTimer()
	for b.Loop() {
		if _, errOut, code := runExplain(b, "", "explain", "--message", dir, "-o", "json"); code != 0 {
			b.Fatal(errOut)
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "msgs/s")
}
