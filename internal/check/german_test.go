package check

import (
	"bytes"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/lab"
	"github.com/mxprobe/mxprobe/internal/mxdialog"
	"github.com/mxprobe/mxprobe/internal/report"
)

// englishWords are words that betray English in German output. Words that
// are the same in both languages (Status, Service, Spam, …) are not here.
var englishWords = wordSet(`the and or of is are were be been not no none yes with without from for to
by at on into this that these those it its has have had can cannot could will would should may must
clean ok okay missing valid invalid unknown tried listed unlisted accepted rejected refused deferred
failed failure error errors timeout timed lookup lookups selector selectors record records found
banner greeting connection connect connected closed days day left certificate expired issued
address addresses sender recipient mailbox message messages delivered delivery policy policies
enforced published publishes reached reply replies answered answer
block list lists asked checked check checks more further less than only but because after before
does did done than which who what when where why how there here some any every each other another
our your their you we they he she his her them my me us one two three none matches match matching
through over under via about against between during until while since still already just
names seen sees see saw says said shows show shown given give gives use used uses using
forward confirmed reverse missing warning warnings`)

// glossaryViolations are German words the glossary (docs/glossary.md)
// replaces: the other word for the same concept.
var glossaryViolations = map[string]string{
	"Probe": "Testmail", "Probe-Nachricht": "Testmail", "Probe-Nachrichten": "Testmails", "Seed-Postfach": "Testpostfach",
	"Unzustellbarkeitsmeldung": "Unzustellbarkeitsnachricht", "Konfidenz": "Aussagekraft", "Blockliste": "Sperrliste",
	"Blocklisten": "Sperrlisten", "Blacklist": "Sperrliste", "Greylisting-Verzögerung": "Zurückstellung",
}

func proseWords(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '\'')
	}) {
		// Words with digits are names (selector1, k2), not prose.
		if w = strings.Trim(w, "-'"); w != "" && !strings.ContainsAny(w, "0123456789") {
			out = append(out, w)
		}
	}
	return out
}

func allIn(ws []string, set map[string]bool) bool {
	for _, w := range ws {
		if !set[strings.ToLower(w)] {
			return false
		}
	}
	return true
}

// replyVocabulary collects the words of every server reply in rep.
func replyVocabulary(rep *Report) map[string]bool {
	m := map[string]bool{}
	for _, h := range rep.MX {
		for _, a := range h.Addresses {
			for _, r := range []*mxdialog.Result{a.SMTP, a.AcceptAllTest} {
				if r == nil {
					continue
				}
				var texts []string
				for _, x := range r.Replies {
					texts = append(texts, x.Text)
				}
				for _, x := range r.Transcript {
					if x.Dir == "S" {
						texts = append(texts, x.Text)
					}
				}
				for _, x := range texts {
					for _, w := range proseWords(x) {
						m[strings.ToLower(w)] = true
					}
				}
			}
		}
	}
	return m
}

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// Parts of a German view that are not German text and may hold English:
// server replies (verbatim after their code), protocol values (mode none,
// p=reject, SPF results in parentheses), ids in brackets, quoted strings,
// URLs, host and record names.
var notProse = []*regexp.Regexp{
	regexp.MustCompile(`\b[245]\d\d[ -][0-9.]*.*$`),         // a server reply, to the end of the line
	regexp.MustCompile(`\[[a-z0-9_.]+\]`),                   // finding ids
	regexp.MustCompile(`\bmxprobe [a-z]+`),                  // command lines
	regexp.MustCompile(`--[a-z0-9-]+`),                      // flags
	regexp.MustCompile(`\S+…`),                              // a word cut short (shortened reply)
	regexp.MustCompile(`„[^“]*“|"[^"]*"|«[^»]*»`),           // quotations
	regexp.MustCompile(`\b(Modus|mode|p|sp|pct|id)[ =]\S+`), // protocol values
	regexp.MustCompile(`\((pass|fail|softfail|neutral|none|permerror|temperror)\)`),
	regexp.MustCompile(`\bSPF (pass|fail|softfail|neutral|none|permerror|temperror)\b`),
	regexp.MustCompile(`\S*[./@=:<>_\\\[\]]\S*`), // host names, addresses, URLs, tags
}

// englishIn returns the English words and glossary violations in a German
// text view (with the line they stand in). replyWords are the words of the
// server replies shown in it: a line made of them only is a wrapped reply,
// which is quoted verbatim.
func englishIn(text string, replyWords map[string]bool) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "·") {
			continue // evidence: its labels are scanned by TestGermanEvidenceLabels, its data is quoted verbatim
		}
		prose := strings.ReplaceAll(line, "’", "'")
		for _, re := range notProse {
			prose = re.ReplaceAllString(prose, " ")
		}
		words := proseWords(prose)
		if len(words) > 0 && allIn(words, replyWords) {
			continue
		}
		for _, w := range words {
			if englishWords[strings.ToLower(w)] && w != strings.ToUpper(w) || englishWords[w] {
				out = append(out, w+"  ⟵ "+strings.TrimSpace(line))
			}
			if alt, bad := glossaryViolations[w]; bad {
				out = append(out, w+" (Glossar: "+alt+")  ⟵ "+strings.TrimSpace(line))
			}
		}
	}
	return out
}

