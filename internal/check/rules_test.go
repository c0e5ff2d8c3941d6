package check

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	msgauth "github.com/emersion/go-msgauth/dkim"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/mxprobe/mxprobe/internal/asn"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/i18n/i18ntest"
	"github.com/mxprobe/mxprobe/internal/lab"
	"github.com/mxprobe/mxprobe/internal/mtasts"
	"github.com/mxprobe/mxprobe/internal/mxdialog"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/rules"
	"github.com/mxprobe/mxprobe/internal/webcontact"
)

// rulesLab starts the lab with the destinations the rulebook tests use.
func rulesLab(t testing.TB) (*lab.World, Options) {
	t.Helper()
	w, err := lab.Start(lab.Options{Only: []string{"ok.lab.test", "drop.lab.test", "gmail.lab.test", "tonline.lab.test"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	r, err := resolver.New(resolver.Config{Servers: []string{w.DNSAddr()}, Timeout: time.Second, Attempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	base := Options{Port: int(w.SMTPPort), Resolver: r, RootCAs: w.CA.Pool, DNSBLZones: lab.DNSBLZones(),
		HELO: lab.ClientName, NoAcceptAllTest: true, DKIMSelectors: []string{lab.DKIMSelector},
		Timeouts: mxdialog.Timeouts{Connect: 3 * time.Second, Banner: 5 * time.Second, Command: 5 * time.Second}}
	base.Policy.Fetcher = &mtasts.Fetcher{Resolver: r, RootCAs: w.CA.Pool, Dial: w.HTTPS.DialContext}
	return w, base
}

func runRules(t *testing.T, o Options, target, from string) *Report {
	t.Helper()
	tgt, err := ParseTarget(target)
	if err != nil {
		t.Fatal(err)
	}
	o.Target = tgt
	if from != "" {
		if o.MailFrom, o.FromDomain, err = ParseAddress(from); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return Run(ctx, o)
}

// goodMessage is a complete, DKIM-signed (lab key, d=sender.lab.test) bulk
// message with one-click unsubscribe, received over TLS.
func goodMessage(t testing.TB, w *lab.World) []byte {
	t.Helper()
	msg := "Received: from client.sender.lab.test (client.sender.lab.test [127.0.0.1]) by mx.ok.lab.test with ESMTPS id r1; " + time.Now().Format(time.RFC1123Z) + "\r\n" +
		"From: Lab Sender <postmaster@sender.lab.test>\r\nTo: seed@ok.lab.test\r\nSubject: lab newsletter\r\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\r\nMessage-ID: <rules-1@sender.lab.test>\r\n" +
		"List-Unsubscribe: <https://sender.lab.test/u/1>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello.\r\n"
	var signed bytes.Buffer
	if err := msgauth.Sign(&signed, strings.NewReader(msg), &msgauth.SignOptions{Domain: lab.SenderDomain, Selector: lab.DKIMSelector, Signer: w.DKIMKey}); err != nil {
		t.Fatal(err)
	}
	return signed.Bytes()
}

// badMessage: two From fields, no Date, no Message-ID, no unsubscribe,
// received without TLS, unsigned.
const badMessage = "Received: from x (x [127.0.1.6]) by mx.ok.lab.test with SMTP id r2\r\n" +
	"From: a@weak.lab.test\r\nFrom: b@weak.lab.test\r\nSubject: x\r\n\r\nbody\r\n"

// TestRulesLab: every rule of the five rulebooks passes for one lab sender
// and fails for another, measured on the lab (DNS, SMTP, the operator
// websites, the ASN zone, a message); texts in English and German.
func TestRulesLab(t *testing.T) {
	w, base := rulesLab(t)
	base.Rules = RulesAll
	type run struct {
		name, from string
		ip         netip.Addr
		helo       string
		msg        []byte
	}
	runs := []run{
		{"good", "postmaster@" + lab.SenderDomain, netip.MustParseAddr(lab.ClientIP), "", goodMessage(t, w)},
		{"weak", "you@" + lab.WeakDomain, lab.SenderListed, "localhost", []byte(badMessage)},
		{"noptr", "x@" + lab.NoMXDomain, lab.SenderNoPTR, "", nil},
		{"noweb", "postmaster@" + lab.SenderDomain, lab.SenderNoWebsite, "", nil},
		{"nocontact", "postmaster@" + lab.SenderDomain, lab.SenderNoContact, "", nil},
		{"generic", "postmaster@" + lab.SenderDomain, lab.SenderGeneric, "", nil},
		{"unconfirmed", "postmaster@" + lab.SenderDomain, lab.SenderUnconfirmed, "", nil},
	}
	statuses := map[string]map[string]string{} // rule → run → status
	reports := map[string]*Report{}
	for _, rn := range runs {
		o := base
		o.IP, o.Message = rn.ip, rn.msg
		if rn.helo != "" {
			o.HELO = rn.helo
		}
		rep := runRules(t, o, "ok.lab.test", rn.from)
		reports[rn.name] = rep
		if len(rep.RawRequirements()) == 0 {
			t.Fatalf("%s: no scorecard", rn.name)
		}
		for _, r := range rep.RawRequirements() {
			if statuses[r.Rule] == nil {
				statuses[r.Rule] = map[string]string{}
			}
			statuses[r.Rule][rn.name] = r.Status
		}
	}
	for _, b := range rules.Books() {
		for _, r := range b.Rules {
			var p, f bool
			for _, st := range statuses[r.ID] {
				p, f = p || st == rules.StatusPass, f || st == rules.StatusFail
			}
			if !p || !f {
				t.Errorf("%s: no passing and failing lab sender: %v", r.ID, statuses[r.ID])
			}
		}
	}
	// The senders the issue names, rule by rule.
	want := map[string]map[string]string{
		"tonline.all.website":     {"good": "pass", "noptr": "fail", "noweb": "fail", "nocontact": "fail"},
		"tonline.all.fcrdns":      {"good": "pass", "noptr": "fail", "unconfirmed": "fail"},
		"gmx.all.static_ip":       {"good": "pass", "generic": "fail"},
		"microsoft.all.range":     {"good": "unknown", "noweb": "pass", "weak": "fail"},
		"microsoft.bulk.dmarc":    {"good": "pass", "weak": "fail"},
		"gmx.all.dkim_aligned":    {"good": "pass", "weak": "fail"},
		"google.bulk.one_click":   {"good": "pass", "weak": "fail", "noptr": "unknown"},
		"gmx.all.from_mx":         {"good": "pass", "noptr": "fail"},
		"google.all.tls":          {"good": "pass", "weak": "fail"},
		"microsoft.all.static_ip": {"good": "pass", "generic": "fail"},
	}
	for rule, runs := range want {
		for rn, st := range runs {
			if got := statuses[rule][rn]; got != st {
				t.Errorf("%s for %s: %s, want %s", rule, rn, got, st)
			}
		}
	}
	good := reports["good"]
	if n := good.Sender.Network; n == nil || n.ASN != lab.LabHostingASN || n.Kind != asn.KindHosting {
		t.Errorf("lab client's network: %+v", n)
	}
	if l := NetworkLine(good.Sender.Network, i18n.DE); !strings.Contains(l, "AS64496 LABHOST-AS") || !strings.Contains(l, "Hosting-Netz") {
		t.Errorf("network line: %q", l)
	}
	if l := NetworkLine(reports["weak"].Sender.Network, i18n.EN); !strings.Contains(l, "access network") || !strings.Contains(l, "listed on UCEPROTECT level 2") {
		t.Errorf("network line of the listed sender: %q", l)
	}
	// The message's own findings: the lab signature verifies and aligns;
	// the bad message is unsigned and not aligned.
	ids := map[string]map[string]bool{}
	for _, n := range []string{"good", "weak"} {
		ids[n] = map[string]bool{}
		for _, f := range reports[n].RawFindings() {
			ids[n][f.ID] = true
		}
	}
	if !ids["good"]["dkim.verify_pass"] || !ids["good"]["dmarc.aligned"] || !ids["weak"]["dkim.unsigned"] || !ids["weak"]["dmarc.not_aligned"] {
		t.Errorf("message findings: good %v, weak %v", ids["good"], ids["weak"])
	}
	if ws := reports["nocontact"].Sender.Website; ws == nil || ws.Reason != webcontact.ReasonNoContact {
		t.Errorf("nocontact website: %+v", ws)
	}
	// German without English: every rule's text and advice, and the German
	// evidence of every lab run.
	var english []string
	for _, b := range rules.Books() {
		for _, r := range b.Rules {
			english = append(english, i18ntest.EnglishIn(r.Text.DE+"\n"+r.Advice.DE, nil)...)
		}
	}
	for name, rep := range reports {
		for _, r := range rep.RawRequirements() {
			for _, e := range i18ntest.EnglishIn(r.Evidence.DE, nil) {
				english = append(english, name+" "+r.Rule+": "+e)
			}
		}
	}
	if len(english) > 0 {
		t.Errorf("English in German rule texts:\n%s", strings.Join(i18ntest.Uniq(english), "\n"))
	}
	// Texts in both languages: the requirements and the findings.
	weak := reports["weak"]
	weak.Localize(i18n.DE)
	de := map[string]string{}
	for _, l := range weak.Requirements {
		de[l.Rule] = l.Text
	}
	for _, r := range weak.RawRequirements() {
		if de[r.Rule] != r.Text.DE || r.Text.DE == r.Text.EN {
			t.Errorf("%s: German text %q", r.Rule, de[r.Rule])
		}
	}
	found := false
	for _, f := range weak.Findings {
		if f.ID == rules.IDFailed && strings.Contains(f.Detail, "Die IP steht auf keiner bekannten Sperrliste") {
			found = true
		}
	}
	if !found {
		t.Errorf("no German rules.failed finding for gmx.all.dnsbl: %+v", weak.Findings)
	}
	weak.Localize(i18n.EN)
	if weak.Requirements[0].Text != weak.RawRequirements()[0].Text.EN {
		t.Errorf("English text: %q", weak.Requirements[0].Text)
	}
}

// TestRulesDropWeak: `check --lab drop.lab.test --from you@weak.lab.test`
// scores against the operator's book (Microsoft Outlook.com) and lists the
// failed high-volume rules, one line each.
func TestRulesDropWeak(t *testing.T) {
	_, base := rulesLab(t)
	rep := runRules(t, base, "drop.lab.test", "you@"+lab.WeakDomain)
	lines := strings.Join(failedLines(rep.RawRequirements(), i18n.EN), "\n")
	for _, id := range []string{"microsoft.bulk.spf", "microsoft.bulk.dkim", "microsoft.bulk.dmarc", "microsoft.bulk.alignment"} {
		if !strings.Contains(lines, id+": ") {
			t.Errorf("failed lines lack %s:\n%s", id, lines)
		}
	}
	for _, r := range rep.RawRequirements() {
		if r.Provider != rules.Microsoft {
			t.Fatalf("default selection scored %s", r.Provider)
		}
	}
	de := failedLines(rep.RawRequirements(), i18n.DE)
	if len(de) < 4 || !strings.Contains(strings.Join(de, "\n"), "Massenversender") {
		t.Errorf("German lines:\n%s", strings.Join(de, "\n"))
	}
	bulk := 0
	for _, f := range rep.RawFindings() {
		if f.ID == rules.IDBulkFailed && f.Severity == "info" {
			bulk++
		}
	}
	if bulk != 4 {
		t.Errorf("%d bulk findings at info, want 4", bulk)
	}
	// The probe message of --deliver-to, known only after the check: the
	// message rules are decided and the findings replaced.
	before := len(rep.RawFindings())
	rep.AddMessage(context.Background(), []byte(badMessage))
	if rep.Message == nil || len(rep.RawFindings()) <= before {
		t.Errorf("AddMessage: message %v, findings %d → %d", rep.Message != nil, before, len(rep.RawFindings()))
	}
	for _, r := range rep.RawRequirements() {
		if r.Rule == "microsoft.all.rfc5322" && r.Status != rules.StatusFail {
			t.Errorf("after AddMessage: %s %s", r.Rule, r.Status)
		}
	}
	base.Bulk = true
	rep = runRules(t, base, "drop.lab.test", "you@"+lab.WeakDomain)
	for _, f := range rep.RawFindings() {
		if f.ID == rules.IDBulkFailed && f.Severity != "warn" {
			t.Errorf("with Bulk: %s at %s", f.ID, f.Severity)
		}
	}
}

// TestRulesReplyJoin: the provider imitations answer the weak sender with
// their documented replies, and rules.ForReply points at the failed rules.
func TestRulesReplyJoin(t *testing.T) {
	_, base := rulesLab(t)
	// A destination without a rulebook: no scorecard, but the network.
	plain := runRules(t, base, "ok.lab.test", "postmaster@"+lab.SenderDomain)
	if len(plain.RawRequirements()) != 0 || plain.Sender.Network == nil || plain.Sender.Network.ASN != lab.LabHostingASN {
		t.Errorf("ok.lab.test: %d requirements, network %+v", len(plain.RawRequirements()), plain.Sender.Network)
	}
	for _, c := range []struct {
		dom, rule string
		ip        netip.Addr
	}{{"gmail.lab.test", "google.all.auth", netip.Addr{}}, {"tonline.lab.test", "tonline.all.website", lab.SenderNoContact}} {
		o := base
		o.IP = c.ip
		rep := runRules(t, o, c.dom, "you@"+lab.WeakDomain)
		var text string
		for _, h := range rep.MX {
			for _, a := range h.Addresses {
				if a.SMTP != nil {
					for _, r := range a.SMTP.Replies {
						text += fmt.Sprintf("%d %s %s\n", r.Code, r.EnhancedCode, r.Text)
					}
				}
			}
		}
		ids := rules.ForReply(text)
		if !contains(ids, c.rule) {
			t.Errorf("%s: ForReply(%q) = %v, want %s", c.dom, text, ids, c.rule)
		}
		rr := rep.ReplyRules()
		if len(rr) == 0 || rr[0].Status != rules.StatusFail || rr[0].Provider != rep.RawRequirements()[0].Provider {
			t.Errorf("%s: ReplyRules = %+v, want the failed rule first", c.dom, rr)
		}
		if p := rep.Provider; p == nil {
			t.Errorf("%s: provider not recognised", c.dom)
		}
		if len(rep.RawRequirements()) == 0 {
			t.Errorf("%s: no scorecard", c.dom)
		}
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func compileRulesSchema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	path, _ := filepath.Abs(filepath.Join("..", "..", "docs", "schema", name))
	s, err := jsonschema.NewCompiler().Compile(path)
	if err != nil {
		t.Fatalf("schema %s: %v", name, err)
	}
	return s
}

func validateJSON(s *jsonschema.Schema, doc []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return err
	}
	return s.Validate(v)
}

// TestRulesJSONSchema: check and dns JSON with a scorecard, the sender's
// network, the website and the message validate against docs/schema; a
// wrong status word does not.
func TestRulesJSONSchema(t *testing.T) {
	w, base := rulesLab(t)
	base.Rules, base.Message = RulesAll, goodMessage(t, w)
	rep := runRules(t, base, "drop.lab.test", "postmaster@"+lab.SenderDomain)
	rep.Localize(i18n.DE)
	doc, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	s := compileRulesSchema(t, "check.schema.json")
	if err := validateJSON(s, doc); err != nil {
		t.Fatalf("check JSON: %v", err)
	}
	for _, key := range []string{`"requirements":[`, `"network":{`, `"website":{`, `"message":{`, `"used_by":"unbekannt`} {
		if !bytes.Contains(doc, []byte(key)) {
			t.Errorf("check JSON lacks %s", key)
		}
	}
	bad := bytes.Replace(doc, []byte(`"status":"pass","measurement"`), []byte(`"status":"passed","measurement"`), 1)
	if bytes.Equal(bad, doc) || validateJSON(s, bad) == nil {
		t.Errorf("a wrong status word validates")
	}

	tgt, _ := ParseTarget("drop.lab.test")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d := RunDNS(ctx, DNSOptions{Target: tgt, IP: lab.SenderNoPTR, MailFrom: "you@" + lab.WeakDomain, FromDomain: lab.WeakDomain,
		HELO: lab.ClientName, Resolver: base.Resolver, Policy: base.Policy})
	d.Localize(i18n.EN)
	if len(d.Requirements) == 0 || d.Network == nil || d.Network.ASN != lab.LabAccessASN {
		t.Fatalf("dns scorecard: %d requirements, network %+v", len(d.Requirements), d.Network)
	}
	failed := map[string]bool{}
	for _, r := range d.RawRequirements() {
		failed[r.Rule] = r.Status == rules.StatusFail
	}
	if !failed["microsoft.all.rdns"] || !failed["microsoft.bulk.dmarc"] {
		t.Errorf("dns scorecard for the weak sender without PTR: %v", failed)
	}
	// The text view of the scorecard (Netz, Anforderungen der Anbieter) is
	// tested in package view, which renders it.
	if line := NetworkLine(d.Network, i18n.DE); !strings.Contains(line, "AS64497") || !strings.Contains(line, "Zugangsnetz") {
		t.Errorf("network line %q", line)
	}
	doc, _ = json.Marshal(d)
	if err := validateJSON(compileRulesSchema(t, "dns.schema.json"), doc); err != nil {
		t.Fatalf("dns JSON: %v", err)
	}
}

// BenchmarkRulesStep: a lab check of drop.lab.test with the scorecard
// (all five books, a signed message, the website check of the lab client)
// against the same check with Rules=none.
func BenchmarkRulesStep(b *testing.B) {
	w, base := rulesLab(b)
	base.MailFrom, base.FromDomain = "postmaster@"+lab.SenderDomain, lab.SenderDomain
	base.Target, _ = ParseTarget("drop.lab.test")
	msg := goodMessage(b, w)
	for _, c := range []struct {
		name  string
		rules string
		msg   []byte
	}{{"none", RulesNone, nil}, {"all", RulesAll, msg}} {
		b.Run(c.name, func(b *testing.B) {
			o := base
			o.Rules, o.Message = c.rules, c.msg
			for i := 0; i < b.N; i++ {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				Run(ctx, o)
				cancel()
			}
		})
	}
}

// TestRefusedAtMAILIsAnAnswer: a receiver that refuses MAIL FROM (Gmail's
// 5.7.26 for an unauthenticated sender) has answered: the verdict is FAIL,
// not incomplete, and the pipelined RCPT's follow-up error (RFC 2920 §3.1:
// the server answers the RCPT of the group too) is not explained as a
// second problem.
func TestRefusedAtMAILIsAnAnswer(t *testing.T) {
	_, base := rulesLab(t)
	rep := runRules(t, base, "gmail.lab.test", "you@"+lab.WeakDomain)
	if rep.Verdict != report.VerdictFail {
		t.Fatalf("verdict %s, want fail", rep.Verdict)
	}
	var cmds []string
	for _, h := range rep.MX {
		for _, a := range h.Addresses {
			for _, e := range a.Explanations {
				cmds = append(cmds, e.Command)
			}
		}
	}
	if len(cmds) == 0 {
		t.Fatal("no explained reply")
	}
	for _, c := range cmds {
		if strings.Contains(c, "RCPT") {
			t.Errorf("the RCPT follow-up error after a refused MAIL is explained: %v", cmds)
		}
	}
}

// failedLines: one line per failed rule, "<rule>: <text> (<evidence>)".
func failedLines(rs []rules.Requirement, lang i18n.Lang) []string {
	var out []string
	for _, r := range rs {
		if r.Status == rules.StatusFail {
			out = append(out, r.Rule+": "+r.Text.In(lang)+" ("+r.Evidence.In(lang)+")")
		}
	}
	return out
}
