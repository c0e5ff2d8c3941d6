package check

import (
	"testing"

	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// TestDNSFailureIDs: SERVFAIL, REFUSED and a timeout get their own ids,
// each registered with a title and advice in both languages.
func TestDNSFailureIDs(t *testing.T) {
	for st, want := range map[resolver.Status]string{
		resolver.StatusServFail: "dns.servfail", resolver.StatusRefused: "dns.refused",
		resolver.StatusTimeout: "dns.timeout", resolver.StatusError: "dns.error",
	} {
		id := DNSFailureID(st)
		if id != want {
			t.Errorf("%s: %s, want %s", st, id, want)
		}
		d, ok := report.Lookup(id)
		if !ok || !d.Title.Complete() || !d.Advice.Complete() {
			t.Errorf("%s is not registered with both languages", id)
		}
	}
}
