package mxdialog

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/mxprobe/mxprobe/internal/lab/smtplab"
	"github.com/mxprobe/mxprobe/internal/lab/tlslab"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/smtpconn"
)

const mxName = "mx.lab.test"

var labCA = func() *tlslab.CA {
	ca, err := tlslab.NewCA("mxprobe test CA")
	if err != nil {
		panic(err)
	}
	return ca
}()

func cert(t *testing.T, kind smtplab.CertKind) *smtplab.Scenario {
	t.Helper()
	c, err := smtplab.CertFor(labCA, mxName, kind)
	if err != nil {
		t.Fatal(err)
	}
	return &smtplab.Scenario{TLSCert: c}
}

func startLab(t *testing.T, sc smtplab.Scenario) *smtplab.Server {
	t.Helper()
	if sc.IdleTimeout == 0 {
		sc.IdleTimeout = 5 * time.Second
	}
	s, err := smtplab.Start("", sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Timeouts for phases that should succeed are generous enough for a loaded
// machine under -race; scenarios that expect a timeout set short ones
// (shortTimeouts), so the suite stays fast without timing asserts.
func testOptions(s *smtplab.Server) Options {
	return Options{
		Host:     mxName,
		Addr:     s.Addr(),
		HELO:     "probe.lab.test",
		MailFrom: "sender@lab.test",
		RcptTo:   "postmaster@lab.test",
		Timeouts: Timeouts{Connect: 2 * time.Second, Banner: 2 * time.Second, Command: 2 * time.Second},
		RootCAs:  labCA.Pool,
	}
}

var shortTimeouts = Timeouts{Connect: 2 * time.Second, Banner: 300 * time.Millisecond, Command: 300 * time.Millisecond}

// run probes with a 5 s context and checks what must hold for every probe:
// the result serialises, the server never saw DATA or more than one RCPT
// per session, and the transcript carries no AUTH.
func run(t *testing.T, s *smtplab.Server, o Options) *Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r := Run(ctx, o)
	if ctx.Err() != nil {
		t.Errorf("probe ran into the test deadline: %+v", r.Error)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Fatalf("result does not serialise: %v", err)
	}
	checkEtiquette(t, s)
	for _, l := range r.Transcript {
		if l.Dir == DirClient && strings.HasPrefix(strings.ToUpper(l.Text), "AUTH") {
			t.Errorf("AUTH in transcript: %q", l.Text)
		}
	}
	return r
}

func checkEtiquette(t *testing.T, s *smtplab.Server) {
	t.Helper()
	if s == nil {
		return
	}
	for _, ss := range s.Sessions() {
		if ss.Count("DATA") != 0 || ss.Count("BDAT") != 0 || ss.Data != 0 {
			t.Errorf("session %d sent message data: %q", ss.ID, ss.Commands)
		}
		if ss.Count("RCPT") > 1 {
			t.Errorf("session %d sent %d RCPTs", ss.ID, ss.Count("RCPT"))
		}
		for _, c := range ss.Commands {
			if strings.EqualFold(c, "EHLO localhost") || strings.EqualFold(c, "HELO localhost") {
				t.Errorf("introduced as localhost: %q", c)
			}
		}
	}
}

func wantError(t *testing.T, r *Result, class ErrorClass, phase Phase, detail error) {
	t.Helper()
	if r.Error == nil {
		t.Fatalf("no error, phase %s, want %s at %s; transcript %v", r.Phase, class, phase, r.Transcript)
	}
	if r.Error.Class != class || r.Error.Phase != phase {
		t.Fatalf("error %s at %s (%s), want %s at %s", r.Error.Class, r.Error.Phase, r.Error.Detail, class, phase)
	}
	if detail != nil && !errors.Is(r.Error, detail) {
		t.Fatalf("error %v is not %v", r.Error, detail)
	}
	if r.Phase != phase {
		t.Fatalf("result phase %s, want %s", r.Phase, phase)
	}
}

func wantDone(t *testing.T, r *Result) {
	t.Helper()
	if r.Error != nil || r.Phase != PhaseDone {
		t.Fatalf("phase %s error %+v; transcript %v", r.Phase, r.Error, r.Transcript)
	}
}

func hasFinding(fs []report.Finding, id string) *report.Finding {
	for i := range fs {
		if fs[i].ID == id {
			return &fs[i]
		}
	}
	return nil
}

func wantFindings(t *testing.T, r *Result, want ...string) []report.Finding {
	t.Helper()
	fs := Findings([]*Result{r}, FindingsOptions{DNSWorks: true})
	for _, id := range want {
		if hasFinding(fs, id) == nil {
			var got []string
			for _, f := range fs {
				got = append(got, f.ID)
			}
			t.Fatalf("finding %s missing; got %v", id, got)
		}
	}
	for _, f := range fs {
		for _, l := range []string{f.Detail.EN, f.Detail.DE} {
			if strings.TrimSpace(l) == "" {
				t.Errorf("finding %s without detail", f.ID)
			}
		}
	}
	return fs
}

func TestAcceptPlain(t *testing.T) {
	s := startLab(t, smtplab.Scenario{})
	r := run(t, s, testOptions(s))
	wantDone(t, r)
	if r.RcptOutcome() != RcptAccepted || r.Rcpt.Code != 250 || r.Rcpt.EnhancedCode != "2.1.5" {
		t.Fatalf("rcpt %+v", r.Rcpt)
	}
	if r.Banner == nil || r.Banner.Code != 220 || r.BannerHost != "mx.lab.test" || r.EHLOHost != "mx.lab.test" {
		t.Fatalf("banner %+v host %q ehlo host %q", r.Banner, r.BannerHost, r.EHLOHost)
	}
	if r.ClientIP != "127.0.0.1" || r.ClientIPSource != "socket" {
		t.Fatalf("client ip %q from %q", r.ClientIP, r.ClientIPSource)
	}
	e := r.Extensions
	if e == nil || e.STARTTLS || !e.PIPELINING || !e.EightBitMIME || !e.SizeAdvertised || e.Size != 35<<20 {
		t.Fatalf("extensions %+v", e)
	}
	var cmds []string
	for _, rep := range r.Replies {
		cmds = append(cmds, rep.Command)
	}
	if got := strings.Join(cmds, " "); got != "banner EHLO MAIL RCPT RSET QUIT" {
		t.Fatalf("replies %s", got)
	}
	ss := s.Sessions()
	if len(ss) != 1 || ss[0].Helo[0] != "probe.lab.test" || ss[0].MailFrom[0] != "sender@lab.test" || ss[0].Rcpts[0] != "postmaster@lab.test" {
		t.Fatalf("session %+v", ss)
	}
	if ss[0].Count("RSET") != 1 || ss[0].Count("QUIT") != 1 {
		t.Fatalf("commands %q", ss[0].Commands)
	}
	wantFindings(t, r, IDRcptAccepted, IDStartTLSMissing)
}

func TestNoPipeliningSameDialogue(t *testing.T) {
	s := startLab(t, smtplab.Scenario{})
	o := testOptions(s)
	o.NoPipelining = true
	r := run(t, s, o)
	wantDone(t, r)
	if r.RcptOutcome() != RcptAccepted || len(r.Replies) != 6 {
		t.Fatalf("%+v", r.Replies)
	}
}

func TestRejectS3150Microsoft(t *testing.T) {
	s := startLab(t, smtplab.Scenario{Style: smtplab.StyleMicrosoft, Rcpt: smtplab.RcptRejectS3150})
	r := run(t, s, testOptions(s))
	wantDone(t, r)
	if r.RcptOutcome() != RcptRejected || r.Rcpt.Code != 550 || r.Rcpt.EnhancedCode != "5.7.1" ||
		!strings.Contains(r.Rcpt.Text, "messages from [127.0.0.1] weren't sent") || !strings.Contains(r.Rcpt.Text, "(S3150)") {
		t.Fatalf("rcpt %+v", r.Rcpt)
	}
	se := r.Rcpt.SMTPError()
	if se.Code != 550 || se.EnhancedCode != (smtp.EnhancedCode{5, 7, 1}) || !strings.HasPrefix(se.Message, "Unfortunately") {
		t.Fatalf("SMTPError %+v", se)
	}
	if r.ClientIP != "127.0.0.1" || r.ClientIPSource != "ehlo" {
		t.Fatalf("client ip %q from %q", r.ClientIP, r.ClientIPSource)
	}
	host := strings.ToLower(smtplab.MicrosoftHostname)
	if r.BannerHost != host || r.EHLOHost != host || !strings.Contains(r.Banner.Text, "Microsoft ESMTP MAIL Service ready") {
		t.Fatalf("banner %q host %q ehlo %q", r.Banner.Text, r.BannerHost, r.EHLOHost)
	}
	if u := r.Unsuccessful(); len(u) != 1 || u[0].Command != "RCPT" {
		t.Fatalf("unsuccessful %+v", u)
	}
	fs := wantFindings(t, r, IDRcptRejected)
	if f := hasFinding(fs, IDRcptRejected); f.Severity != report.Fail || !strings.HasPrefix(f.Evidence[0], "550 5.7.1 Unfortunately") {
		t.Fatalf("finding %+v", f)
	}
}

func TestGoogleGreetingRevealsIP(t *testing.T) {
	s := startLab(t, smtplab.Scenario{Style: smtplab.StyleGoogle})
	r := run(t, s, testOptions(s))
	wantDone(t, r)
	if r.ClientIP != "127.0.0.1" || r.ClientIPSource != "ehlo" || r.EHLOHost != "mx.google.com" {
		t.Fatalf("client ip %q from %q, ehlo host %q", r.ClientIP, r.ClientIPSource, r.EHLOHost)
	}
}

func TestGreylist(t *testing.T) {
	s := startLab(t, smtplab.Scenario{Rcpt: smtplab.RcptGreylist})
	r := run(t, s, testOptions(s))
	wantDone(t, r)
	if r.RcptOutcome() != RcptDeferred || r.Rcpt.Code != 450 || r.Rcpt.EnhancedCode != "4.7.1" {
		t.Fatalf("rcpt %+v", r.Rcpt)
	}
	fs := wantFindings(t, r, IDRcptDeferred)
	if f := hasFinding(fs, IDRcptDeferred); f.Severity != report.Warn {
		t.Fatalf("severity %s", f.Severity)
	}
}

func TestUnknownUserPostmasterAccepted(t *testing.T) {
	s := startLab(t, smtplab.Scenario{Rcpt: smtplab.RcptUnknownUser})
	o := testOptions(s)
	o.RcptTo = "alice@lab.test"
	r := run(t, s, o)
	wantDone(t, r)
	if r.RcptOutcome() != RcptRejected || r.Rcpt.EnhancedCode != "5.1.1" {
		t.Fatalf("alice %+v", r.Rcpt)
	}
	o.RcptTo = "postmaster@lab.test"
	if r := run(t, s, o); r.RcptOutcome() != RcptAccepted {
		t.Fatalf("postmaster %+v", r.Rcpt)
	}
}

func TestAcceptAllDetection(t *testing.T) {
	for _, tc := range []struct {
		policy smtplab.RcptPolicy
		all    bool
	}{{smtplab.RcptAcceptAll, true}, {smtplab.RcptAccept, false}} {
		t.Run(string(tc.policy), func(t *testing.T) {
			s := startLab(t, smtplab.Scenario{Rcpt: tc.policy})
			o := testOptions(s)
			main := run(t, s, o)
			o.AcceptAllTest = true
			all := run(t, s, o)
			wantDone(t, all)
			if all.Kind != KindAcceptAllTest || !strings.HasPrefix(all.RcptTo, "mxprobe-nx-") || !strings.HasSuffix(all.RcptTo, "@lab.test") {
				t.Fatalf("accept-all rcpt %q kind %q", all.RcptTo, all.Kind)
			}
			fs := Findings([]*Result{main, all}, FindingsOptions{DNSWorks: true})
			if got := hasFinding(fs, IDAcceptAll) != nil; got != tc.all {
				t.Fatalf("accept_all finding %v, want %v", got, tc.all)
			}
			// the accept-all session adds no second rcpt_accepted
			n := 0
			for _, f := range fs {
				if f.ID == IDRcptAccepted {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%d rcpt_accepted findings", n)
			}
			if len(s.Sessions()) != 2 {
				t.Fatalf("%d sessions", len(s.Sessions()))
			}
		})
	}
}

func TestTLS(t *testing.T) {
	cases := []struct {
		kind  smtplab.CertKind
		check func(t *testing.T, ti *TLSInfo)
		ids   []string
	}{
		{smtplab.CertValid, func(t *testing.T, ti *TLSInfo) {
			if !ti.OK() || ti.SelfSigned || ti.DaysLeft < 80 || len(ti.Chain) != 2 {
				t.Fatalf("%+v", ti)
			}
		}, []string{IDTLSOK}},
		{smtplab.CertExpired, func(t *testing.T, ti *TLSInfo) {
			if ti.Verified || !ti.Expired || ti.DaysLeft >= 0 || !ti.NameMatch {
				t.Fatalf("%+v", ti)
			}
		}, []string{IDTLSCertInvalid}},
		{smtplab.CertWrongName, func(t *testing.T, ti *TLSInfo) {
			if !ti.Verified || ti.NameMatch {
				t.Fatalf("%+v", ti)
			}
		}, []string{IDTLSNameMismatch}},
		{smtplab.CertSelfSigned, func(t *testing.T, ti *TLSInfo) {
			if ti.Verified || !ti.SelfSigned || !ti.NameMatch || len(ti.Chain) != 1 {
				t.Fatalf("%+v", ti)
			}
		}, []string{IDTLSSelfSigned}},
		{smtplab.CertExpiring, func(t *testing.T, ti *TLSInfo) {
			if !ti.Verified || ti.DaysLeft > 5 {
				t.Fatalf("%+v", ti)
			}
		}, []string{IDTLSCertExpiring}},
	}
	for _, tc := range cases {
		t.Run(string(tc.kind), func(t *testing.T) {
			sc := cert(t, tc.kind)
			sc.RequireTLS = true
			s := startLab(t, *sc)
			r := run(t, s, testOptions(s))
			wantDone(t, r)
			ti := r.TLS
			if ti == nil || ti.Version == "" || ti.Cipher == "" || ti.ServerName != mxName || ti.Error != "" {
				t.Fatalf("tls %+v", ti)
			}
			tc.check(t, ti)
			if !r.Extensions.STARTTLS || !r.Extensions.REQUIRETLS {
				t.Fatalf("extensions after TLS %+v", r.Extensions)
			}
			ss := s.Sessions()
			if !ss[0].TLS || ss[0].Count("EHLO") != 2 || ss[0].Count("STARTTLS") != 1 {
				t.Fatalf("session %+v", ss[0])
			}
			fs := wantFindings(t, r, tc.ids...)
			if hasFinding(fs, IDStartTLSMissing) != nil {
				t.Fatal("starttls_missing with STARTTLS")
			}
			if tc.kind != smtplab.CertValid && hasFinding(fs, IDTLSOK) != nil {
				t.Fatal("tls.ok for a bad certificate")
			}
		})
	}
}

func TestNoSTARTTLSOption(t *testing.T) {
	s := startLab(t, *cert(t, smtplab.CertValid))
	o := testOptions(s)
	o.NoSTARTTLS = true
	r := run(t, s, o)
	wantDone(t, r)
	if r.TLS != nil || !r.Extensions.STARTTLS || s.Sessions()[0].TLS {
		t.Fatalf("TLS used: %+v", r.TLS)
	}
}

func TestSystemRootsRejectLabCA(t *testing.T) {
	s := startLab(t, *cert(t, smtplab.CertValid))
	o := testOptions(s)
	o.RootCAs = nil
	r := run(t, s, o)
	wantDone(t, r)
	if r.TLS.Verified || !strings.Contains(r.TLS.VerifyError, "unknown authority") {
		t.Fatalf("%+v", r.TLS)
	}
}

func TestTarpitBannerTimeout(t *testing.T) {
	s := startLab(t, smtplab.Scenario{BannerDelay: 10 * time.Second})
	o := testOptions(s)
	o.Timeouts = shortTimeouts
	r := run(t, s, o)
	wantError(t, r, ClassBannerTimeout, PhaseBanner, nil)
	wantFindings(t, r, IDTarpit)
}

func TestBannerDelayReported(t *testing.T) {
	s := startLab(t, smtplab.Scenario{BannerDelay: 60 * time.Millisecond})
	r := run(t, s, testOptions(s))
	wantDone(t, r)
	fs := Findings([]*Result{r}, FindingsOptions{BannerDelay: 50 * time.Millisecond})
	if f := hasFinding(fs, IDBannerDelay); f == nil {
		t.Fatalf("no banner_delay with a %v ms banner", r.Banner.DelayMS)
	}
	if hasFinding(Findings([]*Result{r}, FindingsOptions{}), IDBannerDelay) != nil {
		t.Fatal("banner_delay below the default threshold")
	}
}

func TestSlowRepliesAreTarpit(t *testing.T) {
	s := startLab(t, smtplab.Scenario{ReplyLatency: 30 * time.Millisecond})
	r := run(t, s, testOptions(s))
	wantDone(t, r)
	if f := hasFinding(Findings([]*Result{r}, FindingsOptions{SlowReply: 20 * time.Millisecond}), IDTarpit); f == nil {
		t.Fatal("no tarpit finding for slow replies")
	}
}

func TestHostilePeers(t *testing.T) {
	cases := []struct {
		kind   smtplab.Hostile
		at     smtplab.Step
		class  ErrorClass
		phase  Phase
		detail error
		id     string
	}{
		{smtplab.HostileBannerNever, "", ClassBannerTimeout, PhaseBanner, nil, IDTarpit},
		{smtplab.HostileCloseAfterBanner, "", ClassClosed, PhaseEHLO, nil, IDConnectionLost},
		{smtplab.HostileNeverRead, "", ClassTimeout, PhaseEHLO, nil, IDTimeout},
		{smtplab.HostileEndlessContinuation, "", ClassProtocol, PhaseEHLO, smtpconn.ErrTooManyLines, IDProtocolError},
		{smtplab.HostileEndlessContinuation, smtplab.StepBanner, ClassProtocol, PhaseBanner, smtpconn.ErrTooManyLines, IDProtocolError},
		{smtplab.HostileHugeLine, "", ClassProtocol, PhaseEHLO, smtpconn.ErrLineTooLong, IDProtocolError},
		{smtplab.HostileHugeLine, smtplab.StepRCPT, ClassProtocol, PhaseRCPT, smtpconn.ErrLineTooLong, IDProtocolError},
		{smtplab.HostileGarbage, "", ClassProtocol, PhaseEHLO, smtpconn.ErrNUL, IDProtocolError},
		{smtplab.HostileBadCode, "", ClassProtocol, PhaseEHLO, smtpconn.ErrBadCode, IDProtocolError},
		{smtplab.HostileBadCode, smtplab.StepMAIL, ClassProtocol, PhaseMAIL, smtpconn.ErrBadCode, IDProtocolError},
		{smtplab.HostileMismatchedMultiline, "", ClassProtocol, PhaseEHLO, smtpconn.ErrMismatchedCode, IDProtocolError},
		{smtplab.HostileResetMidReply, "", ClassReset, PhaseEHLO, nil, IDConnectionLost},
		{smtplab.HostileTLSHandshakeFail, "", ClassTLS, PhaseTLS, nil, IDTLSHandshake},
		{smtplab.HostileTLSGarbage, "", ClassTLS, PhaseTLS, nil, IDTLSHandshake},
		{smtplab.HostileSTARTTLSInjection, "", ClassTLS, PhaseTLS, smtpconn.ErrDataAfterTLS, IDTLSHandshake},
	}
	for _, tc := range cases {
		name := string(tc.kind)
		if tc.at != "" {
			name += "@" + string(tc.at)
		}
		t.Run(name, func(t *testing.T) {
			s := startLab(t, smtplab.Scenario{Hostile: tc.kind, HostileAt: tc.at})
			o := testOptions(s)
			if tc.class == ClassTimeout || tc.class == ClassBannerTimeout {
				o.Timeouts = shortTimeouts
			}
			r := run(t, s, o)
			if tc.kind == smtplab.HostileCloseAfterBanner && r.Error != nil && r.Error.Class == ClassReset {
				// Our EHLO may reach the closed socket before we read its
				// FIN; the kernel then reports the RST it answered with.
				r.Error.Class = ClassClosed
			}
			wantError(t, r, tc.class, tc.phase, tc.detail)
			wantFindings(t, r, tc.id)
			if r.Rcpt != nil {
				t.Fatal("RCPT reply from a broken dialogue")
			}
			if len(r.Transcript) == 0 || r.Transcript[len(r.Transcript)-1].Dir != DirEvent {
				t.Fatalf("transcript does not end with the error: %v", r.Transcript)
			}
			size := 0
			for _, l := range r.Transcript {
				size += len(l.Text)
			}
			if size > 80<<10 {
				t.Fatalf("transcript of %d bytes", size)
			}
		})
	}
}

func TestEightBitRepliesTolerated(t *testing.T) {
	for _, at := range []smtplab.Step{smtplab.StepBanner, smtplab.StepEHLO, smtplab.StepRCPT} {
		t.Run(string(at), func(t *testing.T) {
			s := startLab(t, smtplab.Scenario{Hostile: smtplab.Hostile8Bit, HostileAt: at})
			r := run(t, s, testOptions(s))
			wantDone(t, r)
			if len(r.Anomalies) == 0 {
				t.Fatal("no anomaly for 8-bit bytes")
			}
			for _, l := range r.Transcript {
				if !isValidText(l.Text) {
					t.Fatalf("transcript line not clean UTF-8: %q", l.Text)
				}
			}
			wantFindings(t, r, IDProtocolAnomaly)
		})
	}
}

func TestSTARTTLSRefusedGoesOnInPlaintext(t *testing.T) {
	s := startLab(t, smtplab.Scenario{Hostile: smtplab.HostileSTARTTLS454})
	r := run(t, s, testOptions(s))
	wantDone(t, r)
	if r.TLS == nil || !strings.Contains(r.TLS.Error, "454 4.7.0") || r.RcptOutcome() != RcptAccepted {
		t.Fatalf("tls %+v rcpt %+v", r.TLS, r.Rcpt)
	}
	fs := wantFindings(t, r, IDTLSHandshake, IDRcptAccepted)
	if f := hasFinding(fs, IDTLSHandshake); f.Severity != report.Warn {
		t.Fatalf("severity %s", f.Severity)
	}
	if hasFinding(fs, IDStartTLSMissing) != nil {
		t.Fatal("starttls_missing although offered")
	}
}

func isValidText(s string) bool {
	return strings.ToValidUTF8(s, "\uFFFD") == s && !strings.ContainsAny(s, "\x00\r\n")
}

func TestConnectRefused(t *testing.T) {
	ap, err := smtplab.ClosedPort()
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Addr: ap, HELO: "probe.lab.test", RcptTo: "postmaster@lab.test"}
	r := run(t, nil, o)
	wantError(t, r, ClassConnectRefused, PhaseConnect, nil)
	wantFindings(t, r, IDConnectFailed)
}

func TestConnectTimeout(t *testing.T) {
	b, err := smtplab.NewBlackhole()
	if err != nil {
		t.Skip(err)
	}
	defer b.Close()
	o := Options{Addr: b.Addr(), HELO: "probe.lab.test", RcptTo: "postmaster@lab.test",
		Timeouts: Timeouts{Connect: 200 * time.Millisecond}}
	r := run(t, nil, o)
	if r.Error != nil && r.Error.Class == ClassBannerTimeout {
		t.Skip("kernel accepted the connection despite a full accept queue")
	}
	wantError(t, r, ClassConnectTimeout, PhaseConnect, nil)
}

func TestPort25Blocked(t *testing.T) {
	a, _ := smtplab.ClosedPort()
	b, _ := smtplab.ClosedPort()
	var rs []*Result
	rs = append(rs, run(t, nil, Options{Addr: a, HELO: "p.lab.test", RcptTo: "postmaster@lab.test"}))
	rs = append(rs, run(t, nil, Options{Addr: b, HELO: "p.lab.test", RcptTo: "postmaster@lab.test"}))
	fs := Findings(rs, FindingsOptions{DNSWorks: true})
	if len(fs) != 1 || fs[0].ID != IDPort25Blocked || len(fs[0].Evidence) != 2 {
		t.Fatalf("findings %+v", fs)
	}
	// Without working DNS there is no such conclusion.
	fs = Findings(rs, FindingsOptions{DNSWorks: false})
	if hasFinding(fs, IDPort25Blocked) != nil || len(fs) != 2 {
		t.Fatalf("findings %+v", fs)
	}
	// One live address is enough to rule it out.
	s := startLab(t, smtplab.Scenario{})
	live := run(t, s, testOptions(s))
	if hasFinding(Findings(append(rs, live), FindingsOptions{DNSWorks: true}), IDPort25Blocked) != nil {
		t.Fatal("port25_blocked despite a working address")
	}
}

func TestHELOFallback(t *testing.T) {
	s := startLab(t, smtplab.Scenario{NoEHLO: true})
	r := run(t, s, testOptions(s))
	wantDone(t, r)
	if !r.HELOFallback || r.Extensions == nil || r.Extensions.STARTTLS || r.RcptOutcome() != RcptAccepted {
		t.Fatalf("%+v", r)
	}
	wantFindings(t, r, IDHELOFallback, IDStartTLSMissing)
}

func TestBannerRejected(t *testing.T) {
	s := startLab(t, smtplab.Scenario{BannerCode: 554, Banner: "5.7.1 no SMTP service here"})
	r := run(t, s, testOptions(s))
	wantError(t, r, ClassRejected, PhaseBanner, nil)
	if r.Banner.Code != 554 || r.Banner.EnhancedCode != "5.7.1" {
		t.Fatalf("banner %+v", r.Banner)
	}
	// RFC 5321 §3.1: after 554 the client sends QUIT.
	if ss := s.Sessions(); len(ss) != 1 || ss[0].Count("QUIT") != 1 || ss[0].Count("EHLO") != 0 {
		t.Fatalf("session %+v", ss)
	}
	wantFindings(t, r, IDSessionRejected)
}

func TestMailRejected(t *testing.T) {
	s := startLab(t, smtplab.Scenario{OnMail: func(env smtplab.Envelope, from string) *smtp.SMTPError {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 23}, Message: "SPF validation failed"}
	}})
	for _, pipe := range []bool{true, false} {
		o := testOptions(s)
		o.NoPipelining = !pipe
		r := run(t, s, o)
		wantError(t, r, ClassRejected, PhaseMAIL, nil)
		if r.Rcpt != nil || !strings.HasPrefix(r.Error.Detail, "550 5.7.23") {
			t.Fatalf("pipelining %v: rcpt %+v error %+v", pipe, r.Rcpt, r.Error)
		}
		wantFindings(t, r, IDSessionRejected)
	}
}

