package cli

import (
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/explain"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/view"
)

// probeOptions are the flags shared by the probe subcommands.
type probeOptions struct {
	ledger string
	windowFlags
	g      *Globals
	failOn string
}

// imapFlags say how to read a mailbox. Secrets come from the environment or
// files, never from a flag value.
type imapFlags struct {
	url, user, passwordFile, tokenFile string
}

func init() {
	addCommand(func(g *Globals) *cobra.Command {
		po := &probeOptions{g: g}
		cmd := &cobra.Command{
			Use:   "probe",
			Short: "Prove delivery with tagged probes: send, confirm, watch, list, show",
			Long: `Prove that a message accepted with 250 really arrived — in the inbox, in the
junk folder, or nowhere. "probe send" sends a tagged probe to a seed mailbox you
control; "probe confirm" looks for it over IMAP in every folder (and for bounces
in a DSN mailbox); "probe watch" repeats that until the verdict is final;
"probe show" prints the timeline, the evidence and the verdict.

Every step is an event in an append-only ledger ($XDG_STATE_HOME/mxprobe/ledger.jsonl,
--ledger PATH); the verdict is recomputed from the events. A silent drop is only
ever "suspected", with a confidence: low (missing after --drop-after in at least
two complete scans, no bounce), medium (a control probe over a known-good path
arrived), high (several probes in separate windows missing while their controls
arrived). An unreadable mailbox gives "inconclusive", never a drop.

Windows: "probe send" stores --expect, --drop-after and --final (given or
default) with the probe; "probe confirm" and "watch" store them again when any
of them is given. Later commands — list, show, logscan — judge each probe by
its stored windows; the flags given to list or show override them for that run.

Secrets: SMTP credentials from MXPROBE_SMTP_USER/MXPROBE_SMTP_PASSWORD or
--smtp-password-file; IMAP from MXPROBE_IMAP_PASSWORD, --imap-password-file or
an OAuth2 token (--imap-token-file, XOAUTH2). They are never stored or printed.`,
		}
		pf := cmd.PersistentFlags()
		pf.StringVar(&po.ledger, "ledger", "", "ledger file (default $XDG_STATE_HOME/mxprobe/ledger.jsonl)")
		po.windowFlags.register(pf)
		cmd.AddCommand(newProbeSendCmd(g, po, probeSendRun), newProbeConfirmCmd(g, po, probeConfirmRun),
			newProbeWatchCmd(g, po, probeConfirmRun), newProbeListCmd(g, po, probeListRun), newProbeShowCmd(g, po, probeShowRun))
		return cmd
	})
}

// --- shared helpers ----------------------------------------------------------

// windowsAndFailOn parses the verdict windows and --fail-on shared by the
// probe subcommands that judge.
func (po *probeOptions) windowsAndFailOn() (delivery.Windows, report.Severity, error) {
	win, err := po.windows()
	if err != nil {
		return win, "", err
	}
	failOn, err := parseFailOn(po.failOn)
	return win, failOn, err
}

// checkToken refuses a malformed probe token with the usage error.
func checkToken(tok string) error {
	if delivery.ValidToken(tok) {
		return nil
	}
	return usageErr("TOKEN", i18n.T("invalid token %q: a token is the 20 characters probe send printed (see probe list)",
		"ungültiges Token %q: ein Token sind die 20 Zeichen, die probe send ausgegeben hat (siehe probe list)"), tok)
}

// judgedLedger is the ledger read once and judged at the factory's clock:
// what probe list and probe show print.
type judgedLedger struct {
	path   string
	events []delivery.Event
	now    time.Time
	res    delivery.VerdictResult
}

// judge opens the ledger, reads every event (its warnings go to stderr) and
// recomputes the verdicts with the given windows.
func (po *probeOptions) judge(g *Globals, win delivery.Windows, override bool) (*judgedLedger, error) {
	l, err := po.openLedger(g)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	evs, st, err := l.Events()
	if err != nil {
		return nil, err
	}
	ledgerWarnings(g, st, false)
	now := g.F.Clock.Now()
	res := delivery.VerdictWith(evs, now, delivery.VerdictOptions{Windows: win, Override: override})
	return &judgedLedger{path: l.Path(), events: evs, now: now, res: res}, nil
}

func (po *probeOptions) openLedger(g *Globals) (*delivery.Ledger, error) {
	path := po.ledger
	if path == "" {
		p, err := delivery.DefaultLedgerPath(g.IO.Getenv)
		if err != nil {
			return nil, usageErr("--ledger", i18n.T("no ledger path: %v; give --ledger FILE", "kein Ledger-Pfad: %v; geben Sie --ledger DATEI an"), err)
		}
		path = p
	}
	l, err := delivery.OpenLedger(path)
	if err != nil {
		return nil, usageErr("--ledger", i18n.T("cannot open the ledger %s: %v", "das Ledger %s lässt sich nicht öffnen: %v"), path, err)
	}
	return l, nil
}

