package view

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mxprobe/mxprobe/internal/check"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/mxdialog"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/rules"
)

// maxHosts bounds the MX hosts listed outside Verbose (tried ones are
// always listed).
const maxHosts = 2

// Check builds the view of a `check` report. It reads rep and never changes it.
func Check(rep *check.Report, o Options) *Report {
	v := &Report{Command: "check", Target: rep.Target.Input, Verdict: rep.Verdict}
	// The recipient's domain is the target: its local part says enough.
	rcpt := rep.Target.Rcpt
	if i := strings.LastIndexByte(rcpt, '@'); i > 0 && strings.EqualFold(rcpt[i+1:], rep.Target.Domain) {
		rcpt = rcpt[:i+1] + "…"
	}
	v.Context = i18n.Tf("(RCPT %s, %s)", "(RCPT %s, %s)", rcpt, seconds(rep.DurationMS))
	if rep.Error != "" {
		v.Error = raw(rep.Error)
	}
	if o.Mode == Quiet {
		v.Limit = 8
	}
	v.FullNotes = o.Mode == Verbose
	incomplete := rep.Verdict == report.VerdictIncomplete
	exps, replies := checkReplies(rep)
	set := problemSet{incomplete: incomplete, mode: o.Mode, replies: exps}
	v.Problems, v.Notes, v.Passed = set.build(rep.RawFindings(), nil)
	if incomplete && len(v.Problems) == 0 {
		v.Problems = []Problem{noDialogue(rep)}
	}
	if o.Mode != Verbose {
		v.Passed = nil
		v.Notes = withoutFacts(v.Notes)
	}
	if o.ProofShown {
		v.Problems, v.Notes, v.Passed = withoutProofDetail(v.Problems), withoutDelivery(v.Notes), withoutDelivery(v.Passed)
	}
	steps := 2
	if o.Mode == Verbose {
		steps = -1
	}
	v.Replies = withoutShownAdvice(replies, v.Problems, steps)
	if o.Mode == Quiet {
		v.Notes, v.Replies = nil, nil
		return v
	}
	if o.Mode == Default {
		briefBelowLead(v.Problems)
	}
	v.Sections = checkFacts(rep, o.Mode)
	if o.Mode == Verbose {
		v.Tables = requirementsTable(rep.RawRequirements())
	}
	if o.Mode == Verbose || o.Transcript {
		v.Transcripts = checkTranscripts(rep)
	}
	return v
}

// factIDs are info findings whose fact the fact lines show already (the
// policies line, the operator, "(not tried)", the accept-all test): outside
// -v they are not repeated as notes.
var factIDs = map[string]bool{
	"dane.none": true, "mtasts.none": true, "tlsrpt.none": true, "provider.identified": true,
	"smtp.not_tried": true, "smtp.accept_all": true, "mx.ok": true,
	// The receiver's own hygiene, not the sender's concern: -v only.
	"smtp.banner_ptr_mismatch": true,
	// Failed bulk-sender rules are listed one per line as facts (ruleLines).
	"rules.bulk_failed": true,
}

func withoutFacts(ns []Note) []Note {
	var out []Note
	for _, n := range ns {
		if !factIDs[n.ID] {
			out = append(out, n)
		}
	}
	return out
}

// checkReplies collects the explained replies of every session once (the
// same explanation for the probe and the accept-all test is one Reply with
// "also").
func checkReplies(rep *check.Report) ([]explained, []Reply) {
	var exps []explained
	var out []Reply
	for _, h := range rep.MX {
		for _, a := range h.Addresses {
			for _, e := range a.Explanations {
				x := explained{
					Where:   fmt.Sprintf("%s · %s (%s)", e.Command, h.Host, a.IP),
					Session: e.Session, Line: e.Reply, Title: e.Title, Description: e.Description,
					Advice: e.Advice,
				}
				exps = append(exps, x)
				if i := sameReply(out, x); i >= 0 {
					out[i].Also = append(out[i].Also, sessionName(e.Session))
					continue
				}
				out = append(out, Reply{Where: x.Where, Line: x.Line, Title: x.Title, Description: x.Description, Advice: x.Advice})
			}
		}
	}
	return exps, out
}

