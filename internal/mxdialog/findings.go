package mxdialog

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/smtpconn"
)

// Finding ids of the SMTP dialogue and the TLS session (a public contract).
const (
	IDConnectFailed    = "smtp.connect_failed"
	IDPort25Blocked    = "smtp.port25_blocked"
	IDBannerDelay      = "smtp.banner_delay"
	IDTarpit           = "smtp.tarpit"
	IDTimeout          = "smtp.timeout"
	IDConnectionLost   = "smtp.connection_lost"
	IDProtocolError    = "smtp.protocol_error"
	IDProtocolAnomaly  = "smtp.protocol_anomaly"
	IDSessionRejected  = "smtp.session_rejected"
	IDRcptAccepted     = "smtp.rcpt_accepted"
	IDRcptRejected     = "smtp.rcpt_rejected"
	IDRcptDeferred     = "smtp.rcpt_deferred"
	IDAcceptAll        = "smtp.accept_all"
	IDStartTLSMissing  = "smtp.starttls_missing"
	IDSMTPUTF8Missing  = "smtp.smtputf8_missing"
	IDHELOFallback     = "smtp.helo_fallback"
	IDTLSOK            = "tls.ok"
	IDTLSHandshake     = "tls.handshake_failed"
	IDTLSCertInvalid   = "tls.cert_invalid"
	IDTLSCertExpiring  = "tls.cert_expiring"
	IDTLSSelfSigned    = "tls.self_signed"
	IDTLSNameMismatch  = "tls.name_mismatch"
	IDTLSWeakVersion   = "tls.weak_version"
	defaultBannerDelay = 2 * time.Second
	defaultBannerWarn  = 10 * time.Second
	defaultSlowReply   = 10 * time.Second
	defaultExpiryWarn  = 14
)

