package explain

import (
	"bufio"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type tsvRow struct {
	line, reason, status, decodedBy, command string
}

func readTSV(t testing.TB, name string) []tsvRow {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "testdata", "statuscode", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []tsvRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	first := true
	for sc.Scan() {
		if first {
			first = false
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 2 {
			continue
		}
		r := tsvRow{line: cols[0], reason: cols[1]}
		if len(cols) > 7 {
			r.status, r.decodedBy, r.command = cols[3], cols[6], cols[7]
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestSisimaiIncludedInStrings: the 78 public example strings of sisimai's
// reason tests must all classify as sisimai does.
func TestSisimaiIncludedInStrings(t *testing.T) {
	rows := readTSV(t, "sisimai-reason-includedin-strings.tsv")
	if len(rows) != 78 {
		t.Fatalf("read %d rows, want 78", len(rows))
	}
	for _, r := range rows {
		x := Explain(r.line, Options{})
		if string(x.Reason) != r.reason {
			t.Errorf("%q: reason %s (%s), want %s", r.line, x.Reason, x.ReasonSource, r.reason)
		}
	}
}

// devRow tells whether a row of sisimai-reply-lines.tsv belongs to the
// development part: a fixed hash of the reply line (FNV-1a, 32 bit) below 70
// of 100, which puts 384 of the 579 rows in the development part and 195 in
// the held-out part. Rules are worked out against the development rows
// only; the held-out rows show whether they generalise, so the verbose log
// lists disagreements of development rows only.
func devRow(line string) bool {
	h := fnv.New32a()
	h.Write([]byte(line))
	return h.Sum32()%100 < 70
}

// TestSisimaiReplyLinesAgreement measures agreement with the reasons sisimai
// assigns to 579 real bounce lines, for all rows and for the development and
// held-out parts (devRow). sisimai decides some of them from context a single
// line lacks: the SMTP command the reply answered (known to a caller of
// ExplainReply, and given in the TSV), the DSN's Status field and the MTA
// that wrote the bounce (not used here). The test reports agreement for the
// line alone and with that context, and fails when the line alone agrees in
// fewer rows than minAgreement.
func TestSisimaiReplyLinesAgreement(t *testing.T) {
	rows := readTSV(t, "sisimai-reply-lines.tsv")
	if len(rows) != 579 {
		t.Fatalf("read %d rows, want 579", len(rows))
	}
	commands := map[string]string{"RCPT": "RCPT TO", "MAIL": "MAIL FROM", "DATA": "DATA", "EHLO": "EHLO", "HELO": "HELO"}
	type tally struct{ n, alone, withCmd, withStatus, withBoth int }
	var all, dev, held tally
	confusion := map[string]int{}
	for _, r := range rows {
		var c tally
		c.n = 1
		if x := Explain(r.line, Options{Command: commands[r.command]}); string(x.Reason) == r.reason {
			c.withCmd = 1
		}
		// The DSN's Status field, unless it is one of sisimai's own
		// pseudo-codes (x.0.9xx), which encode its answer.
		st := r.status
		if strings.Contains(st, ".0.9") {
			st = ""
		}
		if x := Explain(r.line, Options{Status: st}); string(x.Reason) == r.reason {
			c.withStatus = 1
		}
		if x := Explain(r.line, Options{Status: st, Command: commands[r.command]}); string(x.Reason) == r.reason {
			c.withBoth = 1
		}
		x := Explain(r.line, Options{})
		isDev := devRow(r.line)
		if string(x.Reason) == r.reason {
			c.alone = 1
		} else if isDev {
			confusion[r.reason+" -> "+string(x.Reason)]++
			if testing.Verbose() {
				t.Logf("disagree (dev): want %s got %s (%s) [%s %s] %.160q", r.reason, x.Reason, x.ReasonSource, r.decodedBy, r.command, r.line)
			}
		}
		for _, p := range []*tally{&all, map[bool]*tally{true: &dev, false: &held}[isDev]} {
			p.n += c.n
			p.alone += c.alone
			p.withCmd += c.withCmd
			p.withStatus += c.withStatus
			p.withBoth += c.withBoth
		}
	}
	pc := func(n, of int) float64 { return 100 * float64(n) / float64(of) }
	for _, p := range []struct {
		name string
		t    tally
	}{{"all", all}, {"development", dev}, {"held-out", held}} {
		t.Logf("agreement with sisimai, %s (%d lines): line alone %d (%.1f%%); with the SMTP command %d (%.1f%%); with the DSN Status %d (%.1f%%); with both %d (%.1f%%)",
			p.name, p.t.n, p.t.alone, pc(p.t.alone, p.t.n), p.t.withCmd, pc(p.t.withCmd, p.t.n),
			p.t.withStatus, pc(p.t.withStatus, p.t.n), p.t.withBoth, pc(p.t.withBoth, p.t.n))
	}
	for k, v := range confusion {
		if v > 1 {
			t.Logf("  dev %-32s %d", k, v)
		}
	}
	// What is left (development part; see the commit messages for the
	// failure classes): rows where sisimai says filtered for an unknown-user
	// text only because it does not know the SMTP command (it defaults to
	// "after DATA"; identical lines are userunknown at RCPT, and one is
	// userunknown in the 78 strings above); rows that contradict the 78
	// strings outright; deliberate choices (provider knowledge such as
	// Microsoft's 5.7.515 and Yahoo's TSS04, "Missing reverse DNS" as
	// requireptr); rows whose label sisimai itself has changed since this
	// list was taken, where mxprobe follows go-sisimai's current fact tests
	// (rhost-zoho-02's "554 5.7.7 Email policy violation detected":
	// securityerror here, policyviolation now; rfc3464-43's and
	// rhost-cloudflare-01's 4.3.0 "other mail system status": onhold here,
	// systemerror now); and rows cut off before their decisive part. The
	// floor guards against regressions; raise it when the classifier
	// improves.
	const minAgreement = 88.7
	if got := pc(all.alone, all.n); got < minAgreement {
		t.Errorf("agreement %.1f%% is below %.1f%%", got, minAgreement)
	}
}
