package view

import (
	"context"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/check"
	_ "github.com/mxprobe/mxprobe/internal/delivery" // registers the delivery.* findings
	"github.com/mxprobe/mxprobe/internal/explain"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/lab"
	"github.com/mxprobe/mxprobe/internal/render"
	"github.com/mxprobe/mxprobe/internal/report"
)

func styler() render.Styler { return render.Styler{} }

// reportWith builds a check report from findings (AddFindings derives the
// verdict), with one MX address whose RCPT got reply when reply is set.
func reportWith(incomplete bool, reply string, fs ...report.Finding) *check.Report {
	rep := &check.Report{Command: "check", Target: check.Target{Input: "example.test", Domain: "example.test", Rcpt: "postmaster@example.test"}}
	if reply != "" {
		a := &check.MXAddress{IP: netip.MustParseAddr("127.0.0.2")}
		codes, text := splitCodes(reply)
		parts := strings.Fields(codes)
		code, _ := strconv.Atoi(parts[0])
		e := explain.ExplainReply(code, parts[1], text, explain.Options{Command: "RCPT TO"})
		e.Reply = reply
		a.Explanations = []check.Explanation{{Session: "rcpt", Explanation: e}}
		rep.MX = []*check.MXHost{{Host: "mx.example.test", Preference: 10, Addresses: []*check.MXAddress{a}}}
	}
	rep.AddFindings(incomplete, fs...)
	return rep
}

func f(id string, evidence ...string) report.Finding {
	return report.New(id, i18n.T("detail of "+id, "Detail von "+id), evidence...)
}

func leadOf(rep *check.Report, o Options) Problem {
	v := Check(rep, o)
	if len(v.Problems) == 0 {
		return Problem{}
	}
	return v.Problems[0]
}

// TestHeadlineRules are the rows of the table in docs/report.md.
func TestHeadlineRules(t *testing.T) {
	const rejected = "550 5.7.1 Client host rejected: cannot find your reverse hostname (no PTR record)"
	cases := []struct {
		name string
		rep  *check.Report
		o    Options
		want string // lead id, or the rule for a synthetic lead
	}{
		{"a broken SPF record beats a missing DMARC record",
			reportWith(false, "", f("dmarc.missing"), f("spf.permerror")), Options{}, "spf.permerror"},
		{"a rejection beats a missing policy record",
			reportWith(false, rejected, f("dmarc.missing"), f("smtp.rcpt_rejected", rejected)), Options{}, "smtp.rcpt_rejected"},
		{"a failed delivery proof beats a missing policy record",
			reportWith(false, "", f("dmarc.missing"), f("delivery.silent_drop_suspected")), Options{}, "delivery.silent_drop_suspected"},
		{"an incomplete run says first why",
			reportWith(true, "", f("dmarc.missing"), f("tls.name_mismatch"), f("dns.timeout")), Options{}, "dns.timeout"},
		{"order of the table, not of the alphabet",
			reportWith(false, "", f("dkim.missing"), f("smtp.rcpt_deferred")), Options{}, "smtp.rcpt_deferred"},
		{"severity first: the lead explains the verdict",
			reportWith(false, "", f("smtp.rcpt_deferred"), f("dmarc.missing")), Options{}, "dmarc.missing"},
	}
	for _, c := range cases {
		if got := leadOf(c.rep, c.o); got.ID != c.want {
			t.Errorf("%s: lead %q (rule %s), want %s", c.name, got.ID, got.Rule, c.want)
		}
	}
}

