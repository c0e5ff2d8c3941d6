package check

import (
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Finding ids owned by the orchestrator (the checks register their own).
const (
	IDDNSTimeout     = "dns.timeout"
	IDDNSServfail    = "dns.servfail"
	IDDNSRefused     = "dns.refused"
	IDDNSError       = "dns.error"
	IDHeloPTR        = "helo.ptr_mismatch"
	IDSilentDropRisk = "silentdrop.risk"
	IDNoFrom         = "sender.no_from"
	IDIPMismatch     = "sender.ip_differs"
	IDNotTried       = "smtp.not_tried"
	IDBannerPTR      = "smtp.banner_ptr_mismatch"
)

func init() {
	report.Register(
		report.Def{ID: IDDNSTimeout, Severity: report.Fail,
			Title: i18n.T("DNS did not answer in time", "DNS hat nicht rechtzeitig geantwortet"),
			Advice: i18n.T("A lookup timed out, so the result is incomplete — this is not the same as “no record”. Check that the resolver is reachable (--resolver) and try again, perhaps with a longer --timeout.",
				"Eine Abfrage lief in eine Zeitüberschreitung; das Ergebnis ist unvollständig – das ist nicht dasselbe wie „kein Eintrag“. Prüfen Sie, ob der Resolver erreichbar ist (--resolver), und versuchen Sie es erneut, gegebenenfalls mit längerem --timeout.")},
		// RFC 1035 §4.1.1 RCODE 2: the server could not process the query
		// (often a DNSSEC validation failure or unreachable authoritative
		// servers of the domain).
		report.Def{ID: IDDNSServfail, Severity: report.Fail,
			Title: i18n.T("DNS server failure (SERVFAIL)", "DNS-Serverfehler (SERVFAIL)"),
			Advice: i18n.T("The resolver answered SERVFAIL: it could not get a valid answer for the domain — often broken DNSSEC signatures or unreachable authoritative name servers. Senders see the same and defer mail. Check the domain's DNSSEC and name servers (e.g. with delv or dnsviz.net).",
				"Der Resolver antwortete SERVFAIL: Er bekam für die Domain keine gültige Antwort – oft wegen fehlerhafter DNSSEC-Signaturen oder unerreichbarer autoritativer Nameserver. Absender sehen dasselbe und stellen E-Mails zurück. Prüfen Sie DNSSEC und Nameserver der Domain (z. B. mit delv oder dnsviz.net).")},
		// RFC 1035 §4.1.1 RCODE 5: the server refuses to answer (policy).
		report.Def{ID: IDDNSRefused, Severity: report.Fail,
			Title: i18n.T("DNS server refused the query (REFUSED)", "DNS-Server hat die Abfrage verweigert (REFUSED)"),
			Advice: i18n.T("The resolver answered REFUSED: it does not answer this client (an access list) or this domain. Use a resolver that serves you (--resolver) and try again.",
				"Der Resolver antwortete REFUSED: Er beantwortet diesen Client (Zugriffsliste) oder diese Domain nicht. Verwenden Sie einen Resolver, der Sie bedient (--resolver), und versuchen Sie es erneut.")},
		report.Def{ID: IDDNSError, Severity: report.Fail,
			Title: i18n.T("DNS lookup failed", "DNS-Abfrage gescheitert"),
			Advice: i18n.T("The lookup failed (a malformed answer, a network error or a CNAME loop), so the result is incomplete — this is not the same as “no record”. Try again, or another resolver (--resolver).",
				"Die Abfrage ist gescheitert (fehlerhafte Antwort, Netzwerkfehler oder CNAME-Schleife); das Ergebnis ist unvollständig – das ist nicht dasselbe wie „kein Eintrag“. Versuchen Sie es erneut oder mit einem anderen Resolver (--resolver).")},
		report.Def{ID: IDHeloPTR, Severity: report.Warn,
			Title: i18n.T("EHLO name does not match the PTR of the sending IP", "EHLO-Name passt nicht zum PTR der sendenden IP"),
			Advice: i18n.T("Use the forward-confirmed PTR name of the outbound IP as the EHLO/HELO name (Postfix: smtp_helo_name, Exim: helo_data). Large receivers score a mismatch as a spam signal.",
				"Verwenden Sie den vorwärts bestätigten PTR-Namen der ausgehenden IP als EHLO/HELO-Namen (Postfix: smtp_helo_name, Exim: helo_data). Große Empfänger werten eine Abweichung als Spam-Signal.")},
		report.Def{ID: IDSilentDropRisk, Severity: report.Warn,
			Title: i18n.T("250 from this MX is no proof of delivery", "Ein 250 dieses MX ist kein Zustellnachweis"),
			Advice: i18n.T("This destination is known to accept mail and discard it without a bounce, above all when the sender looks risky. Fix any sender-side factor named, then prove delivery with a test mailbox: mxprobe check DOMAIN --deliver-to ADDRESS --imap …",
				"Dieses Ziel nimmt E-Mails bekanntermaßen an und verwirft sie ohne Unzustellbarkeitsnachricht, vor allem wenn der Absender riskant wirkt. Beheben Sie die genannten Faktoren auf Absenderseite und weisen Sie die Zustellung dann mit einem Testpostfach nach: mxprobe check DOMAIN --deliver-to ADRESSE --imap …")},
		report.Def{ID: IDNoFrom, Severity: report.Info,
			Title: i18n.T("No sender domain given: DKIM and DMARC not checked", "Keine Absenderdomain angegeben: DKIM und DMARC nicht geprüft"),
			Advice: i18n.T("Add --from you@yourdomain (and --dkim-selector S) to check SPF, DKIM and DMARC of the domain you really send from.",
				"Geben Sie --from sie@ihredomain (und --dkim-selector S) an, um SPF, DKIM und DMARC der Domain zu prüfen, von der Sie tatsächlich senden.")},
		report.Def{ID: IDIPMismatch, Severity: report.Info,
			Title: i18n.T("The destination sees another IP than this host's socket address", "Das Ziel sieht eine andere IP als die Socket-Adresse dieses Hosts"),
			Advice: i18n.T("Outbound traffic is translated (NAT or a proxy). The sender checks use the address the destination reported.",
				"Ausgehender Verkehr wird umgesetzt (NAT oder Proxy). Die Absenderprüfungen verwenden die Adresse, die das Ziel gemeldet hat.")},
		report.Def{ID: IDBannerPTR, Severity: report.Info,
			Title: i18n.T("The MX greets with another name than its PTR", "Der MX meldet sich mit einem anderen Namen als seinem PTR"),
			Advice: i18n.T("Harmless for delivery to it, but a sign of a load balancer or a forgotten hostname: the name in the banner (RFC 5321 §4.3.1) should be the host's forward-confirmed PTR name.",
				"Für die Zustellung dorthin harmlos, aber ein Hinweis auf einen Load-Balancer oder einen vergessenen Hostnamen: Der Name in der Begrüßung (RFC 5321 §4.3.1) sollte der vorwärts bestätigte PTR-Name des Hosts sein.")},
		report.Def{ID: IDNotTried, Severity: report.Info,
			Title: i18n.T("Further MX addresses not tried", "Weitere MX-Adressen nicht versucht"),
			Advice: i18n.T("A sender stops at the first MX that answers (RFC 5321 §5.1). Use --all-mx to probe every address.",
				"Ein Absender hört beim ersten antwortenden MX auf (RFC 5321 §5.1). Mit --all-mx prüfen Sie alle Adressen.")},
	)
}

// DNSFailureID is the finding id of a failed lookup by its status: SERVFAIL,
// REFUSED and a timeout are told apart (the resolver keeps them apart).
func DNSFailureID(st resolver.Status) string {
	switch st {
	case resolver.StatusServFail:
		return IDDNSServfail
	case resolver.StatusRefused:
		return IDDNSRefused
	case resolver.StatusTimeout:
		return IDDNSTimeout
	}
	return IDDNSError
}
