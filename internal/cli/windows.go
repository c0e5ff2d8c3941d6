package cli

import (
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/i18n"
)

// windowFlags are --expect, --drop-after and --final. Any one may be given
// alone: a window not given keeps its default unless that contradicts the
// given ones (expect ≤ drop-after ≤ final), then it follows them; when
// given values contradict each other the error names the flag to change.
type windowFlags struct {
	expect, dropAfter, final time.Duration
}

var windowNames = []string{"expect", "drop-after", "final"}

// labDefaultWindows are the defaults with --lab: the demo ends in seconds.
var labDefaultWindows = delivery.Windows{Expect: time.Second, DropAfter: 2 * time.Second, Final: 4 * time.Second}

func (w *windowFlags) register(fs *pflag.FlagSet) {
	def := delivery.DefaultWindows()
	fs.Var(&durationValue{p: &w.expect, unset: true}, "expect", "a healthy delivery shows up within this time (default "+fmtDuration(def.Expect)+"; "+fmtDuration(labDefaultWindows.Expect)+" with --lab)")
	fs.Var(&durationValue{p: &w.dropAfter, unset: true}, "drop-after", "missing after this time (with two complete scans): silent drop suspected (default "+fmtDuration(def.DropAfter)+"; "+fmtDuration(labDefaultWindows.DropAfter)+" with --lab)")
	fs.Var(&durationValue{p: &w.final, unset: true}, "final", "after this time the verdict is final (default "+fmtDuration(def.Final)+"; "+fmtDuration(labDefaultWindows.Final)+" with --lab)")
}

// windowsChanged reports whether cmd was given --expect, --drop-after or
// --final: given windows override the ones stored with the probes.
func windowsChanged(cmd *cobra.Command) bool {
	for _, n := range windowNames {
		if cmd.Flags().Changed(n) {
			return true
		}
	}
	return false
}

// resolve returns the windows: the given ones, the others derived from them
// or from the defaults (labDefaultWindows with lab).
func (w *windowFlags) resolve(lab bool) (delivery.Windows, error) {
	out := delivery.DefaultWindows()
	if lab {
		out = labDefaultWindows
	}
	ge, gd, gf := w.expect > 0, w.dropAfter > 0, w.final > 0
	for _, c := range []struct {
		bad  bool
		flag string
	}{{w.expect < 0, "--expect"}, {w.dropAfter < 0, "--drop-after"}, {w.final < 0, "--final"}} {
		if c.bad {
			return out, usageErr(c.flag, i18n.T("%s must be positive", "%s muss positiv sein"), c.flag)
		}
	}
	if ge {
		out.Expect = w.expect
	}
	if gd {
		out.DropAfter = w.dropAfter
	}
	if gf {
		out.Final = w.final
	}
	// The defaults keep the ratio 1 : 96 : 288 (15m, 24h, 72h); a window
	// not given follows the given ones when the default would contradict.
	if !gd {
		if gf && out.DropAfter > out.Final {
			out.DropAfter = out.Final / 3
		}
		if out.Expect > out.DropAfter {
			out.DropAfter = 2 * out.Expect
		}
	}
	if !ge && out.Expect > out.DropAfter {
		out.Expect = out.DropAfter / 2
	}
	if !gf && out.Final < out.DropAfter {
		out.Final = 3 * out.DropAfter
	}
	if out.Expect > out.DropAfter {
		return out, usageErr("--drop-after", i18n.T("--drop-after %s is shorter than --expect %s: raise --drop-after or lower --expect",
			"--drop-after %s ist kürzer als --expect %s: --drop-after erhöhen oder --expect senken"), fmtDuration(out.DropAfter), fmtDuration(out.Expect))
	}
	if out.DropAfter > out.Final {
		return out, usageErr("--final", i18n.T("--final %s is shorter than --drop-after %s: raise --final or lower --drop-after",
			"--final %s ist kürzer als --drop-after %s: --final erhöhen oder --drop-after senken"), fmtDuration(out.Final), fmtDuration(out.DropAfter))
	}
	return out, out.Validate()
}

// windows are the probe commands' windows.
func (po *probeOptions) windows() (delivery.Windows, error) { return po.resolve(po.g.Lab) }