// readSmallFile reads at most n bytes; secrets and keys are small.
func readSmallFile(path string, n int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, n+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > n {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, n)
	}
	return b, nil
}

// readSecretFile reads a password or token file: the first line, trimmed.
// The error never contains the content.
func readSecretFile(flag, path string) (string, error) {
	b, err := readSmallFile(path, 64<<10)
	if err != nil {
		return "", usageErr(flag, i18n.T("cannot read %s: %v", "%s ist nicht lesbar: %v"), flag, err)
	}
	s, _, _ := strings.Cut(string(b), "\n")
	s = strings.TrimRight(s, "\r")
	if s == "" {
		return "", usageErr(flag, i18n.T("%s is empty: put the secret on its first line", "%s ist leer: das Geheimnis in die erste Zeile schreiben"), flag)
	}
	return s, nil
}

// ledgerWarnings prints what reading the ledger skipped, once per command.
func ledgerWarnings(g *Globals, st delivery.LedgerStatus, healed bool) {
	if st.TornTail || healed {
		fmt.Fprintln(g.IO.ErrOut, i18n.T("ledger: ignored a torn last event", "Ledger: ein abgerissenes letztes Ereignis wurde ignoriert").In(g.Lang))
	}
	if st.Corrupt > 0 {
		fmt.Fprintln(g.IO.ErrOut, i18n.Text{EN: fmt.Sprintf("ledger: ignored %d corrupt line(s)", st.Corrupt),
			DE: fmt.Sprintf("Ledger: %d beschädigte Zeile(n) ignoriert", st.Corrupt)}.In(g.Lang))
	}
	if st.UnknownKind > 0 {
		fmt.Fprintln(g.IO.ErrOut, i18n.Text{EN: fmt.Sprintf("ledger: ignored %d event(s) of a newer mxprobe", st.UnknownKind),
			DE: fmt.Sprintf("Ledger: %d Ereignis(se) einer neueren mxprobe-Version ignoriert", st.UnknownKind)}.In(g.Lang))
	}
	if st.Future > 0 {
		fmt.Fprintln(g.IO.ErrOut, i18n.Text{EN: fmt.Sprintf("ledger: %d event(s) written by a newer mxprobe; fields this version does not know were ignored", st.Future),
			DE: fmt.Sprintf("Ledger: %d Ereignis(se) von einer neueren mxprobe-Version geschrieben; dieser Version unbekannte Felder wurden ignoriert", st.Future)}.In(g.Lang))
	}
}

// probeJSON is the envelope of every probe command's JSON output.
type probeJSON struct {
	SchemaVersion int    `json:"schema_version"`
	Tool          toolID `json:"tool"`
	Command       string `json:"command"`
	Now           string `json:"now,omitempty"`
}

type toolID struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

func newProbeJSON(cmd string, now time.Time) probeJSON {
	p := probeJSON{SchemaVersion: 1, Tool: toolID{"mxprobe", Version().Version}, Command: cmd}
	if !now.IsZero() {
		p.Now = now.UTC().Format(time.RFC3339)
	}
	return p
}

// verdictJSON is a probe verdict rendered into one language.
type verdictJSON struct {
	delivery.ProbeVerdict
	Title     string           `json:"title"`
	Finding   report.Localized `json:"finding"`
	ReasonsL  []string         `json:"reasons"`
	MissingL  []string         `json:"missing,omitempty"`
	NextSteps []string         `json:"next_steps"`
	Severity  report.Severity  `json:"severity"`
	Verdict   report.Verdict   `json:"verdict"`
	// Explanation explains the refusal, deferral, bounce or delay (mxprobe explain).
	Explanation *explain.Localized `json:"explanation,omitempty"`
}

func localizeVerdict(v delivery.ProbeVerdict, lang i18n.Lang) verdictJSON {
	out := verdictJSON{ProbeVerdict: v, Title: v.State.Title().In(lang), Finding: v.Finding().Localize(lang), Severity: v.State.Severity()}
	for _, r := range v.Reasons {
		out.ReasonsL = append(out.ReasonsL, r.In(lang))
	}
	for _, r := range v.Missing {
		out.MissingL = append(out.MissingL, r.In(lang))
	}
	for _, r := range delivery.NextSteps(v) {
		out.NextSteps = append(out.NextSteps, r.In(lang))
	}
	out.Verdict = verdictWord(v)
	out.Explanation = view.VerdictExplanation(v, lang)
	// The bilingual source texts are replaced by the localised ones.
	out.ProbeVerdict.Reasons, out.ProbeVerdict.Missing = nil, nil
	return out
}

