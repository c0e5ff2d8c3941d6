package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/lab"
	"github.com/mxprobe/mxprobe/internal/render"
	"github.com/mxprobe/mxprobe/internal/view"
)

// labCmdOptions are the options of `lab`.
type labCmdOptions struct {
	g     *Globals
	ctx   context.Context
	caOut string
}

func init() {
	addCommand(func(g *Globals) *cobra.Command { return newLabCmd(g, labRun) })
}

// newLabCmd builds `lab`; runF is labRun except in tests.
func newLabCmd(g *Globals, runF func(*labCmdOptions) error) *cobra.Command {
	o := &labCmdOptions{g: g}
	cmd := &cobra.Command{
		Use:   "lab",
		Short: "Serve the loopback mail lab (DNS, SMTP, HTTPS, IMAP) and print its scenarios",
		Long: `Start mxprobe's lab on loopback addresses: an authoritative DNS server with the
lab.test zones, scripted SMTP servers (accept, junk, Microsoft-style
accept-and-discard, S3150 rejection, greylisting, bad certificates, null MX,
tarpit, hostile peers …), an HTTPS server for MTA-STS policies, an IMAP seed
mailbox, a DSN mailbox and a known-good relay. It prints the scenario table and
the exact commands to run against it, and serves until Ctrl-C or SIGTERM.

The network commands (check, dns, probe send, probe confirm, probe watch)
also take --lab to run against a private in-process lab in one go, e.g.
"mxprobe check --lab drop.lab.test".`,
		Example: `  mxprobe lab
  mxprobe --lang de lab --ca-out /tmp/lab-ca.pem`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ctx = cmd.Context()
			return runF(o)
		},
	}
	cmd.Flags().StringVar(&o.caOut, "ca-out", "", "write the lab's CA certificate (PEM) here (default: a file in the temp directory)")
	return cmd
}

// labRun serves the lab until the context ends (Ctrl-C, SIGTERM).
func labRun(o *labCmdOptions) error {
	g := o.g
	lo, err := g.F.labOptions(g)
	if err != nil {
		return err
	}
	lo.HTTPSAddr = "127.0.0.1:443" // reachable for other processes when allowed
	w, err := lab.Start(lo)
	if err != nil {
		return err
	}
	defer w.Close()
	caOut := o.caOut
	if caOut == "" {
		caOut = filepath.Join(os.TempDir(), "mxprobe-lab-ca.pem")
	}
	if err := os.WriteFile(caOut, w.CA.PEM(), 0o644); err != nil {
		return fmt.Errorf("writing the lab CA: %w", err)
	}
	if g.JSON() {
		if err := render.JSON(g.IO.Out, newLabJSON(g, w, caOut)); err != nil {
			return err
		}
	} else {
		printLab(g, w, caOut)
	}
	<-o.ctx.Done()
	fmt.Fprintln(g.IO.ErrOut, i18n.T("lab stopped", "Labor beendet").In(g.Lang))
	return nil
}

