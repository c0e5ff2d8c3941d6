package check

import (
	"fmt"
	"io"
	"strings"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/iprev"
	"github.com/mxprobe/mxprobe/internal/mxdialog"
	"github.com/mxprobe/mxprobe/internal/render"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/rules"
	"github.com/mxprobe/mxprobe/internal/smtpconn"
)

// TextOptions control the text rendering.
type TextOptions struct {
	Lang       i18n.Lang
	Style      render.Styler
	Verbose    bool
	Quiet      bool
	Transcript bool
}

// Localize fills the JSON findings in lang (most severe first).
func (r *Report) Localize(lang i18n.Lang) {
	r.Findings = report.LocalizeAll(r.raw, lang)
	r.Requirements = localizeRules(r.requirements, r.Sender.Network, lang)
	for _, h := range r.MX {
		for _, a := range h.Addresses {
			for i := range a.Explanations {
				a.Explanations[i].lang = lang
			}
		}
	}
}

// Localize fills the JSON findings in lang.
func (r *DNSReport) Localize(lang i18n.Lang) {
	r.Findings = report.LocalizeAll(r.raw, lang)
	r.Requirements = localizeRules(r.requirements, r.Network, lang)
}

func tr(lang i18n.Lang, en, de string) string { return i18n.T(en, de).In(lang) }