func init() {
	report.Register(
		report.Def{ID: IDConnectFailed, Severity: report.Warn,
			Title: i18n.T("Could not connect to the mail server", "Keine Verbindung zum Mailserver"),
			Advice: i18n.T("Check that the host is up and that port 25 is open to the internet. If every mail server fails this way, this network may block outbound port 25.",
				"Prüfen Sie, ob der Server läuft und Port 25 aus dem Internet erreichbar ist. Scheitern alle Mailserver so, sperrt womöglich dieses Netz ausgehende Verbindungen auf Port 25.")},
		report.Def{ID: IDPort25Blocked, Severity: report.Warn,
			Title: i18n.T("Outbound port 25 seems blocked on this network", "Ausgehender Port 25 scheint in diesem Netz gesperrt"),
			Advice: i18n.T("Every mail server address timed out or refused the connection while DNS worked. This is common on cloud VMs, CI runners and home connections; the results reflect this host, not your mail server. Run mxprobe from a host that may send mail, or ask the provider to open port 25.",
				"Alle Adressen der Mailserver liefen in eine Zeitüberschreitung oder lehnten die Verbindung ab, während DNS funktionierte. Das ist bei Cloud-VMs, CI-Runnern und Privatanschlüssen üblich; das Ergebnis beschreibt diesen Rechner, nicht Ihren Mailserver. Starten Sie mxprobe auf einem Rechner, der Mail versenden darf, oder bitten Sie den Anbieter, Port 25 freizugeben.")},
		report.Def{ID: IDBannerDelay, Severity: report.Warn,
			Title: i18n.T("Slow SMTP greeting", "Langsame SMTP-Begrüßung"),
			Advice: i18n.T("A delayed 220 greeting is often deliberate (greet pause, tarpitting) or a sign of overload or slow reverse DNS on the server. Senders wait up to 5 minutes (RFC 5321 §4.5.3.2), so mail still arrives, but slowly.",
				"Eine verzögerte 220-Begrüßung ist oft Absicht (Greet-Pause, Tarpitting) oder ein Zeichen für Überlast oder langsames Reverse-DNS auf dem Server. Absender warten bis zu 5 Minuten (RFC 5321 §4.5.3.2); die Mail kommt also an, aber langsam.")},
		report.Def{ID: IDTarpit, Severity: report.Warn,
			Title: i18n.T("Server is tarpitting", "Server bremst die Verbindung aus (Tarpit)"),
			Advice: i18n.T("The server answers very slowly or not at all after accepting the connection. Servers tarpit clients they distrust (block lists, missing reverse DNS, poor reputation): check the sender-side findings. If it is your server, check its load and its DNS resolution.",
				"Der Server antwortet nach dem Verbindungsaufbau sehr langsam oder gar nicht. Server bremsen Clients aus, denen sie misstrauen (Sperrlisten, fehlendes Reverse-DNS, schlechter Ruf): Prüfen Sie die Befunde zur Absenderseite. Ist es Ihr Server, prüfen Sie seine Last und seine DNS-Auflösung.")},
		report.Def{ID: IDTimeout, Severity: report.Warn,
			Title: i18n.T("Server stopped answering", "Server antwortet nicht mehr"),
			Advice: i18n.T("The server did not answer a command in time. Try again later; if it persists, the server or a firewall in between is stalling the session.",
				"Der Server hat einen Befehl nicht rechtzeitig beantwortet. Versuchen Sie es später erneut; bleibt es dabei, blockiert der Server oder eine Firewall dazwischen die Sitzung.")},
		report.Def{ID: IDConnectionLost, Severity: report.Warn,
			Title: i18n.T("Server closed the connection", "Server hat die Verbindung beendet"),
			Advice: i18n.T("The server ended the session without a proper reply. Overloaded servers, connection limits and silent blocks of the sending IP do this.",
				"Der Server hat die Sitzung ohne ordentliche Antwort beendet. Das tun überlastete Server, Verbindungslimits und stille Sperren der sendenden IP.")},
		report.Def{ID: IDProtocolError, Severity: report.Fail,
			Title: i18n.T("Server breaks the SMTP protocol", "Server verletzt das SMTP-Protokoll"),
			Advice: i18n.T("A reply did not follow the reply syntax of RFC 5321 or exceeded sane limits. Senders fail or defer the same way; the operator must fix the server software or the device in front of it (SMTP-inspecting firewalls are a common cause).",
				"Eine Antwort verstieß gegen die Antwortsyntax von RFC 5321 oder sprengte vernünftige Grenzen. Absender scheitern oder verzögern auf dieselbe Weise; der Betreiber muss die Serversoftware oder das vorgeschaltete Gerät korrigieren (SMTP-prüfende Firewalls sind eine häufige Ursache).")},
		report.Def{ID: IDProtocolAnomaly, Severity: report.Info,
			Title: i18n.T("Server replies deviate from RFC 5321", "Serverantworten weichen von RFC 5321 ab"),
			Advice: i18n.T("mxprobe tolerated this, but strict clients may stumble. The server's operator should fix it.",
				"mxprobe hat das toleriert, strenge Clients könnten aber daran scheitern. Der Betreiber des Servers sollte es beheben.")},
		report.Def{ID: IDSessionRejected, Severity: report.Fail,
			Title: i18n.T("Server refused the session", "Server hat die Sitzung abgelehnt"),
			Advice: i18n.T("The server refused to go on before the recipient could be checked. The reply says why; often the sending IP, the HELO name or the sender address is refused.",
				"Der Server hat abgebrochen, bevor der Empfänger geprüft werden konnte. Die Antwort nennt den Grund; oft werden die sendende IP, der HELO-Name oder die Absenderadresse abgelehnt.")},
		report.Def{ID: IDRcptAccepted, Severity: report.OK,
			Title: i18n.T("Recipient accepted", "Empfänger angenommen"),
			Advice: i18n.T("The server accepted the recipient at RCPT time. This does not prove delivery: some providers accept and then discard the message or file it as junk.",
				"Der Server hat den Empfänger bei RCPT angenommen. Das beweist keine Zustellung: Manche Anbieter nehmen an und verwerfen die Nachricht danach oder legen sie als Spam ab.")},
		report.Def{ID: IDRcptRejected, Severity: report.Fail,
			Title: i18n.T("Recipient rejected", "Empfänger abgelehnt"),
			Advice: i18n.T("The server permanently refused the recipient. The explanation of the reply names the reason and who must act.",
				"Der Server hat den Empfänger dauerhaft abgelehnt. Die Erklärung der Antwort nennt den Grund und wer handeln muss.")},
		report.Def{ID: IDRcptDeferred, Severity: report.Warn,
			Title: i18n.T("Recipient temporarily refused", "Empfänger vorübergehend abgelehnt"),
			Advice: i18n.T("A 4xx reply asks the sender to try again later (greylisting, rate limits, temporary blocks). Real senders retry for days; see the explanation of the reply.",
				"Eine 4xx-Antwort bittet den Absender, es später erneut zu versuchen (Greylisting, Ratenlimits, vorübergehende Sperren). Echte Absender versuchen es tagelang weiter; siehe die Erklärung der Antwort.")},
		report.Def{ID: IDAcceptAll, Severity: report.Info,
			Title: i18n.T("Server accepts any recipient", "Server nimmt jeden Empfänger an"),
			Advice: i18n.T("A random, certainly nonexistent address was accepted at RCPT time, so a 250 for your recipient proves nothing about the mailbox or the delivery. The delivery proof (mxprobe probe) tells for sure.",
				"Eine zufällige, sicher nicht existierende Adresse wurde bei RCPT angenommen; ein 250 für Ihren Empfänger sagt also nichts über das Postfach oder die Zustellung. Gewissheit gibt der Zustellnachweis (mxprobe probe).")},
		report.Def{ID: IDStartTLSMissing, Severity: report.Warn,
			Title: i18n.T("No STARTTLS", "Kein STARTTLS"),
			Advice: i18n.T("The server does not offer STARTTLS (RFC 3207), so mail to it travels unencrypted and neither MTA-STS nor DANE can work. Enable STARTTLS with a valid certificate.",
				"Der Server bietet kein STARTTLS (RFC 3207) an; Mail an ihn geht unverschlüsselt über das Netz, und weder MTA-STS noch DANE können greifen. Aktivieren Sie STARTTLS mit einem gültigen Zertifikat.")},
		report.Def{ID: IDSMTPUTF8Missing, Severity: report.Fail,
			Title: i18n.T("Server does not support SMTPUTF8", "Server unterstützt kein SMTPUTF8"),
			Advice: i18n.T("The address has a non-ASCII local part, which needs SMTPUTF8 (RFC 6531). This server does not offer it, so nobody can send to this address through it. Use an ASCII address or a server with SMTPUTF8.",
				"Die Adresse hat einen lokalen Teil mit Nicht-ASCII-Zeichen, der SMTPUTF8 (RFC 6531) braucht. Dieser Server bietet es nicht an; über ihn kann niemand an diese Adresse senden. Verwenden Sie eine ASCII-Adresse oder einen Server mit SMTPUTF8.")},
		report.Def{ID: IDHELOFallback, Severity: report.Info,
			Title: i18n.T("EHLO refused, HELO used", "EHLO abgelehnt, HELO verwendet"),
			Advice: i18n.T("The server refused EHLO, so no SMTP extensions (STARTTLS, SIZE, SMTPUTF8 …) are available. Current servers support EHLO (RFC 5321 §4.1.1.1).",
				"Der Server hat EHLO abgelehnt; damit stehen keine SMTP-Erweiterungen (STARTTLS, SIZE, SMTPUTF8 …) zur Verfügung. Aktuelle Server unterstützen EHLO (RFC 5321 §4.1.1.1).")},
		report.Def{ID: IDTLSOK, Severity: report.OK,
			Title:  i18n.T("TLS certificate is valid", "TLS-Zertifikat ist gültig"),
			Advice: i18n.T("Keep the renewal automated.", "Halten Sie die Erneuerung automatisiert.")},
		report.Def{ID: IDTLSHandshake, Severity: report.Fail,
			Title: i18n.T("STARTTLS fails", "STARTTLS scheitert"),
			Advice: i18n.T("The server offers STARTTLS, but refuses it or the TLS handshake fails. Depending on their policy, senders defer the mail or fall back to plaintext. Check the server's certificate configuration, protocol versions and ciphers.",
				"Der Server bietet STARTTLS an, lehnt es dann aber ab, oder der TLS-Handshake scheitert. Je nach Richtlinie verzögern Absender die Mail oder weichen auf Klartext aus. Prüfen Sie Zertifikatskonfiguration, Protokollversionen und Chiffren des Servers.")},
		report.Def{ID: IDTLSCertInvalid, Severity: report.Warn,
			Title: i18n.T("TLS certificate not trusted", "TLS-Zertifikat nicht vertrauenswürdig"),
			Advice: i18n.T("The certificate does not verify against trusted roots (expired, unknown issuer or incomplete chain). Opportunistic TLS still works, but MTA-STS in enforce mode fails. Install a certificate from a public CA with the full chain.",
				"Das Zertifikat lässt sich nicht gegen vertrauenswürdige Wurzelzertifikate prüfen (abgelaufen, unbekannter Aussteller oder unvollständige Kette). Opportunistisches TLS funktioniert weiter, MTA-STS im Modus enforce scheitert aber. Installieren Sie ein Zertifikat einer öffentlichen CA mit vollständiger Kette.")},
		report.Def{ID: IDTLSCertExpiring, Severity: report.Warn,
			Title: i18n.T("TLS certificate expires soon", "TLS-Zertifikat läuft bald ab"),
			Advice: i18n.T("Renew the certificate before it expires, and automate the renewal.",
				"Erneuern Sie das Zertifikat vor dem Ablauf und automatisieren Sie die Erneuerung.")},
		report.Def{ID: IDTLSSelfSigned, Severity: report.Warn,
			Title: i18n.T("Self-signed TLS certificate", "Selbstsigniertes TLS-Zertifikat"),
			Advice: i18n.T("No sender can verify a self-signed certificate, and MTA-STS requires one issued by a CA. DANE (TLSA 3 1 1) can pin it, but only with DNSSEC.",
				"Kein Absender kann ein selbstsigniertes Zertifikat prüfen, und MTA-STS verlangt eines von einer CA. DANE (TLSA 3 1 1) kann es festlegen, aber nur mit DNSSEC.")},
		report.Def{ID: IDTLSNameMismatch, Severity: report.Warn,
			Title: i18n.T("TLS certificate does not match the MX name", "TLS-Zertifikat passt nicht zum MX-Namen"),
			Advice: i18n.T("The certificate is not valid for the MX host name. MTA-STS checks the MX name (RFC 8461 §4.2): add it to the certificate's subject alternative names.",
				"Das Zertifikat gilt nicht für den Namen des MX-Hosts. MTA-STS prüft den MX-Namen (RFC 8461 §4.2): Nehmen Sie ihn in die alternativen Namen (SAN) des Zertifikats auf.")},
		report.Def{ID: IDTLSWeakVersion, Severity: report.Warn,
			Title: i18n.T("Outdated TLS version", "Veraltete TLS-Version"),
			Advice: i18n.T("The server negotiated a TLS version older than 1.2, which RFC 8996 deprecates. Enable TLS 1.2 and 1.3.",
				"Der Server hat eine TLS-Version älter als 1.2 ausgehandelt, die RFC 8996 für veraltet erklärt. Aktivieren Sie TLS 1.2 und 1.3.")},
	)
}

