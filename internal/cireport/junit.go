package cireport

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/mxprobe/mxprobe/internal/report"
)

// The JUnit XML elements mxprobe writes: the subset that Jenkins, GitLab
// and the Ant JUnit schema agree on.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func seconds(t Target) string { return fmt.Sprintf("%.3f", t.Duration.Seconds()) }

// junitSuiteOf builds one target's suite: a test case per finding (the
// check it stands for), an error case when the target could not be checked
// or the check could not complete.
func junitSuiteOf(t Target, o Options) junitSuite {
	s := junitSuite{Name: "mxprobe " + t.Command + " " + t.Name, Time: seconds(t)}
	if !t.StartedAt.IsZero() {
		// The Ant schema's timestamp: ISO 8601 without a zone (UTC).
		s.Timestamp = t.StartedAt.UTC().Format("2006-01-02T15:04:05")
	}
	class := t.Command + "." + t.Name
	seen := map[string]int{}
	if t.Error != "" {
		s.Cases = append(s.Cases, junitCase{Name: "target", Classname: class, Time: "0",
			Error: &junitProblem{Message: txtInvalid.In(o.Lang), Type: "invalid", Text: t.Error}})
	}
	for _, f := range t.Findings {
		seen[f.ID]++
		name := f.ID
		if n := seen[f.ID]; n > 1 {
			name = fmt.Sprintf("%s #%d", f.ID, n) // the same check at another MX or address
		}
		c := junitCase{Name: name, Classname: class, Time: "0"}
		text := findingText(f)
		if failed(f, o.FailOn) {
			c.Failure = &junitProblem{Message: f.Title, Type: string(f.Severity), Text: text}
		} else {
			c.SystemOut = "[" + string(f.Severity) + "] " + f.Title + "\n" + text
		}
		s.Cases = append(s.Cases, c)
	}
	if t.Verdict == report.VerdictIncomplete && t.Error == "" {
		s.Cases = append(s.Cases, junitCase{Name: t.Command + ".complete", Classname: class, Time: "0",
			Error: &junitProblem{Message: txtIncompleteTitle.In(o.Lang), Type: "incomplete", Text: txtIncomplete.In(o.Lang)}})
	}
	for _, c := range s.Cases {
		s.Tests++
		switch {
		case c.Failure != nil:
			s.Failures++
		case c.Error != nil:
			s.Errors++
		}
	}
	return s
}

// findingText is the body of a failure: detail, advice and evidence.
func findingText(f report.Localized) string {
	var b strings.Builder
	for _, p := range []string{f.Detail, f.Advice} {
		if p != "" {
			b.WriteString(p)
			b.WriteByte('\n')
		}
	}
	for _, e := range f.Evidence {
		b.WriteString("  ")
		b.WriteString(e)
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), "\n")
}

func writeJUnit(w io.Writer, ts []Target, o Options) error {
	doc := junitSuites{Name: "mxprobe"}
	var total float64
	for _, t := range ts {
		s := junitSuiteOf(t, o)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		total += t.Duration.Seconds()
		doc.Suites = append(doc.Suites, s)
	}
	doc.Time = fmt.Sprintf("%.3f", total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