// TestCauseBeatsSymptom: a reply that names the missing PTR leads, with
// the rDNS finding as its cause, and the rDNS finding is not listed twice.
func TestCauseBeatsSymptom(t *testing.T) {
	const rejected = "550 5.7.1 Client host rejected: cannot find your reverse hostname (no PTR record)"
	rep := reportWith(false, rejected, f("rdns.missing"), f("dmarc.missing"), f("smtp.rcpt_rejected", rejected))
	v := Check(rep, Options{})
	lead := v.Problems[0]
	if lead.ID != "smtp.rcpt_rejected" || lead.Cause == nil || lead.Cause.ID != "rdns.missing" {
		t.Fatalf("lead %s with cause %+v, want smtp.rcpt_rejected caused by rdns.missing", lead.ID, lead.Cause)
	}
	for _, p := range v.Problems[1:] {
		if p.ID == "rdns.missing" {
			t.Fatalf("rdns.missing listed again beside its symptom")
		}
	}
	var b strings.Builder
	Text(&b, v, i18n.EN, styler())
	head := strings.Join(strings.SplitN(b.String(), "\n", 6)[:5], "\n")
	for _, want := range []string{"Recipient rejected", "reverse hostname", "→ "} {
		if !strings.Contains(head, want) {
			t.Errorf("first 5 lines lack %q:\n%s", want, b.String())
		}
	}
	if !strings.Contains(b.String(), "Cause: No reverse DNS") {
		t.Errorf("the cause is not named:\n%s", b.String())
	}
}

// TestReplyNamesRule: a refusal whose reply names a published sender rule
// (Microsoft's 5.7.515 for high-volume senders) gets the failed rule of the
// scorecard as its cause, not a generic list of checks.
func TestReplyNamesRule(t *testing.T) {
	const rejected = "550 5.7.515 Access denied, sending domain example.test does not meet the required authentication level."
	rep := reportWith(false, rejected, f("dmarc.missing"), f("rules.failed", "microsoft.bulk.dmarc"), f("smtp.rcpt_rejected", rejected))
	lead := leadOf(rep, Options{})
	if lead.ID != "smtp.rcpt_rejected" || lead.Cause == nil || lead.Cause.ID != "rules.failed" {
		t.Fatalf("lead %s with cause %+v, want smtp.rcpt_rejected caused by rules.failed", lead.ID, lead.Cause)
	}
	// A reply that names no rule keeps its ordinary cause.
	plain := reportWith(false, "550 5.7.1 Service unavailable", f("rules.failed", "microsoft.bulk.dmarc"), f("smtp.rcpt_rejected", "550 5.7.1 Service unavailable"))
	if l := leadOf(plain, Options{}); l.Cause != nil {
		t.Fatalf("a reply naming no rule got cause %s", l.Cause.ID)
	}
}

// TestDeadlineLeads: a run cut short by --timeout says so first
// (check.deadline_exceeded), before the lookups it made fail.
func TestDeadlineLeads(t *testing.T) {
	rep := reportWith(true, "", f("dane.temperror"), f("dns.timeout"), f("check.deadline_exceeded"))
	if lead := leadOf(rep, Options{}); lead.ID != "check.deadline_exceeded" || lead.Rule != RuleDeadline {
		t.Fatalf("lead %s (%s), want check.deadline_exceeded", lead.ID, lead.Rule)
	}
	for _, l := range []i18n.Lang{i18n.EN, i18n.DE} {
		var b strings.Builder
		Text(&b, Check(rep, Options{}), l, styler())
		head := strings.Join(strings.SplitN(b.String(), "\n", 6)[:5], "\n")
		if !strings.Contains(head, "check.deadline_exceeded]") || !strings.Contains(head, "→ ") || !strings.Contains(b.String(), "--timeout") {
			t.Errorf("%s: first 5 lines lack the deadline and what to do:\n%s", l, b.String())
		}
	}
	// Without it, the findings that make the run incomplete lead.
	if lead := leadOf(reportWith(true, "", f("dane.temperror"), f("dns.timeout")), Options{}); lead.ID != "dns.timeout" {
		t.Fatalf("lead %s, want dns.timeout", lead.ID)
	}
}

