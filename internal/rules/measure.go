package rules

import (
	"fmt"
	"strings"

	"github.com/mxprobe/mxprobe/internal/asn"
	"github.com/mxprobe/mxprobe/internal/dkim"
	"github.com/mxprobe/mxprobe/internal/dmarc"
	"github.com/mxprobe/mxprobe/internal/dnsbl"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/iprev"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/spf"
	"github.com/mxprobe/mxprobe/internal/webcontact"
)

// Statuses of a requirement.
const (
	StatusPass    = "pass"
	StatusFail    = "fail"
	StatusUnknown = "unknown"
)

// outcome is what a measurement says about a rule.
type outcome struct {
	status   string
	evidence i18n.Text
}

func pass(en, de string, a ...any) outcome {
	return outcome{StatusPass, i18n.T(fmt.Sprintf(en, a...), fmt.Sprintf(de, a...))}
}
func fail(en, de string, a ...any) outcome {
	return outcome{StatusFail, i18n.T(fmt.Sprintf(en, a...), fmt.Sprintf(de, a...))}
}
func unknown(en, de string, a ...any) outcome {
	return outcome{StatusUnknown, i18n.T(fmt.Sprintf(en, a...), fmt.Sprintf(de, a...))}
}

var notMeasured = outcome{StatusUnknown, i18n.T("not measured", "nicht gemessen")}

var needMessage = outcome{StatusUnknown, i18n.T("needs a message: check … --message FILE, or the probe message of --deliver-to",
	"braucht eine Nachricht: check … --message DATEI oder die Probe-Nachricht von --deliver-to")}

// Measurements maps each measurement name a rule may use to the function
// that decides it.
var Measurements = map[string]func(*Facts) outcome{
	"ptr.fcrdns":       measureFCrDNS,
	"ip.static":        measureStatic,
	"helo.fqdn":        measureHELOFQDN,
	"helo.matches_ptr": measureHELOPTR,
	"spf.pass":         measureSPF,
	"auth.spf_or_dkim": measureSPFOrDKIM,
	"dkim.pass":        measureDKIM,
	"dkim.aligned":     measureDKIMAligned,
	"dmarc.record":     measureDMARCRecord,
	"dmarc.aligned":    measureAlignment,
	"tls.used":         measureTLS,
	"dnsbl.clean":      measureDNSBL,
	"from.mx":          measureFromMX,
	"msg.rfc5322":      measureRFC5322,
	"msg.message_id":   measureMessageID,
	"msg.date":         measureDate,
	"msg.one_from":     measureOneFrom,
	"msg.one_click":    measureOneClick,
	"web.contact":      measureWebsite,
	"network.range":    measureRange,
}

func measureFCrDNS(f *Facts) outcome {
	p := f.PTR
	if p == nil {
		return notMeasured
	}
	switch p.Result {
	case iprev.StatusPass:
		return pass("%s → PTR %s → %s (forward-confirmed)", "%s → PTR %s → %s (vorwärts bestätigt)", p.IP, p.Host, p.IP)
	case iprev.StatusPermError:
		return fail("%s has no PTR record (%s)", "%s hat keinen PTR-Eintrag (%s)", p.IP, p.PTRStatus)
	case iprev.StatusFail:
		return fail("PTR %s of %s does not resolve back to it", "PTR %s von %s löst nicht auf sie zurück auf", ptrNames(p), p.IP)
	}
	return unknown("the PTR lookup of %s failed (%s)", "die PTR-Abfrage von %s ist gescheitert (%s)", p.IP, p.PTRStatus)
}

func ptrNames(p *iprev.Result) string {
	var n []string
	for _, x := range p.Names {
		n = append(n, x.Name)
	}
	return strings.Join(n, ", ")
}

