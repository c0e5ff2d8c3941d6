package rules

import (
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/asn"
	"github.com/mxprobe/mxprobe/internal/dkim"
	"github.com/mxprobe/mxprobe/internal/dmarc"
	"github.com/mxprobe/mxprobe/internal/dnsbl"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/iprev"
	"github.com/mxprobe/mxprobe/internal/spf"
	"github.com/mxprobe/mxprobe/internal/webcontact"
)

var prefix = map[string]string{Microsoft: "microsoft", Google: "google", Yahoo: "yahoo", TOnline: "tonline", GMX: "gmx"}

// TestBooksComplete: five books; every rule has a well-formed id of its
// provider and level, a known measurement, text and advice in English and
// German (different, German with its own words), a source URL and the date
// it was read.
func TestBooksComplete(t *testing.T) {
	bs := Books()
	if len(bs) != 5 {
		t.Fatalf("want 5 rulebooks, got %d", len(bs))
	}
	seen := map[string]bool{}
	idRE := regexp.MustCompile(`^[a-z]+\.(all|bulk)\.[a-z0-9_]+$`)
	for _, b := range bs {
		if b.Name == "" || len(b.Rules) == 0 {
			t.Errorf("book %q: no name or no rules", b.Provider)
		}
		for _, r := range b.Rules {
			if seen[r.ID] {
				t.Errorf("duplicate rule id %s", r.ID)
			}
			seen[r.ID] = true
			if !idRE.MatchString(r.ID) || !strings.HasPrefix(r.ID, prefix[b.Provider]+"."+r.Level+".") {
				t.Errorf("%s: id does not read <provider>.<level>.<name> (provider %s, level %s)", r.ID, b.Provider, r.Level)
			}
			if r.Level != LevelAll && r.Level != LevelBulk {
				t.Errorf("%s: level %q", r.ID, r.Level)
			}
			if _, ok := Measurements[r.Measure]; !ok {
				t.Errorf("%s: unknown measurement %q", r.ID, r.Measure)
			}
			for what, tx := range map[string]i18n.Text{"text": r.Text, "advice": r.Advice} {
				if tx.EN == "" || tx.DE == "" || tx.EN == tx.DE {
					t.Errorf("%s: %s incomplete in one language: %+v", r.ID, what, tx)
				}
				if strings.Contains(tx.DE, "ae ") || strings.Contains(tx.DE, "ue ") || strings.Contains(tx.DE, "oe ") {
					t.Errorf("%s: German %s transliterates an Umlaut: %q", r.ID, what, tx.DE)
				}
			}
			if !strings.HasPrefix(r.SourceURL, "https://") {
				t.Errorf("%s: source %q", r.ID, r.SourceURL)
			}
			if _, err := time.Parse("2006-01-02", r.Read); err != nil {
				t.Errorf("%s: read date %q: %v", r.ID, r.Read, err)
			}
		}
	}
	// The measurements a rule can name are all used (no dead table entry).
	used := map[string]bool{}
	for _, b := range bs {
		for _, r := range b.Rules {
			used[r.Measure] = true
		}
	}
	for m := range Measurements {
		if !used[m] {
			t.Errorf("measurement %s is used by no rule", m)
		}
	}
}

func TestForProvider(t *testing.T) {
	for _, c := range []struct {
		name, kind, want string
		ok               bool
	}{
		{"microsoft", "consumer", Microsoft, true}, {"microsoft", "tenant", Microsoft, false},
		{"webde", "consumer", GMX, true}, {"ionos", "tenant", GMX, true}, {"t-online", "consumer", TOnline, true},
		{"apple", "consumer", "", false},
	} {
		got, ok := ForProvider(c.name, c.kind)
		if ok != c.ok || ok && got != c.want {
			t.Errorf("ForProvider(%s,%s) = %s,%v", c.name, c.kind, got, ok)
		}
	}
}

