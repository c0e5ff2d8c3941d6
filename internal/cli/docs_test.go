package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/mxprobe/mxprobe/internal/exitcode"
)

const docsRegenerateHint = "generated docs are stale: run `go run ./cmd/gendocs` from the repository root and commit completions/ and man/"

// docsRepoRoot is the repository root seen from this package's directory.
const docsRepoRoot = "../.."

// TestDocsUpToDate fails when the committed completions/ and man/ differ from
// what the current command tree generates.
func TestDocsUpToDate(t *testing.T) {
	tmp := t.TempDir()
	if err := GenerateDocs(tmp, DocsOptions{Date: DocsDate}); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"completions", "man"} {
		want := docsReadGenerated(t, filepath.Join(tmp, sub))
		got := docsReadGenerated(t, filepath.Join(docsRepoRoot, sub))
		for _, name := range docsUnion(want, got) {
			w, inWant := want[name]
			g, inGot := got[name]
			switch {
			case !inGot:
				t.Errorf("%s/%s is missing; %s", sub, name, docsRegenerateHint)
			case !inWant:
				t.Errorf("%s/%s is no longer generated (command removed or renamed?); %s", sub, name, docsRegenerateHint)
			case !bytes.Equal(w, g):
				t.Errorf("%s/%s differs (%s); %s", sub, name, docsFirstDiff(g, w), docsRegenerateHint)
			}
		}
	}
	// The public finding-id table.
	w, err := os.ReadFile(filepath.Join(tmp, "docs", "findings.md"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := os.ReadFile(filepath.Join(docsRepoRoot, "docs", "findings.md"))
	if err != nil || !bytes.Equal(w, g) {
		t.Errorf("docs/findings.md is stale (%v); %s", err, docsRegenerateHint)
	}
}

// docsReadGenerated reads the generated files of one directory: everything
// except dotfiles and gzipped pages (which are not committed).
func docsReadGenerated(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("%v; %s", err, docsRegenerateHint)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") || strings.HasSuffix(e.Name(), ".gz") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

func docsUnion(a, b map[string][]byte) []string {
	var names []string
	for n := range a {
		names = append(names, n)
	}
	for n := range b {
		if _, ok := a[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// docsFirstDiff describes the first differing line of committed vs generated.
func docsFirstDiff(committed, generated []byte) string {
	c := strings.Split(string(committed), "\n")
	g := strings.Split(string(generated), "\n")
	for i := 0; i < len(c) || i < len(g); i++ {
		var cl, gl string
		if i < len(c) {
			cl = c[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if cl != gl || i >= len(c) || i >= len(g) {
			return "line " + strconv.Itoa(i+1) + ": committed " + strconv.Quote(cl) + ", generated " + strconv.Quote(gl)
		}
	}
	return "same lines, different bytes"
}

// TestDocsReproducible renders twice: any clock, map order or environment
// leaking into the output makes the staleness test flaky, so catch it here.
func TestDocsReproducible(t *testing.T) {
	a, err := RenderDocs(DocsDate)
	if err != nil {
		t.Fatal(err)
	}
	b, err := RenderDocs(DocsDate)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) {
		t.Fatalf("file count differs: %d vs %d", len(a), len(b))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s differs between two renderings: %s", name, docsFirstDiff(data, b[name]))
		}
	}
	for _, name := range []string{"completions/mxprobe.bash", "completions/_mxprobe", "completions/mxprobe.fish", "completions/mxprobe.ps1", "man/mxprobe.1"} {
		if len(a[name]) == 0 {
			t.Errorf("%s not rendered", name)
		}
	}
}

// TestDocsManPages checks every command's page: a page per visible command,
// the EXIT STATUS table with every code, examples when the command has them,
// the fixed date, a whatis-friendly NAME line and no clock-dependent footer.
func TestDocsManPages(t *testing.T) {
	files, err := RenderDocs(DocsDate)
	if err != nil {
		t.Fatal(err)
	}
	cmds := docsCommands(NewDocsRootCmd())
	if len(cmds) < 2 {
		t.Fatalf("only %d commands in the tree", len(cmds))
	}
	pages := 0
	for name := range files {
		if strings.HasPrefix(name, "man/") {
			pages++
		}
	}
	if pages != len(cmds) {
		t.Errorf("%d man pages for %d commands", pages, len(cmds))
	}
	for _, c := range cmds {
		name := "man/" + docsManName(c)
		page := string(files[name])
		if page == "" {
			t.Errorf("%s: missing", name)
			continue
		}
		if !strings.Contains(page, `"1" "Nov 2026" "mxprobe" "mxprobe manual"`) {
			t.Errorf("%s: header without section 1 and the fixed date:\n%.200s", name, page)
		}
		if strings.Contains(page, "Auto generated") {
			t.Errorf("%s: has cobra's dated footer", name)
		}
		if !strings.Contains(page, ".SH NAME\n"+strings.ReplaceAll(c.CommandPath(), " ", "-")+` \- `) {
			t.Errorf("%s: NAME line is not \"name \\- description\"", name)
		}
		exit := strings.Index(page, ".SH EXIT STATUS\n")
		codes, ok := docsExitCodes[c.CommandPath()]
		if !ok {
			t.Errorf("%s: docsExitCodes does not say which exit codes %q returns", name, c.CommandPath())
		}
		if len(codes) == 0 {
			if exit >= 0 {
				t.Errorf("%s: an EXIT STATUS section on a command that only exits 0 or 2", name)
			}
			if strings.Contains(page, "EXIT STATUS") {
				t.Errorf("%s: exit-code table left in the description", name)
			}
			continue
		}
		if exit < 0 {
			t.Errorf("%s: no EXIT STATUS section", name)
			continue
		}
		if strings.Contains(page[:exit], "EXIT STATUS") {
			t.Errorf("%s: exit-code table also left in the description", name)
		}
		section := page[exit:]
		if end := strings.Index(section[1:], "\n.SH "); end >= 0 {
			section = section[:end+1]
		}
		for _, r := range exitcode.Table {
			if has := strings.Contains(section, ".B "+strconv.Itoa(r.Code)+"\n"); has != slices.Contains(codes, r.Code) {
				t.Errorf("%s: EXIT STATUS lists code %d: %v, want %v", name, r.Code, has, !has)
			}
		}
		if opts := strings.Index(page, ".SH OPTIONS"); opts < 0 || opts > exit {
			t.Errorf("%s: EXIT STATUS should follow OPTIONS", name)
		}
		ex := strings.Index(page, ".SH EXAMPLE\n")
		if (ex >= 0) != (strings.TrimSpace(c.Example) != "") {
			t.Errorf("%s: EXAMPLE section present=%v, command has examples=%v", name, ex >= 0, c.Example != "")
		}
		if ex >= 0 && ex < exit {
			t.Errorf("%s: EXAMPLE before EXIT STATUS", name)
		}
	}
}

// TestDocsRendering feeds a help text with everything a terminal-oriented
// Long may contain and checks it reaches the roff page intact.
func TestDocsRendering(t *testing.T) {
	c := &cobra.Command{
		Use:   "demo <target>... [--fail-on LEVEL]",
		Short: "Check *things* for <domain> & more",
		Long: `demo checks a domain's MX (RFC 5321 §5.1) and the sender_side setup.
It reflows this paragraph with [brackets](x), *stars*, <angle> and a \backslash.

Steps:
  1. resolve MX
  2. connect to port 25

- a bullet
- another bullet

.starts with a dot

EXIT STATUS
    0  everything fine
    1  problems found at or above --fail-on
       (continued)
  130  interrupted

Trailing note.`,
		Example: "  mxprobe demo --fail-on warn user@example.com\n  .dotline \\n",
		Run:     func(*cobra.Command, []string) {},
	}
	c.Flags().String("fail-on", "fail", "fail at this severity: *ok*, <info>, warn")
	docsEscapeFlagUsages(c)
	c.DisableAutoGenTag = true
	b, err := renderManPage(c, DocsDate)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{
		`.TH "DEMO" "1" "Nov 2026" "mxprobe" "mxprobe manual"` + "\n.nh\n",
		"demo \\- Check *things* for <domain> & more\n",
		"\\fBdemo <target>\\&... [--fail-on LEVEL] [flags]\\fP",
		"sender_side setup. It reflows this paragraph with [brackets](x), *stars*, <angle> and a \\\\backslash.",
		".EX\nSteps:\n  1. resolve MX\n  2. connect to port 25\n\n- a bullet\n- another bullet\n.EE",
		"\\&.starts with a dot",
		"Trailing note.",
		".TP\n\\fB--fail-on\\fP=\"fail\"\nfail at this severity: *ok*, <info>, warn\n",
		".SH EXIT STATUS\n.TP\n.B 0\neverything fine\n.TP\n.B 1\nproblems found at or above \\-\\-fail\\-on (continued)\n.TP\n.B 130\ninterrupted\n.SH EXAMPLE\n",
		".EX\n  mxprobe demo --fail-on warn user@example.com\n  .dotline \\\\n\n.EE",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
	if strings.Count(page, "EXIT STATUS") != 1 {
		t.Errorf("EXIT STATUS should appear once:\n%s", page)
	}
}

func TestDocsEscapeInline(t *testing.T) {
	for in, want := range map[string]string{
		"plain text":         "plain text",
		"a_b *c* `d` <e> &f": "a\\_b \\*c\\* \\`d\\` \\<e\\> \\&f",
		"[x](y) !z |w ~v":    `\[x\](y) \!z \|w \~v`,
		`back\slash`:         `back\\slash`,
		"# not a heading":    `\# not a heading`,
		"- not a list":       `\- not a list`,
		"2026. not a list":   `2026\. not a list`,
		"3) nor this":        `3\) nor this`,
		": no definition":    `\: no definition`,
		"mid-word - ok":      "mid-word - ok",
	} {
		if got := docsEscapeInline(in); got != want {
			t.Errorf("docsEscapeInline(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDocsSplitExitStatus(t *testing.T) {
	for _, long := range []string{"", "no table", "EXIT STATUS\nnot a row\n", "EXIT STATUS\n\n  0 x"} {
		desc, exits := docsSplitExitStatus(long)
		if desc != long || exits != nil {
			t.Errorf("%q: got %q, %v; want it untouched", long, desc, exits)
		}
	}
	desc, exits := docsSplitExitStatus("Intro.\n\n" + exitcode.HelpText())
	if desc != "Intro." || len(exits) != len(exitcode.Table) {
		t.Errorf("got %q, %d rows", desc, len(exits))
	}
}

func TestDocsDateFromEnv(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "SOURCE_DATE_EPOCH" {
				return v
			}
			return ""
		}
	}
	if d, err := DocsDateFromEnv(env("")); err != nil || !d.Equal(DocsDate) {
		t.Errorf("unset: %v, %v; want DocsDate", d, err)
	}
	if d, err := DocsDateFromEnv(env("1700000000")); err != nil || !d.Equal(time.Unix(1700000000, 0)) || d.Location() != time.UTC {
		t.Errorf("1700000000: %v, %v", d, err)
	}
	for _, bad := range []string{"yesterday", "-5", "1e9", "99999999999999999999"} {
		if _, err := DocsDateFromEnv(env(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestGenerateDocsFiles covers the writer: gzipped pages decompress to the
// plain page and are byte-identical across runs, pages of removed commands
// are deleted, files the generator does not own stay.
func TestGenerateDocsFiles(t *testing.T) {
	dir := t.TempDir()
	man := filepath.Join(dir, "man")
	if err := os.MkdirAll(man, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"mxprobe-gone.1": "old", "mxprobe-gone.1.gz": "old", ".gitignore": "*.gz\n", "notes.txt": "keep"} {
		if err := os.WriteFile(filepath.Join(man, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := GenerateDocs(dir, DocsOptions{Date: DocsDate, GzipMan: true}); err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{"mxprobe-gone.1", "mxprobe-gone.1.gz"} {
		if _, err := os.Stat(filepath.Join(man, gone)); !os.IsNotExist(err) {
			t.Errorf("stale %s not removed (%v)", gone, err)
		}
	}
	for _, kept := range []string{".gitignore", "notes.txt"} {
		if _, err := os.Stat(filepath.Join(man, kept)); err != nil {
			t.Errorf("%s removed: %v", kept, err)
		}
	}
	plain, err := os.ReadFile(filepath.Join(man, "mxprobe.1"))
	if err != nil {
		t.Fatal(err)
	}
	gz1, err := os.ReadFile(filepath.Join(man, "mxprobe.1.gz"))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz1))
	if err != nil {
		t.Fatal(err)
	}
	unz, err := io.ReadAll(io.LimitReader(zr, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(unz, plain) {
		t.Error("mxprobe.1.gz does not decompress to mxprobe.1")
	}
	if zr.Name != "" || !zr.ModTime.IsZero() {
		t.Errorf("gzip header carries name %q / time %v", zr.Name, zr.ModTime)
	}
	if err := GenerateDocs(dir, DocsOptions{Date: DocsDate, GzipMan: true}); err != nil {
		t.Fatal(err)
	}
	gz2, err := os.ReadFile(filepath.Join(man, "mxprobe.1.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gz1, gz2) {
		t.Error("gzipped page differs between runs")
	}
	st, err := os.Stat(filepath.Join(dir, "completions", "mxprobe.bash"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
}

// docsFixedSets are flags whose values form a fixed set and must complete
// dynamically wherever a command has them (issue 6). A command may offer
// more values; these must be among them.
var docsFixedSets = map[string][]string{
	"format":  {"text", "json"},
	"lang":    {"de", "en"},
	"fail-on": {"info", "warn", "fail"},
}

// TestDocsFlagValueCompletion asks the binary's hidden __complete command —
// which the generated scripts call — for the values of every fixed-set flag
// on every command.
func TestDocsFlagValueCompletion(t *testing.T) {
	checked := 0
	for _, c := range docsCommands(NewDocsRootCmd()) {
		path := strings.Fields(c.CommandPath())[1:]
		for flag, want := range docsFixedSets {
			if c.Flags().Lookup(flag) == nil && c.InheritedFlags().Lookup(flag) == nil {
				continue
			}
			checked++
			args := append(append([]string{"__complete"}, path...), "--"+flag, "")
			var out, errOut bytes.Buffer
			code := Run(context.Background(), args, &IOStreams{
				In: strings.NewReader(""), Out: &out, ErrOut: &errOut,
				Getenv: func(string) string { return "" },
			})
			if code != 0 {
				t.Errorf("%v: exit %d, stderr %q", args, code, errOut.String())
				continue
			}
			got := map[string]bool{}
			directive := ""
			for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
				if strings.HasPrefix(l, ":") {
					directive = l
					continue
				}
				v, _, _ := strings.Cut(l, "\t") // value, description
				got[v] = true
			}
			for _, w := range want {
				if !got[w] {
					t.Errorf("`mxprobe %s --%s <TAB>` does not offer %q (got %q): register it with RegisterFlagCompletionFunc",
						strings.Join(path, " "), flag, w, out.String())
				}
			}
			if directive != ":"+strconv.Itoa(int(cobra.ShellCompDirectiveNoFileComp)) {
				t.Errorf("%v: directive %q, want no file completion", args, directive)
			}
		}
	}
	if checked < 2 {
		t.Errorf("only %d flag completions checked; --format and --lang are global", checked)
	}
}

// TestDocsCompletionScripts checks that each script is cobra's dynamic kind
// (it calls back into `mxprobe __complete`) and is wired to the right name.
func TestDocsCompletionScripts(t *testing.T) {
	files, err := RenderDocs(DocsDate)
	if err != nil {
		t.Fatal(err)
	}
	for name, marker := range map[string]string{
		"completions/mxprobe.bash": "complete -o default -F __start_mxprobe mxprobe",
		"completions/_mxprobe":     "#compdef mxprobe",
		"completions/mxprobe.fish": "complete -c mxprobe",
		"completions/mxprobe.ps1":  "Register-ArgumentCompleter",
	} {
		s := string(files[name])
		if !strings.Contains(s, marker) {
			t.Errorf("%s lacks %q", name, marker)
		}
		if !strings.Contains(s, "__complete") {
			t.Errorf("%s does not call __complete (not dynamic)", name)
		}
	}
}
