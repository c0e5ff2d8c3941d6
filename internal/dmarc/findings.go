package dmarc

import (
	"fmt"
	"strings"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
)

// Finding ids of this package (a public contract).
const (
	IDOK              = "dmarc.ok"
	IDMissing         = "dmarc.missing"
	IDPNone           = "dmarc.p_none"
	IDSyntax          = "dmarc.syntax"
	IDMultiple        = "dmarc.multiple"
	IDOrgDomain       = "dmarc.org_domain"
	IDRUAUnauthorized = "dmarc.rua_unauthorized"
	IDTempError       = "dmarc.temperror"
	IDTesting         = "dmarc.testing"
	IDPct             = "dmarc.pct"
	IDNoRUA           = "dmarc.no_rua"
	IDRecordWarning   = "dmarc.record_warning"
	IDAligned         = "dmarc.aligned"
	IDNotAligned      = "dmarc.not_aligned"
)

// seriousWarnings are record warnings reported as warn; the rest are info.
var seriousWarnings = map[string]bool{"non_mailto_uri": true}

// Findings turns a Check result into findings.
func Findings(res Result) []report.Finding {
	var fs []report.Finding
	name := "_dmarc." + res.PolicyDomain
	switch res.Status {
	case StatusError:
		return append(fs, report.New(IDSyntax, report.Detailf("invalid domain %q: %s", "ungültige Domain %q: %s", res.Domain, res.Error)))
	case StatusTempError:
		return append(fs, report.New(IDTempError, report.Detailf("no DNS answer for %s", "keine DNS-Antwort für %s", name), lookupEvidence(res)...))
	case StatusMissing:
		where := "_dmarc." + res.Domain
		if res.OrgDomain != res.Domain {
			where += ", _dmarc." + res.OrgDomain
		}
		f := report.New(IDMissing, report.Detailf("no TXT record starting with v=DMARC1 at %s", "kein TXT-Eintrag mit v=DMARC1 unter %s", where), lookupEvidence(res)...)
		fs = append(fs, f)
		if len(res.OtherTXT) > 0 {
			fs = append(fs, report.New(IDSyntax, report.Detailf("TXT records at the DMARC name do not start with v=DMARC1 and are ignored", "TXT-Einträge unter dem DMARC-Namen beginnen nicht mit v=DMARC1 und werden ignoriert"),
				res.OtherTXT...))
		}
		return fs
	case StatusMultiple:
		return append(fs, report.New(IDMultiple, report.Detailf("%d DMARC records at %s: receivers apply none of them", "%d DMARC-Einträge unter %s: Empfänger wenden keinen davon an", len(res.Records), name), res.Records...))
	}
	ev := append([]string{name + " TXT " + strings.Join(res.Records, " ")}, res.OtherTXT...)
	var tagErrs []*TagError
	if res.ParseErr != nil {
		tagErrs = TagErrors(res.ParseErr)
	}
	if res.Status == StatusInvalid {
		return append(fs, syntaxFinding(tagErrs, "the record is ignored by receivers", "Empfänger ignorieren den Eintrag", ev))
	}
	rec := res.Record
	if rec == nil {
		return fs
	}
	if len(tagErrs) > 0 {
		fs = append(fs, syntaxFinding(tagErrs, "receivers ignore the broken parts", "Empfänger ignorieren die fehlerhaften Teile", ev).WithSeverity(report.Warn))
	}
	if res.AtOrgDomain {
		fs = append(fs, report.New(IDOrgDomain, report.Detailf("%s has no DMARC record; the record of the organizational domain %s applies with policy %s",
			"%s hat keinen DMARC-Eintrag; es gilt der Eintrag der Organisationsdomain %s mit der Richtlinie %s", res.Domain, res.OrgDomain, res.EffectivePolicy), ev...))
	}
	enforced := res.EffectivePolicy != PolicyNone
	if !enforced {
		what := "p=none"
		if res.AtOrgDomain && rec.SubdomainPolicy != "" {
			what = "sp=none"
		}
		if rec.PolicyImplicit {
			fs = append(fs, report.New(IDPNone, report.Detailf("the record has no valid p= tag, so receivers apply p=none", "der Eintrag hat kein gültiges p=, daher wenden Empfänger p=none an"), ev...))
		} else {
			fs = append(fs, report.New(IDPNone, report.Detailf("%s: mail failing DMARC is delivered normally", "%s: Mails, die DMARC nicht bestehen, werden normal zugestellt", what), ev...))
		}
	}
	if enforced && rec.Testing {
		fs = append(fs, report.New(IDTesting, report.Detailf("t=y: receivers treat p=%s as one step weaker", "t=y: Empfänger behandeln p=%s eine Stufe schwächer", res.EffectivePolicy), ev...))
	}
	if enforced && rec.Percent < 100 {
		fs = append(fs, report.New(IDPct, report.Detailf("pct=%d: the policy covers only %d%% of failing mail", "pct=%d: die Richtlinie erfasst nur %d %% der durchfallenden Mails", rec.Percent, rec.Percent), ev...))
	}
	if len(rec.RUA) == 0 {
		fs = append(fs, report.New(IDNoRUA, report.Detailf("the record has no rua= tag", "der Eintrag hat kein rua="), ev...))
	}
	for _, w := range rec.Warnings {
		if w.Code == "pct_partial" || w.Code == "p_missing" {
			continue // covered by dmarc.pct / dmarc.p_none
		}
		sev := report.Info
		if seriousWarnings[w.Code] {
			sev = report.Warn
		}
		fs = append(fs, report.New(IDRecordWarning, w.Text(), ev...).WithSeverity(sev))
	}
	for _, ra := range res.Reporting {
		switch ra.Status {
		case AuthUnauthorized:
			why := "nothing is published there"
			whyDE := "dort ist nichts veröffentlicht"
			if len(ra.Records) > 1 {
				why, whyDE = "several TXT records are published there", "dort sind mehrere TXT-Einträge veröffentlicht"
			} else if len(ra.Records) == 1 {
				why, whyDE = "the TXT record there does not start with v=DMARC1", "der TXT-Eintrag dort beginnt nicht mit v=DMARC1"
			}
			fs = append(fs, report.New(IDRUAUnauthorized, i18n.Text{
				EN: fmt.Sprintf("%s=%s: %s has not authorised reports for %s: no v=DMARC1 record at %s (%s); receivers will not send these reports", ra.Tag, ra.URI, ra.Domain, res.PolicyDomain, ra.Name, why),
				DE: fmt.Sprintf("%s=%s: %s hat Berichte für %s nicht freigegeben: kein v=DMARC1-Eintrag unter %s (%s); Empfänger senden diese Berichte nicht", ra.Tag, ra.URI, ra.Domain, res.PolicyDomain, ra.Name, whyDE),
			}, append([]string{ra.Name + " " + string(ra.DNSStatus)}, ra.Records...)...))
		case AuthTempError:
			fs = append(fs, report.New(IDTempError, report.Detailf("no DNS answer for %s: the authorisation of %s is unknown", "keine DNS-Antwort für %s: die Freigabe von %s ist unbekannt", ra.Name, ra.URI)).WithSeverity(report.Info))
		}
	}
	if enforced && len(tagErrs) == 0 {
		fs = append(fs, report.New(IDOK, report.Detailf("policy %s at %s", "Richtlinie %s unter %s", res.EffectivePolicy, name), ev...))
	}
	return fs
}

