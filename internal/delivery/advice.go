package delivery

import (
	"strings"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
)

// Where senders get help (links checked against the providers' pages):
const (
	// Outlook.com "Sender Information for Outlook.com Delivery" form,
	// linked from https://sendersupport.olc.protection.outlook.com/pm/troubleshooting.aspx
	urlMicrosoftSupportForm = "https://go.microsoft.com/fwlink/?LinkID=614866"
	// Smart Network Data Services and the Junk Mail Reporting Program.
	urlSNDS = "https://sendersupport.olc.protection.outlook.com/snds/"
	urlJMRP = "https://sendersupport.olc.protection.outlook.com/snds/JMRP.aspx"
	// Exchange admin center → Mail flow → Message trace (Microsoft 365).
	urlMessageTrace = "https://admin.exchange.microsoft.com/#/messagetrace"
	// Google Postmaster Tools.
	urlGooglePostmaster = "https://postmaster.google.com/"
)

type stateDef struct {
	severity report.Severity
	title    i18n.Text
	advice   i18n.Text
}

var stateDefs = map[State]stateDef{
	StateRejected: {report.Fail,
		i18n.T("Probe rejected", "Probe abgelehnt"),
		i18n.T("Read the reply (mxprobe explain \"<reply>\") and fix the cause it names: sending IP reputation, authentication (SPF, DKIM, DMARC) or content. For Outlook.com, hotmail.com and live.com request mitigation with the sender support form "+urlMicrosoftSupportForm+".",
			"Die Antwort lesen (mxprobe explain \"<Antwort>\") und die genannte Ursache beheben: Ruf der sendenden IP, Authentifizierung (SPF, DKIM, DMARC) oder Inhalt. Für Outlook.com, hotmail.com und live.com eine Freigabe über das Formular des Sender-Supports beantragen: "+urlMicrosoftSupportForm+".")},
	StateDeferred: {report.Warn,
		i18n.T("Probe deferred", "Probe zurückgestellt"),
		i18n.T("A temporary refusal (greylisting, rate limit or reputation). Send another probe later; if deferrals repeat, check the sending IP's reputation (for Outlook.com in SNDS: "+urlSNDS+").",
			"Eine vorübergehende Ablehnung (Greylisting, Ratenbegrenzung oder Ruf). Später eine weitere Probe senden; wiederholt sich das, den Ruf der sendenden IP prüfen (für Outlook.com in SNDS: "+urlSNDS+").")},
	StatePending: {report.Info,
		i18n.T("Probe pending", "Probe ausstehend"),
		i18n.T("Wait and look again: mxprobe probe watch, or mxprobe probe confirm later.",
			"Abwarten und erneut nachsehen: mxprobe probe watch oder später mxprobe probe confirm.")},
	StateDeliveredInbox: {report.OK,
		i18n.T("Probe delivered to the inbox", "Probe im Posteingang zugestellt"),
		i18n.T("Nothing to do: this path delivers.", "Nichts zu tun: dieser Weg stellt zu.")},
	StateDeliveredJunk: {report.Warn,
		i18n.T("Probe delivered to the junk folder", "Probe im Junk-Ordner zugestellt"),
		i18n.T("Check SPF, DKIM and DMARC alignment and the content; the spam headers in the evidence show the receiver's verdict. For Outlook.com watch SNDS ("+urlSNDS+") and enrol in JMRP ("+urlJMRP+") to see reputation and complaints.",
			"SPF, DKIM, DMARC-Ausrichtung und Inhalt prüfen; die Spam-Kopfzeilen im Nachweis zeigen das Urteil des Empfängers. Für Outlook.com SNDS beobachten ("+urlSNDS+") und am JMRP teilnehmen ("+urlJMRP+"), um Ruf und Beschwerden zu sehen.")},
	StateDeliveredOther: {report.Info,
		i18n.T("Probe delivered to another folder", "Probe in einem anderen Ordner zugestellt"),
		i18n.T("Check the seed mailbox's rules and sorting (filters, Focused/Other, archive rules) before blaming the path.",
			"Erst die Regeln und Sortierung des Seed-Postfachs prüfen (Filter, Relevant/Sonstige, Archivregeln), bevor der Weg verdächtigt wird.")},
	StateDeliveredLate: {report.Warn,
		i18n.T("Probe delivered late", "Probe verspätet zugestellt"),
		i18n.T("Look for greylisting or throttling (4xx replies) and queue delays in the sender's log (mxprobe logscan).",
			"Im Log des Absenders nach Greylisting oder Drosselung (4xx-Antworten) und Verzögerungen in der Warteschlange suchen (mxprobe logscan).")},
	StateMovedAfterDelivery: {report.Warn,
		i18n.T("Probe moved after delivery", "Probe nach der Zustellung verschoben"),
		i18n.T("The receiver moved or removed the message after delivery (for Microsoft 365 e.g. zero-hour auto purge into junk or quarantine). Check the quarantine; ask the recipient's admin for a message trace ("+urlMessageTrace+").",
			"Der Empfänger hat die Nachricht nach der Zustellung verschoben oder entfernt (bei Microsoft 365 z. B. Zero-Hour Auto Purge in Junk oder Quarantäne). Die Quarantäne prüfen; den Admin des Empfängers um eine Nachrichtenablaufverfolgung bitten ("+urlMessageTrace+").")},
	StateBouncedLate: {report.Fail,
		i18n.T("Probe bounced after acceptance", "Probe nach der Annahme zurückgewiesen"),
		i18n.T("The receiver accepted the probe and bounced it later: read the DSN (mxprobe explain); typical causes are a filter after acceptance, a full mailbox or failed forwarding.",
			"Der Empfänger hat die Probe angenommen und später zurückgewiesen: die Meldung lesen (mxprobe explain); typische Ursachen sind ein Filter nach der Annahme, ein volles Postfach oder eine gescheiterte Weiterleitung.")},
	StateSilentDrop: {report.Fail,
		i18n.T("Silent drop suspected", "Verdacht auf stilles Verwerfen"),
		i18n.T("Keep the evidence pack (mxprobe probe show TOKEN --format json) and attach it. For Outlook.com, hotmail.com and live.com submit the sender support form ("+urlMicrosoftSupportForm+"), check SNDS ("+urlSNDS+") and enrol in JMRP ("+urlJMRP+"). For a Microsoft 365 tenant ask the recipient's admin for a message trace with the Message-ID and InternalId ("+urlMessageTrace+"). Send more probes with controls to raise the confidence.",
			"Das Nachweispaket aufbewahren (mxprobe probe show TOKEN --format json) und anhängen. Für Outlook.com, hotmail.com und live.com das Formular des Sender-Supports ausfüllen ("+urlMicrosoftSupportForm+"), SNDS prüfen ("+urlSNDS+") und am JMRP teilnehmen ("+urlJMRP+"). Bei einem Microsoft-365-Mandanten den Admin des Empfängers um eine Nachrichtenablaufverfolgung mit Message-ID und InternalId bitten ("+urlMessageTrace+"). Weitere Proben mit Kontrollproben senden, um die Sicherheit zu erhöhen.")},
	StateDelayed: {report.Warn,
		i18n.T("Probe delayed", "Probe verzögert"),
		i18n.T("An MTA on the way reported a delay (RFC 3464 delayed): it keeps retrying. Read the status and the remote reply of the delay notification (mxprobe explain); look again later (mxprobe probe confirm).",
			"Ein MTA auf dem Weg meldete eine Verzögerung (RFC 3464 delayed): er versucht es weiter. Status und Antwort der Verzögerungsmeldung lesen (mxprobe explain); später erneut nachsehen (mxprobe probe confirm).")},
	StateDeliveryConfirmed: {report.OK,
		i18n.T("Delivery confirmed by the receiver", "Zustellung vom Empfänger bestätigt"),
		i18n.T("The receiving server reported delivery to the mailbox (success DSN). Scan the seed mailbox to see the folder (mxprobe probe confirm).",
			"Der empfangende Server meldete die Zustellung ins Postfach (Erfolgsmeldung). Das Seed-Postfach durchsuchen, um den Ordner zu sehen (mxprobe probe confirm).")},
	StateComplaint: {report.Warn,
		i18n.T("Complaint about the probe", "Beschwerde über die Probe"),
		i18n.T("A recipient or the provider's filter reported the probe as spam (ARF feedback report, Microsoft JMRP). Check that the seed address is your own test mailbox, which address your feedback loop reports go to, and the content of the probe; for Outlook.com see JMRP ("+urlJMRP+").",
			"Ein Empfänger oder der Filter des Anbieters meldete die Probe als Spam (ARF-Beschwerde, Microsoft JMRP). Prüfen, ob die Seed-Adresse Ihr eigenes Testpostfach ist, an welche Adresse die Beschwerdeberichte gehen und den Inhalt der Probe; für Outlook.com siehe JMRP ("+urlJMRP+").")},
	StateInconclusive: {report.Info,
		i18n.T("Delivery not provable", "Zustellung nicht nachweisbar"),
		i18n.T("Provide the missing evidence listed with the verdict (working IMAP access to the seed, more complete scans, a control probe that arrives).",
			"Die beim Urteil genannten fehlenden Nachweise beschaffen (funktionierender IMAP-Zugang zum Seed, weitere vollständige Durchsuchungen, eine ankommende Kontrollprobe).")},
}

