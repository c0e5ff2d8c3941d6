package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"github.com/mxprobe/mxprobe/internal/delivery/deliverytest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/lab"
	"github.com/mxprobe/mxprobe/internal/report/reporttest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testNow is the key of env (not an environment variable) under which a
// test hands runCLI the instant of a fake clock (RFC 3339).
const testNow = "test:now"

// testFactory is the factory of an in-process test run: the streams, and a
// fake clock when env[testNow] is set.
func testFactory(t testing.TB, env map[string]string, io *IOStreams) *Factory {
	f := NewFactory(io)
	if v := env[testNow]; v != "" {
		now, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			t.Fatalf("%s=%q: %v", testNow, v, err)
		}
		f.Clock = &deliverytest.FakeClock{T: now.UTC()}
	}
	return f
}

// runCLI runs mxprobe in-process with captured streams.
func runCLI(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	io := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errb,
		Getenv: func(k string) string { return env[k] }}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code = RunFactory(ctx, args, testFactory(t, env, io))
	return out.String(), errb.String(), code
}

func compileSchema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	path, _ := filepath.Abs(filepath.Join("..", "..", "docs", "schema", name))
	s, err := c.Compile(path)
	if err != nil {
		t.Fatalf("schema %s: %v", name, err)
	}
	return s
}

func validate(t *testing.T, s *jsonschema.Schema, doc string) map[string]any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
	if err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, doc)
	}
	if err := s.Validate(v); err != nil {
		t.Fatalf("output does not match the schema: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func findingIDs(m map[string]any) map[string]string {
	out := map[string]string{}
	fs, _ := m["findings"].([]any)
	for _, f := range fs {
		fm := f.(map[string]any)
		out[fm["id"].(string)] = fm["severity"].(string)
	}
	return out
}

// TestCheckLabScenarios runs the real command against the in-process lab
// for each scenario and checks verdict, findings, schema and exit code.
func TestCheckLabScenarios(t *testing.T) {
	schema := compileSchema(t, "check.schema.json")
	cases := []struct {
		target  string
		extra   []string
		verdict string
		code    int
		want    []string // finding ids that must be present
		absent  []string
	}{
		{"ok.lab.test", []string{"--from", "you@sender.lab.test"}, "ok", 0, []string{"smtp.rcpt_accepted", "tls.ok", "spf.pass", "rdns.ok", "mtasts.ok", "dkim.ok", "dmarc.ok"}, []string{"smtp.accept_all", "silentdrop.risk"}},
		// --lab without --from: the null sender, as the help says.
		{"ok.lab.test", nil, "ok", 0, []string{"smtp.rcpt_accepted", "sender.no_from"}, []string{"dkim.ok", "dmarc.ok"}},
		{"reject.lab.test", nil, "fail", 1, []string{"smtp.rcpt_rejected", "provider.identified"}, nil},
		{"grey.lab.test", nil, "warn", 0, []string{"smtp.rcpt_deferred"}, nil},
		{"grey.lab.test", []string{"--fail-on", "warn"}, "warn", 1, []string{"smtp.rcpt_deferred"}, nil},
		{"acceptall.lab.test", nil, "ok", 0, []string{"smtp.accept_all"}, nil},
		{"user@nouser.lab.test", nil, "fail", 1, []string{"smtp.rcpt_rejected"}, nil},
		{"tls-expired.lab.test", nil, "warn", 0, []string{"tls.cert_invalid"}, []string{"tls.ok"}},
		{"tls-selfsigned.lab.test", nil, "warn", 0, []string{"tls.self_signed", "tls.cert_invalid"}, []string{"tls.ok"}},
		{"tls-wrongname.lab.test", nil, "warn", 0, []string{"tls.name_mismatch", "tls.cert_invalid"}, []string{"tls.ok"}},
		{"notls.lab.test", nil, "warn", 0, []string{"smtp.starttls_missing"}, nil},
		{"nullmx.lab.test", nil, "fail", 1, []string{"mx.null"}, nil},
		{"implicit.lab.test", nil, "warn", 0, []string{"mx.implicit", "smtp.rcpt_accepted"}, nil},
		{"cname-mx.lab.test", nil, "warn", 0, []string{"mx.cname"}, nil},
		{"failover.lab.test", nil, "warn", 0, []string{"smtp.connect_failed", "smtp.rcpt_accepted"}, nil},
		{"dnstimeout.lab.test", nil, "incomplete", 3, []string{"dns.timeout"}, []string{"mx.none"}},
		{"closed.lab.test", nil, "incomplete", 3, nil, []string{"smtp.rcpt_accepted"}},
		{"hostile.lab.test", nil, "incomplete", 3, []string{"smtp.protocol_error"}, nil},
		{"mtasts-mismatch.lab.test", nil, "fail", 1, []string{"mtasts.mx_mismatch"}, nil},
		{"drop.lab.test", []string{"--from", "x@weak.lab.test"}, "fail", 1, []string{"silentdrop.risk", "spf.none", "dmarc.missing", "provider.identified"}, nil},
		{"drop.lab.test", nil, "ok", 0, []string{"provider.identified", "silentdrop.risk"}, nil}, // info: a 250 from Outlook.com proves nothing
		{"tarpit.lab.test", []string{"--timeout", "1500ms"}, "incomplete", 3, nil, []string{"smtp.rcpt_accepted"}},
	}
	for _, c := range cases {
		t.Run(c.target+strings.Join(c.extra, ""), func(t *testing.T) {
			args := append([]string{"check", "--lab", "--format", "json", c.target}, c.extra...)
			start := time.Now()
			out, errOut, code := runCLI(t, nil, args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, c.code, errOut)
			}
			m := validate(t, schema, out)
			if m["verdict"] != c.verdict {
				t.Errorf("verdict %v, want %s; findings %v", m["verdict"], c.verdict, findingIDs(m))
			}
			ids := findingIDs(m)
			for _, id := range c.want {
				if _, ok := ids[id]; !ok {
					t.Errorf("missing finding %s; have %v", id, ids)
				}
			}
			for _, id := range c.absent {
				if _, ok := ids[id]; ok {
					t.Errorf("unexpected finding %s", id)
				}
			}
			if d := time.Since(start); d > 30*time.Second {
				t.Errorf("took %s: every phase must have a deadline", d)
			}
		})
	}
}