func measureStatic(f *Facts) outcome {
	if f.DNSBL != nil {
		for _, z := range f.DNSBL.Listed() {
			for _, l := range z.Listings {
				if l.Code.Policy {
					return fail("%s is on %s (%s): a dynamic or end-user range", "%s steht auf %s (%s): ein dynamischer oder Endkunden-Bereich", f.DNSBL.IP, z.Zone.Label, l.Code.Name)
				}
			}
		}
	}
	p := f.PTR
	if p == nil {
		return notMeasured
	}
	if n, generic := p.Generic(); generic {
		return fail("PTR %s looks generic (%s)", "PTR %s wirkt generisch (%s)", n.Name, n.GenericReason)
	}
	switch p.Result {
	case iprev.StatusPermError:
		return fail("%s has no PTR name, so no operator domain", "%s hat keinen PTR-Namen und damit keine Betreiber-Domain", p.IP)
	case iprev.StatusTempError:
		return unknown("the PTR lookup of %s failed (%s)", "die PTR-Abfrage von %s ist gescheitert (%s)", p.IP, p.PTRStatus)
	}
	return pass("PTR %s is an individual name", "PTR %s ist ein eigener Name", firstName(p))
}

func firstName(p *iprev.Result) string {
	if p.Host != "" {
		return p.Host
	}
	if len(p.Names) > 0 {
		return p.Names[0].Name
	}
	return ""
}

func measureHELOFQDN(f *Facts) outcome {
	h := strings.TrimSuffix(f.HELO, ".")
	if h == "" {
		return notMeasured
	}
	if strings.HasPrefix(h, "[") || !strings.Contains(h, ".") || resolver.ValidateDomain(h) != nil || strings.EqualFold(h, "localhost.localdomain") {
		return fail("EHLO %s is not a fully qualified domain name", "EHLO %s ist kein vollständiger Domainname", f.HELO)
	}
	return pass("EHLO %s", "EHLO %s", f.HELO)
}

func measureHELOPTR(f *Facts) outcome {
	if f.HELO == "" || f.PTR == nil {
		return notMeasured
	}
	if f.HELOMatchesPTR {
		return pass("EHLO %s = PTR of %s", "EHLO %s = PTR von %s", f.HELO, f.PTR.IP)
	}
	if f.PTR.Result == iprev.StatusTempError {
		return unknown("the PTR lookup of %s failed", "die PTR-Abfrage von %s ist gescheitert", f.PTR.IP)
	}
	return fail("EHLO %s, but the PTR of %s is %q", "EHLO %s, aber der PTR von %s ist %q", f.HELO, f.PTR.IP, ptrNames(f.PTR))
}

func spfOutcome(f *Facts) outcome {
	s := f.SPF
	if s == nil {
		return notMeasured
	}
	rec := s.Record
	if rec == "" {
		rec = "-"
	}
	switch s.Status {
	case spf.Pass:
		return pass("SPF pass for %s from %s (%s)", "SPF pass für %s von %s (%s)", s.Domain, f.IP, rec)
	case spf.Temperror:
		return unknown("SPF temperror for %s: %s", "SPF temperror für %s: %s", s.Domain, s.Error)
	}
	return fail("SPF %s for %s from %s (record: %s)", "SPF %s für %s von %s (Eintrag: %s)", s.Status, s.Domain, f.IP, rec)
}

func measureSPF(f *Facts) outcome { return spfOutcome(f) }

func measureSPFOrDKIM(f *Facts) outcome {
	s, d := spfOutcome(f), dkimOutcome(f)
	switch {
	case s.status == StatusPass:
		return s
	case d.status == StatusPass:
		return d
	case s.status == StatusFail && d.status == StatusFail:
		return outcome{StatusFail, join(s.evidence, d.evidence)}
	}
	return outcome{StatusUnknown, join(s.evidence, d.evidence)}
}

func join(a, b i18n.Text) i18n.Text { return i18n.T(a.EN+"; "+b.EN, a.DE+"; "+b.DE) }

// dkimOutcome: with a message its signatures decide; without one the keys
// published for the From domain do (a usable key is a pass with the note
// that no signature was seen).
func dkimOutcome(f *Facts) outcome {
	if f.Message != nil {
		return signatures(f.Message.DKIM, "")
	}
	d := f.DKIM
	if d == nil {
		return notMeasured
	}
	switch d.Status {
	case dkim.ResultOK:
		return pass("usable DKIM key at %s for %s (signatures are verified with --message)", "nutzbarer DKIM-Schlüssel unter %s für %s (Signaturen werden mit --message geprüft)", strings.Join(d.Found, ", "), d.Domain)
	case dkim.ResultTempError:
		return unknown("DKIM key lookup for %s failed", "DKIM-Schlüsselabfrage für %s gescheitert", d.Domain)
	case dkim.ResultInvalid:
		return fail("DKIM keys of %s are published but none is usable (%s)", "DKIM-Schlüssel von %s sind veröffentlicht, aber keiner ist nutzbar (%s)", d.Domain, strings.Join(d.Found, ", "))
	}
	return fail("no DKIM key for %s at the selectors tried (%s)", "kein DKIM-Schlüssel für %s unter den versuchten Selektoren (%s)", d.Domain, strings.Join(d.Tried, ", "))
}

