package dane

import (
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
)

// Finding ids of this package (a public contract).
const (
	FindingOK              = "dane.ok"
	FindingNone            = "dane.none"
	FindingUnauthenticated = "dane.unauthenticated"
	FindingUnusable        = "dane.unusable"
	FindingMismatch        = "dane.mismatch"
	FindingTempError       = "dane.temperror"
)

func init() {
	report.Register(
		report.Def{ID: FindingOK, Severity: report.OK,
			Title:  i18n.T("DANE TLSA records are DNSSEC-signed and usable", "DANE-TLSA-Einträge sind DNSSEC-signiert und nutzbar"),
			Advice: i18n.T("Nothing to do. Publish the new TLSA record before every certificate or key change (RFC 7671 §8).", "Nichts zu tun. Vor jedem Zertifikats- oder Schlüsselwechsel den neuen TLSA-Eintrag zuerst veröffentlichen (RFC 7671 §8).")},
		report.Def{ID: FindingNone, Severity: report.Info,
			Title: i18n.T("No DANE TLSA records", "Keine DANE-TLSA-Einträge"),
			Advice: i18n.T("Without DANE (RFC 7672) senders use TLS only opportunistically and can be downgraded. If the domain's zone is DNSSEC-signed, publish a TLSA record such as \"_25._tcp.<mx> TLSA 3 1 1 <SHA-256 of the key>\"; otherwise consider MTA-STS.",
				"Ohne DANE (RFC 7672) nutzen Absender TLS nur opportunistisch, und die Verbindung kann herabgestuft werden. Ist die Zone DNSSEC-signiert, veröffentlichen Sie einen TLSA-Eintrag wie „_25._tcp.<mx> TLSA 3 1 1 <SHA-256 des Schlüssels>“; andernfalls ziehen Sie MTA-STS in Betracht.")},
		report.Def{ID: FindingUnauthenticated, Severity: report.Warn,
			Title: i18n.T("TLSA records without DNSSEC: DANE has no effect", "TLSA-Einträge ohne DNSSEC: DANE ist wirkungslos"),
			Advice: i18n.T("The answer was not DNSSEC-validated (no AD bit), so senders ignore the records (RFC 7672 §2.2). Sign the MX host's zone with DNSSEC and publish the DS record at the parent. If you did, check that the resolver you asked validates (--resolver with a validating resolver).",
				"Die Antwort war nicht DNSSEC-validiert (kein AD-Bit), daher ignorieren Absender die Einträge (RFC 7672 §2.2). Signieren Sie die Zone des MX-Hosts mit DNSSEC und veröffentlichen Sie den DS-Eintrag in der übergeordneten Zone. Ist das geschehen, prüfen Sie, ob der befragte Resolver validiert (--resolver mit einem validierenden Resolver).")},
		report.Def{ID: FindingUnusable, Severity: report.Warn,
			Title: i18n.T("No usable TLSA record", "Kein nutzbarer TLSA-Eintrag"),
			Advice: i18n.T("SMTP senders use only DANE-TA(2) and DANE-EE(3) records with selector 0/1 and matching type 0/1/2 and correct data (RFC 7672 §3.1); with none of them TLS is not authenticated. Replace the records, e.g. with \"3 1 1 <SHA-256 of the key>\".",
				"SMTP-Absender nutzen nur DANE-TA(2)- und DANE-EE(3)-Einträge mit Selektor 0/1, Matching-Typ 0/1/2 und korrekten Daten (RFC 7672 §3.1); ohne solche wird TLS nicht authentisiert. Ersetzen Sie die Einträge, z. B. durch „3 1 1 <SHA-256 des Schlüssels>“.")},
		report.Def{ID: FindingMismatch, Severity: report.Fail,
			Title: i18n.T("Server certificate does not match the TLSA records", "Server-Zertifikat passt nicht zu den TLSA-Einträgen"),
			Advice: i18n.T("DANE-validating senders (e.g. Postfix with DANE, many German providers) will not deliver to this server. Usually a certificate or key was renewed without updating the TLSA record first. Publish a record for the current key (the evidence shows its SHA-256) or go back to the old key.",
				"DANE-prüfende Absender (z. B. Postfix mit DANE, viele deutsche Anbieter) stellen an diesen Server nicht zu. Meist wurde ein Zertifikat oder Schlüssel erneuert, ohne zuerst den TLSA-Eintrag anzupassen. Veröffentlichen Sie einen Eintrag für den aktuellen Schlüssel (die Belege zeigen seinen SHA-256) oder kehren Sie zum alten Schlüssel zurück.")},
		report.Def{ID: FindingTempError, Severity: report.Warn,
			Title: i18n.T("TLSA lookup failed", "TLSA-Abfrage fehlgeschlagen"),
			Advice: i18n.T("The DNS gave no answer for the TLSA records. DANE-validating senders defer mail to a DNSSEC-signed MX host whose TLSA lookup fails (RFC 7672 §2.2). Check the zone's name servers, especially their handling of TLSA queries and DNSSEC.",
				"Das DNS hat zu den TLSA-Einträgen nicht geantwortet. DANE-prüfende Absender stellen E-Mail an einen DNSSEC-signierten MX-Host zurück, wenn dessen TLSA-Abfrage fehlschlägt (RFC 7672 §2.2). Prüfen Sie die Nameserver der Zone, besonders den Umgang mit TLSA-Anfragen und DNSSEC.")},
	)
}

