package view

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/explain"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/i18n/i18ntest"
	"github.com/mxprobe/mxprobe/internal/render"
)

// TestGermanExplainCardsHaveNoEnglish renders the German explain card
// (default and -v) of every real reply line of the sisimai reference list
// (testdata/statuscode/sisimai-reply-lines.tsv, 579 lines from about 60
// MTAs and providers) and fails on English words and on words the glossary
// replaces. The reply itself is quoted verbatim and not scanned.
func TestGermanExplainCardsHaveNoEnglish(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "testdata", "statuscode", "sisimai-reply-lines.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var found []string
	n := 0
	for first := true; sc.Scan(); first = false {
		if first {
			continue
		}
		line, _, _ := strings.Cut(sc.Text(), "\t")
		n++
		x := explain.Explain(line, explain.Options{}).Localize(i18n.DE)
		reply := map[string]bool{}
		for _, w := range i18ntest.ProseWords(line + " " + x.Reply + " " + x.Input) {
			reply[strings.ToLower(w)] = true
		}
		for _, verbose := range []bool{false, true} {
			c := Explain(x, i18n.DE, CardOptions{Verbose: verbose})
			c.Head = "" // the reply, quoted verbatim
			var b bytes.Buffer
			if err := ExplainText(&b, c, i18n.DE, render.Styler{Width: 200}); err != nil {
				t.Fatal(err)
			}
			found = append(found, i18ntest.EnglishIn(cardProse(b.String()), reply)...)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 500 {
		t.Fatalf("read %d reply lines", n)
	}
	var real []string
	for _, f := range i18ntest.Uniq(found) {
		// "Sicherheit" is the glossary's word for a verdict's confidence
		// only; in the code catalog (X.7 "Security or Policy Status") it
		// means security, rightly.
		if !strings.HasPrefix(f, "Sicherheit (Glossar") {
			real = append(real, f)
		}
	}
	if found = real; len(found) > 0 {
		t.Errorf("%d English fragments or glossary violations in German explain cards:\n%s", len(found), strings.Join(found, "\n"))
	}
}

// cardMachineWords matches what a card shows as identifiers, not prose: the
// reason and the responsible party's ids ("Grund: expired", "(recipient)"),
// header field names as RFC 5322 spells them, and product names.
var cardMachineWords = regexp.MustCompile(`Grund: [a-z]+|\([a-z_]+\)|\b(?:From|Subject|Date|Message-ID|Reply-To|To)\b|Yahoo Sender Hub`)

func cardProse(text string) string { return cardMachineWords.ReplaceAllString(text, " ") }