// TestGermanViewsHaveNoEnglish renders every lab scenario's `check` and
// `dns` text views in German (default and -v) and fails on English words
// and on words the glossary replaces.
func TestGermanViewsHaveNoEnglish(t *testing.T) {
	w := judgeWorld(t, false)
	var found []string
	for _, sc := range lab.Scenarios() {
		if sc.Domain == "tarpit.lab.test" || strings.HasPrefix(sc.Domain, "hostile-") && sc.Domain != "hostile-8bit.lab.test" {
			continue // they only end by a timeout; their texts are covered by the closed/hostile scenarios
		}
		rep := judgeRun(t, w, sc.Domain, nil)
		d := judgeDNS(t, w, sc.Domain)
		for _, verbose := range []bool{false, true} {
			var b bytes.Buffer
			rep.RenderText(&b, TextOptions{Lang: i18n.DE, Verbose: verbose})
			d.RenderText(&b, TextOptions{Lang: i18n.DE, Verbose: verbose})
			for _, e := range englishIn(b.String(), replyVocabulary(rep)) {
				found = append(found, sc.Domain+": "+e)
			}
		}
	}
	found = uniq(found)
	if os.Getenv("MXPROBE_GERMAN_REPORT") != "" {
		os.WriteFile(os.Getenv("MXPROBE_GERMAN_REPORT"), []byte(strings.Join(found, "\n")), 0o644)
	}
	if len(found) > 0 {
		t.Errorf("%d English fragments in German views, e.g.:\n%s", len(found), strings.Join(found[:min(len(found), 40)], "\n"))
	}
}

// TestEnglishScannerCatches: the scanner finds what it is for (so the test
// above can fail) and lets protocol tokens pass.
func TestEnglishScannerCatches(t *testing.T) {
	for _, bad := range []string{"Sperrlisten: clean", "MTA-STS: none", "abgebrochen: connect_refused (connect: connection refused)", "nimmt Probe-Nachrichten an"} {
		if len(englishIn(bad, nil)) == 0 {
			t.Errorf("not caught: %q", bad)
		}
	}
	for _, good := range []string{"SPF pass sender.lab.test (ip4:127.0.0.1)", "MTA-STS: gültig, Modus enforce", "RCPT 250 2.1.5 Recipient OK",
		"Das Ziel nimmt die Testmail an [smtp.rcpt_accepted]", "DMARC: p=none", "STARTTLS, TLS 1.3, SMTPUTF8, DSN"} {
		if e := englishIn(good, nil); len(e) > 0 {
			t.Errorf("false alarm in %q: %v", good, e)
		}
	}
}

func uniq(xs []string) []string {
	sort.Strings(xs)
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// TestGermanFindingCatalog scans the German title and advice of every
// registered finding (of every package linked into this test) for English
// words and glossary violations.
func TestGermanFindingCatalog(t *testing.T) {
	var found []string
	for _, d := range report.All() {
		for _, e := range englishIn(d.Title.DE+"\n"+d.Advice.DE, nil) {
			found = append(found, d.ID+": "+e)
		}
	}
	for _, sc := range lab.Scenarios() {
		for _, e := range englishIn(sc.Title.DE, nil) {
			found = append(found, sc.Domain+": "+e)
		}
	}
	if len(found) > 0 {
		t.Errorf("%d English fragments in the German finding catalog:\n%s", len(found), strings.Join(found, "\n"))
	}
}

// evidenceLabel is the part of an evidence item we write ourselves: the
// words before the first ": " ("not after: 2027-…" → "not after"). The rest
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
// finding of every lab scenario's check and dns run.
func TestGermanEvidenceLabels(t *testing.T) {
	w := judgeWorld(t, false)
	var found []string
	for _, sc := range lab.Scenarios() {
		if sc.Domain == "tarpit.lab.test" || strings.HasPrefix(sc.Domain, "hostile-") && sc.Domain != "hostile-8bit.lab.test" {
			continue // as in TestGermanViewsHaveNoEnglish
		}
		fs := append(judgeRun(t, w, sc.Domain, nil).RawFindings(), judgeDNS(t, w, sc.Domain).RawFindings()...)
		for _, f := range fs {
			for _, e := range f.Evidence {
				for _, x := range englishIn(evidenceLabel(e), nil) {
					found = append(found, sc.Domain+": "+f.ID+": "+x)
				}
			}
		}
	}
	found = uniq(found)
	if len(found) > 0 {
		t.Errorf("%d English evidence labels:\n%s", len(found), strings.Join(found, "\n"))
	}
}

func TestEvidenceLabel(t *testing.T) {
	for in, want := range map[string]string{"not after: 2027-03-06": "not after", "mx.example TLSA 3 1 1 ab": "", "192.0.2.1:25: closed: eof": "192.0.2.1:25"} {
		if got := evidenceLabel(in); got != want {
			t.Errorf("evidenceLabel(%q) = %q, want %q", in, got, want)
		}
	}
	if len(englishIn(evidenceLabel("warning: max_age 86400"), nil)) == 0 {
		t.Error("English label not caught")
	}
}
