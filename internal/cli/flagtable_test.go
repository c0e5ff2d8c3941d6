package cli

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const flagTablePath = "../../docs/cli.md"

// flagUse is one flag name over the command tree: its type and the
// commands that take it.
type flagUse struct {
	typ, usage, short string
	cmds              []string
}

// flagVocabulary walks the cobra tree: every runnable command with its own
// and inherited flags (help excluded).
func flagVocabulary(t *testing.T) map[string]*flagUse {
	g := &Globals{F: NewFactory(&IOStreams{Getenv: func(string) string { return "" }})}
	g.IO = g.F.IO
	root := NewRootCmd(g)
	root.InitDefaultVersionFlag()
	out := map[string]*flagUse{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if (c.Runnable() || !c.HasParent()) && !c.Hidden {
			name := strings.TrimPrefix(c.CommandPath(), "mxprobe")
			name = strings.TrimSpace(name)
			if name == "" {
				name = "mxprobe"
			}
			seen := map[string]bool{}
			visit := func(f *pflag.Flag) {
				if f.Name == "help" || seen[f.Name] {
					return
				}
				seen[f.Name] = true
				u := out[f.Name]
				if u == nil {
					u = &flagUse{typ: f.Value.Type(), usage: f.Usage, short: f.Shorthand}
					out[f.Name] = u
				}
				if u.typ != f.Value.Type() {
					t.Errorf("--%s is a %s on %s but a %s elsewhere: one name, one meaning", f.Name, f.Value.Type(), name, u.typ)
				}
				u.cmds = append(u.cmds, name)
			}
			c.LocalFlags().VisitAll(visit)
			c.InheritedFlags().VisitAll(visit)
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	return out
}

// TestFlagTable holds docs/cli.md: every flag of every command is in the
// table with exactly the commands that take it (go test -run FlagTable
// -update rewrites the rows, keeping the meanings written there).
func TestFlagTable(t *testing.T) {
	voc := flagVocabulary(t)
	doc, err := os.ReadFile(flagTablePath)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- flag-table:begin -->\n", "<!-- flag-table:end -->"
	s := string(doc)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the flag-table markers", flagTablePath)
	}
	rows := map[string][]string{} // flag → cells
	for _, line := range strings.Split(s[i+len(begin):j], "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 6 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`--") {
			continue
		}
		for k := range cells {
			cells[k] = strings.TrimSpace(cells[k])
		}
		name, _, _ := strings.Cut(cells[1], ",")
		name = strings.TrimPrefix(strings.Trim(name, "`"), "--")
		rows[name] = cells[1:5]
	}
	names := make([]string, 0, len(voc))
	for n := range voc {
		names = append(names, n)
	}
	sort.Strings(names)
	if *update {
		var b strings.Builder
		b.WriteString("| Flag | Type | Meaning | Commands |\n|---|---|---|---|\n")
		for _, n := range names {
			u := voc[n]
			meaning := u.usage
			if r, ok := rows[n]; ok && r[2] != "" {
				meaning = r[2]
			}
			flag := "`--" + n + "`"
			if u.short != "" {
				flag += ", `-" + u.short + "`"
			}
			if n == "helo" {
				flag = "`--helo`, `--ehlo`"
			}
			b.WriteString("| " + flag + " | " + u.typ + " | " + strings.ReplaceAll(meaning, "|", "\\|") + " | " + cmdList(u.cmds) + " |\n")
		}
		s = s[:i+len(begin)] + b.String() + s[j:]
		if err := os.WriteFile(flagTablePath, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, n := range names {
		r, ok := rows[n]
		if !ok {
			t.Errorf("--%s is missing from %s (go test -run FlagTable -update)", n, filepath.Base(flagTablePath))
			continue
		}
		if got := cmdList(voc[n].cmds); r[3] != got {
			t.Errorf("--%s: the table says %q, the commands are %q", n, r[3], got)
		}
		if r[2] == "" {
			t.Errorf("--%s: no meaning in the table", n)
		}
	}
	for n := range rows {
		if voc[n] == nil {
			t.Errorf("--%s is in the table but no command takes it", n)
		}
	}
	// Flags only where they mean something.
	for _, c := range []struct{ flag, cmd string }{{"lab", "explain"}, {"lab", "version"}, {"lab", "logscan"}, {"lab", "lab"}, {"resolver", "explain"}, {"ca-file", "version"}} {
		for _, have := range voc[c.flag].cmds {
			if have == c.cmd {
				t.Errorf("--%s on %s, where it means nothing", c.flag, c.cmd)
			}
		}
	}
}

func cmdList(cmds []string) string {
	c := append([]string(nil), cmds...)
	sort.Strings(c)
	return strings.Join(c, ", ")
}