// sameReply finds a reply with the same explanation and the same text once
// the addresses in angle brackets are set aside (the accept-all test's
// random recipient).
func sameReply(rs []Reply, x explained) int {
	for i, r := range rs {
		if r.Title == x.Title && r.Description == x.Description && reAngle.ReplaceAllString(r.Line, "<>") == reAngle.ReplaceAllString(x.Line, "<>") {
			return i
		}
	}
	return -1
}

func sessionName(s string) i18n.Text {
	if s == mxdialog.KindAcceptAllTest {
		return i18n.T("The accept-all test (a nonexistent recipient) got the same reply.", "Der Catch-all-Test (ein nicht existierender Empfänger) bekam dieselbe Antwort.")
	}
	return i18n.T("The recipient probe got the same reply.", "Die Empfängerprüfung bekam dieselbe Antwort.")
}

// withoutShownAdvice drops from each reply the advice a problem shows
// already, so that every advice text appears once per view, and keeps at
// most max further steps (max < 0: all).
func withoutShownAdvice(rs []Reply, ps []Problem, max int) []Reply {
	shown := map[i18n.Text]bool{}
	for _, p := range ps {
		for _, a := range p.Advice {
			shown[a] = true
		}
		if p.Reply != "" {
			shown[p.Detail] = true
		}
	}
	out := make([]Reply, len(rs))
	for i, r := range rs {
		out[i] = r
		out[i].Advice = nil
		for _, a := range r.Advice {
			switch {
			case shown[a]:
			case max >= 0 && len(out[i].Advice) >= max:
				out[i].More++
			default:
				out[i].Advice = append(out[i].Advice, a)
				shown[a] = true
			}
		}
	}
	return out
}

// checkFacts are the short facts: destination, sender, policies.
func checkFacts(rep *check.Report, mode Mode) []Section {
	var dest Section
	dest.Lines = append(dest.Lines, mxLines(rep.MXLookup, rep.MX, mode, true)...)
	if rep.Provider != nil {
		// With -v the operator's help pages (the evidence of
		// provider.identified, which is not repeated).
		op := Line{Label: i18n.T("Operator", "Betreiber"), Text: raw(rep.Provider.Display)}
		for _, g := range rep.Provider.Guidance {
			if mode == Verbose && g.URL != "" {
				op.Sub = append(op.Sub, Line{Text: i18n.Text{EN: g.TitleText.EN + ": " + g.URL, DE: g.TitleText.DE + ": " + g.URL}})
			}
		}
		dest.Lines = append(dest.Lines, op)
	}
	dest.Lines = append(dest.Lines, policyLines(&rep.Policy, mode)...)
	sender := senderSection(rep.Sender, mode)
	if t := both(func(l i18n.Lang) string { return networkText(rep.Sender.Network, l) }); t.EN != "" {
		sender.Lines = append(sender.Lines, Line{Label: i18n.T("Network", "Netz"), Text: t})
	}
	if mode != Verbose {
		// -v shows the whole scorecard as a table instead.
		sender.Lines = append(sender.Lines, ruleLines(rep.RawRequirements(), rep.RawFindings())...)
	}
	if mode == Verbose {
		dest.Title, sender.Title = i18n.T("Destination", "Ziel"), i18n.T("Sender", "Absender")
	}
	return []Section{dest, sender}
}

// sortedHosts orders MX hosts by preference, then by name: hosts of equal
// preference are tried in random order (RFC 5321 §5.1), but the view lists
// them the same way every time.
func sortedHosts(hosts []*check.MXHost) []*check.MXHost {
	out := append([]*check.MXHost(nil), hosts...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Preference != out[j].Preference {
			return out[i].Preference < out[j].Preference
		}
		return hostLess(out[i].Host, out[j].Host)
	})
	return out
}

// hostLess compares host names with their numbers as numbers (mx2 < mx10).
func hostLess(a, b string) bool {
	na, nb := strings.TrimLeft(a, "abcdefghijklmnopqrstuvwxyz-"), strings.TrimLeft(b, "abcdefghijklmnopqrstuvwxyz-")
	pa, pb := a[:len(a)-len(na)], b[:len(b)-len(nb)]
	if pa == pb {
		var ia, ib int
		_, ea := fmt.Sscanf(na, "%d", &ia)
		_, eb := fmt.Sscanf(nb, "%d", &ib)
		if ea == nil && eb == nil && ia != ib {
			return ia < ib
		}
	}
	return a < b
}