// labLeads is the headline of every lab scenario (docs/report.md lists
// the rules; "" means no problem: the verdict is OK).
var labLeads = map[string]string{
	"ok.lab.test": "", "junk.lab.test": "", "drop.lab.test": "", "nouser.lab.test": "",
	"acceptall.lab.test": "", "mx1000.lab.test": "", "dual.lab.test": "",
	"gmail.lab.test": "", "yahoo.lab.test": "", "tonline.lab.test": "", "gmx.lab.test": "",
	"v6only.lab.test":               "rdns.missing",
	"reject.lab.test":               "smtp.rcpt_rejected",
	"grey.lab.test":                 "smtp.rcpt_deferred",
	"tls-expired.lab.test":          "tls.cert_invalid",
	"tls-wrongname.lab.test":        "tls.name_mismatch",
	"tls-selfsigned.lab.test":       "tls.self_signed",
	"notls.lab.test":                "smtp.starttls_missing",
	"tarpit.lab.test":               "smtp.tarpit",
	"closed.lab.test":               "smtp.connection_lost",
	"hostile.lab.test":              "smtp.protocol_error",
	"nullmx.lab.test":               "mx.null",
	"implicit.lab.test":             "mx.implicit",
	"cname-mx.lab.test":             "tls.name_mismatch",
	"failover.lab.test":             "smtp.connect_failed",
	"dnstimeout.lab.test":           "dns.timeout",
	"mtasts-mismatch.lab.test":      "mtasts.mx_mismatch",
	"hostile-banner-never.lab.test": "smtp.tarpit",
	"hostile-endless.lab.test":      "smtp.protocol_error",
	"hostile-garbage.lab.test":      "smtp.protocol_error",
	"hostile-8bit.lab.test":         "smtp.starttls_missing",
	"hostile-badcode.lab.test":      "smtp.protocol_error",
	"hostile-mismatch.lab.test":     "smtp.protocol_error",
	"hostile-reset.lab.test":        "smtp.connection_lost",
	"hostile-tls-fail.lab.test":     "tls.handshake_failed",
	"hostile-tls-garbage.lab.test":  "tls.handshake_failed",
	"hostile-never-read.lab.test":   "smtp.timeout",
	"dns-servfail.lab.test":         "dns.servfail",
	"dns-truncated.lab.test":        "dns.error",
	"dns-wrongquestion.lab.test":    "dns.error",
	"dns-pointerloop.lab.test":      "dns.error",
	"cname-loop.lab.test":           "mx.host_temperror",
	"spf-loop.lab.test":             "spf.include_loop",
	"spf-includes30.lab.test":       "spf.lookup_limit",
}

// TestLabHeadlines pins the lead of every lab scenario and checks that it
// stands in the first five lines with what to do, in both languages.
func TestLabHeadlines(t *testing.T) {
	for _, run := range runLab(t) {
		want, ok := labLeads[run.Scenario.Domain]
		if !ok {
			t.Errorf("%s: no expected headline in labLeads (add it, and a row to docs/report.md if a new rule decides it)", run.Scenario.Domain)
			continue
		}
		rep := run.Reports[i18n.EN]
		v := Check(rep, Options{})
		got := ""
		if len(v.Problems) > 0 {
			got = v.Problems[0].ID
		}
		if got != want {
			t.Errorf("%s: lead %q, want %q", run.Scenario.Domain, got, want)
			continue
		}
		if got == "" {
			continue
		}
		for _, l := range []i18n.Lang{i18n.EN, i18n.DE} {
			var b strings.Builder
			Text(&b, v, l, styler())
			head := strings.SplitN(b.String(), "\n", 6)[:5]
			if !strings.Contains(strings.Join(head, "\n"), "["+want) || !strings.Contains(strings.Join(head, "\n"), "→ ") {
				t.Errorf("%s/%s: lead or its advice not in the first 5 lines:\n%s", run.Scenario.Domain, l, b.String())
			}
		}
	}
}

