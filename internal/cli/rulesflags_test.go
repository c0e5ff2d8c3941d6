package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/lab"
)

// labMessage writes an RFC 5322 message to a temporary file; withID adds a
// Message-ID field.
func labMessage(t *testing.T, withID bool) string {
	t.Helper()
	h := "From: you@weak.lab.test\r\nTo: seed@drop.lab.test\r\nDate: Sun, 6 Dec 2026 01:00:00 +0000\r\nSubject: lab\r\n"
	if withID {
		h += "Message-ID: <1.lab@weak.lab.test>\r\n"
	}
	p := filepath.Join(t.TempDir(), "msg.eml")
	if err := os.WriteFile(p, []byte(h+"\r\nbody\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// requirementStatus maps rule id → status of a JSON report's scorecard.
func requirementStatus(m map[string]any) (status map[string]string, providers map[string]bool) {
	status, providers = map[string]string{}, map[string]bool{}
	rs, _ := m["requirements"].([]any)
	for _, r := range rs {
		rm := r.(map[string]any)
		status[rm["rule"].(string)] = rm["status"].(string)
		providers[rm["provider"].(string)] = true
	}
	return status, providers
}

// TestRulesFlagUsage: a bad --rules value and an unreadable --message are
// usage errors (exit 2) naming the flag, in both languages.
func TestRulesFlagUsage(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"check", "--lab", "drop.lab.test", "--rules", "some"}, "invalid --rules \"some\": use default, all or none"},
		{[]string{"--lang", "de", "check", "--lab", "drop.lab.test", "--rules", "some"}, "ungültige --rules \"some\": Geben Sie default, all oder none an"},
		{[]string{"dns", "--lab", "drop.lab.test", "--rules", "every"}, "invalid --rules \"every\""},
		{[]string{"--lang", "de", "dns", "--lab", "drop.lab.test", "--rules", "every"}, "ungültige --rules \"every\""},
		{[]string{"check", "--lab", "drop.lab.test", "--message", "/nonexistent/msg.eml"}, "cannot read --message /nonexistent/msg.eml"},
		{[]string{"--lang", "de", "dns", "--lab", "drop.lab.test", "--message", "/nonexistent/msg.eml"}, "--message /nonexistent/msg.eml ist nicht lesbar"},
		{[]string{"check", "--lab", "drop.lab.test", "--mx", "127.0.0.10"}, "--mx names the host the --deliver-to probe goes to"},
		{[]string{"--lang", "de", "check", "--lab", "drop.lab.test", "--mx", "127.0.0.10"}, "--mx nennt den Host"},
	}
	for _, c := range cases {
		out, errOut, code := runCLI(t, nil, c.args...)
		if code != exitcode.Usage {
			t.Errorf("%v: exit %d, want 2; stderr %q", c.args, code, errOut)
		}
		if !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%v: stderr %q, want one line with %q", c.args, errOut, c.want)
		}
		if out != "" {
			t.Errorf("%v: stdout %q", c.args, out)
		}
	}
}

// TestRulesDefaultView: the weak lab sender toward the Microsoft-style
// destination fails Microsoft's high-volume rules; the default view lists
// each failed rule, one per rule, within its 40-line budget (EN and DE),
// and JSON carries Microsoft's book only.
func TestRulesDefaultView(t *testing.T) {
	args := []string{"check", "--lab", "drop.lab.test", "--from", "you@weak.lab.test"}
	// DKIM (and so the alignment, which SPF does not give): only the common
	// selectors were guessed, so those rules are unknown, not failed, and
	// stay out of the default view.
	failed := []string{"microsoft.bulk.spf", "microsoft.bulk.dmarc"}
	for _, c := range []struct{ lang, label, text string }{
		{"en", "Not met", "High-volume senders"},
		{"de", "Verletzt", "Massenversender"},
	} {
		out, errOut, code := runCLI(t, nil, append([]string{"--lang", c.lang}, args...)...)
		if code != exitcode.Problems {
			t.Fatalf("%s: exit %d; %s", c.lang, code, errOut)
		}
		if n := strings.Count(out, "\n"); n > 40 {
			t.Errorf("%s: %d lines, budget 40:\n%s", c.lang, n, out)
		}
		if !strings.Contains(out, c.label) || !strings.Contains(out, c.text) {
			t.Errorf("%s: default view lacks %q / %q:\n%s", c.lang, c.label, c.text, out)
		}
		for _, id := range failed {
			if strings.Count(out, id+" ") != 1 {
				t.Errorf("%s: default view does not list %s once:\n%s", c.lang, id, out)
			}
		}
		if strings.Contains(out, "microsoft.all.rdns") || strings.Contains(out, "microsoft.bulk.dkim") || strings.Contains(out, "microsoft.bulk.alignment") {
			t.Errorf("%s: a passed or unknown rule in the default view", c.lang)
		}
	}
	out, _, _ := runCLI(t, nil, append(args, "-o", "json")...)
	m := validate(t, compileSchema(t, "check.schema.json"), out)
	st, prov := requirementStatus(m)
	if len(prov) != 1 || !prov["microsoft"] {
		t.Errorf("default rules: providers %v, want microsoft only", prov)
	}
	for _, id := range []string{"microsoft.bulk.spf", "microsoft.bulk.dmarc"} {
		if st[id] != "fail" {
			t.Errorf("%s: %q, want fail", id, st[id])
		}
	}
	for _, id := range []string{"microsoft.bulk.dkim", "microsoft.bulk.alignment"} {
		if st[id] != "unknown" {
			t.Errorf("%s: %q, want unknown (no key at the guessed selectors proves nothing)", id, st[id])
		}
	}
	if _, ok := findingIDs(m)["rules.bulk_failed"]; !ok {
		t.Errorf("findings lack rules.bulk_failed: %v", findingIDs(m))
	}
}

