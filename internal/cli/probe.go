package cli

import (
	"bufio"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/explain"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/render"
	"github.com/mxprobe/mxprobe/internal/report"
)

// probeOptions are the flags shared by the probe subcommands.
type probeOptions struct {
	ledger    string
	expect    time.Duration
	dropAfter time.Duration
	final     time.Duration
	caFile    string
	failOn    string
}

// imapFlags say how to read a mailbox. Secrets come from the environment or
// files, never from a flag value.
type imapFlags struct {
	url, user, passwordFile, tokenFile string
}

type routeFlags struct {
	via, relay, mx, tls, smtpUser, smtpPasswordFile string
	port                                            int
}

type sendOptions struct {
	to, from, helo        string
	ownMailbox            bool
	route, control        routeFlags
	dkimKey, dkimSelector string
	dkimDomain            string
	verp                  bool
	controlSet            bool
}

type confirmOptions struct {
	pending bool
	seed    imapFlags
	dsn     imapFlags
	maildir string
}

func init() {
	addCommand(func(g *Globals) *cobra.Command {
		po := &probeOptions{}
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
		pf.DurationVar(&po.expect, "expect", 15*time.Minute, "a healthy delivery shows up within this time")
		pf.DurationVar(&po.dropAfter, "drop-after", 24*time.Hour, "missing after this time (with two complete scans): silent drop suspected")
		pf.DurationVar(&po.final, "final", 72*time.Hour, "after this time the verdict is final")
		pf.StringVar(&po.caFile, "ca-file", "", "PEM file of extra trusted CA certificates (private or lab CAs)")
		cmd.AddCommand(newProbeSendCmd(g, po), newProbeConfirmCmd(g, po, false), newProbeConfirmCmd(g, po, true),
			newProbeListCmd(g, po), newProbeShowCmd(g, po))
		return cmd
	})
}

// --- clock -----------------------------------------------------------------

// probeClock is the command's clock. MXPROBE_TEST_NOW (RFC 3339, used by the
// test suite only) freezes it; then sleeping advances it instantly.
type probeClock struct {
	fake bool
	now  time.Time
}

