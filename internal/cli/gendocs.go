package cli

// Generated documentation: shell completions (completions/) and man pages
// (man/), rebuilt from the command tree by `go run ./cmd/gendocs`. The files
// are committed; docs_test.go fails when they are stale.
//
// Output is reproducible: neutral streams and an empty environment when the
// tree is built, a fixed man page date (SOURCE_DATE_EPOCH, else DocsDate), no
// "auto generated" footer, gzip without name or timestamp.

//go:generate go run ../../cmd/gendocs -dir ../..

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"github.com/spf13/pflag"
)

// DocsDate is the man page date used when SOURCE_DATE_EPOCH is not set. It is
// a constant so that regenerating is reproducible and the staleness test does
// not depend on the clock; move it forward before a release (and regenerate).
var DocsDate = time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)

// Completion script file names below completions/. _mxprobe is the name zsh
// looks for in its fpath.
const (
	docsBashFile = "mxprobe.bash"
	docsZshFile  = "_mxprobe"
	docsFishFile = "mxprobe.fish"
	docsPwshFile = "mxprobe.ps1"
)

// DocsOptions control GenerateDocs.
type DocsOptions struct {
	// Date is printed in every man page header (month and year).
	Date time.Time
	// GzipMan additionally writes man/<page>.1.gz (for packages; ignored by git).
	GzipMan bool
}

// DocsDateFromEnv returns the man page date: SOURCE_DATE_EPOCH (Unix seconds,
// https://reproducible-builds.org/specs/source-date-epoch/) when set, else DocsDate.
func DocsDateFromEnv(getenv func(string) string) (time.Time, error) {
	v := strings.TrimSpace(getenv("SOURCE_DATE_EPOCH"))
	if v == "" {
		return DocsDate, nil
	}
	sec, err := strconv.ParseInt(v, 10, 64)
	if err != nil || sec < 0 {
		return time.Time{}, fmt.Errorf("invalid SOURCE_DATE_EPOCH %q: want Unix seconds", v)
	}
	return time.Unix(sec, 0).UTC(), nil
}

// NewDocsRootCmd builds the full command tree for documentation: no input,
// discarded output and an empty environment, so that nothing of the machine
// generating the docs (LANG, NO_COLOR, MXPROBE_RESOLVER, a terminal) leaks
// into them.
func NewDocsRootCmd() *cobra.Command {
	g := &Globals{IO: &IOStreams{
		In:     strings.NewReader(""),
		Out:    io.Discard,
		ErrOut: io.Discard,
		Getenv: func(string) string { return "" },
	}}
	return NewRootCmd(g)
}

// RenderDocs returns every generated file keyed by its slash-separated path
// relative to the repository root ("completions/mxprobe.bash", "man/mxprobe.1").
// Gzipped man pages are not included.
func RenderDocs(date time.Time) (map[string][]byte, error) {
	files := map[string][]byte{}

	// Completions. The scripts are thin: they call `mxprobe __complete …`
	// at run time, so flag values registered with RegisterFlagCompletionFunc
	// (--format, --lang, --fail-on …) complete from the installed binary.
	root := NewDocsRootCmd()
	gens := []struct {
		name string
		gen  func(io.Writer) error
	}{
		{docsBashFile, func(w io.Writer) error { return root.GenBashCompletionV2(w, true) }},
		{docsZshFile, root.GenZshCompletion},
		{docsFishFile, func(w io.Writer) error { return root.GenFishCompletion(w, true) }},
		{docsPwshFile, root.GenPowerShellCompletionWithDesc},
	}
	for _, c := range gens {
		var b bytes.Buffer
		if err := c.gen(&b); err != nil {
			return nil, fmt.Errorf("completion %s: %w", c.name, err)
		}
		files["completions/"+c.name] = b.Bytes()
	}

	// Man pages, from a fresh tree: rendering rewrites help texts in place.
	root = NewDocsRootCmd()
	cmds := docsCommands(root)
	for _, c := range cmds {
		c.DisableAutoGenTag = true // no "HISTORY … Auto generated" footer
	}
	docsEscapeFlagUsages(root)
	for _, c := range cmds {
		page, err := renderManPage(c, date)
		if err != nil {
			return nil, fmt.Errorf("man page for %q: %w", c.CommandPath(), err)
		}
		files["man/"+docsManName(c)] = page
	}
	return files, nil
}

