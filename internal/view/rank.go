package view

import (
	"github.com/mxprobe/mxprobe/internal/rules"
	"regexp"
	"sort"
	"strings"
)

// A rankRule is one row of the headline table in docs/report.md. Problems
// are ordered by severity first (the lead explains the verdict line), then by
// the first rule that matches, then by the position of the id in that rule,
// never alphabetically. An incomplete run puts the reason it is incomplete
// before everything else.
type rankRule struct {
	Name string
	// IDs match exactly; a trailing "*" matches a prefix.
	IDs []string
	// OnlyIncomplete: the rule applies only to an incomplete run.
	OnlyIncomplete bool
}

// RuleDeadline is the rule of check.deadline_exceeded: a run cut short by
// --timeout says so first (the finding names the deadline and the phase).
const RuleDeadline = "deadline"

// rankRules is the headline table (docs/report.md, "Which problem leads").
var rankRules = []rankRule{
	{Name: RuleDeadline, IDs: []string{"check.deadline_exceeded"}},
	{Name: "why-incomplete", OnlyIncomplete: true, IDs: []string{
		"dns.resolver_broken", "dns.timeout", "dns.servfail", "dns.refused", "dns.error", "dns.*", "mx.temperror", "mx.host_temperror", "smtp.port25_blocked",
		"smtp.connect_failed", "smtp.tarpit", "smtp.timeout", "smtp.protocol_error",
		"smtp.connection_lost", "tls.handshake_failed", "delivery.inconclusive",
		"spf.temperror", "dkim.temperror", "dmarc.temperror", "*.temperror"}},
	{Name: "refused", IDs: []string{
		"delivery.silent_drop_suspected", "delivery.rejected", "delivery.bounced_late",
		"smtp.rcpt_rejected", "smtp.session_rejected"}},
	{Name: "no-destination", IDs: []string{
		"mx.nxdomain", "mx.none", "mx.null", "mx.null_mixed", "mx.no_address", "mx.ip_literal"}},
	{Name: "protocol", IDs: []string{
		"smtp.protocol_error", "tls.handshake_failed", "smtp.smtputf8_missing"}},
	{Name: "sender-broken", IDs: []string{
		"dnsbl.listed", "rdns.missing", "rdns.not_confirmed",
		"spf.fail", "spf.permerror", "spf.include_loop", "spf.lookup_limit", "spf.void_limit",
		"spf.mx_limit", "spf.multiple_records", "spf.syntax_error", "spf.include_none", "spf.redirect_none",
		"dmarc.not_aligned", "dkim.verify_fail", "dkim.syntax", "dkim.multiple",
		"dmarc.syntax", "dmarc.multiple"}},
	{Name: "policy-violated", IDs: []string{
		"mtasts.mx_mismatch", "mtasts.tls_violation", "dane.mismatch"}},
	{Name: "delivery-risk", IDs: []string{
		"delivery.delivered_junk", "smtp.rcpt_deferred", "delivery.deferred", "silentdrop.risk",
		"delivery.delivered_late", "delivery.moved_after_delivery",
		"smtp.connect_failed", "smtp.timeout", "smtp.tarpit", "smtp.connection_lost",
		"smtp.port25_blocked", "smtp.banner_delay"}},
	{Name: "sender-record-missing", IDs: []string{
		"spf.none", "dmarc.missing", "dkim.missing", "dkim.unsigned"}},
	{Name: "sender-weak", IDs: []string{
		"spf.softfail", "spf.neutral", "rdns.generic", "helo.ptr_mismatch", "dmarc.p_none",
		"dmarc.pct", "dmarc.testing", "dkim.weak_key", "dkim.revoked", "dkim.testing",
		"dkim.key_warning", "spf.ptr_used", "rdns.multiple", "dmarc.rua_unauthorized",
		"dnsbl.unknown", "dnsbl.zone_broken"}},
	{Name: "transport", IDs: []string{
		"smtp.starttls_missing", "tls.*", "mx.*", "smtp.*"}},
	{Name: "policy-record", IDs: []string{
		"mtasts.*", "dane.*", "tlsrpt.*"}},
	{Name: "lookup-failed", IDs: []string{"*.temperror"}},
	{Name: "other", IDs: []string{"*"}},
}

// rankOf returns the rule and the position within it for a finding id.
func rankOf(id string, incomplete bool) (rule string, row, pos int) {
	for i, r := range rankRules {
		if r.OnlyIncomplete && !incomplete {
			continue
		}
		for j, p := range r.IDs {
			if idMatches(p, id) {
				return r.Name, i, j
			}
		}
	}
	return "other", len(rankRules), 0
}