// verdictWord maps a probe state to the overall result word of DESIGN.md.
func verdictWord(v delivery.ProbeVerdict) report.Verdict {
	if v.State == delivery.StateInconclusive {
		return report.VerdictIncomplete
	}
	switch v.State.Severity() {
	case report.Fail:
		return report.VerdictFail
	case report.Warn:
		return report.VerdictWarn
	}
	return report.VerdictOK
}

// probesExit is the exit code over verdicts (DESIGN.md): 4 when a silent drop
// is suspected, 3 when a verdict could not be reached, 1 for a finding at or
// above --fail-on, else 0.
func probesExit(vs []delivery.ProbeVerdict, failOn report.Severity) error {
	incomplete, problem := false, false
	for _, v := range vs {
		switch {
		case v.State == delivery.StateSilentDrop:
			return exitcode.Silent(exitcode.SilentDrop)
		case v.State == delivery.StateInconclusive:
			incomplete = true
		case v.State.Severity().Rank() >= failOn.Rank():
			problem = true
		}
	}
	if incomplete {
		return exitcode.Silent(exitcode.Incomplete)
	}
	if problem {
		return exitcode.Silent(exitcode.Problems)
	}
	return nil
}

// printVerdicts renders verdicts as text blocks (internal/view).
func printVerdicts(g *Globals, vs []delivery.ProbeVerdict, verbose bool) {
	view.VerdictsText(g.IO.Out, vs, g.Lang, view.StylerFor(g.IO.Out, g.Color(), g.IO.OutTTY), view.VerdictOptions{Quiet: g.Quiet, Verbose: verbose})
}

func (f *imapFlags) register(cmd *cobra.Command, prefix, what string) {
	fl := cmd.Flags()
	fl.StringVar(&f.url, prefix, "", what+": imaps://HOST[:PORT] or imap://HOST[:PORT] (STARTTLS)")
	fl.StringVar(&f.user, prefix+"-user", "", "IMAP user of the "+what)
	fl.StringVar(&f.passwordFile, prefix+"-password-file", "", "file holding the IMAP password of the "+what)
	fl.StringVar(&f.tokenFile, prefix+"-token-file", "", "file holding an OAuth2 access token of the "+what+" (XOAUTH2)")
}

// options builds the IMAP options; the password comes from envVar or the
// file, the token from the token file.
func (f *imapFlags) options(g *Globals, flagPrefix, envVar string, pool *x509.CertPool) (*delivery.IMAPOptions, error) {
	if f.url == "" {
		if f.user != "" || f.passwordFile != "" || f.tokenFile != "" {
			return nil, usageErr("--"+flagPrefix, i18n.T("--%s-… flags need --%s URL", "--%s-…-Optionen brauchen --%s URL"), flagPrefix, flagPrefix)
		}
		return nil, nil
	}
	o := &delivery.IMAPOptions{URL: f.url, User: f.user, RootCAs: pool}
	if err := o.Validate(); err != nil {
		return nil, usageErr("--"+flagPrefix, i18n.T("--%s: %v; give imaps://HOST[:PORT] or imap://HOST[:PORT]", "--%s: %v; geben Sie imaps://HOST[:PORT] oder imap://HOST[:PORT] an"), flagPrefix, err)
	}
	if o.User == "" {
		return nil, usageErr("--"+flagPrefix+"-user", i18n.T("--%s needs --%s-user NAME", "--%s braucht --%s-user NAME"), flagPrefix, flagPrefix)
	}
	var err error
	switch {
	case f.tokenFile != "":
		if o.Token, err = readSecretFile("--"+flagPrefix+"-token-file", f.tokenFile); err != nil {
			return nil, err
		}
	case f.passwordFile != "":
		if o.Password, err = readSecretFile("--"+flagPrefix+"-password-file", f.passwordFile); err != nil {
			return nil, err
		}
	default:
		o.Password = g.IO.Getenv(envVar)
		if o.Password == "" {
			return nil, usageErr("--"+flagPrefix+"-password-file", i18n.T("no IMAP password for --%s: set %s, or use --%s-password-file or --%s-token-file", "kein IMAP-Passwort für --%s: %s setzen oder --%s-password-file bzw. --%s-token-file verwenden"), flagPrefix, envVar, flagPrefix, flagPrefix)
		}
	}
	return o, nil
}
