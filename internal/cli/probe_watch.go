package cli

import "github.com/spf13/cobra"

// newProbeWatchCmd builds `probe watch`: probe confirm repeated with
// back-off (delivery.Watch) until every verdict is final or --until passes.
func newProbeWatchCmd(g *Globals, po *probeOptions, runF func(*confirmOptions) error) *cobra.Command {
	o := &confirmOptions{g: g, po: po, watch: true, name: "probe watch"}
	cmd := &cobra.Command{
		Use:   "watch [TOKEN…]",
		Short: "Look for probes repeatedly (with back-off) until every verdict is final",
		Long: `Repeat "probe confirm" with back-off until every watched probe has a final
verdict or --until passes. Each round is bounded by --timeout; the watch as a
whole by --until (default: until the last --final window ends).`,
		Example: `  mxprobe probe watch --imap imaps://imap.example.com --imap-user seed@example.com --until 2h`,
	}
	cmd.RunE = confirmRunE(o, runF)
	cmd.Flags().StringVar(&o.until, "until", "", "stop after this duration (e.g. 30m) or at this RFC 3339 time")
	o.register(cmd)
	return cmd
}