// TestCheckEtiquette: never DATA in check, and one RCPT per session.
func TestCheckEtiquette(t *testing.T) {
	_, _, code := runCLI(t, nil, "check", "--lab", "--format", "json", "drop.lab.test")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	// The lab is gone after the run; the etiquette is asserted on a lab we
	// own in the check package tests (TestRunEtiquette). Here: the JSON
	// transcript shows no DATA command and one RCPT per session.
	out, _, _ := runCLI(t, nil, "check", "--lab", "--format", "json", "ok.lab.test")
	var m struct {
		MX []struct {
			Addresses []struct {
				SMTP          struct{ Transcript []struct{ Dir, Text string } } `json:"smtp"`
				AcceptAllTest struct{ Transcript []struct{ Dir, Text string } } `json:"accept_all_test"`
			} `json:"addresses"`
		} `json:"mx"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	sessions := 0
	for _, h := range m.MX {
		for _, a := range h.Addresses {
			for _, tr := range [][]struct{ Dir, Text string }{a.SMTP.Transcript, a.AcceptAllTest.Transcript} {
				if len(tr) == 0 {
					continue
				}
				sessions++
				rcpts := 0
				for _, l := range tr {
					up := strings.ToUpper(l.Text)
					if l.Dir == "C" && (strings.HasPrefix(up, "DATA") || strings.HasPrefix(up, "BDAT")) {
						t.Fatalf("check sent DATA: %q", l.Text)
					}
					if l.Dir == "C" && strings.HasPrefix(up, "RCPT TO") {
						rcpts++
					}
				}
				if rcpts != 1 {
					t.Fatalf("session with %d RCPTs", rcpts)
				}
			}
		}
	}
	if sessions != 2 {
		t.Fatalf("want the RCPT session and the accept-all session, got %d", sessions)
	}
}

var (
	rePort     = regexp.MustCompile(`127\.0\.0\.(\d+):\d+`)
	reDuration = regexp.MustCompile(`\d+\.\d s\)`)
	reNX       = regexp.MustCompile(`mxprobe-nx-[0-9a-f]+`)
	reDays     = regexp.MustCompile(`(\d+) (days left|more days|Tage)`)
	reDaysDE   = regexp.MustCompile(`noch \d+ Tage`)
	reCipher   = regexp.MustCompile(`TLS_[A-Z0-9_]+`)
)

func normalize(s string) string {
	s = rePort.ReplaceAllString(s, "127.0.0.$1:PORT")
	s = reDuration.ReplaceAllString(s, "N.N s)")
	s = reNX.ReplaceAllString(s, "mxprobe-nx-RANDOM")
	s = reDays.ReplaceAllString(s, "N $2")
	s = reDaysDE.ReplaceAllString(s, "noch N Tage")
	s = reCipher.ReplaceAllString(s, "TLS_CIPHER")
	return s
}

// TestCheckTextGolden pins the text report of two scenarios in both
// languages (go test ./internal/cli -run Golden -update rewrites them).
func TestCheckTextGolden(t *testing.T) {
	for _, c := range []struct{ target, lang string }{
		{"ok.lab.test", "en"}, {"ok.lab.test", "de"}, {"reject.lab.test", "en"}, {"reject.lab.test", "de"},
	} {
		out, _, _ := runCLI(t, nil, "check", "--lab", "--lang", c.lang, c.target)
		got := normalize(out)
		if strings.Contains(got, "\x1b[") {
			t.Fatalf("colour escape codes although stdout is not a terminal")
		}
		path := filepath.Join("testdata", "check", c.target+"."+c.lang+".txt")
		if *update {
			os.MkdirAll(filepath.Dir(path), 0o755)
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if got != string(want) {
			t.Errorf("%s differs from golden file %s:\n%s", c.target, path, got)
		}
	}
}

func TestCheckBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"check", "exa mple.com"},
		{"check", "-bad-.example"},
		{"check", "--fail-on", "sometimes", "x.example"},
		{"check", "--ip", "999.1.1.1", "x.example"},
		{"check", "-4", "-6", "x.example"},
		{"check"},
		{"dns", "nodot"},
		{"check", "--targets", "/nonexistent/targets.txt"},
		{"--format", "yaml", "check", "x.example"},
		{"--lang", "fr", "check", "x.example"},
	} {
		_, errOut, code := runCLI(t, nil, args...)
		if code != exitcode.Usage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if n := strings.Count(strings.TrimSpace(errOut), "\n"); n != 0 || !strings.HasPrefix(errOut, "mxprobe: ") {
			t.Errorf("%v: want one error line, got %q", args, errOut)
		}
	}
}

// TestCheckBulkOrder: NDJSON in input order, worst exit code, bad lines
// reported in place.
func TestCheckBulkOrder(t *testing.T) {
	dir := t.TempDir()
	list := "ok.lab.test\n# comment\n\nreject.lab.test\nnot a domain\ngrey.lab.test\n"
	f := filepath.Join(dir, "targets.txt")
	os.WriteFile(f, []byte(list), 0o644)
	out, _, code := runCLI(t, nil, "check", "--lab", "--format", "json", "--targets", f, "--concurrency", "3")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("want 4 NDJSON lines, got %d:\n%s", len(lines), out)
	}
	schema := compileSchema(t, "check.schema.json")
	wantOrder := []string{"ok.lab.test", "reject.lab.test", "not a domain", "grey.lab.test"}
	for i, l := range lines {
		m := validate(t, schema, l)
		if in := m["target"].(map[string]any)["input"]; in != wantOrder[i] {
			t.Errorf("line %d is %v, want %s", i, in, wantOrder[i])
		}
	}
	if code != exitcode.Usage {
		t.Fatalf("worst exit code: got %d, want 2 (one invalid target)", code)
	}
}

func TestDNSCommand(t *testing.T) {
	out, errOut, code := runCLI(t, nil, "dns", "--lab", "--format", "json", "--ip", "127.0.0.1", "--from", "a@sender.lab.test", "--dkim-selector", "s1", "ok.lab.test")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	m := validate(t, compileSchema(t, "dns.schema.json"), out)
	spf := m["spf"].(map[string]any)
	if spf["result"] != "pass" || spf["domain"] != "sender.lab.test" {
		t.Fatalf("spf: %v", spf)
	}
	if _, ok := findingIDs(m)["dkim.ok"]; !ok {
		t.Fatalf("dkim.ok missing: %v", findingIDs(m))
	}
	// Without --ip the record is shown, not evaluated.
	out, _, _ = runCLI(t, nil, "dns", "--lab", "--format", "json", "ok.lab.test")
	m = validate(t, compileSchema(t, "dns.schema.json"), out)
	if m["spf"] != nil || m["spf_record"].(map[string]any)["status"] != "valid" {
		t.Fatalf("spf without ip: %v / %v", m["spf"], m["spf_record"])
	}
	_, _, code = runCLI(t, nil, "dns", "--lab", "dnstimeout.lab.test")
	if code != exitcode.Incomplete {
		t.Fatalf("dns timeout: exit %d, want 3", code)
	}
	out, _, _ = runCLI(t, nil, "dns", "--lab", "--format", "json", "nullmx.lab.test")
	m = validate(t, compileSchema(t, "dns.schema.json"), out)
	if sev := findingIDs(m)["mx.null"]; sev != "info" {
		t.Fatalf("null MX is a valid statement for dns (info), got %q", sev)
	}
}

// TestAllFindingsBilingual checks the whole public registry (every package
// is linked into the CLI): each id has English and German title and advice.
func TestAllFindingsBilingual(t *testing.T) { reporttest.Catalog(t, "") }

// TestCheckBulkPacing: without --lab, targets of one operator are paced
// (one at a time, a second apart), and the wait does not eat into a
// target's --timeout.
func TestCheckBulkPacing(t *testing.T) {
	if testing.Short() {
		t.Skip("paced: takes a few seconds")
	}
	w, err := lab.Start(lab.Options{Only: []string{"ok.lab.test"}, BulkDomains: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	os.WriteFile(caFile, w.CA.PEM(), 0o644)
	list := filepath.Join(dir, "targets")
	os.WriteFile(list, []byte("bulk1.lab.test\nbulk2.lab.test\nbulk3.lab.test\n"), 0o644)
	start := time.Now()
	out, errOut, code := runCLI(t, nil, "check", "--targets", list, "--concurrency", "3", "--format", "json",
		"--timeout", "1500ms", "--resolver", w.DNSAddr(), "--port", strconv.Itoa(int(w.SMTPPort)), "--ca-file", caFile,
		"--helo", "client.sender.lab.test", "--dnsbl", "bl.lab.test", "--no-accept-all-test")
	took := time.Since(start)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("exit %d, %d lines: %s %s", code, len(lines), out, errOut)
	}
	for _, l := range lines {
		var m map[string]any
		json.Unmarshal([]byte(l), &m)
		if m["verdict"] == "incomplete" {
			t.Fatalf("a paced target ran out of time: %s", l)
		}
	}
	if took < 2*time.Second {
		t.Fatalf("3 targets of one operator took only %s: not paced", took)
	}
}

// TestProviderGuidanceFollowsLang: the operator's guidance in check's JSON
// is in the language of the run (it is localised when the output is
// written, not when the check runs).
func TestProviderGuidanceFollowsLang(t *testing.T) {
	want := map[string]string{"en": "Register your sending IPs", "de": "Registrieren Sie Ihre sendenden IPs"}
	for lang, text := range want {
		out, errOut, _ := runCLI(t, nil, "check", "--lab", "drop.lab.test", "--no-accept-all-test", "-o", "json", "--lang", lang)
		var rep struct {
			Provider struct {
				Guidance []struct{ Title, Text string }
			}
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%s: %v\n%s", lang, err, errOut)
		}
		if len(rep.Provider.Guidance) == 0 || !strings.Contains(rep.Provider.Guidance[0].Text, text) || rep.Provider.Guidance[0].Title == "" {
			t.Errorf("%s: guidance %+v", lang, rep.Provider.Guidance)
		}
	}
}
