package render

import (
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
	if c := (Styler{Color: false}).Severity(report.Fail, i18n.EN) + (Styler{}).Bold("x"); strings.Contains(c, "\x1b[") {
		t.Fatalf("escape codes without colour: %q", c)
	}
	if c := (Styler{Color: true}).Severity(report.Fail, i18n.EN); !strings.Contains(c, "\x1b[") {
		t.Fatalf("no escape codes with colour: %q", c)
	}
}

func TestColumns(t *testing.T) {
	for _, c := range []struct{ in, want int }{{0, 80}, {10, 40}, {120, 120}, {1000, 200}} {
		if got := (Styler{Width: c.in}).Columns(); got != c.want {
			t.Errorf("Columns(%d) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestWrapHangWidth(t *testing.T) {
	text := strings.Repeat("Rückwärtsauflösung und ", 12)
	for _, c := range []struct{ first, rest string }{{"  · ", "    "}, {"", "          "}, {"        ", "  "}} {
		got := WrapHang(text, 40, c.first, c.rest)
		for i, l := range strings.Split(got, "\n") {
			if utf8.RuneCountInString(l) > 40 {
				t.Errorf("%q/%q: line %d too long: %q", c.first, c.rest, i, l)
			}
			if want := c.rest; i == 0 && !strings.HasPrefix(l, c.first) || i > 0 && !strings.HasPrefix(l, want) {
				t.Errorf("%q/%q: line %d lacks its prefix: %q", c.first, c.rest, i, l)
			}
		}
	}
}
