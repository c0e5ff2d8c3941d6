package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/mxprobe/mxprobe/internal/lab/imaplab"
)

var schemaDump = flag.String("schema-dump", "", "write every command's JSON output into this directory (for writing the schemas)")

// jsonRun is one command's JSON output and the schema it must match.
type jsonRun struct {
	name, schema string
	out          string
	code         int
}

// runIn is runCLI with standard input.
func runIn(t *testing.T, env map[string]string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	io := &IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errb, Getenv: func(k string) string { return env[k] }}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := Run(ctx, args, io)
	return out.String(), errb.String(), code
}

// TestSchemaEveryCommand runs every command with --format json against the
// lab (or its fixtures) and validates each emitted object against its JSON
// Schema in docs/schema, then checks that the schema declares every member
// the output has (the schemas describe the output exactly, not loosely),
// and that every object carries the envelope (schema_version, tool,
// command).
func TestSchemaEveryCommand(t *testing.T) {
	runs := collectJSONRuns(t)
	seen := map[string]bool{}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			if *schemaDump != "" {
				_ = os.WriteFile(filepath.Join(*schemaDump, strings.NewReplacer(" ", "_", "/", "_").Replace(r.name)+".json"), []byte(r.out), 0o644)
			}
			s := compileStrict(t, r.schema)
			raw := loadSchemaJSON(t, r.schema)
			lines := strings.Split(strings.TrimSpace(r.out), "\n")
			if strings.TrimSpace(r.out) == "" {
				t.Fatalf("no output (exit %d)", r.code)
			}
			if !strings.HasPrefix(strings.TrimSpace(r.out), "{\n") {
				// NDJSON: one object per line. An indented object is one
				// document.
			} else {
				lines = []string{r.out}
			}
			for i, ln := range lines {
				m := validate(t, s, ln)
				if m["schema_version"] != float64(1) || m["command"] == nil {
					t.Fatalf("object %d lacks the envelope: %.200s", i, ln)
				}
				if tool, _ := m["tool"].(map[string]any); tool["name"] != "mxprobe" || tool["version"] == nil {
					t.Fatalf("object %d: tool %v", i, m["tool"])
				}
				var inst any
				_ = json.Unmarshal([]byte(ln), &inst)
				var missing []string
				undeclared(raw, raw, inst, "$", &missing)
				if len(missing) > 0 {
					sort.Strings(missing)
					t.Errorf("%s: members the schema does not declare:\n  %s", r.schema, strings.Join(dedup(missing), "\n  "))
				}
				seen[m["command"].(string)] = true
			}
		})
	}
	for _, c := range []string{"explain", "check", "dns", "probe send", "probe confirm", "probe watch", "probe list", "probe show", "logscan", "lab", "version"} {
		if !seen[c] {
			t.Errorf("no JSON output of %q was validated", c)
		}
	}
}

// compileStrict compiles a schema with "format" asserted, so that times
// must be RFC 3339 (format date-time).
func compileStrict(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	path, _ := filepath.Abs(filepath.Join("..", "..", "docs", "schema", name))
	s, err := c.Compile(path)
	if err != nil {
		t.Fatalf("schema %s: %v", name, err)
	}
	return s
}

