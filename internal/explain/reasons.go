package explain

import "github.com/mxprobe/mxprobe/internal/i18n"

// Reason is a bounce reason in sisimai's vocabulary (https://libsisimai.org/en/reason/),
// the de-facto standard of bounce classification, so that results line up
// with tools people already use, plus two of mxprobe's own: accepted (a 2xx
// reply, which proves no delivery) and greylisted (RFC 6647), which sisimai
// does not tell apart from other deferrals.
type Reason string

const (
	AuthFailure     Reason = "authfailure"     // SPF, DKIM or DMARC failed
	BadReputation   Reason = "badreputation"   // sending IP or domain has a poor reputation
	Blocked         Reason = "blocked"         // sending IP or host name is blocked (block list, policy)
	ContentError    Reason = "contenterror"    // message format or media problem
	Accepted        Reason = "accepted"        // a 2xx reply: accepted, not yet proof of delivery
	Delivered       Reason = "delivered"       // delivered: a success DSN (Action delivered, relayed or expanded)
	ExceedLimit     Reason = "exceedlimit"     // per-mailbox size limit exceeded
	Expired         Reason = "expired"         // delivery time expired after retries
	FailedSTARTTLS  Reason = "failedstarttls"  // TLS required or failed
	Filtered        Reason = "filtered"        // rejected by the recipient's filter (often after DATA)
	Greylisted      Reason = "greylisted"      // deferred on purpose until the sender retries (RFC 6647)
	HasMoved        Reason = "hasmoved"        // mailbox moved, no forwarding
	HostUnknown     Reason = "hostunknown"     // recipient domain does not exist
	MailboxFull     Reason = "mailboxfull"     // recipient's mailbox is full
	MailerError     Reason = "mailererror"     // local delivery program failed
	MesgTooBig      Reason = "mesgtoobig"      // message larger than the system accepts
	NetworkError    Reason = "networkerror"    // DNS or connection problem, routing loop
	NoRelaying      Reason = "norelaying"      // server refused to relay
	NotAccept       Reason = "notaccept"       // destination accepts no mail at all (null MX, 521/556)
	NotCompliantRFC Reason = "notcompliantrfc" // message violates RFC 5322 (duplicate headers …)
	OnHold          Reason = "onhold"          // a reply exists, but its reason cannot be decided
	PolicyViolation Reason = "policyviolation" // receiver's content or usage policy
	RateLimited     Reason = "ratelimited"     // provider throttling
	Rejected        Reason = "rejected"        // sender address (envelope from) refused
	RequirePTR      Reason = "requireptr"      // missing or invalid reverse DNS
	SecurityError   Reason = "securityerror"   // security or authorisation failure
	SpamDetected    Reason = "spamdetected"    // content judged as spam
	Speeding        Reason = "speeding"        // sending too fast
	Suspend         Reason = "suspend"         // recipient account disabled or suspended
	SyntaxError     Reason = "syntaxerror"     // SMTP command syntax or sequence error
	SystemError     Reason = "systemerror"     // receiving system error
	SystemFull      Reason = "systemfull"      // receiving system's disk is full
	TooManyConn     Reason = "toomanyconn"     // too many connections or recipients
	UserUnknown     Reason = "userunknown"     // recipient mailbox does not exist
	VirusDetected   Reason = "virusdetected"   // virus found
	Vacation        Reason = "vacation"        // an auto-reply, not a bounce
	Undefined       Reason = "undefined"       // nothing to decide from
)

// Responsible parties.
const (
	RespRecipient     = "recipient"      // the person behind the address must act
	RespListOwner     = "list_owner"     // whoever keeps the address list must fix or remove it
	RespSenderAdmin   = "sender_admin"   // the sending side's mail administrator
	RespReceiverAdmin = "receiver_admin" // the receiving side's mail administrator
	RespNobody        = "nobody"         // transient or success: wait and let the MTA retry
)

// Actionable levels: how likely the sender can fix this on their own.
const (
	ActHigh   = "high"
	ActMedium = "medium"
	ActLow    = "low"
	ActNone   = "none"
)

type reasonDef struct {
	Title       i18n.Text
	Description i18n.Text
	Responsible string
	Actionable  string
	By          string // the way out: list_hygiene, sender_config, message_change, sending_rate, receiver_contact, recipient_action, retry, none
	Advice      []i18n.Text
	// Retrying: the advice already says that the sending server retries,
	// so the general soft-bounce note is left out.
	Retrying bool
}

// delayedDef presents an expired reason whose bounce is soft: the message
// is still queued and retried (a DSN with Action: delayed, RFC 3464
// §2.3.3, or a 4.4.x reply), not given up.
var delayedDef = reasonDef{
	Title:       i18n.T("Delivery is delayed: the sending server keeps retrying", "Die Zustellung ist verzögert: Der sendende Server versucht es weiter"),
	Description: i18n.T("The message has not been delivered yet. The sending server keeps it in its queue and tries again; it gives up only when its retry period ends, usually after several days.", "Die Nachricht ist noch nicht zugestellt. Der sendende Server behält sie in seiner Warteschlange und versucht es erneut; er gibt erst auf, wenn seine Wiederholungsfrist abläuft, meist nach mehreren Tagen."),
	Responsible: RespNobody, Actionable: ActLow, By: "retry", Retrying: true,
	Advice: []i18n.Text{
		i18n.T("Wait: nothing is lost yet, and the sending server reports again if it finally gives up.", "Warten Sie: Noch ist nichts verloren, und der sendende Server meldet sich erneut, falls er endgültig aufgibt."),
		i18n.T("If the delay lasts for hours, check whether the destination's MX hosts are reachable (mxprobe check <domain>) and whether your own outbound port 25 is open.", "Hält die Zurückstellung Stunden an, prüfen Sie, ob die MX-Hosts des Ziels erreichbar sind (mxprobe check <domain>) und ob Ihr eigener ausgehender Port 25 offen ist."),
	},
}

