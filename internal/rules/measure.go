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

var needMessage = outcome{StatusUnknown, i18n.T("needs a message: --message FILE, or the test message of --deliver-to",
	"braucht eine Nachricht: --message DATEI oder die Testmail von --deliver-to")}

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
		// iprev's reason is English; the German evidence names the kind.
		return outcome{StatusFail, i18n.T(fmt.Sprintf("PTR %s looks generic (%s)", n.Name, n.GenericReason),
			fmt.Sprintf("PTR %s wirkt generisch wie ein automatisch vergebener Name", n.Name))}
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
	// "from <IP>" only when the IP is known (dns without --ip).
	fromEN, fromDE := "", ""
	if f.IP.IsValid() {
		fromEN, fromDE = " from "+f.IP.String(), " von "+f.IP.String()
	}
	switch s.Status {
	case spf.Pass:
		return outcome{StatusPass, i18n.T(fmt.Sprintf("SPF pass for %s%s (%s)", s.Domain, fromEN, rec), fmt.Sprintf("SPF pass für %s%s (%s)", s.Domain, fromDE, rec))}
	case spf.Temperror:
		return unknown("SPF temperror for %s: %s", "SPF temperror für %s: %s", s.Domain, s.Error)
	}
	return outcome{StatusFail, i18n.T(fmt.Sprintf("SPF %s for %s%s (record: %s)", s.Status, s.Domain, fromEN, rec),
		fmt.Sprintf("SPF %s für %s%s (Eintrag: %s)", s.Status, s.Domain, fromDE, rec))}
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
	if d.Guessed {
		// Only mxprobe's list of common selectors was tried: a key under
		// another name is not ruled out (dkim.selector_unknown says the
		// same), so the rule is not failed on a guess.
		return unknown("no DKIM key for %s at the %d common selectors tried; name the selector with --dkim-selector, or give a signed message with --message",
			"kein DKIM-Schlüssel für %s unter den %d üblichen Selektoren; nennen Sie den Selektor mit --dkim-selector oder geben Sie mit --message eine signierte Nachricht an", d.Domain, len(d.Tried))
	}
	tried := strings.Join(d.Tried, ", ")
	if len(d.Tried) > 4 {
		return fail("no DKIM key for %s at the %d selectors tried", "kein DKIM-Schlüssel für %s unter den %d versuchten Selektoren", d.Domain, len(d.Tried))
	}
	return fail("no DKIM key for %s at the selectors tried (%s)", "kein DKIM-Schlüssel für %s unter den versuchten Selektoren (%s)", d.Domain, tried)
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
	return outcome{StatusFail, i18n.T(fmt.Sprintf("no DMARC record at _dmarc.%s (%s)", d.Domain, d.Status),
		fmt.Sprintf("kein DMARC-Eintrag unter _dmarc.%s", d.Domain))}
}