func newProbeClock(g *Globals) (*probeClock, error) {
	v := g.IO.Getenv("MXPROBE_TEST_NOW")
	if v == "" {
		return &probeClock{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return nil, exitcode.UsageError("invalid MXPROBE_TEST_NOW %q", v)
	}
	return &probeClock{fake: true, now: t.UTC()}, nil
}

func (c *probeClock) Now() time.Time {
	if c.fake {
		return c.now
	}
	return time.Now().UTC()
}

func (c *probeClock) Sleep(ctx context.Context, d time.Duration) error {
	if c.fake {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.now = c.now.Add(d)
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// --- shared helpers ----------------------------------------------------------

func (po *probeOptions) windows() (delivery.Windows, error) {
	w := delivery.Windows{Expect: po.expect, DropAfter: po.dropAfter, Final: po.final}
	if err := w.Validate(); err != nil {
		return w, exitcode.UsageError("invalid windows: %v", err)
	}
	return w, nil
}

// windowsOf returns the windows of the flags (defaults for those not given)
// and whether the user gave any of --expect, --drop-after, --final. Given
// windows override the ones stored with the probes; without them every
// probe is judged with its stored windows (see delivery.Event.Windows).
func (po *probeOptions) windowsOf(cmd *cobra.Command) (delivery.Windows, bool, error) {
	w, err := po.windows()
	if err != nil {
		return w, false, err
	}
	fl := cmd.Flags()
	return w, fl.Changed("expect") || fl.Changed("drop-after") || fl.Changed("final"), nil
}

func (po *probeOptions) openLedger(g *Globals) (*delivery.Ledger, error) {
	path := po.ledger
	if path == "" {
		p, err := delivery.DefaultLedgerPath(g.IO.Getenv)
		if err != nil {
			return nil, exitcode.UsageError("%v", err)
		}
		path = p
	}
	l, err := delivery.OpenLedger(path)
	if err != nil {
		return nil, exitcode.UsageError("%v", err)
	}
	return l, nil
}

func (po *probeOptions) rootCAs() (*x509.CertPool, error) {
	if po.caFile == "" {
		return nil, nil
	}
	b, err := readSmallFile(po.caFile, 1<<20)
	if err != nil {
		return nil, exitcode.UsageError("cannot read --ca-file: %v", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(b) {
		return nil, exitcode.UsageError("--ca-file holds no PEM certificate")
	}
	return pool, nil
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
		return "", exitcode.UsageError("cannot read %s: %v", flag, err)
	}
	s, _, _ := strings.Cut(string(b), "\n")
	s = strings.TrimRight(s, "\r")
	if s == "" {
		return "", exitcode.UsageError("%s is empty", flag)
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
	// Explanation explains the refusal, deferral or bounce (mxprobe explain).
	Explanation *explain.Localized `json:"explanation,omitempty"`
}

// stageCommand names the SMTP command a send stage answered.
func stageCommand(stage string) string {
	switch stage {
	case "greeting", "connect":
		return "CONNECT"
	case "ehlo":
		return "EHLO"
	case "mail":
		return "MAIL FROM"
	case "rcpt":
		return "RCPT TO"
	case "data", "dot":
		return "DATA"
	}
	return ""
}

// explainVerdict explains the reply behind a refusal, deferral or bounce.
func explainVerdict(v delivery.ProbeVerdict, lang i18n.Lang) *explain.Localized {
	switch {
	case (v.State == delivery.StateRejected || v.State == delivery.StateDeferred) && v.Reply != "":
		e := explain.Explain(v.Reply, explain.Options{MXHost: v.MXHost, Command: stageCommand(v.Stage)}).Localize(lang)
		return &e
	case v.State == delivery.StateBouncedLate && v.DSN != nil && (v.DSN.DiagnosticCode != "" || v.DSN.Status != ""):
		in := v.DSN.DiagnosticCode
		if in == "" {
			in = v.DSN.Status
		}
		e := explain.Explain(in, explain.Options{MXHost: v.DSN.RemoteMTA, Status: v.DSN.Status, Action: v.DSN.Action}).Localize(lang)
		return &e
	}
	return nil
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
	out.Explanation = explainVerdict(v, lang)
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

var confidenceText = map[delivery.Confidence]i18n.Text{
	delivery.ConfidenceLow:    i18n.T("low confidence", "geringe Sicherheit"),
	delivery.ConfidenceMedium: i18n.T("medium confidence", "mittlere Sicherheit"),
	delivery.ConfidenceHigh:   i18n.T("high confidence", "hohe Sicherheit"),
}

var reasonText = map[delivery.Reason]i18n.Text{
	delivery.ReasonSendFailed:        i18n.T("the probe was not handed over", "die Probe wurde nicht übergeben"),
	delivery.ReasonSeedNotWatched:    i18n.T("the seed mailbox was not scanned", "das Seed-Postfach wurde nicht durchsucht"),
	delivery.ReasonSeedUnreadable:    i18n.T("the seed mailbox could not be read", "das Seed-Postfach war nicht lesbar"),
	delivery.ReasonTooFewScans:       i18n.T("too few complete scans", "zu wenige vollständige Durchsuchungen"),
	delivery.ReasonControlMissing:    i18n.T("the control probe is missing too", "die Kontrollprobe fehlt ebenfalls"),
	delivery.ReasonDeliveredNotFound: i18n.T("reported delivered, but in no folder", "als zugestellt gemeldet, aber in keinem Ordner"),
}

// printVerdicts renders verdicts as text blocks.
func printVerdicts(g *Globals, vs []delivery.ProbeVerdict, verbose bool) {
	st := render.Styler{Color: g.Color()}
	w := g.IO.Out
	for _, v := range vs {
		if g.Quiet && v.State.Severity().Rank() < report.Warn.Rank() && v.State != delivery.StateInconclusive {
			continue
		}
		role := ""
		if v.Role == delivery.RoleControl {
			role = i18n.T(" (control of ", " (Kontrolle zu ").In(g.Lang) + v.Group + ")"
		}
		fmt.Fprintf(w, "%s %s → %s%s\n", st.Bold("●"), st.Bold(v.Token), v.To, role)
		title := v.State.Title().In(g.Lang)
		if c, ok := confidenceText[v.Confidence]; ok {
			title += " (" + c.In(g.Lang) + ")"
		}
		if r, ok := reasonText[v.Reason]; ok {
			title += ": " + r.In(g.Lang)
		}
		fmt.Fprintf(w, "  %s %s %s\n", st.Severity(v.State.Severity(), g.Lang), title, st.Dim("["+delivery.FindingID(v.State)+"]"))
		for _, r := range v.Reasons {
			fmt.Fprintln(w, render.WrapHang(r.In(g.Lang), render.Width, "          · ", "            "))
		}
		if e := explainVerdict(v, g.Lang); e != nil {
			line := i18n.T("Explanation: ", "Erklärung: ").In(g.Lang) + e.Title
			if e.Provider != nil && e.Provider.Meaning != "" {
				line += " — " + e.Provider.Meaning
			}
			fmt.Fprintln(w, render.WrapHang(line, render.Width, "          · ", "            "))
			if len(e.Advice) > 0 {
				fmt.Fprintln(w, render.WrapHang(e.Advice[0], render.Width, "          → ", "            "))
			}
		}
		for _, m := range v.Missing {
			fmt.Fprintln(w, render.WrapHang(i18n.T("Missing: ", "Es fehlt: ").In(g.Lang)+m.In(g.Lang), render.Width, "          ? ", "            "))
		}
		if verbose || v.State.Severity().Rank() >= report.Warn.Rank() || v.State == delivery.StateInconclusive {
			for _, a := range delivery.NextSteps(v) {
				fmt.Fprintln(w, render.WrapHang(a.In(g.Lang), render.Width, "          → ", "            "))
			}
		}
	}
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
			return nil, exitcode.UsageError("--%s-… flags need --%s URL", flagPrefix, flagPrefix)
		}
		return nil, nil
	}
	o := &delivery.IMAPOptions{URL: f.url, User: f.user, RootCAs: pool}
	if err := o.Validate(); err != nil {
		return nil, exitcode.UsageError("--%s: %v", flagPrefix, err)
	}
	if o.User == "" {
		return nil, exitcode.UsageError("--%s needs --%s-user", flagPrefix, flagPrefix)
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
			return nil, exitcode.UsageError("no IMAP password for --%s: set %s, or use --%s-password-file or --%s-token-file", flagPrefix, envVar, flagPrefix, flagPrefix)
		}
	}
	return o, nil
}

// --- probe send --------------------------------------------------------------

func newProbeSendCmd(g *Globals, po *probeOptions) *cobra.Command {
	o := &sendOptions{}
	cmd := &cobra.Command{
		Use:   "send --to SEED --from ADDRESS",
		Short: "Send a tagged probe to a seed mailbox you control",
		Long: `Send one probe to a seed mailbox you own at the destination. The probe carries a
unique, never reused token in its Message-ID, an X-Mxprobe-Id header and the
subject, and a short neutral text. When the server offers DSN (RFC 3461) the
envelope asks for NOTIFY=SUCCESS,FAILURE,DELAY, RET=HDRS, ENVID=token, ORCPT.
The acceptance is recorded: every reply, the final reply verbatim, Microsoft's
InternalId and Hostname, the queue id, MX host and IP, TLS.

Routes: --via direct resolves the MX and delivers from this host (port 25);
--via submit --relay HOST:PORT hands the probe to your real sending
infrastructure with TLS and AUTH. --control-via sends the same probe with its
own token over a second, known-good path to the same seed.

This is not an address verification tool: --i-own-this-mailbox, or the seed in
MXPROBE_SEEDS or $XDG_CONFIG_HOME/mxprobe/seeds, is required.

Exit status as in check: a refusal (5xx) is a fail, a deferral (4xx) a warn;
either exits 1 only at or above --fail-on (default fail, so a deferral alone
exits 0; --fail-on warn counts it). 3 when no reply decided the hand-over
(connection, TLS, authentication).`,
		Example: `  mxprobe probe send --to me@hotmail.com --from news@example.com --i-own-this-mailbox
  MXPROBE_SMTP_USER=news MXPROBE_SMTP_PASSWORD=… mxprobe probe send --to me@hotmail.com \
      --from news@example.com --via submit --relay smtp.example.com:587 --control-via direct`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return probeSendRun(cmd, g, po, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.to, "to", "", "the seed address (a mailbox you own)")
	f.StringVar(&o.from, "from", "", "sender address (header From and envelope sender)")
	f.BoolVar(&o.ownMailbox, "i-own-this-mailbox", false, "confirm that the seed mailbox is yours")
	f.StringVar(&o.helo, "ehlo", "", "EHLO name (default: this host's FQDN, else the sender's domain)")
	f.StringVar(&o.dkimKey, "dkim-key", "", "PEM private key to DKIM-sign the probe with")
	f.StringVar(&o.dkimSelector, "dkim-selector", "", "DKIM selector of --dkim-key")
	f.StringVar(&o.dkimDomain, "dkim-domain", "", "DKIM signing domain (default: the --from domain)")
	f.BoolVar(&o.verp, "verp", false, "put the token into the envelope sender (local+mxp-TOKEN@domain) to match bounces without DSN")
	o.route.register(cmd, "", "the probe")
	o.control.register(cmd, "control-", "the control probe")
	addFailOn(cmd, &po.failOn)
	_ = cmd.RegisterFlagCompletionFunc("via", fixedCompletion("direct", "submit"))
	_ = cmd.RegisterFlagCompletionFunc("control-via", fixedCompletion("direct", "submit"))
	_ = cmd.RegisterFlagCompletionFunc("tls", fixedCompletion("opportunistic", "starttls", "implicit", "none"))
	return cmd
}

func (r *routeFlags) register(cmd *cobra.Command, prefix, what string) {
	f := cmd.Flags()
	def := "direct"
	if prefix != "" {
		def = ""
	}
	f.StringVar(&r.via, prefix+"via", def, "route of "+what+": direct (MX, port 25) or submit (--"+prefix+"relay)")
	f.StringVar(&r.relay, prefix+"relay", "", "submission server HOST:PORT for "+what+" (--"+prefix+"via submit)")
	f.StringVar(&r.mx, prefix+"mx", "", "deliver "+what+" to this MX HOST[:PORT] instead of resolving the MX")
	f.IntVar(&r.port, prefix+"port", 0, "SMTP port for --"+prefix+"via direct (default 25; labs)")
	f.StringVar(&r.tls, prefix+"tls", "", "TLS of "+what+": opportunistic (direct default), starttls (submit default), implicit, none")
	f.StringVar(&r.smtpUser, prefix+"smtp-user", "", "SMTP AUTH user for "+what+" (or MXPROBE_"+envPrefix(prefix)+"SMTP_USER)")
	f.StringVar(&r.smtpPasswordFile, prefix+"smtp-password-file", "", "file holding the SMTP AUTH password for "+what+" (or MXPROBE_"+envPrefix(prefix)+"SMTP_PASSWORD)")
}

func envPrefix(prefix string) string {
	if prefix == "" {
		return ""
	}
	return "CONTROL_"
}

// seedConfigured reports whether addr is a configured seed (MXPROBE_SEEDS,
// or one per line in $XDG_CONFIG_HOME/mxprobe/seeds).
func seedConfigured(g *Globals, addr string) bool {
	for _, s := range strings.Split(g.IO.Getenv("MXPROBE_SEEDS"), ",") {
		if strings.EqualFold(strings.TrimSpace(s), addr) {
			return true
		}
	}
	dir := g.IO.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		if h := g.IO.Getenv("HOME"); h != "" {
			dir = filepath.Join(h, ".config")
		}
	}
	if dir == "" {
		return false
	}
	b, err := readSmallFile(filepath.Join(dir, "mxprobe", "seeds"), 1<<20)
	if err != nil {
		return false
	}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		if strings.EqualFold(strings.TrimSpace(sc.Text()), addr) {
			return true
		}
	}
	return false
}

// sendOpts builds delivery options for one route.
func (r *routeFlags) sendOpts(g *Globals, prefix string, base delivery.SendOptions, env *runEnv) (delivery.SendOptions, error) {
	o := base
	switch r.via {
	case "direct":
		o.Route = delivery.RouteDirect
	case "submit":
		o.Route = delivery.RouteSubmit
	default:
		return o, exitcode.UsageError("invalid --%svia %q: use direct or submit", prefix, r.via)
	}
	o.Relay, o.MX, o.Port, o.TLS = r.relay, r.mx, r.port, delivery.TLSMode(r.tls)
	switch o.TLS {
	case "", delivery.TLSOpportunistic, delivery.TLSStartTLS, delivery.TLSImplicit, delivery.TLSNone:
	default:
		return o, exitcode.UsageError("invalid --%stls %q: use opportunistic, starttls, implicit or none", prefix, r.tls)
	}
	if r.port < 0 || r.port > 65535 {
		return o, exitcode.UsageError("invalid --%sport %d", prefix, r.port)
	}
	if o.Route == delivery.RouteSubmit {
		if r.relay == "" {
			return o, exitcode.UsageError("--%svia submit needs --%srelay HOST:PORT", prefix, prefix)
		}
		user := r.smtpUser
		if user == "" {
			user = g.IO.Getenv("MXPROBE_" + envPrefix(prefix) + "SMTP_USER")
		}
		pw := ""
		if r.smtpPasswordFile != "" {
			var err error
			if pw, err = readSecretFile("--"+prefix+"smtp-password-file", r.smtpPasswordFile); err != nil {
				return o, err
			}
		} else {
			pw = g.IO.Getenv("MXPROBE_" + envPrefix(prefix) + "SMTP_PASSWORD")
		}
		if user != "" || pw != "" {
			if user == "" || pw == "" {
				return o, exitcode.UsageError("SMTP AUTH for --%srelay needs both a user and a password", prefix)
			}
			o.Auth = &delivery.Credentials{User: user, Password: pw}
		}
	} else {
		if r.relay != "" || r.smtpUser != "" || r.smtpPasswordFile != "" {
			return o, exitcode.UsageError("--%srelay and SMTP AUTH belong to --%svia submit", prefix, prefix)
		}
		if o.MX == "" {
			o.Resolver = env.Resolver
			if o.Port == 0 && env.Port != 25 {
				o.Port = env.Port
			}
		}
	}
	return o, nil
}

func probeSendRun(cmd *cobra.Command, g *Globals, po *probeOptions, o *sendOptions) error {
	clk, err := newProbeClock(g)
	if err != nil {
		return err
	}
	if o.to == "" || o.from == "" {
		return exitcode.UsageError("probe send needs --to SEED and --from ADDRESS")
	}
	to, err := delivery.ParseAddress(o.to)
	if err != nil {
		return exitcode.UsageError("--to: %v", err)
	}
	from, err := delivery.ParseAddress(o.from)
	if err != nil {
		return exitcode.UsageError("--from: %v", err)
	}
	if !o.ownMailbox && !seedConfigured(g, to) {
		return exitcode.UsageError("%s", i18n.T(
			"probe send only sends to a seed mailbox you own: add --i-own-this-mailbox, or list the address in MXPROBE_SEEDS or $XDG_CONFIG_HOME/mxprobe/seeds",
			"probe send sendet nur an ein Seed-Postfach, das Ihnen gehört: --i-own-this-mailbox angeben oder die Adresse in MXPROBE_SEEDS oder $XDG_CONFIG_HOME/mxprobe/seeds eintragen").In(g.Lang))
	}
	pool, err := po.rootCAs()
	if err != nil {
		return err
	}
	win, err := po.windows()
	if err != nil {
		return err
	}
	failOn, err := parseFailOn(po.failOn)
	if err != nil {
		return err
	}
	// The windows go into the ledger with the probe, so every later command
	// judges it the same way.
	base := delivery.SendOptions{From: from, To: to, HelloName: o.helo, RootCAs: pool, VERP: o.verp, Lang: g.Lang, Now: clk.Now, Windows: &win}
	if o.dkimKey != "" || o.dkimSelector != "" {
		if o.dkimKey == "" || o.dkimSelector == "" {
			return exitcode.UsageError("DKIM signing needs --dkim-key and --dkim-selector")
		}
		b, err := readSmallFile(o.dkimKey, 1<<20)
		if err != nil {
			return exitcode.UsageError("cannot read --dkim-key: %v", err)
		}
		signer, err := delivery.ParseDKIMKey(b)
		if err != nil {
			return exitcode.UsageError("--dkim-key: %v", err)
		}
		dom := o.dkimDomain
		if dom == "" {
			dom = from[strings.LastIndexByte(from, '@')+1:]
		}
		base.DKIM = &delivery.DKIMOptions{Domain: dom, Selector: o.dkimSelector, Signer: signer}
	}
	env := &runEnv{Port: 25}
	needDNS := (o.route.via == "direct" && o.route.mx == "") || (o.control.via == "direct" && o.control.mx == "")
	if needDNS || g.Lab {
		if env, err = g.setup(); err != nil {
			return err
		}
		defer env.Close()
		if base.RootCAs == nil {
			base.RootCAs = env.RootCAs
		}
		if base.HelloName == "" {
			base.HelloName = env.HELO
		}
	}
	mainOpts, err := o.route.sendOpts(g, "", base, env)
	if err != nil {
		return err
	}
	var ctlOpts *delivery.SendOptions
	if o.control.via != "" {
		c, err := o.control.sendOpts(g, "control-", base, env)
		if err != nil {
			return err
		}
		ctlOpts = &c
	} else if o.control.relay != "" || o.control.mx != "" {
		return exitcode.UsageError("--control-relay/--control-mx need --control-via")
	}
	l, err := po.openLedger(g)
	if err != nil {
		return err
	}
	defer l.Close()
	_, st, err := l.Events()
	if err != nil {
		return err
	}
	mainOpts.Ledger = l
	ctx, cancel := g.withTimeout(cmd.Context())
	defer cancel()
	var probes []*delivery.Probe
	var sendErr error
	p, err := delivery.Send(ctx, mainOpts)
	if p == nil {
		return exitcode.UsageError("%v", err)
	}
	probes = append(probes, p)
	sendErr = err
	if ctlOpts != nil {
		ctlOpts.Ledger = l
		ctlOpts.Role, ctlOpts.Group = delivery.RoleControl, p.Token
		c, err := delivery.Send(ctx, *ctlOpts)
		if c == nil {
			return exitcode.UsageError("control: %v", err)
		}
		probes = append(probes, c)
		if sendErr == nil {
			sendErr = err
		}
	}
	if err := interrupted(cmd); err != nil {
		return err
	}
	ledgerWarnings(g, st, false)
	if g.JSON() {
		out := struct {
			probeJSON
			Ledger string            `json:"ledger"`
			Probes []*delivery.Probe `json:"probes"`
		}{newProbeJSON("probe send", clk.Now()), l.Path(), probes}
		if err := render.JSON(g.IO.Out, out); err != nil {
			return err
		}
	} else {
		printSent(g, probes)
	}
	return sendExit(probes, failOn)
}

// outcomeSeverity is the severity of a send outcome, as the verdict states
// rejected (fail) and deferred (warn) have it.
func outcomeSeverity(o delivery.Outcome) report.Severity {
	switch o {
	case delivery.OutcomeRejected:
		return delivery.StateRejected.Severity()
	case delivery.OutcomeDeferred:
		return delivery.StateDeferred.Severity()
	}
	return report.OK
}

// sendExit: a failed hand-over could not complete (3); a refusal or
// deferral is a problem (1) when its severity is at or above --fail-on — a
// deferral is warn, so with the default --fail-on fail it exits 0, as in
// check.
func sendExit(probes []*delivery.Probe, failOn report.Severity) error {
	incomplete, problem := false, false
	for _, p := range probes {
		if p.Outcome == delivery.OutcomeFailed {
			incomplete = true
		} else if outcomeSeverity(p.Outcome).Rank() >= failOn.Rank() {
			problem = true
		}
	}
	switch {
	case incomplete:
		return exitcode.Silent(exitcode.Incomplete)
	case problem:
		return exitcode.Silent(exitcode.Problems)
	}
	return nil
}

var outcomeText = map[delivery.Outcome]i18n.Text{
	delivery.OutcomeAccepted: i18n.T("accepted", "angenommen"),
	delivery.OutcomeRejected: i18n.T("rejected", "abgelehnt"),
	delivery.OutcomeDeferred: i18n.T("deferred", "zurückgestellt"),
	delivery.OutcomeFailed:   i18n.T("not handed over", "nicht übergeben"),
}

func printSent(g *Globals, probes []*delivery.Probe) {
	st := render.Styler{Color: g.Color()}
	w := g.IO.Out
	for _, p := range probes {
		role := i18n.T("probe", "Probe")
		if p.Role == delivery.RoleControl {
			role = i18n.T("control probe", "Kontrollprobe")
		}
		sev := outcomeSeverity(p.Outcome)
		if p.Outcome == delivery.OutcomeFailed {
			sev = report.Warn
		}
		fmt.Fprintf(w, "%s %s %s → %s\n", st.Bold("●"), role.In(g.Lang), st.Bold(p.Token), p.To)
		fmt.Fprintf(w, "  %s %s (%s, %s)\n", st.Severity(sev, g.Lang), outcomeText[p.Outcome].In(g.Lang), p.Route, stageOr(p))
		via := p.MXHost
		if p.MXIP != "" && p.MXIP != p.MXHost {
			via += " [" + p.MXIP + "]"
		}
		if p.Port != 0 {
			via += fmt.Sprintf(":%d", p.Port)
		}
		line := func(k i18n.Text, v string) {
			if v != "" {
				fmt.Fprintln(w, render.WrapHang(v, render.Width, fmt.Sprintf("          %-13s ", k.In(g.Lang)+":"), "                        "))
			}
		}
		line(i18n.T("server", "Server"), via)
		line(i18n.T("reply", "Antwort"), strings.ReplaceAll(p.Reply, "\n", " | "))
		if (p.Outcome == delivery.OutcomeRejected || p.Outcome == delivery.OutcomeDeferred) && p.Reply != "" {
			e := explain.Explain(p.Reply, explain.Options{MXHost: p.MXHost, Command: stageCommand(p.Stage)})
			line(i18n.T("meaning", "Bedeutung"), e.Title.In(g.Lang))
		}
		line(i18n.T("error", "Fehler"), p.Error)
		line(i18n.T("Message-ID", "Message-ID"), p.MessageID)
		if a := p.Acceptance; a != nil {
			if a.InternalID != "" {
				echo := i18n.T("our Message-ID echoed", "unsere Message-ID bestätigt")
				if !a.EchoedOurs {
					echo = i18n.T("Message-ID not echoed", "Message-ID nicht bestätigt")
				}
				line(i18n.T("Microsoft", "Microsoft"), fmt.Sprintf("InternalId=%s Hostname=%s (%s)", a.InternalID, a.Hostname, echo.In(g.Lang)))
			}
			line(i18n.T("queue id", "Queue-ID"), a.QueueID)
		}
		if p.TLS != nil {
			ver := i18n.T("certificate verified", "Zertifikat geprüft")
			if !p.TLS.Trusted() {
				ver = i18n.T("certificate not verified", "Zertifikat nicht geprüft")
			}
			line(i18n.T("TLS", "TLS"), p.TLS.Version+" "+p.TLS.Cipher+", "+ver.In(g.Lang))
		} else if p.Outcome != delivery.OutcomeFailed {
			line(i18n.T("TLS", "TLS"), i18n.T("none", "keins").In(g.Lang))
		}
		dsn := i18n.T("not offered: a missing DSN proves nothing", "nicht angeboten: eine fehlende DSN beweist nichts")
		if p.DSNOffered {
			dsn = i18n.T("offered: NOTIFY=SUCCESS,FAILURE,DELAY RET=HDRS ENVID=token", "angeboten: NOTIFY=SUCCESS,FAILURE,DELAY RET=HDRS ENVID=Token")
		}
		if p.Outcome != delivery.OutcomeFailed || p.Stage == "dot" {
			line(i18n.T("DSN", "DSN"), dsn.In(g.Lang))
		}
		if g.Verbose {
			for _, l := range p.Transcript {
				fmt.Fprintln(w, st.Dim("          "+l.Dir+": "+l.Text))
			}
		}
	}
	if len(probes) > 0 && probes[0].Accepted() {
		fmt.Fprintln(w, render.WrapHang(i18n.T("Next: mxprobe probe watch --imap imaps://… --imap-user … (or probe confirm later).",
			"Weiter: mxprobe probe watch --imap imaps://… --imap-user … (oder später probe confirm).").In(g.Lang), render.Width, "", "  "))
	}
}

func stageOr(p *delivery.Probe) string {
	if p.Stage == "" {
		return "-"
	}
	return p.Stage
}

// --- probe confirm / watch -----------------------------------------------------

func newProbeConfirmCmd(g *Globals, po *probeOptions, watch bool) *cobra.Command {
	o := &confirmOptions{}
	var until string
	cmd := &cobra.Command{
		Use:   "confirm [TOKEN…] [--pending]",
		Short: "Look once for probes in the seed mailbox and for bounces",
		Long: `Gather evidence once. Over IMAP every selectable folder of the seed mailbox is
searched (INBOX, the junk folder — SPECIAL-USE \Junk, else by name — and all
others), read-only and with BODY.PEEK, so nothing is marked as read; the token is
confirmed in the headers, and the folder, arrival time and the receiver's spam
verdict headers are recorded. A DSN mailbox (--dsn-imap or --dsn-maildir) is
searched for RFC 3464 reports and bounces, matched by ENVID, VERP address or the
returned headers. Without TOKEN (or with --pending) every probe whose verdict is
not final is looked for. A mailbox that cannot be read is recorded as an
incomplete scan, never as "not found".`,
		Example: `  MXPROBE_IMAP_PASSWORD=… mxprobe probe confirm --imap imaps://outlook.office365.com --imap-user me@hotmail.com
  mxprobe probe confirm k7w3q2zq5m4x6n2p7r3s --imap imaps://imap.gmx.net --imap-user me@gmx.de --imap-password-file ~/.gmx`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return probeConfirmRun(cmd, g, po, o, args, watch, until)
		},
	}
	if watch {
		cmd.Use = "watch [TOKEN…]"
		cmd.Short = "Look for probes repeatedly (with back-off) until every verdict is final"
		cmd.Long = `Repeat "probe confirm" with back-off until every watched probe has a final
verdict or --until passes. Each round is bounded by --timeout; the watch as a
whole by --until (default: until the last --final window ends).`
		cmd.Example = `  mxprobe probe watch --imap imaps://imap.example.com --imap-user seed@example.com --until 2h`
		cmd.Flags().StringVar(&until, "until", "", "stop after this duration (e.g. 30m) or at this RFC 3339 time")
	} else {
		cmd.Flags().BoolVar(&o.pending, "pending", false, "look for every probe whose verdict is not final (also with TOKENs)")
	}
	o.seed.register(cmd, "imap", "seed mailbox")
	o.dsn.register(cmd, "dsn-imap", "DSN mailbox")
	cmd.Flags().StringVar(&o.maildir, "dsn-maildir", "", "maildir where bounces arrive (instead of --dsn-imap)")
	addFailOn(cmd, &po.failOn)
	return cmd
}

func probeConfirmRun(cmd *cobra.Command, g *Globals, po *probeOptions, o *confirmOptions, args []string, watch bool, until string) error {
	clk, err := newProbeClock(g)
	if err != nil {
		return err
	}
	win, explicit, err := po.windowsOf(cmd)
	if err != nil {
		return err
	}
	failOn, err := parseFailOn(po.failOn)
	if err != nil {
		return err
	}
	for _, a := range args {
		if !delivery.ValidToken(a) {
			return exitcode.UsageError("invalid token %q", a)
		}
	}
	pool, err := po.rootCAs()
	if err != nil {
		return err
	}
	seed, err := o.seed.options(g, "imap", "MXPROBE_IMAP_PASSWORD", pool)
	if err != nil {
		return err
	}
	dsn, err := o.dsn.options(g, "dsn-imap", "MXPROBE_DSN_IMAP_PASSWORD", pool)
	if err != nil {
		return err
	}
	if dsn != nil && o.maildir != "" {
		return exitcode.UsageError("use --dsn-imap or --dsn-maildir, not both")
	}
	if seed == nil && dsn == nil && o.maildir == "" {
		return exitcode.UsageError("nothing to look in: give --imap (seed mailbox) and/or --dsn-imap/--dsn-maildir")
	}
	l, err := po.openLedger(g)
	if err != nil {
		return err
	}
	defer l.Close()
	copts := delivery.ConfirmOptions{Ledger: l, Tokens: args, Pending: o.pending || len(args) == 0, Seed: seed, DSNIMAP: dsn,
		DSNMaildir: o.maildir, Windows: win, WindowsFallback: !explicit, Now: clk.Now}
	round := func() (*delivery.ConfirmResult, error) {
		ctx, cancel := g.withTimeout(cmd.Context())
		defer cancel()
		res, err := delivery.Confirm(ctx, copts)
		if err != nil {
			if errors.Is(err, delivery.ErrUnknownToken) {
				return nil, exitcode.UsageError("%v", err)
			}
			return nil, err
		}
		return res, nil
	}
	res, err := round()
	if err != nil {
		return err
	}
	ledgerWarnings(g, res.Ledger, res.Healed)
	watched := res.Tokens
	if len(args) > 0 {
		watched = args
	}
	if watch {
		res, err = watchLoop(cmd, g, clk, win, until, watched, res, round)
		if err != nil {
			return err
		}
	}
	if err := interrupted(cmd); err != nil {
		return err
	}
	var vs []delivery.ProbeVerdict
	for _, t := range watched {
		if v, ok := res.Verdict.Get(t); ok {
			vs = append(vs, v)
		}
	}
	if g.JSON() {
		out := struct {
			probeJSON
			Seed   *delivery.Scan `json:"seed_scan,omitempty"`
			DSN    *delivery.Scan `json:"dsn_scan,omitempty"`
			Probes []verdictJSON  `json:"probes"`
		}{probeJSON: newProbeJSON(cmd.CommandPath()[len("mxprobe "):], clk.Now()), Seed: res.Seed, DSN: res.DSN, Probes: []verdictJSON{}}
		for _, v := range vs {
			out.Probes = append(out.Probes, localizeVerdict(v, g.Lang))
		}
		if err := render.JSON(g.IO.Out, out); err != nil {
			return err
		}
	} else {
		printScans(g, res)
		if len(vs) == 0 {
			fmt.Fprintln(g.IO.Out, i18n.T("No probe to look for (all verdicts are final).", "Keine Probe zu suchen (alle Urteile sind endgültig).").In(g.Lang))
		}
		printVerdicts(g, vs, g.Verbose)
	}
	if watch && len(watched) > 0 && !res.Verdict.AllSettled(watched...) {
		// --until passed before every verdict was final.
		if err := probesExit(vs, failOn); err != nil {
			return err
		}
		return exitcode.Silent(exitcode.Incomplete)
	}
	return probesExit(vs, failOn)
}

func printScans(g *Globals, res *delivery.ConfirmResult) {
	w := g.IO.Out
	for _, sc := range []*delivery.Scan{res.Seed, res.DSN} {
		if sc == nil {
			continue
		}
		what := i18n.T("Seed mailbox", "Seed-Postfach")
		if sc.Purpose == delivery.PurposeDSN {
			what = i18n.T("DSN mailbox", "DSN-Postfach")
		}
		// Seed matches are sightings; DSN matches are reports tied to probes.
		matches := len(sc.Found)
		if sc.Purpose == delivery.PurposeDSN {
			matches = len(res.DSNs)
		}
		if sc.Complete {
			fmt.Fprintf(w, "%s %s: %s\n", what.In(g.Lang), sc.Mailbox, i18n.Text{
				EN: fmt.Sprintf("complete scan of %d folder(s), %d message(s), %d match(es)", max(len(sc.Folders), 1), sc.Messages, matches),
				DE: fmt.Sprintf("vollständig durchsucht: %d Ordner, %d Nachricht(en), %d Treffer", max(len(sc.Folders), 1), sc.Messages, matches),
			}.In(g.Lang))
		} else {
			fmt.Fprintf(w, "%s %s: %s %s\n", what.In(g.Lang), sc.Mailbox, i18n.T("incomplete scan:", "unvollständig durchsucht:").In(g.Lang), sc.Error)
		}
	}
	if n := len(res.NewDSNs); n > 0 {
		fmt.Fprintln(w, i18n.Text{EN: fmt.Sprintf("%d new bounce report(s) matched.", n), DE: fmt.Sprintf("%d neue Unzustellbarkeitsmeldung(en) zugeordnet.", n)}.In(g.Lang))
	}
	fmt.Fprintln(w)
}

// pollInterval is the back-off of probe watch: from a quarter of the expect
// window (1 s … 1 min), doubling, up to an eighth of the drop-after window
// (at most 15 min).
func pollInterval(round int, w delivery.Windows) time.Duration {
	base := min(max(w.Expect/4, time.Second), time.Minute)
	ceil := min(max(w.DropAfter/8, base), 15*time.Minute)
	d := base
	for i := 0; i < round && d < ceil; i++ {
		d *= 2
	}
	return min(d, ceil)
}

// pollWindows are the shortest windows among the watched probes that are
// not settled (each may have its own, stored in the ledger); win when there
// are none.
func pollWindows(res *delivery.ConfirmResult, watched []string, win delivery.Windows) delivery.Windows {
	out, found := delivery.Windows{}, false
	for _, t := range watched {
		v, ok := res.Verdict.Get(t)
		if !ok || v.Settled || v.Windows.Validate() != nil {
			continue
		}
		if !found {
			out, found = v.Windows, true
			continue
		}
		out.Expect, out.DropAfter, out.Final = min(out.Expect, v.Windows.Expect), min(out.DropAfter, v.Windows.DropAfter), min(out.Final, v.Windows.Final)
	}
	if !found {
		return win
	}
	return out
}

// maxWatchRounds bounds the loop whatever the clock does.
const maxWatchRounds = 100000

func watchLoop(cmd *cobra.Command, g *Globals, clk *probeClock, win delivery.Windows, until string, watched []string,
	res *delivery.ConfirmResult, round func() (*delivery.ConfirmResult, error)) (*delivery.ConfirmResult, error) {
	start := clk.Now()
	var stop time.Time
	if until != "" {
		if d, err := time.ParseDuration(until); err == nil && d > 0 {
			stop = start.Add(d)
		} else if t, err := time.Parse(time.RFC3339, until); err == nil {
			stop = t
		} else {
			return nil, exitcode.UsageError("invalid --until %q: a duration (30m) or an RFC 3339 time", until)
		}
	} else {
		for _, t := range watched {
			if v, ok := res.Verdict.Get(t); ok && v.FinalAt.After(stop) {
				stop = v.FinalAt
			}
		}
	}
	last := map[string]delivery.State{}
	report := func() {
		for _, t := range watched {
			v, ok := res.Verdict.Get(t)
			if !ok || last[t] == v.State {
				continue
			}
			last[t] = v.State
			if !g.JSON() && !g.Quiet {
				fmt.Fprintf(g.IO.ErrOut, "%s  %s  %s\n", clk.Now().Format("15:04:05"), t, v.State)
			}
		}
	}
	report()
	for i := 0; i < maxWatchRounds; i++ {
		if res.Verdict.AllSettled(watched...) || !clk.Now().Before(stop) {
			return res, nil
		}
		d := pollInterval(i, pollWindows(res, watched, win))
		// Wake up just after the next deadline of a watched probe, when that
		// comes first: that is when a verdict can change without new mail.
		now := clk.Now()
		for _, t := range watched {
			v, ok := res.Verdict.Get(t)
			if !ok || v.Settled {
				continue
			}
			for _, dl := range []time.Time{v.ExpectBy, v.DropAt, v.FinalAt} {
				if dl.After(now) && dl.Sub(now)+time.Second < d {
					d = dl.Sub(now) + time.Second
				}
			}
		}
		if left := stop.Sub(now); left < d {
			d = max(left, time.Millisecond)
		}
		if err := clk.Sleep(cmd.Context(), d); err != nil {
			return nil, interruptedOr(cmd, err)
		}
		next, err := round()
		if err != nil {
			return nil, err
		}
		res = next
		report()
	}
	return res, nil
}

func interruptedOr(cmd *cobra.Command, err error) error {
	if e := interrupted(cmd); e != nil {
		return e
	}
	return err
}

// --- probe list / show -------------------------------------------------------

func newProbeListCmd(g *Globals, po *probeOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the probes in the ledger with their current verdict",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			clk, err := newProbeClock(g)
			if err != nil {
				return err
			}
			win, explicit, err := po.windowsOf(cmd)
			if err != nil {
				return err
			}
			l, err := po.openLedger(g)
			if err != nil {
				return err
			}
			defer l.Close()
			evs, st, err := l.Events()
			if err != nil {
				return err
			}
			ledgerWarnings(g, st, false)
			res := delivery.VerdictWith(evs, clk.Now(), delivery.VerdictOptions{Windows: win, Override: explicit})
			sort.SliceStable(res.Probes, func(i, j int) bool { return res.Probes[i].SentAt.Before(res.Probes[j].SentAt) })
			if g.JSON() {
				out := struct {
					probeJSON
					Ledger string        `json:"ledger"`
					Probes []verdictJSON `json:"probes"`
				}{newProbeJSON("probe list", clk.Now()), l.Path(), []verdictJSON{}}
				for _, v := range res.Probes {
					out.Probes = append(out.Probes, localizeVerdict(v, g.Lang))
				}
				return render.JSON(g.IO.Out, out)
			}
			if len(res.Probes) == 0 {
				fmt.Fprintln(g.IO.Out, i18n.T("No probes in the ledger ", "Keine Proben im Ledger ").In(g.Lang)+l.Path())
				return nil
			}
			printProbeList(g, res.Probes)
			return nil
		},
	}
}