// FindingsOptions tune Findings. Zero fields take defaults.
type FindingsOptions struct {
	// DNSWorks: the caller's DNS lookups succeeded. Only then does "every
	// address failed to connect" mean a blocked port 25.
	DNSWorks bool
	// BannerDelay: a greeting slower than this is reported, as info
	// (default 2 s); BannerDelayWarn: from this on as warn (default 10 s).
	BannerDelay     time.Duration
	BannerDelayWarn time.Duration
	// SlowReply: a command reply slower than this counts as tarpitting
	// (default 10 s).
	SlowReply time.Duration
	// ExpiryWarnDays: warn when the certificate expires within this many
	// days (default 14).
	ExpiryWarnDays int
}

// Findings derives findings from probe results (any mix of RCPT probes and
// accept-all tests, for one or more addresses). When every address failed
// to connect (timeout or refused) while DNS works, it returns a single
// smtp.port25_blocked instead of a list of dead hosts. It does not explain
// reply codes; the caller passes Result.Unsuccessful() to the explain engine.
func Findings(results []*Result, o FindingsOptions) []report.Finding {
	if o.BannerDelay <= 0 {
		o.BannerDelay = defaultBannerDelay
	}
	if o.BannerDelayWarn <= 0 {
		o.BannerDelayWarn = max(defaultBannerWarn, o.BannerDelay)
	}
	if o.SlowReply <= 0 {
		o.SlowReply = defaultSlowReply
	}
	if o.ExpiryWarnDays <= 0 {
		o.ExpiryWarnDays = defaultExpiryWarn
	}
	var main, acceptAll []*Result
	for _, r := range results {
		if r == nil {
			continue
		}
		if r.Kind == KindAcceptAllTest {
			acceptAll = append(acceptAll, r)
		} else {
			main = append(main, r)
		}
	}
	if f, ok := port25Blocked(main, o); ok {
		return []report.Finding{f}
	}
	var out []report.Finding
	seen := map[string]bool{}
	add := func(f report.Finding) {
		key := f.ID + "\x00" + f.Detail.EN + "\x00" + strings.Join(f.Evidence, "\x00")
		if !seen[key] {
			seen[key] = true
			out = append(out, f)
		}
	}
	for _, r := range main {
		for _, f := range resultFindings(r, o) {
			add(f)
		}
	}
	for _, r := range acceptAll {
		if r.RcptOutcome() == RcptAccepted {
			add(report.New(IDAcceptAll,
				report.Detailf("%s accepted the nonexistent recipient <%s>.", "%s hat den nicht existierenden Empfänger <%s> angenommen.", label(r), r.RcptTo),
				r.Rcpt.Line()))
		}
	}
	return out
}

