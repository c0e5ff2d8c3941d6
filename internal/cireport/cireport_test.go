package cireport

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
)

// JUnitDoc is the JUnit XML shape CI readers expect, decoded with a real
// parser (encoding/xml) independently of the writer's types.
type JUnitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Time     string `xml:"time,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
			} `xml:"error"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// ParseJUnit decodes doc and checks that the counts agree with the cases.
func ParseJUnit(t testing.TB, doc []byte) JUnitDoc {
	t.Helper()
	var d JUnitDoc
	if err := xml.Unmarshal(doc, &d); err != nil {
		t.Fatalf("not JUnit XML: %v\n%s", err, doc)
	}
	var tests, fails, errs int
	for _, s := range d.Suites {
		var f, e int
		for _, c := range s.Cases {
			if c.Name == "" || c.Classname == "" {
				t.Errorf("suite %s: a test case without name or classname", s.Name)
			}
			if c.Failure != nil && c.Error != nil {
				t.Errorf("%s: both failure and error", c.Name)
			}
			if c.Failure != nil {
				f++
			}
			if c.Error != nil {
				e++
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != f || s.Errors != e || s.Skipped != 0 {
			t.Errorf("suite %s: counts tests=%d failures=%d errors=%d, cases say %d/%d/%d", s.Name, s.Tests, s.Failures, s.Errors, len(s.Cases), f, e)
		}
		tests, fails, errs = tests+s.Tests, fails+s.Failures, errs+s.Errors
	}
	if d.Tests != tests || d.Failures != fails || d.Errors != errs {
		t.Errorf("testsuites counts %d/%d/%d, suites say %d/%d/%d", d.Tests, d.Failures, d.Errors, tests, fails, errs)
	}
	return d
}

func sample() []Target {
	return []Target{
		{Command: "check", Name: "reject.example", Verdict: report.VerdictFail, StartedAt: time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC), Duration: 1500 * time.Millisecond,
			Findings: []report.Localized{
				{ID: "smtp.rcpt_rejected", Severity: report.Fail, Title: "RCPT refused", Detail: "550 5.7.1 100% blocked,\r\n::error::injected", Advice: "Ask the postmaster", Evidence: []string{"mx1: 550"}},
				{ID: "spf.softfail", Severity: report.Warn, Title: "SPF softfail: a, b"},
				{ID: "provider.identified", Severity: report.Info, Title: "Provider: Microsoft"},
				{ID: "tls.ok", Severity: report.OK, Title: "TLS ok"},
				{ID: "tls.ok", Severity: report.OK, Title: "TLS ok"},
			}},
		{Command: "check", Name: "slow.example", Verdict: report.VerdictIncomplete, Findings: []report.Localized{{ID: "smtp.timeout", Severity: report.Warn, Title: "Timeout"}}},
		{Command: "check", Name: "bad..example", Verdict: report.VerdictIncomplete, Error: "invalid domain"},
	}
}

func write(t *testing.T, format string, o Options) string {
	var b bytes.Buffer
	w := NewWriter(&b, format, o)
	for _, tg := range sample() {
		if err := w.Add(tg); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestJUnit(t *testing.T) {
	for _, c := range []struct {
		failOn      report.Severity
		failed      []string
		failures    int
		errors, all int
	}{
		{report.Fail, []string{"smtp.rcpt_rejected"}, 1, 2, 8},
		{report.Warn, []string{"smtp.rcpt_rejected", "spf.softfail", "smtp.timeout"}, 3, 2, 8},
		{report.OK, []string{"smtp.rcpt_rejected", "spf.softfail", "provider.identified", "tls.ok", "tls.ok #2", "smtp.timeout"}, 6, 2, 8},
	} {
		out := write(t, FormatJUnit, Options{FailOn: c.failOn, Lang: i18n.EN})
		d := ParseJUnit(t, []byte(out))
		if d.Tests != c.all || d.Failures != c.failures || d.Errors != c.errors {
			t.Errorf("--fail-on %s: %d/%d/%d\n%s", c.failOn, d.Tests, d.Failures, d.Errors, out)
		}
		var failed []string
		for _, s := range d.Suites {
			for _, tc := range s.Cases {
				if tc.Failure != nil {
					failed = append(failed, tc.Name)
				}
			}
		}
		if strings.Join(failed, ",") != strings.Join(c.failed, ",") {
			t.Errorf("--fail-on %s: failed %v, want %v", c.failOn, failed, c.failed)
		}
		if len(d.Suites) != 3 || d.Suites[0].Name != "mxprobe check reject.example" || d.Suites[0].Time != "1.500" {
			t.Errorf("suites %+v", d.Suites)
		}
		f := d.Suites[0].Cases[0].Failure
		if f == nil || f.Type != "fail" || f.Message != "RCPT refused" || !strings.Contains(f.Text, "100% blocked") || !strings.Contains(f.Text, "mx1: 550") {
			t.Errorf("failure %+v", f)
		}
	}
	// Control characters from a hostile reply never break the XML.
	var b bytes.Buffer
	w := NewWriter(&b, FormatJUnit, Options{})
	w.Add(Target{Command: "dns", Name: "x.example", Findings: []report.Localized{{ID: "a.b", Severity: report.Fail, Title: "\x00\x1b[31m<&>\"", Detail: "\xff\xfe"}}})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	ParseJUnit(t, b.Bytes())
}

func TestGitHub(t *testing.T) {
	out := write(t, FormatGitHub, Options{FailOn: report.Fail, Lang: i18n.EN})
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	want := []string{
		"::error title=mxprobe check reject.example%3A smtp.rcpt_rejected — RCPT refused::550 5.7.1 100%25 blocked,%0D%0A::error::injected%0AAsk the postmaster%0A  mx1: 550",
		"::warning title=mxprobe check reject.example%3A spf.softfail — SPF softfail%3A a%2C b::SPF softfail: a, b",
		"::notice title=mxprobe check reject.example%3A provider.identified — Provider%3A Microsoft::Provider: Microsoft",
		"::notice title=mxprobe check reject.example::verdict: fail",
		"::warning title=mxprobe check slow.example%3A smtp.timeout — Timeout::Timeout",
		"::error title=mxprobe check slow.example%3A check incomplete::The check could not complete: a network or DNS failure or a timeout prevented a verdict (exit code 3).",
		"::notice title=mxprobe check slow.example::verdict: incomplete",
		"::error title=mxprobe check bad..example%3A The target could not be checked::invalid domain",
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d:\n got %s\nwant %s", i, lines[i], want[i])
		}
	}
	// --fail-on warn: warnings become errors; German texts.
	out = write(t, FormatGitHub, Options{FailOn: report.Warn, Lang: i18n.DE})
	if !strings.Contains(out, "::error title=mxprobe check reject.example%3A spf.softfail") || !strings.Contains(out, "Ergebnis: fail") || !strings.Contains(out, "Prüfung unvollständig") {
		t.Errorf("--fail-on warn, de:\n%s", out)
	}
}

func TestEscape(t *testing.T) {
	if got := escapeProperty("a%b:c,d\r\ne"); got != "a%25b%3Ac%2Cd%0D%0Ae" {
		t.Errorf("property %q", got)
	}
	if got := escapeData("a%b:c,d\r\ne"); got != "a%25b:c,d%0D%0Ae" {
		t.Errorf("data %q", got)
	}
}

func FuzzGitHubOneLinePerAnnotation(f *testing.F) {
	f.Add("550 5.7.1 blocked", "title: a, b")
	f.Add("a\r\n::error::x", "%0A")
	f.Fuzz(func(t *testing.T, detail, title string) {
		var b bytes.Buffer
		w := NewWriter(&b, FormatGitHub, Options{})
		w.Add(Target{Command: "check", Name: "x", Verdict: report.VerdictFail, Findings: []report.Localized{{ID: "a.b", Severity: report.Fail, Title: title, Detail: detail}}})
		lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "::error title=") || !strings.HasPrefix(lines[1], "::notice title=") {
			t.Fatalf("%q", b.String())
		}
		var x bytes.Buffer
		xw := NewWriter(&x, FormatJUnit, Options{})
		xw.Add(Target{Command: "check", Name: title, Findings: []report.Localized{{ID: "a.b", Severity: report.Fail, Title: title, Detail: detail}}})
		if err := xw.Close(); err != nil {
			t.Fatal(err)
		}
		var d JUnitDoc
		if err := xml.Unmarshal(x.Bytes(), &d); err != nil || d.Failures != 1 {
			t.Fatalf("%v %q", err, x.String())
		}
	})
}
