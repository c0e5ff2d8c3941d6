package explain

import (
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/provider"
)

// providerRule is one piece of provider knowledge. It applies when the
// provider is known (from --mx, the reply's host or text) or, if Implies is
// set, when its text is present. Provider knowledge takes precedence over
// the IANA registry: Gmail's 5.7.27, for instance, means an SPF failure
// there, not a sender null MX. Rules are tried in order; the first match wins.
type providerRule struct {
	ID       string
	Provider string
	Kind     string // the kind a match implies ("" = unchanged)
	Class    int    // 0 = any, else 4 or 5
	Subject  int    // -1 = any
	DetailLo int
	DetailHi int
	Basic    int      // 0 = any reply code
	Text     []string // all must occur (lower case); empty = none needed
	Implies  bool
	Reason   Reason
	Resp     string // overrides the reason's responsible party when set
	Meaning  i18n.Text
	Advice   []i18n.Text
}

// rule builds a rule for an enhanced-code range; subj < 0 means any code.
func rule(id, prov string, class, subj, lo, hi int, text []string, implies bool, r Reason, meaning i18n.Text, advice ...i18n.Text) providerRule {
	return providerRule{ID: id, Provider: prov, Class: class, Subject: subj, DetailLo: lo, DetailHi: hi, Text: text,
		Implies: implies, Reason: r, Meaning: meaning, Advice: advice}
}

func textRule(id, prov string, text []string, implies bool, r Reason, meaning i18n.Text, advice ...i18n.Text) providerRule {
	return providerRule{ID: id, Provider: prov, Subject: -1, Text: text, Implies: implies, Reason: r, Meaning: meaning, Advice: advice}
}

func t(en, de string) i18n.Text { return i18n.T(en, de) }

var (
	adviceMSSupportForm = t("Fill in the Outlook.com sender support form (https://olcsupport.office.com/) with the sending IP, the complete reply line including the bracketed ID, and the time with time zone.",
		"Füllen Sie das Absender-Supportformular von Outlook.com aus (https://olcsupport.office.com/) mit sendender IP, vollständiger Antwortzeile samt Kennung in eckigen Klammern und Uhrzeit mit Zeitzone.")
	adviceMSSNDS = t("Register the IP in SNDS (https://sendersupport.olc.protection.outlook.com/snds/) to see its status and trap hits, and join JMRP to learn who complains.",
		"Registrieren Sie die IP in SNDS (https://sendersupport.olc.protection.outlook.com/snds/), um Status und Spamfallen-Treffer zu sehen, und melden Sie sich bei JMRP an, um zu erfahren, wer sich beschwert.")
	adviceMSDelist = t("Request removal at the delist portal https://sender.office.com/ (enter the IP and your address, confirm the e-mail); it takes up to 24 hours.",
		"Beantragen Sie die Austragung im Austragungsportal von Microsoft https://sender.office.com/ (IP und Ihre Adresse eingeben, E-Mail bestätigen); das dauert bis zu 24 Stunden.")
	adviceGooglePostmaster = t("Check the domain in Google Postmaster Tools (https://postmaster.google.com/) and the sender guidelines (https://support.google.com/a/answer/81126).",
		"Prüfen Sie die Domain in den Google Postmaster Tools (https://postmaster.google.com/) und die Absenderrichtlinien (https://support.google.com/a/answer/81126).")
	adviceUIContact = t("Once the cause is fixed, request unblocking via the case link in the reply or the contact form on the postmaster site (https://postmaster.gmx.net for GMX, https://postmaster.web.de for WEB.DE).",
		"Ist die Ursache behoben, beantragen Sie die Entsperrung über den Fall-Link in der Antwort oder das Kontaktformular der Postmaster-Seite (https://postmaster.gmx.net für GMX, https://postmaster.web.de für WEB.DE).")
	meaningTOnlineRE = t("T-Online refuses the sending IP for its reputation (rule code RE:…, pointing to the IP reputation section of postmaster.t-online.de).",
		"T-Online lehnt die sendende IP wegen ihrer Reputation ab (Regelkennung RE:…, mit Verweis auf den Abschnitt zur IP-Reputation auf postmaster.t-online.de).")
	adviceTOnlineReputation = t("Read the section the reply links on postmaster.t-online.de, meet T-Online's requirements (a PTR name that names your server, a legal notice (Impressum) reachable under its domain), then ask for a reputation reset via the contact route given there, with the IP and the complete reply.",
		"Lesen Sie den Abschnitt auf postmaster.t-online.de, auf den die Antwort verweist, erfüllen Sie die Anforderungen von T-Online (ein PTR-Name, der Ihren Server benennt, ein unter seiner Domain erreichbares Impressum) und bitten Sie dann über den dort genannten Kontaktweg mit IP und vollständiger Antwort um ein Zurücksetzen der Reputation.")
	adviceRetryOK = t("Your server retries automatically; the message usually goes through once the limit allows it.",
		"Ihr Server versucht es automatisch erneut; die Nachricht geht meist durch, sobald die Grenze es zulässt.")
)

