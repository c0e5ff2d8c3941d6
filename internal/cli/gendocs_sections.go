package cli

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mxprobe/mxprobe/internal/exitcode"
)

// Sections the man pages add to cobra's output: which exit codes a command
// can return, and the environment variables and files it reads.
// docs_test.go holds both tables to the code: every MXPROBE_ name in the
// sources is listed here, every name listed here is in the sources.

// docsExitCodes lists, per command path, the exit codes the command can
// return (exitcode.Table). A command that only succeeds or reports a usage
// error (0, 2) gets no EXIT STATUS section, like other Unix commands;
// command groups without an action neither. A command missing here keeps
// the whole table.
var docsExitCodes = map[string][]int{
	"mxprobe":               {0, 1, 2, 3, 4, 130},
	"mxprobe check":         {0, 1, 2, 3, 4, 130}, // 4: --deliver-to
	"mxprobe dns":           {0, 1, 2, 3, 130},
	"mxprobe explain":       {0, 2, 130},
	"mxprobe logscan":       {0, 1, 2, 130},
	"mxprobe probe send":    {0, 1, 2, 3, 130},
	"mxprobe probe confirm": {0, 1, 2, 3, 4, 130},
	"mxprobe probe watch":   {0, 1, 2, 3, 4, 130},
	"mxprobe probe show":    {0, 1, 2, 3, 4, 130},
	"mxprobe probe list":    nil,
	"mxprobe probe":         nil,
	"mxprobe lab":           nil,
	"mxprobe version":       nil,
}

// exitStatusHelp is the EXIT STATUS block of a command's help: the rows of
// the codes it can return, "" when it has none worth a table.
func exitStatusHelp(path string) string {
	codes, ok := docsExitCodes[path]
	if !ok {
		return exitcode.HelpText()
	}
	if len(codes) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("EXIT STATUS\n")
	for _, r := range exitcode.Table {
		if slices.Contains(codes, r.Code) {
			fmt.Fprintf(&b, "  %3d  %s\n", r.Code, r.EN)
		}
	}
	return b.String()
}

// docsEntry is one ENVIRONMENT or FILES entry; cmds are the command paths
// (and their subcommands) whose pages list it; mxprobe(1) lists every entry.
type docsEntry struct {
	name, text string
	cmds       []string
}

var (
	docsCmdsSend  = []string{"mxprobe check", "mxprobe probe send"} // --deliver-to sends too
	docsCmdsIMAP  = []string{"mxprobe check", "mxprobe probe confirm", "mxprobe probe watch"}
	docsCmdsDNS   = []string{"mxprobe check", "mxprobe dns", "mxprobe probe send"}
	docsCmdsProbe = []string{"mxprobe check", "mxprobe probe"}
	docsCmdsLab   = []string{"mxprobe check", "mxprobe dns", "mxprobe probe", "mxprobe lab"}
	docsCmdsText  = []string{"mxprobe"}
)

var docsEnvironment = []docsEntry{
	{"MXPROBE_RESOLVER", "DNS servers to ask, ADDR[:PORT], comma separated; --resolver overrides it.", docsCmdsDNS},
	{"MXPROBE_SEEDS", "Seed mailboxes you own (comma separated): probes may be sent to them without --i-own-this-mailbox.", docsCmdsSend},
	{"MXPROBE_IMAP_PASSWORD", "Password of the seed mailbox (--imap-user), so it never appears in the process list.", docsCmdsIMAP},
	{"MXPROBE_DSN_IMAP_PASSWORD", "Password of the mailbox that receives the bounces (--dsn-imap-user).", docsCmdsIMAP},
	{"MXPROBE_SMTP_USER", "SMTP AUTH user for sending through a relay (--smtp-user).", docsCmdsSend},
	{"MXPROBE_SMTP_PASSWORD", "SMTP AUTH password for the relay (instead of --smtp-password-file).", docsCmdsSend},
	{"MXPROBE_CONTROL_SMTP_USER", "SMTP AUTH user for the control probe's relay (--control-smtp-user).", docsCmdsSend},
	{"MXPROBE_CONTROL_SMTP_PASSWORD", "SMTP AUTH password for the control probe's relay.", docsCmdsSend},
	{"MXPROBE_LAB_LATENCY", "With --lab: a delay (Go duration, e.g. 200ms) added to every DNS answer and SMTP reply of the lab.", docsCmdsLab},
	{"MXPROBE_LAB_BULK", "With --lab: the number of extra domains bulk1.lab.test … bulkN.lab.test for bulk tests.", docsCmdsLab},
	{"MXPROBE_LAB_DNS", "With --lab: nxdomain makes the lab's DNS answer NXDOMAIN for every name, like a filtering resolver (dns.resolver_broken).", docsCmdsLab},
	{"NO_COLOR", "When set (to anything), no colour (https://no-color.org); also --no-color, a non-terminal output or TERM=dumb.", docsCmdsText},
	{"LC_ALL, LC_MESSAGES, LANG", "The language of the output when --lang is not given, in this order: German when the first one set starts with \"de\", else English.", docsCmdsText},
	{"XDG_STATE_HOME", "Directory of the probe ledger (default ~/.local/state).", []string{"mxprobe check", "mxprobe probe", "mxprobe logscan"}},
	{"XDG_CONFIG_HOME", "Directory of the seeds file (default ~/.config).", docsCmdsSend},
}

var docsFiles = []docsEntry{
	{"$XDG_STATE_HOME/mxprobe/ledger.jsonl", "The probe ledger (default ~/.local/state/mxprobe/ledger.jsonl): an append-only JSON Lines file of every probe sent and every scan; --ledger names another. logscan joins with it when it exists.",
		[]string{"mxprobe check", "mxprobe probe", "mxprobe logscan"}},
	{"$XDG_CONFIG_HOME/mxprobe/seeds", "Seed mailboxes you own, one address per line (default ~/.config/mxprobe/seeds); as MXPROBE_SEEDS.", docsCmdsSend},
	{"$TMPDIR/mxprobe-lab-ca.pem", "The served lab's CA certificate, for --ca-file (--ca-out names another file).", []string{"mxprobe lab"}},
}

// docsFilesNote closes every FILES section: there is no other file.
const docsFilesNote = "mxprobe reads no configuration file: flags and the environment configure it."

// docsApplies reports whether an entry belongs on the page of path.
func docsApplies(e docsEntry, path string) bool {
	if path == "mxprobe" {
		return true
	}
	for _, c := range e.cmds {
		if path == c || strings.HasPrefix(path, c+" ") {
			return true
		}
	}
	return false
}

// docsEntriesRoff renders a section of entries for the page of path ("" when
// none applies).
func docsEntriesRoff(title string, entries []docsEntry, path, note string) string {
	var b strings.Builder
	for _, e := range entries {
		if docsApplies(e, path) {
			fmt.Fprintf(&b, ".TP\n.B %s\n%s\n", docsRoffText(e.name), docsRoffText(e.text))
		}
	}
	if b.Len() == 0 {
		return ""
	}
	if note != "" {
		fmt.Fprintf(&b, ".PP\n%s\n", docsRoffText(note))
	}
	return ".SH " + title + "\n" + b.String()
}

// docsFilterExits keeps the rows of the codes path can return.
func docsFilterExits(path string, exits []docsExit) []docsExit {
	codes, ok := docsExitCodes[path]
	if !ok {
		return exits
	}
	var out []docsExit
	for _, e := range exits {
		for _, c := range codes {
			if strconv.Itoa(c) == e.code {
				out = append(out, e)
			}
		}
	}
	return out
}