// RenderText writes the check report for humans, at most 80 columns wide:
// verdict and the most important finding first, then Destination, Sender,
// TLS & policy and all findings.
func (r *Report) RenderText(w io.Writer, o TextOptions) {
	l, st := o.Lang, o.Style
	r.Localize(l)
	fmt.Fprintf(w, "%s %s  %s\n", st.Bold("mxprobe check"), r.Target.Input, st.Dim(fmt.Sprintf("(RCPT %s, %.1f s)", r.Target.Rcpt, r.DurationMS/1000)))
	if r.Error != "" {
		fmt.Fprintf(w, "  %s\n", r.Error)
	}
	fmt.Fprintf(w, "%s %s\n", tr(l, "Verdict:", "Ergebnis:"), st.Verdict(r.Verdict, l))
	if len(r.Findings) > 0 && r.Findings[0].Severity.Rank() >= report.Warn.Rank() {
		top := r.Findings[0]
		fmt.Fprintln(w, render.Wrap(tr(l, "Most important: ", "Am wichtigsten: ")+top.Title+" — "+top.Detail, render.Width, ""))
		if top.Advice != "" {
			fmt.Fprintln(w, render.Wrap("→ "+top.Advice, render.Width, "  "))
		}
	}
	if o.Quiet {
		problems := r.Findings[:0:0]
		for _, f := range r.Findings {
			if f.Severity.Rank() >= report.Warn.Rank() {
				problems = append(problems, f)
			}
		}
		if len(problems) > 0 {
			fmt.Fprintln(w)
			render.Findings(w, st, problems, l, o.Verbose)
		}
		return
	}

	fmt.Fprintln(w)
	fmt.Fprintln(w, st.Bold(tr(l, "Destination", "Ziel")))
	fmt.Fprintf(w, "  MX: %s\n", mxLookupLine(r.MXLookup, l))
	writeMXHosts(w, r.MX, l, st, o.Verbose)
	if r.Provider != nil {
		fmt.Fprintf(w, "  %s %s\n", tr(l, "Operator:", "Betreiber:"), r.Provider.Display)
		for _, g := range r.Provider.Guidance {
			line := g.Title
			if g.URL != "" {
				line += ": " + g.URL
			}
			fmt.Fprintln(w, render.WrapHang(line, render.Width, "    · ", "      "))
		}
	}

	fmt.Fprintln(w)
	fmt.Fprintln(w, st.Bold(tr(l, "Sender", "Absender")))
	s := r.Sender
	if s.IP.IsValid() {
		fmt.Fprintf(w, "  IP %s %s\n", s.IP, st.Dim("("+ipSourceText(s.IPSource, l)+")"))
	}
	if s.PTR != nil {
		fmt.Fprintln(w, render.WrapHang("PTR "+ptrText(s.PTR.Result, s.PTR.Host, namesOf(s.PTR), l), render.Width, "  ", "      "))
	}
	if s.HELO != "" {
		match := tr(l, "matches the PTR", "passt zum PTR")
		if !s.HELOMatchesPTR {
			match = tr(l, "does not match the PTR", "passt nicht zum PTR")
		}
		fmt.Fprintf(w, "  EHLO %s (%s)\n", s.HELO, match)
	}
	from := s.MailFrom
	if from == "" {
		from = "<>"
	}
	fmt.Fprintf(w, "  MAIL FROM %s\n", from)
	if s.SPF != nil {
		fmt.Fprintln(w, senderSPFLine(s.SPF, l))
	}
	if s.DKIM != nil {
		fmt.Fprintln(w, render.WrapHang(fmt.Sprintf("DKIM %s: %s", s.DKIM.Domain, dkimLine(s.DKIM.Status, s.DKIM.Found, s.DKIM.Tried, l)), render.Width, "  ", "      "))
	}
	if s.DMARC != nil {
		fmt.Fprintf(w, "  DMARC %s: %s\n", s.DMARC.Domain, dmarcLine(s.DMARC.Status, s.DMARC.EffectivePolicy, s.DMARC.PolicyDomain, l))
	}
	if s.DNSBL != nil {
		fmt.Fprintf(w, "  %s %s (%s %d)\n", tr(l, "Block lists:", "Sperrlisten:"), StatusLabel(KindDNSBL, string(s.DNSBL.Status), l), tr(l, "lists asked:", "gefragte Listen:"), len(s.DNSBL.Zones))
		for _, z := range s.DNSBL.Listed() {
			fmt.Fprintln(w, render.Wrap("· "+z.Zone.Label+": "+z.Reason, render.Width, "    "))
		}
	}
	if line := NetworkLine(s.Network, l); line != "" {
		fmt.Fprintln(w, render.WrapHang(line, render.Width, "  ", "      "))
	}

	fmt.Fprintln(w)
	fmt.Fprintln(w, st.Bold(tr(l, "TLS & policy", "TLS & Richtlinien")))
	for _, h := range r.MX {
		for _, a := range h.Addresses {
			if a.SMTP != nil && a.SMTP.TLS != nil {
				fmt.Fprintln(w, render.WrapHang(h.Host+": "+tlsLine(a.SMTP.TLS, l), render.Width, "  ", "      "))
			} else if a.SMTP != nil && a.SMTP.Extensions != nil && !a.SMTP.Extensions.STARTTLS {
				fmt.Fprintf(w, "  %s: %s\n", h.Host, tr(l, "no STARTTLS", "kein STARTTLS"))
			}
		}
	}
	writePolicy(w, &r.Policy, l)

	fmt.Fprintln(w)
	fmt.Fprintln(w, st.Bold(tr(l, "Findings", "Befunde")))
	render.Findings(w, st, r.Findings, l, o.Verbose)
	if o.Verbose && len(r.requirements) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, st.Bold(tr(l, "Provider requirements", "Anforderungen der Anbieter")))
		fmt.Fprint(w, rules.Table(r.requirements, l))
	}

	if ex := r.explanations(); len(ex) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, st.Bold(tr(l, "Replies explained", "Antworten erklärt")))
		for _, e := range ex {
			writeExplanation(w, e, l)
		}
	}
	if o.Transcript {
		for _, h := range r.MX {
			for _, a := range h.Addresses {
				for _, res := range []*mxdialog.Result{a.SMTP, a.AcceptAllTest} {
					if res == nil {
						continue
					}
					fmt.Fprintln(w)
					fmt.Fprintln(w, st.Bold(fmt.Sprintf("%s %s (%s)", tr(l, "Transcript", "Mitschnitt"), res.Address, res.Kind)))
					for _, t := range res.Transcript {
						fmt.Fprintf(w, "  %8.1f %s %s\n", smtpconn.MS(t.At.Sub(res.StartedAt)), t.Dir, t.Text)
					}
				}
			}
		}
	}
}