var providerRules = []providerRule{
	// --- Microsoft (Outlook.com consumer and Exchange Online) ---
	// Outlook.com postmaster "Troubleshooting" page, SMTP error code table;
	// community sources (wordtothewise, smtp.codes) for the S-codes.
	textRule("microsoft.S3150", provider.Microsoft, []string{"(s3150)"}, true, Blocked,
		t("Outlook.com refuses the sending IP because it, or the network range it belongs to, is on Microsoft's internal block list (S3150).",
			"Outlook.com lehnt die sendende IP ab, weil sie oder der Netzbereich, zu dem sie gehört, auf Microsofts interner Sperrliste steht (S3150)."),
		t("If you do not run the server yourself, forward this reply to the operator of the sending IP (your hoster or Internet provider): only they can request the removal.",
			"Wenn Sie den Server nicht selbst betreiben, leiten Sie diese Antwort an den Betreiber der sendenden IP weiter (Hoster oder Internetanbieter): Nur er kann die Austragung beantragen."),
		adviceMSSNDS, adviceMSSupportForm),
	textRule("microsoft.S3140", provider.Microsoft, []string{"(s3140)"}, true, Blocked,
		t("Outlook.com refuses the sending IP because it is on Microsoft's internal block list (S3140).",
			"Outlook.com lehnt die sendende IP ab, weil sie auf Microsofts interner Sperrliste steht (S3140)."),
		adviceMSSNDS, adviceMSSupportForm),
	rule("microsoft.4.7.650", provider.Microsoft, 4, 7, 650, 651, nil, false, BadReputation,
		t("Outlook.com temporarily rate-limits the sending IP because of its low reputation (4.7.650/4.7.651, often with S775, S843 or S3114).",
			"Outlook.com drosselt die sendende IP vorübergehend wegen ihrer geringen Reputation (4.7.650/4.7.651, oft mit S775, S843 oder S3114)."),
		adviceRetryOK, adviceMSSNDS,
		t("If it lasts for days, use the sender support form (https://olcsupport.office.com/).", "Hält es tagelang an, nutzen Sie das Absender-Supportformular (https://olcsupport.office.com/).")),
	textRule("microsoft.4.7.650", provider.Microsoft, []string{"temporarily rate limited due to ip reputation"}, true, BadReputation,
		t("Outlook.com temporarily rate-limits the sending IP because of its low reputation (4.7.650/4.7.651).",
			"Outlook.com drosselt die sendende IP vorübergehend wegen ihrer geringen Reputation (4.7.650/4.7.651)."),
		adviceRetryOK, adviceMSSNDS),
	rule("microsoft.5.7.606-649", provider.Microsoft, 5, 7, 606, 649, nil, false, Blocked,
		t("The sending IP is on the block list of Exchange Online Protection (banned sending IP, 5.7.606–5.7.649).",
			"Die sendende IP steht auf der Sperrliste von Exchange Online Protection (gesperrte sendende IP, 5.7.606–5.7.649)."),
		adviceMSDelist),
	textRule("microsoft.5.7.606-649", provider.Microsoft, []string{"banned sending ip"}, true, Blocked,
		t("The sending IP is on the block list of Exchange Online Protection (banned sending IP, 5.7.606–5.7.649).",
			"Die sendende IP steht auf der Sperrliste von Exchange Online Protection (gesperrte sendende IP, 5.7.606–5.7.649)."),
		adviceMSDelist),
	rule("microsoft.5.7.511", provider.Microsoft, 5, 7, 511, 511, nil, false, Blocked,
		t("The sending IP has been banned by Microsoft (5.7.511); the delist portal does not apply to this code.",
			"Die sendende IP wurde von Microsoft gesperrt (5.7.511); das Austragungsportal gilt für diesen Code nicht."),
		t("Forward the complete bounce to delist@microsoft.com as the reply asks, with the IP and what you changed.",
			"Leiten Sie die vollständige Unzustellbarkeitsnachricht (NDR) wie in der Antwort verlangt an delist@microsoft.com weiter, mit IP und Ihren Änderungen.")),
	rule("microsoft.5.7.515", provider.Microsoft, 5, 7, 515, 515, nil, false, AuthFailure,
		t("Outlook.com requires domains that send more than 5,000 messages a day to pass SPF and DKIM and publish DMARC (at least p=none) aligned with one of them; this message did not meet that level (5.7.515).",
			"Outlook.com verlangt von Domains mit mehr als 5.000 Nachrichten pro Tag, dass SPF und DKIM bestehen und DMARC (mindestens p=none) mit Ausrichtung auf eines davon veröffentlicht ist; diese Nachricht erfüllte das nicht (5.7.515)."),
		t("Make SPF pass for the envelope domain, sign with DKIM for the From domain, and publish a DMARC record; then resend.",
			"Sorgen Sie dafür, dass SPF für die Umschlagdomain besteht, signieren Sie per DKIM für die From-Domain und veröffentlichen Sie einen DMARC-Eintrag; senden Sie dann erneut.")),
	textRule("microsoft.5.7.515", provider.Microsoft, []string{"does not meet the required authentication level"}, true, AuthFailure,
		t("Outlook.com's rule for high-volume senders: SPF and DKIM must pass and DMARC (at least p=none) must be published (5.7.515).",
			"Die Regel von Outlook.com für Massenversender: SPF und DKIM müssen bestehen und DMARC (mindestens p=none) muss veröffentlicht sein (5.7.515).")),
	rule("microsoft.5.7.708", provider.Microsoft, 5, 7, 708, 708, nil, false, Blocked,
		t("Exchange Online does not accept traffic from this IP because of its low reputation; this typically hits new or trial Microsoft 365 tenants sending out (5.7.708).",
			"Exchange Online nimmt von dieser IP wegen ihrer geringen Reputation keinen Verkehr an; das trifft typischerweise neue oder Test-Mandanten von Microsoft 365 beim Versand (5.7.708)."),
		t("If you send from Microsoft 365: verify your domains in the tenant, keep volume low while the tenant is new, and open a Microsoft support case if it persists.",
			"Senden Sie aus Microsoft 365: Bestätigen Sie Ihre Domains im Mandanten, halten Sie das Volumen niedrig, solange der Mandant neu ist, und eröffnen Sie einen Microsoft-Supportfall, wenn es anhält.")),
	textRule("microsoft.5.7.708", provider.Microsoft, []string{"traffic not accepted from this ip"}, true, Blocked,
		t("Exchange Online does not accept traffic from this IP because of its low reputation (5.7.708).",
			"Exchange Online nimmt von dieser IP wegen ihrer geringen Reputation keinen Verkehr an (5.7.708).")),
	rule("microsoft.5.7.513", provider.Microsoft, 5, 7, 513, 513, nil, false, Blocked,
		t("The recipient's organisation put your sending IP on its own block list (5.7.513); Microsoft cannot lift it.",
			"Die Organisation des Empfängers hat Ihre sendende IP auf ihre eigene Sperrliste gesetzt (5.7.513); Microsoft kann das nicht aufheben."),
		t("Ask the recipient to have their administrator remove the entry.", "Bitten Sie den Empfänger, die Sperre von seinem Administrator entfernen zu lassen.")),
	rule("microsoft.5.7.509", provider.Microsoft, 5, 7, 509, 509, nil, false, AuthFailure,
		t("The From domain failed DMARC and publishes p=reject, so Microsoft refused the message (5.7.509).",
			"Die From-Domain hat DMARC nicht bestanden und veröffentlicht p=reject, daher hat Microsoft die Nachricht abgelehnt (5.7.509).")),
	rule("microsoft.5.7.501-503", provider.Microsoft, 5, 7, 501, 503, nil, false, Blocked,
		t("Microsoft banned the sending account for spam (5.7.501–5.7.503), usually because it was compromised.",
			"Microsoft hat das sendende Konto wegen Spam gesperrt (5.7.501–5.7.503), meist weil es gekapert wurde."),
		t("Secure the account (reset the password, check inbox rules and app consents), then ask the tenant's admin to remove it from the restricted users list.",
			"Sichern Sie das Konto (Passwort zurücksetzen, Posteingangsregeln und App-Berechtigungen prüfen) und bitten Sie dann den Administrator des Mandanten, es aus der Liste eingeschränkter Benutzer zu entfernen.")),
	rule("microsoft.5.7.750", provider.Microsoft, 5, 7, 750, 750, nil, false, Blocked,
		t("Exchange Online blocks the tenant from sending from domains it has not registered (5.7.750).",
			"Exchange Online hindert den Mandanten am Senden von Domains, die er nicht registriert hat (5.7.750)."),
		t("Add and verify the sending domain as an accepted domain in the tenant, or fix the connector.", "Fügen Sie die sendende Domain als akzeptierte Domain im Mandanten hinzu und bestätigen Sie sie, oder korrigieren Sie den Connector.")),
	rule("microsoft.5.7.705", provider.Microsoft, 5, 7, 705, 705, nil, false, Blocked,
		t("Most mail from this tenant was judged suspicious, so its sending is banned (5.7.705).",
			"Der größte Teil der E-Mails dieses Mandanten wurde als verdächtig eingestuft, daher ist sein Versand gesperrt (5.7.705).")),
	rule("microsoft.4.7.500-699", provider.Microsoft, 4, 7, 500, 699, nil, false, RateLimited,
		t("Exchange Online throttles the IP (4.7.500–4.7.699): it sent much more than its usual pattern and is on probation; \"AS(nnnn)\" is an internal anti-spam rule number.",
			"Exchange Online drosselt die IP (4.7.500–4.7.699): Sie hat deutlich mehr gesendet als üblich und steht unter Beobachtung; „AS(nnnn)“ ist eine interne Anti-Spam-Regelnummer."),
		adviceRetryOK,
		t("Raise volume from a new IP gradually; if it lasts more than a few days, open a case with Microsoft support.",
			"Steigern Sie das Volumen von einer neuen IP schrittweise; hält es länger als einige Tage an, eröffnen Sie einen Fall beim Microsoft-Support.")),
	rule("microsoft.4.7.850-899", provider.Microsoft, 4, 7, 850, 899, nil, false, RateLimited,
		t("Exchange Online saw suspicious activity from this IP and restricts it temporarily while it is evaluated (4.7.850–4.7.899).",
			"Exchange Online hat verdächtige Aktivität dieser IP bemerkt und schränkt sie während der Prüfung vorübergehend ein (4.7.850–4.7.899)."),
		adviceRetryOK),
	textRule("microsoft.5.4.1-dbeb", provider.Microsoft, []string{"recipient address rejected: access denied"}, false, UserUnknown,
		t("Exchange Online's directory-based edge blocking: the recipient address does not exist in the organisation (5.4.1 \"Recipient address rejected: Access denied\").",
			"Verzeichnisbasierte Blockierung von Exchange Online: Die Empfängeradresse existiert in der Organisation nicht (5.4.1 „Recipient address rejected: Access denied“).")),
	// "Queued mail for delivery" is an acceptance, nothing more: Outlook.com
	// accepts mail it later discards (issue 11: never call it delivered).
	textRule("microsoft.queued", provider.Microsoft, []string{"queued mail for delivery"}, true, Accepted,
		t("Exchange Online accepted the message and queued it for delivery to the mailbox.",
			"Exchange Online hat die Nachricht angenommen und zur Zustellung ins Postfach eingereiht.")),
	textRule("microsoft.SC-001", provider.Microsoft, []string{"sc-001"}, true, Blocked,
		t("Outlook.com refused the mail for policy reasons: spam-like content or the IP's or domain's reputation (SC-001).",
			"Outlook.com hat die E-Mail aus Richtliniengründen abgelehnt: spamartiger Inhalt oder Reputation von IP oder Domain (SC-001)."),
		adviceMSSNDS, adviceMSSupportForm),
	textRule("microsoft.SC-002", provider.Microsoft, []string{"sc-002"}, true, Blocked,
		t("Outlook.com blocked the IP for namespace mining: it checked addresses without sending (SC-002).",
			"Outlook.com hat die IP wegen Adress-Ausspähung gesperrt: Sie hat Adressen geprüft, ohne zu senden (SC-002)."),
		t("Stop any address verification against Outlook.com and check the server for compromised accounts.", "Beenden Sie jede Adressprüfung gegen Outlook.com und prüfen Sie den Server auf gekaperte Konten."), adviceMSSupportForm),
	textRule("microsoft.SC-003", provider.Microsoft, []string{"sc-003"}, true, Blocked,
		t("Outlook.com blocked the IP because it looks like an open proxy or relay (SC-003).",
			"Outlook.com hat die IP gesperrt, weil sie wie ein offener Proxy oder ein offenes Relay aussieht (SC-003)."),
		t("Close the open relay or proxy, then request removal.", "Schließen Sie das offene Relay oder den Proxy und beantragen Sie dann die Austragung."), adviceMSSupportForm),
	textRule("microsoft.SC-004", provider.Microsoft, []string{"sc-004"}, true, Blocked,
		t("Outlook.com blocked the IP because of user complaints about its mail (SC-004).",
			"Outlook.com hat die IP wegen Nutzerbeschwerden über ihre E-Mails gesperrt (SC-004)."),
		t("Join JMRP (https://sendersupport.olc.protection.outlook.com/snds/JMRP.aspx) and remove complainers from your list.", "Melden Sie sich bei JMRP an (https://sendersupport.olc.protection.outlook.com/snds/JMRP.aspx) und entfernen Sie Beschwerdeführer aus Ihrer Liste."), adviceMSSupportForm),
	textRule("microsoft.DY-001", provider.Microsoft, []string{"dy-001"}, true, Blocked,
		t("Outlook.com does not accept mail directly from dynamic or residential IPs (DY-001).",
			"Outlook.com nimmt keine E-Mails direkt von dynamischen oder privaten Anschluss-IPs an (DY-001)."),
		t("Send through your provider's smarthost or a server with a static IP and proper reverse DNS.", "Senden Sie über den Smarthost Ihres Anbieters oder einen Server mit statischer IP und korrektem Reverse-DNS.")),
	textRule("microsoft.DY-002", provider.Microsoft, []string{"dy-002"}, true, Blocked,
		t("Outlook.com thinks the sending server or computer is compromised or infected (DY-002).",
			"Outlook.com hält den sendenden Server oder Rechner für gekapert oder infiziert (DY-002)."),
		t("Check the sending host for malware and abused accounts before requesting removal.", "Prüfen Sie den sendenden Rechner auf Schadsoftware und missbrauchte Konten, bevor Sie die Austragung beantragen."), adviceMSSupportForm),
	textRule("microsoft.OU-001", provider.Microsoft, []string{"ou-001"}, true, Blocked,
		t("Outlook.com refused the mail because of a Spamhaus listing (OU-001).",
			"Outlook.com hat die E-Mail wegen eines Spamhaus-Eintrags abgelehnt (OU-001)."),
		t("Look up the IP and domain at https://check.spamhaus.org/ and follow Spamhaus' removal procedure.", "Prüfen Sie IP und Domain unter https://check.spamhaus.org/ und folgen Sie dem Austragungsverfahren von Spamhaus.")),
	textRule("microsoft.OU-002", provider.Microsoft, []string{"ou-002"}, true, SpamDetected,
		t("Outlook.com refused the mail for spam-like content or IP/domain reputation (OU-002).",
			"Outlook.com hat die E-Mail wegen spamartigen Inhalts oder der Reputation von IP/Domain abgelehnt (OU-002)."),
		adviceMSSNDS),
	textRule("microsoft.RP-00x", provider.Microsoft, []string{" rp-00"}, true, RateLimited,
		t("Outlook.com limits the rate or the number of connections from this IP because of its reputation (RP-001/RP-002/RP-003).",
			"Outlook.com begrenzt Rate oder Zahl der Verbindungen von dieser IP wegen ihrer Reputation (RP-001/RP-002/RP-003)."),
		adviceRetryOK, adviceMSSNDS),

	// --- Google (Gmail, Workspace) — "Gmail SMTP errors and codes",
	// support.google.com/a/answer/3726730; sender guidelines answer/81126.
	rule("google.x.7.27", provider.Google, 0, 7, 27, 27, nil, false, AuthFailure,
		t("At Gmail, x.7.27 means the message did not pass SPF (unlike the IANA registry, where x.7.27 is a sender null MX). Gmail requires SPF for bulk senders; 4.7.27 is a rate limit, 5.7.27 a rejection.",
			"Bei Gmail bedeutet x.7.27, dass die Nachricht SPF nicht bestanden hat (anders als im IANA-Register, wo x.7.27 einen Null-MX des Absenders meint). Gmail verlangt SPF von Massenversendern; 4.7.27 ist eine Drosselung, 5.7.27 eine Ablehnung."),
		t("Add the sending IP to the SPF record of the envelope (MAIL FROM) domain.", "Nehmen Sie die sendende IP in den SPF-Eintrag der Umschlagdomain (MAIL FROM) auf."), adviceGooglePostmaster),
	rule("google.x.7.29", provider.Google, 0, 7, 29, 29, nil, false, FailedSTARTTLS,
		t("At Gmail, x.7.29 means the message was not sent over TLS (unlike the IANA registry, where x.7.29 is an ARC failure). Gmail requires TLS for bulk senders.",
			"Bei Gmail bedeutet x.7.29, dass die Nachricht nicht über TLS gesendet wurde (anders als im IANA-Register, wo x.7.29 einen ARC-Fehler meint). Gmail verlangt TLS von Massenversendern."),
		t("Enable STARTTLS on the sending MTA.", "Aktivieren Sie STARTTLS auf dem sendenden MTA.")),
	rule("google.x.7.30", provider.Google, 0, 7, 30, 30, nil, false, AuthFailure,
		t("At Gmail, x.7.30 means the message did not pass DKIM (unlike the IANA registry, where x.7.30 is \"REQUIRETLS support required\"). Gmail requires DKIM for bulk senders.",
			"Bei Gmail bedeutet x.7.30, dass die Nachricht DKIM nicht bestanden hat (anders als im IANA-Register, wo x.7.30 „REQUIRETLS-Unterstützung erforderlich“ meint). Gmail verlangt DKIM von Massenversendern."),
		t("Sign every message with DKIM for the From domain and check the key in DNS.", "Signieren Sie jede Nachricht per DKIM für die From-Domain und prüfen Sie den Schlüssel im DNS."), adviceGooglePostmaster),
	rule("google.x.7.32", provider.Google, 0, 7, 32, 32, nil, false, AuthFailure,
		t("Gmail: the From domain is not aligned with the SPF or DKIM domain (x.7.32, not in the IANA registry).",
			"Gmail: Die From-Domain passt weder zur SPF- noch zur DKIM-Domain (x.7.32, nicht im IANA-Register)."),
		t("Sign with DKIM using the From domain (d=) or send with an envelope domain under the From domain.", "Signieren Sie per DKIM mit der From-Domain (d=) oder verwenden Sie eine Umschlagdomain unterhalb der From-Domain.")),
	rule("google.x.7.40", provider.Google, 0, 7, 40, 40, []string{"dmarc"}, false, AuthFailure,
		t("Gmail: the sending domain has no DMARC record or its policy is missing (x.7.40, not in the IANA registry).",
			"Gmail: Die Absenderdomain hat keinen DMARC-Eintrag oder keine Richtlinie darin (x.7.40, nicht im IANA-Register)."),
		t("Publish a DMARC record, at least \"v=DMARC1; p=none\", at _dmarc.<your domain>.", "Veröffentlichen Sie einen DMARC-Eintrag, mindestens „v=DMARC1; p=none“, unter _dmarc.<Ihre Domain>.")),
	rule("google.4.7.28", provider.Google, 4, 7, 28, 28, nil, false, RateLimited,
		t("Gmail saw an unusual rate of (unsolicited) mail from your IP, domain or URLs and rate-limits it (4.7.28).",
			"Gmail hat eine ungewöhnliche Rate (unerwünschter) E-Mails von Ihrer IP, Domain oder Ihren URLs festgestellt und drosselt sie (4.7.28)."),
		adviceRetryOK, adviceGooglePostmaster),
	rule("google.4.7.26", provider.Google, 4, 7, 26, 26, nil, false, AuthFailure,
		t("Gmail rate-limits the message because it is unauthenticated: it passed neither SPF nor DKIM (4.7.26).",
			"Gmail drosselt die Nachricht, weil sie nicht authentifiziert ist: Sie hat weder SPF noch DKIM bestanden (4.7.26)."),
		adviceGooglePostmaster),
	rule("google.5.4.5", provider.Google, 5, 4, 5, 5, nil, false, RateLimited,
		t("The Google account or Workspace SMTP relay reached its daily sending limit (5.4.5).",
			"Das Google-Konto oder das SMTP-Relay von Workspace hat sein tägliches Sendelimit erreicht (5.4.5)."),
		t("Wait until the limit resets (up to 24 hours) or move bulk sending to a dedicated service.", "Warten Sie, bis das Limit zurückgesetzt wird (bis zu 24 Stunden), oder verlagern Sie Massenversand auf einen eigenen Dienst.")),
	textRule("google.rate", provider.Google, []string{"try again later, closing connection"}, false, RateLimited,
		t("Gmail is temporarily limiting how much it accepts from this sender (421 4.7.0 \"Try again later, closing connection\").",
			"Gmail begrenzt vorübergehend, wie viel es von diesem Absender annimmt (421 4.7.0 „Try again later, closing connection“)."),
		adviceRetryOK, adviceGooglePostmaster),

	// --- Yahoo / AOL — senders.yahooinc.com/smtp-error-codes (TS, TSS, PH categories).
	textRule("yahoo.TSS04", provider.Yahoo, []string{"[tss04]"}, true, BadReputation,
		t("Yahoo temporarily defers mail from this IP because of unexpected volume or user complaints (TSS04).",
			"Yahoo stellt E-Mails dieser IP vorübergehend zurück, wegen unerwarteten Volumens oder Nutzerbeschwerden (TSS04)."),
		adviceRetryOK,
		t("Reduce volume, remove complainers (Yahoo complaint feedback loop) and send only to engaged recipients.", "Senden Sie weniger, entfernen Sie Beschwerdeführer (Yahoo-Beschwerde-Rückmeldeschleife) und senden Sie nur an aktive Empfänger.")),
	textRule("yahoo.nouser", provider.Yahoo, []string{"this user doesn't have a yahoo.com account"}, true, UserUnknown,
		t("Yahoo: the recipient's account does not exist. Yahoo asks senders not to retry and to remove the address.",
			"Yahoo: Das Konto des Empfängers existiert nicht. Yahoo bittet, es nicht erneut zu versuchen und die Adresse zu entfernen.")),
	textRule("yahoo.TSS09", provider.Yahoo, []string{"[tss09]"}, true, Blocked,
		t("Yahoo permanently defers all mail from this IP (TSS09): retrying will not help.",
			"Yahoo stellt alle E-Mails dieser IP dauerhaft zurück (TSS09): Wiederholen hilft nicht."),
		t("Fix the reputation problem and submit a sender support request (https://senders.yahooinc.com/contact).", "Beheben Sie das Reputationsproblem und stellen Sie eine Supportanfrage (https://senders.yahooinc.com/contact).")),
	textRule("yahoo.TSS11", provider.Yahoo, []string{"[tss11]"}, true, Blocked,
		t("Yahoo permanently defers mail from this IP (TSS11).", "Yahoo stellt E-Mails dieser IP dauerhaft zurück (TSS11)."),
		t("Fix the reputation problem and submit a sender support request (https://senders.yahooinc.com/contact).", "Beheben Sie das Reputationsproblem und stellen Sie eine Supportanfrage (https://senders.yahooinc.com/contact).")),
	textRule("yahoo.TS0x", provider.Yahoo, []string{"[ts0"}, true, BadReputation,
		t("Yahoo temporarily defers the message (TS01–TS03): complaints, spam-like content, poor reputation of the IP or its subnet, or unusual traffic.",
			"Yahoo stellt die Nachricht vorübergehend zurück (TS01–TS03): Beschwerden, spamartiger Inhalt, schlechte Reputation der IP oder ihres Subnetzes oder ungewöhnlicher Verkehr."),
		adviceRetryOK,
		t("If it persists for more than 48 hours, review your content and list, then submit a sender support request.", "Hält es länger als 48 Stunden an, prüfen Sie Inhalt und Liste und stellen Sie dann eine Supportanfrage.")),
	textRule("yahoo.PH0x", provider.Yahoo, []string{"[ph0"}, true, PolicyViolation,
		t("Yahoo refused the content (PH01 and related): it suspects phishing, malware or links to such.",
			"Yahoo hat den Inhalt abgelehnt (PH01 und verwandte): Es vermutet Phishing, Schadsoftware oder Links dorthin."),
		t("Check every link and attachment in the message (URL block lists, redirectors, compromised sites) and remove what is flagged.", "Prüfen Sie jeden Link und Anhang der Nachricht (URL-Sperrlisten, Weiterleitungsdienste, gekaperte Seiten) und entfernen Sie, was auffällt.")),
	textRule("yahoo.BL2x", provider.Yahoo, []string{"[bl2"}, true, Blocked,
		t("Yahoo refuses connections because the IP is listed by Spamhaus (BL21/BL22/BL23).",
			"Yahoo lehnt Verbindungen ab, weil die IP bei Spamhaus gelistet ist (BL21/BL22/BL23)."),
		t("Look up the IP at https://check.spamhaus.org/ and follow the removal steps there.", "Prüfen Sie die IP unter https://check.spamhaus.org/ und folgen Sie den dortigen Schritten zur Austragung.")),

	// --- United Internet (GMX, WEB.DE, IONOS/1&1): postmaster.gmx.net and
	// postmaster.web.de error pages, the 1&1 help page on SMTP errors,
	// smtp.codes. The replies carry no enhanced code but a case link
	// (c=r…). Rules whose wording is theirs alone imply the provider; the
	// generic wordings ("mailbox unavailable", "rate limit reached") apply
	// only when the MX or the text named it. The specific causes come
	// before the "Nemesis" greeting that accompanies most of them.
	textRule("unitedinternet.ptr", provider.UnitedInternet, []string{"bad dns ptr resource record"}, true, RequirePTR,
		t("GMX/WEB.DE refuse the sending IP's reverse DNS: the PTR name is missing, looks generic or dynamic, or does not resolve back.",
			"GMX/WEB.DE lehnen den Reverse-DNS-Eintrag der sendenden IP ab: Der PTR-Name fehlt, wirkt generisch oder dynamisch oder zeigt nicht zurück."),
		t("Have the owner of the sending IP (hoster or Internet provider) set a PTR name that names your mail server, not a generic or dynamic-looking name of the access network, and that resolves back to the same IP.",
			"Lassen Sie den Inhaber der sendenden IP (Hoster oder Internetanbieter) einen PTR-Namen setzen, der Ihren Mailserver benennt – keinen generischen oder dynamisch wirkenden Namen des Zugangsnetzes – und wieder auf dieselbe IP zeigt."),
		adviceUIContact),
	textRule("unitedinternet.blocklist", provider.UnitedInternet, []string{"ip address is block listed"}, true, Blocked,
		t("GMX/WEB.DE refuse the sending IP because it is on one of the block lists they use.",
			"GMX/WEB.DE lehnen die sendende IP ab, weil sie auf einer der von ihnen verwendeten Sperrlisten steht."),
		t("Look the IP up on the public block lists (mxprobe check shows them), fix the cause of the listing and have it removed there.",
			"Prüfen Sie die IP auf den öffentlichen Sperrlisten (mxprobe check zeigt sie), beheben Sie die Ursache des Eintrags und beantragen Sie dort die Austragung."),
		adviceUIContact),
	textRule("unitedinternet.spf", provider.UnitedInternet, []string{"reject due to spf policy"}, true, AuthFailure,
		t("GMX/WEB.DE rejected the message because SPF failed: the sending IP is not in the domain's SPF record (often forwarding without SRS).",
			"GMX/WEB.DE haben die Nachricht abgelehnt, weil SPF fehlschlug: Die sendende IP steht nicht im SPF-Eintrag der Domain (oft Weiterleitung ohne SRS)."),
		t("Add the sending IP to the SPF record of the envelope sender's domain; if your server forwards mail, rewrite the envelope sender (SRS).",
			"Nehmen Sie die sendende IP in den SPF-Eintrag der Domain des Umschlagabsenders auf; leitet Ihr Server E-Mails weiter, schreiben Sie den Umschlagabsender um (SRS)."),
		adviceUIContact),
	textRule("unitedinternet.policy-ip", provider.UnitedInternet, []string{"reject due to policy restrictions", "ip based"}, true, Blocked,
		t("GMX/WEB.DE temporarily refuse the IP because a high share of its mail was classified as spam (policy restrictions, IP based).",
			"GMX/WEB.DE lehnen die IP vorübergehend ab, weil ein hoher Anteil ihrer E-Mails als Spam eingestuft wurde (Richtlinie, IP-basiert)."),
		t("Find and stop the source of the spam (a compromised account, an abused web form, an old list); the block expires after some time.",
			"Finden und stoppen Sie die Quelle des Spams (ein gekapertes Konto, ein missbrauchtes Webformular, eine alte Liste); die Sperre läuft nach einiger Zeit ab."),
		adviceUIContact),
	textRule("unitedinternet.policy-header", provider.UnitedInternet, []string{"reject due to policy restrictions", "header based"}, true, NotCompliantRFC,
		t("GMX/WEB.DE refused the message because its header data violate standards or policy (policy restrictions, header based).",
			"GMX/WEB.DE haben die Nachricht abgelehnt, weil ihre Headerdaten gegen Standards oder Richtlinien verstoßen (Richtlinie, headerbasiert)."),
		t("Make the header RFC 5322 compliant: exactly one From, Date and Message-ID, a plausible date, no duplicated fields.",
			"Machen Sie den Header RFC-5322-konform: genau ein From, Date und Message-ID, ein plausibles Datum, keine doppelten Felder."),
		adviceUIContact),
	textRule("unitedinternet.policy-domain", provider.UnitedInternet, []string{"reject due to policy restrictions", "domain based"}, true, Blocked,
		t("GMX/WEB.DE consider the sender domain a spam source (policy restrictions, domain based).",
			"GMX/WEB.DE halten die Absenderdomain für eine Spamquelle (Richtlinie, domainbasiert)."),
		t("Check the domain on the domain block lists (for example Spamhaus DBL) and stop whatever sends spam under its name.",
			"Prüfen Sie die Domain auf den Domain-Sperrlisten (zum Beispiel Spamhaus DBL) und stoppen Sie, was unter ihrem Namen Spam versendet."),
		adviceUIContact),
	textRule("unitedinternet.policy", provider.UnitedInternet, []string{"reject due to policy restrictions"}, true, PolicyViolation,
		t("GMX/WEB.DE refused the message by policy: the sender or IP counts as a spam source, or the technical data of the mail do not meet their standards.",
			"GMX/WEB.DE haben die Nachricht per Richtlinie abgelehnt: Absender oder IP gelten als Spamquelle, oder die technischen Daten der E-Mail entsprechen nicht ihren Standards."),
		t("Open the case link in the reply (c=…): it names the cause; fix it and use the unblocking form there.",
			"Öffnen Sie den Fall-Link in der Antwort (c=…): Er nennt die Ursache; beheben Sie sie und nutzen Sie dort das Entsperrformular.")),
	textRule("unitedinternet.violations", provider.UnitedInternet, []string{"reject due to policy violations"}, true, BadReputation,
		t("GMX/WEB.DE block the IP for a poor delivery rate (many unknown recipients, old lists, compromised mailboxes) or a constantly changing HELO name.",
			"GMX/WEB.DE sperren die IP wegen schlechter Zustellquote (viele unbekannte Empfänger, alte Listen, gekaperte Postfächer) oder eines ständig wechselnden HELO-Namens."),
		t("Remove unknown addresses from your lists, secure compromised mailboxes and use one fixed HELO name per IP; then retry later.",
			"Entfernen Sie unbekannte Adressen aus Ihren Listen, sichern Sie gekaperte Postfächer und verwenden Sie einen festen HELO-Namen pro IP; versuchen Sie es dann später erneut."),
		adviceUIContact),
	textRule("unitedinternet.ratelimit", provider.UnitedInternet, []string{"rate limit reached"}, false, RateLimited,
		t("GMX/WEB.DE: too many messages in too short a time.", "GMX/WEB.DE: zu viele Nachrichten in zu kurzer Zeit."),
		t("Try again in a few hours and send more slowly to GMX/WEB.DE.", "Versuchen Sie es in einigen Stunden erneut und senden Sie langsamer an GMX/WEB.DE.")),
	textRule("unitedinternet.sender-dns", provider.UnitedInternet, []string{"invalid dns mx or a/aaaa resource record"}, true, Rejected,
		t("GMX/WEB.DE refuse the sender domain because it has no MX or A/AAAA record that could receive replies.",
			"GMX/WEB.DE lehnen die Absenderdomain ab, weil sie keinen MX- oder A/AAAA-Eintrag hat, der Antworten empfangen könnte."),
		t("Publish an MX record (or at least an A/AAAA record) for the envelope sender's domain that accepts replies and bounces.",
			"Veröffentlichen Sie für die Domain des Umschlagabsenders einen MX-Eintrag (oder wenigstens einen A/AAAA-Eintrag), der Antworten und Unzustellbarkeitsnachrichten annimmt.")),
	// The 1&1 help page on SMTP errors: reception refused for a faulty server
	// configuration (an invalid HELO name, for example), and a temporary
	// local error that often means the sender domain's DNS answered slowly.
	textRule("unitedinternet.config", provider.UnitedInternet, []string{"syntax error in parameters or arguments"}, false, SyntaxError,
		t("GMX/WEB.DE/1&1 refuse mail from this server because of its configuration, for example an invalid HELO name.",
			"GMX/WEB.DE/1&1 lehnen E-Mails dieses Servers wegen seiner Konfiguration ab, zum Beispiel wegen eines ungültigen HELO-Namens."),
		t("Give the server a HELO name that is a real, resolvable host name of its own (ideally its PTR name) and check the rest of its setup against the postmaster pages.",
			"Geben Sie dem Server einen HELO-Namen, der ein echter, auflösbarer eigener Hostname ist (am besten sein PTR-Name), und prüfen Sie die übrige Einrichtung anhand der Postmaster-Seiten."),
		adviceUIContact),
	textRule("unitedinternet.local-error", provider.UnitedInternet, []string{"local error in processing"}, false, SystemError,
		t("GMX/WEB.DE/1&1 could not process the message for the moment; often the sender domain's DNS answered too slowly.",
			"GMX/WEB.DE/1&1 konnten die Nachricht vorübergehend nicht verarbeiten; oft hat das DNS der Absenderdomain zu langsam geantwortet."),
		adviceRetryOK,
		t("If it repeats, make sure the name servers of the sender domain answer quickly and reliably.",
			"Wiederholt es sich, sorgen Sie dafür, dass die Nameserver der Absenderdomain schnell und zuverlässig antworten.")),
	textRule("unitedinternet.mailbox", provider.UnitedInternet, []string{"mailbox unavailable"}, false, UserUnknown,
		t("GMX/WEB.DE: the recipient does not exist, or the mailbox was deactivated after a long time without use.",
			"GMX/WEB.DE: Den Empfänger gibt es nicht, oder das Postfach wurde nach langer Nichtnutzung deaktiviert."),
		t("Check the address for typos; if it is right, the mailbox is gone or inactive: remove the address from your list.",
			"Prüfen Sie die Adresse auf Tippfehler; stimmt sie, ist das Postfach weg oder inaktiv: Entfernen Sie die Adresse aus Ihrer Liste.")),
	textRule("unitedinternet.nemesis", provider.UnitedInternet, []string{"nemesis esmtp service not available"}, true, Blocked,
		t("GMX/WEB.DE refuse the connection: the sending IP is blocked (\"Nemesis ESMTP Service not available\").",
			"GMX/WEB.DE lehnen die Verbindung ab: Die sendende IP ist gesperrt („Nemesis ESMTP Service not available“)."),
		t("Open the explanation link in the reply (postmaster.gmx.net or postmaster.web.de): its case code names the cause.",
			"Öffnen Sie den Erklärungslink in der Antwort (postmaster.gmx.net oder postmaster.web.de): Seine Fallkennung nennt die Ursache."),
		adviceUIContact),

	// --- T-Online — postmaster.t-online.de; T-Online's statement quoted by
	// spamresource.com and hosting providers' articles for (BL)/(NOWL)/(DIAL).
	textRule("t-online.BL", provider.TOnline, []string{"(bl)"}, false, Blocked,
		t("T-Online refuses the connection: it accepts mail only from servers with a known good reputation, and this IP has none or a bad one, for example because it has not sent mail for a long time (BL).",
			"T-Online lehnt die Verbindung ab: Es nimmt E-Mails nur von Servern mit bekannt gutem Ruf an, und diese IP hat keinen oder einen schlechten, etwa weil sie lange keine E-Mails gesendet hat (BL)."),
		t("Make sure the server has a valid PTR name and the sending domain a reachable website with a legal notice (Impressum), then write to tosa@rx.t-online.de with the IP and the complete reply.",
			"Sorgen Sie für einen gültigen PTR-Namen des Servers und eine erreichbare Website mit Impressum unter der Absenderdomain und schreiben Sie dann an tosa@rx.t-online.de mit IP und vollständiger Antwort.")),
	textRule("t-online.NOWL", provider.TOnline, []string{"(nowl)"}, false, BadReputation,
		t("T-Online has no or a bad reputation on record for this IP (NOWL: not on its allow list).",
			"T-Online hat für diese IP keine oder eine schlechte Reputation gespeichert (NOWL: nicht auf der Zulassungsliste)."),
		t("Write to the address named in the reply (tobr@rx.t-online.de) with the IP, the complete reply and the URL of the sending domain's legal notice.",
			"Schreiben Sie an die in der Antwort genannte Adresse (tobr@rx.t-online.de) mit IP, vollständiger Antwort und der Impressums-URL der Absenderdomain.")),
	textRule("t-online.DIAL", provider.TOnline, []string{"(dial)"}, false, Blocked,
		t("T-Online classifies the IP as dial-up or dynamic; it also answers this way when no legal notice (Impressum) can be found for the sending host (DIAL).",
			"T-Online stuft die IP als Einwahl- oder dynamische Adresse ein; so antwortet es auch, wenn für den sendenden Host kein Impressum zu finden ist (DIAL)."),
		t("Send through a mail gateway with a static IP, or write to toda@rx.t-online.de.", "Senden Sie über ein Mail-Gateway mit statischer IP oder schreiben Sie an toda@rx.t-online.de.")),
	// Newer T-Online replies name a rule code such as "RE:R1" and link the
	// IP-reputation section of postmaster.t-online.de; the meaning is taken
	// from that link, the code itself is not documented publicly.
	textRule("t-online.RE", provider.TOnline, []string{"(re:r"}, false, BadReputation, meaningTOnlineRE, adviceTOnlineReputation),
	textRule("t-online.RE", provider.TOnline, []string{" re:r"}, false, BadReputation, meaningTOnlineRE, adviceTOnlineReputation),
	textRule("t-online.ip-reputation", provider.TOnline, []string{"#ip-reputation"}, false, BadReputation,
		t("T-Online refuses the sending IP for its reputation (the reply points to the IP reputation section of postmaster.t-online.de).",
			"T-Online lehnt die sendende IP wegen ihrer Reputation ab (die Antwort verweist auf den Abschnitt zur IP-Reputation auf postmaster.t-online.de)."),
		adviceTOnlineReputation),
	textRule("t-online.spam", provider.TOnline, []string{"considered as spam or virus"}, false, SpamDetected,
		t("T-Online's content filter classified the message as spam or virus.", "Der Inhaltsfilter von T-Online hat die Nachricht als Spam oder Virus eingestuft."),
		t("If it is a false positive, report the complete reply to fpr@rx.t-online.de.", "Handelt es sich um einen Fehlalarm, melden Sie die vollständige Antwort an fpr@rx.t-online.de.")),

	// --- Apple iCloud — support.apple.com/102322; smtp.codes iCloud entries.
	textRule("apple.CS01", provider.Apple, []string{"[cs01]"}, false, Blocked,
		t("iCloud Mail refused the message by local policy (CS01), usually because of the sending domain's or IP's reputation.",
			"iCloud Mail hat die Nachricht per lokaler Richtlinie abgelehnt (CS01), meist wegen der Reputation der Absenderdomain oder der IP."),
		t("If you follow Apple's bulk sender requirements, write to icloudadmin@apple.com with your domain, IPs, the SMTP errors and since when it happens.",
			"Wenn Sie Apples Anforderungen an Massenversender erfüllen, schreiben Sie an icloudadmin@apple.com mit Domain, IPs, den SMTP-Fehlern und seit wann es auftritt.")),
	textRule("apple.volume", provider.Apple, []string{"deferred due to excessive volume"}, false, Speeding,
		t("The iCloud recipient is receiving mail at a high rate right now; later attempts will most likely succeed.",
			"Der iCloud-Empfänger erhält gerade sehr viele E-Mails; spätere Versuche gelingen höchstwahrscheinlich."), adviceRetryOK),

	// --- Mimecast — Mimecast's SMTP error code page (community.mimecast.com DOC-1369).
	textRule("mimecast.signature", provider.Mimecast, []string{"mcspamsignature"}, false, PolicyViolation,
		t("Mimecast rejected the message under the recipient organisation's security policy: a virus signature or a spam score over the limit (MCSpamSignature).",
			"Mimecast hat die Nachricht nach der Sicherheitsrichtlinie der Empfängerorganisation abgelehnt: eine Virensignatur oder ein Spamwert über der Grenze (MCSpamSignature)."),
		t("Ask the recipient's IT to review the rejection in Mimecast and permit your address; otherwise use Mimecast's sender feedback form.",
			"Bitten Sie die IT des Empfängers, die Ablehnung in Mimecast zu prüfen und Ihre Adresse zuzulassen; andernfalls nutzen Sie das Absender-Feedbackformular von Mimecast.")),
	textRule("mimecast.network", provider.Mimecast, []string{"host network not allowed"}, false, PolicyViolation,
		t("The recipient organisation's Mimecast policy does not allow mail from your network.",
			"Die Mimecast-Richtlinie der Empfängerorganisation lässt keine E-Mails aus Ihrem Netz zu."),
		t("Ask the recipient's IT to permit your sending IPs in Mimecast.", "Bitten Sie die IT des Empfängers, Ihre sendenden IPs in Mimecast zuzulassen.")),
	textRule("mimecast.envelope", provider.Mimecast, []string{"envelope blocked"}, false, Filtered,
		t("Your address or domain hit a Blocked Senders policy or an SPF hard rejection at the recipient's Mimecast.",
			"Ihre Adresse oder Domain ist bei Mimecast des Empfängers an einer Blocked-Senders-Richtlinie oder einer harten SPF-Ablehnung gescheitert.")),
}