func idMatches(pattern, id string) bool {
	switch {
	case pattern == "*":
		return true
	case strings.HasPrefix(pattern, "*."):
		return strings.HasSuffix(id, pattern[1:])
	case strings.HasSuffix(pattern, "*"):
		return strings.HasPrefix(id, strings.TrimSuffix(pattern, "*"))
	}
	return pattern == id
}

// ranked is a problem with its sort key.
type ranked struct {
	p        Problem
	row, pos int
	seq      int
}

// sortProblems orders problems: the reason of an incomplete run first, then
// severity, then the table row and position, then the order found.
func sortProblems(ps []ranked) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		ai, bi := a.p.Rule == RuleDeadline || a.p.Rule == "why-incomplete", b.p.Rule == RuleDeadline || b.p.Rule == "why-incomplete"
		if ai != bi {
			return ai
		}
		if sa, sb := a.p.Severity.Rank(), b.p.Severity.Rank(); sa != sb && !ai {
			return sa > sb
		}
		if a.row != b.row {
			return a.row < b.row
		}
		if a.pos != b.pos {
			return a.pos < b.pos
		}
		// Findings arrive in the order the concurrent checks finish:
		// ties go by id and detail, so the view is the same every run.
		if a.p.ID != b.p.ID {
			return a.p.ID < b.p.ID
		}
		return a.p.Detail.EN < b.p.Detail.EN
	})
}

// sortNotes orders info and ok findings by the same table.
func sortNotes(ns []Note, incomplete bool) {
	sort.SliceStable(ns, func(i, j int) bool {
		_, ri, pi := rankOf(ns[i].ID, incomplete)
		_, rj, pj := rankOf(ns[j].ID, incomplete)
		if ri != rj {
			return ri < rj
		}
		if pi != pj {
			return pi < pj
		}
		if ns[i].ID != ns[j].ID {
			return ns[i].ID < ns[j].ID
		}
		return ns[i].Detail.EN < ns[j].Detail.EN
	})
}

// causeLinks say which sender finding a server reply names as its cause: a
// reply that names the missing PTR leads, with the rDNS finding attached.
var causeLinks = []struct {
	reply *regexp.Regexp
	ids   []string
}{
	{regexp.MustCompile(`(?i)\bptr\b|reverse[ -]?(dns|lookup|name)|\brdns\b|forward[ -]confirmed|fcrdns|client host .* (name|lookup)`), []string{"rdns.missing", "rdns.not_confirmed", "rdns.generic", "rdns.temperror"}},
	{regexp.MustCompile(`(?i)\bspf\b|sender policy framework|not (authori[sz]ed|permitted) to send`), []string{"spf.fail", "spf.softfail", "spf.permerror", "spf.none", "spf.neutral"}},
	{regexp.MustCompile(`(?i)\bdmarc\b`), []string{"dmarc.missing", "dmarc.not_aligned", "dmarc.syntax", "dmarc.p_none"}},
	{regexp.MustCompile(`(?i)\bdkim\b`), []string{"dkim.missing", "dkim.verify_fail", "dkim.syntax"}},
	{regexp.MustCompile(`(?i)spamhaus|spamcop|barracuda|block ?list|black ?list|\bdnsbl\b|\brbl\b|sperrliste`), []string{"dnsbl.listed"}},
	{regexp.MustCompile(`(?i)\bhelo\b|\behlo\b`), []string{"helo.ptr_mismatch"}},
}

// causeIDs returns the finding ids a reply text names as its cause, most
// specific first.
func causeIDs(reply string) []string {
	var out []string
	// A reply that names a published sender rule (5.7.515, Gmail 5.7.26,
	// T-Online NOWL, Yahoo TSS04 …, rules.ForReply) points at the failed
	// rule of the scorecard, which carries the rule's own advice.
	if len(rules.ForReply(reply)) > 0 {
		out = append(out, rules.IDFailed, rules.IDBulkFailed)
	}
	for _, c := range causeLinks {
		if c.reply.MatchString(reply) {
			out = append(out, c.ids...)
		}
	}
	return out
}

// isRefusal tells whether a finding is a server's refusal whose reply may
// name a cause.
func isRefusal(id string) bool {
	switch id {
	case "smtp.rcpt_rejected", "smtp.session_rejected", "smtp.rcpt_deferred", "delivery.rejected", "delivery.bounced_late":
		return true
	}
	return false
}
