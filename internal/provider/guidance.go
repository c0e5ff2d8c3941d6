package provider

import "github.com/mxprobe/mxprobe/internal/i18n"

// displays names each operator's services for humans.
var displays = map[string]map[string]string{
	Microsoft:      {KindUnknown: "Microsoft", KindConsumer: "Microsoft Outlook.com", KindTenant: "Microsoft Exchange Online"},
	Google:         {KindUnknown: "Google", KindConsumer: "Gmail", KindTenant: "Google Workspace"},
	Yahoo:          {KindUnknown: "Yahoo / AOL"},
	Apple:          {KindUnknown: "Apple iCloud Mail"},
	GMX:            {KindUnknown: "GMX (United Internet)"},
	WebDE:          {KindUnknown: "WEB.DE (United Internet)"},
	IONOS:          {KindUnknown: "IONOS / 1&1 (United Internet)"},
	UnitedInternet: {KindUnknown: "GMX / WEB.DE / IONOS (United Internet)"},
	TOnline:        {KindUnknown: "T-Online (Deutsche Telekom)"},
	Proton:         {KindUnknown: "Proton Mail"},
	Mimecast:       {KindUnknown: "Mimecast"},
	Proofpoint:     {KindUnknown: "Proofpoint"},
	Zoho:           {KindUnknown: "Zoho Mail"},
}

// KindText describes a kind for humans.
func KindText(kind string) i18n.Text {
	switch kind {
	case KindConsumer:
		return i18n.T("consumer mail service", "E-Mail-Dienst für Privatkunden")
	case KindTenant:
		return i18n.T("hosted for an organisation", "für eine Organisation betrieben")
	case KindGateway:
		return i18n.T("filtering gateway", "Filter-Gateway")
	}
	return i18n.Text{}
}

