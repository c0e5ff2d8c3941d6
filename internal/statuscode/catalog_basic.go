package statuscode

import "github.com/mxprobe/mxprobe/internal/i18n"

// basicEntry is one basic SMTP reply code.
type basicEntry struct {
	Title       i18n.Text
	Description i18n.Text
	Reference   string
}

// basicCatalog holds the reply codes of RFC 5321 §4.2.2/§4.2.3 and those that
// later RFCs added (RFC 3207 STARTTLS, RFC 4954 AUTH, RFC 7504 521/556).
// Texts are ours; the titles follow the RFCs' example wording.
var basicCatalog = map[int]basicEntry{
	211: {i18n.T("System status, or system help reply", "Systemstatus oder Hilfeantwort des Systems"),
		i18n.T("An informational reply about the server's state.", "Eine Informationsantwort zum Zustand des Servers."), "RFC 5321 §4.2.2"},
	214: {i18n.T("Help message", "Hilfetext"),
		i18n.T("Information on how to use the server, meant for a human reader.", "Hinweise zur Benutzung des Servers, für menschliche Leser gedacht."), "RFC 5321 §4.2.2"},
	220: {i18n.T("Service ready", "Dienst bereit"),
		i18n.T("The server's greeting: it is ready to start an SMTP session.", "Die Begrüßung des Servers: Er ist bereit für eine SMTP-Sitzung."), "RFC 5321 §4.2.2"},
	221: {i18n.T("Service closing transmission channel", "Dienst schließt die Verbindung"),
		i18n.T("The server ends the session, normally in answer to QUIT.", "Der Server beendet die Sitzung, normalerweise als Antwort auf QUIT."), "RFC 5321 §4.2.2"},
	235: {i18n.T("Authentication succeeded", "Authentifizierung erfolgreich"),
		i18n.T("The AUTH command succeeded.", "Der AUTH-Befehl war erfolgreich."), "RFC 4954 §6"},
	250: {i18n.T("Requested mail action okay, completed", "Angeforderte Aktion ausgeführt"),
		i18n.T("The command was accepted. After the final \".\" of DATA this means the server has taken responsibility for the message; it says nothing about whether it reaches the inbox.", "Der Befehl wurde angenommen. Nach dem abschließenden „.“ von DATA heißt das: Der Server hat die Verantwortung für die Nachricht übernommen – ob sie im Posteingang ankommt, sagt das nicht."), "RFC 5321 §4.2.2"},
	251: {i18n.T("User not local; will forward", "Empfänger nicht lokal; wird weitergeleitet"),
		i18n.T("The server accepts the recipient and will forward the message to another address.", "Der Server nimmt den Empfänger an und leitet die Nachricht an eine andere Adresse weiter."), "RFC 5321 §4.2.2, §3.4"},
	252: {i18n.T("Cannot verify user, but will accept message and attempt delivery", "Empfänger kann nicht geprüft werden, Nachricht wird aber angenommen und zugestellt"),
		i18n.T("The server will not confirm whether the mailbox exists (VRFY), but it will try to deliver.", "Der Server bestätigt nicht, ob das Postfach existiert (VRFY), versucht aber die Zustellung."), "RFC 5321 §4.2.2, §3.5.3"},
	334: {i18n.T("Authentication challenge", "Authentifizierungs-Rückfrage"),
		i18n.T("The server sends a challenge in an AUTH exchange and waits for the client's answer.", "Der Server sendet im AUTH-Dialog eine Rückfrage und wartet auf die Antwort des Clients."), "RFC 4954 §4"},
	354: {i18n.T("Start mail input", "Nachrichteneingabe beginnen"),
		i18n.T("The server is ready for the message after DATA; the client ends it with a line holding only \".\".", "Der Server erwartet nach DATA die Nachricht; der Client beendet sie mit einer Zeile, die nur „.“ enthält."), "RFC 5321 §4.2.2"},
	421: {i18n.T("Service not available, closing transmission channel", "Dienst nicht verfügbar, Verbindung wird geschlossen"),
		i18n.T("The server is shutting down the connection, often because of overload, rate limits or a temporary block. The client should try again later.", "Der Server beendet die Verbindung, oft wegen Überlast, Ratenbegrenzung oder einer vorübergehenden Sperre. Der Client sollte es später erneut versuchen."), "RFC 5321 §4.2.2"},
	432: {i18n.T("A password transition is needed", "Passwortumstellung erforderlich"),
		i18n.T("The user must authenticate once with a different mechanism before this one works.", "Der Nutzer muss sich einmal mit einem anderen Verfahren anmelden, bevor dieses funktioniert."), "RFC 4954 §6"},
	450: {i18n.T("Requested mail action not taken: mailbox unavailable", "Aktion nicht ausgeführt: Postfach vorübergehend nicht verfügbar"),
		i18n.T("A temporary problem with the mailbox, for example a busy mailbox, greylisting or a temporary policy block.", "Ein vorübergehendes Problem mit dem Postfach, etwa ein belegtes Postfach, Greylisting oder eine vorübergehende Richtliniensperre."), "RFC 5321 §4.2.2"},
	451: {i18n.T("Requested action aborted: local error in processing", "Aktion abgebrochen: lokaler Verarbeitungsfehler"),
		i18n.T("The server had a temporary problem handling the command. Greylisting and throttling often use this code too.", "Der Server hatte ein vorübergehendes Problem mit dem Befehl. Auch Greylisting und Drosselung verwenden oft diesen Code."), "RFC 5321 §4.2.2"},
	452: {i18n.T("Requested action not taken: insufficient system storage", "Aktion nicht ausgeführt: Speicher des Systems reicht nicht"),
		i18n.T("The server is temporarily out of storage, or (after RCPT) too many recipients were given for one transaction.", "Dem Server fehlt vorübergehend Speicher, oder (nach RCPT) es wurden zu viele Empfänger für eine Übertragung angegeben."), "RFC 5321 §4.2.2, §4.5.3.1.10"},
	454: {i18n.T("Temporary authentication failure or TLS not available", "Vorübergehender Authentifizierungsfehler oder TLS nicht verfügbar"),
		i18n.T("AUTH failed for a temporary reason, or STARTTLS cannot be used right now.", "AUTH ist aus einem vorübergehenden Grund gescheitert, oder STARTTLS steht gerade nicht zur Verfügung."), "RFC 4954 §6, RFC 3207 §4"},
	455: {i18n.T("Server unable to accommodate parameters", "Server kann die Parameter nicht berücksichtigen"),
		i18n.T("The server understands the MAIL or RCPT parameters but cannot honour them right now.", "Der Server versteht die Parameter von MAIL oder RCPT, kann sie aber gerade nicht erfüllen."), "RFC 5321 §4.2.2"},
	500: {i18n.T("Syntax error, command unrecognized", "Syntaxfehler, Befehl nicht erkannt"),
		i18n.T("The server did not understand the command, or the line was too long.", "Der Server hat den Befehl nicht verstanden, oder die Zeile war zu lang."), "RFC 5321 §4.2.2"},
	501: {i18n.T("Syntax error in parameters or arguments", "Syntaxfehler in Parametern oder Argumenten"),
		i18n.T("The command was known, but its arguments were not valid, for example a malformed address.", "Der Befehl ist bekannt, aber seine Argumente sind ungültig, zum Beispiel eine fehlerhafte Adresse."), "RFC 5321 §4.2.2"},
	502: {i18n.T("Command not implemented", "Befehl nicht implementiert"),
		i18n.T("The server does not support this command.", "Der Server unterstützt diesen Befehl nicht."), "RFC 5321 §4.2.2"},
	503: {i18n.T("Bad sequence of commands", "Falsche Befehlsreihenfolge"),
		i18n.T("The command came at the wrong point of the session, for example DATA before any accepted RCPT.", "Der Befehl kam an der falschen Stelle der Sitzung, zum Beispiel DATA ohne angenommenes RCPT."), "RFC 5321 §4.2.2"},
	504: {i18n.T("Command parameter not implemented", "Befehlsparameter nicht implementiert"),
		i18n.T("The server does not support a parameter of the command.", "Der Server unterstützt einen Parameter des Befehls nicht."), "RFC 5321 §4.2.2"},
	521: {i18n.T("Host does not accept mail", "Host nimmt keine E-Mails an"),
		i18n.T("This host never accepts mail (for example a server that only sends). RFC 7504 defines it for the greeting.", "Dieser Host nimmt grundsätzlich keine E-Mails an (zum Beispiel ein reiner Sendeserver). RFC 7504 sieht den Code für die Begrüßung vor."), "RFC 7504 §3"},
	523: {i18n.T("Encryption needed", "Verschlüsselung erforderlich"),
		i18n.T("The requested authentication needs an encrypted connection first.", "Die gewünschte Authentifizierung erfordert zuerst eine verschlüsselte Verbindung."), "RFC 5248"},
	525: {i18n.T("User account disabled", "Benutzerkonto deaktiviert"),
		i18n.T("The account exists but has been disabled by an administrator.", "Das Konto existiert, wurde aber von einem Administrator deaktiviert."), "RFC 5248"},
	530: {i18n.T("Authentication required", "Authentifizierung erforderlich"),
		i18n.T("The server requires AUTH (or STARTTLS first) before it accepts this command.", "Der Server verlangt AUTH (oder zuerst STARTTLS), bevor er diesen Befehl annimmt."), "RFC 4954 §6, RFC 3207 §4"},
	534: {i18n.T("Authentication mechanism is too weak", "Authentifizierungsverfahren zu schwach"),
		i18n.T("The chosen AUTH mechanism is weaker than the server's policy allows.", "Das gewählte AUTH-Verfahren ist schwächer, als die Richtlinie des Servers erlaubt."), "RFC 4954 §6"},
	535: {i18n.T("Authentication credentials invalid", "Ungültige Anmeldedaten"),
		i18n.T("User name or password (or token) was not accepted.", "Benutzername oder Passwort (oder Token) wurden nicht akzeptiert."), "RFC 4954 §6"},
	538: {i18n.T("Encryption required for requested authentication mechanism", "Verschlüsselung für das gewählte Authentifizierungsverfahren erforderlich"),
		i18n.T("This AUTH mechanism may only be used over an encrypted connection.", "Dieses AUTH-Verfahren darf nur über eine verschlüsselte Verbindung verwendet werden."), "RFC 4954 §6"},
	550: {i18n.T("Requested action not taken: mailbox unavailable", "Aktion nicht ausgeführt: Postfach nicht verfügbar"),
		i18n.T("A permanent refusal: the mailbox was not found, access was denied, or the command was rejected by policy. The text says which.", "Eine dauerhafte Ablehnung: Das Postfach wurde nicht gefunden, der Zugriff verweigert oder der Befehl aus Richtliniengründen abgelehnt. Welcher Fall vorliegt, steht im Text."), "RFC 5321 §4.2.2"},
	551: {i18n.T("User not local; please try another path", "Empfänger nicht lokal; bitte anderen Weg versuchen"),
		i18n.T("The server does not handle this recipient and may name the address to use instead.", "Der Server ist für diesen Empfänger nicht zuständig und nennt eventuell die stattdessen zu verwendende Adresse."), "RFC 5321 §4.2.2, §3.4"},
	552: {i18n.T("Requested mail action aborted: exceeded storage allocation", "Aktion abgebrochen: Speicherzuteilung überschritten"),
		i18n.T("The mailbox or the message exceeds a storage limit: a full mailbox or a message that is too large.", "Postfach oder Nachricht überschreiten eine Speichergrenze: ein volles Postfach oder eine zu große Nachricht."), "RFC 5321 §4.2.2"},
	553: {i18n.T("Requested action not taken: mailbox name not allowed", "Aktion nicht ausgeführt: Postfachname nicht zulässig"),
		i18n.T("The address is not allowed, for example because of its syntax, or because the sender address is refused.", "Die Adresse ist nicht zulässig, zum Beispiel wegen ihrer Syntax oder weil die Absenderadresse abgelehnt wird."), "RFC 5321 §4.2.2"},
	554: {i18n.T("Transaction failed", "Übertragung fehlgeschlagen"),
		i18n.T("A permanent failure of the transaction; as the greeting it means \"no SMTP service here\". Filters often use it to reject a message.", "Ein dauerhafter Fehler der Übertragung; als Begrüßung heißt es „hier kein SMTP-Dienst“. Filter verwenden den Code oft, um eine Nachricht abzulehnen."), "RFC 5321 §4.2.2, §3.1"},
	555: {i18n.T("MAIL FROM/RCPT TO parameters not recognized or not implemented", "Parameter von MAIL FROM/RCPT TO nicht erkannt oder nicht implementiert"),
		i18n.T("The server does not know an ESMTP parameter the client sent with MAIL or RCPT.", "Der Server kennt einen ESMTP-Parameter nicht, den der Client mit MAIL oder RCPT gesendet hat."), "RFC 5321 §4.2.2"},
	556: {i18n.T("Domain does not accept mail", "Domain nimmt keine E-Mails an"),
		i18n.T("The recipient's domain does not accept mail, typically because it publishes a null MX record.", "Die Empfängerdomain nimmt keine E-Mails an, typischerweise weil sie einen Null-MX-Eintrag veröffentlicht."), "RFC 7504 §3, RFC 7505"},
}

