package check

import (
	"fmt"
	"strings"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/iprev"
	"github.com/mxprobe/mxprobe/internal/mxdialog"
	"github.com/mxprobe/mxprobe/internal/provider"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/spf"
)

// ProviderInfo is the operator behind the destination's MX (`provider{}`);
// its guidance carries both languages, and Report.Localize fills the JSON
// fields in the language of the output.
type ProviderInfo struct {
	Name     string `json:"name"`
	Kind     string `json:"kind,omitempty"`
	Display  string `json:"display"`
	Evidence string `json:"evidence,omitempty"`
	// SilentDropKnown: this operator is known to accept with 250 and then
	// discard mail of senders it distrusts, without a bounce.
	SilentDropKnown bool            `json:"silent_drop_known"`
	Guidance        []GuidanceEntry `json:"guidance,omitempty"`
}

// GuidanceEntry is one pointer to the operator's own help (form, portal, docs).
type GuidanceEntry struct {
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
	Text  string `json:"text"`
	// TitleText and TextText are Title and Text in both languages, for
	// the text views (the JSON carries the language of the run).
	TitleText i18n.Text `json:"-"`
	TextText  i18n.Text `json:"-"`
}

// IDProvider is the informational finding naming the operator.
const IDProvider = "provider.identified"

// identifyProvider recognises the operator from the MX names first, then
// from the greetings of the dialogue.
func identifyProvider(rep *Report, o Options) *ProviderInfo {
	var info provider.Info
	found := false
	for _, h := range rep.MX {
		if info, found = provider.Identify(h.Host, ""); found {
			break
		}
	}
	if !found || info.Kind == "" {
		var text strings.Builder
		for _, h := range rep.MX {
			for _, a := range h.Addresses {
				if a.SMTP == nil {
					continue
				}
				// Only what the server says about itself (greeting, EHLO)
				// names the operator; a rejection text may quote another
				// provider's tags (an imitation, a relay).
				for _, r := range a.SMTP.Replies {
					if r.Command == "banner" || r.Command == "EHLO" || r.Command == "HELO" {
						text.WriteString(r.Text)
						text.WriteByte('\n')
					}
				}
			}
		}
		host := ""
		if found {
			host = strings.TrimPrefix(info.Evidence, "mx:")
		}
		if i2, ok := provider.Identify(host, text.String()); ok {
			info, found = i2, true
		}
	}
	if !found {
		return nil
	}
	p := &ProviderInfo{Name: info.Name, Kind: info.Kind, Display: info.Display, Evidence: info.Evidence,
		SilentDropKnown: silentDropKnown(info)}
	for _, g := range info.Guidance {
		p.Guidance = append(p.Guidance, GuidanceEntry{URL: g.URL, TitleText: g.Title, TextText: g.Text})
	}
	return p
}

// silentDropOperators are the operators known to accept with 250 and then
// discard mail of senders they distrust, without a bounce (name → kinds;
// "" matches every kind). Microsoft's consumer service (outlook.com,
// hotmail.com, live.*) is the documented case: its postmaster pages tell
// senders that accepted mail may still not be delivered and point them to
// SNDS/JMRP instead of bounces. Add an operator here when its behaviour is
// documented the same way.
var silentDropOperators = map[string][]string{
	provider.Microsoft: {provider.KindConsumer},
}

func silentDropKnown(info provider.Info) bool {
	for _, k := range silentDropOperators[info.Name] {
		if k == "" || k == info.Kind {
			return true
		}
	}
	return false
}

// providerFindings names the operator and, for operators that discard
// silently, weighs the sender-side risk factors (silentdrop.risk).
func providerFindings(rep *Report, o Options) []report.Finding {
	p := rep.Provider
	if p == nil {
		return nil
	}
	var ev []string
	for _, g := range p.Guidance {
		if g.URL != "" {
			ev = append(ev, g.URL) // the title is in the guidance, in the reader's language
		}
	}
	out := []report.Finding{report.New(IDProvider, report.Detailf("%s (%s).", "%s (%s).", p.Display, p.Evidence), ev...)}
	if !p.SilentDropKnown {
		return out
	}
	factors := riskFactors(rep)
	if len(factors) == 0 && !anyAccepted(rep) {
		return out // no 250 to doubt (refused, deferred or no dialogue)
	}
	if len(factors) == 0 {
		// A clean sender too: a 250 from this operator proves nothing, so
		// say so (info) and point to the delivery proof.
		return append(out, report.New(IDSilentDropRisk, report.Detailf(
			"%s is known to accept mail with 250 and then discard it without a bounce; this sender shows no risk factor, but only --deliver-to with a test mailbox proves delivery.",
			"%s nimmt Mail bekanntermaßen mit 250 an und verwirft sie dann ohne Unzustellbarkeitsnachricht; dieser Absender zeigt keinen Risikofaktor, doch nur --deliver-to mit einem Testpostfach weist die Zustellung nach.",
			p.Display)).WithSeverity(report.Info))
	}
	en := make([]string, len(factors))
	de := make([]string, len(factors))
	for i, f := range factors {
		en[i], de[i] = f.EN, f.DE
	}
	out = append(out, report.New(IDSilentDropRisk, i18n.T(
		fmt.Sprintf("%s is known to discard mail silently, and this sender shows risk factors: %s.", p.Display, strings.Join(en, "; ")),
		fmt.Sprintf("%s verwirft Mail bekanntermaßen still, und dieser Absender zeigt Risikofaktoren: %s.", p.Display, strings.Join(de, "; ")))))
	return out
}

// riskFactors lists what makes a receiver distrust this sender.
func riskFactors(rep *Report) []i18n.Text {
	var out []i18n.Text
	s := rep.Sender
	if s.PTR != nil {
		switch {
		case s.PTR.Result != iprev.StatusPass:
			out = append(out, i18n.T("no forward-confirmed rDNS", "kein vorwärts bestätigtes Reverse-DNS"))
		default:
			if _, generic := s.PTR.Generic(); generic {
				out = append(out, i18n.T("generic-looking PTR name", "generisch wirkender PTR-Name"))
			}
		}
	}
	if s.SPF != nil && s.SPF.Status != spf.Pass {
		out = append(out, i18n.T("SPF "+string(s.SPF.Status), "SPF "+string(s.SPF.Status)))
	}
	if s.DKIM != nil && len(s.DKIM.Found) == 0 && !s.DKIM.Guessed {
		out = append(out, i18n.T("no DKIM key found", "kein DKIM-Schlüssel gefunden"))
	}
	if s.DMARC != nil && s.DMARC.Record == nil {
		out = append(out, i18n.T("no DMARC record", "kein DMARC-Eintrag"))
	}
	if s.DNSBL != nil && len(s.DNSBL.Listed()) > 0 {
		out = append(out, i18n.T("IP on a block list", "IP auf einer Sperrliste"))
	}
	for _, h := range rep.MX {
		for _, a := range h.Addresses {
			if a.AcceptAllTest != nil && a.AcceptAllTest.RcptOutcome() == mxdialog.RcptAccepted {
				out = append(out, i18n.T("the MX accepts every recipient at RCPT", "der MX nimmt bei RCPT jeden Empfänger an"))
				return out
			}
		}
	}
	return out
}

// anyAccepted: some MX accepted the recipient with 250.
func anyAccepted(rep *Report) bool {
	for _, h := range rep.MX {
		for _, a := range h.Addresses {
			if a.SMTP != nil && a.SMTP.RcptOutcome() == mxdialog.RcptAccepted {
				return true
			}
		}
	}
	return false
}
