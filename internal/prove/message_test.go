package prove

import (
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/delivery"
)

// TestProbeMessage: the message the rulebooks are re-scored with is the
// probe as sent, headed by the seed copy's topmost Received field of the
// same token; a field with a line break is not spliced in; no message, no
// re-scoring.
func TestProbeMessage(t *testing.T) {
	sent := []byte("From: a@b.test\r\nMessage-ID: <1@b.test>\r\n\r\nbody\r\n")
	p := &delivery.Probe{Token: "tok1", Message: sent}
	scan := func(tok, rcv string) *delivery.ConfirmResult {
		return &delivery.ConfirmResult{Seed: &delivery.Scan{Found: []delivery.Sighting{{Token: tok, Received: rcv}}}}
	}
	rcv := "from c.b.test ([127.0.0.1]) by mx.d.test with ESMTPS id L1; Sun, 06 Dec 2026 01:00:00 +0000"
	if got := string(probeMessage(p, scan("tok1", rcv))); got != "Received: "+rcv+"\r\n"+string(sent) {
		t.Errorf("with the seed copy: %q", got)
	}
	if got := string(probeMessage(p, scan("other", rcv))); got != string(sent) {
		t.Errorf("another token's copy was used: %q", got)
	}
	if got := string(probeMessage(p, scan("tok1", "x\r\nBcc: evil@x.test"))); strings.Contains(got, "Bcc") {
		t.Errorf("a Received field with a line break was spliced in: %q", got)
	}
	if got := string(probeMessage(p, nil)); got != string(sent) {
		t.Errorf("without a scan: %q", got)
	}
	if probeMessage(&delivery.Probe{Token: "tok1"}, scan("tok1", rcv)) != nil || probeMessage(nil, nil) != nil {
		t.Error("a probe without its message gave a message")
	}
}