func (r *Report) explanations() []Explanation {
	var out []Explanation
	for _, h := range r.MX {
		for _, a := range h.Addresses {
			out = append(out, a.Explanations...)
		}
	}
	return out
}

func writeExplanation(w io.Writer, e Explanation, l i18n.Lang) {
	fmt.Fprintln(w, render.Wrap(fmt.Sprintf("%s → %s", e.Command, e.Reply), render.Width, "  "))
	fmt.Fprintln(w, render.Wrap(e.Title.In(l)+": "+e.Description.In(l), render.Width, "    "))
	for _, a := range e.Advice {
		fmt.Fprintln(w, render.WrapHang(a.In(l), render.Width, "    → ", "      "))
	}
}

// RenderText writes the dns report for humans.
func (r *DNSReport) RenderText(w io.Writer, o TextOptions) {
	l, st := o.Lang, o.Style
	r.Localize(l)
	fmt.Fprintf(w, "%s %s  %s\n", st.Bold("mxprobe dns"), r.Target.DomainUnicode, st.Dim(fmt.Sprintf("(%s, %.1f s)", r.Target.Domain, r.DurationMS/1000)))
	fmt.Fprintf(w, "%s %s\n", tr(l, "Verdict:", "Ergebnis:"), st.Verdict(r.Verdict, l))
	if !o.Quiet {
		fmt.Fprintln(w)
		fmt.Fprintf(w, "MX: %s\n", mxLookupLine(r.MXLookup, l))
		writeMXHosts(w, r.MX, l, st, o.Verbose)
		if r.SPF != nil {
			fmt.Fprintf(w, "SPF %s %s: %s", r.SPF.Domain, r.SPF.Record, r.SPF.Status)
			if r.SPF.Matched != "" {
				fmt.Fprintf(w, " (%s)", r.SPF.Matched)
			}
			fmt.Fprintf(w, ", %d/10 %s\n", r.SPF.Lookups, tr(l, "lookups", "Abfragen"))
		}
		if r.SPFRecord != nil {
			fmt.Fprintf(w, "SPF %s: %s %s\n", r.SPFRecord.Domain, StatusLabel(KindSPF, r.SPFRecord.Status, l), r.SPFRecord.Record)
		}
		if r.DKIM != nil {
			fmt.Fprintln(w, render.WrapHang(fmt.Sprintf("DKIM %s: %s", r.DKIM.Domain, dkimLine(r.DKIM.Status, r.DKIM.Found, r.DKIM.Tried, l)), render.Width, "", "    "))
		}
		if r.DMARC != nil {
			fmt.Fprintf(w, "DMARC %s: %s\n", r.DMARC.Domain, dmarcLine(r.DMARC.Status, r.DMARC.EffectivePolicy, r.DMARC.PolicyDomain, l))
		}
		writePolicy(w, &r.Policy, l)
		if line := NetworkLine(r.Network, l); line != "" {
			fmt.Fprintln(w, render.WrapHang(line, render.Width, "", "    "))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, st.Bold(tr(l, "Findings", "Befunde")))
	fs := r.Findings
	if o.Quiet {
		fs = fs[:0:0]
		for _, f := range r.Findings {
			if f.Severity.Rank() >= report.Warn.Rank() {
				fs = append(fs, f)
			}
		}
	}
	render.Findings(w, st, fs, l, o.Verbose)
	if o.Verbose && len(r.requirements) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, st.Bold(tr(l, "Provider requirements", "Anforderungen der Anbieter")))
		fmt.Fprint(w, rules.Table(r.requirements, l))
	}
}

// maxMXShown bounds the MX hosts listed in text (all with -v; JSON always
// has every host).
const maxMXShown = 10

