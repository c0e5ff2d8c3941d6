package view

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/mxprobe/mxprobe/internal/check"
	"github.com/mxprobe/mxprobe/internal/dane"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/iprev"
	"github.com/mxprobe/mxprobe/internal/mxdialog"
	"github.com/mxprobe/mxprobe/internal/smtpconn"
	"github.com/mxprobe/mxprobe/internal/spf"
)

var reAngle = regexp.MustCompile(`<[^<>\s]*>`)

// smtpText is the dialogue with one address in one line: greeting, TLS,
// the RCPT reply in short (in full under "Server replies"), or where it
// stopped.
func smtpText(r *mxdialog.Result, host string, full bool, l i18n.Lang) string {
	var parts []string
	if r.Banner != nil {
		// The greeting is worth a word when it is not a plain 220; the
		// name it gives (smtp.banner_ptr_mismatch notes a foreign one) with -v.
		switch {
		case full:
			parts = append(parts, strings.TrimSpace(fmt.Sprintf("%d %s", r.Banner.Code, r.BannerHost)))
		case r.Banner.Code != 220:
			parts = append(parts, fmt.Sprint(r.Banner.Code))
		}
	}
	if r.TLS != nil {
		parts = append(parts, tlsText(r.TLS, l))
	} else if r.Extensions != nil && !r.Extensions.STARTTLS {
		parts = append(parts, tr(l, "no STARTTLS", "kein STARTTLS"))
	}
	if r.Rcpt != nil {
		parts = append(parts, strings.TrimSpace(fmt.Sprintf("RCPT %d %s", r.Rcpt.Code, r.Rcpt.EnhancedCode)))
	}
	if r.Error != nil && !(r.Error.Class == mxdialog.ClassTLS && r.TLS != nil && r.TLS.Error != "") {
		parts = append(parts, fmt.Sprintf(tr(l, "stopped %s: %s", "abgebrochen %s: %s"), phaseText(r.Error.Phase, l), errorClassText(r.Error.Class, l)))
	}
	return joinDot(parts...)
}

