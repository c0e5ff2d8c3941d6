package rules_test

import (
	"fmt"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/rules"
	"github.com/mxprobe/mxprobe/internal/spf"
)

// A reply names the rules it enforces; the rulebook says what they require.
func ExampleForReply() {
	for _, id := range rules.ForReply("550 5.7.515 Access denied, sending domain example.test does not meet the required authentication level.") {
		r, _ := rules.RuleByID(id)
		fmt.Println(id, "—", r.Text.In(i18n.EN))
	}
	// Output:
	// microsoft.bulk.spf — High-volume senders (over 5,000 messages a day, since May 2025): SPF passes for the sending domain.
	// microsoft.bulk.dkim — High-volume senders: a DKIM signature passes.
	// microsoft.bulk.dmarc — High-volume senders: the From domain publishes a DMARC record (at least p=none).
	// microsoft.bulk.alignment — High-volume senders: the From domain aligns with SPF or DKIM (DMARC passes); otherwise 550 5.7.515.
}

// Score holds measured facts against a rulebook; what was not measured
// stays unknown.
func ExampleScore() {
	b, _ := rules.BookFor(rules.Google)
	f := rules.Facts{FromDomain: "example.test", SPF: &spf.Result{Status: spf.Softfail, Domain: "example.test"}}
	for _, r := range rules.Score(f, []rules.Book{b}, rules.Options{}) {
		if r.Rule == "google.bulk.spf" || r.Rule == "google.all.ptr" {
			fmt.Println(r.Rule, r.Status, "—", r.Evidence.In(i18n.DE))
		}
	}
	// Output:
	// google.all.ptr unknown — nicht gemessen
	// google.bulk.spf fail — SPF softfail für example.test (Eintrag: -)
}