func writeMXHosts(w io.Writer, hosts []*MXHost, l i18n.Lang, st render.Styler, verbose bool) {
	for i, h := range hosts {
		if i == maxMXShown && !verbose {
			fmt.Fprintln(w, st.Dim(fmt.Sprintf("  … "+tr(l, "%d more MX hosts (-v lists all)", "%d weitere MX-Hosts (-v listet alle)"), len(hosts)-i)))
			return
		}
		writeMXHost(w, h, l, st)
	}
}

func writeMXHost(w io.Writer, h *MXHost, l i18n.Lang, st render.Styler) {
	name := h.Host
	if h.Implicit {
		name += " " + tr(l, "(implicit)", "(implizit)")
	}
	if len(h.CNAMEs) > 0 {
		name += " → CNAME " + strings.Join(h.CNAMEs, " → ")
	}
	fmt.Fprintf(w, "  %3d %s\n", h.Preference, name)
	if h.Error != "" && len(h.Addresses) == 0 {
		fmt.Fprintln(w, render.Wrap(HostAddressLabel(h, l), render.Width, "      "))
	}
	for _, a := range h.Addresses {
		line := a.IP.String()
		if a.PTR != nil {
			line += "  PTR " + ptrText(a.PTR.Result, a.PTR.Host, namesOf(a.PTR), l)
		}
		fmt.Fprintln(w, render.WrapHang(line, render.Width, "      ", "        "))
		if a.SMTP != nil {
			fmt.Fprintln(w, render.Wrap(smtpLine(a.SMTP, l), render.Width, "        "))
			if x := a.SMTP.Extensions; x != nil {
				fmt.Fprintln(w, render.Wrap(extLine(x, l), render.Width, "        "))
			}
		} else if h.Addresses != nil && !a.Tried {
			fmt.Fprintln(w, st.Dim("        "+tr(l, "not tried", "nicht versucht")))
		}
		if a.AcceptAllTest != nil && a.AcceptAllTest.Rcpt != nil {
			fmt.Fprintln(w, render.Wrap(fmt.Sprintf("%s <%s>: %s", tr(l, "accept-all test", "Catch-all-Test"), a.AcceptAllTest.RcptTo, oneLine(a.AcceptAllTest.Rcpt.Line(), 60)), render.Width, "        "))
		}
	}
}

func smtpLine(r *mxdialog.Result, l i18n.Lang) string {
	var parts []string
	if r.Banner != nil {
		parts = append(parts, fmt.Sprintf("%s %d %s (%.1f s)", tr(l, "banner", "Begrüßung"), r.Banner.Code, r.BannerHost, r.Banner.DelayMS/1000))
	}
	if r.TLS != nil && r.TLS.Error == "" {
		parts = append(parts, "STARTTLS "+r.TLS.Version)
	}
	if r.Rcpt != nil {
		parts = append(parts, "RCPT "+oneLine(r.Rcpt.Line(), 70))
	}
	if r.Error != nil {
		parts = append(parts, tr(l, "stopped: ", "abgebrochen: ")+ErrorClassLabel(r.Error.Class, l))
	}
	return strings.Join(parts, " · ")
}

