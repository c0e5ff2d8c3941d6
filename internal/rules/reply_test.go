package rules

import (
	"slices"
	"testing"
)

func TestForReply(t *testing.T) {
	for _, c := range []struct {
		reply string
		want  []string
	}{
		{"550 5.7.515 Access denied, sending domain example.test does not meet the required authentication level.",
			[]string{"microsoft.bulk.spf", "microsoft.bulk.dkim", "microsoft.bulk.dmarc", "microsoft.bulk.alignment"}},
		{"550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM.",
			[]string{"google.all.auth"}},
		{"550-5.7.26 Unauthenticated email from example.test is not accepted due to domain's DMARC policy.",
			[]string{"google.bulk.alignment", "google.bulk.dmarc", "google.all.auth"}},
		{"421-4.7.32 Your email has been rate limited because the From: header (RFC5322) in this message isn't aligned", []string{"google.bulk.alignment"}},
		{"550 5.7.27 This message was blocked because it didn't pass SPF authentication.", []string{"google.bulk.spf"}},
		{"421-4.7.28 Gmail has detected this sender exceeded the quota for sending messages that have the same Message-ID:", []string{"google.all.message_id"}},
		{"554 IP=192.0.2.1 - None/bad reputation. Ask your postmaster for help or to contact tobr@rx.t-online.de for reset. (NOWL)",
			[]string{"tonline.all.fcrdns", "tonline.all.operator_domain", "tonline.all.website"}},
		{"554 IP=192.0.2.1 - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to clarify.) (BL)",
			[]string{"tonline.all.fcrdns", "tonline.all.operator_domain", "tonline.all.website"}},
		{"421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints",
			[]string{"yahoo.all.auth", "yahoo.bulk.dmarc", "yahoo.bulk.one_click"}},
		{"550 5.7.260 something else", nil},
		{"250 2.0.0 OK", nil},
		{"554 (BL) without the operator", nil},
	} {
		got := ForReply(c.reply)
		if !slices.Equal(got, c.want) {
			t.Errorf("ForReply(%q) = %v, want %v", c.reply, got, c.want)
		}
		for _, id := range got {
			if _, ok := RuleByID(id); !ok {
				t.Errorf("ForReply names unknown rule %s", id)
			}
		}
	}
}

// Every rule the reply table names exists in a book.
func TestReplyTableNamesKnownRules(t *testing.T) {
	for _, rr := range replyRules {
		for _, id := range rr.rules {
			if _, ok := RuleByID(id); !ok {
				t.Errorf("reply table names unknown rule %s", id)
			}
		}
	}
}

func FuzzForReply(f *testing.F) {
	f.Add("550 5.7.515 Access denied")
	f.Add("554 (NOWL) t-online")
	f.Add("5.7.26.")
	f.Fuzz(func(t *testing.T, s string) {
		for _, id := range ForReply(s) {
			if _, ok := RuleByID(id); !ok {
				t.Fatalf("unknown rule %s", id)
			}
		}
	})
}