func TestSMTPUTF8(t *testing.T) {
	t.Run("offered", func(t *testing.T) {
		s := startLab(t, smtplab.Scenario{SMTPUTF8: true, Rcpt: smtplab.RcptAcceptAll})
		o := testOptions(s)
		o.RcptTo = "jösé@bücher.lab.test"
		r := run(t, s, o)
		wantDone(t, r)
		if !r.SMTPUTF8Required || !r.SMTPUTF8Used || r.RcptTo != "jösé@xn--bcher-kva.lab.test" || r.RcptOutcome() != RcptAccepted {
			t.Fatalf("%+v", r)
		}
		if c := s.Sessions()[0].Commands; !strings.Contains(strings.Join(c, "\n"), "MAIL FROM:<sender@lab.test> SMTPUTF8") {
			t.Fatalf("commands %q", c)
		}
	})
	t.Run("missing", func(t *testing.T) {
		s := startLab(t, smtplab.Scenario{Rcpt: smtplab.RcptAcceptAll})
		o := testOptions(s)
		o.RcptTo = "jösé@lab.test"
		r := run(t, s, o)
		wantError(t, r, ClassSMTPUTF8, PhaseMAIL, nil)
		if ss := s.Sessions()[0]; ss.Count("MAIL") != 0 || ss.Count("QUIT") != 1 {
			t.Fatalf("commands %q", ss.Commands)
		}
		wantFindings(t, r, IDSMTPUTF8Missing)
	})
}