// RFC 5321 §4.2.1: meaning of the first and second digit, for codes that are
// syntactically valid but not listed above.
var firstDigit = map[byte]i18n.Text{
	'2': i18n.T("Positive completion: the action succeeded.", "Positive Erledigung: Die Aktion war erfolgreich."),
	'3': i18n.T("Positive intermediate: the server waits for more information.", "Positive Zwischenantwort: Der Server wartet auf weitere Angaben."),
	'4': i18n.T("Transient negative completion: the action failed for now; trying again later may work.", "Vorübergehend negative Erledigung: Die Aktion ist vorerst gescheitert; ein späterer Versuch kann gelingen."),
	'5': i18n.T("Permanent negative completion: the action failed and repeating it unchanged will fail again.", "Dauerhaft negative Erledigung: Die Aktion ist gescheitert, eine unveränderte Wiederholung scheitert wieder."),
}

var secondDigit = map[byte]i18n.Text{
	'0': i18n.T("syntax", "Syntax"),
	'1': i18n.T("information", "Information"),
	'2': i18n.T("connection", "Verbindung"),
	'3': i18n.T("unspecified", "nicht festgelegt"),
	'4': i18n.T("unspecified", "nicht festgelegt"),
	'5': i18n.T("mail system", "Mailsystem"),
}

// ValidReplyCode reports whether code has the shape RFC 5321 §4.2 allows:
// first digit 2–5, second digit 0–5.
func ValidReplyCode(code int) bool {
	return code >= 200 && code <= 559 && (code/10)%10 <= 5
}