func oneLine(s string, max int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

func tlsLine(t *mxdialog.TLSInfo, l i18n.Lang) string {
	if t.Error != "" {
		return "STARTTLS " + tr(l, "failed: ", "gescheitert: ") + t.Error
	}
	parts := []string{t.Version, t.Cipher}
	switch {
	case t.Verified && t.NameMatch:
		parts = append(parts, tr(l, "certificate valid", "Zertifikat gültig"))
	case t.SelfSigned:
		parts = append(parts, tr(l, "self-signed certificate", "selbstsigniertes Zertifikat"))
	case t.Expired:
		parts = append(parts, tr(l, "certificate expired", "Zertifikat abgelaufen"))
	case !t.NameMatch:
		parts = append(parts, tr(l, "certificate for another name", "Zertifikat für einen anderen Namen"))
	default:
		parts = append(parts, tr(l, "certificate not trusted", "Zertifikat nicht vertrauenswürdig"))
	}
	parts = append(parts, fmt.Sprintf(tr(l, "%d days left", "noch %d Tage"), t.DaysLeft))
	return strings.Join(parts, ", ")
}

func writePolicy(w io.Writer, p *Policy, l i18n.Lang) {
	if p.MTASTS != nil {
		line := "  MTA-STS: " + StatusLabel(KindMTASTS, string(p.MTASTS.Status), l)
		if p.MTASTS.Policy != nil {
			line += ", " + tr(l, "mode ", "Modus ") + string(p.MTASTS.Policy.Mode)
		}
		if len(p.MTASTS.MXMismatched) > 0 {
			line += ", " + tr(l, "MX not covered: ", "MX nicht abgedeckt: ") + strings.Join(p.MTASTS.MXMismatched, ", ")
		}
		fmt.Fprintln(w, line)
	}
	if p.TLSRPT != nil {
		fmt.Fprintf(w, "  TLS-RPT: %s\n", StatusLabel(KindTLSRPT, string(p.TLSRPT.Status), l))
	}
	for _, d := range p.DANE {
		line := fmt.Sprintf("  DANE %s: %s", d.Host, StatusLabel(KindDANE, string(d.Status), l))
		if d.Verification != nil {
			line += fmt.Sprintf(" (%s)", tr(l, "checked against the live chain", "gegen die Live-Kette geprüft"))
		}
		fmt.Fprintln(w, line)
	}
}

func mxLookupLine(m MXLookup, l i18n.Lang) string { return MXLookupLabel(m, l) }

func ipSourceText(src string, l i18n.Lang) string {
	switch src {
	case "flag":
		return tr(l, "from --ip", "aus --ip")
	case "ehlo", "banner":
		return tr(l, "as the server reported it", "wie vom Server gemeldet")
	case "socket":
		return tr(l, "our socket address", "unsere Socket-Adresse")
	}
	return src
}

func namesOf(p *iprev.Result) []string {
	out := make([]string, 0, len(p.Names))
	for _, n := range p.Names {
		out = append(out, n.Name)
	}
	return out
}

func ptrText(result any, host string, names []string, l i18n.Lang) string {
	switch fmt.Sprint(result) {
	case "pass":
		return host + " ✓ " + tr(l, "(forward-confirmed)", "(vorwärts bestätigt)")
	case "temperror":
		return tr(l, "lookup failed", "Abfrage gescheitert")
	}
	if len(names) == 0 {
		return tr(l, "none", "keiner")
	}
	return strings.Join(names, ", ") + " ✗ " + tr(l, "(not forward-confirmed)", "(nicht vorwärts bestätigt)")
}

func dkimLine(status string, found, tried []string, l i18n.Lang) string {
	if len(found) > 0 {
		return StatusLabel(KindDKIM, status, l) + ", " + tr(l, "selectors ", "Selektoren ") + strings.Join(found, ", ")
	}
	return fmt.Sprintf("%s, %s %s", StatusLabel(KindDKIM, status, l), tr(l, "tried", "versucht:"), strings.Join(tried, ", "))
}

func dmarcLine(status, policy, at string, l i18n.Lang) string {
	s := StatusLabel(KindDMARC, status, l)
	if policy != "" {
		s += ", p=" + policy
	}
	if at != "" {
		s += " (" + at + ")"
	}
	return s
}

func extLine(x *mxdialog.Extensions, l i18n.Lang) string {
	yes := func(b bool) string {
		if b {
			return tr(l, "yes", "ja")
		}
		return tr(l, "no", "nein")
	}
	size := tr(l, "not announced", "nicht angegeben")
	if x.SizeAdvertised {
		size = tr(l, "no limit", "ohne Grenze")
		if x.Size > 0 {
			size = fmt.Sprintf("%.1f MiB", float64(x.Size)/(1<<20))
		}
	}
	return fmt.Sprintf("SIZE %s · SMTPUTF8 %s · DSN %s · REQUIRETLS %s", size, yes(x.SMTPUTF8), yes(x.DSN), yes(x.REQUIRETLS))
}