func TestCancelInterrupts(t *testing.T) {
	s := startLab(t, smtplab.Scenario{BannerDelay: time.Minute})
	o := testOptions(s)
	o.Timeouts.Banner = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *Result, 1)
	go func() { done <- Run(ctx, o) }()
	// cancel once the server has the connection
	for range 500 {
		if len(s.Sessions()) > 0 {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	cancel()
	select {
	case r := <-done:
		wantError(t, r, ClassCanceled, PhaseBanner, nil)
	case <-time.After(5 * time.Second):
		t.Fatal("Run ignored the cancelled context")
	}
}

func TestContextDeadlineCapsPhases(t *testing.T) {
	s := startLab(t, smtplab.Scenario{Hostile: smtplab.HostileNeverRead})
	o := testOptions(s)
	o.Timeouts = Timeouts{Connect: time.Minute, Banner: time.Minute, Command: time.Minute}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	done := make(chan *Result, 1)
	go func() { done <- Run(ctx, o) }()
	select {
	case r := <-done:
		wantError(t, r, ClassTimeout, PhaseEHLO, nil)
	case <-time.After(5 * time.Second):
		t.Fatal("Run outlived its context")
	}
}

func TestInvalidOptions(t *testing.T) {
	s := startLab(t, smtplab.Scenario{})
	for _, mod := range []func(*Options){
		func(o *Options) { o.HELO = "localhost" },
		func(o *Options) { o.HELO = "bad name" },
		func(o *Options) { o.RcptTo = "no-at-sign" },
		func(o *Options) { o.RcptTo = "a@b>\r\nDATA" },
		func(o *Options) { o.MailFrom = "x@y\r\nRCPT TO:<z@y>" },
		func(o *Options) { o.RcptTo = ""; o.AcceptAllTest = true },
	} {
		o := testOptions(s)
		mod(&o)
		r := run(t, s, o)
		wantError(t, r, ClassInvalid, PhaseConnect, nil)
	}
	if n := len(s.Sessions()); n != 0 {
		t.Fatalf("%d connections for invalid options", n)
	}
}

func TestDefaultHELONeverLocalhost(t *testing.T) {
	s := startLab(t, smtplab.Scenario{})
	o := testOptions(s)
	o.HELO = ""
	r := run(t, s, o)
	wantDone(t, r)
	if r.HELO == "" || strings.EqualFold(r.HELO, "localhost") {
		t.Fatalf("HELO %q", r.HELO)
	}
}

func TestResultJSONShape(t *testing.T) {
	sc := cert(t, smtplab.CertValid)
	sc.Style = smtplab.StyleMicrosoft
	s := startLab(t, *sc)
	r := run(t, s, testOptions(s))
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"kind", "address", "helo", "mail_from", "rcpt_to", "connect_ms", "banner", "ehlo_host",
		"client_ip", "client_ip_source", "extensions", "tls", "replies", "rcpt", "transcript", "phase", "duration_ms"} {
		if _, ok := m[k]; !ok {
			t.Errorf("key %q missing in %s", k, b)
		}
	}
	tl := m["tls"].(map[string]any)
	for _, k := range []string{"version", "cipher", "chain", "verified", "name_match", "not_after", "days_left"} {
		if _, ok := tl[k]; !ok {
			t.Errorf("tls key %q missing", k)
		}
	}
	rep := m["rcpt"].(map[string]any)
	for _, k := range []string{"command", "code", "enhanced_code", "text", "elapsed_ms"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("reply key %q missing", k)
		}
	}
	if _, ok := m["banner"].(map[string]any)["delay_ms"]; !ok {
		t.Error("banner.delay_ms missing")
	}
}