func init() {
	for _, s := range States {
		d := stateDefs[s]
		report.Register(report.Def{ID: FindingID(s), Severity: d.severity, Title: d.title, Advice: d.advice})
	}
}

// FindingID is the public finding id of a state: "delivery.<state>".
func FindingID(s State) string { return "delivery." + string(s) }

// Title of a state in both languages.
func (s State) Title() i18n.Text { return stateDefs[s].title }

// Severity of a state as a finding severity.
func (s State) Severity() report.Severity {
	if d, ok := stateDefs[s]; ok {
		return d.severity
	}
	return report.Info
}

// stepText is what to do about a state whatever the provider; the
// provider's own channels follow it (see NextSteps). The catalog advice in
// stateDefs stays the reference text that names them all.
var stepText = map[State]i18n.Text{
	StateRejected: i18n.T("Read the reply (mxprobe explain \"<reply>\") and fix the cause it names: sending IP reputation, authentication (SPF, DKIM, DMARC) or content.",
		"Die Antwort lesen (mxprobe explain \"<Antwort>\") und die genannte Ursache beheben: Ruf der sendenden IP, Authentifizierung (SPF, DKIM, DMARC) oder Inhalt."),
	StateDeferred: i18n.T("A temporary refusal (greylisting, rate limit or reputation). Send another probe later; if deferrals repeat, check the sending IP's reputation.",
		"Eine vorübergehende Ablehnung (Greylisting, Ratenbegrenzung oder Ruf). Später eine weitere Probe senden; wiederholt sich das, den Ruf der sendenden IP prüfen."),
	StateDeliveredJunk: i18n.T("Check SPF, DKIM and DMARC alignment and the content; the spam headers in the evidence show the receiver's verdict.",
		"SPF, DKIM, DMARC-Ausrichtung und Inhalt prüfen; die Spam-Kopfzeilen im Nachweis zeigen das Urteil des Empfängers."),
	StateMovedAfterDelivery: i18n.T("The receiver moved or removed the message after delivery (a filter after delivery, a quarantine or a mailbox rule). Check the quarantine and the seed mailbox's rules.",
		"Der Empfänger hat die Nachricht nach der Zustellung verschoben oder entfernt (ein Filter nach der Zustellung, eine Quarantäne oder eine Postfachregel). Die Quarantäne und die Regeln des Seed-Postfachs prüfen."),
}