// TestSchemaCheckerCanFail: the checks above reject a member the schema
// does not declare, a time that is not RFC 3339 and a missing envelope.
func TestSchemaCheckerCanFail(t *testing.T) {
	raw := loadSchemaJSON(t, "version.schema.json")
	var inst any
	_ = json.Unmarshal([]byte(`{"schema_version":1,"tool":{"name":"mxprobe","version":"dev"},"command":"version","version":"dev","commit":"x","date":"unknown","go":"go","extra":{"a":1}}`), &inst)
	var missing []string
	undeclared(raw, raw, inst, "$", &missing)
	if len(missing) != 1 || missing[0] != "$.extra" {
		t.Fatalf("undeclared: %v", missing)
	}
	s := compileStrict(t, "version.schema.json")
	for _, doc := range []string{
		`{"schema_version":1,"tool":{"name":"mxprobe","version":"dev"},"command":"version","version":"dev","commit":"x","date":"Dec  5 10:00:01","go":"go"}`,
		`{"version":"dev","commit":"x","date":"unknown","go":"go"}`,
	} {
		v, _ := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		if err := s.Validate(v); err == nil {
			t.Errorf("schema accepts %s", doc)
		}
	}
	logs := compileStrict(t, "logscan.schema.json")
	v, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"schema_version":1,"tool":{"name":"mxprobe","version":"dev"},"command":"logscan","type":"delivery","line":1,"time":"Mar  3 10:00:01","time_raw":"Mar  3 10:00:01","mta":"postfix","queue_id":"A","to":"a@b","domain":"b","status":"sent","reply":"","provider":"other"}`))
	if err := logs.Validate(v); err == nil {
		t.Error("logscan schema accepts a syslog time")
	}
}

func dedup(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func loadSchemaJSON(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "schema", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// undeclared walks an instance along its schema and records the path of
// every object member that no applicable subschema declares (in properties,
// or through an additionalProperties schema for maps). It follows local
// $refs and looks into allOf/anyOf/oneOf branches and if/then/else.
func undeclared(root, schema map[string]any, inst any, path string, out *[]string) {
	subs := applicable(root, schema, 0)
	switch v := inst.(type) {
	case map[string]any:
		for k, child := range v {
			var next []map[string]any
			for _, s := range subs {
				if props, ok := s["properties"].(map[string]any); ok {
					if ps, ok := props[k].(map[string]any); ok {
						next = append(next, ps)
						continue
					}
				}
				if ap, ok := s["additionalProperties"].(map[string]any); ok {
					next = append(next, ap)
				}
			}
			if len(next) == 0 {
				*out = append(*out, path+"."+k)
				continue
			}
			undeclared(root, map[string]any{"anyOf": toAny(next)}, child, path+"."+k, out)
		}
	case []any:
		var items []map[string]any
		for _, s := range subs {
			if it, ok := s["items"].(map[string]any); ok {
				items = append(items, it)
			}
		}
		if len(items) == 0 {
			if len(v) > 0 {
				*out = append(*out, path+"[] (no items schema)")
			}
			return
		}
		for _, child := range v {
			undeclared(root, map[string]any{"anyOf": toAny(items)}, child, path+"[]", out)
		}
	}
}

func toAny(s []map[string]any) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// applicable flattens a schema into the subschemas that may apply: itself,
// its $ref target and its combinator branches (bounded depth).
func applicable(root, s map[string]any, depth int) []map[string]any {
	if s == nil || depth > 32 {
		return nil
	}
	out := []map[string]any{s}
	if ref, ok := s["$ref"].(string); ok {
		out = append(out, applicable(root, resolveRef(root, ref), depth+1)...)
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		if arr, ok := s[k].([]any); ok {
			for _, b := range arr {
				if bm, ok := b.(map[string]any); ok {
					out = append(out, applicable(root, bm, depth+1)...)
				}
			}
		}
	}
	for _, k := range []string{"then", "else"} {
		if bm, ok := s[k].(map[string]any); ok {
			out = append(out, applicable(root, bm, depth+1)...)
		}
	}
	return out
}

func resolveRef(root map[string]any, ref string) map[string]any {
	if !strings.HasPrefix(ref, "#/") {
		return nil
	}
	var cur any = root
	for _, p := range strings.Split(ref[2:], "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	m, _ := cur.(map[string]any)
	return m
}

// collectJSONRuns runs every command once or more with --format json.
func collectJSONRuns(t *testing.T) []jsonRun {
	t.Helper()
	var runs []jsonRun
	add := func(name, schema, out string, code int) {
		runs = append(runs, jsonRun{name: name, schema: schema, out: out, code: code})
	}
	env := map[string]string{"XDG_STATE_HOME": t.TempDir()}
	run := func(name, schema, stdin string, args ...string) {
		out, errOut, code := runIn(t, env, stdin, args...)
		if code == 2 && out == "" {
			t.Fatalf("%s: usage error: %s", name, errOut)
		}
		add(name, schema, out, code)
	}
	// explain: codes, a reply naming its SMTP command, --lines, --message.
	run("explain codes", "explain.schema.json", "", "explain", "-o", "json", "5.7.1", "550", "4.7.650")
	run("explain reply", "explain.schema.json", "", "explain", "-o", "json", "--provider-host", "contoso-com.mail.protection.outlook.com",
		"550 5.7.606 Access denied, banned sending IP [127.0.0.1] (in reply to RCPT TO command)")
	run("explain lines", "explain.schema.json", "451 4.7.1 Greylisted, see https://example.test\n\n550 5.1.1 User unknown\nno code at all\n",
		"explain", "-o", "json", "--lines", "-")
	dsn := filepath.Join("..", "..", "testdata", "statuscode", "dsn")
	for _, f := range []string{"postfix.eml", "exchange-online.eml", "qmail.eml"} {
		run("explain message "+f, "explain.schema.json", "", "explain", "-o", "json", "--message", filepath.Join(dsn, f))
	}
	// check and dns against the in-process lab.
	for _, d := range []string{"ok.lab.test", "reject.lab.test", "tarpit.lab.test", "badcert.lab.test", "nullmx.lab.test"} {
		run("check "+d, "check.schema.json", "", "check", "--lab", "-o", "json", d, "--from", "you@sender.lab.test")
	}
	run("check invalid", "check.schema.json", "", "check", "-o", "json", "user@@bad..domain")
	run("check bulk", "check.schema.json", "ok.lab.test\nbad..domain\ngrey.lab.test\n", "check", "--lab", "-o", "json", "-", "--no-accept-all-test")
	run("check deliver", "check.schema.json", "", "check", "--lab", "-o", "json", "drop.lab.test", "--from", "you@weak.lab.test",
		"--deliver-to", "seed@drop.lab.test", "--drop-after", "1s", "--final", "2s", "--expect", "500ms", "--wait", "20s")
	run("dns", "dns.schema.json", "", "dns", "--lab", "-o", "json", "ok.lab.test")
	run("dns ip", "dns.schema.json", "", "dns", "--lab", "-o", "json", "ok.lab.test", "--ip", "127.0.0.1", "--from", "you@sender.lab.test")
	run("dns invalid", "dns.schema.json", "", "dns", "-o", "json", "user@@bad..domain")
	run("check rules all", "check.schema.json", "", "check", "--lab", "-o", "json", "drop.lab.test", "--from", "you@weak.lab.test", "--rules", "all", "--bulk",
		"--message", filepath.Join("..", "..", "testdata", "statuscode", "dsn", "postfix.eml"))
	run("dns rules all", "dns.schema.json", "", "dns", "--lab", "-o", "json", "drop.lab.test", "--ip", "127.0.1.3", "--from", "you@weak.lab.test", "--rules", "all")
	// logscan: the fixtures, Postfix and Exim.
	for _, f := range []string{"postfix.log", "exim.log"} {
		run("logscan "+f, "logscan.schema.json", "", "logscan", "-o", "json", filepath.Join("..", "..", "testdata", "logscan", f))
	}
	run("version", "version.schema.json", "", "version", "-o", "json")
	add("lab", "lab.schema.json", labJSONOutput(t), 0)
	runs = append(runs, probeJSONRuns(t)...)
	return runs
}

// probeJSONRuns: send, confirm, watch, list and show against the probe lab.
func probeJSONRuns(t *testing.T) []jsonRun {
	l := newProbeLab(t, nil, map[string]imaplab.Behavior{"inbox@dest.test": imaplab.DeliverInbox, "rej@dest.test": imaplab.RejectRcpt,
		"drop@dest.test": imaplab.Discard, "bounce@dest.test": imaplab.Bounce})
	var runs []jsonRun
	run := func(name string, args ...string) {
		out, errOut, code := l.run(args...)
		if code == 2 {
			t.Fatalf("%s: usage error: %s", name, errOut)
		}
		runs = append(runs, jsonRun{name: name, schema: "probe.schema.json", out: out, code: code})
	}
	send := []string{"probe", "send", "-o", "json", "--from", "probe@sender.test", "--i-own-this-mailbox", "--mx", l.mx.Addr(), "--ehlo", "client.sender.test", "--to"}
	var tok string
	for _, to := range []string{"inbox@dest.test", "rej@dest.test", "drop@dest.test", "bounce@dest.test"} {
		run("probe send "+to, append(send, to)...)
		if tok == "" {
			var r struct {
				Probes []struct {
					Token string `json:"token"`
				} `json:"probes"`
			}
			_ = json.Unmarshal([]byte(runs[len(runs)-1].out), &r)
			if len(r.Probes) == 0 {
				t.Fatalf("probe send: %s", runs[len(runs)-1].out)
			}
			tok = r.Probes[0].Token
		}
	}
	l.at(30)
	run("probe confirm", append(append(append([]string{"probe", "confirm", "-o", "json"}, l.imapArgs()...), labWindows...), "--pending")...)
	l.at(200)
	run("probe watch", append(append([]string{"probe", "watch", "-o", "json"}, l.imapArgs()...), labWindows...)...)
	run("probe list", append([]string{"probe", "list", "-o", "json"}, labWindows...)...)
	run("probe show", append([]string{"probe", "show", tok, "-o", "json"}, labWindows...)...)
	return runs
}

// labJSONOutput serves `mxprobe lab -o json` until its JSON is out, then
// stops it as Ctrl-C does.
func labJSONOutput(t *testing.T) string {
	var out, errb syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"lab", "-o", "json", "--ca-out", filepath.Join(t.TempDir(), "ca.pem")},
			&IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errb, Getenv: func(string) string { return "" }})
	}()
	end := regexp.MustCompile(`(?m)^}\s*$`)
	deadline := time.Now().Add(20 * time.Second)
	for !end.MatchString(out.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("lab -o json printed no object: %q %q", out.String(), errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("lab exit %d: %s", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("lab did not stop")
	}
	return out.String()
}

// TestExplainEnvelope: the envelope's command and the reply's SMTP command
// never collide: one "command" member ("explain"), the SMTP command in
// smtp_command, in argument and --lines mode alike.
func TestExplainEnvelope(t *testing.T) {
	reply := "550 5.1.1 <a@b.test>: Recipient address rejected (in reply to RCPT TO command)"
	for _, c := range []struct {
		stdin string
		args  []string
	}{
		{"", []string{"explain", "-o", "json", reply}},
		{reply + "\n", []string{"explain", "-o", "json", "--lines", "-"}},
	} {
		out, errOut, code := runIn(t, nil, c.stdin, c.args...)
		if code != 0 {
			t.Fatalf("%v: exit %d %s", c.args, code, errOut)
		}
		if n := strings.Count(out, `"command":`); n != 1 {
			t.Errorf("%v: %d command members: %s", c.args, n, out)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatal(err)
		}
		if m["command"] != "explain" || m["smtp_command"] != "RCPT TO" || m["schema_version"] != float64(1) {
			t.Errorf("%v: command %v, smtp_command %v, schema_version %v", c.args, m["command"], m["smtp_command"], m["schema_version"])
		}
	}
}