// signatures judges the message's DKIM verifications; align, when set,
// demands a passing signature whose d= aligns (relaxed) with that domain.
func signatures(vs []dkim.Verification, align string) outcome {
	if len(vs) == 0 {
		return fail("the message carries no DKIM-Signature", "die Nachricht trägt keine DKIM-Signatur")
	}
	temp := false
	var seen []string
	for _, v := range vs {
		seen = append(seen, fmt.Sprintf("d=%s s=%s: %s", v.Domain, v.Selector, v.Result))
		if v.Result == dkim.VerifyPass && (align == "" || dmarc.Aligned(align, v.Domain, false)) {
			return pass("DKIM pass d=%s s=%s", "DKIM pass d=%s s=%s", v.Domain, v.Selector)
		}
		temp = temp || v.Result == dkim.VerifyTempError
	}
	list := strings.Join(seen, "; ")
	if temp {
		return unknown("DKIM: %s", "DKIM: %s", list)
	}
	if align != "" {
		return fail("no passing DKIM signature aligned with %s (%s)", "keine bestandene DKIM-Signatur passend zu %s (%s)", align, list)
	}
	return fail("no DKIM signature passes (%s)", "keine DKIM-Signatur besteht (%s)", list)
}

func measureDKIM(f *Facts) outcome { return dkimOutcome(f) }

func measureDKIMAligned(f *Facts) outcome {
	if f.Message != nil {
		from := f.Message.FromDomain
		if from == "" {
			from = f.FromDomain
		}
		return signatures(f.Message.DKIM, from)
	}
	o := dkimOutcome(f)
	if o.status == StatusPass && f.DKIM != nil && !dmarc.Aligned(f.FromDomain, f.DKIM.Domain, false) {
		return fail("the DKIM key is for %s, the From domain is %s", "der DKIM-Schlüssel gilt für %s, die From-Domain ist %s", f.DKIM.Domain, f.FromDomain)
	}
	return o
}

func measureDMARCRecord(f *Facts) outcome {
	d := f.DMARC
	if d == nil {
		return notMeasured
	}
	switch {
	case d.Incomplete || d.Status == "temperror":
		return unknown("the DMARC lookup for %s failed", "die DMARC-Abfrage für %s ist gescheitert", d.Domain)
	case d.Record != nil && !d.Record.PolicyImplicit:
		return pass("_dmarc.%s: %s", "_dmarc.%s: %s", d.PolicyDomain, strings.Join(d.Records, " "))
	case d.Record != nil:
		return fail("the DMARC record of %s has no p= policy", "der DMARC-Eintrag von %s hat keine p=-Richtlinie", d.PolicyDomain)
	}
	return fail("no DMARC record at _dmarc.%s (%s)", "kein DMARC-Eintrag unter _dmarc.%s (%s)", d.Domain, d.Status)
}

func measureAlignment(f *Facts) outcome {
	var rec *dmarc.Record
	if f.DMARC != nil {
		rec = f.DMARC.Record
	}
	from := f.FromDomain
	if f.Message != nil && f.Message.FromDomain != "" {
		from = f.Message.FromDomain
	}
	if from == "" {
		return notMeasured
	}
	in := dmarc.AlignmentInput{FromDomain: from}
	if f.SPF != nil {
		in.SPF = &dmarc.AuthResult{Domain: f.SPF.Domain, Result: string(f.SPF.Status)}
	}
	if f.Message != nil {
		for _, v := range f.Message.DKIM {
			in.DKIM = append(in.DKIM, dmarc.AuthResult{Domain: v.Domain, Result: v.Result})
		}
	} else if f.DKIM != nil && f.DKIM.Status == dkim.ResultOK {
		// Without a message: a usable key at the From domain aligns once
		// the mail is signed with it; its result is not known.
		in.DKIM = append(in.DKIM, dmarc.AuthResult{Domain: f.DKIM.Domain})
	}
	a := dmarc.Align(rec, in)
	ev := alignEvidence(a)
	switch a.Result {
	case dmarc.AlignPass:
		return outcome{StatusPass, ev}
	case dmarc.AlignUnknown:
		if f.Message == nil {
			// DNS says the domain can align through its DKIM key.
			return outcome{StatusPass, join(ev, i18n.T("aligned once signed with the published key", "passend, sobald mit dem veröffentlichten Schlüssel signiert wird"))}
		}
		return outcome{StatusUnknown, ev}
	}
	return outcome{StatusFail, ev}
}