// printProbeList prints the probes as a table whose columns are as wide as
// their longest cell (silent_drop_suspected/medium is 28 characters).
func printProbeList(g *Globals, vs []delivery.ProbeVerdict) {
	head := []string{"TOKEN", i18n.T("SENT (UTC)", "GESENDET (UTC)").In(g.Lang), i18n.T("ROLE", "ROLLE").In(g.Lang),
		i18n.T("STATE", "ZUSTAND").In(g.Lang), i18n.T("TO", "AN").In(g.Lang)}
	rows := make([][]string, 0, len(vs))
	for _, v := range vs {
		state := string(v.State)
		if v.Confidence != "" {
			state += "/" + string(v.Confidence)
		}
		rows = append(rows, []string{v.Token, v.SentAt.UTC().Format("2006-01-02 15:04"), string(v.Role), state, v.To})
	}
	width := make([]int, len(head))
	for _, r := range append([][]string{head}, rows...) {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	line := func(r []string) string {
		var b strings.Builder
		for i, c := range r {
			if i == len(r)-1 {
				b.WriteString(c) // the last column is not padded
				break
			}
			b.WriteString(c)
			b.WriteString(strings.Repeat(" ", width[i]-utf8.RuneCountInString(c)+2))
		}
		return b.String()
	}
	st := render.Styler{Color: g.Color()}
	fmt.Fprintln(g.IO.Out, st.Bold(line(head)))
	for _, r := range rows {
		fmt.Fprintln(g.IO.Out, line(r))
	}
}

func newProbeShowCmd(g *Globals, po *probeOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show TOKEN",
		Short: "Show a probe's timeline, evidence and verdict (--format json: the evidence pack)",
		Long: `Show one probe: the timeline of its events, the evidence (acceptance, scans,
bounces), the verdict with its reasons, what is still missing for a higher
confidence, and what to do next. With --format json this is the evidence pack
to attach to a provider support request.`,
		Args: cobra.ExactArgs(1),
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		clk, err := newProbeClock(g)
		if err != nil {
			return err
		}
		win, explicit, err := po.windowsOf(cmd)
		if err != nil {
			return err
		}
		failOn, err := parseFailOn(po.failOn)
		if err != nil {
			return err
		}
		tok := args[0]
		if !delivery.ValidToken(tok) {
			return exitcode.UsageError("invalid token %q", tok)
		}
		l, err := po.openLedger(g)
		if err != nil {
			return err
		}
		defer l.Close()
		evs, st, err := l.Events()
		if err != nil {
			return err
		}
		ledgerWarnings(g, st, false)
		res := delivery.VerdictWith(evs, clk.Now(), delivery.VerdictOptions{Windows: win, Override: explicit})
		v, ok := res.Get(tok)
		if !ok {
			return exitcode.UsageError("no probe %s in the ledger %s", tok, l.Path())
		}
		pack := evidenceFor(evs, v)
		if g.JSON() {
			out := struct {
				probeJSON
				Windows  delivery.Windows `json:"windows"`
				Verdict  verdictJSON      `json:"verdict"`
				Controls []verdictJSON    `json:"controls,omitempty"`
				Events   []delivery.Event `json:"events"`
			}{probeJSON: newProbeJSON("probe show", clk.Now()), Windows: v.Windows, Verdict: localizeVerdict(v, g.Lang), Events: pack}
			for _, c := range v.Controls {
				if cv, ok := res.Get(c.Token); ok {
					out.Controls = append(out.Controls, localizeVerdict(cv, g.Lang))
				}
			}
			if err := render.JSON(g.IO.Out, out); err != nil {
				return err
			}
		} else {
			printTimeline(g, pack, v)
			printVerdicts(g, []delivery.ProbeVerdict{v}, true)
		}
		return probesExit([]delivery.ProbeVerdict{v}, failOn)
	}
	addFailOn(cmd, &po.failOn)
	return cmd
}

