package explain

import (
	"github.com/mxprobe/mxprobe/internal/rules"
)

// RuleRef names a published sender rule (internal/rules) that a reply
// points at: Microsoft's 5.7.515, Gmail's x.7.26/x.7.27, T-Online's NOWL/BL,
// Yahoo's TSS04 and so on (issue 14 item 4). Source is the provider's page.
type RuleRef struct {
	ID       string `json:"id"`
	Provider string `json:"provider"`
	Source   string `json:"source,omitempty"`
}

// publishedRules are the rules the reply text names. Only a reply with text
// counts (a bare 5.7.27 is the IANA null-MX code, not Gmail's SPF rule);
// when the operator is known, only its own rulebook's rules count.
//
// norm, the already lower-cased reply when there is one, spares
// rules.ForReply a copy per --lines line.
func publishedRules(norm, reply string, hasText bool, p *ProviderInfo) []RuleRef {
	if !hasText || reply == "" {
		return nil
	}
	if norm == "" {
		norm = reply
	}
	ids := rules.ForReply(norm)
	if len(ids) == 0 {
		return nil
	}
	book, known := "", false
	if p != nil {
		book, known = rules.ForProvider(p.Name, p.Kind)
		if book != "" && !known {
			return nil // e.g. an Exchange Online tenant: its own organisation's rules
		}
	}
	var out []RuleRef
	for _, id := range ids {
		r, ok := rules.RuleByID(id)
		if !ok || known && r.Provider != book {
			continue
		}
		out = append(out, RuleRef{ID: r.ID, Provider: r.Provider, Source: r.SourceURL})
	}
	return out
}