// port25Blocked: every address failed at connect, at least two were tried
// and at least one timed out or was refused (what a local firewall does).
// RFC 5321 §5.1 says to try every address, so a sender here cannot reach
// anyone.
func port25Blocked(main []*Result, o FindingsOptions) (report.Finding, bool) {
	if !o.DNSWorks || len(main) < 2 {
		return report.Finding{}, false
	}
	dropped := 0
	var ev []string
	for _, r := range main {
		if r.Error == nil || !r.Error.Class.IsConnect() {
			return report.Finding{}, false
		}
		if r.Error.Class != ClassConnectFailed {
			dropped++
		}
		if len(ev) < 10 {
			ev = append(ev, r.Address+": "+string(r.Error.Class))
		}
	}
	if dropped == 0 {
		return report.Finding{}, false
	}
	return report.New(IDPort25Blocked,
		report.Detailf("None of the %d addresses accepted a connection on port %d.", "Keine der %d Adressen nahm eine Verbindung auf Port %d an.", len(main), port(main[0])),
		ev...), true
}

func port(r *Result) int {
	var p int
	if i := strings.LastIndexByte(r.Address, ':'); i >= 0 {
		fmt.Sscan(r.Address[i+1:], &p)
	}
	return p
}

func label(r *Result) string {
	if r.Host != "" {
		return r.Host + " (" + r.Address + ")"
	}
	return r.Address
}

