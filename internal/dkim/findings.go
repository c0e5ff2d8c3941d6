package dkim

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
)

// Finding ids of this package (a public contract).
const (
	IDOK      = "dkim.ok"
	IDMissing = "dkim.missing"
	// IDSelectorUnknown: no selector named and none of the guessed ones has
	// a key; an info, not a warning (nothing is known to be wrong).
	IDSelectorUnknown = "dkim.selector_unknown"
	IDWeakKey         = "dkim.weak_key"
	IDRevoked         = "dkim.revoked"
	IDTesting         = "dkim.testing"
	IDSyntax          = "dkim.syntax"
	IDMultiple        = "dkim.multiple"
	IDKeyWarning      = "dkim.key_warning"
	IDTempError       = "dkim.temperror"
	IDVerifyPass      = "dkim.verify_pass"
	IDVerifyFail      = "dkim.verify_fail"
	IDUnsigned        = "dkim.unsigned"
)

func init() {
	report.Register(
		report.Def{ID: IDOK, Severity: report.OK,
			Title:  i18n.T("DKIM key published", "DKIM-Schlüssel veröffentlicht"),
			Advice: i18n.T("Nothing to do.", "Nichts zu tun.")},
		report.Def{ID: IDMissing, Severity: report.Warn,
			Title: i18n.T("No DKIM key found", "Kein DKIM-Schlüssel gefunden"),
			Advice: i18n.T("Sign outgoing mail with DKIM and publish the public key as TXT record at <selector>._domainkey.<domain>; your mail provider shows the record to publish. If you already sign, name your selector with --dkim-selector (it is in the s= tag of the DKIM-Signature header of a sent message).",
				"Signieren Sie ausgehende E-Mails mit DKIM und veröffentlichen Sie den öffentlichen Schlüssel als TXT-Eintrag unter <Selektor>._domainkey.<Domain>; Ihr Mail-Anbieter nennt den Eintrag. Signieren Sie bereits, geben Sie den Selektor mit --dkim-selector an (er steht im Tag s= des DKIM-Signature-Headers einer gesendeten E-Mail).")},
		report.Def{ID: IDSelectorUnknown, Severity: report.Info,
			Title: i18n.T("DKIM selector unknown; name it with --dkim-selector",
				"DKIM-Selektor unbekannt; geben Sie ihn mit --dkim-selector an"),
			Advice: i18n.T("Without a selector the key cannot be looked up, so DKIM was not judged. The selector is in the s= tag of the DKIM-Signature header of a message you sent; check again with --dkim-selector SELECTOR.",
				"Ohne Selektor lässt sich der Schlüssel nicht abfragen; DKIM wurde daher nicht bewertet. Den Selektor finden Sie im Tag s= des DKIM-Signature-Headers einer von Ihnen gesendeten Nachricht; prüfen Sie erneut mit --dkim-selector SELEKTOR.")},
		report.Def{ID: IDWeakKey, Severity: report.Warn,
			Title: i18n.T("DKIM key too short", "DKIM-Schlüssel zu kurz"),
			Advice: i18n.T("Create a new RSA key with 2048 bits (or add an Ed25519 key next to it), publish it under a new selector, switch signing to it, then revoke the old selector by publishing it with an empty p=. RSA keys below 1024 bits are ignored by verifiers (RFC 8301).",
				"Erzeugen Sie einen neuen RSA-Schlüssel mit 2048 Bit (oder zusätzlich einen Ed25519-Schlüssel), veröffentlichen Sie ihn unter einem neuen Selektor, stellen Sie die Signatur darauf um und widerrufen Sie danach den alten Selektor mit leerem p=. RSA-Schlüssel unter 1024 Bit ignorieren Prüfer (RFC 8301).")},
		report.Def{ID: IDRevoked, Severity: report.Warn,
			Title: i18n.T("DKIM key revoked", "DKIM-Schlüssel widerrufen"),
			Advice: i18n.T("The selector publishes an empty p= tag, so signatures made with it fail. That is right for a retired selector; if mail is still signed with it, switch signing to a selector with a valid key.",
				"Der Selektor veröffentlicht ein leeres p=, Signaturen damit schlagen fehl. Für einen ausgemusterten Selektor ist das richtig; wird noch damit signiert, stellen Sie die Signatur auf einen Selektor mit gültigem Schlüssel um.")},
		report.Def{ID: IDTesting, Severity: report.Warn,
			Title: i18n.T("DKIM key in testing mode", "DKIM-Schlüssel im Testmodus"),
			Advice: i18n.T("Remove t=y from the key record once signing works: verifiers must treat mail signed with a testing key like unsigned mail (RFC 6376 §3.6.1).",
				"Entfernen Sie t=y aus dem Schlüsseleintrag, sobald die Signatur funktioniert: Prüfer müssen E-Mails mit einem Testschlüssel wie unsignierte behandeln (RFC 6376 §3.6.1).")},
		report.Def{ID: IDSyntax, Severity: report.Fail,
			Title: i18n.T("DKIM key record invalid", "DKIM-Schlüsseleintrag ungültig"),
			Advice: i18n.T("Publish the record exactly as your mail provider or signing software gives it: v=DKIM1; k=rsa (or ed25519); p=<base64 key>, without line breaks or quotes inside the value. Verifiers reject signatures whose key record does not parse.",
				"Veröffentlichen Sie den Eintrag genau so, wie Mail-Anbieter oder Signatur-Software ihn vorgeben: v=DKIM1; k=rsa (oder ed25519); p=<Base64-Schlüssel>, ohne Zeilenumbrüche oder Anführungszeichen im Wert. Prüfer verwerfen Signaturen, deren Schlüsseleintrag sich nicht lesen lässt.")},
		report.Def{ID: IDMultiple, Severity: report.Fail,
			Title: i18n.T("Several TXT records at a DKIM selector", "Mehrere TXT-Einträge an einem DKIM-Selektor"),
			Advice: i18n.T("Keep exactly one TXT record at <selector>._domainkey.<domain>; with several the result is undefined and many verifiers fail the signature (RFC 6376 §3.6.2.2).",
				"Behalten Sie genau einen TXT-Eintrag unter <Selektor>._domainkey.<Domain>; bei mehreren ist das Ergebnis undefiniert und viele Prüfer lassen die Signatur scheitern (RFC 6376 §3.6.2.2).")},
		report.Def{ID: IDKeyWarning, Severity: report.Warn,
			Title: i18n.T("DKIM key record questionable", "DKIM-Schlüsseleintrag fragwürdig"),
			Advice: i18n.T("The record parses, but the detail names something that some verifiers reject or ignore; correct it when you next touch the record.",
				"Der Eintrag lässt sich lesen, aber das Detail nennt etwas, das manche Prüfer ablehnen oder ignorieren; korrigieren Sie es beim nächsten Ändern des Eintrags.")},
		report.Def{ID: IDTempError, Severity: report.Warn,
			Title: i18n.T("DKIM key lookup failed", "DKIM-Schlüsselabfrage fehlgeschlagen"),
			Advice: i18n.T("The DNS did not answer (timeout, SERVFAIL or REFUSED), so it is unknown whether the key exists. Try again later or with another resolver (--resolver); if it persists, the domain's name servers need fixing.",
				"Das DNS hat nicht geantwortet (Zeitüberschreitung, SERVFAIL oder REFUSED), daher ist unbekannt, ob der Schlüssel existiert. Versuchen Sie es später oder mit einem anderen Resolver (--resolver) erneut; bleibt es dabei, müssen die Nameserver der Domain repariert werden.")},
		report.Def{ID: IDVerifyPass, Severity: report.OK,
			Title:  i18n.T("DKIM signature valid", "DKIM-Signatur gültig"),
			Advice: i18n.T("Nothing to do.", "Nichts zu tun.")},
		report.Def{ID: IDVerifyFail, Severity: report.Fail,
			Title: i18n.T("DKIM signature does not verify", "DKIM-Signatur nicht gültig"),
			Advice: i18n.T("If the body hash fails, something changed the message after signing (a footer added by a list or gateway, line-ending or encoding changes); sign after the last change. If the key is missing or does not match, publish the key that belongs to the signing selector.",
				"Scheitert der Body-Hash, hat etwas die E-Mail nach dem Signieren verändert (angehängte Fußzeile einer Liste oder eines Gateways, geänderte Zeilenenden oder Kodierung); signieren Sie erst nach der letzten Änderung. Fehlt der Schlüssel oder passt er nicht, veröffentlichen Sie den zum Selektor gehörenden Schlüssel.")},
		report.Def{ID: IDUnsigned, Severity: report.Warn,
			Title: i18n.T("Message not DKIM-signed", "Nachricht nicht DKIM-signiert"),
			Advice: i18n.T("Enable DKIM signing for the sending domain at your mail server or provider; Gmail, Yahoo and Microsoft expect it from bulk senders.",
				"Aktivieren Sie die DKIM-Signatur für die Absenderdomain beim Mailserver oder Anbieter; Gmail, Yahoo und Microsoft verlangen sie von Massenversendern.")},
	)
}

