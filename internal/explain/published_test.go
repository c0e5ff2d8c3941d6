package explain

import (
	"slices"
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/i18n"
)

// TestPublishedRules: a reply that names a provider's published sender rule
// points at it (id, provider, source page); a bare code or an ordinary reply
// does not.
func TestPublishedRules(t *testing.T) {
	cases := []struct {
		in   string
		mx   string
		want []string
	}{
		{"550 5.7.515 Access denied, sending domain example.org doesn't meet the required authentication level.", "example-org.mail.protection.outlook.com",
			nil}, // an Exchange Online tenant follows its own organisation's rules
		{"550 5.7.515 Access denied, sending domain example.org doesn't meet the required authentication level.", "",
			[]string{"microsoft.bulk.spf", "microsoft.bulk.dkim", "microsoft.bulk.dmarc", "microsoft.bulk.alignment"}},
		{"550-5.7.27 This message was blocked because it didn't pass SPF authentication. - gsmtp", "gmail-smtp-in.l.google.com", []string{"google.bulk.spf"}},
		{"554 IP=203.0.113.5 - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to clarify.) (BL)", "",
			[]string{"tonline.all.fcrdns", "tonline.all.operator_domain", "tonline.all.website"}},
		{"5.7.27", "", nil},
		{"550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown", "", nil},
	}
	for _, c := range cases {
		x := Explain(c.in, Options{MXHost: c.mx})
		var got []string
		for _, r := range x.Rules {
			got = append(got, r.ID)
			if r.Provider == "" || !strings.HasPrefix(r.Source, "https://") {
				t.Errorf("%q: rule %+v lacks provider or source", c.in, r)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%q (mx %q): rules %v, want %v", c.in, c.mx, got, c.want)
		}
		if l := x.Localize(i18n.DE); len(l.Rules) != len(c.want) {
			t.Errorf("%q: localized rules %v", c.in, l.Rules)
		}
	}
}
