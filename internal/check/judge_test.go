package check

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/dkim"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/lab"
	"github.com/mxprobe/mxprobe/internal/mtasts"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/spf"
)

// The judgement tests run against one shared lab (and one whose DNS answers
// NXDOMAIN for everything), each check with the options `--lab` uses.
var (
	judgeOnce sync.Once
	judgeLab  *lab.World
	judgeNX   *lab.World
	judgeErr  error
)

func judgeWorld(t *testing.T, nx bool) *lab.World {
	t.Helper()
	judgeOnce.Do(func() {
		if judgeLab, judgeErr = lab.Start(lab.Options{}); judgeErr == nil {
			judgeNX, judgeErr = lab.Start(lab.Options{DNSNXDomain: true, Only: []string{"ok.lab.test"}})
		}
	})
	if judgeErr != nil {
		t.Fatal(judgeErr)
	}
	if nx {
		return judgeNX
	}
	return judgeLab
}

func judgeRun(t *testing.T, w *lab.World, target string, edit func(*Options)) *Report {
	t.Helper()
	o := labOptions(t, w, target, true)
	o.DKIMSelectors = nil // as --lab: no selector named
	o.Timeouts.Connect, o.Timeouts.Banner, o.Timeouts.Command = 3*time.Second, 5*time.Second, 5*time.Second
	if edit != nil {
		edit(&o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return Run(ctx, o)
}

func judgeDNS(t *testing.T, w *lab.World, target string) *DNSReport {
	t.Helper()
	o := labOptions(t, w, target, true)
	tg, _ := ParseTarget(target)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return RunDNS(ctx, DNSOptions{Target: tg, Resolver: o.Resolver, Policy: o.Policy})
}

func byID(fs []report.Finding) map[string][]report.Finding {
	m := map[string][]report.Finding{}
	for _, f := range fs {
		m[f.ID] = append(m[f.ID], f)
	}
	return m
}

// dns --lab ok.lab.test: no selector named, none guessed → an info, and the
// well-run domain passes --fail-on warn (verdict ok).
func TestJudgeDKIMSelectorUnknownIsInfo(t *testing.T) {
	rep := judgeDNS(t, judgeWorld(t, false), "ok.lab.test")
	m := byID(rep.raw)
	if rep.Verdict != report.VerdictOK {
		t.Fatalf("verdict %s, want ok: %v", rep.Verdict, m)
	}
	if f := m[dkim.IDSelectorUnknown]; len(f) != 1 || f[0].Severity != report.Info ||
		!strings.Contains(defOf(dkim.IDSelectorUnknown).Title.EN, "--dkim-selector") {
		t.Fatalf("dkim.selector_unknown: %+v", f)
	}
	if len(m[dkim.IDMissing]) != 0 {
		t.Fatalf("dkim.missing reported for guessed selectors")
	}
}

// drop.lab.test with a clean sender: a 250 from Microsoft consumer mail is
// no proof, said at info, pointing to --deliver-to.
func TestJudgeSilentDropInfoForCleanSender(t *testing.T) {
	rep := judgeRun(t, judgeWorld(t, false), "drop.lab.test", func(o *Options) { o.DKIMSelectors = []string{lab.DKIMSelector} })
	f := byID(rep.raw)[IDSilentDropRisk]
	if len(f) != 1 || f[0].Severity != report.Info {
		t.Fatalf("silentdrop.risk: %+v (all %v)", f, byID(rep.raw))
	}
	for _, l := range []i18n.Lang{i18n.EN, i18n.DE} {
		if !strings.Contains(f[0].Localize(l).Detail, "--deliver-to") {
			t.Errorf("%s detail does not point to --deliver-to: %s", l, f[0].Localize(l).Detail)
		}
	}
}

// A resolver that answers NXDOMAIN for everything: the target's TLD does
// not exist either, so the resolver is broken — incomplete, one finding,
// none of the false "does not exist" or "no DMARC".
func TestJudgeResolverBroken(t *testing.T) {
	w := judgeWorld(t, true)
	rep := judgeRun(t, w, "hotmail.com", nil)
	ids := byID(rep.raw)
	if rep.Verdict != report.VerdictIncomplete || len(ids[IDResolverBroken]) != 1 || len(ids["mx.nxdomain"]) != 0 || len(ids["dmarc.missing"]) != 0 {
		t.Fatalf("check: verdict %s, findings %v", rep.Verdict, ids)
	}
	d := judgeDNS(t, w, "hotmail.com")
	if dids := byID(d.raw); d.Verdict != report.VerdictIncomplete || len(d.raw) != 1 || len(dids[IDResolverBroken]) != 1 {
		t.Fatalf("dns: verdict %s, findings %v", d.Verdict, dids)
	}
	if a := defOf(IDResolverBroken).Advice.EN; !strings.Contains(a, "--resolver") {
		t.Fatalf("advice lacks --resolver: %s", a)
	}
}

// A domain that really does not exist (its TLD does): one finding, not a
// dmarc.missing, spf.none, dkim … about records it cannot have.
func TestJudgeNXDomainOneFinding(t *testing.T) {
	w := judgeWorld(t, false)
	rep := judgeDNS(t, w, "nothere.lab.test")
	if len(rep.raw) != 1 || rep.raw[0].ID != "mx.nxdomain" || rep.Verdict != report.VerdictFail {
		t.Fatalf("verdict %s, findings %v", rep.Verdict, byID(rep.raw))
	}
	// check: the target's policies (MTA-STS, TLS-RPT) are not judged either;
	// the sender's own records (another domain) still are.
	c := judgeRun(t, w, "nothere.lab.test", nil)
	ids := byID(c.raw)
	if len(ids["mx.nxdomain"]) != 1 || len(ids["mtasts.none"]) != 0 || len(ids["tlsrpt.none"]) != 0 || len(ids["dmarc.ok"]) != 1 {
		t.Fatalf("check: findings %v", ids)
	}
}

// mtasts-mismatch.lab.test: the mismatch (FAIL) is never accompanied by
// "policy valid and enforced" (OK).
func TestJudgeMTASTSNoContradiction(t *testing.T) {
	rep := judgeRun(t, judgeWorld(t, false), "mtasts-mismatch.lab.test", nil)
	ids := byID(rep.raw)
	if len(ids[mtasts.FindingMXMismatch]) != 1 || len(ids[mtasts.FindingOK]) != 0 {
		t.Fatalf("findings %v", ids)
	}
}

// The null sender: SPF is evaluated for the EHLO name actually sent, and
// the texts say so; never `"" is empty`.
func TestJudgeNullSenderSPF(t *testing.T) {
	w := judgeWorld(t, false)
	for _, helo := range []string{lab.ClientName, ""} {
		rep := judgeRun(t, w, "ok.lab.test", func(o *Options) { o.MailFrom, o.FromDomain, o.HELO = "", "", helo })
		s := rep.Sender
		if s.SPF == nil || s.SPF.Identity != spf.IdentityHELO || s.SPF.Domain != s.HELO {
			t.Fatalf("HELO %q: SPF %+v for EHLO %q", helo, s.SPF, s.HELO)
		}
		for _, f := range byID(rep.raw) {
			for _, x := range f {
				if !strings.HasPrefix(x.ID, "spf.") {
					continue
				}
				d := x.Localize(i18n.EN).Detail
				if strings.Contains(d, `"" is empty`) || !strings.Contains(d, "EHLO name") {
					t.Errorf("HELO %q: %s: %s", helo, x.ID, d)
				}
			}
		}
	}
}

// -6 against an MX without IPv6: no dialogue, so incomplete with the reason.
func TestJudgeNoAddressOfFamily(t *testing.T) {
	rep := judgeRun(t, judgeWorld(t, false), "ok.lab.test", func(o *Options) { o.Only6 = true })
	ids := byID(rep.raw)
	if rep.Verdict != report.VerdictIncomplete || len(ids[IDNoFamily]) != 1 || len(ids["smtp.rcpt_accepted"]) != 0 {
		t.Fatalf("verdict %s, findings %v", rep.Verdict, ids)
	}
	if d := ids[IDNoFamily][0].Localize(i18n.DE).Detail; !strings.Contains(d, "IPv6") {
		t.Fatalf("detail: %s", d)
	}
}

// --timeout 1ms: the report says first that the deadline cut the run, with
// the deadline and the step (typed: Report.Deadline).
func TestJudgeDeadline(t *testing.T) {
	w := judgeWorld(t, false)
	o := labOptions(t, w, "ok.lab.test", false)
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	rep := Run(ctx, o)
	if rep.Deadline == nil || rep.Deadline.TimeoutMS > 1 || PhaseText(rep.Deadline.Phase).EN == rep.Deadline.Phase ||
		rep.Verdict != report.VerdictIncomplete {
		t.Fatalf("deadline %+v verdict %s", rep.Deadline, rep.Verdict)
	}
	f := byID(rep.raw)[IDDeadline]
	if len(f) != 1 || !strings.Contains(f[0].Localize(i18n.EN).Detail, "The time limit of") {
		t.Fatalf("deadline finding %+v", f)
	}
	// The MX query of dnstimeout.lab.test is never answered: the deadline
	// cuts the DNS step, and says so in both languages.
	o = labOptions(t, w, "dnstimeout.lab.test", false)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	rep = Run(ctx2, o)
	if rep.Deadline == nil || rep.Deadline.Phase != PhaseDNS || rep.Deadline.TimeoutMS > 300 || rep.Deadline.TimeoutMS < 250 {
		t.Fatalf("dnstimeout: deadline %+v %v %+v %v", rep.Deadline, rep.DurationMS, rep.MXLookup, byID(rep.raw))
	}
	f = byID(rep.raw)[IDDeadline]
	if len(f) != 1 || !strings.Contains(f[0].Localize(i18n.DE).Detail, fmtMS(rep.Deadline.TimeoutMS, i18n.DE)) || !strings.Contains(f[0].Localize(i18n.DE).Detail, "DNS-Abfragen") {
		t.Fatalf("deadline finding %+v", f)
	}
	// Without a deadline: no Deadline.
	if rep := judgeRun(t, w, "ok.lab.test", nil); rep.Deadline != nil {
		t.Fatalf("deadline %+v on a finished run", rep.Deadline)
	}
}

// The IPv6 scenarios: an MX with an AAAA only is reached over ::1; the lab
// client's ::1 has no PTR, which is a FAIL with the IPv6 advice (Gmail and
// Outlook.com); an MX with both families is reached over IPv4 first and
// over IPv6 with -6.
func TestJudgeIPv6Scenarios(t *testing.T) {
	if !lab.IPv6Available() {
		t.Skip("no ::1 on this machine")
	}
	w := judgeWorld(t, false)
	rep := judgeRun(t, w, "v6only.lab.test", nil)
	a := rep.MX[0].Addresses[0]
	if !a.IP.Is6() || !a.Tried || a.SMTP == nil || a.SMTP.Rcpt == nil {
		t.Fatalf("v6only: address %v tried %v smtp %+v", a.IP, a.Tried, a.SMTP)
	}
	if !rep.Sender.IP.Is6() {
		t.Fatalf("sender %v", rep.Sender.IP)
	}
	var ptr *report.Finding
	for _, f := range rep.raw {
		if f.ID == "rdns.missing" && f.Severity == report.Fail {
			ptr = &f
		}
	}
	if ptr == nil || !strings.Contains(ptr.Localize(i18n.EN).Advice, "Gmail") || !strings.Contains(ptr.Localize(i18n.DE).Advice, "IPv6") {
		t.Fatalf("IPv6 sender without PTR: %+v", ptr)
	}
	if rep.Verdict != report.VerdictFail {
		t.Fatalf("v6only verdict %s", rep.Verdict)
	}

	rep = judgeRun(t, w, "dual.lab.test", nil)
	if rep.Verdict != report.VerdictOK || !rep.Sender.IP.Is4() {
		t.Fatalf("dual: verdict %s sender %v findings %v", rep.Verdict, rep.Sender.IP, byID(rep.raw))
	}
	rep = judgeRun(t, w, "dual.lab.test", func(o *Options) { o.Only6 = true })
	if !rep.Sender.IP.Is6() || rep.Verdict != report.VerdictFail {
		t.Fatalf("dual -6: verdict %s sender %v", rep.Verdict, rep.Sender.IP)
	}
}

func defOf(id string) report.Def {
	d, _ := report.Lookup(id)
	return d
}
