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
			fmt.Sprintf("%s: 220 +%.0f ms", r.Address, b.DelayMS))
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
		en, de := anomalyWords(r)
		add(report.New(IDProtocolAnomaly,
			i18n.T(fmt.Sprintf("%s: %s.", who, en), fmt.Sprintf("%s: %s.", who, de)),
			r.Address))
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
	case ClassTimeout:
		return i18n.T("timed out", "Zeitüberschreitung")
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
		ev = append(ev, "subject: "+leaf, "issuer: "+t.Chain[0].Issuer, "notAfter: "+t.NotAfter.UTC().Format(time.RFC3339))
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

// anomalyLostBeforeRSET: the server hung up on a pipelined RSET/QUIT.
var anomalyLostBeforeRSET = i18n.T("connection lost before RSET", "Verbindung vor RSET verloren")

// knownAnomalies translate the Anomalies of a Result decoded from JSON
// (which has the English words only).
var knownAnomalies = []i18n.Text{smtpconn.AnomalyLongLine, smtpconn.AnomalyBareLF,
	smtpconn.AnomalyControl, smtpconn.AnomalyNotUTF8, anomalyLostBeforeRSET}

// anomalyWords joins the anomalies of r in English and German.
func anomalyWords(r *Result) (en, de string) {
	texts := r.anomalyTexts
	if len(texts) != len(r.Anomalies) {
		texts = make([]i18n.Text, len(r.Anomalies))
		for i, a := range r.Anomalies {
			texts[i] = i18n.T(a, a)
			for _, k := range knownAnomalies {
				if k.EN == a {
					texts[i] = k
				}
			}
			if cmd, ok := strings.CutPrefix(a, "no reply to "); ok {
				cmd, _, _ = strings.Cut(cmd, ":")
				texts[i] = i18n.T(a, "keine Antwort auf "+cmd)
			}
		}
	}
	ens, des := make([]string, len(texts)), make([]string, len(texts))
	for i, t := range texts {
		ens[i], des[i] = t.EN, t.DE
	}
	return strings.Join(ens, "; "), strings.Join(des, "; ")
}
