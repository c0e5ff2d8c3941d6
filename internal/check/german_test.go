package check

import (
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/dsn"
	"github.com/mxprobe/mxprobe/internal/i18n/i18ntest"
	"github.com/mxprobe/mxprobe/internal/lab"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/rules"
)

// The German text views are scanned in package view
// (TestGermanViewsHaveNoEnglish), where they are rendered; the scanner is
// internal/i18n/i18ntest.

// TestEnglishScannerCatches: the scanner finds what it is for (so the
// scans of the views and of the catalog can fail) and lets protocol tokens
// pass.
func TestEnglishScannerCatches(t *testing.T) {
	for _, bad := range []string{"Sperrlisten: clean", "MTA-STS: none", "abgebrochen: connect_refused (connect: connection refused)", "nimmt Probe-Nachrichten an",
		"Der Empfänger hat die Probe abgelehnt", "Das Seed-Postfach prüfen", "im Junk-Ordner", "mittlere Konfidenz", "um die Sicherheit zu erhöhen",
		"Delisting beantragen", "steht auf einer Blacklist", "auf einer Blockliste", "weitere Proben mit Kontrollproben", "beim selben Seed"} {
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

// TestInfinitiveInstructions: the check for instructions written as a bare
// infinitive finds them and lets statements and "Sie" pass.
func TestInfinitiveInstructions(t *testing.T) {
	for _, bad := range []string{"Eine neue Testmail senden, sobald die Verbindung funktioniert.", "Den Eintrag korrigieren: er muss mit v=DMARC1 beginnen.",
		"Nichts zu tun. Bei jeder Änderung die id= ändern.", "Quarantäne und Regeln prüfen; den Admin bitten."} {
		if len(i18ntest.InfinitiveInstructions(bad)) == 0 {
			t.Errorf("not caught: %q", bad)
		}
	}
	for _, good := range []string{"Prüfen Sie den Ruf der sendenden IP.", "Nur er kann die Austragung beantragen.",
		"Registrieren Sie die Domain, um Ruf und Spamrate zu sehen.", "Microsoft kann Nachrichten in den Spam-Ordner verschieben."} {
		if e := i18ntest.InfinitiveInstructions(good); len(e) > 0 {
			t.Errorf("false alarm in %q: %v", good, e)
		}
	}
}

// TestGermanFindingCatalog scans the German title and advice of every
// registered finding (of every package linked into this test: check's,
// delivery's, rules' …), the rulebooks' German texts and dsn's notes for
// English words and glossary violations. The delivery verdicts' reasons are
// scanned in package delivery (TestVerdictStates builds every state).
func TestGermanFindingCatalog(t *testing.T) {
	var found []string
	ids := map[string]bool{}
	for _, d := range report.All() {
		ids[d.ID] = true
		for _, e := range i18ntest.EnglishIn(d.Title.DE+"\n"+d.Advice.DE, nil) {
			found = append(found, d.ID+": "+e)
		}
		for _, e := range i18ntest.InfinitiveInstructions(d.Advice.DE) {
			found = append(found, d.ID+": Anweisung im Infinitiv (Glossar: „Prüfen Sie …“): "+e)
		}
	}
	// The delivery catalog must be among them, or the scan proves nothing
	// about it.
	if !ids[delivery.FindingID(delivery.StateSilentDrop)] {
		t.Errorf("delivery's findings are not registered in this test: %d ids", len(ids))
	}
	nrules := 0
	for _, b := range rules.Books() {
		for _, r := range b.Rules {
			nrules++
			for _, e := range i18ntest.EnglishIn(r.Text.DE+"\n"+r.Advice.DE, nil) {
				found = append(found, r.ID+": "+e)
			}
			for _, e := range i18ntest.InfinitiveInstructions(r.Advice.DE) {
				found = append(found, r.ID+": Anweisung im Infinitiv: "+e)
			}
		}
	}
	if nrules == 0 {
		t.Error("no rulebook rules to scan")
	}
	for _, k := range []dsn.Kind{dsn.KindComplaint, dsn.KindAutoReply, dsn.KindJunkReport, dsn.KindUnsubscribe} {
		n, ok := dsn.KindNote(k)
		if !ok {
			t.Errorf("dsn kind %v has no note", k)
		}
		texts := []string{n.Title.DE, n.Text.DE}
		for _, a := range n.Advice {
			texts = append(texts, a.DE)
		}
		for _, e := range i18ntest.EnglishIn(strings.Join(texts, "\n"), nil) {
			found = append(found, "dsn note "+string(k)+": "+e)
		}
		for _, e := range i18ntest.InfinitiveInstructions(strings.Join(texts, "\n")) {
			found = append(found, "dsn note "+string(k)+": Anweisung im Infinitiv: "+e)
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

// evidenceLabel is the part of an evidence item we write ourselves: the
// words before the first ": " ("notAfter: 2027-…" → "notAfter"). The rest
// quotes data (records, replies, host names, resolver errors) verbatim and
// is not scanned; an item without a label is data only.
func evidenceLabel(e string) string {
	label, _, ok := strings.Cut(e, ": ")
	if !ok {
		return ""
	}
	return label
}

// TestGermanEvidenceLabels: the labels of evidence items (shown under -v in
// both languages) are language-neutral — no English words — in every
// finding of every lab scenario's check and dns run (issue 11 item 5).
func TestGermanEvidenceLabels(t *testing.T) {
	w := judgeWorld(t, false)
	var found []string
	for _, sc := range lab.Scenarios() {
		if sc.Domain == "tarpit.lab.test" || strings.HasPrefix(sc.Domain, "hostile-") && sc.Domain != "hostile-8bit.lab.test" {
			continue // they only end by a timeout; their labels are those of the closed/hostile scenarios
		}
		fs := append(judgeRun(t, w, sc.Domain, nil).RawFindings(), judgeDNS(t, w, sc.Domain).RawFindings()...)
		for _, f := range fs {
			for _, e := range f.Evidence {
				for _, x := range i18ntest.EnglishIn(evidenceLabel(e), nil) {
					found = append(found, sc.Domain+": "+f.ID+": "+x)
				}
			}
		}
	}
	found = i18ntest.Uniq(found)
	if len(found) > 0 {
		t.Errorf("%d English evidence labels:\n%s", len(found), strings.Join(found, "\n"))
	}
}

func TestEvidenceLabel(t *testing.T) {
	for in, want := range map[string]string{"notAfter: 2027-03-06": "notAfter", "mx.example TLSA 3 1 1 ab": "", "192.0.2.1:25: closed: eof": "192.0.2.1:25"} {
		if got := evidenceLabel(in); got != want {
			t.Errorf("evidenceLabel(%q) = %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"warning: max_age 86400", "not after: 2027-03-06", "mx not matched: mx.example"} {
		if len(i18ntest.EnglishIn(evidenceLabel(bad), nil)) == 0 {
			t.Errorf("English label not caught: %q", bad)
		}
	}
}