func secs(msv float64) string {
	return fmt.Sprintf("%.1f s", msv/1000)
}

func resultFindings(r *Result, o FindingsOptions) []report.Finding {
	var out []report.Finding
	add := func(f report.Finding) { out = append(out, f) }
	who := label(r)

	if e := r.Error; e != nil {
		switch e.Class {
		case ClassConnectRefused, ClassConnectTimeout, ClassConnectFailed:
			w := connectWords(e.Class)
			add(report.New(IDConnectFailed,
				i18n.T(fmt.Sprintf("%s: %s.", who, w.EN), fmt.Sprintf("%s: %s.", who, w.DE)),
				r.Address+": "+string(e.Class)+": "+e.Detail))
		case ClassBannerTimeout:
			add(report.New(IDTarpit,
				report.Detailf("%s accepted the connection but sent no greeting within %s.", "%s hat die Verbindung angenommen, aber binnen %s keine Begrüßung gesendet.", who, secs(r.DurationMS-r.ConnectMS)),
				r.Address+": banner_timeout"))
		case ClassTimeout:
			add(report.New(IDTimeout,
				report.Detailf("%s did not answer in time (phase %s).", "%s hat nicht rechtzeitig geantwortet (Phase %s).", who, e.Phase),
				r.Address+": "+string(e.Phase)+": "+e.Detail))
		case ClassClosed, ClassReset:
			w := errorWords(e)
			add(report.New(IDConnectionLost,
				i18n.T(fmt.Sprintf("%s ended the connection (phase %s): %s.", who, e.Phase, w.EN),
					fmt.Sprintf("%s hat die Verbindung beendet (Phase %s): %s.", who, e.Phase, w.DE)),
				r.Address+": "+string(e.Class)+": "+e.Detail))
		case ClassProtocol:
			w := errorWords(e)
			add(report.New(IDProtocolError,
				i18n.T(fmt.Sprintf("%s (phase %s): %s.", who, e.Phase, w.EN), fmt.Sprintf("%s (Phase %s): %s.", who, e.Phase, w.DE)),
				r.Address+": "+e.Detail))
		case ClassTLS:
			add(report.New(IDTLSHandshake,
				report.Detailf("The TLS handshake with %s failed.", "Der TLS-Handshake mit %s ist gescheitert.", who),
				r.Address+": "+e.Detail))
		case ClassRejected:
			f := report.New(IDSessionRejected,
				report.Detailf("%s refused the session at %s: %s", "%s hat die Sitzung bei %s abgelehnt: %s", who, e.Phase, e.Detail),
				e.Detail)
			if strings.HasPrefix(e.Detail, "4") {
				f = f.WithSeverity(report.Warn)
			}
			add(f)
		case ClassSMTPUTF8:
			add(report.New(IDSMTPUTF8Missing,
				report.Detailf("%s does not offer SMTPUTF8, needed for <%s>.", "%s bietet kein SMTPUTF8 an, das für <%s> nötig ist.", who, r.RcptTo),
				r.Address))
		}
	}

	// Healthy MTAs greet in well under a second: info from BannerDelay
	// (2 s), warn from BannerDelayWarn (10 s); the measured delay is always
	// in the evidence.
	if b := r.Banner; b != nil && b.DelayMS >= float64(o.BannerDelay.Milliseconds()) {
		f := report.New(IDBannerDelay,
			report.Detailf("%s greeted after %s.", "%s hat nach %s gegrüßt.", who, secs(b.DelayMS)),
			fmt.Sprintf("%s: banner after %.0f ms", r.Address, b.DelayMS))
		if b.DelayMS < float64(o.BannerDelayWarn.Milliseconds()) {
			f = f.WithSeverity(report.Info)
		}
		add(f)
	}
	var slow []string
	for _, rep := range r.Replies {
		if rep.Command != "banner" && rep.ElapsedMS >= float64(o.SlowReply.Milliseconds()) {
			slow = append(slow, fmt.Sprintf("%s: %.0f ms", rep.Command, rep.ElapsedMS))
		}
	}
	if len(slow) > 0 {
		add(report.New(IDTarpit,
			report.Detailf("%s answered slowly: %s.", "%s hat langsam geantwortet: %s.", who, strings.Join(slow, ", ")),
			slow...))
	}
	if r.HELOFallback {
		add(report.New(IDHELOFallback,
			report.Detailf("%s refused EHLO; HELO worked.", "%s hat EHLO abgelehnt; HELO funktionierte.", who), r.Address))
	}
	if len(r.Anomalies) > 0 {
		add(report.New(IDProtocolAnomaly,
			report.Detailf("%s: %s.", "%s: %s.", who, strings.Join(r.Anomalies, "; ")),
			r.Anomalies...))
	}
	if r.Extensions != nil && !r.Extensions.STARTTLS {
		add(report.New(IDStartTLSMissing,
			report.Detailf("%s does not offer STARTTLS.", "%s bietet kein STARTTLS an.", who), r.Address))
	}
	if t := r.TLS; t != nil {
		out = append(out, tlsFindings(r, t, o)...)
	}
	switch r.RcptOutcome() {
	case RcptAccepted:
		add(report.New(IDRcptAccepted,
			report.Detailf("%s accepted <%s>.", "%s hat <%s> angenommen.", who, r.RcptTo), r.Rcpt.Line()))
	case RcptDeferred:
		add(report.New(IDRcptDeferred,
			report.Detailf("%s deferred <%s>: %s", "%s hat <%s> vorläufig abgelehnt: %s", who, r.RcptTo, r.Rcpt.Line()), r.Rcpt.Line()))
	case RcptRejected:
		add(report.New(IDRcptRejected,
			report.Detailf("%s rejected <%s>: %s", "%s hat <%s> abgelehnt: %s", who, r.RcptTo, r.Rcpt.Line()), r.Rcpt.Line()))
	}
	return out
}