// seriousWarnings are key warnings that make some verifiers fail; the rest
// are cosmetic (reported as info).
var seriousWarnings = map[string]bool{
	"no_sha256": true, "not_for_email": true, "pkcs1_key": true, "version_not_first": true, "large_key": true,
}

// Findings turns a CheckSelectors result into findings.
func Findings(res Result) []report.Finding {
	var fs []report.Finding
	if res.Status == ResultError {
		return append(fs, report.New(IDSyntax, report.Detailf("invalid domain %q: %s", "ungültige Domain %q: %s", res.Domain, res.Error)))
	}
	var temp []string
	for _, sr := range res.Selectors {
		switch sr.Status {
		case StatusFound:
			fs = append(fs, selectorFindings(sr, !res.Guessed)...)
		case StatusTempError:
			temp = append(temp, sr.Selector)
		case StatusNXDomain, StatusNoData:
			if !res.Guessed {
				fs = append(fs, report.New(IDMissing, report.Detailf("selector %s: no key record at %s (%s)", "Selektor %s: kein Schlüsseleintrag unter %s (%s)",
					sr.Selector, sr.Name, sr.Status)).WithSeverity(report.Fail))
			}
		case StatusNotDKIM:
			if !res.Guessed {
				fs = append(fs, report.New(IDSyntax, report.Detailf("selector %s: the TXT record at %s is not a DKIM key record", "Selektor %s: der TXT-Eintrag unter %s ist kein DKIM-Schlüsseleintrag",
					sr.Selector, sr.Name), sr.Records...))
			}
		case StatusInvalid:
			fs = append(fs, report.New(IDSyntax, report.Detailf("%q is not a valid selector name", "%q ist kein gültiger Selektorname", sr.Selector)))
		}
	}
	if len(temp) > 0 {
		f := report.New(IDTempError, i18n.Plural(len(temp),
			i18n.Tf("no DNS answer for selector %s", "keine DNS-Antwort für Selektor %s", temp[0]),
			i18n.Tf("no DNS answer for selectors %s", "keine DNS-Antwort für die Selektoren %s", strings.Join(temp, ", "))))
		if !res.Incomplete {
			f = f.WithSeverity(report.Info) // guessed selectors and a key was found elsewhere
		}
		fs = append(fs, f)
	}
	if res.Guessed && len(res.Found) == 0 && len(temp) == 0 {
		fs = append(fs, report.New(IDSelectorUnknown, report.Detailf(
			"none of the %d common selectors has a key record at <selector>._domainkey.%s; the domain may sign with another one",
			"keiner der %d gängigen Selektoren hat einen Schlüsseleintrag unter <Selektor>._domainkey.%s; die Domain signiert womöglich mit einem anderen",
			len(res.Tried), res.Domain), strings.Join(res.Tried, ", ")))
	}
	return fs
}