// Alignment computes the DMARC alignment (RFC 7489 §4.2) of the facts:
// the From domain (the message's, else FromDomain) against the SPF domain
// and the DKIM d= domains (the message's signatures, else a usable key of
// the From domain with its result unknown). ok is false without a From
// domain.
func Alignment(f *Facts) (a dmarc.Alignment, ok bool) {
	var rec *dmarc.Record
	if f.DMARC != nil {
		rec = f.DMARC.Record
	}
	from := f.FromDomain
	if f.Message != nil && f.Message.FromDomain != "" {
		from = f.Message.FromDomain
	}
	if from == "" {
		return a, false
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
	return dmarc.Align(rec, in), true
}

func measureAlignment(f *Facts) outcome {
	a, ok := Alignment(f)
	if !ok {
		return notMeasured
	}
	ev := alignEvidence(a)
	switch a.Result {
	case dmarc.AlignPass:
		return outcome{StatusPass, ev}
	case dmarc.AlignUnknown:
		if f.Message == nil {
			// DNS says the domain can align through its DKIM key; whether
			// the mail is signed with it only a message shows.
			return outcome{StatusUnknown, join(ev, i18n.T("aligned only if the mail is signed with the published key: check a message with --message",
				"passend nur, wenn die Mail mit dem veröffentlichten Schlüssel signiert ist: prüfen Sie eine Nachricht mit --message"))}
		}
		return outcome{StatusUnknown, ev}
	}
	if f.Message == nil && f.DKIM != nil && f.DKIM.Guessed && f.DKIM.Status != dkim.ResultOK && f.DKIM.Status != dkim.ResultInvalid {
		// SPF does not align, and DKIM might under a selector mxprobe did
		// not guess: not failed on a guess.
		return outcome{StatusUnknown, join(ev, i18n.T("DKIM could align through a key under a selector not among the common ones tried: name it with --dkim-selector, or check a message with --message",
			"DKIM könnte über einen Schlüssel unter einem Selektor passen, der nicht unter den versuchten üblichen ist: nennen Sie ihn mit --dkim-selector oder prüfen Sie eine Nachricht mit --message"))}
	}
	return outcome{StatusFail, ev}
}

func alignEvidence(a dmarc.Alignment) i18n.Text {
	en := []string{"From domain " + a.FromDomain}
	de := []string{"From-Domain " + a.FromDomain}
	if a.SPF != nil {
		en = append(en, fmt.Sprintf("SPF %s %s (aligned: %s)", a.SPF.Result, a.SPF.Domain, yesNo(a.SPF.Aligned, "yes", "no")))
		de = append(de, fmt.Sprintf("SPF %s %s (passend: %s)", a.SPF.Result, a.SPF.Domain, yesNo(a.SPF.Aligned, "ja", "nein")))
	}
	for _, d := range a.DKIM {
		en = append(en, fmt.Sprintf("DKIM %s d=%s (aligned: %s)", d.Result, d.Domain, yesNo(d.Aligned, "yes", "no")))
		de = append(de, fmt.Sprintf("DKIM %s d=%s (passend: %s)", d.Result, d.Domain, yesNo(d.Aligned, "ja", "nein")))
	}
	return i18n.T(strings.Join(en, "; "), strings.Join(de, "; "))
}

func yesNo(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

func measureTLS(f *Facts) outcome {
	if f.Message != nil && f.Message.Received != "" {
		// RFC 3848: "with ESMTPS"/"ESMTPSA" (or a TLS comment) in the
		// topmost Received field records a TLS session.
		proto := receivedProtocol(f.Message.Received)
		r := strings.ToUpper(f.Message.Received)
		if strings.HasPrefix(proto, "ESMTPS") || strings.Contains(r, "TLS") {
			return outcome{StatusPass, i18n.T("topmost Received field: "+f.Message.Received, "oberstes Received-Feld: Protokoll "+proto+", mit TLS")}
		}
		return outcome{StatusFail, i18n.T("the topmost Received field shows no TLS: "+f.Message.Received, "das oberste Received-Feld zeigt kein TLS (Protokoll "+proto+")")}
	}
	if f.DestinationTLS != nil && !*f.DestinationTLS {
		return unknown("the destination's STARTTLS did not work for our probe; whether your server uses TLS shows in a message's Received field (--message)",
			"STARTTLS des Ziels hat bei unserer Prüfung nicht funktioniert; ob Ihr Server TLS nutzt, zeigt das Received-Feld einer Nachricht (--message)")
	}
	return unknown("whether your server uses TLS shows in a received message's Received field (--message)",
		"ob Ihr Server TLS nutzt, zeigt das Received-Feld einer empfangenen Nachricht (--message)")
}

// receivedProtocol is the word after "with" in a Received field (RFC 5321
// §4.4), "?" when there is none.
func receivedProtocol(rcv string) string {
	fs := strings.Fields(rcv)
	for i := 0; i+1 < len(fs); i++ {
		if strings.EqualFold(fs[i], "with") {
			return strings.ToUpper(strings.Trim(fs[i+1], ";"))
		}
	}
	return "?"
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
		return pass("%s: MX %s", "%s: MX %s", m.Domain, strings.Join(m.Hosts, ", "))
	case MXNone:
		return fail("%s has neither MX nor address (%s)", "%s hat weder MX noch Adresse (%s)", m.Domain, m.Detail)
	}
	return unknown("the MX lookup of %s failed (%s)", "die MX-Abfrage von %s ist gescheitert (%s)", m.Domain, m.Detail)
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

// headerPresent judges one header field that RFC 5322 §3.6 asks for.
func headerPresent(f *Facts, present func(*MessageFacts) bool, field, fieldDE string) outcome {
	if f.Message == nil {
		return needMessage
	}
	if present(f.Message) {
		return outcome{StatusPass, i18n.T(field+" present", fieldDE+" vorhanden")}
	}
	return outcome{StatusFail, i18n.T("no valid "+field, "keine gültige "+fieldDE)}
}

func measureMessageID(f *Facts) outcome {
	return headerPresent(f, func(m *MessageFacts) bool { return m.MessageID }, "Message-ID", "Message-ID")
}

func measureDate(f *Facts) outcome {
	return headerPresent(f, func(m *MessageFacts) bool { return m.Date }, "Date header", "Date-Kopfzeile")
}

func measureOneFrom(f *Facts) outcome {
	m := f.Message
	if m == nil {
		return needMessage
	}
	if m.FromFields == 1 && m.FromAddresses == 1 {
		return pass("From: one address (%s)", "From-Kopfzeile mit einer Adresse (%s)", m.FromDomain)
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
			"AS%d %s ist ein Hosting-Netz: Outlook.com filtert solche Bereiche Berichten zufolge stillschweigend; weisen Sie die Zustellung mit --deliver-to nach", n.ASN, n.Holder)
	}
	return pass("AS%d %s (%s), no range listing", "AS%d %s (%s), kein Eintrag auf Netzebene", n.ASN, n.Holder, n.Kind)
}