// errorWords words a protocol or connection error in both languages.
func errorWords(e *Error) i18n.Text {
	words := []struct {
		err error
		t   i18n.Text
	}{
		{smtpconn.ErrLineTooLong, i18n.T("reply line too long", "Antwortzeile zu lang")},
		{smtpconn.ErrTooManyLines, i18n.T("too many reply lines (endless continuation)", "zu viele Antwortzeilen (endlose Fortsetzung)")},
		{smtpconn.ErrReplyTooLarge, i18n.T("reply too large", "Antwort zu groß")},
		{smtpconn.ErrBadCode, i18n.T("bad reply code", "ungültiger Antwortcode")},
		{smtpconn.ErrMismatchedCode, i18n.T("mismatched multi-line code", "uneinheitlicher Code in mehrzeiliger Antwort")},
		{smtpconn.ErrMalformed, i18n.T("malformed reply line", "fehlerhafte Antwortzeile")},
		{smtpconn.ErrNUL, i18n.T("NUL byte in reply", "NUL-Byte in der Antwort")},
		{smtpconn.ErrUnexpected, i18n.T("unexpected reply", "unerwartete Antwort")},
		{smtpconn.ErrDataAfterTLS, i18n.T("data after the STARTTLS reply", "Daten nach der STARTTLS-Antwort")},
	}
	for _, w := range words {
		if errors.Is(e.err, w.err) {
			return w.t
		}
	}
	switch e.Class {
	case ClassReset:
		return i18n.T("connection reset", "Verbindung zurückgesetzt")
	case ClassClosed:
		if errors.Is(e.err, io.ErrUnexpectedEOF) {
			return i18n.T("connection closed in the middle of a reply", "Verbindung mitten in einer Antwort geschlossen")
		}
		return i18n.T("connection closed without a reply", "Verbindung ohne Antwort geschlossen")
	}
	return i18n.T(e.Detail, e.Detail)
}