// Findings turns a Result into findings; with a Verification also dane.ok
// or dane.mismatch for the certificate.
func Findings(res Result) []report.Finding {
	ev := []string{}
	for _, rec := range res.Records {
		e := res.Name + " TLSA " + rec.Text
		if rec.Problem != "" {
			e += " (" + rec.Problem + ")"
		}
		ev = append(ev, e)
	}
	switch res.Status {
	case StatusNone:
		return []report.Finding{report.New(FindingNone,
			report.Detailf("No TLSA records at %s.", "Keine TLSA-Einträge unter %s.", res.Name), res.Name+" TLSA: "+string(res.DNSStatus))}
	case StatusTempError:
		return []report.Finding{report.New(FindingTempError,
			report.Detailf("No answer for %s (%s).", "Keine Antwort zu %s (%s).", res.Name, res.DNSStatus), res.Name+" TLSA: "+string(res.DNSStatus))}
	case StatusUnauthenticated:
		return []report.Finding{report.New(FindingUnauthenticated,
			report.Detailf("%s has %d TLSA records, but the answer is not DNSSEC-authenticated.",
				"%s hat %d TLSA-Einträge, aber die Antwort ist nicht DNSSEC-authentisiert.", res.Name, len(res.Records)), ev...)}
	case StatusUnusable:
		return []report.Finding{report.New(FindingUnusable,
			report.Detailf("None of the %d TLSA records at %s is usable for SMTP.", "Keiner der %d TLSA-Einträge unter %s ist für SMTP nutzbar.", len(res.Records), res.Name), ev...)}
	}
	v := res.Verification
	switch {
	case v == nil:
		return []report.Finding{report.New(FindingOK,
			report.Detailf("%s: %d usable TLSA records, DNSSEC-authenticated.", "%s: %d nutzbare TLSA-Einträge, DNSSEC-authentisiert.", res.Name, len(res.Usable())), ev...)}
	case v.Matched:
		return []report.Finding{report.New(FindingOK,
			report.Detailf("The certificate of %s matches %s.", "Das Zertifikat von %s passt zu %s.", res.Host, v.Record), append(ev, "matched: "+v.Record)...)}
	}
	ev = append(ev, "mismatch: "+v.Reason)
	if v.LeafSPKISHA256 != "" {
		ev = append(ev, "current key as record: "+res.Name+" TLSA 3 1 1 "+v.LeafSPKISHA256)
	}
	return []report.Finding{report.New(FindingMismatch,
		report.Detailf("The certificate of %s matches none of the TLSA records at %s.", "Das Zertifikat von %s passt zu keinem der TLSA-Einträge unter %s.", res.Host, res.Name), ev...)}
}
