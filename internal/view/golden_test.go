package view

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/check"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/render"
	"github.com/mxprobe/mxprobe/internal/report"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var modes = []struct {
	name string
	mode Mode
}{{"default", Default}, {"-q", Quiet}, {"-v", Verbose}}

func renderMode(rep *check.Report, m Mode, l i18n.Lang) string {
	var b bytes.Buffer
	Text(&b, Check(rep, Options{Mode: m}), l, render.Styler{})
	return b.String()
}

func renderDNS(rep *check.DNSReport, m Mode, l i18n.Lang) string {
	var b bytes.Buffer
	Text(&b, DNS(rep, Options{Mode: m}), l, render.Styler{})
	return b.String()
}

// golden compares got with testdata/<path>, or rewrites it with -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	path = filepath.Join("testdata", path)
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test ./internal/view -run Golden -update and read the diff):\n%s", path, got)
	}
}

// Run-to-run noise of the lab: ports, times, random names, dates, keys.
var normalizers = []struct {
	re  *regexp.Regexp
	rep string
}{
	{regexp.MustCompile(`(127\.\d+\.\d+\.\d+):\d+`), "$1:PORT"},
	{regexp.MustCompile(`\[::1\]:\d+`), "[::1]:PORT"},
	{regexp.MustCompile(`\b\d+\.\d s\b`), "N.N s"},
	{regexp.MustCompile(`mxprobe-nx-[0-9a-f]+`), "mxprobe-nx-RANDOM"},
	{regexp.MustCompile(`\(\d+(\s+)days? left\)`), "(N${1}days left)"},
	{regexp.MustCompile(`\(noch \d+(\s+)Tage?\)`), "(noch N${1}Tage)"},
	{regexp.MustCompile(`\d+ more days`), "N more days"},
	{regexp.MustCompile(`noch \d+ Tage`), "noch N Tage"},
	{regexp.MustCompile(`TLS_[A-Z0-9_]+`), "TLS_CIPHER"},
	{regexp.MustCompile(`(?m)^\s+\d+\.\d ([SC*]) `), "  T.T $1 "},
	{regexp.MustCompile(`in \d+\.\d+ ms`), "in N ms"},
	{regexp.MustCompile(`(?m)(T\.T \* error: [a-z_]+: ).*$`), "${1}…"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`), "DATE"},
	{regexp.MustCompile(`[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}`), "DATE"},
	{regexp.MustCompile(`p=[A-Za-z0-9+/=]{40,}`), "p=KEY"},
	{regexp.MustCompile(`InternalId=\d+`), "InternalId=N"},
}

func normalize(s string) string {
	for _, n := range normalizers {
		s = n.re.ReplaceAllString(s, n.rep)
	}
	return s
}

// TestGolden pins the text views of every lab scenario in both languages
// and all three modes (go test ./internal/view -run Golden -update
// rewrites them; read the diff before committing).
func TestGolden(t *testing.T) {
	for _, run := range runLab(t) {
		for _, l := range []i18n.Lang{i18n.EN, i18n.DE} {
			var b strings.Builder
			for _, m := range modes {
				b.WriteString("=== mxprobe check " + run.Scenario.Domain + " " + m.name + "\n")
				b.WriteString(renderMode(run.Reports[l], m.mode, l))
			}
			golden(t, filepath.Join("check", run.Scenario.Domain+"."+string(l)+".txt"), normalize(b.String()))
			b.Reset()
			for _, m := range modes {
				b.WriteString("=== mxprobe dns " + run.Scenario.Domain + " " + m.name + "\n")
				b.WriteString(renderDNS(run.DNS, m.mode, l))
			}
			golden(t, filepath.Join("dns", run.Scenario.Domain+"."+string(l)+".txt"), normalize(b.String()))
		}
	}
}

// TestBudgets: the default view of a failing scenario fits in 40 lines, a
// clean one in 15; -q prints at most 8 lines per problem; -v keeps every
// host and every transcript line.
func TestBudgets(t *testing.T) {
	for _, run := range runLab(t) {
		for _, l := range []i18n.Lang{i18n.EN, i18n.DE} {
			rep := run.Reports[l]
			name := run.Scenario.Domain + "/" + string(l)
			def := renderMode(rep, Default, l)
			limit := 40
			if rep.Verdict == report.VerdictOK {
				limit = 15
			}
			if n := lines(def); n > limit {
				t.Errorf("%s: default view has %d lines, budget %d:\n%s", name, n, limit, def)
			}
			dlimit := 40
			if run.DNS.Verdict == report.VerdictOK {
				dlimit = 15
			}
			if d := renderDNS(run.DNS, Default, l); lines(d) > dlimit {
				t.Errorf("%s: dns default view has %d lines, budget %d:\n%s", name, lines(d), dlimit, d)
			}
			for _, m := range modes {
				vv := Check(rep, Options{Mode: m.mode})
				vv.Transcripts = nil // the dialogue is printed as sent
				var b bytes.Buffer
				Text(&b, vv, l, render.Styler{})
				for _, ln := range strings.Split(b.String(), "\n") {
					// Only a single word longer than the line may stick out.
					word := strings.TrimLeft(strings.TrimSpace(ln), "·→ ")
					if utf8.RuneCountInString(ln) > 80 && strings.Contains(word, " ") {
						t.Errorf("%s %s: line over 80 columns: %q", name, m.name, ln)
					}
				}
			}
			v := Check(rep, Options{Mode: Quiet})
			q := renderMode(rep, Quiet, l)
			// 2 head lines, then each problem with a blank line before
			// all but the first.
			if max := 2 + 9*len(v.Problems); lines(q) > max {
				t.Errorf("%s: -q has %d lines for %d problems:\n%s", name, lines(q), len(v.Problems), q)
			}
			verbose := renderMode(rep, Verbose, l)
			for _, f := range rep.RawFindings() {
				if !strings.Contains(verbose, f.ID) {
					t.Errorf("%s: -v lacks finding %s", name, f.ID)
				}
			}
			for _, h := range rep.MX {
				if !strings.Contains(verbose, " "+h.Host+" ") && !strings.Contains(verbose, " "+h.Host+"\n") {
					t.Errorf("%s: -v lacks MX host %s", name, h.Host)
				}
				for _, a := range h.Addresses {
					if a.SMTP == nil {
						continue
					}
					for _, x := range a.SMTP.Transcript {
						if !strings.Contains(verbose, x.Text) {
							t.Errorf("%s: -v lacks transcript line %q", name, x.Text)
						}
					}
				}
			}
		}
	}
}

func lines(s string) int { return strings.Count(s, "\n") }

// TestEachFactOnce: every server reply and every advice text appears at
// most once per view (outside the -v transcripts, which are the dialogue
// itself), and every unsuccessful reply appears in full in the default
// view.
func TestEachFactOnce(t *testing.T) {
	for _, run := range runLab(t) {
		for _, l := range []i18n.Lang{i18n.EN, i18n.DE} {
			rep := run.Reports[l]
			for _, m := range modes {
				v := Check(rep, Options{Mode: m.mode})
				v.Transcripts = nil
				var b bytes.Buffer
				Text(&b, v, l, render.Styler{})
				flat := flatten(b.String())
				name := run.Scenario.Domain + "/" + string(l) + "/" + m.name
				for _, h := range rep.MX {
					for _, a := range h.Addresses {
						for _, e := range a.Explanations {
							// The accept-all test's reply differs in the
							// random address only: it counts as the same.
							n := strings.Count(reAngle.ReplaceAllString(flat, "<>"), reAngle.ReplaceAllString(flatten(e.Reply), "<>"))
							if n > 1 || n == 0 && m.mode != Quiet {
								t.Errorf("%s: reply %q appears %d times:\n%s", name, e.Reply, n, b.String())
							}
							for _, adv := range e.Advice {
								if n := strings.Count(flat, flatten(adv.In(l))); n > 1 {
									t.Errorf("%s: advice %q appears %d times:\n%s", name, adv.In(l), n, b.String())
								}
							}
						}
					}
				}
				for _, p := range v.Problems {
					if p.Brief {
						continue
					}
					for _, a := range p.Advice {
						if n := strings.Count(flat, flatten(a.In(l))); n != 1 && m.mode != Quiet {
							t.Errorf("%s: advice %q of %s appears %d times", name, a.In(l), p.ID, n)
						}
					}
				}
			}
		}
	}
}

// flatten undoes the wrapping: one space between words, no indents.
func flatten(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestBulkLine: one line per target, with the same lead as the full view.
func TestBulkLine(t *testing.T) {
	for _, run := range runLab(t) {
		var b bytes.Buffer
		if err := BulkLine(&b, run.Reports[i18n.EN], i18n.EN, render.Styler{}); err != nil {
			t.Fatal(err)
		}
		line := b.String()
		if strings.Count(line, "\n") != 1 || len([]rune(strings.TrimSuffix(line, "\n"))) > 80 {
			t.Errorf("%s: not one line of at most 80 columns: %q", run.Scenario.Domain, line)
		}
		if want := labLeads[run.Scenario.Domain]; want != "" && !strings.Contains(line, " "+want) {
			t.Errorf("%s: bulk line %q lacks the lead %s", run.Scenario.Domain, line, want)
		}
	}
}

// TestRenderersMutateNothing: building and drawing every view leaves the
// report as it was (its JSON encoding and its findings are unchanged).
func TestRenderersMutateNothing(t *testing.T) {
	for _, run := range runLab(t) {
		rep := run.Reports[i18n.EN]
		before, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		raw := fmt.Sprint(rep.RawFindings())
		for _, m := range modes {
			for _, l := range []i18n.Lang{i18n.EN, i18n.DE} {
				renderMode(rep, m.mode, l)
				renderDNS(run.DNS, m.mode, l)
			}
		}
		BulkLine(io.Discard, rep, i18n.DE, render.Styler{})
		after, _ := json.Marshal(rep)
		if !bytes.Equal(before, after) || raw != fmt.Sprint(rep.RawFindings()) {
			t.Errorf("%s: rendering changed the report", run.Scenario.Domain)
		}
	}
}

// TestGermanViewsHaveNoEnglishLabels: the labels, status words and phrases
// this package writes appear in German in every German view (server replies,
// record contents and host names stay as they are).
func TestGermanViewsHaveNoEnglishLabels(t *testing.T) {
	english := []string{
		"Verdict:", "Reply to ", "Notes:", "\nSender  ", "\n  Sender  ", "Records ", "Block lists", "Operator ", "Policies ",
		"accept-all test", "the same reply", "not listed", "lists asked", "list asked", "certificate valid",
		"days left", "SMTP         stopped", "MTA-STS lookup failed", "DKIM lookup failed", "DMARC lookup failed", "(not tried)", "more steps", "and more", "PTR and EHLO",
		"MTA-STS none", "TLS-RPT none", "DANE none", "TLS-RPT valid", "DKIM missing", "DMARC missing",
		"no STARTTLS", "The time limit", "Cause:", "Destination\n", "Passed\n", "Transcript ",
	}
	for _, run := range runLab(t) {
		for _, m := range modes {
			v := Check(run.Reports[i18n.DE], Options{Mode: m.mode})
			v.Transcripts = nil // the dialogue itself is the server's words
			var b bytes.Buffer
			Text(&b, v, i18n.DE, render.Styler{})
			out := b.String() + renderDNS(run.DNS, m.mode, i18n.DE)
			for _, e := range english {
				if strings.Contains(out, e) {
					t.Errorf("%s %s: German view contains %q:\n%s", run.Scenario.Domain, m.name, e, out)
					break
				}
			}
		}
	}
}
