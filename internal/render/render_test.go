package render

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
)

func TestWrap(t *testing.T) {
	got := Wrap("Prüfen Sie die Rückwärtsauflösung Ihrer ausgehenden Adresse und den SPF-Eintrag der Absenderdomain, bevor Sie Microsoft schreiben.", 40, "  ")
	for _, l := range strings.Split(got, "\n") {
		if utf8.RuneCountInString(l) > 40 {
			t.Errorf("line too long: %q", l)
		}
		if !strings.HasPrefix(l, "  ") {
			t.Errorf("missing indent: %q", l)
		}
	}
	if !strings.Contains(got, "Rückwärtsauflösung") {
		t.Fatal("word lost")
	}
}

func TestNoColorWhenOff(t *testing.T) {
	var b bytes.Buffer
	Findings(&b, Styler{Color: false}, []report.Localized{{ID: "x.y", Severity: report.Fail, Title: "T", Advice: "A"}}, i18n.EN, false)
	if strings.Contains(b.String(), "\x1b[") {
		t.Fatalf("escape codes without colour: %q", b.String())
	}
	if c := (Styler{Color: true}).Severity(report.Fail, i18n.EN); !strings.Contains(c, "\x1b[") {
		t.Fatalf("no escape codes with colour: %q", c)
	}
}