// mxLines lists the MX hosts (outside Verbose the tried ones and a few
// more, then "… and N more") and, when dialogue is set, one SMTP line per
// tried address.
func mxLines(m check.MXLookup, hosts []*check.MXHost, mode Mode, dialogue bool) []Line {
	var out []Line
	if t := mxLookupText(m, mode); !t.IsZero() {
		out = append(out, Line{Text: t})
	}
	sorted := sortedHosts(hosts)
	shown := 0
	var smtp []Line
	named := triedAddresses(hosts) > 1
	for _, h := range sorted {
		if mode != Verbose && shown >= maxHosts && !hostTried(h) {
			continue
		}
		out = append(out, Line{Text: both(func(l i18n.Lang) string { return hostText(h, dialogue, mode, l) })})
		shown++
		for _, a := range h.Addresses {
			if a.SMTP != nil || a.AcceptAllTest != nil {
				smtp = append(smtp, smtpLine(h, a, named, mode))
			}
		}
	}
	if rest := len(sorted) - shown; rest > 0 {
		out = append(out, Line{Text: moreText(rest, true), Dim: true})
	}
	if len(out) > 0 {
		out[0].Label = raw("MX")
	}
	if len(smtp) > 0 {
		smtp[0].Label = raw("SMTP")
	}
	return append(out, smtp...)
}

// smtpLine is the dialogue with one address in short; the accept-all test
// and (Verbose) the extensions below it.
func smtpLine(h *check.MXHost, a *check.MXAddress, named bool, mode Mode) Line {
	ln := Line{Text: both(func(l i18n.Lang) string {
		s := tr(l, "no dialogue", "kein Dialog")
		if a.SMTP != nil {
			s = smtpText(a.SMTP, h.Host, mode == Verbose, l)
		}
		if named {
			s = a.IP.String() + ": " + s
		}
		return s
	})}
	if a.SMTP != nil && a.SMTP.Extensions != nil && mode == Verbose {
		x := a.SMTP.Extensions
		ln.Sub = append(ln.Sub, Line{Text: both(func(l i18n.Lang) string { return extText(x, l) }), Dim: true})
	}
	if t := a.AcceptAllTest; t != nil && t.Rcpt != nil {
		ln.Sub = append(ln.Sub, Line{Text: both(func(l i18n.Lang) string { return acceptAllText(t, a.SMTP, l) })})
	}
	return ln
}

func triedAddresses(hosts []*check.MXHost) int {
	n := 0
	for _, h := range hosts {
		for _, a := range h.Addresses {
			if a.SMTP != nil || a.AcceptAllTest != nil {
				n++
			}
		}
	}
	return n
}

func hostTried(h *check.MXHost) bool {
	for _, a := range h.Addresses {
		if a.Tried {
			return true
		}
	}
	return false
}

// mxLookupText is the state of the MX lookup when it is worth a line:
// anything but a plain "ok", or DNSSEC. The resolver's error text stays in
// the JSON and the evidence (-v).
func mxLookupText(m check.MXLookup, mode Mode) i18n.Text {
	if m.Status == "ok" && !m.Authentic {
		return i18n.Text{}
	}
	return both(func(l i18n.Lang) string { return check.MXLookupLabel(m, l) })
}

// hostText is one MX host with its addresses and their PTR state.
func hostText(h *check.MXHost, dialogue bool, mode Mode, l i18n.Lang) string {
	s := fmt.Sprintf("%d %s", h.Preference, h.Host)
	if h.Implicit {
		s = h.Host + " " + tr(l, "(implicit)", "(implizit)")
	}
	if len(h.CNAMEs) > 0 {
		s += " → CNAME " + strings.Join(h.CNAMEs, " → ")
	}
	if len(h.Addresses) == 0 {
		return s + " — " + check.HostAddressLabel(h, l)
	}
	untried := dialogue && len(h.Addresses) > 0 && !hostTried(h)
	var as []string
	for _, a := range h.Addresses {
		if untried && mode != Verbose && a.PTR != nil && a.PTR.Result == "pass" {
			// The PTR of an MX not talked to is a detail for -v.
			as = append(as, a.IP.String())
			continue
		}
		as = append(as, addrText(h.Host, a, l))
	}
	s += " " + strings.Join(as, ", ")
	if untried {
		s += " " + tr(l, "(not tried)", "(nicht versucht)")
	}
	return s
}

