package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/i18n"
)

// durationValue is a duration flag printed one way everywhere: "24h",
// "15m", "1m30s" (never "24h0m0s").
type durationValue struct {
	p *time.Duration
	// unset prints 0 as "" (a window derived from the others, see
	// windowFlags), not as "0s".
	unset bool
}

func newDuration(p *time.Duration, def time.Duration) *durationValue {
	*p = def
	return &durationValue{p: p}
}

func (d *durationValue) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration: use e.g. 30s, 15m or 24h", s)
	}
	*d.p = v
	return nil
}
func (d *durationValue) Type() string { return "duration" }
func (d *durationValue) String() string {
	if d.unset && *d.p == 0 {
		return ""
	}
	return fmtDuration(*d.p)
}

// fmtDuration prints d without zero units: 24h, 15m, 1m30s, 0s.
func fmtDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// durationFlag registers a duration flag printed with fmtDuration.
func durationFlag(fs *pflag.FlagSet, p *time.Duration, name string, def time.Duration, usage string) {
	fs.Var(newDuration(p, def), name, usage)
}

// addHELOFlag registers --helo (--ehlo is accepted as its alias, see
// normalizeFlag) on a command that speaks SMTP.
func addHELOFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVar(p, "helo", "", "EHLO/HELO name (--ehlo is the same; default: this host's FQDN, never localhost)")
}

// normalizeFlag maps the aliases of the flag vocabulary (docs/cli.md) to
// their one name.
func normalizeFlag(f *pflag.FlagSet, name string) pflag.NormalizedName {
	if name == "ehlo" {
		name = "helo"
	}
	return pflag.NormalizedName(name)
}

// checkHELO refuses a HELO name the destination would reject or that
// identifies nothing: RFC 5321 §4.1.1.1 wants the client's FQDN (or an
// address literal); "localhost" and single labels are refused by many MTAs.
func checkHELO(name string) error {
	if name == "" {
		return nil
	}
	n := strings.TrimSuffix(strings.ToLower(name), ".")
	if strings.HasPrefix(n, "[") && strings.HasSuffix(n, "]") {
		return nil // address literal
	}
	bad := n == "" || n == "localhost" || strings.HasSuffix(n, ".localhost") || !strings.Contains(n, ".") ||
		strings.ContainsAny(n, " \t\r\n<>@") || len(n) > 253
	if bad {
		return usageErr("--helo", i18n.T("unusable --helo %q: give this host's fully qualified name (mail.example.com), as RFC 5321 §4.1.1.1 asks; receivers refuse localhost and single labels",
			"unbrauchbares --helo %q: Geben Sie den vollständigen Namen dieses Rechners an (mail.example.com), wie RFC 5321 §4.1.1.1 verlangt; Empfänger lehnen localhost und einteilige Namen ab"), name)
	}
	return nil
}

// noArgs refuses positional arguments with a message naming the command.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErr(args[0], i18n.T("%s takes no arguments, got %q: options start with --", "%s erwartet keine Argumente, erhalten: %q; Optionen beginnen mit --"), cmd.CommandPath(), args[0])
	}
	return nil
}

// exactArgs wants n positional arguments called what.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErr(what, i18n.T("%s needs exactly one %s, got %d: see %s --help", "%s braucht genau ein %s, erhalten: %d; siehe %s --help"), cmd.CommandPath(), what, fmt.Sprint(len(args)), cmd.CommandPath())
		}
		return nil
	}
}

// maxOneArg allows at most one positional argument called what.
func maxOneArg(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > 1 {
			return usageErr(what, i18n.T("%s takes one %s, got %d arguments (%q …): quote a value with spaces, or use --targets FILE for many",
				"%s erwartet ein %s, erhalten: %d Argumente (%q …); Setzen Sie einen Wert mit Leerzeichen in Anführungszeichen oder verwenden Sie für viele Ziele --targets DATEI"),
				cmd.CommandPath(), what, fmt.Sprint(len(args)), args[1])
		}
		return nil
	}
}

// interruptedCtx reports a Ctrl-C (the signal context is cancelled): the
// partial result must not be printed as if complete (exit 130).
func interruptedCtx(ctx context.Context) error {
	if err := ctx.Err(); err != nil && errors.Is(err, context.Canceled) {
		return exitcode.WithCode(exitcode.Interrupted, fmt.Errorf("interrupted"))
	}
	return nil
}

// parseAddressFlag parses the address given to flag (RFC 5321 Mailbox).
func parseAddressFlag(flag, s string) (string, error) {
	a, err := delivery.ParseAddress(s)
	if err != nil {
		return "", usageErr(flag, i18n.T("invalid %s %q: %v; give an address such as user@example.com", "ungültiges %s %q: %v; Geben Sie eine Adresse wie user@example.com an"), flag, s, err)
	}
	return a, nil
}

// netFlag names the flags of commands that use the network.
type netFlag int

const (
	flagLab netFlag = 1 << iota
	flagResolver
	flagCAFile
)

// addNetFlags registers --lab, --resolver and --ca-file on the commands
// where they mean something (docs/cli.md): one definition, bound to the
// run's Globals.
func addNetFlags(cmd *cobra.Command, g *Globals, which netFlag) {
	f := cmd.Flags()
	if which&flagLab != 0 {
		f.BoolVar(&g.Lab, "lab", false, "run against an in-process loopback lab instead of the real network")
	}
	if which&flagResolver != 0 {
		f.StringArrayVar(&g.Resolvers, "resolver", nil, "DNS server ADDR[:PORT] to ask (repeatable; also MXPROBE_RESOLVER, comma separated)")
	}
	if which&flagCAFile != 0 {
		f.StringVar(&g.CAFile, "ca-file", "", "also trust the CA certificates in this PEM file (private CAs, mxprobe lab)")
	}
}
