package view

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/render"
)

// TestColourSameLayout: with colour on, the text wraps exactly as without
// (escape codes take no columns), and without colour there is no escape.
func TestColourSameLayout(t *testing.T) {
	const rejected = "550 5.7.1 Client host rejected: cannot find your reverse hostname (no PTR record)"
	v := Check(reportWith(false, rejected, f("rdns.missing"), f("dmarc.missing"), f("smtp.rcpt_rejected", rejected)), Options{})
	var plain, col strings.Builder
	Text(&plain, v, i18n.DE, render.Styler{})
	Text(&col, v, i18n.DE, render.Styler{Color: true})
	if strings.Contains(plain.String(), "\x1b[") {
		t.Fatal("escape codes without colour")
	}
	if !strings.Contains(col.String(), "\x1b[") {
		t.Fatal("no escape codes with colour")
	}
	if got := stripANSI(col.String()); got != plain.String() {
		t.Fatalf("colour changes the layout:\n%s\n---\n%s", got, plain.String())
	}
	for _, l := range strings.Split(plain.String(), "\n") {
		if utf8.RuneCountInString(l) > 80 {
			t.Errorf("line over 80 columns: %q", l)
		}
	}
}
