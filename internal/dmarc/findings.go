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

func init() {
	report.Register(
		report.Def{ID: IDOK, Severity: report.OK,
			Title:  i18n.T("DMARC policy published", "DMARC-Richtlinie veröffentlicht"),
			Advice: i18n.T("Nothing to do.", "Nichts zu tun.")},
		report.Def{ID: IDMissing, Severity: report.Fail,
			Title: i18n.T("No DMARC record", "Kein DMARC-Eintrag"),
			Advice: i18n.T(`Publish a TXT record at _dmarc.<domain>, to start with "v=DMARC1; p=none; rua=mailto:dmarc-reports@<domain>". Gmail, Yahoo and Microsoft require DMARC from bulk senders. Once the reports show that all your mail passes SPF or DKIM aligned, raise p to quarantine and then reject.`,
				`Veröffentlichen Sie einen TXT-Eintrag unter _dmarc.<Domain>, zu Beginn „v=DMARC1; p=none; rua=mailto:dmarc-reports@<Domain>“. Gmail, Yahoo und Microsoft verlangen DMARC von Massenversendern. Sobald die Berichte zeigen, dass alle eigenen E-Mails SPF oder DKIM ausgerichtet bestehen, heben Sie p auf quarantine und dann auf reject an.`)},
		report.Def{ID: IDPNone, Severity: report.Warn,
			Title: i18n.T("DMARC policy is p=none (monitoring only)", "DMARC-Richtlinie ist p=none (nur Beobachtung)"),
			Advice: i18n.T("p=none asks receivers to do nothing with mail that fails DMARC, so others can still send as your domain. Read the aggregate reports (rua), fix every legitimate source that fails, then move to p=quarantine and later p=reject.",
				"p=none bittet Empfänger, mit E-Mails, die DMARC nicht bestehen, nichts zu tun – andere können also weiter im Namen der Domain senden. Werten Sie die Sammelberichte (rua) aus, reparieren Sie jede legitime Quelle, die durchfällt, und stellen Sie dann auf p=quarantine und später auf p=reject um.")},
		report.Def{ID: IDSyntax, Severity: report.Fail,
			Title: i18n.T("DMARC record has errors", "DMARC-Eintrag fehlerhaft"),
			Advice: i18n.T(`Correct the record: it must start with "v=DMARC1;", tags are separated by ";" and written tag=value (for example p=reject; rua=mailto:reports@example.com). Receivers ignore broken tags, and a broken p= can disable the whole policy.`,
				`Den Eintrag korrigieren: er muss mit "v=DMARC1;" beginnen, Tags werden durch ";" getrennt und als Tag=Wert geschrieben (etwa p=reject; rua=mailto:reports@example.com). Empfänger ignorieren fehlerhafte Tags, und ein fehlerhaftes p= kann die ganze Richtlinie außer Kraft setzen.`)},
		report.Def{ID: IDMultiple, Severity: report.Fail,
			Title: i18n.T("Several DMARC records", "Mehrere DMARC-Einträge"),
			Advice: i18n.T("Keep exactly one TXT record starting with v=DMARC1 at _dmarc.<domain>; with several, receivers apply no DMARC policy at all (RFC 7489 §6.6.3). Merge the tags into one record.",
				"Behalten Sie genau einen TXT-Eintrag mit v=DMARC1 unter _dmarc.<Domain>; bei mehreren wenden Empfänger gar keine DMARC-Richtlinie an (RFC 7489 §6.6.3). Führen Sie die Tags in einem Eintrag zusammen.")},
		report.Def{ID: IDOrgDomain, Severity: report.Info,
			Title: i18n.T("DMARC policy inherited from the organizational domain", "DMARC-Richtlinie von der Organisationsdomain geerbt"),
			Advice: i18n.T("The domain has no record of its own; receivers apply the parent's subdomain policy (sp=, else p=). Publish _dmarc.<subdomain> if this subdomain needs a different policy or its own reports.",
				"Die Domain hat keinen eigenen Eintrag; Empfänger wenden die Subdomain-Richtlinie der übergeordneten Domain an (sp=, sonst p=). Veröffentlichen Sie _dmarc.<Subdomain>, wenn diese Subdomain eine andere Richtlinie oder eigene Berichte braucht.")},
		report.Def{ID: IDRUAUnauthorized, Severity: report.Warn,
			Title: i18n.T("Report address in another domain has not authorised the reports", "Berichtsadresse in fremder Domain hat die Berichte nicht freigegeben"),
			Advice: i18n.T(`Receivers send reports to an address outside your organizational domain only if that domain publishes a TXT record "v=DMARC1" at <your domain>._report._dmarc.<report domain> (RFC 7489 §7.1). Ask the operator of the report address (your DMARC service) to publish it, or use an address in your own domain.`,
				`Empfänger senden Berichte an eine Adresse außerhalb der eigenen Organisationsdomain nur, wenn deren Domain einen TXT-Eintrag "v=DMARC1" unter <eigene Domain>._report._dmarc.<Berichtsdomain> veröffentlicht (RFC 7489 §7.1). Bitten Sie den Betreiber der Berichtsadresse (den DMARC-Dienst), ihn zu veröffentlichen, oder verwenden Sie eine Adresse in der eigenen Domain.`)},
		report.Def{ID: IDTempError, Severity: report.Warn,
			Title: i18n.T("DMARC lookup failed", "DMARC-Abfrage fehlgeschlagen"),
			Advice: i18n.T("The DNS did not answer (timeout, SERVFAIL or REFUSED), so it is unknown whether a DMARC record exists. Try again later or with another resolver (--resolver); if it persists, the domain's name servers need fixing.",
				"Das DNS hat nicht geantwortet (Zeitüberschreitung, SERVFAIL oder REFUSED), daher ist unbekannt, ob ein DMARC-Eintrag existiert. Versuchen Sie es später oder mit einem anderen Resolver (--resolver) erneut; bleibt es dabei, müssen die Nameserver der Domain repariert werden.")},
		report.Def{ID: IDTesting, Severity: report.Warn,
			Title: i18n.T("DMARC policy in testing mode (t=y)", "DMARC-Richtlinie im Testmodus (t=y)"),
			Advice: i18n.T("With t=y receivers apply the next weaker policy (reject as quarantine, quarantine as none; RFC 9989). Remove t=y when the reports look clean.",
				"Mit t=y wenden Empfänger die nächstschwächere Richtlinie an (p=reject wie p=quarantine, p=quarantine wie p=none; RFC 9989). Entfernen Sie t=y, sobald die Berichte sauber sind.")},
		report.Def{ID: IDPct, Severity: report.Warn,
			Title: i18n.T("DMARC policy applied to only part of the mail (pct)", "DMARC-Richtlinie gilt nur für einen Teil der Mails (pct)"),
			Advice: i18n.T("pct below 100 exempts the rest of the failing mail from the policy. Raise it to 100 (or remove it) once the rollout is done; RFC 9989 drops pct in favour of t=y.",
				"pct unter 100 nimmt den Rest der durchfallenden E-Mails von der Richtlinie aus. Setzen Sie pct nach der Einführung auf 100 (oder entfernen Sie es); RFC 9989 ersetzt pct durch t=y.")},
		report.Def{ID: IDNoRUA, Severity: report.Info,
			Title: i18n.T("No DMARC aggregate reports requested", "Keine DMARC-Sammelberichte angefordert"),
			Advice: i18n.T("Add rua=mailto:<address> to receive daily aggregate reports: they show which servers send mail as your domain and whether it passes.",
				"Ergänzen Sie rua=mailto:<Adresse>, um tägliche Sammelberichte zu erhalten: Sie zeigen, welche Server im Namen der Domain senden und ob diese E-Mails bestehen.")},
		report.Def{ID: IDRecordWarning, Severity: report.Info,
			Title: i18n.T("DMARC record has a questionable part", "DMARC-Eintrag hat einen fragwürdigen Teil"),
			Advice: i18n.T("The record works, but the detail names a part that receivers ignore or that does not do what it seems to; clean it up when you next touch the record.",
				"Der Eintrag funktioniert, aber das Detail nennt einen Teil, den Empfänger ignorieren oder der nicht bewirkt, was er scheint; bereinigen Sie ihn beim nächsten Ändern des Eintrags.")},
		report.Def{ID: IDAligned, Severity: report.OK,
			Title:  i18n.T("DMARC alignment passes", "DMARC-Ausrichtung besteht"),
			Advice: i18n.T("Nothing to do.", "Nichts zu tun.")},
		report.Def{ID: IDNotAligned, Severity: report.Fail,
			Title: i18n.T("DMARC alignment fails", "DMARC-Ausrichtung scheitert"),
			Advice: i18n.T("Neither SPF nor DKIM passes for a domain aligned with the From address. Sign with DKIM using d=<your domain> (the usual fix for mail sent by a service provider), or send with a MAIL FROM (return-path) in your domain that SPF authorises.",
				"Weder SPF noch DKIM bestehen für eine zur Absenderadresse ausgerichtete Domain. Signieren Sie mit DKIM und d=<eigene Domain> (die übliche Lösung für E-Mails über einen Dienstleister) oder senden Sie mit einem MAIL FROM (Return-Path) in der eigenen Domain, den SPF erlaubt.")},
	)
}

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