func goodFacts(t *testing.T) Facts {
	ip := netip.MustParseAddr("192.0.2.25")
	rec, err := dmarc.Parse("v=DMARC1; p=reject")
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	return Facts{
		IP: ip,
		PTR: &iprev.Result{IP: ip, Result: iprev.StatusPass, Host: "mail.example.test",
			Names: []iprev.Name{{Name: "mail.example.test", Checked: true, Confirmed: true}}},
		HELO: "mail.example.test", HELOMatchesPTR: true,
		MailFrom: "news@example.test", FromDomain: "example.test",
		SPF:    &spf.Result{Status: spf.Pass, Domain: "example.test", Record: "v=spf1 ip4:192.0.2.25 -all"},
		DKIM:   &dkim.Result{Domain: "example.test", Status: dkim.ResultOK, Found: []string{"s1"}},
		DMARC:  &dmarc.Result{Domain: "example.test", PolicyDomain: "example.test", Status: "ok", Record: rec, Records: []string{"v=DMARC1; p=reject"}},
		DNSBL:  &dnsbl.Result{IP: ip, Status: dnsbl.StatusClean},
		FromMX: &MXFact{Status: MXOK, Domain: "example.test", Hosts: []string{"mx.example.test"}},
		Message: &MessageFacts{Size: 900, FromFields: 1, FromAddresses: 1, FromDomain: "example.test", Date: true, MessageID: true,
			ListUnsubscribe: "<https://example.test/u/1>", ListUnsubscribePost: "List-Unsubscribe=One-Click",
			Received: "from mail.example.test by mx.dest.test with ESMTPS id 1",
			DKIM:     []dkim.Verification{{Domain: "example.test", Selector: "s1", Result: dkim.VerifyPass}}},
		Website:        &webcontact.Result{PTRName: "mail.example.test", Domain: "example.test", Status: webcontact.StatusPass, Contact: "Impressum", URL: "https://example.test/"},
		Network:        &asn.Result{IP: ip, Status: asn.StatusOK, ASN: 64501, Holder: "EXAMPLE-ACCESS", Kind: asn.KindAccess, RangeListings: []asn.RangeListing{{Status: asn.RangeNotListed}}},
		DestinationTLS: &yes,
	}
}

func badFacts(t *testing.T) Facts {
	ip := netip.MustParseAddr("192.0.2.99")
	return Facts{
		IP: ip,
		PTR: &iprev.Result{IP: ip, Result: iprev.StatusFail,
			Names: []iprev.Name{{Name: "192-0-2-99.dyn.isp.test", Checked: true, Generic: true, GenericReason: "IP digits in the name"}}},
		HELO: "localhost", MailFrom: "x@weak.test", FromDomain: "weak.test",
		SPF:    &spf.Result{Status: spf.None, Domain: "weak.test"},
		DKIM:   &dkim.Result{Domain: "weak.test", Status: dkim.ResultMissing, Tried: []string{"default"}},
		DMARC:  &dmarc.Result{Domain: "weak.test", Status: "missing"},
		DNSBL:  &dnsbl.Result{IP: ip, Status: dnsbl.StatusListed, Zones: []dnsbl.ZoneResult{{Zone: dnsbl.Zone{Name: "bl.test", Label: "test list"}, Status: dnsbl.StatusListed}}},
		FromMX: &MXFact{Status: MXNone, Domain: "weak.test", Detail: "nxdomain"},
		Message: &MessageFacts{Size: 100, FromFields: 2, FromAddresses: 2, FromDomain: "weak.test",
			Problems: []i18n.Text{i18n.T("From occurs more than once", "From kommt mehr als einmal vor")},
			Received: "from x by y with SMTP id 2", DKIM: []dkim.Verification{{Domain: "other.test", Selector: "s", Result: dkim.VerifyFail}}},
		Website: &webcontact.Result{PTRName: "192-0-2-99.dyn.isp.test", Domain: "isp.test", Status: webcontact.StatusFail, Reason: webcontact.ReasonNoContact, URL: "https://isp.test/"},
		Network: &asn.Result{IP: ip, Status: asn.StatusOK, ASN: 64500, Holder: "EXAMPLE-HOSTING", Kind: asn.KindHosting,
			RangeListings: []asn.RangeListing{{RangeZone: asn.RangeZone{Label: "UCEPROTECT level 2", Level: 2}, Status: asn.RangeListed, Answer: "127.0.0.2"}}},
	}
}

// TestScoreEveryRule: every rule of the five books passes on good facts and
// fails on bad ones, with evidence in both languages; failures become
// findings at warn (all) or info (bulk; warn with Bulk).
func TestScoreEveryRule(t *testing.T) {
	good := Score(goodFacts(t), Books(), Options{})
	bad := Score(badFacts(t), Books(), Options{})
	if len(good) != len(bad) || len(good) < 35 {
		t.Fatalf("scored %d/%d rules", len(good), len(bad))
	}
	for i := range good {
		g, b := good[i], bad[i]
		if g.Status != StatusPass {
			t.Errorf("%s on good facts: %s (%s)", g.Rule, g.Status, g.Evidence.EN)
		}
		if b.Status != StatusFail {
			t.Errorf("%s on bad facts: %s (%s)", b.Rule, b.Status, b.Evidence.EN)
		}
		for _, e := range []i18n.Text{g.Evidence, b.Evidence} {
			if e.EN == "" || e.DE == "" {
				t.Errorf("%s: evidence missing in a language: %+v", g.Rule, e)
			}
		}
	}
	fs := Findings(bad, Options{})
	if len(fs) != len(bad) {
		t.Fatalf("%d findings for %d failed rules", len(fs), len(bad))
	}
	for i, f := range fs {
		want := "warn"
		if bad[i].Level == LevelBulk {
			want = "info"
		}
		if string(f.Severity) != want {
			t.Errorf("%s: severity %s, want %s", bad[i].Rule, f.Severity, want)
		}
	}
	for _, f := range Findings(bad, Options{Bulk: true}) {
		if f.Severity != "warn" {
			t.Errorf("with Bulk: %s at %s", f.Evidence, f.Severity)
		}
	}
	loc := Localize(bad, i18n.DE)
	if loc[0].Advice == "" || loc[0].Text == bad[0].Text.EN {
		t.Errorf("German localisation: %+v", loc[0])
	}
}

