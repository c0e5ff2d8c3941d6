package cli

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocsEnvironmentMatchesCode: every MXPROBE_ variable the (non-test)
// sources name is in the man pages' ENVIRONMENT table, and every variable
// and file path in the tables is one the sources use.
func TestDocsEnvironmentMatchesCode(t *testing.T) {
	var src strings.Builder
	root := filepath.Join("..", "..")
	for _, dir := range []string{"internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || strings.HasSuffix(p, "gendocs_sections.go") {
				return err
			}
			b, err := os.ReadFile(p)
			src.Write(b)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	code := src.String()
	documented := map[string]bool{}
	for _, e := range docsEnvironment {
		for _, n := range strings.Split(e.name, ", ") {
			documented[n] = true
			// The control relay's names are built as "MXPROBE_" + "CONTROL_" + "SMTP_USER".
			built := strings.HasPrefix(n, "MXPROBE_CONTROL_") && strings.Contains(code, `"CONTROL_"`) && strings.Contains(code, strings.TrimPrefix(n, "MXPROBE_CONTROL_"))
			if !strings.Contains(code, n) && !built {
				t.Errorf("ENVIRONMENT lists %s, which no source file uses", n)
			}
		}
	}
	for _, n := range regexp.MustCompile(`MXPROBE_[A-Z0-9_]*[A-Z0-9]`).FindAllString(code, -1) {
		if !documented[n] {
			t.Errorf("%s is read by the code but not in the man pages' ENVIRONMENT", n)
		}
	}
	for _, n := range []string{"NO_COLOR", "LANG", "LC_ALL", "LC_MESSAGES", "XDG_STATE_HOME", "XDG_CONFIG_HOME"} {
		if !documented[n] {
			t.Errorf("%s is not documented", n)
		}
	}
	for _, f := range docsFiles {
		base := f.name[strings.LastIndex(f.name, "/")+1:]
		if !strings.Contains(code, `"`+base+`"`) {
			t.Errorf("FILES lists %s, but no source names %q", f.name, base)
		}
	}
}

// TestDocsEnvironmentAndFilesSections: mxprobe(1) lists every variable and
// file; a command's page lists those it reads, in man-pages(7) order
// (EXIT STATUS, ENVIRONMENT, FILES, EXAMPLE, SEE ALSO).
func TestDocsEnvironmentAndFilesSections(t *testing.T) {
	files, err := RenderDocs(DocsDate)
	if err != nil {
		t.Fatal(err)
	}
	page := func(n string) string { return string(files["man/"+n+".1"]) }
	for _, e := range append(append([]docsEntry(nil), docsEnvironment...), docsFiles...) {
		if !strings.Contains(page("mxprobe"), ".B "+docsRoffText(e.name)+"\n") {
			t.Errorf("mxprobe.1 lacks %s", e.name)
		}
	}
	want := map[string][]string{
		"mxprobe-probe-confirm": {"MXPROBE_IMAP_PASSWORD", "XDG_STATE_HOME", "ledger.jsonl", "NO_COLOR", "LC_MESSAGES"},
		"mxprobe-probe-send":    {"MXPROBE_SMTP_PASSWORD", "MXPROBE_SEEDS", "mxprobe/seeds", "MXPROBE_RESOLVER"},
		"mxprobe-check":         {"MXPROBE_RESOLVER", "MXPROBE_SEEDS", "ledger.jsonl"},
		"mxprobe-lab":           {"mxprobe\\-lab\\-ca.pem", "MXPROBE_LAB_LATENCY"},
		"mxprobe-version":       {"NO_COLOR", "LANG"},
	}
	absent := map[string][]string{
		"mxprobe-dns":     {"MXPROBE_IMAP_PASSWORD", "ledger.jsonl", ".SH FILES"},
		"mxprobe-explain": {"MXPROBE_RESOLVER", ".SH FILES"},
		"mxprobe-version": {"MXPROBE_", ".SH FILES"},
	}
	for n, ws := range want {
		for _, w := range ws {
			if !strings.Contains(page(n), w) {
				t.Errorf("%s.1 lacks %s", n, w)
			}
		}
	}
	for n, ws := range absent {
		p := page(n)
		if i := strings.Index(p, "\n.SH ENVIRONMENT\n"); i >= 0 {
			p = p[i+1:]
			if j := strings.Index(p[1:], "\n.SH "); j >= 0 && !strings.HasPrefix(p[j+2:], ".SH FILES") {
				p = p[:j+1]
			}
		}
		for _, w := range ws {
			if strings.Contains(p, w) {
				t.Errorf("%s.1 has %s", n, w)
			}
		}
	}
	for _, c := range docsCommands(NewDocsRootCmd()) {
		p := page(strings.ReplaceAll(c.CommandPath(), " ", "-"))
		if !strings.Contains(p, ".SH ENVIRONMENT\n") {
			t.Errorf("%s: no ENVIRONMENT", c.CommandPath())
		}
		last := -1
		for _, sec := range []string{"EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLE", "SEE ALSO"} {
			i := strings.Index(p, "\n.SH "+sec+"\n")
			if i < 0 {
				continue
			}
			if i < last {
				t.Errorf("%s: %s out of order", c.CommandPath(), sec)
			}
			last = i
		}
	}
}
