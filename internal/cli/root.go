// Package cli is the only package that knows about flags, streams and exit
// codes. One file per command; each registers itself in init via addCommand.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/i18n"
)

// Globals are the global flags every command shares, plus the run's streams.
type Globals struct {
	// F is the run's factory (streams, clock, lab options, roots, resolver).
	F         *Factory
	IO        *IOStreams
	Format    string // "text" | "json"
	LangFlag  string
	Lang      i18n.Lang
	NoColor   bool
	Timeout   time.Duration
	Verbose   bool
	Quiet     bool
	Resolvers []string
	Lab       bool
	// CAFile adds PEM certificates to the trusted roots (private CAs, the lab).
	CAFile string
}

// JSON reports whether machine output was asked for.
func (g *Globals) JSON() bool { return g.Format == "json" }

// Color reports whether stdout gets colour: a TTY, no --no-color, no NO_COLOR.
func (g *Globals) Color() bool {
	if g.NoColor || g.IO.Getenv("NO_COLOR") != "" || g.IO.Getenv("TERM") == "dumb" {
		return false
	}
	return g.IO.OutTTY
}

var commandCtors []func(*Globals) *cobra.Command

// addCommand registers a subcommand constructor (called from init in each
// command file).
func addCommand(f func(*Globals) *cobra.Command) { commandCtors = append(commandCtors, f) }

// NewRootCmd builds the command tree for one run.
func NewRootCmd(g *Globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "mxprobe",
		Short: "Diagnose e-mail deliverability: SMTP dialogue, DNS, authentication, delivery proof",
		Long: `mxprobe talks to a destination's MX hosts, checks the sender's side (outbound IP,
rDNS, SPF, DKIM, DMARC, block lists, TLS), explains SMTP replies and enhanced status
codes in English and German, and proves delivery with tagged probes.

` + exitcode.HelpText(),
		Version:       Version().Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if err := g.finish(); err != nil {
				return err
			}
			return checkCIFormat(g, cmd)
		},
	}
	root.CompletionOptions.HiddenDefaultCmd = true
	root.SetGlobalNormalizationFunc(normalizeFlag)
	root.SetVersionTemplate("mxprobe {{.Version}}\n")
	pf := root.PersistentFlags()
	pf.StringVarP(&g.Format, "format", "o", "text", "output format: text or json; check and dns also junit (JUnit XML) or github (GitHub Actions annotations)")
	pf.StringVar(&g.LangFlag, "lang", "", "language of the output: de or en (default from LC_ALL, LC_MESSAGES, LANG)")
	pf.BoolVar(&g.NoColor, "no-color", false, "disable colour (also NO_COLOR or a non-terminal stdout)")
	durationFlag(pf, &g.Timeout, "timeout", time.Minute, "overall deadline of the command")
	pf.BoolVarP(&g.Verbose, "verbose", "v", false, "show more detail")
	pf.BoolVarP(&g.Quiet, "quiet", "q", false, "print only problems (text output)")
	_ = root.RegisterFlagCompletionFunc("format", fixedCompletion("text", "json", "junit", "github"))
	_ = root.RegisterFlagCompletionFunc("lang", fixedCompletion("de", "en"))
	root.SetOut(g.IO.Out)
	root.SetErr(g.IO.ErrOut)
	root.SetIn(g.IO.In)
	for _, c := range commandCtors {
		root.AddCommand(c(g))
	}
	addExitStatus(root)
	return root
}

// addExitStatus appends the exit-code table to every command's help, so it
// reaches the man pages too (DESIGN.md: one table, in every command's help).
func addExitStatus(c *cobra.Command) {
	if table := exitStatusHelp(c.CommandPath()); table != "" && !strings.Contains(c.Long, "EXIT STATUS") {
		long := c.Long
		if long == "" {
			long = c.Short
		}
		c.Long = strings.TrimRight(long, "\n") + "\n\n" + table
	}
	for _, sub := range c.Commands() {
		addExitStatus(sub)
	}
}

func fixedCompletion(vals ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return vals, cobra.ShellCompDirectiveNoFileComp
	}
}

// finish validates and derives global settings after flag parsing.
func (g *Globals) finish() error {
	switch g.Format {
	case "text", "json", "junit", "github":
	default:
		return usageErr("--format", i18n.T("invalid --format %q: use text or json (check and dns: also junit or github)", "ungültiges --format %q: Geben Sie text oder json an (check und dns: auch junit oder github)"), g.Format)
	}
	if g.LangFlag != "" {
		l, ok := i18n.Parse(g.LangFlag)
		if !ok {
			return usageErr("--lang", i18n.T("invalid --lang %q: use de or en", "ungültiges --lang %q: Geben Sie de oder en an"), g.LangFlag)
		}
		g.Lang = l
	} else {
		g.Lang = i18n.Detect(g.IO.Getenv)
	}
	if g.Timeout <= 0 {
		return usageErr("--timeout", i18n.T("invalid --timeout %s: give a positive duration such as 30s or 2m", "ungültiges --timeout %s: Geben Sie eine positive Dauer wie 30s oder 2m an"), fmtDuration(g.Timeout))
	}
	if g.Quiet && g.Verbose {
		return usageErr("--quiet", i18n.T("-q (--quiet) and -v (--verbose) exclude each other: give one of them", "-q (--quiet) und -v (--verbose) schließen sich aus: Geben Sie nur eine der beiden Optionen an"))
	}
	if len(g.Resolvers) == 0 {
		if v := g.IO.Getenv("MXPROBE_RESOLVER"); v != "" {
			for _, s := range strings.Split(v, ",") {
				if s = strings.TrimSpace(s); s != "" {
					g.Resolvers = append(g.Resolvers, s)
				}
			}
		}
	}
	return nil
}

