package check

import (
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/i18n/i18ntest"
	"github.com/mxprobe/mxprobe/internal/lab"
	"github.com/mxprobe/mxprobe/internal/report"
)

// The German text views are scanned in package view
// (TestGermanViewsHaveNoEnglish), where they are rendered; the scanner is
// internal/i18n/i18ntest.

// TestEnglishScannerCatches: the scanner finds what it is for (so the
// scans of the views and of the catalog can fail) and lets protocol tokens
// pass.
func TestEnglishScannerCatches(t *testing.T) {
	for _, bad := range []string{"Sperrlisten: clean", "MTA-STS: none", "abgebrochen: connect_refused (connect: connection refused)", "nimmt Probe-Nachrichten an"} {
		if len(i18ntest.EnglishIn(bad, nil)) == 0 {
			t.Errorf("not caught: %q", bad)
		}
	}
	for _, good := range []string{"SPF pass sender.lab.test (ip4:127.0.0.1)", "MTA-STS: gültig, Modus enforce", "RCPT 250 2.1.5 Recipient OK",
		"Das Ziel nimmt die Testmail an [smtp.rcpt_accepted]", "DMARC: p=none", "STARTTLS, TLS 1.3, SMTPUTF8, DSN"} {
		if e := i18ntest.EnglishIn(good, nil); len(e) > 0 {
			t.Errorf("false alarm in %q: %v", good, e)
		}
	}
}

// TestGermanFindingCatalog scans the German title and advice of every
// registered finding (of every package linked into this test) for English
// words and glossary violations.
func TestGermanFindingCatalog(t *testing.T) {
	var found []string
	for _, d := range report.All() {
		for _, e := range i18ntest.EnglishIn(d.Title.DE+"\n"+d.Advice.DE, nil) {
			found = append(found, d.ID+": "+e)
		}
	}
	for _, sc := range lab.Scenarios() {
		for _, e := range i18ntest.EnglishIn(sc.Title.DE, nil) {
			found = append(found, sc.Domain+": "+e)
		}
	}
	if len(found) > 0 {
		t.Errorf("%d English fragments in the German finding catalog:\n%s", len(found), strings.Join(found, "\n"))
	}
}