// TestSharedCauseGrouped: findings of one id are one problem (one block for
// all broken block-list zones), their members bounded with "… and N more".
func TestSharedCauseGrouped(t *testing.T) {
	var fs []report.Finding
	for _, z := range []string{"zen.spamhaus.org", "bl.spamcop.net", "b.barracudacentral.org", "psbl.surriel.com", "bl.mailspike.net", "six.example", "seven.example"} {
		fs = append(fs, report.New("dnsbl.zone_broken", i18n.Tf("%s failed its health check.", "%s hat den Gesundheitstest nicht bestanden.", z), z))
	}
	v := Check(reportWith(false, "", fs...), Options{})
	if len(v.Problems) != 1 {
		t.Fatalf("%d problems, want one block for all zones", len(v.Problems))
	}
	p := v.Problems[0]
	if len(p.Evidence) != maxEvidence || p.More != 2 {
		t.Fatalf("evidence %v (+%d), want %d and 2 more", p.Evidence, p.More, maxEvidence)
	}
	var b strings.Builder
	Text(&b, v, i18n.DE, styler())
	if strings.Count(b.String(), "[dnsbl.zone_broken]") != 1 || !strings.Contains(b.String(), "… und 2 weitere") || !strings.Contains(b.String(), "7 Fälle (unten aufgeführt)") {
		t.Fatalf("not one block with a bounded list:\n%s", b.String())
	}
}

// TestScorecardView: the dns view of a weak sender without PTR shows its
// network and, with -v, the provider requirements with the violated rule
// (the text of check's rulebook scorecard).
func TestScorecardView(t *testing.T) {
	runLab(t)
	tgt, _ := check.ParseTarget("drop.lab.test")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d := check.RunDNS(ctx, check.DNSOptions{Target: tgt, IP: lab.SenderNoPTR, MailFrom: "you@" + lab.WeakDomain, FromDomain: lab.WeakDomain,
		HELO: lab.ClientName, Resolver: labResolver})
	var b strings.Builder
	Text(&b, DNS(d, Options{Mode: Verbose}), i18n.DE, styler())
	for _, want := range []string{"Netz", "AS64497", "Zugangsnetz", "Anforderungen der Anbieter", "VERLETZT  microsoft.all.rdns"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("dns -v view lacks %q:\n%s", want, b.String())
		}
	}
}

// TestFailedRulesInDefaultView: `check --lab drop.lab.test --from
// you@weak.lab.test` names each of Microsoft's failed high-volume rules (SPF,
// DMARC; DKIM and alignment are unknown when only common selectors were
// tried) in
// the default view, one line each, within the failing scenario's budget
// (issue 14's scorecard in the answer-first view), in English and German.
func TestFailedRulesInDefaultView(t *testing.T) {
	runLab(t)
	tgt, _ := check.ParseTarget("drop.lab.test")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rep := check.Run(ctx, check.Options{Target: tgt, MailFrom: "you@" + lab.WeakDomain, FromDomain: lab.WeakDomain,
		HELO: lab.ClientName, Port: int(labWorld.SMTPPort), Resolver: labResolver, RootCAs: labWorld.CA.Pool,
		DNSBLZones: lab.DNSBLZones(), Version: "test"})
	for _, l := range []i18n.Lang{i18n.EN, i18n.DE} {
		var b strings.Builder
		Text(&b, Check(rep, Options{}), l, styler())
		out := b.String()
		for _, id := range []string{"microsoft.bulk.spf", "microsoft.bulk.dmarc"} {
			if strings.Count(out, id+" — ") != 1 {
				t.Errorf("%s: %s not named exactly once:\n%s", l, id, out)
			}
		}
		// Only the common DKIM selectors were guessed: DKIM and the
		// alignment SPF does not give are unknown, not failed.
		for _, id := range []string{"microsoft.bulk.dkim", "microsoft.bulk.alignment"} {
			if strings.Contains(out, id) {
				t.Errorf("%s: %s is listed as failed on a guess:\n%s", l, id, out)
			}
		}
		if !strings.Contains(out, i18n.T("Not met", "Verletzt").In(l)) {
			t.Errorf("%s: no line of unmet rules:\n%s", l, out)
		}
		if n := lines(out); n > 40 {
			t.Errorf("%s: %d lines, budget 40:\n%s", l, n, out)
		}
	}
}