func addrText(host string, a *check.MXAddress, l i18n.Lang) string {
	s := a.IP.String()
	if a.PTR == nil {
		return s
	}
	if a.PTR.Result == "pass" && strings.EqualFold(strings.TrimSuffix(a.PTR.Host, "."), host) {
		return s + " (PTR ✓)"
	}
	return s + " (PTR " + ptrText(string(a.PTR.Result), a.PTR.Host, namesOf(a.PTR.Names), l) + ")"
}

// acceptAllText says what the second session with a nonexistent recipient
// showed.
func acceptAllText(t, main *mxdialog.Result, l i18n.Lang) string {
	c := t.Rcpt.Code
	switch {
	case main != nil && main.Rcpt != nil && main.Rcpt.Code == c && main.Rcpt.EnhancedCode == t.Rcpt.EnhancedCode && c >= 400:
		return tr(l, "accept-all test: the same reply", "Catch-all-Test: dieselbe Antwort")
	case c >= 500:
		return fmt.Sprintf(tr(l, "accept-all test: unknown recipient refused (%d %s)", "Catch-all-Test: unbekannter Empfänger abgelehnt (%d %s)"), c, t.Rcpt.EnhancedCode)
	case c >= 200 && c < 300:
		return fmt.Sprintf(tr(l, "accept-all test: unknown recipient accepted too (%d %s)", "Catch-all-Test: auch unbekannter Empfänger angenommen (%d %s)"), c, t.Rcpt.EnhancedCode)
	}
	return tr(l, "accept-all test: ", "Catch-all-Test: ") + ShortReply(t.Rcpt.Line(), 50)
}

// withoutProofDetail drops detail and evidence of the delivery findings:
// the delivery proof printed after the report shows them per probe.
func withoutProofDetail(ps []Problem) []Problem {
	for i := range ps {
		if strings.HasPrefix(ps[i].ID, "delivery.") {
			ps[i].Detail, ps[i].Evidence, ps[i].More = i18n.T("The evidence is under “Delivery proof” below.", "Die Belege stehen unten unter „Zustellnachweis“."), nil, 0
		}
	}
	return ps
}

func withoutDelivery(ns []Note) []Note {
	var out []Note
	for _, n := range ns {
		if !strings.HasPrefix(n.ID, "delivery.") {
			out = append(out, n)
		}
	}
	return out
}

// ruleLines are the failed rulebook rules that are not problems of the
// report (bulk-sender rules at info): one line each, so the default view
// names every rule the sender fails without the full table. Failed rules
// at warn are problems and are not repeated here.
func ruleLines(reqs []rules.Requirement, fs []report.Finding) []Line {
	shown := map[string]bool{}
	for _, f := range fs {
		if (f.ID == rules.IDFailed || f.ID == rules.IDBulkFailed) && f.Severity.Rank() >= report.Warn.Rank() && len(f.Evidence) > 0 {
			shown[f.Evidence[0]] = true
		}
	}
	var out []Line
	for _, r := range reqs {
		if r.Status != rules.StatusFail || shown[r.Rule] {
			continue
		}
		l := Line{Text: i18n.Text{EN: r.Rule + " — " + r.Text.EN, DE: r.Rule + " — " + r.Text.DE}}
		if len(out) == 0 {
			l.Label = i18n.T("Not met", "Verletzt")
		}
		out = append(out, l)
	}
	return out
}

// requirementsTable is the rulebook scorecard (-v).
func requirementsTable(reqs []rules.Requirement) []Table {
	if len(reqs) == 0 {
		return nil
	}
	return []Table{{Title: i18n.T("Provider requirements", "Anforderungen der Anbieter"),
		Body: both(func(l i18n.Lang) string { return rules.Table(reqs, l) })}}
}
