package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/lab"
	"github.com/mxprobe/mxprobe/internal/lab/imaplab"
)

// shellWords splits an example line as a shell would for the simple forms
// `mxprobe lab` prints: leading VAR=value assignments, words, and one
// double-quoted word.
func shellWords(line string) (env map[string]string, args []string) {
	env = map[string]string{}
	var cur strings.Builder
	inQuote, have := false, false
	flush := func() {
		if have {
			args = append(args, cur.String())
		}
		cur.Reset()
		have = false
	}
	for _, r := range line {
		switch {
		case r == '"':
			inQuote, have = !inQuote, true
		case r == ' ' && !inQuote:
			flush()
		default:
			cur.WriteRune(r)
			have = true
		}
	}
	flush()
	for len(args) > 0 && strings.Contains(args[0], "=") && !strings.HasPrefix(args[0], "-") {
		k, v, _ := strings.Cut(args[0], "=")
		env[k], args = v, args[1:]
	}
	return env, args
}

// TestLabExamplesRunClean runs every example line `mxprobe lab` prints
// against a lab started the way the command starts it: none is a usage
// error or incomplete, and none reports a false finding such as
// mtasts.fetch_failed (when the lab got port 443 for MTA-STS).
func TestLabExamplesRunClean(t *testing.T) {
	w, err := lab.Start(lab.Options{HTTPSAddr: "127.0.0.1:443"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, w.CA.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	g := &Globals{IO: &IOStreams{Out: &out, Getenv: func(string) string { return "" }}}
	printLab(g, w, caFile)
	_, try, ok := strings.Cut(out.String(), "Try\n")
	if !ok {
		t.Fatalf("no Try section:\n%s", out.String())
	}
	on443 := strings.HasSuffix(w.HTTPS.Addr(), ":443")
	n := 0
	for _, line := range strings.Split(try, "\n") {
		line = strings.TrimSpace(line)
		if !strings.Contains(line, "mxprobe ") || strings.HasPrefix(line, "Or ") {
			continue
		}
		n++
		env, words := shellWords(line)
		if words[0] != "mxprobe" {
			t.Fatalf("example does not start with mxprobe: %q", line)
		}
		env["XDG_STATE_HOME"], env["HOME"] = dir, dir
		stdout, stderr, code := runCLI(t, env, append(words[1:], "--format", "json")...)
		if code == exitcode.Usage || code == exitcode.Incomplete || strings.Contains(stderr, "mxprobe:") {
			t.Errorf("%s\nexit %d, stderr %s", line, code, stderr)
		}
		if on443 && strings.Contains(stdout, "mtasts.fetch_failed") {
			t.Errorf("%s\nreports mtasts.fetch_failed", line)
		}
	}
	if n < 5 {
		t.Fatalf("only %d example lines found:\n%s", n, try)
	}
	if !on443 {
		t.Log("port 443 was taken: MTA-STS findings of the examples not checked")
	}
}

// TestProbeLabFlow: after `probe send --lab`, `probe confirm --lab
// --pending` needs no --imap (the lab's mailboxes are the default), and it
// looks at what `probe list` shows as pending — nothing, since the lab
// probe was watched to its final verdict inside probe send.
func TestProbeLabFlow(t *testing.T) {
	env := map[string]string{"XDG_STATE_HOME": t.TempDir(), testNow: time.Now().UTC().Format(time.RFC3339Nano)}
	out, errOut, code := runCLI(t, env, "probe", "send", "--lab", "--to", "seed@ok.lab.test", "--from", "you@sender.lab.test", "--i-own-this-mailbox")
	if code != 0 || !strings.Contains(out, "delivered") && !strings.Contains(out, "Inbox") && !strings.Contains(out, "inbox") {
		t.Fatalf("probe send --lab: exit %d\n%s\n%s", code, out, errOut)
	}
	out, errOut, code = runCLI(t, env, "probe", "confirm", "--lab", "--pending")
	if code != 0 || strings.Contains(errOut, "--imap") {
		t.Fatalf("probe confirm --lab --pending: exit %d\n%s\n%s", code, out, errOut)
	}
	list, _, _ := runCLI(t, env, "probe", "list")
	if strings.Contains(list, "pending") || !strings.Contains(list, "delivered_inbox") {
		t.Errorf("probe list after the lab flow:\n%s", list)
	}
}

// TestConfirmScansWhatListShowsPending: windows given to confirm do not
// hide a probe that probe list (stored windows) shows as pending.
func TestConfirmScansWhatListShowsPending(t *testing.T) {
	l := newProbeLab(t, nil, map[string]imaplab.Behavior{labSeedUser: imaplab.Discard})
	p := l.send(labSeedUser)
	l.at(10) // past --final 3s below, within the stored 15m/24h/72h
	list, _, _ := l.run("probe", "list")
	if !strings.Contains(list, "pending") {
		t.Fatalf("probe list does not show the probe as pending:\n%s", list)
	}
	out, code := l.confirm("--expect", "1s", "--drop-after", "2s", "--final", "3s", "--format", "json")
	if !strings.Contains(out, p.Token) {
		t.Errorf("confirm with short windows did not look at %s (exit %d):\n%s", p.Token, code, out)
	}
}
