package dane

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/report"
)

// Every finding id of this package is registered with an English and a
// German title and advice.
func TestFindingCatalog(t *testing.T) {
	n := 0
	for _, d := range report.All() {
		if !strings.HasPrefix(d.ID, "dane.") {
			continue
		}
		n++
		if !d.Title.Complete() || !d.Advice.Complete() {
			t.Errorf("%s: title or advice missing in a language", d.ID)
		}
		if d.Title.EN == d.Title.DE || d.Advice.EN == d.Advice.DE {
			t.Errorf("%s: German text equals English", d.ID)
		}
	}
	if n == 0 {
		t.Fatal("no findings registered")
	}
}

var snake = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// checkJSON marshals v and checks that every object key is snake_case.
func checkJSON(t *testing.T, v any) map[string]any {
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
