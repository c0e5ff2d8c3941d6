package report

import (
	"testing"

	"github.com/mxprobe/mxprobe/internal/i18n"
)

func TestRegistryComplete(t *testing.T) {
	// Every registered id (from every package linked into this test binary and,
	// via the cli test, the whole program) needs both languages.
	for _, d := range All() {
		if !d.Title.Complete() || !d.Advice.Complete() {
			t.Errorf("finding %s lacks EN or DE title/advice", d.ID)
		}
		if _, ok := ParseSeverity(string(d.Severity)); !ok {
			t.Errorf("finding %s has bad severity %q", d.ID, d.Severity)
		}
	}
}

func TestLocalizeOrder(t *testing.T) {
	Register(Def{ID: "test.a", Severity: Warn, Title: i18n.T("A", "Ä"), Advice: i18n.T("do", "tu")},
		Def{ID: "test.b", Severity: Fail, Title: i18n.T("B", "B"), Advice: i18n.T("do", "tu")})
	fs := []Finding{New("test.a", Detailf("x %d", "x %d", 1)), New("test.b", i18n.Text{})}
	l := LocalizeAll(fs, i18n.DE)
	if l[0].ID != "test.b" || l[1].Title != "Ä" || l[1].Detail != "x 1" {
		t.Fatalf("unexpected %+v", l)
	}
	if VerdictOf(fs, false) != VerdictFail || VerdictOf(fs, true) != VerdictIncomplete || VerdictOf(nil, false) != VerdictOK {
		t.Fatal("verdict mapping wrong")
	}
}
