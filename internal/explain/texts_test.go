package explain

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/provider"
	"github.com/mxprobe/mxprobe/internal/statuscode"
)

// TestRegisteredCodesExplain: each code of the IANA registry explains in
// both languages, with the registry's title as its detail.
func TestRegisteredCodesExplain(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "testdata", "statuscode", "smtp-enhanced-status-codes-3.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 82 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	for _, row := range rows[1:] {
		for _, class := range []int{4, 5} {
			code := strconv.Itoa(class) + row[0][1:]
			e, _ := statuscode.ParseEnhanced(code)
			entry, ok := statuscode.DetailEntry(e)
			if !ok {
				t.Errorf("%s not in the catalog", code)
				continue
			}
			x := Explain(code, Options{})
			for _, lang := range []i18n.Lang{i18n.EN, i18n.DE} {
				l := x.Localize(lang)
				if !l.Registered || l.Detail == nil || l.Detail.Title != entry.Title.In(lang) || l.Reference == "" {
					t.Errorf("Explain(%s, %s): registered=%v detail=%+v", code, lang, l.Registered, l.Detail)
				}
				if l.Title == "" || l.Description == "" || len(l.Advice) == 0 {
					t.Errorf("Explain(%s, %s): empty title, description or advice", code, lang)
				}
			}
		}
	}
}

// germanHints catch German text that was left in English or written
// without umlauts.
var reNoUmlaut = regexp.MustCompile(`(?i)\b(fuer|ueber|koennen|muessen|moeglich|pruefen|zurueck|waehrend|naechste|gruende|loeschen|schluessel|aenderung|groesse|hoeher|gueltig|ungueltig|voruebergehend|Empfaenger|Absenderdomaen)\w*`)

func checkGerman(t *testing.T, where string, x i18n.Text) {
	t.Helper()
	if !x.Complete() {
		t.Errorf("%s: text incomplete: %+v", where, x)
		return
	}
	if x.EN == x.DE && len(x.EN) > 25 {
		t.Errorf("%s: German text equals English: %q", where, x.EN)
	}
	if m := reNoUmlaut.FindString(x.DE); m != "" {
		t.Errorf("%s: German text without umlauts (%q): %q", where, m, x.DE)
	}
}

// TestTextsComplete: every user-facing text of the package exists in both
// languages.
func TestTextsComplete(t *testing.T) {
	for _, r := range Reasons() {
		def, ok := reasonDefs[r]
		if !ok {
			t.Errorf("reason %s has no definition", r)
			continue
		}
		checkGerman(t, "reason "+string(r), def.Title)
		checkGerman(t, "reason "+string(r), def.Description)
		if len(def.Advice) == 0 {
			t.Errorf("reason %s has no advice", r)
		}
		for i, a := range def.Advice {
			checkGerman(t, "reason "+string(r)+" advice "+strconv.Itoa(i), a)
		}
		if def.Responsible == "" || def.Actionable == "" || byText[def.By].IsZero() {
			t.Errorf("reason %s: responsible %q, actionable %q, by %q", r, def.Responsible, def.Actionable, def.By)
		}
	}
	checkGerman(t, "delay title", delayedDef.Title)
	checkGerman(t, "delay description", delayedDef.Description)
	for i, a := range delayedDef.Advice {
		checkGerman(t, "delay advice "+strconv.Itoa(i), a)
	}
	for k, v := range byText {
		checkGerman(t, "by "+k, v)
	}
	for _, pr := range providerRules {
		checkGerman(t, "rule "+pr.ID, pr.Meaning)
		for i, a := range pr.Advice {
			checkGerman(t, "rule "+pr.ID+" advice "+strconv.Itoa(i), a)
		}
		if pr.Reason == "" || reasonDefs[pr.Reason].Title.IsZero() {
			t.Errorf("rule %s: unknown reason %q", pr.ID, pr.Reason)
		}
		if pr.Provider != "" {
			if _, ok := provider.ByName(pr.Provider, ""); !ok {
				t.Errorf("rule %s: unknown provider %q", pr.ID, pr.Provider)
			}
		}
		if pr.Subject < 0 && len(pr.Text) == 0 {
			t.Errorf("rule %s matches everything", pr.ID)
		}
	}
	for _, m := range []i18n.Text{msgUnregSubject, msgUnregSubjectDesc, msgUnregDetail, msgUnregDetailDesc, msgUnlistedBasic, msgSoft, msgASTags} {
		checkGerman(t, "message", m)
	}
	// Every reason the classifier can produce has phrases in lower case.
	for r, ps := range reasonPhrases {
		for _, p := range append(append([]string{}, ps.strong...), ps.weak...) {
			// Input is lower-cased for ASCII only (normalizeInto).
			if strings.ContainsAny(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
				t.Errorf("reason %s: phrase %q is not lower case", r, p)
			}
			if strings.TrimSpace(p) == "" {
				t.Errorf("reason %s: empty phrase", r)
			}
		}
	}
}

// Reasons returns the whole vocabulary in a stable order.
func Reasons() []Reason {
	return []Reason{Accepted, AuthFailure, BadReputation, Blocked, ContentError, Delivered, ExceedLimit, Expired,
		FailedSTARTTLS, Filtered, Greylisted, HasMoved, HostUnknown, MailboxFull, MailerError, MesgTooBig, NetworkError,
		NoRelaying, NotAccept, NotCompliantRFC, OnHold, PolicyViolation, RateLimited, Rejected, RequirePTR,
		SecurityError, SpamDetected, Speeding, Suspend, SyntaxError, SystemError, SystemFull, TooManyConn,
		UserUnknown, VirusDetected, Vacation, Undefined}
}