// TestUnmeasured: without facts every rule is unknown, never pass or fail.
func TestUnmeasured(t *testing.T) {
	for _, r := range Score(Facts{}, Books(), Options{}) {
		if r.Status != StatusUnknown {
			t.Errorf("%s without facts: %s", r.Rule, r.Status)
		}
	}
}

func TestTextViews(t *testing.T) {
	bad := Score(badFacts(t), []Book{mustBook(t, Microsoft)}, Options{})
	en, de := failedLines(bad, i18n.EN), failedLines(bad, i18n.DE)
	if len(en) != len(bad) || len(de) != len(bad) {
		t.Fatalf("lines: %d/%d for %d failed rules", len(en), len(de), len(bad))
	}
	if !strings.HasPrefix(en[0], "microsoft.all.rdns: The sending server's IP has valid reverse DNS.") ||
		!strings.Contains(de[0], "Die IP des sendenden Servers hat ein gültiges Reverse-DNS.") {
		t.Errorf("first lines:\n%s\n%s", en[0], de[0])
	}
	tab := Table(bad, i18n.DE)
	for _, want := range []string{"VERLETZT", "microsoft.bulk.dmarc", "Massenversand", "Quellen:", "gelesen am 2025-08-02"} {
		if !strings.Contains(tab, want) {
			t.Errorf("German table lacks %q:\n%s", want, tab)
		}
	}
	for _, l := range strings.Split(tab, "\n") {
		if n := utf8.RuneCountInString(l); n > Width && strings.Contains(strings.TrimSpace(l), " ") {
			t.Errorf("line of %d columns: %q", n, l)
		}
	}
}

func mustBook(t *testing.T, p string) Book {
	b, ok := BookFor(p)
	if !ok {
		t.Fatalf("no book %s", p)
	}
	return b
}

// TestAlignmentWithoutMessage: SPF fails and only a DKIM key is published:
// whether the mail aligns only a message can tell.
func TestAlignmentWithoutMessage(t *testing.T) {
	f := goodFacts(t)
	f.Message = nil
	f.SPF = &spf.Result{Status: spf.Fail, Domain: "example.test"}
	o := measureAlignment(&f)
	if o.status != StatusUnknown || !strings.Contains(o.evidence.DE, "--message") {
		t.Errorf("SPF fail + DKIM key, no message: %+v", o)
	}
	f.DKIM = &dkim.Result{Domain: "example.test", Status: dkim.ResultMissing}
	if o := measureAlignment(&f); o.status != StatusFail {
		t.Errorf("SPF fail, no DKIM key: %+v", o)
	}
	f.SPF = &spf.Result{Status: spf.Pass, Domain: "bounce.other.test"}
	if o := measureAlignment(&f); o.status != StatusFail {
		t.Errorf("SPF pass for an unaligned MAIL FROM domain: %+v", o)
	}
}

// failedLines: one line per failed rule, "<rule>: <text> (<evidence>)".
func failedLines(rs []Requirement, lang i18n.Lang) []string {
	var out []string
	for _, r := range rs {
		if r.Status == StatusFail {
			out = append(out, r.Rule+": "+r.Text.In(lang)+" ("+r.Evidence.In(lang)+")")
		}
	}
	return out
}

// TestGuessedDKIMIsNoFailure: no key at mxprobe's own list of common
// selectors proves nothing (dkim.selector_unknown is info for the same
// reason); a selector the user named and found empty does fail.
func TestGuessedDKIMIsNoFailure(t *testing.T) {
	f := goodFacts(t)
	f.Message = nil
	f.SPF = &spf.Result{Status: spf.None, Domain: "example.test"}
	f.DKIM = &dkim.Result{Domain: "example.test", Status: dkim.ResultMissing, Guessed: true, Tried: []string{"default", "google", "selector1"}}
	if o := dkimOutcome(&f); o.status != StatusUnknown || !strings.Contains(o.evidence.EN, "--dkim-selector") {
		t.Errorf("guessed: %+v", o)
	}
	if o := measureAlignment(&f); o.status != StatusUnknown {
		t.Errorf("alignment with guessed DKIM: %+v", o)
	}
	f.DKIM = &dkim.Result{Domain: "example.test", Status: dkim.ResultMissing, Tried: []string{"mail2024"}}
	if o := dkimOutcome(&f); o.status != StatusFail {
		t.Errorf("named selector: %+v", o)
	}
	if o := measureAlignment(&f); o.status != StatusFail {
		t.Errorf("alignment with a named, empty selector: %+v", o)
	}
}
