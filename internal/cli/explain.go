package cli

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"unsafe"

	"github.com/spf13/cobra"

	"github.com/mxprobe/mxprobe/internal/explain"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/render"
	"github.com/mxprobe/mxprobe/internal/statuscode"
	"github.com/mxprobe/mxprobe/internal/view"
)

// explainOptions are the flags of `mxprobe explain`.
type explainOptions struct {
	g    *Globals
	ctx  context.Context
	args []string

	Lines   string // --lines FILE|-
	Message string // --message FILE|-
	MX      string // --provider-host HOST
}

// explainMaxLine bounds one --lines input line; the rest of a longer line is
// skipped (a reply is never that long: RFC 5321 §4.5.3.1.5 allows 512 octets
// per reply line).
const explainMaxLine = 64 << 10

func init() {
	addCommand(func(g *Globals) *cobra.Command { return newExplainCmd(g, explainRun) })
}

// newExplainCmd builds `explain`; runF is explainRun except in tests.
func newExplainCmd(g *Globals, runF func(*explainOptions) error) *cobra.Command {
	o := &explainOptions{g: g}
	cmd := &cobra.Command{
		Use:   "explain [CODE | REPLY]...",
		Short: "Explain an SMTP reply, reply code, enhanced status code or bounce",
		Long: `Explain an SMTP reply in English or German: what the basic reply code
(RFC 5321 §4.2) and the enhanced status code (RFC 3463, IANA registry) mean,
whether it is a hard or soft bounce, the bounce reason (sisimai's vocabulary),
what the provider's own codes mean (Microsoft, Google, Yahoo, GMX/WEB.DE,
T-Online, …), who has to act, and what to do.

Input forms:
  mxprobe explain 5.7.1                      an enhanced status code
  mxprobe explain 550                        a basic reply code
  mxprobe explain "550 5.7.1 text …"         a whole reply, also multi-line
                                             or wrapped by Postfix, Exim, qmail
  mxprobe explain --lines FILE|-             one reply per line (log excerpts):
                                             NDJSON with -o json, else a table
  mxprobe explain --message FILE|DIR|-       bounce messages (RFC 3464 DSNs,
                                             text bounces, complaint reports,
                                             auto-replies) in a file, an mbox
                                             or a maildir: one result per
                                             recipient, NDJSON with -o json
  --provider-host HOST names the server that gave the reply (identifies
  the provider).

An invalid code (9.9.9, 5.1, "") or an unreadable file is an error (exit 2);
in --lines mode a line without any code is explained from its text alone.`,
		Example: `  mxprobe explain 5.7.1
  mxprobe explain "550 5.7.1 Unfortunately, messages from [203.0.113.5] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150)."
  mxprobe explain --lang de 4.7.650 --provider-host outlook-com.olc.protection.outlook.com
  grep 'status=bounced' /var/log/mail.log | mxprobe explain --lines - -o json
  mxprobe explain --message bounce.eml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ctx, o.args = cmd.Context(), args
			return runF(o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Lines, "lines", "", "explain one reply per line of FILE (- for standard input)")
	f.StringVar(&o.Message, "message", "", "explain the bounce messages in FILE, an mbox, a maildir DIR (- for standard input)")
	f.StringVar(&o.MX, "provider-host", "", "the host that gave the reply, e.g. its MX (identifies the provider)")
	return cmd
}

// explainRun explains the arguments, --lines or --message.
func explainRun(o *explainOptions) error {
	ctx, g, args := o.ctx, o.g, o.args
	opt := explain.Options{MXHost: strings.TrimSpace(o.MX)}
	switch {
	case o.Lines != "" && o.Message != "":
		return usageErr("--message", i18n.T("--lines and --message cannot be combined: give one of them", "--lines und --message lassen sich nicht kombinieren: Geben Sie nur eine der beiden Optionen an"))
	case (o.Lines != "" || o.Message != "") && len(args) > 0:
		return usageErr("--lines", i18n.T("give either arguments or --lines/--message, not both", "Geben Sie entweder Argumente oder --lines/--message an, nicht beides"))
	case o.Lines != "":
		return explainLines(ctx, g, o.Lines, opt)
	case o.Message != "":
		return explainMessage(ctx, g, o.Message, opt)
	case len(args) == 0:
		return usageErr("CODE", i18n.T("nothing to explain: give a code or reply, --lines FILE or --message FILE", "nichts zu erklären: Geben Sie einen Code, eine Antwort, --lines DATEI oder --message DATEI an"))
	}
	inputs, err := explainInputs(args)
	if err != nil {
		return err
	}
	if g.JSON() {
		ej := newExplainJSON()
		for _, in := range inputs {
			if _, err := g.IO.Out.Write(ej.append(nil, 0, explain.Explain(in, opt), g.Lang)); err != nil {
				return err
			}
		}
		return nil
	}
	w := newExplainWriter(g)
	for i, in := range inputs {
		if i > 0 {
			w.nl()
		}
		w.explanation(explain.Explain(in, opt).Localize(g.Lang))
	}
	return w.err
}

// explainInputs turns the arguments into replies: several bare codes are
// explained one by one; anything else is one reply (the shell may have split
// an unquoted reply into words).
func explainInputs(args []string) ([]string, error) {
	allCodes := len(args) > 1
	for _, a := range args {
		if !explainIsBareCode(a) {
			allCodes = false
		}
	}
	inputs := args
	if !allCodes {
		inputs = []string{strings.Join(args, " ")}
	}
	for _, in := range inputs {
		if err := statuscode.Validate(in); err != nil {
			return nil, explainValidationMsg(in, err)
		}
	}
	return inputs, nil
}

func explainIsBareCode(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return true
}

func explainValidationMsg(in string, err error) error {
	switch {
	case errors.Is(err, statuscode.ErrEmpty):
		return usageErr("CODE", i18n.T("nothing to explain: the argument is empty", "nichts zu erklären: das Argument ist leer"))
	case errors.Is(err, statuscode.ErrBadReplyCode):
		return usageErr("CODE", i18n.T("invalid reply code %q: a reply code has three digits, the first 2 to 5 and the second 0 to 5 (RFC 5321 §4.2)",
			"ungültiger Antwortcode %q: ein Antwortcode hat drei Ziffern, die erste 2 bis 5, die zweite 0 bis 5 (RFC 5321 §4.2)"), view.Clip(in, 40))
	case errors.Is(err, statuscode.ErrSyntax):
		return usageErr("CODE", i18n.T("invalid enhanced status code %q: use class.subject.detail with class 2, 4 or 5 and 1–3 digit numbers, e.g. 5.7.1 (RFC 3463)",
			"ungültiger erweiterter Statuscode %q: erwartet wird Klasse.Betreff.Detail mit Klasse 2, 4 oder 5 und ein- bis dreistelligen Zahlen, z. B. 5.7.1 (RFC 3463)"), view.Clip(in, 40))
	}
	return usageErr("CODE", i18n.T("%v", "%v"), err)
}

// explainOpen opens FILE or standard input ("-").
func explainOpen(g *Globals, name, flag string) (io.ReadCloser, error) {
	if name == "-" {
		if g.IO.In == nil {
			return nil, usageErr("--"+flag, i18n.T("--%s -: no standard input", "--%s -: keine Standardeingabe"), flag)
		}
		return io.NopCloser(g.IO.In), nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, usageErr("--"+flag, i18n.T("--%s: cannot read %s: %s", "--%s: %s ist nicht lesbar: %s"), flag, name, explainPathErr(err))
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, usageErr("--"+flag, i18n.T("--%s: cannot read %s: is a directory", "--%s: %s ist nicht lesbar: ein Verzeichnis"), flag, name)
	}
	return f, nil
}

func explainPathErr(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// explainLines streams --lines input: one result per non-empty line, in
// order, with bounded memory (lines longer than explainMaxLine are cut).
func explainLines(ctx context.Context, g *Globals, name string, opt explain.Options) error {
	in, err := explainOpen(g, name, "lines")
	if err != nil {
		return err
	}
	defer in.Close()
	bw := bufio.NewWriterSize(g.IO.Out, 64<<10)
	var tw *explainWriter
	jsonOut := g.JSON()
	var out []byte
	ej := newExplainJSON()
	if !jsonOut {
		tw = newExplainWriterTo(g, bw)
		tw.tableHeader()
	}
	br := bufio.NewReaderSize(in, 64<<10)
	n := 0
	var buf []byte
	for {
		line, tooLong, rerr := explainReadLine(br, buf[:0])
		buf = line[:0]
		if len(line) > 0 || rerr == nil {
			n++
		}
		if rerr != nil && rerr != io.EOF {
			_ = bw.Flush()
			return usageErr("--lines", i18n.T("--lines: reading %s: %v", "--lines: Fehler beim Lesen von %s: %v"), explainInputName(name), rerr)
		}
		// A view of the read buffer: the explanation is written out before
		// the next read reuses it.
		s := strings.TrimSpace(unsafeString(line))
		if s != "" {
			_ = tooLong
			x := explain.Explain(s, opt)
			if jsonOut {
				// One object per line: {envelope, "line":N, …the explanation…}.
				out = ej.append(out[:0], n, x, g.Lang)
				if _, err := bw.Write(out); err != nil {
					return err
				}
			} else {
				tw.tableRow(n, x)
			}
		}
		if rerr == io.EOF {
			break
		}
		if ctx != nil && ctx.Err() != nil {
			_ = bw.Flush()
			return ctx.Err()
		}
	}
	if tw != nil && tw.err != nil {
		return tw.err
	}
	return bw.Flush()
}

func explainInputName(name string) string {
	if name == "-" {
		return "standard input"
	}
	return name
}

// explainReadLine reads one line without its end-of-line, keeping at most
// explainMaxLine bytes; tooLong reports that the rest was dropped.
func explainReadLine(br *bufio.Reader, dst []byte) (line []byte, tooLong bool, err error) {
	for {
		frag, isPrefix, e := br.ReadLine()
		if len(dst)+len(frag) <= explainMaxLine {
			dst = append(dst, frag...)
		} else {
			if room := explainMaxLine - len(dst); room > 0 {
				dst = append(dst, frag[:room]...)
			}
			tooLong = true
		}
		if e != nil {
			if e == io.EOF && len(dst) > 0 {
				return dst, tooLong, nil
			}
			return dst, tooLong, e
		}
		if !isPrefix {
			return dst, tooLong, nil
		}
	}
}

// --- text rendering: internal/view draws the card and the table ---

// explainWriter writes explain's text output through the view package with
// the one styler of the stream.
type explainWriter struct {
	row   []byte // reused buffer of tableRow
	w     io.Writer
	lang  i18n.Lang
	st    render.Styler
	quiet bool
	verb  bool
	err   error
}

func newExplainWriter(g *Globals) *explainWriter { return newExplainWriterTo(g, g.IO.Out) }

func newExplainWriterTo(g *Globals, w io.Writer) *explainWriter {
	return &explainWriter{w: w, lang: g.Lang, quiet: g.Quiet, verb: g.Verbose,
		st: view.StylerFor(w, g.Color(), g.IO.OutTTY && w == g.IO.Out)}
}

func (t *explainWriter) tr(en, de string) string { return i18n.T(en, de).In(t.lang) }

func (t *explainWriter) write(s string) {
	if t.err == nil {
		_, t.err = io.WriteString(t.w, s)
	}
}

func (t *explainWriter) line(s string) { t.write(s + "\n") }
func (t *explainWriter) nl()           { t.write("\n") }

// explanation renders one explanation as the explain card.
func (t *explainWriter) explanation(x explain.Localized) {
	if t.err == nil {
		t.err = view.ExplainText(t.w, view.Explain(x, t.lang, view.CardOptions{Quiet: t.quiet, Verbose: t.verb}), t.lang, t.st)
	}
}

// tableHeader and tableRow render --lines in text mode as a compact table
// with fixed column widths, so that it can be streamed.
func (t *explainWriter) tableHeader() {
	if !t.quiet && t.err == nil {
		t.err = view.ExplainTableHeader(t.w, t.lang, t.st)
	}
}

func (t *explainWriter) tableRow(n int, x explain.Explanation) {
	t.row = view.AppendExplainRow(t.row[:0], n, &x, t.st)
	if t.err == nil {
		_, t.err = t.w.Write(t.row)
	}
}

func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