// GenerateDocs writes completions/ and man/ below dir, replacing earlier
// generated files (pages of removed commands disappear).
func GenerateDocs(dir string, opt DocsOptions) error {
	files, err := RenderDocs(opt.Date)
	if err != nil {
		return err
	}
	compDir := filepath.Join(dir, "completions")
	manDir := filepath.Join(dir, "man")
	for _, d := range []string{compDir, manDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	// Remove only what this generator owns.
	stale, err := filepath.Glob(filepath.Join(manDir, "mxprobe*.1"))
	if err != nil {
		return err
	}
	staleGz, err := filepath.Glob(filepath.Join(manDir, "mxprobe*.1.gz"))
	if err != nil {
		return err
	}
	for _, f := range append(stale, staleGz...) {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := docsWriteFile(path, files[name]); err != nil {
			return err
		}
		if opt.GzipMan && strings.HasPrefix(name, "man/") {
			gz, err := docsGzip(files[name])
			if err != nil {
				return err
			}
			if err := docsWriteFile(path+".gz", gz); err != nil {
				return err
			}
		}
	}
	return nil
}

func docsWriteFile(path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	// WriteFile keeps the mode of an existing file and honours the umask;
	// packages copy the mode, so set it explicitly.
	return os.Chmod(path, 0o644)
}

// docsGzip compresses reproducibly: no file name, no modification time
// (RFC 1952 §2.3.1 allows MTIME = 0, "no time stamp is available").
func docsGzip(data []byte) ([]byte, error) {
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// docsCommands lists the command and every available (visible, not
// deprecated) descendant, parents first, siblings by name — the pages
// GenManTree would write.
func docsCommands(c *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{c}
	subs := append([]*cobra.Command(nil), c.Commands()...)
	sort.Slice(subs, func(i, j int) bool { return subs[i].Name() < subs[j].Name() })
	for _, s := range subs {
		if !s.IsAvailableCommand() || s.IsAdditionalHelpTopicCommand() {
			continue
		}
		out = append(out, docsCommands(s)...)
	}
	return out
}

// docsManName is the page file name GenManTree uses: the command path joined
// with "-", section 1.
func docsManName(c *cobra.Command) string {
	return strings.ReplaceAll(c.CommandPath(), " ", "-") + ".1"
}

// renderManPage renders one page with cobra's doc.GenMan and adds a proper
// EXIT STATUS section (man-pages(7) order: after OPTIONS, before EXAMPLES).
// cobra feeds Short, Use and Long to a Markdown renderer; our help texts are
// plain text written for a terminal, so they are converted first.
func renderManPage(c *cobra.Command, date time.Time) ([]byte, error) {
	desc, exits := docsSplitExitStatus(c.Long)
	if strings.TrimSpace(desc) == "" {
		desc = c.Short
	}
	c.Long = docsPlainToMarkdown(desc)
	c.Short = docsEscapeInline(c.Short)
	if name, rest, ok := strings.Cut(c.Use, " "); ok {
		c.Use = name + " " + docsEscapeInline(rest)
	}
	hdr := &doc.GenManHeader{
		Section: "1",
		Date:    &date,
		Source:  "mxprobe",
		Manual:  "mxprobe manual",
	}
	var b bytes.Buffer
	if err := doc.GenMan(c, hdr, &b); err != nil {
		return nil, err
	}
	page := b.String()
	// whatis/lexgrog want "name \- description" in NAME; cobra's escaped
	// hyphen reaches md2man as a separate text node and stays a plain "-".
	if i := strings.Index(page, "\n.SH NAME\n"); i >= 0 {
		j := i + len("\n.SH NAME\n")
		if k := strings.IndexByte(page[j:], '\n'); k >= 0 {
			page = page[:j] + strings.Replace(page[j:j+k], " - ", ` \- `, 1) + page[j+k:]
		}
	}
	page = docsTidyRoff(page)
	if len(exits) > 0 {
		page = docsInsertSection(page, docsExitStatusRoff(exits), "EXAMPLE", "SEE ALSO")
	}
	return []byte(page), nil
}

// docsFlagEntry matches cobra's option entry: an optional ".PP", the bold
// flag names, then the usage on a tab-indented line.
var docsFlagEntry = regexp.MustCompile(`(?m)^(?:\.PP\n)?(\\fB-.*)\n\t`)

// docsTidyRoff fixes two layout details of cobra's man output: hyphenation is
// switched off after .TH (which resets it in groff's an macros, so md2man's
// leading .nh has no effect), and options become tagged paragraphs (.TP) with
// the usage indented under the flag, as in other man pages.
func docsTidyRoff(page string) string {
	if rest, ok := strings.CutPrefix(page, ".nh\n"); ok {
		if i := strings.Index(rest, "\n"); i >= 0 && strings.HasPrefix(rest, ".TH ") {
			page = rest[:i+1] + ".nh\n" + rest[i+1:]
		}
	}
	return docsFlagEntry.ReplaceAllString(page, ".TP\n$1\n")
}

// docsExit is one row of an EXIT STATUS table.
type docsExit struct{ code, text string }

var docsExitRow = regexp.MustCompile(`^\s*(\d{1,3})\s+(\S.*)$`)

// docsSplitExitStatus takes the "EXIT STATUS" block that root.go appends to
// every command's Long (a heading line, then "  code  meaning" rows up to the
// next blank line) out of the description. Text after the block stays. If no
// row parses, the text is left untouched.
func docsSplitExitStatus(long string) (desc string, exits []docsExit) {
	lines := strings.Split(long, "\n")
	start := -1
	for i, l := range lines {
		if strings.TrimSpace(l) == "EXIT STATUS" {
			start = i
			break
		}
	}
	if start < 0 {
		return long, nil
	}
	end := start + 1
	for ; end < len(lines) && strings.TrimSpace(lines[end]) != ""; end++ {
		l := lines[end]
		if m := docsExitRow.FindStringSubmatch(l); m != nil {
			exits = append(exits, docsExit{code: m[1], text: strings.TrimSpace(m[2])})
		} else if len(exits) > 0 {
			exits[len(exits)-1].text += " " + strings.TrimSpace(l)
		} else {
			return long, nil
		}
	}
	if len(exits) == 0 {
		return long, nil
	}
	rest := append(append([]string(nil), lines[:start]...), lines[end:]...)
	return strings.Trim(strings.Join(rest, "\n"), "\n"), exits
}

// docsExitStatusRoff renders the table as a tagged paragraph list.
func docsExitStatusRoff(exits []docsExit) string {
	var b strings.Builder
	b.WriteString(".SH EXIT STATUS\n")
	for _, e := range exits {
		fmt.Fprintf(&b, ".TP\n.B %s\n%s\n", e.code, docsRoffText(e.text))
	}
	return b.String()
}

// docsRoffText escapes plain text for a roff text line: backslashes, a
// leading control character, and hyphens (so that option names like
// --fail-on stay ASCII hyphen-minus, groff_char(7) "\-").
func docsRoffText(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// docsInsertSection puts section before the first of the named sections that
// exists in the page, else at the end.
func docsInsertSection(page, section string, before ...string) string {
	for _, name := range before {
		if i := strings.Index(page, "\n.SH "+name+"\n"); i >= 0 {
			return page[:i+1] + section + page[i+1:]
		}
	}
	if !strings.HasSuffix(page, "\n") {
		page += "\n"
	}
	return page + section
}

var (
	docsListItem     = regexp.MustCompile(`^(?:[-*+•]|\d+[.)])\s`)
	docsOrderedStart = regexp.MustCompile(`^\d+[.)]`)
)

// docsPlainToMarkdown converts help text written for a terminal into
// Markdown that go-md2man renders faithfully. Paragraphs (separated by blank
// lines) of ordinary prose are joined and escaped so they reflow; paragraphs
// whose layout matters (indented lines, lists, aligned columns, tabs) become
// preformatted blocks.
func docsPlainToMarkdown(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var paras [][]string
	var cur []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) == "" {
			if len(cur) > 0 {
				paras = append(paras, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, strings.TrimRight(l, " \t"))
	}
	if len(cur) > 0 {
		paras = append(paras, cur)
	}
	out := make([]string, 0, len(paras))
	for _, p := range paras {
		if docsPreformatted(p) {
			block := make([]string, len(p))
			for i, l := range p {
				block[i] = "    " + l
			}
			out = append(out, strings.Join(block, "\n"))
			continue
		}
		out = append(out, docsEscapeInline(strings.Join(p, " ")))
	}
	return strings.Join(out, "\n\n")
}

func docsPreformatted(p []string) bool {
	for _, l := range p {
		if l[0] == ' ' || l[0] == '\t' || strings.Contains(l, "\t") || docsListItem.MatchString(l) {
			return true
		}
		if len(p) > 1 && strings.Contains(strings.TrimSpace(l), "   ") {
			return true // columns aligned with spaces
		}
	}
	return false
}

// docsEscapeInline backslash-escapes the characters Markdown would interpret
// (emphasis, code spans, links, HTML and entities, a leading block marker),
// so the text reaches the page as written.
func docsEscapeInline(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '&', '!', '|', '~':
			b.WriteByte('\\')
		case '#', '-', '+', ':':
			if i == 0 {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
	}
	out := b.String()
	// "2026. " at the start would open an ordered list.
	if m := docsOrderedStart.FindStringIndex(out); m != nil {
		out = out[:m[1]-1] + `\` + out[m[1]-1:]
	}
	return out
}

// docsEscapeFlagUsages escapes every flag's usage text once (cobra prints it
// into the Markdown it renders). Persistent flags are shared between parent
// and children, hence the seen set.
func docsEscapeFlagUsages(root *cobra.Command) {
	seen := map[*pflag.Flag]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, fs := range []*pflag.FlagSet{c.Flags(), c.PersistentFlags()} {
			fs.VisitAll(func(f *pflag.Flag) {
				if !seen[f] {
					seen[f] = true
					f.Usage = docsEscapeInline(f.Usage)
				}
			})
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
}