func syntaxFinding(errs []*TagError, en, de string, ev []string) report.Finding {
	var ens, des []string
	for _, e := range errs {
		t := e.Text()
		if t.EN == "" { // ErrEmpty carries no text
			t = i18n.T("the record is empty", "der Eintrag ist leer")
		}
		ens, des = append(ens, t.EN), append(des, t.DE)
	}
	return report.New(IDSyntax, i18n.Text{
		EN: strings.Join(ens, "; ") + " — " + en,
		DE: strings.Join(des, "; ") + " – " + de,
	}, ev...)
}

func lookupEvidence(res Result) []string {
	var ev []string
	for _, l := range res.Lookups {
		s := l.Name + " TXT: " + string(l.Status)
		if l.Error != "" {
			s += " (" + l.Error + ")"
		}
		ev = append(ev, s)
	}
	return ev
}

// AlignmentFindings turns an alignment report into findings.
func AlignmentFindings(a Alignment) []report.Finding {
	var parts []string
	if a.SPF != nil {
		parts = append(parts, describe(*a.SPF))
	}
	for _, d := range a.DKIM {
		parts = append(parts, describe(d))
	}
	ev := parts
	switch a.Result {
	case AlignPass:
		return []report.Finding{report.New(IDAligned, report.Detailf("an identifier aligned with %s passes", "ein zu %s ausgerichteter Identifikator besteht", a.FromDomain), ev...)}
	case AlignUnknown:
		return []report.Finding{report.New(IDAligned, report.Detailf("identifiers are aligned with %s; whether they pass SPF/DKIM is not known", "Identifikatoren sind zu %s ausgerichtet; ob sie SPF/DKIM bestehen, ist nicht bekannt", a.FromDomain), ev...).WithSeverity(report.Info)}
	}
	if len(parts) == 0 {
		return []report.Finding{report.New(IDNotAligned, report.Detailf("no SPF or DKIM identifier is known for mail from %s", "für Mails von %s ist kein SPF- oder DKIM-Identifikator bekannt", a.FromDomain))}
	}
	return []report.Finding{report.New(IDNotAligned, report.Detailf("no identifier both passes and is aligned with %s", "kein Identifikator besteht und ist zugleich zu %s ausgerichtet", a.FromDomain), ev...)}
}

func describe(ia IdentifierAlignment) string {
	res := ia.Result
	if res == "" {
		res = "unknown"
	}
	return fmt.Sprintf("%s domain=%s result=%s %s aligned=%v", ia.Method, ia.Domain, res, ia.Mode, ia.Aligned)
}
