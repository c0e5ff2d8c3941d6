// Package reporttest holds test helpers shared by the checks: the finding
// catalog check and the JSON key check. Only test files import it.
package reporttest

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
)

// Catalog checks that the finding ids starting with prefix (e.g. "dane.")
// are registered with an English and a German title and advice, and that the
// German text is not the English one copied. It fails when none is found.
func Catalog(t *testing.T, prefix string) {
	t.Helper()
	n := 0
	for _, d := range report.All() {
		if !strings.HasPrefix(d.ID, prefix) {
			continue
		}
		n++
		if !d.Title.Complete() || !d.Advice.Complete() {
			t.Errorf("%s: title or advice missing in a language", d.ID)
		}
		if d.Title.EN == d.Title.DE && len(d.Title.EN) > 12 || d.Advice.EN == d.Advice.DE {
			t.Errorf("%s: German text equals English", d.ID)
		}
	}
	if n == 0 {
		t.Fatalf("no findings registered with prefix %q", prefix)
	}
}

var snake = regexp.MustCompile(`^[a-z0-9][a-z0-9_]*$`)

// SnakeJSON marshals v, checks that every object key is snake_case (the
// public JSON contract) and returns the decoded object.
func SnakeJSON(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			for k, v := range x {
				if !snake.MatchString(k) {
					t.Errorf("JSON key %q is not snake_case in %s", k, b)
				}
				walk(v)
			}
		case []any:
			for _, v := range x {
				walk(v)
			}
		}
	}
	walk(m)
	return m
}

// Must fails the test at once on a non-nil error.
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Ctx is a context that ends after 10 s or with the test.
func Ctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// IDs are the finding ids of fs, sorted (duplicates kept).
func IDs(fs []report.Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.ID)
	}
	slices.Sort(out)
	return out
}

// Severities maps each finding id of fs to its highest severity.
func Severities(fs []report.Finding) map[string]report.Severity {
	m := map[string]report.Severity{}
	for _, f := range fs {
		if old, ok := m[f.ID]; !ok || f.Severity.Rank() > old.Rank() {
			m[f.ID] = f.Severity
		}
	}
	return m
}

// Texts fails on unformatted or half-translated finding details and on
// findings without a title or advice in a language.
func Texts(t testing.TB, fs []report.Finding) {
	t.Helper()
	for _, f := range fs {
		if !f.Detail.Complete() || strings.Contains(f.Detail.EN+f.Detail.DE, "%!") {
			t.Errorf("finding %s has a bad detail %+v", f.ID, f.Detail)
		}
		for _, l := range []i18n.Lang{i18n.EN, i18n.DE} {
			if loc := f.Localize(l); loc.Title == "" || loc.Advice == "" {
				t.Errorf("finding %s lacks title or advice in %s", f.ID, l)
			}
		}
	}
}