func TestDANEMatch(t *testing.T) {
	sc := cert(t, smtplab.CertSelfSigned)
	s := startLab(t, *sc)
	leaf := sc.TLSCert.Leaf
	spki := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	good := resolver.TLSA{Usage: 3, Selector: 1, MatchingType: 1, Data: spki[:]}
	bad := resolver.TLSA{Usage: 3, Selector: 1, MatchingType: 1, Data: make([]byte, 32)}

	o := testOptions(s)
	o.TLSA = []resolver.TLSA{bad, good}
	r := run(t, s, o)
	wantDone(t, r)
	if d := r.TLS.DANE; d == nil || d.Status != smtpconn.DANEMatched || d.Records != 2 || d.Usage != 3 {
		t.Fatalf("dane %+v", r.TLS.DANE)
	}
	fs := wantFindings(t, r, IDTLSSelfSigned)
	if f := hasFinding(fs, IDTLSSelfSigned); f.Severity != report.Info {
		t.Fatalf("self-signed with DANE match: %s", f.Severity)
	}

	o.TLSA = []resolver.TLSA{bad}
	r = run(t, s, o)
	if d := r.TLS.DANE; d == nil || d.Status != smtpconn.DANEMismatch || d.Reason == "" {
		t.Fatalf("dane %+v", r.TLS.DANE)
	}
	if f := hasFinding(wantFindings(t, r, IDTLSSelfSigned), IDTLSSelfSigned); f.Severity != report.Warn {
		t.Fatalf("self-signed without DANE: %s", f.Severity)
	}
}