// evidenceFor returns the events about v and its controls, scans reduced to
// these tokens (other probes are not part of this evidence).
func evidenceFor(evs []delivery.Event, v delivery.ProbeVerdict) []delivery.Event {
	want := map[string]bool{v.Token: true}
	for _, c := range v.Controls {
		want[c.Token] = true
	}
	out := []delivery.Event{}
	for _, ev := range evs {
		switch ev.Kind {
		case delivery.KindSent, delivery.KindDSN:
			if want[ev.Token] {
				out = append(out, ev)
			}
		case delivery.KindScan:
			sc := *ev.Scan
			var toks []string
			for _, t := range sc.Tokens {
				if want[t] {
					toks = append(toks, t)
				}
			}
			if len(toks) == 0 {
				continue
			}
			sc.Tokens = toks
			var found []delivery.Sighting
			for _, f := range sc.Found {
				if want[f.Token] {
					found = append(found, f)
				}
			}
			sc.Found = found
			ev.Scan = &sc
			out = append(out, ev)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

func printTimeline(g *Globals, evs []delivery.Event, v delivery.ProbeVerdict) {
	st := render.Styler{Color: g.Color()}
	w := g.IO.Out
	fmt.Fprintln(w, st.Bold(i18n.T("Timeline", "Zeitleiste").In(g.Lang)))
	for _, ev := range evs {
		at := ev.At.UTC().Format("2006-01-02 15:04:05Z")
		var line string
		switch ev.Kind {
		case delivery.KindSent:
			p := ev.Sent
			line = fmt.Sprintf("%s %s (%s) %s → %s: %s", i18n.T("sent", "gesendet").In(g.Lang), p.Token, p.Role, p.Route, orMX(p), outcomeText[p.Outcome].In(g.Lang))
			if p.Reply != "" {
				line += " — " + strings.ReplaceAll(p.Reply, "\n", " | ")
			}
			if p.Error != "" {
				line += " — " + p.Error
			}
		case delivery.KindScan:
			sc := ev.Scan
			what := i18n.T("scan", "Durchsuchung")
			if sc.Purpose == delivery.PurposeDSN {
				what = i18n.T("DSN scan", "DSN-Durchsuchung")
			}
			state := i18n.T("complete", "vollständig")
			if !sc.Complete {
				state = i18n.T("incomplete: ", "unvollständig: ")
			}
			line = what.In(g.Lang) + " " + sc.Mailbox + " " + state.In(g.Lang) + sc.Error
			for _, f := range sc.Found {
				line += fmt.Sprintf("; %s %s %s (%s)", f.Token, i18n.T("in", "in").In(g.Lang), f.Folder, f.Role)
			}
			if sc.Complete && len(sc.Found) == 0 && sc.Purpose == delivery.PurposeSeed {
				line += "; " + i18n.T("not found", "nicht gefunden").In(g.Lang)
			}
		case delivery.KindDSN:
			d := ev.DSN
			line = fmt.Sprintf("%s %s: %s %s %s (%s %s)", i18n.T("bounce report for", "Unzustellbarkeitsmeldung zu").In(g.Lang), ev.Token, d.Action, d.Status, d.DiagnosticCode,
				i18n.T("matched by", "zugeordnet über").In(g.Lang), d.MatchedBy)
		}
		fmt.Fprintln(w, render.WrapHang(line, render.Width, "  "+at+"  ", "                        "))
	}
	fmt.Fprintln(w)
}

func orMX(p *delivery.Probe) string {
	if p.Relay != "" {
		return p.Relay
	}
	if p.MXHost != "" {
		return p.MXHost
	}
	return "-"
}
