package dsn

import "github.com/mxprobe/mxprobe/internal/i18n"

// Note explains a result kind that is no bounce: what the message is, why
// it came and what to do.
type Note struct {
	Title  i18n.Text
	Text   i18n.Text
	Advice []i18n.Text
}

// Urls of Microsoft's sender programmes (Smart Network Data Services and the
// Junk Mail Reporting Program, https://sendersupport.olc.protection.outlook.com/snds/).
const (
	urlJMRP = "https://sendersupport.olc.protection.outlook.com/snds/JMRP.aspx"
	urlSNDS = "https://sendersupport.olc.protection.outlook.com/snds/"
)

// KindNote returns the explanation of a complaint report, an auto-reply or
// a junk-mail-report forward; ok is false for recipient results (their
// explanation comes from the remote reply).
func KindNote(k Kind) (Note, bool) {
	n, ok := kindNotes[k]
	return n, ok
}

var kindNotes = map[Kind]Note{
	KindComplaint: {
		Title: i18n.T("Complaint report (feedback loop)", "Beschwerdebericht (Feedback-Loop)"),
		Text: i18n.T("A mailbox provider reports that one of its users marked a message from your systems as spam (RFC 5965 Abuse Reporting Format; Microsoft's JMRP, Yahoo's and others' feedback loops send these). It is no bounce: the message was delivered.",
			"Ein Postfachanbieter meldet, dass einer seiner Nutzer eine Nachricht Ihrer Systeme als Spam markiert hat (RFC 5965 Abuse Reporting Format; Microsofts JMRP, die Feedback-Loops von Yahoo und anderen senden solche Berichte). Es ist keine Unzustellbarkeitsnachricht (NDR): Die Nachricht wurde zugestellt."),
		Advice: []i18n.Text{
			i18n.T("Stop mailing the complaining address (unsubscribe it) and check how it got onto the list.",
				"Schreiben Sie die beschwerdeführende Adresse nicht mehr an (tragen Sie sie aus) und prüfen Sie, wie sie auf die Liste kam."),
			i18n.T("Watch the complaint rate: providers throttle or block senders above about 0.3 % complaints.",
				"Beobachten Sie die Beschwerderate: Anbieter drosseln oder sperren Absender ab etwa 0,3 % Beschwerden."),
		},
	},
	KindAutoReply: {
		Title: i18n.T("Automatic reply", "Automatische Antwort"),
		Text: i18n.T("An automatic reply (out of office, vacation notice; RFC 3834). The message was delivered; nothing failed.",
			"Eine automatische Antwort (Abwesenheitsnotiz; RFC 3834). Die Nachricht wurde zugestellt; nichts ist fehlgeschlagen."),
		Advice: []i18n.Text{
			i18n.T("Nothing to do. Bounce processing should ignore auto-replies rather than count them as failures.",
				"Nichts zu tun. Die Verarbeitung von Unzustellbarkeitsnachrichten sollte automatische Antworten übergehen, statt sie als Fehler zu zählen."),
		},
	},
	// The two-day limit: Google's email subscription guidelines
	// (support.google.com/a/answer/15263077, "within 48 hours") and Yahoo's
	// sender requirements (internal/rules/books/yahoo.yaml).
	KindUnsubscribe: {
		Title: i18n.T("Unsubscribe request", "Abmeldewunsch"),
		Text: i18n.T("A recipient's mail program asks to take the address off a mailing list: it sent this message to the mailto: address of the list's List-Unsubscribe header (RFC 2369) when its user chose \"unsubscribe\" (Apple Mail marks it X-Apple-Unsubscribe). It is no bounce and no auto-reply: the list mail was delivered, and its recipient does not want it any more.",
			"Das Mailprogramm eines Empfängers bittet darum, die Adresse aus einer Mailingliste zu nehmen: Es hat diese Nachricht an die mailto:-Adresse aus dem List-Unsubscribe-Header der Liste (RFC 2369) geschickt, als der Nutzer „Abmelden“ gewählt hat (Apple Mail kennzeichnet sie mit X-Apple-Unsubscribe). Es ist keine Unzustellbarkeitsnachricht (NDR) und keine automatische Antwort: Die Mail der Liste wurde zugestellt, und ihr Empfänger möchte sie nicht mehr erhalten."),
		Advice: []i18n.Text{
			i18n.T("Remove the sender of this request from the list promptly; Gmail and Yahoo require unsubscribe requests of bulk senders to be honoured within two days.",
				"Tragen Sie den Absender dieser Anfrage umgehend aus der Liste aus; Gmail und Yahoo verlangen von Massenversendern, Abmeldungen innerhalb von zwei Tagen umzusetzen."),
			i18n.T("Process the List-Unsubscribe address automatically, so that such requests never wait in a person's mailbox.",
				"Verarbeiten Sie die List-Unsubscribe-Adresse automatisch, damit solche Anfragen nie in einem persönlichen Postfach liegen bleiben."),
		},
	},
	KindJunkReport: {
		Title: i18n.T("Microsoft junk-mail report (copy of a reported message)", "Spam-Meldung von Microsoft (Kopie einer gemeldeten Nachricht)"),
		Text: i18n.T("This is not a message to you and no bounce: it is a copy of a mail that an Outlook.com or Hotmail user marked as junk, sent by Microsoft's Junk Mail Reporting Program (JMRP) to the address registered for the sending IP (marks: X-Sender staff@hotmail.com, X-Hmxmroriginalrecipient, X-MS-Exchange-EOPDirect). It often reaches you because a customer or employee forwards mail to a Hotmail or Outlook.com address: to Microsoft your forwarding server is then the sender of everything forwarded, and every spam click on it comes back to your IP's JMRP address. The copy carries third parties' personal data (sender, recipient, content of someone else's mail): treat it as confidential, do not pass it on and delete it when it is no longer needed.",
			"Das ist keine Nachricht an Sie und keine Unzustellbarkeitsnachricht (NDR): Es ist die Kopie einer Mail, die ein Nutzer von Outlook.com oder Hotmail als Spam markiert hat, gesendet von Microsofts Junk Mail Reporting Program (JMRP) an die Adresse, die für die sendende IP eingetragen ist (Kennzeichen: X-Sender staff@hotmail.com, X-Hmxmroriginalrecipient, X-MS-Exchange-EOPDirect). Sie kommt oft, weil ein Kunde oder Mitarbeiter Mails an eine Hotmail- oder Outlook.com-Adresse weiterleitet: für Microsoft ist Ihr weiterleitender Server dann der Absender alles Weitergeleiteten, und jeder Spam-Klick darauf landet bei der JMRP-Adresse Ihrer IP. Die Kopie enthält personenbezogene Daten Dritter (Absender, Empfänger, Inhalt einer fremden Mail): Behandeln Sie sie vertraulich, geben Sie sie nicht weiter und löschen Sie sie, sobald Sie sie nicht mehr brauchen."),
		Advice: []i18n.Text{
			i18n.T("Check which address is enrolled in JMRP for your IPs ("+urlJMRP+") and point it to a role mailbox of the mail administrators, not to sales or support.",
				"Prüfen Sie, welche Adresse im JMRP für Ihre IPs eingetragen ist ("+urlJMRP+"), und legen Sie sie auf ein Rollenpostfach der Mail-Administratoren, nicht auf Vertrieb oder Support."),
			i18n.T("Find the forwarding (the original recipient in X-Hmxmroriginalrecipient, the Received lines) and ask the mailbox owner to stop forwarding to Microsoft consumer addresses, or forward with SRS (Sender Rewriting Scheme) and ARC so that the complaints and the reputation stay with the original sender.",
				"Suchen Sie die Weiterleitung (ursprünglicher Empfänger in X-Hmxmroriginalrecipient, die Received-Zeilen) und bitten Sie den Postfachinhaber, nicht mehr an Microsoft-Privatadressen weiterzuleiten oder mit SRS („Sender Rewriting Scheme“) und ARC weiterzuleiten, damit Beschwerden und Ruf beim ursprünglichen Absender bleiben."),
			i18n.T("Watch your IPs' reputation in SNDS ("+urlSNDS+"): forwarded spam counts against the forwarding server.",
				"Beobachten Sie den Ruf Ihrer IPs in SNDS ("+urlSNDS+"): Weitergeleiteter Spam zählt gegen den weiterleitenden Server."),
		},
	},
}
