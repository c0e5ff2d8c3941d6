package cli

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/report"
)

// junitXML is the usual JUnit report shape (testsuites > testsuite >
// testcase > failure | error), decoded with encoding/xml.
type junitXML struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Cases    []struct {
			Name      string    `xml:"name,attr"`
			Classname string    `xml:"classname,attr"`
			Failure   *struct{} `xml:"failure"`
			Error     *struct{} `xml:"error"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func parseJUnitOut(t *testing.T, out string) junitXML {
	t.Helper()
	var d junitXML
	if !strings.HasPrefix(out, "<?xml") {
		t.Fatalf("no XML declaration: %.200s", out)
	}
	if err := xml.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("not XML: %v\n%s", err, out)
	}
	var n, f, e int
	for _, s := range d.Suites {
		var sf, se int
		for _, c := range s.Cases {
			if c.Name == "" || c.Classname == "" {
				t.Errorf("%s: a test case without name/classname", s.Name)
			}
			if c.Failure != nil {
				sf++
			}
			if c.Error != nil {
				se++
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != sf || s.Errors != se {
			t.Errorf("%s: counts %d/%d/%d, cases %d/%d/%d", s.Name, s.Tests, s.Failures, s.Errors, len(s.Cases), sf, se)
		}
		n, f, e = n+s.Tests, f+s.Failures, e+s.Errors
	}
	if d.Tests != n || d.Failures != f || d.Errors != e {
		t.Errorf("testsuites counts %d/%d/%d, suites %d/%d/%d", d.Tests, d.Failures, d.Errors, n, f, e)
	}
	return d
}

// TestCIFormatsLab: --format junit and github on check and dns against the
// lab: one test case per finding of the JSON report, failed exactly when
// the finding is at or above --fail-on; the same exit code as text; one
// well-formed annotation per line.
func TestCIFormatsLab(t *testing.T) {
	cases := []struct {
		args   []string
		failOn report.Severity
		code   int
	}{
		{[]string{"check", "--lab", "reject.lab.test"}, report.Fail, exitcode.Problems},
		{[]string{"check", "--lab", "ok.lab.test", "--from", "you@sender.lab.test"}, report.Fail, 0},
		{[]string{"check", "--lab", "grey.lab.test", "--fail-on", "warn"}, report.Warn, exitcode.Problems},
		{[]string{"dns", "--lab", "ok.lab.test"}, report.Fail, 0},
		// The well-run domain passes --fail-on warn: a DKIM selector that
		// is not among the guessed ones is an info (dkim.selector_unknown).
		{[]string{"dns", "--lab", "ok.lab.test", "--fail-on", "warn"}, report.Warn, 0},
	}
	annot := regexp.MustCompile(`^::(error|warning|notice) title=[^:\r\n]*::[^\r\n]*$`)
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			js, _, code := runCLI(t, nil, append(c.args, "-o", "json")...)
			if code != c.code {
				t.Fatalf("json: exit %d, want %d", code, c.code)
			}
			var rep struct {
				Findings []report.Localized `json:"findings"`
			}
			if err := json.Unmarshal([]byte(js), &rep); err != nil {
				t.Fatal(err)
			}
			wantFailed := 0
			for _, f := range rep.Findings {
				if f.Severity.Rank() >= c.failOn.Rank() {
					wantFailed++
				}
			}
			out, errOut, code := runCLI(t, nil, append(c.args, "--format", "junit")...)
			if code != c.code {
				t.Fatalf("junit: exit %d, want %d: %s", code, c.code, errOut)
			}
			d := parseJUnitOut(t, out)
			if len(d.Suites) != 1 || d.Tests != len(rep.Findings) || d.Failures != wantFailed || d.Errors != 0 {
				t.Errorf("junit %d suites, %d tests, %d failures, %d errors; findings %d, at or above %s %d\n%s",
					len(d.Suites), d.Tests, d.Failures, d.Errors, len(rep.Findings), c.failOn, wantFailed, out)
			}
			out, _, code = runCLI(t, nil, append(c.args, "--format", "github")...)
			if code != c.code {
				t.Fatalf("github: exit %d, want %d", code, c.code)
			}
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			errs := 0
			for _, ln := range lines {
				if !annot.MatchString(ln) {
					t.Errorf("not a workflow command: %q", ln)
				}
				if strings.HasPrefix(ln, "::error ") {
					errs++
				}
			}
			if c.failOn == report.OK {
				wantFailed -= countSeverity(rep.Findings, report.OK) // ok findings are not annotated
			}
			if errs != wantFailed {
				t.Errorf("%d ::error lines, want %d\n%s", errs, wantFailed, out)
			}
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, "::notice title=mxprobe "+c.args[0]+" ") {
				t.Errorf("last line %q", last)
			}
		})
	}
}

func countSeverity(fs []report.Localized, s report.Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// TestCIFormatsIncomplete: a check that cannot complete (the lab's tarpit)
// exits 3 in the CI formats too and says so: an error test case, an
// ::error annotation.
func TestCIFormatsIncomplete(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the tarpit's banner timeout")
	}
	out, _, code := runCLI(t, nil, "check", "--lab", "tarpit.lab.test", "--no-accept-all-test", "--format", "junit")
	if code != exitcode.Incomplete {
		t.Fatalf("exit %d", code)
	}
	d := parseJUnitOut(t, out)
	if d.Errors != 1 || d.Suites[0].Cases[len(d.Suites[0].Cases)-1].Name != "check.complete" {
		t.Errorf("incomplete check: %d errors\n%s", d.Errors, out)
	}
}

// TestCIFormatsBulk: bulk mode writes one JUnit document with a suite per
// target; an invalid line is an error case, not a lost target.
func TestCIFormatsBulk(t *testing.T) {
	out, errOut, code := runIn(t, nil, "ok.lab.test\nbad..domain\nreject.lab.test\n", "check", "--lab", "-", "--no-accept-all-test", "--format", "junit")
	if code != exitcode.Usage {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	d := parseJUnitOut(t, out)
	if len(d.Suites) != 3 || d.Errors != 1 || d.Failures < 1 {
		t.Fatalf("%d suites, %d errors, %d failures\n%s", len(d.Suites), d.Errors, d.Failures, out)
	}
	if d.Suites[1].Name != "mxprobe check bad..domain" || d.Suites[1].Cases[0].Error == nil {
		t.Errorf("invalid line: %+v", d.Suites[1])
	}
	out, _, _ = runIn(t, nil, "ok.lab.test\nbad..domain\n", "check", "--lab", "-", "--no-accept-all-test", "--format", "github")
	if !strings.Contains(out, "::error title=mxprobe check bad..domain%3A") || strings.Count(out, "::notice title=mxprobe check ok.lab.test::") != 1 {
		t.Errorf("bulk github:\n%s", out)
	}
}

// TestCIFormatsInvalidTarget: a target that does not parse is an error case
// in JUnit and an ::error line for GitHub, for check and dns alike, and
// the exit is 2.
func TestCIFormatsInvalidTarget(t *testing.T) {
	for _, cmd := range []string{"check", "dns"} {
		out, errOut, code := runCLI(t, nil, cmd, "--lab", "bad..domain", "--format", "junit")
		if code != exitcode.Usage || !strings.Contains(errOut, "bad..domain") {
			t.Fatalf("%s junit: exit %d %q", cmd, code, errOut)
		}
		d := parseJUnitOut(t, out)
		if len(d.Suites) != 1 || d.Errors != 1 || d.Suites[0].Name != "mxprobe "+cmd+" bad..domain" {
			t.Errorf("%s junit:\n%s", cmd, out)
		}
		out, _, code = runCLI(t, nil, cmd, "--lab", "bad..domain", "--format", "github")
		if code != exitcode.Usage || !strings.Contains(out, "::error title=mxprobe "+cmd+" bad..domain%3A") {
			t.Errorf("%s github: exit %d\n%s", cmd, code, out)
		}
	}
}

// TestCIFormatsOnlyCheckAndDNS: other commands refuse the CI formats with a
// usage error naming the flag.
func TestCIFormatsOnlyCheckAndDNS(t *testing.T) {
	for _, args := range [][]string{{"explain", "5.7.1"}, {"version"}, {"probe", "list"}} {
		for _, f := range []string{"junit", "github"} {
			_, errOut, code := runCLI(t, map[string]string{"XDG_STATE_HOME": t.TempDir()}, append(args, "--format", f)...)
			if code != exitcode.Usage || !strings.Contains(errOut, "--format "+f) {
				t.Errorf("%v --format %s: exit %d %q", args, f, code, errOut)
			}
		}
	}
	if _, errOut, code := runCLI(t, nil, "--lang", "de", "version", "--format", "github"); code != exitcode.Usage || !strings.Contains(errOut, "nur für check und dns") {
		t.Errorf("German: exit %d %q", code, errOut)
	}
	if _, errOut, code := runCLI(t, nil, "check", "--format", "xml", "x.test"); code != exitcode.Usage || !strings.Contains(errOut, "junit") {
		t.Errorf("--format xml: exit %d %q", code, errOut)
	}
}

// TestREADMECISnippets runs the README's CI command lines against the lab
// (example.com → the lab's ok.lab.test): the flags exist, the output is
// the format the snippet hands to the CI system.
func TestREADMECISnippets(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	sec := string(b)
	if i := strings.Index(sec, "### In CI\n"); i >= 0 {
		sec = sec[i:]
	} else {
		t.Fatal("README has no \"### In CI\" section")
	}
	if i := strings.Index(sec[1:], "\n## "); i >= 0 {
		sec = sec[:i]
	}
	if !strings.Contains(sec, "reports: {junit: mxprobe.xml}") {
		t.Error("the GitLab snippet does not hand the JUnit file to reports:junit")
	}
	formats := map[string]bool{}
	for _, ln := range strings.Split(sec, "\n") {
		i := strings.Index(ln, "mxprobe check ")
		if i < 0 {
			i = strings.Index(ln, "mxprobe dns ")
		}
		if i < 0 {
			continue
		}
		cmd := ln[i+len("mxprobe "):]
		if j := strings.Index(cmd, " >"); j >= 0 {
			cmd = cmd[:j]
		}
		cmd = strings.NewReplacer(`"$OUTBOUND_IP"`, "127.0.0.1", "ci@example.com", "you@sender.lab.test", "example.com", "ok.lab.test").Replace(cmd)
		args := append(strings.Fields(cmd), "--lab")
		out, errOut, code := runCLI(t, nil, args...)
		if code == exitcode.Usage || code == exitcode.Incomplete {
			t.Errorf("README: mxprobe %s: exit %d %s", cmd, code, errOut)
			continue
		}
		switch {
		case strings.Contains(cmd, "--format junit"):
			formats["junit"] = true
			parseJUnitOut(t, out)
		case strings.Contains(cmd, "--format github"):
			formats["github"] = true
			if !strings.HasPrefix(out, "::") {
				t.Errorf("README: mxprobe %s: %.200s", cmd, out)
			}
		}
	}
	if !formats["junit"] || !formats["github"] {
		t.Errorf("README CI snippets cover %v, want junit and github", formats)
	}
}