func tlsText(t *mxdialog.TLSInfo, l i18n.Lang) string {
	if t.Error != "" {
		// The error text itself is evidence of the finding (-v, JSON).
		return "STARTTLS " + tr(l, "failed", "gescheitert")
	}
	var cert string
	switch {
	case t.Verified && t.NameMatch:
		cert = tr(l, "certificate valid", "Zertifikat gültig")
	case t.Expired:
		cert = tr(l, "certificate expired", "Zertifikat abgelaufen")
	case t.SelfSigned:
		cert = tr(l, "self-signed certificate", "selbstsigniertes Zertifikat")
	case !t.NameMatch:
		cert = tr(l, "certificate for another name", "Zertifikat für einen anderen Namen")
	default:
		cert = tr(l, "certificate not trusted", "Zertifikat nicht vertrauenswürdig")
	}
	if t.Expired || t.DaysLeft < 0 {
		return fmt.Sprintf("STARTTLS %s, %s", t.Version, cert)
	}
	days := i18n.Plural(t.DaysLeft, i18n.Tf("%d day left", "noch %d Tag", t.DaysLeft), i18n.Tf("%d days left", "noch %d Tage", t.DaysLeft)).In(l)
	return fmt.Sprintf("STARTTLS %s, %s (%s)", t.Version, cert, days)
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

// phaseWords say where a dialogue stopped, as a phrase with its
// preposition ("at the greeting", "bei der Begrüßung").
var phaseWords = map[mxdialog.Phase]i18n.Text{
	mxdialog.PhaseConnect:  i18n.T("at connect", "beim Verbindungsaufbau"),
	mxdialog.PhaseBanner:   i18n.T("at the greeting", "bei der Begrüßung"),
	mxdialog.PhaseEHLO:     i18n.T("at EHLO", "bei EHLO"),
	mxdialog.PhaseHELO:     i18n.T("at HELO", "bei HELO"),
	mxdialog.PhaseSTARTTLS: i18n.T("at STARTTLS", "bei STARTTLS"),
	mxdialog.PhaseTLS:      i18n.T("in the TLS handshake", "beim TLS-Handshake"),
	mxdialog.PhaseEHLOTLS:  i18n.T("at EHLO inside TLS", "bei EHLO innerhalb von TLS"),
	mxdialog.PhaseMAIL:     i18n.T("at MAIL FROM", "bei MAIL FROM"),
	mxdialog.PhaseRCPT:     i18n.T("at RCPT TO", "bei RCPT TO"),
	mxdialog.PhaseRSET:     i18n.T("at RSET", "bei RSET"),
	mxdialog.PhaseQUIT:     i18n.T("at QUIT", "bei QUIT"),
}

func phaseText(p mxdialog.Phase, l i18n.Lang) string {
	if t, ok := phaseWords[p]; ok {
		return t.In(l)
	}
	return string(p)
}

func errorClassText(c mxdialog.ErrorClass, l i18n.Lang) string { return check.ErrorClassLabel(c, l) }

func extText(x *mxdialog.Extensions, l i18n.Lang) string {
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

func namesOf(ns []iprev.Name) []string {
	out := make([]string, 0, len(ns))
	for _, n := range ns {
		out = append(out, n.Name)
	}
	return out
}

func ptrText(result, host string, names []string, l i18n.Lang) string {
	switch result {
	case "pass":
		return host + " ✓"
	case "temperror":
		return tr(l, "lookup failed", "Abfrage gescheitert")
	}
	if len(names) == 0 {
		return tr(l, "none", "keiner")
	}
	return strings.Join(names, ", ") + " ✗ " + tr(l, "(not forward-confirmed)", "(nicht vorwärts bestätigt)")
}

// senderSection is the sender as the destination sees it (how its IP was
// learnt only with -v).
func senderSection(s check.Sender, mode Mode) Section {
	var sec Section
	if s.IP.IsValid() {
		sec.Lines = append(sec.Lines, Line{Label: i18n.T("Sender", "Absender"), Text: both(func(l i18n.Lang) string {
			ip := s.IP.String()
			if mode == Verbose {
				ip += " (" + ipSourceText(s.IPSource, l) + ")"
			}
			return joinDot(ip, ptrHELOPart(s, l))
		})})
	}
	if t := both(func(l i18n.Lang) string { return joinDot(spfPart(s, l), dkimPart(s, l), dmarcPart(s, l)) }); t.EN != "" {
		sec.Lines = append(sec.Lines, Line{Label: i18n.T("Records", "Einträge"), Text: t})
	}
	if s.DNSBL != nil {
		sec.Lines = append(sec.Lines, Line{Label: i18n.T("Block lists", "Sperrlisten"), Text: both(func(l i18n.Lang) string { return dnsblPart(s, l) })})
	}
	return sec
}

// ptrHELOPart is the PTR of the sending IP and whether the EHLO name is
// that name.
func ptrHELOPart(s check.Sender, l i18n.Lang) string {
	if s.PTR == nil {
		if s.HELO == "" {
			return ""
		}
		return "EHLO " + s.HELO
	}
	ptr := ptrText(string(s.PTR.Result), s.PTR.Host, namesOf(s.PTR.Names), l)
	switch {
	case s.HELO == "":
		return "PTR " + ptr
	case s.HELOMatchesPTR:
		return tr(l, "PTR and EHLO ", "PTR und EHLO ") + ptr
	}
	return joinDot("PTR "+ptr, "EHLO "+s.HELO+" "+tr(l, "(does not match the PTR)", "(passt nicht zum PTR)"))
}

func spfPart(s check.Sender, l i18n.Lang) string {
	if s.SPF == nil {
		return ""
	}
	// The result is RFC 7208's word in both languages (docs/glossary.md).
	out := "SPF " + string(s.SPF.Status)
	switch {
	case s.SPF.Identity == spf.IdentityHELO:
		out += " (" + tr(l, "EHLO name ", "EHLO-Name ") + s.SPF.Domain + ")"
	case s.SPF.Domain != "":
		out += " (" + s.SPF.Domain + ")"
	}
	return out
}

func dkimPart(s check.Sender, l i18n.Lang) string {
	if s.DKIM == nil {
		return ""
	}
	if len(s.DKIM.Found) > 0 {
		return "DKIM " + strings.Join(s.DKIM.Found, ", ")
	}
	return "DKIM " + label(l, check.KindDKIM, s.DKIM.Status)
}

func dmarcPart(s check.Sender, l i18n.Lang) string {
	if s.DMARC == nil {
		return ""
	}
	if s.DMARC.EffectivePolicy != "" {
		return "DMARC p=" + s.DMARC.EffectivePolicy
	}
	return "DMARC " + label(l, check.KindDMARC, s.DMARC.Status)
}

func dnsblPart(s check.Sender, l i18n.Lang) string {
	if s.DNSBL == nil {
		return ""
	}
	n := len(s.DNSBL.Zones)
	asked := i18n.Plural(n, i18n.Tf("%d list asked", "%d Liste gefragt", n), i18n.Tf("%d lists asked", "%d Listen gefragt", n)).In(l)
	out := label(l, check.KindDNSBL, string(s.DNSBL.Status))
	if s.DNSBL.Status != "skipped" {
		out += " (" + asked + ")"
	}
	for _, z := range s.DNSBL.Listed() {
		out += " · " + z.Zone.Label
	}
	return out
}

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

// policyLines are the destination's transport policies; the DANE state of
// many hosts is one line.
func policyLines(p *check.Policy, mode Mode) []Line {
	var out []Line
	parts := func(l i18n.Lang) string {
		var ps []string
		if p.MTASTS != nil {
			s := "MTA-STS " + label(l, check.KindMTASTS, string(p.MTASTS.Status))
			if p.MTASTS.Policy != nil {
				// The mode is RFC 8461's word in both languages.
				s = "MTA-STS " + tr(l, "mode ", "Modus ") + string(p.MTASTS.Policy.Mode)
			}
			if len(p.MTASTS.MXMismatched) > 0 {
				s += " (" + tr(l, "MX not covered: ", "MX nicht abgedeckt: ") + strings.Join(p.MTASTS.MXMismatched, ", ") + ")"
			}
			ps = append(ps, s)
		}
		if p.TLSRPT != nil {
			ps = append(ps, "TLS-RPT "+label(l, check.KindTLSRPT, string(p.TLSRPT.Status)))
		}
		ps = append(ps, daneSummary(p.DANE, l))
		return joinDot(ps...)
	}
	if t := both(parts); t.EN != "" {
		out = append(out, Line{Label: i18n.T("Policies", "Richtlinien"), Text: t})
	}
	if mode == Verbose && len(p.DANE) > 1 && !sameDANE(p.DANE) {
		for _, d := range sortedDANE(p.DANE) {
			out = append(out, Line{Text: both(func(l i18n.Lang) string { return "DANE " + d.Host + ": " + label(l, check.KindDANE, string(d.Status)) }), Dim: true})
		}
	}
	return out
}

func sameDANE(ds []*dane.Result) bool {
	for _, d := range ds {
		if d.Status != ds[0].Status {
			return false
		}
	}
	return true
}

func sortedDANE(ds []*dane.Result) []*dane.Result {
	out := append([]*dane.Result(nil), ds...)
	sort.SliceStable(out, func(i, j int) bool { return hostLess(out[i].Host, out[j].Host) })
	return out
}

// daneSummary is one DANE phrase for all hosts: "DANE none" for one host,
// "DANE none (1000 hosts)" or "DANE: 2 usable, 998 none" for many.
func daneSummary(ds []*dane.Result, l i18n.Lang) string {
	if len(ds) == 0 {
		return ""
	}
	count := map[string]int{}
	var order []string
	for _, d := range ds {
		s := string(d.Status)
		if count[s] == 0 {
			order = append(order, s)
		}
		count[s]++
	}
	if len(order) == 1 && len(ds) == 1 {
		return "DANE " + label(l, check.KindDANE, order[0])
	}
	var ps []string
	for _, s := range order {
		n := count[s]
		ps = append(ps, fmt.Sprintf("%s %s", label(l, check.KindDANE, s), i18n.Plural(n, i18n.Tf("(%d host)", "(%d Host)", n), i18n.Tf("(%d hosts)", "(%d Hosts)", n)).In(l)))
	}
	return "DANE " + strings.Join(ps, ", ")
}

// checkTranscripts are the SMTP dialogues in full.
func checkTranscripts(rep *check.Report) []Transcript {
	var out []Transcript
	for _, h := range sortedHosts(rep.MX) {
		for _, a := range h.Addresses {
			for _, res := range []*mxdialog.Result{a.SMTP, a.AcceptAllTest} {
				if res == nil {
					continue
				}
				t := Transcript{Title: i18n.Tf("Transcript %s (%s)", "Mitschnitt %s (%s)", res.Address, res.Kind)}
				for _, x := range res.Transcript {
					t.Lines = append(t.Lines, fmt.Sprintf("%8.1f %s %s", smtpconn.MS(x.At.Sub(res.StartedAt)), x.Dir, x.Text))
				}
				out = append(out, t)
			}
		}
	}
	return out
}