// selectorFindings judges one found key record. explicit: the user named the
// selector (a revoked key then matters more).
func selectorFindings(sr SelectorResult, explicit bool) []report.Finding {
	var fs []report.Finding
	ev := []string{sr.Name + " TXT " + shortenRecord(sr.Record)}
	if sr.Multiple {
		fs = append(fs, report.New(IDMultiple, report.Detailf("selector %s: %d TXT records at %s", "Selektor %s: %d TXT-Einträge unter %s",
			sr.Selector, len(sr.Records), sr.Name), sr.Records...))
	}
	if sr.Key == nil {
		text := i18n.T(sr.Error, sr.Error)
		var re *RecordError
		if errors.As(sr.Err, &re) {
			text = re.Text()
		}
		return append(fs, report.New(IDSyntax, i18n.Text{
			EN: fmt.Sprintf("selector %s: %s", sr.Selector, text.EN),
			DE: fmt.Sprintf("Selektor %s: %s", sr.Selector, text.DE)}, ev...))
	}
	return append(fs, keyFindings("selector "+sr.Selector, "Selektor "+sr.Selector, sr.Key, explicit, ev)...)
}

// keyFindings judges a parsed key. whoEN/whoDE name it in the detail.
func keyFindings(whoEN, whoDE string, k *Key, explicit bool, ev []string) []report.Finding {
	var fs []report.Finding
	if k.Revoked {
		f := report.New(IDRevoked, whoText(whoEN, whoDE, "the key is revoked (empty p=)", "der Schlüssel ist widerrufen (leeres p=)"), ev...)
		if !explicit {
			f = f.WithSeverity(report.Info)
		}
		return append(fs, f)
	}
	desc := fmt.Sprintf("%s %d bit", strings.ToUpper(k.KeyType), k.Bits)
	if k.KeyType == "ed25519" {
		desc = "Ed25519"
	}
	weak := false
	if k.KeyType == "rsa" {
		// RFC 8301 §3.2: signers MUST use at least 1024 bits and SHOULD use
		// at least 2048; verifiers MUST NOT accept fewer than 1024.
		switch {
		case k.Bits < 1024:
			weak = true
			fs = append(fs, report.New(IDWeakKey, whoText(whoEN, whoDE, "RSA key of %d bits; verifiers ignore keys below 1024 bits", "RSA-Schlüssel mit %d Bit; Prüfer ignorieren Schlüssel unter 1024 Bit",
				k.Bits), ev...).WithSeverity(report.Fail))
		case k.Bits < 2048:
			weak = true
			fs = append(fs, report.New(IDWeakKey, whoText(whoEN, whoDE, "RSA key of %d bits; 2048 bits are recommended (RFC 8301 §3.2)", "RSA-Schlüssel mit %d Bit; empfohlen sind 2048 Bit (RFC 8301 §3.2)",
				k.Bits), ev...))
		}
	}
	if k.Testing {
		fs = append(fs, report.New(IDTesting, whoText(whoEN, whoDE, "t=y (testing mode)", "t=y (Testmodus)"), ev...))
	}
	serious := false
	for _, w := range k.Warnings {
		sev := report.Info
		if seriousWarnings[w.Code] {
			sev, serious = report.Warn, true
		}
		fs = append(fs, report.New(IDKeyWarning, i18n.Text{
			EN: fmt.Sprintf("%s: %s", whoEN, w.Text().EN),
			DE: fmt.Sprintf("%s: %s", whoDE, w.Text().DE)}, ev...).WithSeverity(sev))
	}
	if !weak && !serious {
		fs = append(fs, report.New(IDOK, i18n.Text{
			EN: fmt.Sprintf("%s: %s key", whoEN, desc),
			DE: fmt.Sprintf("%s: %s-Schlüssel", whoDE, strings.Replace(desc, " bit", " Bit", 1))}, ev...))
	}
	return fs
}