func TestIPv6Loopback(t *testing.T) {
	s, err := smtplab.Start("[::1]:0", smtplab.Scenario{Style: smtplab.StyleMicrosoft})
	if err != nil {
		t.Skip("no IPv6 loopback:", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	r := run(t, s, testOptions(s))
	wantDone(t, r)
	if r.ClientIP != "::1" || r.ClientIPSource != "ehlo" || !strings.HasPrefix(r.Address, "[::1]:") {
		t.Fatalf("client ip %q from %q, address %q", r.ClientIP, r.ClientIPSource, r.Address)
	}
}

func TestUnexpectedReplyCodes(t *testing.T) {
	s := startLab(t, smtplab.Scenario{OnMail: func(smtplab.Envelope, string) *smtp.SMTPError {
		return &smtp.SMTPError{Code: 354, Message: "go ahead?"}
	}})
	r := run(t, s, testOptions(s))
	wantError(t, r, ClassProtocol, PhaseMAIL, smtpconn.ErrUnexpected)
	if ss := s.Sessions(); ss[0].Count("QUIT") != 1 {
		t.Fatalf("commands %q", ss[0].Commands)
	}
}

// TestQuotedLocalPart: a recipient with a quoted local part (RFC 5321
// §4.1.2) reaches RCPT TO as written.
func TestQuotedLocalPart(t *testing.T) {
	seen := make(chan string, 4)
	s := startLab(t, smtplab.Scenario{OnRcpt: func(_ smtplab.Envelope, rcpt string) *smtp.SMTPError {
		seen <- rcpt
		return nil
	}})
	o := testOptions(s)
	o.RcptTo = `"Macro Error"@lab.test`
	r := run(t, s, o)
	wantDone(t, r)
	if got := <-seen; r.RcptTo != `"Macro Error"@lab.test` || got == "" {
		t.Fatalf("rcpt %q, server saw %q", r.RcptTo, got)
	}
}
