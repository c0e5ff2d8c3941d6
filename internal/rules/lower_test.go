package rules

import (
	"strings"
	"testing"
)

// sameMarkers checks that lowerNeedleText finds each needle and word of
// replyRules exactly where strings.ToLower's copy does.
func sameMarkers(t *testing.T, text string) {
	t.Helper()
	fast, slow := lowerNeedleText(text), strings.ToLower(text)
	for _, rr := range replyRules {
		for _, n := range rr.needles {
			if containsWhole(fast, n) != containsWhole(slow, n) {
				t.Errorf("%q: needle %q: fast %v, ToLower %v", text, n, containsWhole(fast, n), containsWhole(slow, n))
			}
		}
		for _, w := range rr.also {
			if strings.Contains(fast, w) != strings.Contains(slow, w) {
				t.Errorf("%q: word %q: fast %v, ToLower %v", text, w, strings.Contains(fast, w), strings.Contains(slow, w))
			}
		}
	}
}

func TestLowerNeedleTextFindsWhatToLowerFinds(t *testing.T) {
	for _, text := range []string{
		"550 5.7.26 Unauthenticated email from example.com is not accepted due to DMARC",
		"550 5.7.26 Nicht authentifizierte E-Mail – DMARC-Prüfung fehlgeschlagen „Ärger“",
		"554 IP=192.0.2.1 - A problem occurred. (Ask your postmaster for help or to contact T-ONLINE (BL))",
		"553 5.7.1 [BL21] Connections will not be accepted",
		"421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred",
		"550 5.7.9 UNAUTHENT\u0130CATED – İstanbul", // U+0130 lower-cases to i
		"550 5.7.515 Access denied, \u212aelvin",    // U+212A lower-cases to k
		"550 5.7.26\xff DMARC \xc4 \xe2\x84 broken UTF-8",
		"",
	} {
		sameMarkers(t, text)
	}
	if got := lowerNeedleText("550 5.7.26 ÄÖÜ DMARC"); got != "550 5.7.26 ÄÖÜ dmarc" {
		t.Errorf("lowerNeedleText: %q", got)
	}
}

func FuzzLowerNeedleText(f *testing.F) {
	f.Add("550 5.7.26 DMARC \u0130 \u212a ÄÖÜ")
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > maxReply {
			return
		}
		sameMarkers(t, text)
	})
}