// Run executes mxprobe with args and streams and returns the exit code. Errors
// are printed as one line on stderr.
func Run(ctx context.Context, args []string, io *IOStreams) int {
	return RunFactory(ctx, args, NewFactory(io))
}

// RunFactory is Run with an explicit factory (tests: a fake clock, lab
// options).
func RunFactory(ctx context.Context, args []string, f *Factory) int {
	g := &Globals{F: f, IO: f.IO}
	root := NewRootCmd(g)
	root.SetArgs(args)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return flagError(c, err) })
	err := root.ExecuteContext(ctx)
	if err != nil && ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) {
		err = exitcode.WithCode(exitcode.Interrupted, fmt.Errorf("interrupted"))
	}
	code := exitOf(err)
	if err != nil && isUsageFromCobra(err) {
		code = exitcode.Usage
	}
	var ee *exitcode.Error
	if err != nil && !(errors.As(err, &ee) && ee.Err == nil) {
		if g.Lang == "" {
			g.Lang = langFromArgs(args, g.IO.Getenv)
		}
		fmt.Fprintf(f.IO.ErrOut, "mxprobe: %s\n", errorLine(err, g.Lang, g.Verbose))
	}
	return code
}

// flagError turns pflag's errors into one-line usage errors naming the
// flag and saying what to type, without the parser's error chain
// ("strconv.ParseInt: parsing …").
func flagError(c *cobra.Command, err error) error {
	var iv *pflag.InvalidValueError
	var vr *pflag.ValueRequiredError
	var ne *pflag.NotExistError
	switch {
	case errors.As(err, &iv):
		f := iv.GetFlag()
		h := typeHint(f.Value.Type())
		return usageErr("--"+f.Name, i18n.T("invalid value %q for --%s: give "+h.EN+"; see %s --help", "ungültiger Wert %q für --%s: "+h.DE+" angeben; siehe %s --help"),
			iv.GetValue(), f.Name, c.CommandPath())
	case errors.As(err, &vr):
		return usageErr("--"+vr.GetFlag().Name, i18n.T("--%s needs a value: see %s --help", "--%s braucht einen Wert: siehe %s --help"), vr.GetFlag().Name, c.CommandPath())
	case errors.As(err, &ne):
		name := "--" + ne.GetSpecifiedName()
		if len(ne.GetSpecifiedName()) == 1 {
			name = "-" + ne.GetSpecifiedName()
		}
		return usageErr(name, i18n.T("unknown flag %s for %s: see %s --help (docs/cli.md lists every flag)", "unbekannte Option %s für %s: siehe %s --help (docs/cli.md listet alle Optionen)"),
			name, c.CommandPath(), c.CommandPath())
	}
	return exitcode.WithCode(exitcode.Usage, err)
}

// typeHint says what a flag of type t takes.
func typeHint(t string) i18n.Text {
	switch t {
	case "int":
		return i18n.T("a whole number", "eine ganze Zahl")
	case "duration":
		return i18n.T("a duration such as 30s, 15m or 24h", "eine Dauer wie 30s, 15m oder 24h")
	case "bool":
		return i18n.T("true or false", "true oder false")
	}
	return i18n.T("a value", "einen Wert")
}

// langFromArgs finds --lang in the raw arguments, for messages about flags
// that did not parse (finish has not run then).
func langFromArgs(args []string, getenv func(string) string) i18n.Lang {
	for i, a := range args {
		v, ok := strings.CutPrefix(a, "--lang=")
		if !ok && a == "--lang" && i+1 < len(args) {
			v, ok = args[i+1], true
		}
		if l, good := i18n.Parse(v); ok && good {
			return l
		}
	}
	return i18n.Detect(getenv)
}

// isUsageFromCobra recognises cobra's own argument errors (unknown command,
// wrong arg count), which carry no exit code of ours.
func isUsageFromCobra(err error) bool {
	var ee *exitcode.Error
	if errors.As(err, &ee) {
		return false
	}
	m := err.Error()
	return strings.HasPrefix(m, "unknown command") || strings.HasPrefix(m, "unknown flag") ||
		strings.Contains(m, "arg(s)") || strings.HasPrefix(m, "invalid argument") ||
		strings.HasPrefix(m, "required flag") || strings.HasPrefix(m, "unknown shorthand flag") ||
		strings.Contains(m, "flag needs an argument")
}

// Main is the program entry: signal handling and exit.
func Main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, os.Args[1:], System())
	stop()
	os.Exit(code)
}
