package delivery

import (
	"embed"
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

// The catalog of the delivery.<state> findings (severity, title, advice in
// English and German) is findings.yaml; the links above are repeated there
// in the advice and used here for the provider's next steps.
//
//go:embed findings.yaml
var findingsYAML embed.FS

func init() { report.MustRegisterFS(findingsYAML, "findings.yaml") }

// FindingID is the public finding id of a state: "delivery.<state>".
func FindingID(s State) string { return "delivery." + string(s) }

// Title of a state in both languages.
func (s State) Title() i18n.Text {
	d, _ := report.Lookup(FindingID(s))
	return d.Title
}

// Severity of a state as a finding severity.
func (s State) Severity() report.Severity {
	if d, ok := report.Lookup(FindingID(s)); ok {
		return d.Severity
	}
	return report.Info
}

// stepText is what to do about a state whatever the provider; the
// provider's own channels follow it (see NextSteps). The catalog advice in
// findings.yaml stays the reference text that names them all.
var stepText = map[State]i18n.Text{
	StateRejected: i18n.T("Read the reply (mxprobe explain \"<reply>\") and fix the cause it names: sending IP reputation, authentication (SPF, DKIM, DMARC) or content.",
		"Lesen Sie die Antwort (mxprobe explain \"<Antwort>\") und beheben Sie die genannte Ursache: Ruf der sendenden IP, Authentifizierung (SPF, DKIM, DMARC) oder Inhalt."),
	StateDeferred: i18n.T("A temporary refusal (greylisting, rate limit or reputation). Send another probe later; if deferrals repeat, check the sending IP's reputation.",
		"Eine Zurückstellung (Greylisting, Ratenbegrenzung oder Ruf). Senden Sie später eine weitere Testmail; wiederholen sich die Zurückstellungen, prüfen Sie den Ruf der sendenden IP."),
	StateDeliveredJunk: i18n.T("Check SPF, DKIM and DMARC alignment and the content; the spam headers in the evidence show the receiver's verdict.",
		"Prüfen Sie SPF, DKIM, die DMARC-Ausrichtung und den Inhalt; die Spam-Kopfzeilen in den Belegen zeigen die Bewertung des Empfängers."),
	StateMovedAfterDelivery: i18n.T("The receiver moved or removed the message after delivery (a filter after delivery, a quarantine or a mailbox rule). Check the quarantine and the seed mailbox's rules.",
		"Der Empfänger hat die Nachricht nach der Zustellung verschoben oder entfernt (ein Filter nach der Zustellung, eine Quarantäne oder eine Postfachregel). Prüfen Sie die Quarantäne und die Regeln des Testpostfachs."),
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
		d, _ := report.Lookup(FindingID(v.State))
		advice = d.Advice
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
		"Das Testpostfach liegt bei Microsoft 365 (Exchange Online): Dessen Administrator kann die Nachricht über Message-ID und InternalId im Exchange Admin Center verfolgen (%s) und Quarantäne und Transportregeln prüfen.", urlMessageTrace)
	googlePM := tr("For Gmail and Google Workspace register the sending domain in Postmaster Tools (%s) to see reputation and spam rate.",
		"Registrieren Sie für Gmail und Google Workspace die sendende Domain in den Postmaster Tools (%s), um Ruf und Spamrate zu sehen.", urlGooglePostmaster)
	postmaster := tr("Contact the receiving domain's postmaster (postmaster@%s) with the evidence pack (%s), and check the receiver's postmaster pages for sender guidelines and a contact form.",
		"Schreiben Sie dem Postmaster der empfangenden Domain (postmaster@%s) mit dem Nachweispaket (%s) und suchen Sie auf den Postmaster-Seiten des Empfängers nach Absenderrichtlinien und einem Kontaktformular.", dom, pack)
	switch v.State {
	case StateSilentDrop:
		out = append(out, tr("Keep the evidence pack (%s) and attach it to every request; send more probes with controls to raise the confidence.",
			"Bewahren Sie das Nachweispaket auf (%s) und legen Sie es jeder Anfrage bei; senden Sie weitere Testmails mit Kontroll-Testmails, um die Aussagekraft zu erhöhen.", pack))
		add(consumer, tr("For Outlook.com, hotmail.com and live.com submit the sender support form (%s), check SNDS (%s) and enrol in JMRP (%s).",
			"Füllen Sie für Outlook.com, hotmail.com und live.com das Formular des Sender-Supports aus (%s), prüfen Sie SNDS (%s) und melden Sie sich beim JMRP an (%s).", urlMicrosoftSupportForm, urlSNDS, urlJMRP))
		add(tenant, msTrace)
		add(google, googlePM)
		add(other, postmaster)
	case StateRejected:
		out = append(out, advice)
		add(consumer, tr("For Outlook.com, hotmail.com and live.com request mitigation with the sender support form (%s).",
			"Beantragen Sie für Outlook.com, hotmail.com und live.com eine Freigabe über das Formular des Sender-Supports (%s).", urlMicrosoftSupportForm))
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
			"Beobachten Sie für Outlook.com SNDS (%s) und melden Sie sich beim JMRP an (%s), um Ruf und Beschwerden zu sehen.", urlSNDS, urlJMRP))
		add(tenant, msTrace)
		add(google, googlePM)
	case StateMovedAfterDelivery:
		out = append(out, advice)
		add(consumer || tenant, tr("Microsoft may move mail after delivery by zero-hour auto purge (ZAP) into junk or quarantine.",
			"Microsoft kann Nachrichten nach der Zustellung per Zero-Hour Auto Purge (ZAP) in den Spam-Ordner oder die Quarantäne verschieben."))
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
