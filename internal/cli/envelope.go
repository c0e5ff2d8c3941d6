package cli

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mxprobe/mxprobe/internal/explain"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/lab"
)

// The envelope of every command's JSON is probeJSON (schema_version, tool,
// command; docs/json.md "Common fields"). This file holds the helpers of the
// commands whose output is not a struct of their own.

// envelopeFor is the envelope of command cmd without a clock reading.
func envelopeFor(cmd string) probeJSON { return newProbeJSON(cmd, time.Time{}) }

// explainJSON writes one `mxprobe explain` object without reflection
// (--lines writes millions): the envelope, the input line number for
// --lines (line > 0), then the explanation's own fields. The explanation's
// `command` (the SMTP command the reply answered) is written as
// `smtp_command`, because `command` is the envelope's (docs/json.md).
type explainJSON struct {
	head []byte // `{"schema_version":1,…,"command":"explain"`
}

func newExplainJSON() *explainJSON {
	b, _ := json.Marshal(envelopeFor("explain"))
	return &explainJSON{head: b[:len(b)-1]}
}

func (e *explainJSON) append(dst []byte, line int, x explain.Explanation, lang i18n.Lang) []byte {
	dst = append(dst, e.head...)
	if line > 0 {
		dst = append(dst, `,"line":`...)
		dst = strconv.AppendInt(dst, int64(line), 10)
	}
	smtp := x.Command
	x.Command = ""
	dst = append(dst, ',')
	dst = x.AppendJSONFields(dst, lang)
	if smtp != "" {
		q, _ := json.Marshal(smtp)
		dst = append(dst, `,"smtp_command":`...)
		dst = append(dst, q...)
	}
	return append(dst, "}\n"...)
}

// labJSON is `mxprobe lab --format json`: where the served lab listens, its
// scenarios and the example commands (docs/json.md "mxprobe lab").
type labJSON struct {
	probeJSON
	DNS  string `json:"dns"`
	SMTP struct {
		Addresses string `json:"addresses"`
		Port      int    `json:"port"`
	} `json:"smtp"`
	IMAP struct {
		URL      string `json:"url"`
		User     string `json:"user"`
		Password string `json:"password"`
	} `json:"imap"`
	DSN   string `json:"dsn"`
	Relay struct {
		Addr     string `json:"addr"`
		User     string `json:"user"`
		Password string `json:"password"`
	} `json:"relay"`
	CAFile string `json:"ca_file"`
	HTTPS  string `json:"https"`
	// HTTPSShared: the policies are on port 443, so other processes can
	// fetch them too (else only --lab inside one command can).
	HTTPSShared bool           `json:"https_shared"`
	Scenarios   []labScenarioJ `json:"scenarios"`
	// Senders are the rulebook senders (give one with --ip).
	Senders  []labSenderJ `json:"senders"`
	Commands []string     `json:"commands"`
}

type labSenderJ struct {
	IP    string `json:"ip"`
	PTR   string `json:"ptr"`
	Title string `json:"title"`
}

type labScenarioJ struct {
	Domain string `json:"domain"`
	Expect string `json:"expect"`
	Title  string `json:"title"`
}

func newLabJSON(g *Globals, w *lab.World, caFile string) labJSON {
	j := labJSON{probeJSON: envelopeFor("lab"), DNS: w.DNSAddr(), DSN: w.DSNSink.URL(), CAFile: caFile,
		HTTPS: w.HTTPS.Addr(), HTTPSShared: strings.HasSuffix(w.HTTPS.Addr(), ":443"), Commands: labCommands(w, caFile)}
	j.SMTP.Addresses, j.SMTP.Port = "127.0.0.10-127.0.0.40", int(w.SMTPPort)
	j.IMAP.URL, j.IMAP.User, j.IMAP.Password = w.Seed.URL(), lab.SeedUser, lab.SeedPassword
	j.Relay.Addr = fmt.Sprintf("127.0.0.1:%d", w.Relay.Port())
	j.Relay.User, j.Relay.Password = lab.RelayUser, lab.RelayPassword
	for _, sc := range lab.Scenarios() {
		j.Scenarios = append(j.Scenarios, labScenarioJ{sc.Domain, sc.Expect, sc.Title.In(g.Lang)})
	}
	for _, s := range lab.RulesSenders() {
		j.Senders = append(j.Senders, labSenderJ{s.IP.String(), s.PTR, s.Title.In(g.Lang)})
	}
	return j
}