var reasonDefs = map[Reason]reasonDef{
	UserUnknown: {
		Title:       i18n.T("The recipient address does not exist", "Die Empfängeradresse existiert nicht"),
		Description: i18n.T("The receiving server does not know this mailbox. The address is misspelt, was deleted, or never existed.", "Der empfangende Server kennt dieses Postfach nicht. Die Adresse ist falsch geschrieben, wurde gelöscht oder hat nie existiert."),
		Responsible: RespListOwner, Actionable: ActHigh, By: "list_hygiene",
		Advice: []i18n.Text{
			i18n.T("Check the address for typos (local part and domain).", "Prüfen Sie die Adresse auf Tippfehler (lokaler Teil und Domain)."),
			i18n.T("Do not send to it again: remove or suppress it in your list; repeated sends to unknown users hurt your reputation.", "Senden Sie nicht erneut dorthin: Entfernen oder sperren Sie die Adresse in Ihrer Liste; wiederholte Sendungen an unbekannte Empfänger schaden Ihrer Reputation."),
			i18n.T("If the person should exist, ask them for their current address by another channel.", "Falls es die Person geben sollte, fragen Sie sie auf anderem Weg nach ihrer aktuellen Adresse."),
		}},
	HostUnknown: {
		Title:       i18n.T("The recipient domain does not exist or has no mail server", "Die Empfängerdomain existiert nicht oder hat keinen Mailserver"),
		Description: i18n.T("The part after the \"@\" could not be resolved to a mail server: the domain is misspelt, expired, or its DNS is broken.", "Der Teil nach dem „@“ ließ sich keinem Mailserver zuordnen: Die Domain ist falsch geschrieben, abgelaufen, oder ihr DNS ist fehlerhaft."),
		Responsible: RespListOwner, Actionable: ActHigh, By: "list_hygiene",
		Advice: []i18n.Text{
			i18n.T("Check the domain for typos (for example gmial.com, hotmial.de).", "Prüfen Sie die Domain auf Tippfehler (zum Beispiel gmial.com, hotmial.de)."),
			i18n.T("Look up its MX and A records (mxprobe check <domain>); if the domain is gone, remove the address.", "Fragen Sie MX- und A-Einträge ab (mxprobe check <domain>); existiert die Domain nicht mehr, entfernen Sie die Adresse."),
			i18n.T("If it is your own customer's domain, tell them that their DNS is broken.", "Ist es die Domain eines eigenen Kunden, sagen Sie ihm, dass sein DNS fehlerhaft ist."),
		}},
	HasMoved: {
		Title:       i18n.T("The mailbox has moved and mail is not forwarded", "Das Postfach ist umgezogen, E-Mails werden nicht weitergeleitet"),
		Description: i18n.T("The address used to be valid but no longer accepts mail; the reply may name the new address.", "Die Adresse war früher gültig, nimmt aber keine E-Mails mehr an; die Antwort nennt eventuell die neue Adresse."),
		Responsible: RespListOwner, Actionable: ActHigh, By: "list_hygiene",
		Advice: []i18n.Text{
			i18n.T("If the reply names a new address, update your records with it.", "Nennt die Antwort eine neue Adresse, übernehmen Sie diese in Ihre Daten."),
			i18n.T("Otherwise remove the old address from your list.", "Andernfalls entfernen Sie die alte Adresse aus Ihrer Liste."),
		}},
	MailboxFull: {
		Title:       i18n.T("The recipient's mailbox is full", "Das Postfach des Empfängers ist voll"),
		Description: i18n.T("The mailbox has reached its storage quota. The recipient can free space; long-full mailboxes are often abandoned.", "Das Postfach hat sein Speicherkontingent erreicht. Der Empfänger kann Platz schaffen; lange volle Postfächer sind oft verwaist."),
		Responsible: RespRecipient, Actionable: ActMedium, By: "recipient_action",
		Advice: []i18n.Text{
			i18n.T("Let your server retry; tell the recipient by another channel to free space.", "Lassen Sie Ihren Server es erneut versuchen; bitten Sie den Empfänger auf anderem Weg, Platz zu schaffen."),
			i18n.T("If the mailbox stays full for weeks, treat the address as inactive and suppress it.", "Bleibt das Postfach wochenlang voll, behandeln Sie die Adresse als inaktiv und sperren Sie sie."),
		}},
	Suspend: {
		Title:       i18n.T("The recipient's account is disabled or suspended", "Das Konto des Empfängers ist deaktiviert oder gesperrt"),
		Description: i18n.T("The mailbox exists but does not accept mail, for example because the account was closed, locked or is inactive.", "Das Postfach existiert, nimmt aber keine E-Mails an, etwa weil das Konto gekündigt, gesperrt oder inaktiv ist."),
		Responsible: RespRecipient, Actionable: ActMedium, By: "list_hygiene",
		Advice: []i18n.Text{
			i18n.T("Stop sending to this address; suppress it if the state persists.", "Senden Sie nicht weiter an diese Adresse; sperren Sie sie, wenn der Zustand anhält."),
			i18n.T("Ask the person for a working address by another channel.", "Fragen Sie die Person auf anderem Weg nach einer funktionierenden Adresse."),
		}},
	ExceedLimit: {
		Title:       i18n.T("The message exceeds the recipient's size limit", "Die Nachricht überschreitet die Größengrenze des Empfängers"),
		Description: i18n.T("The mailbox or recipient accepts only smaller messages than this one.", "Das Postfach oder der Empfänger nimmt nur kleinere Nachrichten an als diese."),
		Responsible: RespSenderAdmin, Actionable: ActHigh, By: "message_change",
		Advice: []i18n.Text{
			i18n.T("Send the message without large attachments, or share them by link.", "Senden Sie die Nachricht ohne große Anhänge oder teilen Sie diese per Link."),
			i18n.T("Remember that Base64 encoding makes attachments about a third larger.", "Bedenken Sie, dass die Base64-Kodierung Anhänge um etwa ein Drittel vergrößert."),
		}},
	MesgTooBig: {
		Title:       i18n.T("The message is too large for the receiving system", "Die Nachricht ist zu groß für das empfangende System"),
		Description: i18n.T("The message is larger than the receiving server's per-message size limit (see its EHLO SIZE value).", "Die Nachricht ist größer als die Grenze des empfangenden Servers pro Nachricht (siehe dessen SIZE-Angabe bei EHLO)."),
		Responsible: RespSenderAdmin, Actionable: ActHigh, By: "message_change",
		Advice: []i18n.Text{
			i18n.T("Reduce the message size: compress or remove attachments, or share them by link.", "Verkleinern Sie die Nachricht: Anhänge komprimieren, entfernen oder per Link teilen."),
			i18n.T("Check the receiver's advertised limit with mxprobe check (EHLO SIZE).", "Prüfen Sie die angekündigte Grenze des Empfängers mit mxprobe check (EHLO SIZE)."),
		}},
	AuthFailure: {
		Title:       i18n.T("The message failed sender authentication (SPF, DKIM or DMARC)", "Die Nachricht hat die Absenderauthentifizierung nicht bestanden (SPF, DKIM oder DMARC)"),
		Description: i18n.T("The receiver checked SPF, DKIM or DMARC for the sending domain and the result did not pass its policy.", "Der Empfänger hat SPF, DKIM oder DMARC der Absenderdomain geprüft, und das Ergebnis genügt seiner Richtlinie nicht."),
		Responsible: RespSenderAdmin, Actionable: ActHigh, By: "sender_config",
		Advice: []i18n.Text{
			i18n.T("Check the sending domain's SPF record: does it include the IP that sent this message?", "Prüfen Sie den SPF-Eintrag der Absenderdomain: Enthält er die IP, die diese Nachricht gesendet hat?"),
			i18n.T("Make sure every message carries a valid DKIM signature aligned with the From domain.", "Sorgen Sie dafür, dass jede Nachricht eine gültige DKIM-Signatur trägt, die zur From-Domain passt."),
			i18n.T("Check the DMARC record and alignment; forwarding and mailing lists break SPF, so rely on DKIM.", "Prüfen Sie den DMARC-Eintrag und die Ausrichtung; Weiterleitungen und Mailinglisten brechen SPF, verlassen Sie sich daher auf DKIM."),
			i18n.T("Run mxprobe check for the sending domain to see the records as the receiver sees them.", "Führen Sie mxprobe check für die Absenderdomain aus, um die Einträge so zu sehen, wie der Empfänger sie sieht."),
		}},
	RequirePTR: {
		Title:       i18n.T("The sending IP has no valid reverse DNS (PTR)", "Die sendende IP hat keinen gültigen Reverse-DNS-Eintrag (PTR)"),
		Description: i18n.T("The receiver requires a PTR record for the sending IP whose name resolves back to the same IP (forward-confirmed reverse DNS).", "Der Empfänger verlangt für die sendende IP einen PTR-Eintrag, dessen Name wieder auf dieselbe IP zeigt (vorwärts bestätigtes Reverse-DNS)."),
		Responsible: RespSenderAdmin, Actionable: ActHigh, By: "sender_config",
		Advice: []i18n.Text{
			i18n.T("Ask whoever owns the sending IP (hosting or Internet provider) to set a PTR record, e.g. mail.example.com.", "Bitten Sie den Inhaber der sendenden IP (Hoster oder Internetanbieter), einen PTR-Eintrag zu setzen, z. B. mail.example.com."),
			i18n.T("Make the PTR name resolve back to the same IP (A/AAAA) and use it as your EHLO name.", "Lassen Sie den PTR-Namen wieder auf dieselbe IP zeigen (A/AAAA) und verwenden Sie ihn als EHLO-Namen."),
		}},
	Blocked: {
		Title:       i18n.T("The sending IP or host is blocked by the receiver", "Die sendende IP oder der sendende Host ist beim Empfänger gesperrt"),
		Description: i18n.T("The receiver refuses connections or mail from this IP, usually because it is on a block list or has a poor reputation.", "Der Empfänger lehnt Verbindungen oder E-Mails von dieser IP ab, meist weil sie auf einer Sperrliste steht oder einen schlechten Ruf hat."),
		Responsible: RespSenderAdmin, Actionable: ActLow, By: "receiver_contact",
		Advice: []i18n.Text{
			i18n.T("Find out which block list is meant (the reply often names it or links a lookup page) and check the sending IP there.", "Finden Sie heraus, welche Sperrliste gemeint ist (die Antwort nennt sie oft oder verlinkt eine Abfrageseite), und prüfen Sie dort die sendende IP."),
			i18n.T("Fix the cause first (compromised account, open relay, bad list), then request delisting.", "Beheben Sie zuerst die Ursache (gekapertes Konto, offenes Relay, schlechte Liste) und beantragen Sie dann die Austragung."),
			i18n.T("In the request give the sending IP, the full reply line, the time with time zone, and what you changed.", "Geben Sie im Antrag die sendende IP, die vollständige Antwortzeile, die Uhrzeit mit Zeitzone und Ihre Änderungen an."),
		}},
	BadReputation: {
		Title:       i18n.T("The sender's reputation is too low", "Die Reputation des Absenders ist zu schlecht"),
		Description: i18n.T("The receiver throttles or refuses mail because the sending IP or domain has a poor reputation (complaints, spam traps, unknown users, sudden volume).", "Der Empfänger drosselt oder verweigert E-Mails, weil die sendende IP oder Domain einen schlechten Ruf hat (Beschwerden, Spamfallen, unbekannte Empfänger, plötzliches Volumen)."),
		Responsible: RespSenderAdmin, Actionable: ActMedium, By: "sending_rate",
		Advice: []i18n.Text{
			i18n.T("Reduce volume and send only to recently engaged recipients until the reputation recovers.", "Senden Sie weniger und nur an kürzlich aktive Empfänger, bis sich die Reputation erholt."),
			i18n.T("Check the provider's reputation tools (for example Google Postmaster Tools, Microsoft SNDS).", "Prüfen Sie die Reputationswerkzeuge des Anbieters (zum Beispiel Google Postmaster Tools, Microsoft SNDS)."),
			i18n.T("Remove unknown users and complainers; make unsubscribing easy (RFC 8058 one-click).", "Entfernen Sie unbekannte Empfänger und Beschwerdeführer; machen Sie das Abbestellen einfach (RFC 8058, ein Klick)."),
		}},
	RateLimited: {
		Title:       i18n.T("The receiver is throttling the sender", "Der Empfänger drosselt den Absender"),
		Description: i18n.T("The receiver accepts only a limited number of messages or connections from this sender per time; the rest is deferred.", "Der Empfänger nimmt von diesem Absender nur eine begrenzte Zahl von Nachrichten oder Verbindungen pro Zeit an; der Rest wird zurückgestellt."),
		Responsible: RespSenderAdmin, Actionable: ActMedium, By: "sending_rate",
		Advice: []i18n.Text{
			i18n.T("Let your MTA retry with back-off; do not reconnect aggressively.", "Lassen Sie Ihren MTA mit wachsenden Abständen erneut senden; bauen Sie nicht aggressiv neue Verbindungen auf."),
			i18n.T("Lower the concurrency and message rate toward this provider.", "Verringern Sie gleichzeitige Verbindungen und Senderate zu diesem Anbieter."),
			i18n.T("If it persists, check your reputation: throttling is often the first sign of complaints.", "Hält es an, prüfen Sie Ihre Reputation: Drosselung ist oft das erste Zeichen von Beschwerden."),
		}},
	Speeding: {
		Title:       i18n.T("The sender is sending too fast", "Der Absender sendet zu schnell"),
		Description: i18n.T("Too many messages in too short a time, to this recipient or from this sender.", "Zu viele Nachrichten in zu kurzer Zeit, an diesen Empfänger oder von diesem Absender."),
		Responsible: RespSenderAdmin, Actionable: ActHigh, By: "sending_rate",
		Advice: []i18n.Text{
			i18n.T("Slow down: spread the sending over a longer time and lower the per-hour volume.", "Senden Sie langsamer: Verteilen Sie den Versand über einen längeren Zeitraum und senken Sie das Volumen pro Stunde."),
			i18n.T("Let your MTA retry later; these messages usually go through.", "Lassen Sie Ihren MTA es später erneut versuchen; diese Nachrichten gehen meist durch."),
		}},
	TooManyConn: {
		Title:       i18n.T("Too many connections or recipients at once", "Zu viele Verbindungen oder Empfänger auf einmal"),
		Description: i18n.T("The receiver limits simultaneous connections, connections per time, or recipients per message, and this sender exceeded it.", "Der Empfänger begrenzt gleichzeitige Verbindungen, Verbindungen pro Zeit oder Empfänger pro Nachricht, und dieser Absender hat die Grenze überschritten."),
		Responsible: RespSenderAdmin, Actionable: ActHigh, By: "sending_rate",
		Advice: []i18n.Text{
			i18n.T("Lower the number of parallel connections and recipients per message toward this destination.", "Verringern Sie parallele Verbindungen und Empfänger pro Nachricht zu diesem Ziel."),
			i18n.T("Let your MTA retry; the remaining recipients are normally delivered later.", "Lassen Sie Ihren MTA erneut senden; die übrigen Empfänger werden normalerweise später beliefert."),
		}},
	SpamDetected: {
		Title:       i18n.T("The message was judged to be spam", "Die Nachricht wurde als Spam eingestuft"),
		Description: i18n.T("The receiver's content filter scored this message as spam.", "Der Inhaltsfilter des Empfängers hat diese Nachricht als Spam bewertet."),
		Responsible: RespSenderAdmin, Actionable: ActMedium, By: "message_change",
		Advice: []i18n.Text{
			i18n.T("Check links and domains in the message against block lists (URI block lists such as Spamhaus DBL, SURBL).", "Prüfen Sie Links und Domains in der Nachricht gegen Sperrlisten (URI-Sperrlisten wie Spamhaus DBL, SURBL)."),
			i18n.T("Make sure SPF, DKIM and DMARC pass; unauthenticated mail scores worse.", "Sorgen Sie dafür, dass SPF, DKIM und DMARC bestehen; nicht authentifizierte E-Mails werden schlechter bewertet."),
			i18n.T("Send a plain test message; if it passes, change the content step by step.", "Senden Sie eine schlichte Testmail; geht sie durch, ändern Sie den Inhalt schrittweise."),
		}},
	VirusDetected: {
		Title:       i18n.T("A virus or malicious content was detected", "Ein Virus oder schädlicher Inhalt wurde erkannt"),
		Description: i18n.T("The receiver's scanner found malware or a forbidden attachment.", "Der Scanner des Empfängers hat Schadsoftware oder einen verbotenen Anhang gefunden."),
		Responsible: RespSenderAdmin, Actionable: ActMedium, By: "message_change",
		Advice: []i18n.Text{
			i18n.T("Scan the sending system and the attachment; the sender may be infected.", "Prüfen Sie das sendende System und den Anhang; der Absender könnte infiziert sein."),
			i18n.T("Do not send executable or macro-enabled attachments; share files by link instead.", "Senden Sie keine ausführbaren oder makrohaltigen Anhänge; teilen Sie Dateien stattdessen per Link."),
		}},
	PolicyViolation: {
		Title:       i18n.T("The message violates the receiver's policy", "Die Nachricht verstößt gegen die Richtlinie des Empfängers"),
		Description: i18n.T("The receiver refused the message for a local policy reason, such as a forbidden attachment type, header or sender category.", "Der Empfänger hat die Nachricht aus einem lokalen Richtliniengrund abgelehnt, etwa wegen eines verbotenen Anhangtyps, Headers oder einer Absenderkategorie."),
		Responsible: RespSenderAdmin, Actionable: ActLow, By: "receiver_contact",
		Advice: []i18n.Text{
			i18n.T("Read the reply and any linked page for the exact rule.", "Lesen Sie die Antwort und die verlinkte Seite, um die genaue Regel zu finden."),
			i18n.T("Adapt the message (attachments, headers) or ask the receiver's postmaster for an exception.", "Passen Sie die Nachricht an (Anhänge, Header) oder bitten Sie den Postmaster des Empfängers um eine Ausnahme."),
		}},
	ContentError: {
		Title:       i18n.T("The message format or content could not be processed", "Format oder Inhalt der Nachricht konnten nicht verarbeitet werden"),
		Description: i18n.T("The receiver could not handle the message's format: broken MIME, 8-bit data where 7-bit is required, or oversized headers.", "Der Empfänger konnte das Format der Nachricht nicht verarbeiten: fehlerhaftes MIME, 8-Bit-Daten, wo 7 Bit verlangt sind, oder zu große Header."),
		Responsible: RespSenderAdmin, Actionable: ActHigh, By: "message_change",
		Advice: []i18n.Text{
			i18n.T("Check how the sending application builds the message (MIME structure, encodings, header size).", "Prüfen Sie, wie die sendende Anwendung die Nachricht aufbaut (MIME-Struktur, Kodierungen, Headergröße)."),
			i18n.T("Encode non-ASCII headers (RFC 2047) and bodies (quoted-printable/base64) unless the receiver offers SMTPUTF8/8BITMIME.", "Kodieren Sie Nicht-ASCII-Header (RFC 2047) und -Texte (quoted-printable/base64), sofern der Empfänger kein SMTPUTF8/8BITMIME anbietet."),
		}},
	NotCompliantRFC: {
		Title:       i18n.T("The message does not comply with the Internet Message Format", "Die Nachricht entspricht nicht dem Internet-Nachrichtenformat"),
		Description: i18n.T("The message breaks RFC 5322, for example duplicate Subject or From headers, several addresses in From, or a missing Date.", "Die Nachricht verstößt gegen RFC 5322, etwa durch doppelte Subject- oder From-Header, mehrere Adressen in From oder ein fehlendes Date."),
		Responsible: RespSenderAdmin, Actionable: ActHigh, By: "message_change",
		Advice: []i18n.Text{
			i18n.T("Fix the sending application so that each header appears once and From holds one address.", "Korrigieren Sie die sendende Anwendung, sodass jeder Header nur einmal vorkommt und From genau eine Adresse enthält."),
		}},
	Rejected: {
		Title:       i18n.T("The sender address was refused", "Die Absenderadresse wurde abgelehnt"),
		Description: i18n.T("The receiver refused the envelope sender (MAIL FROM): its domain does not exist or does not accept replies, or the address is not allowed.", "Der Empfänger hat den Umschlagabsender (MAIL FROM) abgelehnt: Seine Domain existiert nicht oder nimmt keine Antworten an, oder die Adresse ist nicht zugelassen."),
		Responsible: RespSenderAdmin, Actionable: ActHigh, By: "sender_config",
		Advice: []i18n.Text{
			i18n.T("Use an envelope sender whose domain exists and has a working MX (bounces must be deliverable).", "Verwenden Sie einen Umschlagabsender, dessen Domain existiert und einen funktionierenden MX hat (Unzustellbarkeitsnachrichten müssen zustellbar sein)."),
			i18n.T("Check that the sending application does not use a placeholder such as root@localhost.", "Prüfen Sie, dass die sendende Anwendung keinen Platzhalter wie root@localhost verwendet."),
		}},
	NoRelaying: {
		Title:       i18n.T("The server refused to relay the message", "Der Server hat die Weiterleitung abgelehnt"),
		Description: i18n.T("The server is not responsible for the recipient's domain and does not relay for this sender.", "Der Server ist für die Empfängerdomain nicht zuständig und leitet für diesen Absender nicht weiter."),
		Responsible: RespSenderAdmin, Actionable: ActHigh, By: "sender_config",
		Advice: []i18n.Text{
			i18n.T("Check that the message went to the recipient domain's MX hosts, not to some other server.", "Prüfen Sie, dass die Nachricht an die MX-Hosts der Empfängerdomain ging und nicht an einen anderen Server."),
			i18n.T("When sending through a smarthost, authenticate (SMTP AUTH on port 587) or get your IP allowed.", "Beim Versand über einen Smarthost authentifizieren Sie sich (SMTP AUTH auf Port 587) oder lassen Sie Ihre IP freischalten."),
		}},
	SecurityError: {
		Title:       i18n.T("The receiver refused the message for security reasons", "Der Empfänger hat die Nachricht aus Sicherheitsgründen abgelehnt"),
		Description: i18n.T("Delivery was not authorised: authentication is required, credentials were wrong, or a security policy refused the message.", "Die Zustellung wurde nicht erlaubt: Eine Anmeldung ist nötig, die Anmeldedaten waren falsch, oder eine Sicherheitsrichtlinie hat die Nachricht abgelehnt."),
		Responsible: RespSenderAdmin, Actionable: ActLow, By: "receiver_contact",
		Advice: []i18n.Text{
			i18n.T("Read the text after the code; it usually names the rule that refused you.", "Lesen Sie den Text nach dem Code; er nennt meist die Regel, die Sie abgelehnt hat."),
			i18n.T("If you submit mail to this server, check the login and that you use port 587 with STARTTLS.", "Wenn Sie über diesen Server einliefern, prüfen Sie die Anmeldung und dass Sie Port 587 mit STARTTLS verwenden."),
			i18n.T("Otherwise ask the receiver's postmaster which policy applies, quoting the full reply.", "Andernfalls fragen Sie den Postmaster des Empfängers unter Angabe der vollständigen Antwort, welche Richtlinie greift."),
		}},
	FailedSTARTTLS: {
		Title:       i18n.T("TLS encryption was required but failed or was not used", "TLS-Verschlüsselung war gefordert, ist aber gescheitert oder wurde nicht genutzt"),
		Description: i18n.T("The receiver requires an encrypted connection (STARTTLS, MTA-STS, DANE or REQUIRETLS) and the sender did not, or could not, establish one.", "Der Empfänger verlangt eine verschlüsselte Verbindung (STARTTLS, MTA-STS, DANE oder REQUIRETLS), und der Absender hat keine aufgebaut oder konnte es nicht."),
		Responsible: RespSenderAdmin, Actionable: ActHigh, By: "sender_config",
		Advice: []i18n.Text{
			i18n.T("Enable opportunistic TLS on the sending MTA and make sure it supports TLS 1.2 or newer.", "Aktivieren Sie opportunistisches TLS auf dem sendenden MTA und sorgen Sie für Unterstützung von TLS 1.2 oder neuer."),
			i18n.T("Check the receiver's certificate and TLS offer with mxprobe check.", "Prüfen Sie Zertifikat und TLS-Angebot des Empfängers mit mxprobe check."),
		}},
	Filtered: {
		Title:       i18n.T("The recipient's filter refused the message", "Der Filter des Empfängers hat die Nachricht abgelehnt"),
		Description: i18n.T("A filter at the recipient refused the message, for example a per-user block or a domain filter; a rejection after DATA that names an unknown user usually means a filter, not a missing mailbox.", "Ein Filter beim Empfänger hat die Nachricht abgelehnt, etwa eine Sperre des Nutzers oder ein Domainfilter; eine Ablehnung nach DATA mit „unbekannter Nutzer“ bedeutet meist einen Filter und kein fehlendes Postfach."),
		Responsible: RespRecipient, Actionable: ActLow, By: "receiver_contact",
		Advice: []i18n.Text{
			i18n.T("Ask the recipient by another channel to allow your address or domain.", "Bitten Sie den Empfänger auf anderem Weg, Ihre Adresse oder Domain zuzulassen."),
			i18n.T("Do not keep sending; repeated rejections hurt your reputation.", "Senden Sie nicht ständig erneut; wiederholte Ablehnungen schaden Ihrer Reputation."),
		}},
	NotAccept: {
		Title:       i18n.T("The destination does not accept mail at all", "Das Ziel nimmt überhaupt keine E-Mails an"),
		Description: i18n.T("The recipient domain publishes a null MX (RFC 7505) or its server answers that it accepts no mail (RFC 7504).", "Die Empfängerdomain veröffentlicht einen Null-MX (RFC 7505), oder ihr Server antwortet, dass er keine E-Mails annimmt (RFC 7504)."),
		Responsible: RespListOwner, Actionable: ActHigh, By: "list_hygiene",
		Advice: []i18n.Text{
			i18n.T("Remove addresses at this domain; they cannot receive mail.", "Entfernen Sie Adressen dieser Domain; sie können keine E-Mails empfangen."),
			i18n.T("If the domain should receive mail, its owner must publish working MX records.", "Soll die Domain E-Mails empfangen, muss ihr Inhaber funktionierende MX-Einträge veröffentlichen."),
		}},
	SystemError: {
		Title:       i18n.T("The receiving system had an error", "Das empfangende System hatte einen Fehler"),
		Description: i18n.T("Something went wrong inside the receiving mail system (configuration, storage, directory lookup).", "Im empfangenden Mailsystem ist etwas schiefgegangen (Konfiguration, Speicher, Verzeichnisabfrage)."),
		Responsible: RespReceiverAdmin, Actionable: ActLow, By: "retry",
		Advice: []i18n.Text{
			i18n.T("Let your MTA retry; most such errors are temporary.", "Lassen Sie Ihren MTA es erneut versuchen; die meisten solchen Fehler sind vorübergehend."),
			i18n.T("If it is permanent or repeats, tell the receiver's postmaster, quoting the full reply and time.", "Ist der Fehler dauerhaft oder wiederholt er sich, informieren Sie den Postmaster des Empfängers mit vollständiger Antwort und Uhrzeit."),
		}},
	SystemFull: {
		Title:       i18n.T("The receiving system is out of storage", "Dem empfangenden System fehlt Speicherplatz"),
		Description: i18n.T("The receiving server's disk or queue is full; this affects all recipients there, not only one mailbox.", "Platte oder Warteschlange des empfangenden Servers sind voll; das betrifft alle Empfänger dort, nicht nur ein Postfach."),
		Responsible: RespReceiverAdmin, Actionable: ActNone, By: "retry",
		Advice: []i18n.Text{
			i18n.T("Let your MTA retry later.", "Lassen Sie Ihren MTA es später erneut versuchen."),
			i18n.T("If it lasts for days, tell the receiver's postmaster.", "Hält es tagelang an, informieren Sie den Postmaster des Empfängers."),
		}},
	NetworkError: {
		Title:       i18n.T("A network or DNS problem prevented delivery", "Ein Netz- oder DNS-Problem hat die Zustellung verhindert"),
		Description: i18n.T("The destination could not be reached: DNS lookups failed, the connection broke, or the message looped between servers.", "Das Ziel war nicht erreichbar: DNS-Abfragen sind gescheitert, die Verbindung brach ab, oder die Nachricht kreiste zwischen Servern."),
		Responsible: RespReceiverAdmin, Actionable: ActMedium, By: "retry",
		Advice: []i18n.Text{
			i18n.T("Check the recipient domain's MX and A records and whether its MX hosts answer on port 25 (mxprobe check).", "Prüfen Sie MX- und A-Einträge der Empfängerdomain und ob ihre MX-Hosts auf Port 25 antworten (mxprobe check)."),
			i18n.T("If every destination times out, your own outbound port 25 may be blocked (common on cloud hosts).", "Laufen alle Ziele in Zeitüberschreitungen, ist vielleicht Ihr eigener ausgehender Port 25 gesperrt (häufig bei Cloud-Hostern)."),
			i18n.T("For a mail loop, check forwarding rules and MX/smarthost settings on both sides.", "Bei einer Mailschleife prüfen Sie Weiterleitungsregeln und MX-/Smarthost-Einstellungen auf beiden Seiten."),
		}},
	Expired: {
		Title:       i18n.T("Delivery gave up after retrying too long", "Die Zustellung wurde nach zu langen Wiederholungsversuchen aufgegeben"),
		Description: i18n.T("The message stayed in a queue longer than allowed, usually because the destination could not be reached.", "Die Nachricht lag länger als erlaubt in einer Warteschlange, meist weil das Ziel nicht erreichbar war."),
		Responsible: RespReceiverAdmin, Actionable: ActMedium, By: "retry",
		Advice: []i18n.Text{
			i18n.T("Check whether the destination's MX hosts are reachable now (mxprobe check), then resend.", "Prüfen Sie, ob die MX-Hosts des Ziels jetzt erreichbar sind (mxprobe check), und senden Sie dann erneut."),
			i18n.T("If many destinations expire, check your own outbound connectivity on port 25.", "Laufen viele Ziele ab, prüfen Sie Ihre eigene ausgehende Verbindung auf Port 25."),
		}},
	MailerError: {
		Title:       i18n.T("The local delivery program failed", "Das lokale Zustellprogramm ist gescheitert"),
		Description: i18n.T("The receiving server passed the message to a program (procmail, a pipe, a script) that exited with an error.", "Der empfangende Server hat die Nachricht an ein Programm übergeben (procmail, eine Pipe, ein Skript), das mit einem Fehler beendet wurde."),
		Responsible: RespReceiverAdmin, Actionable: ActLow, By: "receiver_contact",
		Advice: []i18n.Text{
			i18n.T("Tell the receiver's postmaster: the delivery program or the recipient's filter script is broken.", "Informieren Sie den Postmaster des Empfängers: Das Zustellprogramm oder das Filterskript des Empfängers ist fehlerhaft."),
		}},
	SyntaxError: {
		Title:       i18n.T("The SMTP dialogue had a syntax or sequence error", "Im SMTP-Dialog trat ein Syntax- oder Reihenfolgefehler auf"),
		Description: i18n.T("The sending side issued a command the receiver did not understand or did not expect at that point.", "Die sendende Seite hat einen Befehl gesendet, den der Empfänger nicht verstand oder an dieser Stelle nicht erwartete."),
		Responsible: RespSenderAdmin, Actionable: ActHigh, By: "sender_config",
		Advice: []i18n.Text{
			i18n.T("Check the sending software: addresses in angle brackets, valid EHLO name, no pipelining errors.", "Prüfen Sie die sendende Software: Adressen in spitzen Klammern, gültiger EHLO-Name, keine Pipelining-Fehler."),
			i18n.T("A 503 after rejected recipients is a follow-up error; look at the first failed command.", "Ein 503 nach abgelehnten Empfängern ist ein Folgefehler; schauen Sie auf den ersten gescheiterten Befehl."),
		}},
	OnHold: {
		Title:       i18n.T("The reason cannot be determined from this reply", "Der Grund lässt sich aus dieser Antwort nicht bestimmen"),
		Description: i18n.T("The reply carries too little information to say why delivery failed.", "Die Antwort enthält zu wenig Information, um zu sagen, warum die Zustellung scheiterte."),
		Responsible: RespReceiverAdmin, Actionable: ActLow, By: "receiver_contact",
		Advice: []i18n.Text{
			i18n.T("Look at the full bounce or log entry for more context (the SMTP command, the remote host).", "Sehen Sie sich die vollständige Unzustellbarkeitsnachricht oder den Logeintrag an, um mehr Zusammenhang zu finden (SMTP-Befehl, entfernter Host)."),
			i18n.T("If it repeats, ask the receiver's postmaster, quoting the full reply and time.", "Wiederholt es sich, fragen Sie den Postmaster des Empfängers unter Angabe der vollständigen Antwort und Uhrzeit."),
		}},
	Undefined: {
		Title:       i18n.T("No reason given", "Kein Grund angegeben"),
		Description: i18n.T("There is no code or text from which a reason could be derived.", "Es gibt keinen Code und keinen Text, aus dem sich ein Grund ableiten ließe."),
		Responsible: RespNobody, Actionable: ActNone, By: "none",
		Advice: []i18n.Text{
			i18n.T("Provide the full reply line, including its code and text.", "Geben Sie die vollständige Antwortzeile mit Code und Text an."),
		}},
	Accepted: {
		Title:       i18n.T("The server accepted the message", "Der Server hat die Nachricht angenommen"),
		Description: i18n.T("The server accepted the command or the message. Acceptance is not delivery: the receiver may still file the message as junk, quarantine it or discard it.", "Der Server hat den Befehl oder die Nachricht angenommen. Annahme ist keine Zustellung: Der Empfänger kann die Nachricht noch in den Spam-Ordner legen, in Quarantäne stellen oder verwerfen."),
		Responsible: RespNobody, Actionable: ActNone, By: "none",
		Advice: []i18n.Text{
			i18n.T("Nothing to fix. To prove inbox placement, send a test message to a mailbox you own with mxprobe probe send.", "Nichts zu beheben. Um die Zustellung in den Posteingang nachzuweisen, senden Sie mit mxprobe probe send eine Testmail an ein eigenes Postfach."),
		}},
	Delivered: {
		Title:       i18n.T("The message was delivered", "Die Nachricht wurde zugestellt"),
		Description: i18n.T("A delivery status notification reports the message as delivered, relayed or expanded (RFC 3464). Whether it reached the inbox or the junk folder, it does not say.", "Eine Zustellbenachrichtigung meldet die Nachricht als zugestellt, weitergeleitet oder verteilt (RFC 3464). Ob sie im Posteingang oder im Spam-Ordner liegt, sagt sie nicht."),
		Responsible: RespNobody, Actionable: ActNone, By: "none",
		Advice: []i18n.Text{
			i18n.T("Nothing to fix.", "Nichts zu beheben."),
		}},
	Greylisted: {
		Title:       i18n.T("Greylisting: the receiver defers the first attempt on purpose", "Greylisting: Der Empfänger weist den ersten Versuch absichtlich vorübergehend ab"),
		Description: i18n.T("The receiver defers mail from a sender it does not know yet and accepts it when the sending server tries again after some minutes (RFC 6647). This is not a judgement of the sender.", "Der Empfänger weist E-Mails eines ihm noch unbekannten Absenders vorübergehend ab und nimmt sie an, wenn der sendende Server es nach einigen Minuten erneut versucht (RFC 6647). Das ist keine Bewertung des Absenders."),
		Responsible: RespNobody, Actionable: ActNone, By: "retry", Retrying: true,
		Advice: []i18n.Text{
			i18n.T("Nothing to do: your server retries on its own, and most greylisting lets the retry through after 5 to 15 minutes.", "Nichts zu tun: Ihr Server versucht es selbstständig erneut, und meist lässt Greylisting den neuen Versuch nach 5 bis 15 Minuten durch."),
			i18n.T("Act only if it lasts for hours: then make sure the retries come from the same IP address and the same sender address (a pool of changing IPs starts greylisting anew each time), and ask the receiver's postmaster.", "Handeln Sie erst, wenn es Stunden anhält: Sorgen Sie dann dafür, dass die Wiederholungen von derselben IP-Adresse und mit derselben Absenderadresse kommen (bei wechselnden IPs beginnt das Greylisting jedes Mal neu), und fragen Sie den Postmaster des Empfängers."),
		}},
	Vacation: {
		Title:       i18n.T("This is an automatic reply, not a bounce", "Dies ist eine automatische Antwort, keine Unzustellbarkeitsnachricht"),
		Description: i18n.T("The recipient's mailbox answered with an out-of-office or auto-reply message; the original was delivered.", "Das Postfach des Empfängers hat mit einer Abwesenheitsnotiz oder automatischen Antwort reagiert; die ursprüngliche Nachricht wurde zugestellt."),
		Responsible: RespNobody, Actionable: ActNone, By: "none",
		Advice: []i18n.Text{
			i18n.T("Nothing to fix; do not count this as a bounce.", "Nichts zu beheben; zählen Sie dies nicht als Unzustellbarkeitsnachricht."),
		}},
}

// byText explains the "actionable" way out keys.
var byText = map[string]i18n.Text{
	"list_hygiene":     i18n.T("fixable by list hygiene: correct or remove the address", "durch Listenpflege behebbar: Adresse korrigieren oder entfernen"),
	"sender_config":    i18n.T("fixable by the sender's own configuration (DNS, authentication, MTA)", "durch die eigene Konfiguration des Absenders behebbar (DNS, Authentifizierung, MTA)"),
	"message_change":   i18n.T("fixable by changing the message", "durch Ändern der Nachricht behebbar"),
	"sending_rate":     i18n.T("fixable by sending less or more slowly", "durch weniger oder langsameres Senden behebbar"),
	"receiver_contact": i18n.T("often only solvable by talking to the receiver", "oft nur im Gespräch mit dem Empfänger lösbar"),
	"recipient_action": i18n.T("the recipient must act; retrying later may work", "der Empfänger muss handeln; ein späterer Versuch kann gelingen"),
	"retry":            i18n.T("mostly outside the sender's control; retry later", "meist außerhalb des Einflusses des Absenders; später erneut versuchen"),
	"none":             i18n.T("nothing to do", "nichts zu tun"),
}
