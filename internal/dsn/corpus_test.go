package dsn

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// corpusDir is the development set: real mails with sisimai's expected
// result per recipient (testdata/bounces/sisimai-set-of-emails/README.md).
var corpusDir = filepath.Join("..", "..", "testdata", "bounces", "sisimai-set-of-emails")

type expectRow struct {
	file           string
	status, reason string
	code           string
}

func readExpected(t testing.TB, dir string) (files []string, rows map[string][]expectRow) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "expected.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows = map[string][]expectRow{}
	sc := bufio.NewScanner(f)
	first := true
	for sc.Scan() {
		if first {
			first = false
			continue
		}
		c := strings.Split(sc.Text(), "\t")
		if len(c) < 5 {
			t.Fatalf("bad row %q", sc.Text())
		}
		if _, ok := rows[c[0]]; !ok {
			files = append(files, c[0])
		}
		rows[c[0]] = append(rows[c[0]], expectRow{file: c[0], status: c[2], code: c[3], reason: c[4]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return files, rows
}

// sameReason applies the equivalences of issue 13: sisimai's older and
// newer names for one reason count as one.
func sameReason(got, want string) bool {
	norm := func(s string) string {
		switch s {
		case "mesgtoobig", "exceedlimit", "emailtoolarge":
			return "emailtoolarge"
		case "speeding", "toomanyconn", "ratelimited":
			return "ratelimited"
		}
		return s
	}
	return norm(got) == norm(want)
}

// deliberate lists the rows where mxprobe disagrees with the label on
// purpose, with the reason mxprobe gives; each is explained in the corpus
// README ("Deliberate disagreements"). Key: file#index. They are counted
// and printed apart from the raw agreement and do not count towards its
// floor; the test fails when one of them no longer gives the listed reason,
// so that the list stays true.
var deliberate = map[string]string{
	// The remote reply or the bounce says the user or account does not
	// exist, and nothing in the message shows that it came after DATA
	// (sisimai assumes DATA when the command is unknown and says filtered;
	// lhost-activehunter-02 even quotes Postfix's RCPT-time "Recipient
	// address rejected").
	"lhost-activehunter-02.eml#1": "userunknown",
	"lhost-amazonses-02.eml#1":    "userunknown",
	"lhost-apachejames-01.eml#1":  "userunknown",
	"lhost-exchange2003-04.eml#1": "userunknown",
	"lhost-mailfoundry-01.eml#1":  "userunknown",
	"lhost-x1-01.eml#1":           "userunknown",
	"lhost-x1-02.eml#1":           "userunknown",
	"lhost-x2-01.eml#1":           "userunknown",
	"rfc3464-35.eml#3":            "userunknown",
	"rfc3464-42.eml#1":            "userunknown",
	"rhost-nttdocomo-02.eml#1":    "filtered", // "Unknown user" after DATA: the recipient's reception filter (sisimai: rejected)
	"rhost-nttdocomo-03.eml#1":    "filtered",
	"lhost-sendmail-13.eml#1":     "mailererror",     // X-Unix exit status 77 of the local delivery program
	"rfc3464-04.eml#1":            "mailererror",     // procmail pipe failed
	"lhost-yahoo-13.eml#1":        "expired",         // "after multiple retries, giving up"
	"lhost-sendmail-21.eml#1":     "expired",         // 4.4.7, "could not be delivered for 8 hours"
	"rhost-aol-06.eml#1":          "networkerror",    // 5.4.4 name service error (sisimai: notaccept)
	"lhost-postfix-74.eml#1":      "badreputation",   // Yahoo TSS04: complaints and volume
	"lhost-sendmail-42.eml#1":     "notaccept",       // "Name server: .": the domain's MX is "." (null MX, RFC 7505)
	"lhost-x2-06.eml#1":           "networkerror",    // the same qmail text is networkerror in lhost-qmail-07
	"lhost-postfix-78.eml#1":      "contenterror",    // sisimai's own reason tests say contenterror for this line
	"lhost-amavis-03.eml#1":       "spamdetected",    // the DSN says "Reject … - SPAM" (sisimai reads the prose: duplicate From)
	"lhost-gmail-03.eml#1":        "policyviolation", // "Header error" (sisimai: filtered, from Gmail's "state 18")
	"lhost-ezweb-01.eml#1":        "onhold",          // "rejected by a remote mail server", no cause given
}

// knownErrors are rows mxprobe gets wrong or cannot decide and does not
// defend; they count as disagreements. Key: file#index, value: what is
// wrong.
var knownErrors = map[string]string{
	"lhost-v5sendmail-05.eml#1": "onhold: the reply (\"You cannot send E-Mail to yourself\") decides no reason mxprobe knows",
	"rhost-cox-01.eml#1":        "Cox's AUP#CDRBL is not documented to mxprobe; the reply says \"sender rejected\" at MAIL FROM",
}

var reMTA = regexp.MustCompile(`-\d+\.eml$`)

// tally counts one MTA's (or all) recipients.
type tally struct{ n, found, raw, deliberate, unknownCmd int }

// corpusScore is the agreement of mxprobe's reading of a corpus (a
// directory with expected.tsv and mails/) with its expected results.
type corpusScore struct {
	per  map[string]*tally
	all  tally
	seen map[string]bool // deliberate rows that gave their listed reason
}

// scoreCorpus reads every mail of dir and compares each recipient's reason
// with the expected one; deliberate (file#index → reason) rows are counted
// apart. Rows that disagree are logged with -v.
func scoreCorpus(t *testing.T, dir string, deliberate, knownErrors map[string]string) corpusScore {
	files, rows := readExpected(t, dir)
	sc := corpusScore{per: map[string]*tally{}, seen: map[string]bool{}}
	for _, name := range files {
		want := rows[name]
		mta := reMTA.ReplaceAllString(name, "")
		tl := sc.per[mta]
		if tl == nil {
			tl = &tally{}
			sc.per[mta] = tl
		}
		data, err := os.ReadFile(filepath.Join(dir, "mails", name))
		if err != nil {
			t.Fatal(err)
		}
		m, err := ParseBytes(data)
		var got []Result
		if m != nil {
			got = m.Results
		}
		for i, w := range want {
			tl.n++
			sc.all.n++
			if i >= len(got) {
				if testing.Verbose() {
					t.Logf("MISSING %s#%d: want %s %s (got %d results, err %v)", name, i+1, w.status, w.reason, len(got), err)
				}
				continue
			}
			tl.found++
			sc.all.found++
			key := fmt.Sprintf("%s#%d", name, i+1)
			switch d, ok := deliberate[key]; {
			case sameReason(got[i].Reason, w.reason):
				tl.raw++
				sc.all.raw++
				if ok {
					t.Errorf("%s agrees now (%s): remove it from the deliberate list and the README", key, got[i].Reason)
				}
			case ok && d == got[i].Reason:
				sc.seen[key] = true
				tl.deliberate++
				sc.all.deliberate++
			case !ok && deliberate == nil && w.reason == "filtered" && got[i].Reason == "userunknown" && got[i].Command == "":
				// Another corpus: the one documented rule mxprobe does not
				// share (README: an unknown user at an unknown command),
				// counted apart.
				tl.unknownCmd++
				sc.all.unknownCmd++
				if testing.Verbose() {
					t.Logf("UNKNOWN-COMMAND %s: want filtered got userunknown %.200q", key, got[i].RemoteReply)
				}
			default:
				if ok {
					t.Errorf("%s: deliberate %s, got %s", key, d, got[i].Reason)
				}
				if testing.Verbose() {
					t.Logf("REASON %s: want %s got %s [%s %s %s] %.200q %s", key, w.reason, got[i].Reason, got[i].Action, got[i].Status, got[i].Command, got[i].RemoteReply, knownErrors[key])
				}
			}
		}
	}
	mtas := make([]string, 0, len(sc.per))
	for k := range sc.per {
		mtas = append(mtas, k)
	}
	sort.Strings(mtas)
	for _, k := range mtas {
		tl := sc.per[k]
		t.Logf("%-24s recipients %3d found %3d (%5.1f%%) reason %3d (%5.1f%%) deliberate %d", k, tl.n, tl.found, pc(tl.found, tl.n), tl.raw, pc(tl.raw, tl.n), tl.deliberate+tl.unknownCmd)
	}
	a := sc.all
	t.Logf("TOTAL %d recipients: found %d (%.1f%%), reason agrees %d (%.1f%%); deliberate disagreements %d (%.1f%%, README); other disagreements %d",
		a.n, a.found, pc(a.found, a.n), a.raw, pc(a.raw, a.n), a.deliberate+a.unknownCmd, pc(a.deliberate+a.unknownCmd, a.n), a.found-a.raw-a.deliberate-a.unknownCmd)
	if a.unknownCmd > 0 {
		t.Logf("of the deliberate ones, %d are an unknown user at an unknown SMTP command (sisimai: filtered, mxprobe: userunknown; README)", a.unknownCmd)
	}
	return sc
}

func pc(a, b int) float64 { return 100 * float64(a) / float64(max(b, 1)) }

// TestCorpus measures, over the development set, how many expected
// recipients are found and how many get the expected reason, per MTA and in
// total, and fails below the floors of issue 13.
func TestCorpus(t *testing.T) {
	sc := scoreCorpus(t, corpusDir, deliberate, knownErrors)
	if len(sc.seen) != len(deliberate) {
		t.Errorf("%d deliberate rows listed, %d seen", len(deliberate), len(sc.seen))
	}
	if got := pc(sc.all.found, sc.all.n); got < minFound {
		t.Errorf("recipients found %.1f%% < floor %.1f%%", got, minFound)
	}
	if got := pc(sc.all.raw+sc.all.deliberate, sc.all.n); got < minAgree {
		t.Errorf("reason agreement with the documented disagreements %.1f%% < floor %.1f%%", got, minAgree)
	}
	if got := pc(sc.all.raw, sc.all.n); got < minRaw {
		t.Errorf("raw reason agreement %.1f%% < floor %.1f%%", got, minRaw)
	}
}

// TestOtherCorpus scores another set of real bounces laid out like the
// development set (expected.tsv and mails/), named by MXPROBE_BOUNCE_CORPUS:
// the way to measure how the parsing does on mails it was not written
// against, e.g.
//
//	MXPROBE_BOUNCE_CORPUS=/path/to/set go test ./internal/dsn -run TestOtherCorpus -v
//
// It has no floors of its own; it fails when the set cannot be read.
func TestOtherCorpus(t *testing.T) {
	dir := os.Getenv("MXPROBE_BOUNCE_CORPUS")
	if dir == "" {
		t.Skip("MXPROBE_BOUNCE_CORPUS names no corpus")
	}
	scoreCorpus(t, dir, nil, nil)
}

// Floors (also run by .ci/run through go test). minFound and minAgree are
// issue 13's; minAgree counts, as its item 4 asks, the rows where mxprobe
// disagrees with the label on purpose, each listed with its reason in the
// corpus README and held by the deliberate table. minRaw is the raw
// agreement reached without them, kept as a ratchet: a parsing change that
// loses agreement fails even while the listed rows hold.
const (
	minFound = 98.0
	minAgree = 95.0
	minRaw   = 91.5
)
