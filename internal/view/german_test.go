package view

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/check"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/i18n/i18ntest"
	"github.com/mxprobe/mxprobe/internal/mxdialog"
	"github.com/mxprobe/mxprobe/internal/render"
)

// replyVocabulary collects the words of every server reply in rep: a line
// made of them only is a wrapped reply, quoted verbatim.
func replyVocabulary(rep *check.Report) map[string]bool {
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
					for _, w := range i18ntest.ProseWords(x) {
						m[strings.ToLower(w)] = true
					}
				}
			}
		}
	}
	return m
}

// TestGermanViewsHaveNoEnglish renders every lab scenario's `check` and
// `dns` text views in German (default, -q and -v without the transcripts,
// which are the dialogue as sent) and fails on English words and on words
// the glossary replaces (scanner: internal/i18n/i18ntest).
func TestGermanViewsHaveNoEnglish(t *testing.T) {
	var found []string
	for _, run := range runLab(t) {
		rep := run.Reports[i18n.DE]
		for _, m := range modes {
			v := Check(rep, Options{Mode: m.mode})
			v.Transcripts = nil
			var b bytes.Buffer
			Text(&b, v, i18n.DE, render.Styler{})
			Text(&b, DNS(run.DNS, Options{Mode: m.mode}), i18n.DE, render.Styler{})
			for _, e := range i18ntest.EnglishIn(withoutEvidence(b.String()), replyVocabulary(rep)) {
				found = append(found, run.Scenario.Domain+" "+m.name+": "+e)
			}
		}
	}
	found = i18ntest.Uniq(found)
	if os.Getenv("MXPROBE_GERMAN_REPORT") != "" {
		os.WriteFile(os.Getenv("MXPROBE_GERMAN_REPORT"), []byte(strings.Join(found, "\n")), 0o644)
	}
	if len(found) > 0 {
		t.Errorf("%d English fragments in German views, e.g.:\n%s", len(found), strings.Join(found[:min(len(found), 40)], "\n"))
	}
}

// withoutEvidence drops the evidence lines ("· …" and their wrapped
// continuation): records, replies and error texts quoted as said.
func withoutEvidence(text string) string {
	var out []string
	cont := ""
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		indent := line[:len(line)-len(trimmed)]
		if strings.HasPrefix(trimmed, "· ") {
			cont = indent + "  "
			continue
		}
		if cont != "" && strings.HasPrefix(line, cont) && !strings.HasPrefix(line[len(cont):], " ") {
			continue
		}
		cont = ""
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