func alignEvidence(a dmarc.Alignment) i18n.Text {
	parts := []string{"From " + a.FromDomain}
	if a.SPF != nil {
		parts = append(parts, fmt.Sprintf("SPF %s %s (aligned: %t)", a.SPF.Domain, a.SPF.Result, a.SPF.Aligned))
	}
	for _, d := range a.DKIM {
		parts = append(parts, fmt.Sprintf("DKIM d=%s %s (aligned: %t)", d.Domain, d.Result, d.Aligned))
	}
	s := strings.Join(parts, "; ")
	return i18n.T(s, strings.ReplaceAll(s, "aligned:", "passend:"))
}

func measureTLS(f *Facts) outcome {
	if f.Message != nil && f.Message.Received != "" {
		r := strings.ToUpper(f.Message.Received)
		if strings.Contains(r, "ESMTPS") || strings.Contains(r, "TLS") {
			return pass("Received: %s", "Received: %s", f.Message.Received)
		}
		return fail("the topmost Received field shows no TLS: %s", "das oberste Received-Feld zeigt kein TLS: %s", f.Message.Received)
	}
	if f.DestinationTLS != nil && !*f.DestinationTLS {
		return unknown("the destination's STARTTLS did not work for our probe; whether your server uses TLS shows in a message's Received field (--message)",
			"STARTTLS des Ziels hat für unsere Probe nicht funktioniert; ob Ihr Server TLS nutzt, zeigt das Received-Feld einer Nachricht (--message)")
	}
	return unknown("whether your server uses TLS shows in a received message's Received field (--message)",
		"ob Ihr Server TLS nutzt, zeigt das Received-Feld einer empfangenen Nachricht (--message)")
}

func measureDNSBL(f *Facts) outcome {
	d := f.DNSBL
	if d == nil {
		return notMeasured
	}
	if l := d.Listed(); len(l) > 0 {
		var n []string
		for _, z := range l {
			n = append(n, z.Zone.Label)
		}
		return fail("%s is listed on %s", "%s steht auf %s", d.IP, strings.Join(n, ", "))
	}
	if d.Status == dnsbl.StatusClean {
		return pass("%s is on none of the %d lists asked", "%s steht auf keiner der %d gefragten Listen", d.IP, len(d.Zones))
	}
	return unknown("not every block list could be asked about %s", "nicht jede Sperrliste konnte zu %s befragt werden", d.IP)
}

func measureFromMX(f *Facts) outcome {
	m := f.FromMX
	if m == nil {
		return notMeasured
	}
	switch m.Status {
	case MXOK:
		return pass("%s", "%s", m.Evidence)
	case MXNone:
		return fail("%s", "%s", m.Evidence)
	}
	return unknown("%s", "%s", m.Evidence)
}

func measureRFC5322(f *Facts) outcome {
	m := f.Message
	if m == nil {
		return needMessage
	}
	if len(m.Problems) == 0 {
		return pass("the header parses as RFC 5322 (%d bytes)", "der Kopf ist gültig nach RFC 5322 (%d Bytes)", m.Size)
	}
	en, de := make([]string, len(m.Problems)), make([]string, len(m.Problems))
	for i, p := range m.Problems {
		en[i], de[i] = p.EN, p.DE
	}
	return outcome{StatusFail, i18n.T(strings.Join(en, "; "), strings.Join(de, "; "))}
}

func measureMessageID(f *Facts) outcome {
	if f.Message == nil {
		return needMessage
	}
	if f.Message.MessageID {
		return pass("Message-ID present", "Message-ID vorhanden")
	}
	return fail("no valid Message-ID", "keine gültige Message-ID")
}

