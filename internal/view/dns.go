package view

import (
	"fmt"
	"strings"

	"github.com/mxprobe/mxprobe/internal/check"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
)

// DNS builds the view of a `dns` report. It reads rep and never changes it.
func DNS(rep *check.DNSReport, o Options) *Report {
	v := &Report{Command: "dns", Target: rep.Target.DomainUnicode, Verdict: rep.Verdict}
	v.Context = i18n.Tf("(%s, %s)", "(%s, %s)", rep.Target.Domain, seconds(rep.DurationMS))
	if o.Mode == Quiet {
		v.Limit = 8
	}
	v.FullNotes = o.Mode == Verbose
	set := problemSet{incomplete: rep.Verdict == report.VerdictIncomplete, mode: o.Mode}
	v.Problems, v.Notes, v.Passed = set.build(rep.RawFindings(), nil)
	if o.Mode != Verbose {
		v.Passed = nil
		v.Notes = withoutFacts(v.Notes)
	}
	if o.Mode == Quiet {
		v.Notes = nil
		return v
	}
	if o.Mode == Default {
		briefBelowLead(v.Problems)
	}
	dom := Section{Title: i18n.T("Domain", "Domain")}
	dom.Lines = append(dom.Lines, mxLines(rep.MXLookup, rep.MX, o.Mode, false)...)
	dom.Lines = append(dom.Lines, policyLines(&rep.Policy, o.Mode)...)
	if t := both(func(l i18n.Lang) string { return networkText(rep.Network, l) }); t.EN != "" {
		dom.Lines = append(dom.Lines, Line{Label: i18n.T("Network", "Netz"), Text: t})
	}
	auth := Section{Title: i18n.T("Sender records", "Absender-Einträge")}
	if r := rep.SPF; r != nil {
		auth.Lines = append(auth.Lines, Line{Label: raw("SPF"), Text: both(func(l i18n.Lang) string {
			s := strings.TrimSpace(r.Domain+" "+r.Record) + ": " + string(r.Status)
			if r.Matched != "" {
				s += " (" + r.Matched + ")"
			}
			return s + ", " + fmt.Sprintf(tr(l, "%d of 10 lookups", "%d von 10 Abfragen"), r.Lookups)
		})})
	}
	if r := rep.SPFRecord; r != nil {
		auth.Lines = append(auth.Lines, Line{Label: raw("SPF"), Text: both(func(l i18n.Lang) string {
			rec := r.Record
			if o.Mode != Verbose {
				rec = oneLine(rec, 50)
			}
			return strings.TrimSpace(fmt.Sprintf("%s: %s %s", r.Domain, label(l, check.KindSPF, string(r.Status)), rec))
		})})
	}
	if r := rep.DKIM; r != nil {
		auth.Lines = append(auth.Lines, Line{Label: raw("DKIM"), Text: both(func(l i18n.Lang) string {
			if len(r.Found) > 0 {
				return r.Domain + ": " + tr(l, "selectors ", "Selektoren ") + strings.Join(r.Found, ", ")
			}
			n := len(r.Tried)
			return r.Domain + ": " + label(l, check.KindDKIM, r.Status) + ", " + i18n.Plural(n, i18n.Tf("%d selector tried", "%d Selektor versucht", n), i18n.Tf("%d selectors tried", "%d Selektoren versucht", n)).In(l)
		})})
	}
	if r := rep.DMARC; r != nil {
		auth.Lines = append(auth.Lines, Line{Label: raw("DMARC"), Text: both(func(l i18n.Lang) string {
			s := r.Domain + ": " + label(l, check.KindDMARC, r.Status)
			if r.EffectivePolicy != "" {
				s = r.Domain + ": p=" + r.EffectivePolicy
			}
			if r.PolicyDomain != "" && r.PolicyDomain != r.Domain {
				s += " (" + r.PolicyDomain + ")"
			}
			return s
		})})
	}
	if o.Mode != Verbose {
		dom.Title, auth.Title = i18n.Text{}, i18n.Text{}
	}
	v.Sections = []Section{dom, auth}
	if o.Mode == Verbose {
		v.Tables = requirementsTable(rep.RawRequirements())
	}
	return v
}
