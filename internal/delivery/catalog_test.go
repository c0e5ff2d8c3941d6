package delivery

import (
	"testing"

	"github.com/mxprobe/mxprobe/internal/report"
)

// TestEveryStateInCatalog: findings.yaml defines every state's finding, and
// nothing else (a state added to States needs its entry there).
func TestEveryStateInCatalog(t *testing.T) {
	want := map[string]bool{}
	for _, s := range States {
		want[FindingID(s)] = true
		if _, ok := report.Lookup(FindingID(s)); !ok {
			t.Errorf("state %s has no finding %s in findings.yaml", s, FindingID(s))
		}
		if s.Title().IsZero() {
			t.Errorf("state %s has no title", s)
		}
	}
	defs, err := report.ParseCatalog(mustRead(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range defs {
		if !want[d.ID] {
			t.Errorf("findings.yaml defines %s, which is no state", d.ID)
		}
	}
}

func mustRead(t *testing.T) []byte {
	t.Helper()
	b, err := findingsYAML.ReadFile("findings.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}