func measureDate(f *Facts) outcome {
	if f.Message == nil {
		return needMessage
	}
	if f.Message.Date {
		return pass("Date present", "Date vorhanden")
	}
	return fail("no valid Date header", "keine gültige Date-Kopfzeile")
}

func measureOneFrom(f *Facts) outcome {
	m := f.Message
	if m == nil {
		return needMessage
	}
	if m.FromFields == 1 && m.FromAddresses == 1 {
		return pass("From: one address (%s)", "From: eine Adresse (%s)", m.FromDomain)
	}
	return fail("%d From field(s) with %d address(es)", "%d From-Feld(er) mit %d Adresse(n)", m.FromFields, m.FromAddresses)
}

func measureOneClick(f *Facts) outcome {
	m := f.Message
	if m == nil {
		return needMessage
	}
	https, post := m.oneClick()
	if https && post {
		return pass("List-Unsubscribe: %s; List-Unsubscribe-Post: %s", "List-Unsubscribe: %s; List-Unsubscribe-Post: %s", m.ListUnsubscribe, m.ListUnsubscribePost)
	}
	if m.ListUnsubscribe == "" {
		return fail("no List-Unsubscribe header", "keine List-Unsubscribe-Kopfzeile")
	}
	return fail("List-Unsubscribe %q without HTTPS URI or List-Unsubscribe-Post: List-Unsubscribe=One-Click", "List-Unsubscribe %q ohne HTTPS-URI oder List-Unsubscribe-Post: List-Unsubscribe=One-Click", m.ListUnsubscribe)
}

func measureWebsite(f *Facts) outcome {
	w := f.Website
	if w == nil {
		if f.PTR != nil && f.PTR.Result == iprev.StatusPermError {
			return fail("%s has no PTR name that could lead to a website", "%s hat keinen PTR-Namen, der zu einer Website führen könnte", f.PTR.IP)
		}
		return notMeasured
	}
	switch w.Status {
	case webcontact.StatusPass:
		return pass("%s (from PTR %s): %q on %s", "%s (aus PTR %s): „%s“ auf %s", w.Domain, w.PTRName, w.Contact, w.URL)
	case webcontact.StatusFail:
		switch w.Reason {
		case webcontact.ReasonNoWebsite:
			return fail("%s (from PTR %s) has no web server address", "%s (aus PTR %s) hat keine Adresse für einen Webserver", w.Domain, w.PTRName)
		case webcontact.ReasonNoContact:
			return fail("%s answers, but names no imprint or contact", "%s antwortet, nennt aber weder Impressum noch Kontakt", w.URL)
		case webcontact.ReasonHTTPStatus:
			return fail("%s answers HTTP %d", "%s antwortet mit HTTP %d", w.URL, w.HTTPStatus)
		}
		return fail("PTR %s has no registrable domain", "PTR %s hat keine registrierbare Domain", w.PTRName)
	}
	return unknown("%s could not be reached: %s", "%s war nicht erreichbar: %s", firstNonEmpty(w.URL, w.Domain), w.Error)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func measureRange(f *Facts) outcome {
	n := f.Network
	if n == nil {
		return notMeasured
	}
	for _, l := range n.RangeListings {
		if l.Status == asn.RangeListed {
			return fail("the range of %s is listed on %s (%s); AS%d %s", "der Bereich von %s steht auf %s (%s); AS%d %s", n.IP, l.Label, l.Answer, n.ASN, n.Holder)
		}
	}
	switch {
	case n.Status != asn.StatusOK:
		return unknown("the AS of %s is not known (%s)", "das AS von %s ist nicht bekannt (%s)", n.IP, n.Status)
	case n.Kind == asn.KindHosting:
		return unknown("AS%d %s is a hosting network: Outlook.com is reported to filter such ranges silently; prove delivery with --deliver-to",
			"AS%d %s ist ein Hosting-Netz: Outlook.com filtert solche Bereiche Berichten zufolge still; weisen Sie die Zustellung mit --deliver-to nach", n.ASN, n.Holder)
	}
	return pass("AS%d %s (%s), no range listing", "AS%d %s (%s), kein Eintrag auf Netzebene", n.ASN, n.Holder, n.Kind)
}