func connectWords(c ErrorClass) i18n.Text {
	switch c {
	case ClassConnectRefused:
		return i18n.T("connection refused", "Verbindung abgelehnt")
	case ClassConnectTimeout:
		return i18n.T("no answer to the connection attempt", "keine Antwort auf den Verbindungsversuch")
	}
	return i18n.T("connection failed", "Verbindung gescheitert")
}

func tlsFindings(r *Result, t *TLSInfo, o FindingsOptions) []report.Finding {
	who := label(r)
	var out []report.Finding
	if t.Error != "" {
		if r.Error == nil || r.Error.Class != ClassTLS {
			// STARTTLS refused (454): the dialogue went on in plaintext.
			out = append(out, report.New(IDTLSHandshake,
				report.Detailf("%s offers STARTTLS but refused it: %s.", "%s bietet STARTTLS an, hat es aber abgelehnt: %s.", who, t.Error),
				r.Address+": "+t.Error).WithSeverity(report.Warn))
		}
		return out
	}
	if t.Version == "" {
		return nil
	}
	leaf := ""
	if len(t.Chain) > 0 {
		leaf = t.Chain[0].Subject
	}
	ev := []string{r.Address + ": " + t.Version + ", " + t.Cipher}
	if leaf != "" {
		ev = append(ev, "subject: "+leaf, "issuer: "+t.Chain[0].Issuer, "not after: "+t.NotAfter.UTC().Format(time.RFC3339))
	}
	if t.Version == "TLS 1.0" || t.Version == "TLS 1.1" || strings.HasPrefix(t.Version, "SSL") {
		out = append(out, report.New(IDTLSWeakVersion,
			report.Detailf("%s negotiated %s.", "%s hat %s ausgehandelt.", who, t.Version), ev...))
	}
	// Every untrusted certificate carries tls.cert_invalid, its detail says
	// why (expired, self-signed, unknown CA, wrong name); tls.self_signed
	// and tls.name_mismatch are added as the more specific ids.
	wrongName := r.Host != "" && !t.NameMatch
	switch {
	case t.Expired:
		out = append(out, report.New(IDTLSCertInvalid,
			report.Detailf("The certificate of %s is not trusted: it expired on %s.", "Das Zertifikat von %s ist nicht vertrauenswürdig: Es ist am %s abgelaufen.", who, t.NotAfter.UTC().Format("2006-01-02")), ev...))
	case t.SelfSigned:
		out = append(out, report.New(IDTLSCertInvalid,
			report.Detailf("The certificate of %s is not trusted: it is self-signed.", "Das Zertifikat von %s ist nicht vertrauenswürdig: Es ist selbstsigniert.", who), ev...),
			report.New(IDTLSSelfSigned,
				report.Detailf("%s presents a self-signed certificate.", "%s zeigt ein selbstsigniertes Zertifikat.", who), ev...))
	case !t.Verified:
		out = append(out, report.New(IDTLSCertInvalid,
			report.Detailf("The certificate of %s is not trusted: its issuer is unknown or the chain is incomplete (%s).", "Das Zertifikat von %s ist nicht vertrauenswürdig: Der Aussteller ist unbekannt oder die Kette unvollständig (%s).", who, t.VerifyError), ev...))
	case wrongName:
		out = append(out, report.New(IDTLSCertInvalid,
			report.Detailf("The certificate of %s is not trusted for %s: it is issued for other names.", "Das Zertifikat von %s ist für %s nicht vertrauenswürdig: Es ist für andere Namen ausgestellt.", who, r.Host), ev...))
	}
	if t.DANE != nil && t.DANE.Status == smtpconn.DANEMatched {
		// RFC 7672 §3.1.1: with a matching DANE-EE record PKIX trust, names
		// and dates do not matter to DANE senders; other senders still care.
		for i := range out {
			if out[i].ID == IDTLSCertInvalid || out[i].ID == IDTLSSelfSigned {
				out[i] = out[i].WithSeverity(report.Info)
			}
		}
	}
	if wrongName {
		names := ""
		if len(t.Chain) > 0 {
			names = strings.Join(t.Chain[0].DNSNames, ", ")
		}
		out = append(out, report.New(IDTLSNameMismatch,
			report.Detailf("The certificate of %s is not valid for %s (names: %s).", "Das Zertifikat von %s gilt nicht für %s (Namen: %s).", who, r.Host, names), ev...))
	}
	if !t.Expired && t.DaysLeft <= o.ExpiryWarnDays {
		out = append(out, report.New(IDTLSCertExpiring,
			report.Detailf("The certificate of %s expires in %d days.", "Das Zertifikat von %s läuft in %d Tagen ab.", who, t.DaysLeft), ev...))
	}
	if len(out) == 0 && t.Verified && (r.Host == "" || t.NameMatch) {
		out = append(out, report.New(IDTLSOK,
			report.Detailf("%s: %s, certificate valid for %d more days.", "%s: %s, Zertifikat noch %d Tage gültig.", who, t.Version, t.DaysLeft), ev...))
	}
	return out
}
