package check

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/lab"
	"github.com/mxprobe/mxprobe/internal/report"
)

// TestRunBulkOrderAndBadLines: reports come in input order whatever the
// concurrency; a line that is not a target gives a Failed report with its
// typed error, the other lines are still checked.
func TestRunBulkOrderAndBadLines(t *testing.T) {
	w, err := lab.Start(lab.Options{Only: []string{"ok.lab.test", "reject.lab.test"}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	base := labOptions(t, w, "ok.lab.test", true)
	targets := []string{"reject.lab.test", "a@b@c", "ok.lab.test", "<x@ok.lab.test>", "ok.lab.test"}
	var got []string
	err = RunBulk(context.Background(), targets, BulkOptions{Base: base, Concurrency: 3, Timeout: 20 * time.Second},
		func(i int, r *Report) error {
			if r.Target.Input != targets[i] {
				t.Errorf("report %d is for %q, want %q", i, r.Target.Input, targets[i])
			}
			got = append(got, string(r.Verdict))
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{string(report.VerdictFail), string(report.VerdictIncomplete), string(report.VerdictOK), string(report.VerdictIncomplete), string(report.VerdictOK)}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("verdicts %v, want %v", got, want)
	}
}

// TestRunBulkStopsOnEmitError: the first error of emit ends the run and is
// returned; no goroutine is left behind (RunBulk waits for its workers).
func TestRunBulkStopsOnEmitError(t *testing.T) {
	w, err := lab.Start(lab.Options{Only: []string{"ok.lab.test"}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	base := labOptions(t, w, "ok.lab.test", true)
	stop := errors.New("stop")
	n := 0
	err = RunBulk(context.Background(), []string{"ok.lab.test", "ok.lab.test", "ok.lab.test"}, BulkOptions{Base: base, Concurrency: 1, Timeout: 20 * time.Second},
		func(int, *Report) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("err %v after %d emits, want stop after 1", err, n)
	}
}

func TestReadTargets(t *testing.T) {
	got, err := ReadTargets(strings.NewReader("# list\n\n ok.lab.test \nuser@x.test\n"))
	if err != nil || strings.Join(got, ",") != "ok.lab.test,user@x.test" {
		t.Fatalf("got %v, %v", got, err)
	}
	if _, err := ReadTargets(strings.NewReader("\n# only comments\n")); !errors.Is(err, ErrNoTargets) {
		t.Errorf("empty list: %v", err)
	}
	if _, err := ReadTargets(strings.NewReader(strings.Repeat("x", MaxTargetLine+1))); err == nil {
		t.Error("an overlong line was accepted")
	}
}
