package check

import (
	"context"
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/lab"
)

// networkLookups counts the lookups of the sender's network (Team Cymru's
// AS zones, UCEPROTECT's range zones) a traced run made.
func networkLookups(tr *tracer) int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	n := 0
	for _, l := range tr.log {
		if strings.HasSuffix(l.name, ".asn.cymru.com") || strings.HasSuffix(l.name, ".uceprotect.net") {
			n++
		}
	}
	return n
}

// The sender's network is looked up with the sender checks (beside the
// dialogue, not after it), and only when the rulebook step shows it:
// --rules none asks no AS or range zone.
func TestSenderNetworkOnlyWhenScored(t *testing.T) {
	w, err := lab.Start(lab.Options{Only: []string{"ok.lab.test"}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, sel := range []string{RulesDefault, RulesNone} {
		o := labOptions(t, w, "ok.lab.test", true)
		o.Rules = sel
		tr := &tracer{next: o.Resolver}
		o.Resolver, o.Policy.Fetcher.Resolver = tr, tr
		rep := Run(context.Background(), o)
		n := networkLookups(tr)
		switch {
		case sel == RulesNone && (n != 0 || rep.Sender.Network != nil):
			t.Errorf("--rules none: %d network lookups, network %+v", n, rep.Sender.Network)
		case sel == RulesDefault && (n == 0 || rep.Sender.Network == nil || rep.Sender.Network.ASN != lab.LabHostingASN):
			t.Errorf("--rules default: %d network lookups, network %+v", n, rep.Sender.Network)
		}
	}
}