// TestRulesAllAndNone: --rules all scores all five books, --rules none none.
func TestRulesAllAndNone(t *testing.T) {
	schema := compileSchema(t, "check.schema.json")
	out, errOut, _ := runCLI(t, nil, "check", "--lab", "drop.lab.test", "--from", "you@weak.lab.test", "--rules", "all", "-o", "json")
	_, prov := requirementStatus(validate(t, schema, out))
	for _, p := range []string{"microsoft", "google", "yahoo", "t-online", "gmx"} {
		if !prov[p] {
			t.Errorf("--rules all: no %s requirements (%v); %s", p, prov, errOut)
		}
	}
	out, _, _ = runCLI(t, nil, "check", "--lab", "drop.lab.test", "--from", "you@weak.lab.test", "--rules", "none", "-o", "json")
	m := validate(t, schema, out)
	if _, prov := requirementStatus(m); len(prov) != 0 {
		t.Errorf("--rules none: providers %v", prov)
	}
	if _, ok := findingIDs(m)["rules.bulk_failed"]; ok {
		t.Error("--rules none still reports rules.bulk_failed")
	}
}

// TestRulesBulkFlag: a failed bulk-level rule is information, with --bulk a
// warning — and so decides the exit code under --fail-on warn.
func TestRulesBulkFlag(t *testing.T) {
	schema := compileSchema(t, "dns.schema.json")
	msg := labMessage(t, true) // no DKIM-Signature: microsoft.bulk.dkim fails
	for _, c := range []struct {
		bulk bool
		sev  string
		code int
	}{{false, "info", 0}, {true, "warn", exitcode.Problems}} {
		args := []string{"dns", "--lab", "drop.lab.test", "--from", "you@sender.lab.test", "--ip", "127.0.0.1", "--message", msg, "--fail-on", "warn", "-o", "json"}
		if c.bulk {
			args = append(args, "--bulk")
		}
		out, errOut, code := runCLI(t, nil, args...)
		if code != c.code {
			t.Errorf("bulk=%v: exit %d, want %d; %s", c.bulk, code, c.code, errOut)
		}
		m := validate(t, schema, out)
		if got := findingIDs(m)["rules.bulk_failed"]; got != c.sev {
			t.Errorf("bulk=%v: rules.bulk_failed %q, want %q", c.bulk, got, c.sev)
		}
		if st, _ := requirementStatus(m); st["microsoft.bulk.dkim"] != "fail" {
			t.Errorf("bulk=%v: microsoft.bulk.dkim %q", c.bulk, st["microsoft.bulk.dkim"])
		}
	}
}

// TestRulesMessageFlag: the message decides the message rules — without a
// Message-ID the rule fails, with one it passes, without --message unknown.
func TestRulesMessageFlag(t *testing.T) {
	schema := compileSchema(t, "check.schema.json")
	for _, c := range []struct {
		msg  string
		want string
	}{{"", "unknown"}, {labMessage(t, false), "fail"}, {labMessage(t, true), "pass"}} {
		args := []string{"check", "--lab", "drop.lab.test", "--from", "you@weak.lab.test", "--rules", "all", "-o", "json"}
		if c.msg != "" {
			args = append(args, "--message", c.msg)
		}
		out, _, _ := runCLI(t, nil, args...)
		m := validate(t, schema, out)
		st, _ := requirementStatus(m)
		for _, id := range []string{"google.all.message_id", "gmx.all.message_id"} {
			if st[id] != c.want {
				t.Errorf("message %q: %s %q, want %q", c.msg, id, st[id], c.want)
			}
		}
		if _, ok := m["message"]; ok != (c.msg != "") {
			t.Errorf("message %q: JSON message object present=%v", c.msg, ok)
		}
	}
}

