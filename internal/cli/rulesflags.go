package cli

import (
	"errors"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/mxprobe/mxprobe/internal/check"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/rules"
)

// rulesFlags are the rulebook flags of `check` and `dns` (docs/rules.md):
// which rulebooks score the sender, whether it sends bulk mail, and a
// message whose headers decide the message rules.
type rulesFlags struct {
	rules   string
	bulk    bool
	message string
}

func addRulesFlags(cmd *cobra.Command, r *rulesFlags) {
	f := cmd.Flags()
	f.StringVar(&r.rules, "rules", check.RulesDefault, "provider rulebooks to score the sender against: default (the destination's operator), all or none")
	f.BoolVar(&r.bulk, "bulk", false, "the sender sends bulk mail: failed bulk-level rules are warnings, not information")
	f.StringVar(&r.message, "message", "", "a message FILE (RFC 5322; - for standard input) whose headers and DKIM signatures decide the rulebooks' message rules")
}

// options validates the flags and reads --message (at most
// rules.MaxMessage bytes; the rest is not read; "-" reads stdin).
func (r *rulesFlags) options(stdin io.Reader) (check.RulesOptions, error) {
	o := check.RulesOptions{Rules: r.rules, Bulk: r.bulk}
	if !check.ValidRules(r.rules) {
		return o, usageErr("--rules", i18n.T("invalid --rules %q: use default, all or none", "ungültige --rules %q: Geben Sie default, all oder none an"), r.rules)
	}
	if r.message == "" {
		return o, nil
	}
	msg, err := readMessageFile(r.message, stdin)
	if err != nil {
		return o, usageErr("--message", i18n.T("cannot read --message %s: %v", "--message %s ist nicht lesbar: %v"), r.message, err)
	}
	o.Message = msg
	return o, nil
}

// readMessageFile reads at most rules.MaxMessage bytes of name (- for
// stdin); an empty file is refused (there is no header to judge).
func readMessageFile(name string, stdin io.Reader) ([]byte, error) {
	in := stdin
	if name != "-" || stdin == nil {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		in = f
	}
	b, err := io.ReadAll(io.LimitReader(in, rules.MaxMessage))
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, errEmptyMessage
	}
	return b, nil
}

var errEmptyMessage = errors.New("the file is empty")
