package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestColourOnlyOnTTY: colour appears only when stdout is a terminal and
// neither --no-color nor NO_COLOR says otherwise.
func TestColourOnlyOnTTY(t *testing.T) {
	run := func(tty bool, env map[string]string, extra ...string) string {
		var out, errb bytes.Buffer
		io := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errb, OutTTY: tty,
			Getenv: func(k string) string { return env[k] }}
		Run(context.Background(), append([]string{"check", "--lab", "reject.lab.test"}, extra...), io)
		return out.String()
	}
	if s := run(true, nil); !strings.Contains(s, "\x1b[") {
		t.Fatal("no colour on a terminal")
	}
	if s := run(false, nil); strings.Contains(s, "\x1b[") {
		t.Fatal("colour when piped")
	}
	if s := run(true, map[string]string{"NO_COLOR": "1"}); strings.Contains(s, "\x1b[") {
		t.Fatal("colour despite NO_COLOR")
	}
	if s := run(true, nil, "--no-color"); strings.Contains(s, "\x1b[") {
		t.Fatal("colour despite --no-color")
	}
	if s := run(true, nil, "--format", "json"); strings.Contains(s, "\x1b[") {
		t.Fatal("colour in JSON")
	}
	// The same facts in both languages: the German run names the same ids.
	de := run(false, map[string]string{"LANG": "de_DE.UTF-8"})
	if !strings.Contains(de, "Empfänger abgelehnt") || !strings.Contains(de, "[smtp.rcpt_rejected]") {
		t.Fatalf("LANG=de_DE did not give German output:\n%s", de)
	}
}