// guidance is keyed by "name/kind"; "name/" applies to every kind.
//
// Sources: Outlook.com postmaster pages (Policies, Troubleshooting, Services:
// SNDS, JMRP, deliverability support), Microsoft Learn "Email non-delivery
// reports in Exchange Online" and "Use the delist portal to remove yourself
// from the blocked senders list"; Google "Email sender guidelines"
// (support.google.com/a/answer/81126), its FAQ (answer/14229414) and "SMTP
// errors and codes" (answer/3726730); Yahoo Sender Hub (senders.yahooinc.com);
// Apple "Postmaster information for iCloud Mail" (support.apple.com/102322);
// postmaster.gmx.net, postmaster.web.de, postmaster.t-online.de; Mimecast's
// SMTP error code page. Snapshots of these pages are in the project's
// reference data.
var guidance = map[string][]Guidance{
	Microsoft + "/" + KindConsumer: {
		{Title: i18n.T("Smart Network Data Services (SNDS)", "Smart Network Data Services (SNDS)"),
			URL: "https://sendersupport.olc.protection.outlook.com/snds/",
			Text: i18n.T("Register your sending IPs to see how Outlook.com rates them: traffic, complaint rate, spam-trap hits and blocks.",
				"Registrieren Sie Ihre sendenden IPs, um zu sehen, wie Outlook.com sie bewertet: Volumen, Beschwerderate, Spamfallen-Treffer und Sperren.")},
		{Title: i18n.T("Junk Email Reporting Program (JMRP)", "Junk Email Reporting Program (JMRP)"),
			URL: "https://sendersupport.olc.protection.outlook.com/snds/JMRP.aspx",
			Text: i18n.T("A complaint feedback loop: Outlook.com sends you a copy of every message its users mark as junk, so you can remove them from your list.",
				"Eine Beschwerde-Rückmeldeschleife: Outlook.com schickt Ihnen eine Kopie jeder Nachricht, die Nutzer als Spam markieren, damit Sie diese Empfänger austragen können.")},
		{Title: i18n.T("Outlook.com sender support (delisting request)", "Outlook.com-Absendersupport (Antrag auf Entsperrung)"),
			URL: "https://olcsupport.office.com/",
			Text: i18n.T("For blocks at outlook.com, hotmail.com, live.com and msn.com (S3140, S3150, SC-00x, DY-00x). Give the sending IPs, the complete reply line with its bracketed tracking ID, the time with time zone, and what you have fixed.",
				"Für Sperren bei outlook.com, hotmail.com, live.com und msn.com (S3140, S3150, SC-00x, DY-00x). Geben Sie die sendenden IPs, die vollständige Antwortzeile mit ihrer Kennung in eckigen Klammern, die Uhrzeit mit Zeitzone und Ihre Korrekturen an.")},
		{Title: i18n.T("Outlook.com sender policies and high-volume rules", "Richtlinien von Outlook.com für Absender und Massenversender"),
			URL: "https://sendersupport.olc.protection.outlook.com/pm/policies.aspx",
			Text: i18n.T("Domains that send more than 5,000 messages a day to Outlook.com must pass SPF and DKIM and publish DMARC (at least p=none) aligned with one of them; otherwise 550 5.7.515.",
				"Domains, die mehr als 5.000 Nachrichten pro Tag an Outlook.com senden, müssen SPF und DKIM bestehen und DMARC (mindestens p=none) mit Ausrichtung auf eines davon veröffentlichen; sonst folgt 550 5.7.515.")},
	},
	Microsoft + "/" + KindTenant: {
		{Title: i18n.T("Microsoft 365 delist portal", "Austragungsportal von Microsoft 365"),
			URL: "https://sender.office.com/",
			Text: i18n.T("For 550 5.7.606–5.7.649 \"banned sending IP\": request removal of your IP from the Exchange Online Protection block list; you confirm by e-mail, removal takes up to 24 hours.",
				"Für 550 5.7.606–5.7.649 „banned sending IP“: Beantragen Sie die Austragung Ihrer IP aus der Sperrliste von Exchange Online Protection; Sie bestätigen per E-Mail, die Austragung dauert bis zu 24 Stunden.")},
		{Title: i18n.T("The recipient organisation's administrators", "Die Administratoren der Empfängerorganisation"),
			Text: i18n.T("Each Exchange Online tenant runs its own rules (transport rules, allow/block lists, \"accept only internal senders\"). Ask the recipient to have their admin check the message trace for your message.",
				"Jeder Exchange-Online-Mandant hat eigene Regeln (Transportregeln, Zulassungs-/Sperrlisten, „nur interne Absender“). Bitten Sie den Empfänger, dass sein Administrator die Nachrichtenablaufverfolgung für Ihre Nachricht prüft.")},
		{Title: i18n.T("Exchange Online NDR reference", "Exchange-Online-Referenz der Unzustellbarkeitsberichte"),
			URL: "https://learn.microsoft.com/en-us/troubleshoot/exchange/email-delivery/ndr/non-delivery-reports-in-exchange-online",
			Text: i18n.T("Microsoft's list of Exchange Online status codes with causes and fixes.",
				"Microsofts Liste der Exchange-Online-Statuscodes mit Ursachen und Lösungen.")},
	},
	Google + "/": {
		{Title: i18n.T("Google Postmaster Tools", "Google Postmaster Tools"),
			URL: "https://postmaster.google.com/",
			Text: i18n.T("Verify your sending domain to see its spam rate, reputation and authentication results at Gmail. Keep the user-reported spam rate below 0.1 % and never reach 0.3 %.",
				"Bestätigen Sie Ihre Absenderdomain, um Spamrate, Reputation und Authentifizierungsergebnisse bei Gmail zu sehen. Halten Sie die von Nutzern gemeldete Spamrate unter 0,1 % und erreichen Sie nie 0,3 %.")},
		{Title: i18n.T("Gmail email sender guidelines", "Gmail-Richtlinien für E-Mail-Absender"),
			URL: "https://support.google.com/a/answer/81126",
			Text: i18n.T("All senders: SPF or DKIM, valid forward and reverse DNS, TLS, RFC 5322 format. More than 5,000 messages a day: SPF and DKIM and DMARC (at least p=none), From aligned with SPF or DKIM, one-click unsubscribe (RFC 8058) for marketing mail.",
				"Alle Absender: SPF oder DKIM, gültiges Vorwärts- und Reverse-DNS, TLS, Format nach RFC 5322. Mehr als 5.000 Nachrichten pro Tag: SPF und DKIM und DMARC (mindestens p=none), From passend zu SPF oder DKIM, Abmelden mit einem Klick (RFC 8058) bei Werbe-E-Mails.")},
		{Title: i18n.T("Gmail SMTP errors and codes", "Gmail-SMTP-Fehler und -Codes"),
			URL: "https://support.google.com/a/answer/3726730",
			Text: i18n.T("Google's own list of reply texts; several enhanced codes mean something else there than in the IANA registry.",
				"Googles eigene Liste der Antworttexte; mehrere erweiterte Codes bedeuten dort etwas anderes als im IANA-Register.")},
		{Title: i18n.T("Gmail sender contact form", "Gmail-Kontaktformular für Absender"),
			URL: "https://support.google.com/mail/contact/bulk_send_new",
			Text: i18n.T("Only after you meet the guidelines: report delivery problems to Gmail users with the full reply, sending IPs and domain, and the time.",
				"Erst wenn Sie die Richtlinien erfüllen: Melden Sie Zustellprobleme an Gmail-Nutzer mit vollständiger Antwort, sendenden IPs und Domain sowie der Uhrzeit.")},
	},
	Google + "/" + KindTenant: {
		{Title: i18n.T("The recipient organisation's Workspace administrators", "Die Workspace-Administratoren der Empfängerorganisation"),
			Text: i18n.T("Google Workspace domains add their own rules (allow lists, content compliance, routing). The recipient's admin can search the Email Log for your message.",
				"Google-Workspace-Domains haben zusätzliche eigene Regeln (Zulassungslisten, Inhaltsregeln, Routing). Der Administrator des Empfängers kann Ihre Nachricht in der E-Mail-Protokollsuche finden.")},
	},
	Yahoo + "/": {
		{Title: i18n.T("Yahoo Sender Hub", "Yahoo Sender Hub"),
			URL: "https://senders.yahooinc.com/",
			Text: i18n.T("Yahoo and AOL sender requirements (SPF and DKIM, DMARC for bulk senders, one-click unsubscribe, complaint rate below 0.3 %).",
				"Anforderungen von Yahoo und AOL an Absender (SPF und DKIM, DMARC für Massenversender, Abmelden mit einem Klick, Beschwerderate unter 0,3 %).")},
		{Title: i18n.T("Yahoo SMTP error codes", "Yahoo-SMTP-Fehlercodes"),
			URL: "https://senders.yahooinc.com/smtp-error-codes/",
			Text: i18n.T("Explains the TS (temporary deferral), TSS (deferral or block) and PH (content) categories.",
				"Erklärt die Kategorien TS (vorübergehende Zurückstellung), TSS (Zurückstellung oder Sperre) und PH (Inhalt).")},
		{Title: i18n.T("Yahoo complaint feedback loop", "Yahoo-Beschwerde-Rückmeldeschleife"),
			URL: "https://senders.yahooinc.com/complaint-feedback-loop/",
			Text: i18n.T("Receive reports of messages Yahoo users mark as spam (needs DKIM-signed mail).",
				"Erhalten Sie Berichte über Nachrichten, die Yahoo-Nutzer als Spam markieren (erfordert DKIM-signierte E-Mails).")},
		{Title: i18n.T("Yahoo sender support request", "Yahoo-Supportanfrage für Absender"),
			URL: "https://senders.yahooinc.com/contact",
			Text: i18n.T("If the same error persists for days: send the complete reply with its code and the sending IPs.",
				"Wenn derselbe Fehler tagelang anhält: Senden Sie die vollständige Antwort mit Code und die sendenden IPs.")},
	},
	Apple + "/": {
		{Title: i18n.T("Postmaster information for iCloud Mail", "Postmaster-Informationen für iCloud Mail"),
			URL: "https://support.apple.com/102322",
			Text: i18n.T("Apple's requirements for bulk senders (opt-in, unsubscribe link, SPF and DKIM, DMARC, reverse DNS). iCloud offers no allow list and no feedback loop.",
				"Apples Anforderungen an Massenversender (Einwilligung, Abmeldelink, SPF und DKIM, DMARC, Reverse-DNS). iCloud bietet weder Zulassungsliste noch Rückmeldeschleife.")},
		{Title: i18n.T("iCloud postmaster team", "iCloud-Postmaster-Team"),
			URL: "mailto:icloudadmin@apple.com",
			Text: i18n.T("Write with your company name, sending domain, the sending IPs, the exact SMTP errors and when the problem started.",
				"Schreiben Sie mit Firmenname, Absenderdomain, sendenden IPs, den genauen SMTP-Fehlern und dem Beginn des Problems.")},
	},
	GMX + "/": {
		{Title: i18n.T("GMX postmaster: error messages and unblocking", "GMX-Postmaster: Fehlermeldungen und Entsperrung"),
			URL: "https://postmaster.gmx.net/",
			Text: i18n.T("GMX replies carry no enhanced code but a link with a case code (c=r…); open it, fix the named cause and use the unblocking form there.",
				"GMX-Antworten enthalten keinen erweiterten Code, aber einen Link mit Fallkennung (c=r…); öffnen Sie ihn, beheben Sie die genannte Ursache und nutzen Sie dort das Entsperrformular.")},
	},
	WebDE + "/": {
		{Title: i18n.T("WEB.DE postmaster: error messages and unblocking", "WEB.DE-Postmaster: Fehlermeldungen und Entsperrung"),
			URL: "https://postmaster.web.de/",
			Text: i18n.T("WEB.DE uses the same system as GMX: follow the case link in the reply, fix the cause (often reverse DNS, SPF or the HELO name) and request unblocking there.",
				"WEB.DE verwendet dasselbe System wie GMX: Folgen Sie dem Fall-Link in der Antwort, beheben Sie die Ursache (oft Reverse-DNS, SPF oder der HELO-Name) und beantragen Sie dort die Entsperrung.")},
	},
	IONOS + "/": {
		{Title: i18n.T("IONOS / 1&1 postmaster", "IONOS-/1&1-Postmaster"),
			URL: "https://postmaster.1and1.com/",
			Text: i18n.T("United Internet's postmaster pages for IONOS and 1&1 mailboxes, with the same error catalogue as GMX and WEB.DE.",
				"Die Postmaster-Seiten von United Internet für IONOS- und 1&1-Postfächer, mit demselben Fehlerkatalog wie GMX und WEB.DE.")},
	},
	UnitedInternet + "/": {
		{Title: i18n.T("GMX and WEB.DE postmaster: error messages and unblocking", "GMX- und WEB.DE-Postmaster: Fehlermeldungen und Entsperrung"),
			URL: "https://postmaster.gmx.net/",
			Text: i18n.T("GMX, WEB.DE and IONOS share one mail system: follow the case link (c=…) in the reply, fix the named cause and request unblocking there; postmaster.web.de has the same pages for WEB.DE.",
				"GMX, WEB.DE und IONOS teilen sich ein Mailsystem: Folgen Sie dem Fall-Link (c=…) in der Antwort, beheben Sie die genannte Ursache und beantragen Sie dort die Entsperrung; postmaster.web.de hat dieselben Seiten für WEB.DE.")},
	},
	TOnline + "/": {
		{Title: i18n.T("T-Online postmaster", "T-Online-Postmaster"),
			URL: "https://postmaster.t-online.de/",
			Text: i18n.T("T-Online accepts mail only from servers with a known good reputation. Servers need a valid reverse DNS name and a reachable website with a legal notice (Impressum) under the sending domain.",
				"T-Online nimmt E-Mails nur von Servern mit bekannt gutem Ruf an. Server brauchen einen gültigen Reverse-DNS-Namen und eine erreichbare Website mit Impressum unter der Absenderdomain.")},
		{Title: i18n.T("T-Online unblocking request", "Entsperrantrag bei T-Online"),
			URL: "mailto:tosa@rx.t-online.de",
			Text: i18n.T("Write to the address named in the reply (tosa@, tobr@ or toda@rx.t-online.de) with the sending IP, the complete reply and the sending domain's legal notice URL.",
				"Schreiben Sie an die in der Antwort genannte Adresse (tosa@, tobr@ oder toda@rx.t-online.de) mit sendender IP, vollständiger Antwort und der Impressums-URL der Absenderdomain.")},
	},
	Proton + "/": {
		{Title: i18n.T("Proton Mail", "Proton Mail"),
			Text: i18n.T("Proton publishes no sender tools; make sure SPF, DKIM and DMARC pass and the content is clean, then ask the recipient to add you to their allow list.",
				"Proton bietet keine Absenderwerkzeuge; sorgen Sie dafür, dass SPF, DKIM und DMARC bestehen und der Inhalt sauber ist, und bitten Sie dann den Empfänger, Sie auf seine Zulassungsliste zu setzen.")},
	},
	Mimecast + "/": {
		{Title: i18n.T("The recipient organisation (Mimecast customer)", "Die Empfängerorganisation (Mimecast-Kunde)"),
			URL: "https://community.mimecast.com/docs/DOC-1369",
			Text: i18n.T("Mimecast applies the policies its customer set up. Ask the recipient's IT to check Mimecast's logs and permit your address or domain; Mimecast's sender feedback form is the fallback.",
				"Mimecast wendet die Richtlinien an, die sein Kunde eingerichtet hat. Bitten Sie die IT des Empfängers, die Mimecast-Protokolle zu prüfen und Ihre Adresse oder Domain zuzulassen; das Absender-Feedbackformular von Mimecast ist die Ausweichlösung.")},
	},
	Proofpoint + "/": {
		{Title: i18n.T("Proofpoint dnsbl lookup and delisting", "Proofpoint-Sperrlistenabfrage und Entsperrung"),
			URL: "https://support.proofpoint.com/dnsbl-lookup.cgi",
			Text: i18n.T("Check whether your sending IP is on Proofpoint's block list and request removal; for per-customer rules ask the recipient's IT.",
				"Prüfen Sie, ob Ihre sendende IP auf der Sperrliste von Proofpoint steht, und beantragen Sie die Austragung; bei kundeneigenen Regeln fragen Sie die IT des Empfängers.")},
	},
	Zoho + "/": {
		{Title: i18n.T("Zoho Mail", "Zoho Mail"),
			Text: i18n.T("Zoho hosts mail for organisations; ask the recipient's administrator about blocks or spam classification.",
				"Zoho betreibt E-Mail für Organisationen; fragen Sie den Administrator des Empfängers nach Sperren oder Spam-Einstufung.")},
	},
}