// TestDNSInvalidTargetJSON: dns under -o json writes the same error object
// as check for an invalid target (stdout, schema-valid), exits 2, and says
// so on stderr in one line, in both languages.
func TestDNSInvalidTargetJSON(t *testing.T) {
	schema := compileSchema(t, "dns.schema.json")
	for _, c := range []struct{ lang, want string }{
		{"en", "invalid domain"}, {"de", "ungültige Domain"},
	} {
		out, errOut, code := runCLI(t, nil, "--lang", c.lang, "dns", "-o", "json", "bad..domain")
		if code != exitcode.Usage {
			t.Fatalf("%s: exit %d, want 2", c.lang, code)
		}
		m := validate(t, schema, out)
		e, _ := m["error"].(map[string]any)
		if e["id"] != "target.invalid_domain" || !strings.Contains(e["message"].(string), c.want) {
			t.Errorf("%s: error object %v", c.lang, e)
		}
		if m["verdict"] != "incomplete" || m["command"] != "dns" {
			t.Errorf("%s: verdict %v, command %v", c.lang, m["verdict"], m["command"])
		}
		if !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%s: stderr %q", c.lang, errOut)
		}
		// check writes the same error object for the same input.
		cout, _, _ := runCLI(t, nil, "--lang", c.lang, "check", "-o", "json", "bad..domain")
		cm := validate(t, compileSchema(t, "check.schema.json"), cout)
		if ce, _ := cm["error"].(map[string]any); ce["id"] != e["id"] || ce["message"] != e["message"] {
			t.Errorf("%s: check error %v, dns error %v", c.lang, ce, e)
		}
	}
	// Text output: no JSON on stdout, the one-line error on stderr.
	out, errOut, code := runCLI(t, nil, "dns", "bad..domain")
	if code != exitcode.Usage || out != "" || !strings.Contains(errOut, "invalid domain") {
		t.Errorf("text: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestLabListsRulesSenders: `mxprobe lab` lists every rulebook sender (its
// address, PTR name and title) in text, EN and DE, and in JSON, and one of
// its example lines exercises --ip with --rules (TestLabExamplesRunClean
// runs it).
func TestLabListsRulesSenders(t *testing.T) {
	w, err := lab.Start(lab.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, l := range []i18n.Lang{i18n.EN, i18n.DE} {
		var out bytes.Buffer
		g := &Globals{Lang: l, IO: &IOStreams{Out: &out, Getenv: func(string) string { return "" }}}
		printLab(g, w, "ca.pem")
		text := out.String()
		head := map[i18n.Lang]string{i18n.EN: "Rulebook senders", i18n.DE: "Absender für die Regelwerke"}[l]
		_, senders, ok := strings.Cut(text, head)
		if !ok {
			t.Fatalf("%s: no %q section:\n%s", l, head, text)
		}
		flat := strings.Join(strings.Fields(senders), " ")
		for _, s := range lab.RulesSenders() {
			if !strings.Contains(flat, s.IP.String()) || !strings.Contains(flat, strings.Join(strings.Fields(s.Title.In(l)), " ")) || !strings.Contains(flat, s.PTR) {
				t.Errorf("%s: sender %s %q missing", l, s.IP, s.Title.In(l))
			}
		}
		j := newLabJSON(g, w, "ca.pem")
		if len(j.Senders) != len(lab.RulesSenders()) || j.Senders[1].IP != lab.SenderNoPTR.String() || j.Senders[1].PTR != "" || j.Senders[1].Title != lab.RulesSenders()[1].Title.In(l) {
			t.Errorf("%s: JSON senders %+v", l, j.Senders)
		}
	}
	var withRules int
	for _, c := range labCommands(w, "ca.pem") {
		if strings.Contains(c, " --rules ") && strings.Contains(c, " --ip "+lab.SenderNoContact.String()) {
			withRules++
		}
	}
	if withRules == 0 {
		t.Error("no example line exercises --ip with --rules")
	}
}

// TestRulesMessageStdin: --message - reads the message from standard input
// (as explain --message - does); with check - (targets on stdin) it is a
// usage error naming the flag.
func TestRulesMessageStdin(t *testing.T) {
	msg, err := os.ReadFile(labMessage(t, false))
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, _ := runIn(t, nil, string(msg), "dns", "--lab", "-o", "json", "drop.lab.test", "--ip", "127.0.0.1", "--from", "you@weak.lab.test", "--rules", "all", "--message", "-")
	st, _ := requirementStatus(validate(t, compileSchema(t, "dns.schema.json"), out))
	if st["gmx.all.message_id"] != "fail" {
		t.Errorf("--message -: gmx.all.message_id %q; %s", st["gmx.all.message_id"], errOut)
	}
	for _, lang := range []string{"en", "de"} {
		_, errOut, code := runIn(t, nil, "ok.lab.test\n", "--lang", lang, "check", "--lab", "-", "--message", "-")
		if code != exitcode.Usage || !strings.Contains(errOut, "--message - ") || !strings.Contains(errOut, "--targets") {
			t.Errorf("%s: check - --message -: exit %d, %q", lang, code, errOut)
		}
	}
}