// NextSteps returns what to do about v, tailored to the destination
// provider: the state's advice, then the channels of the receiver —
// Microsoft's only for Microsoft destinations, Google Postmaster Tools for
// Gmail and Google Workspace, and for everyone else the receiving domain's
// postmaster (RFC 5321 §4.5.1 requires that mailbox) and its postmaster
// pages.
func NextSteps(v ProbeVerdict) []i18n.Text {
	advice, ok := stepText[v.State]
	if !ok {
		advice = stateDefs[v.State].advice
	}
	dom := domainOf(v.To)
	if dom == "" {
		dom = "DOMAIN"
	}
	pack := "mxprobe probe show " + v.Token + " --format json"
	consumer, tenant := v.Provider == "microsoft_consumer", v.Provider == "microsoft_tenant"
	google := v.Provider == "gmail" || v.Provider == "google"
	other := !consumer && !tenant && !google
	var out []i18n.Text
	add := func(cond bool, t i18n.Text) {
		if cond {
			out = append(out, t)
		}
	}
	msTrace := tr("The seed is hosted by Microsoft 365 (Exchange Online): its admin can trace the message by Message-ID and InternalId in the Exchange admin center (%s) and check quarantine and transport rules.",
		"Der Seed liegt bei Microsoft 365 (Exchange Online): sein Admin kann die Nachricht über Message-ID und InternalId im Exchange Admin Center verfolgen (%s) und Quarantäne und Transportregeln prüfen.", urlMessageTrace)
	googlePM := tr("For Gmail and Google Workspace register the sending domain in Postmaster Tools (%s) to see reputation and spam rate.",
		"Für Gmail und Google Workspace die sendende Domain in den Postmaster Tools registrieren (%s), um Ruf und Spamrate zu sehen.", urlGooglePostmaster)
	postmaster := tr("Contact the receiving domain's postmaster (postmaster@%s) with the evidence pack (%s), and check the receiver's postmaster pages for sender guidelines and a contact form.",
		"Den Postmaster der empfangenden Domain (postmaster@%s) mit dem Nachweispaket (%s) kontaktieren und die Postmaster-Seiten des Empfängers auf Absenderrichtlinien und ein Kontaktformular prüfen.", dom, pack)
	switch v.State {
	case StateSilentDrop:
		out = append(out, tr("Keep the evidence pack (%s) and attach it to every request; send more probes with controls to raise the confidence.",
			"Das Nachweispaket aufbewahren (%s) und jeder Anfrage beilegen; weitere Proben mit Kontrollproben senden, um die Sicherheit zu erhöhen.", pack))
		add(consumer, tr("For Outlook.com, hotmail.com and live.com submit the sender support form (%s), check SNDS (%s) and enrol in JMRP (%s).",
			"Für Outlook.com, hotmail.com und live.com das Formular des Sender-Supports ausfüllen (%s), SNDS prüfen (%s) und am JMRP teilnehmen (%s).", urlMicrosoftSupportForm, urlSNDS, urlJMRP))
		add(tenant, msTrace)
		add(google, googlePM)
		add(other, postmaster)
	case StateRejected:
		out = append(out, advice)
		add(consumer, tr("For Outlook.com, hotmail.com and live.com request mitigation with the sender support form (%s).",
			"Für Outlook.com, hotmail.com und live.com eine Freigabe über das Formular des Sender-Supports beantragen (%s).", urlMicrosoftSupportForm))
		add(tenant, msTrace)
		add(google, googlePM)
		add(other, postmaster)
	case StateDeferred:
		out = append(out, advice)
		add(consumer, tr("For Outlook.com SNDS shows the sending IP's reputation (%s).", "Für Outlook.com zeigt SNDS den Ruf der sendenden IP (%s).", urlSNDS))
		add(google, googlePM)
	case StateDeliveredJunk:
		out = append(out, advice)
		add(consumer, tr("For Outlook.com watch SNDS (%s) and enrol in JMRP (%s) to see reputation and complaints.",
			"Für Outlook.com SNDS beobachten (%s) und am JMRP teilnehmen (%s), um Ruf und Beschwerden zu sehen.", urlSNDS, urlJMRP))
		add(tenant, msTrace)
		add(google, googlePM)
	case StateMovedAfterDelivery:
		out = append(out, advice)
		add(consumer || tenant, tr("Microsoft may move mail after delivery by zero-hour auto purge (ZAP) into junk or quarantine.",
			"Microsoft kann Nachrichten nach der Zustellung per Zero-Hour Auto Purge (ZAP) in Junk oder Quarantäne verschieben."))
		add(tenant, msTrace)
	case StateBouncedLate, StateDeliveredLate:
		out = append(out, advice)
		add(tenant, msTrace)
		add(google, googlePM)
	default:
		out = append(out, advice)
	}
	return out
}

// Finding returns v as a report finding (id delivery.<state>) with the
// reasons as detail and the evidence ids as evidence.
func (v ProbeVerdict) Finding() report.Finding {
	var en, de []string
	for _, r := range v.Reasons {
		en = append(en, r.EN)
		de = append(de, r.DE)
	}
	f := report.New(FindingID(v.State), i18n.Text{EN: strings.Join(en, " "), DE: strings.Join(de, " ")}, "token="+v.Token)
	// The advice for this destination, not the catalog's list for all.
	var aen, ade []string
	for _, t := range NextSteps(v) {
		aen, ade = append(aen, t.EN), append(ade, t.DE)
	}
	f = f.WithAdvice(i18n.Text{EN: strings.Join(aen, " "), DE: strings.Join(ade, " ")})
	if v.Confidence != "" {
		f.Evidence = append(f.Evidence, "confidence="+string(v.Confidence))
	}
	if v.Reason != "" {
		f.Evidence = append(f.Evidence, "reason="+string(v.Reason))
	}
	return f
}
