package cli

import (
	"encoding/json"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/spf13/cobra"
)

// Set by -ldflags "-X github.com/mxprobe/mxprobe/internal/cli.version=… ".
var (
	version = ""
	commit  = ""
	date    = ""
)

// VersionInfo is the JSON shape of `mxprobe version`.
type VersionInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Date    string `json:"date"`
	Go      string `json:"go"`
}

// Version returns the build's version facts: ldflags first, else the module
// build info (VCS revision and time from a plain `go build` in a checkout).
// They cannot change while the process runs, so they are computed once:
// every NDJSON line's envelope names the version (logscan, explain --lines).
func Version() VersionInfo { return versionOnce() }

var versionOnce = sync.OnceValue(buildVersion)

// buildVersion computes Version's facts.
func buildVersion() VersionInfo {
	v := VersionInfo{Version: version, Commit: commit, Date: date}
	bi, ok := debug.ReadBuildInfo()
	if ok {
		v.Go = bi.GoVersion
		if v.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if v.Commit == "" {
					v.Commit = s.Value
				}
			case "vcs.time":
				if v.Date == "" {
					v.Date = s.Value
				}
			case "vcs.modified":
				if s.Value == "true" && v.Commit != "" && commit == "" {
					v.Commit += "-dirty"
				}
			}
		}
	}
	if v.Version == "" {
		v.Version = "dev"
	}
	if v.Commit == "" {
		v.Commit = "unknown"
	}
	if v.Date == "" {
		v.Date = "unknown"
	}
	return v
}

// versionOptions are the options of `version`.
type versionOptions struct{ g *Globals }

func init() {
	addCommand(func(g *Globals) *cobra.Command { return newVersionCmd(g, versionRun) })
}

// newVersionCmd builds `version`; runF is versionRun except in tests.
func newVersionCmd(g *Globals, runF func(*versionOptions) error) *cobra.Command {
	o := &versionOptions{g: g}
	return &cobra.Command{
		Use:   "version",
		Short: "Print version, commit and build date",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return runF(o) },
	}
}

// versionRun prints the version (JSON with -o json).
func versionRun(o *versionOptions) error {
	g, v := o.g, Version()
	if g.JSON() {
		return json.NewEncoder(g.IO.Out).Encode(struct {
			probeJSON
			VersionInfo
		}{envelopeFor("version"), v})
	}
	_, err := fmt.Fprintf(g.IO.Out, "mxprobe %s (commit %s, built %s, %s)\n", v.Version, v.Commit, v.Date, v.Go)
	return err
}