// whoText prefixes a bilingual detail with the name of the key in each language.
func whoText(whoEN, whoDE, en, de string, args ...any) i18n.Text {
	return i18n.Text{EN: whoEN + ": " + fmt.Sprintf(en, args...), DE: whoDE + ": " + fmt.Sprintf(de, args...)}
}

// shortenRecord keeps evidence readable: the key material is cut.
func shortenRecord(s string) string {
	const max = 120
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

// VerifyFindings turns VerifyMessage results into findings.
func VerifyFindings(vs []Verification) []report.Finding {
	if len(vs) == 0 {
		return []report.Finding{report.New(IDUnsigned, report.Detailf("the message has no DKIM-Signature header field", "die Nachricht hat kein DKIM-Signature-Headerfeld"))}
	}
	var fs []report.Finding
	for _, v := range vs {
		who := fmt.Sprintf("d=%s s=%s", v.Domain, v.Selector)
		ev := []string{who}
		if v.Error != "" {
			ev = append(ev, v.Error)
		}
		switch v.Result {
		case VerifyPass:
			fs = append(fs, report.New(IDVerifyPass, report.Detailf("signature %s (%s) verified", "Signatur %s (%s) bestätigt", who, v.Algorithm), ev...))
			if v.Key != nil {
				for _, f := range keyFindings("key "+v.KeyName, "Schlüssel "+v.KeyName, v.Key, true, nil) {
					if f.ID != IDOK {
						fs = append(fs, f)
					}
				}
			}
		case VerifyTempError:
			fs = append(fs, report.New(IDTempError, report.Detailf("signature %s: the key %s could not be fetched", "Signatur %s: der Schlüssel %s konnte nicht abgerufen werden",
				who, v.KeyName), ev...))
		case VerifyPermError:
			fs = append(fs, report.New(IDVerifyFail, report.Detailf("signature %s cannot be verified (permerror)", "Signatur %s lässt sich nicht prüfen (permerror)", who), ev...))
		default:
			fs = append(fs, report.New(IDVerifyFail, report.Detailf("signature %s does not match the message", "Signatur %s passt nicht zur Nachricht", who), ev...))
		}
	}
	return fs
}