func printLab(g *Globals, w *lab.World, caFile string) {
	l, out := g.Lang, g.IO.Out
	st := view.StylerFor(out, g.Color(), g.IO.OutTTY)
	t := func(en, de string) string { return i18n.T(en, de).In(l) }
	fmt.Fprintln(out, st.Bold(t("mxprobe lab — a mail world on loopback", "mxprobe-Labor – eine Mailwelt auf Loopback")))
	fmt.Fprintf(out, "  DNS   %s\n", w.DNSAddr())
	fmt.Fprintf(out, "  SMTP  127.0.0.10–127.0.0.40, %s %d\n", t("port", "Port"), w.SMTPPort)
	fmt.Fprintf(out, "  IMAP  %s (%s %s, %s %s)\n", w.Seed.URL(), t("user", "Benutzer"), lab.SeedUser, t("password", "Passwort"), lab.SeedPassword)
	fmt.Fprintf(out, "  DSN   %s\n", w.DSNSink.URL())
	fmt.Fprintf(out, "  %s 127.0.0.1:%d (AUTH %s / %s)\n", t("relay", "Relais"), w.Relay.Port(), lab.RelayUser, lab.RelayPassword)
	fmt.Fprintf(out, "  CA    %s\n", caFile)
	fmt.Fprintf(out, "  HTTPS %s (MTA-STS)\n\n", w.HTTPS.Addr())
	if !strings.HasSuffix(w.HTTPS.Addr(), ":443") {
		fmt.Fprintln(out, render.Wrap(t("Note: port 443 was not available, so other processes cannot fetch the MTA-STS policies (they report mtasts.fetch_failed); --lab inside one command works.",
			"Hinweis: Port 443 war nicht verfügbar; andere Prozesse können die MTA-STS-Richtlinien daher nicht abrufen (sie melden mtasts.fetch_failed); --lab innerhalb eines Befehls funktioniert."), st.Columns(), "  ")+"\n")
	}
	fmt.Fprintln(out, st.Bold(t("Scenarios", "Szenarien")))
	for _, sc := range lab.Scenarios() {
		fmt.Fprintln(out, render.WrapHang(sc.Title.In(l), st.Columns(), fmt.Sprintf("  %-25s %-11s", sc.Domain, sc.Expect), strings.Repeat(" ", 39)))
	}
	fmt.Fprintln(out)
	printRulesSenders(g, st)
	fmt.Fprintln(out)
	fmt.Fprintln(out, st.Bold(t("Try", "Ausprobieren")))
	cmds := labCommands(w, caFile)
	for _, c := range cmds {
		fmt.Fprintln(out, "  "+c)
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out, render.Wrap(t("Or add --lab to a network command for a private lab in one go: mxprobe check --lab drop.lab.test. Stop with Ctrl-C.",
		"Oder hängen Sie --lab an einen Netzwerkbefehl für ein privates Labor in einem Schritt: mxprobe check --lab drop.lab.test. Beenden mit Strg-C."), st.Columns(), ""))
}

// labCommands are the example command lines printed for a served lab; a
// test runs each of them.
func labCommands(w *lab.World, caFile string) []string {
	common := fmt.Sprintf("--resolver %s --port %d --ca-file %s --helo %s --dnsbl %s", w.DNSAddr(), w.SMTPPort, caFile, lab.ClientName, lab.BlockList)
	return []string{
		fmt.Sprintf("mxprobe check ok.lab.test %s --from you@%s", common, lab.SenderDomain),
		fmt.Sprintf("mxprobe check reject.lab.test %s", common),
		fmt.Sprintf("mxprobe dns ok.lab.test --resolver %s --ca-file %s --ip 127.0.0.1 --from you@%s", w.DNSAddr(), caFile, lab.SenderDomain),
		fmt.Sprintf("mxprobe dns drop.lab.test --resolver %s --ca-file %s --ip %s --from you@%s --rules all", w.DNSAddr(), caFile, lab.SenderNoContact, lab.WeakDomain),
		fmt.Sprintf("MXPROBE_IMAP_PASSWORD=%s mxprobe probe send --to %s@drop.lab.test --from you@%s --i-own-this-mailbox --resolver %s --port %d", lab.SeedPassword, lab.SeedUser, lab.SenderDomain, w.DNSAddr(), w.SMTPPort),
		fmt.Sprintf("MXPROBE_IMAP_PASSWORD=%s mxprobe probe confirm --pending --imap %s --imap-user %s", lab.SeedPassword, w.Seed.URL(), lab.SeedUser),
		"mxprobe explain \"550 5.7.1 Unfortunately, messages from [127.0.0.1] weren't sent. (S3150)\"",
	}
}

// printRulesSenders prints the lab's rulebook senders: an address to give
// with --ip, its PTR name and what it fails.
func printRulesSenders(g *Globals, st render.Styler) {
	l, out := g.Lang, g.IO.Out
	fmt.Fprintln(out, st.Bold(i18n.T("Rulebook senders (--ip ADDRESS, with --from and --rules all)", "Absender für die Regelwerke (--ip ADRESSE, mit --from und --rules all)").In(l)))
	for _, s := range lab.RulesSenders() {
		fmt.Fprintln(out, render.WrapHang(s.Title.In(l), st.Columns(), fmt.Sprintf("  %-11s %-27s", s.IP, ptrOrNone(s.PTR, l)), strings.Repeat(" ", 41)))
	}
}

// ptrOrNone is a rulebook sender's PTR name, or "(no PTR)".
func ptrOrNone(ptr string, l i18n.Lang) string {
	if ptr == "" {
		return i18n.T("(no PTR)", "(kein PTR)").In(l)
	}
	return ptr
}
