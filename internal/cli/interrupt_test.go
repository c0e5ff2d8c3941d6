package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/exitcode"
)

// TestCheckInterruptedInProcess: a cancelled context (what SIGINT does via
// signal.NotifyContext) ends check at once with 130 and no partial JSON.
func TestCheckInterruptedInProcess(t *testing.T) {
	var out, errb bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	code := Run(ctx, []string{"check", "--lab", "--format", "json", "tarpit.lab.test"},
		&IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errb, Getenv: func(string) string { return "" }})
	if code != exitcode.Interrupted {
		t.Fatalf("exit %d, want 130 (stderr %q)", code, errb.String())
	}
	if out.Len() != 0 {
		t.Fatalf("partial output printed: %q", out.String())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %s after the interrupt", d)
	}
}

// TestCheckSIGINT sends a real SIGINT to the built binary.
func TestCheckSIGINT(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "mxprobe")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/mxprobe")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	var out, errb bytes.Buffer
	cmd := exec.Command(bin, "check", "--lab", "--format", "json", "tarpit.lab.test")
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // let the lab start and the dialogue begin
	sent := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("no exit 10 s after SIGINT")
	}
	if code := cmd.ProcessState.ExitCode(); code != exitcode.Interrupted {
		t.Fatalf("exit %d, want 130; stderr %q", code, errb.String())
	}
	if out.Len() != 0 {
		t.Fatalf("partial JSON printed: %q", out.String())
	}
	t.Logf("exited %s after SIGINT", time.Since(sent))
}
