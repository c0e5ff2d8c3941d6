package check

import (
	"context"
	"crypto/x509"
	"net/netip"
	"strings"
	"time"

	"github.com/mxprobe/mxprobe/internal/asn"
	"github.com/mxprobe/mxprobe/internal/dkim"
	"github.com/mxprobe/mxprobe/internal/dmarc"
	"github.com/mxprobe/mxprobe/internal/dnsbl"
	"github.com/mxprobe/mxprobe/internal/iprev"
	"github.com/mxprobe/mxprobe/internal/mx"
	"github.com/mxprobe/mxprobe/internal/mxdialog"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/rules"
	"github.com/mxprobe/mxprobe/internal/spf"
	"github.com/mxprobe/mxprobe/internal/webcontact"
)

// Options configure `mxprobe check` for one target.
type Options struct {
	Target Target
	// MailFrom is the reverse path ("" = null sender <>), FromDomain its domain.
	MailFrom   string
	FromDomain string
	// HELO is our EHLO name ("" = the host's FQDN, never localhost).
	HELO string
	// IP overrides the detected outbound IP for the sender checks.
	IP            netip.Addr
	DKIMSelectors []string
	// Port is the SMTP port (default 25).
	Port         int
	Only4, Only6 bool
	// AllMX probes every address of every MX instead of stopping at the
	// first that answers.
	AllMX           bool
	NoAcceptAllTest bool
	Resolver        resolver.Lookuper
	// RootCAs verifies server certificates (nil: system roots).
	RootCAs    *x509.CertPool
	DNSBLZones []dnsbl.Zone
	Timeouts   mxdialog.Timeouts
	Policy     PolicyOptions
	Version    string
	// Pacer spaces sessions per operator (bulk mode); nil: no pacing.
	Pacer *Pacer
	RulesOptions
}

// smtpFields are the SMTP facts of one MX address (embedded in MXAddress).
type smtpFields struct {
	// Tried tells whether a dialogue was attempted with this address.
	Tried bool `json:"tried"`
	// SMTP is the RCPT probe; AcceptAllTest the second session with a
	// nonexistent recipient.
	SMTP          *mxdialog.Result `json:"smtp,omitempty"`
	AcceptAllTest *mxdialog.Result `json:"accept_all_test,omitempty"`
	// Explanations explain every non-2xx reply of the dialogue.
	Explanations []Explanation `json:"explanations,omitempty"`
}

// Sender is the sender's side of deliverability: `sender{}` in the JSON.
type Sender struct {
	// IP is the outbound address as the destination sees it; IPSource says
	// how it was learned: "flag" (--ip), "ehlo"/"banner" (echoed by the
	// server), "socket" (our local address).
	IP       netip.Addr    `json:"ip"`
	IPSource string        `json:"ip_source"`
	HELO     string        `json:"helo"`
	MailFrom string        `json:"mail_from"`
	PTR      *iprev.Result `json:"ptr"`
	// HELOMatchesPTR: the EHLO name is one of the forward-confirmed PTR names.
	HELOMatchesPTR bool          `json:"helo_matches_ptr"`
	SPF            *spf.Result   `json:"spf"`
	DKIM           *dkim.Result  `json:"dkim"`
	DMARC          *dmarc.Result `json:"dmarc"`
	DNSBL          *dnsbl.Result `json:"dnsbl"`
	// Network and Website are measured for the rulebooks (rules.go).
	Network *asn.Result        `json:"network,omitempty"`
	Website *webcontact.Result `json:"website,omitempty"`

	// network is the AS and range listings of IP, looked up with the
	// sender checks when the rulebook step will show them (rules.go).
	network *asn.Result
	// spfHELO is the EHLO name SPF was evaluated with.
	spfHELO string
}

// Report is the typed result of `mxprobe check` for one target (JSON
// contract: docs/json.md, schema docs/schema/check.schema.json).
type Report struct {
	SchemaVersion int                `json:"schema_version"`
	Tool          Tool               `json:"tool"`
	Command       string             `json:"command"`
	Target        Target             `json:"target"`
	StartedAt     time.Time          `json:"started_at"`
	DurationMS    float64            `json:"duration_ms"`
	Verdict       report.Verdict     `json:"verdict"`
	Findings      []report.Localized `json:"findings"`
	Provider      *ProviderInfo      `json:"provider"`
	MXLookup      MXLookup           `json:"mx_lookup"`
	MX            []*MXHost          `json:"mx"`
	Sender        Sender             `json:"sender"`
	Policy        Policy             `json:"policy"`
	// Requirements is the rulebook scorecard, Message the header facts of
	// --message (rules.go).
	Requirements []rules.Localized   `json:"requirements,omitempty"`
	Message      *rules.MessageFacts `json:"message,omitempty"`
	// Error is set when the target could not be checked at all (bulk mode
	// keeps going with the next target).
	Error string `json:"error,omitempty"`
	// Deadline is set when the --timeout deadline passed before the run
	// finished: how long it was and the step it cut (the cause to name
	// first in an incomplete result).
	Deadline *Deadline `json:"deadline,omitempty"`

	raw          []report.Finding
	requirements []rules.Requirement
	scored       *scoreInput // what the scorecard was computed from (AddMessage)
	incomplete   bool
}

// RawFindings are the language-neutral findings.
func (r *Report) RawFindings() []report.Finding { return r.raw }

// Run checks one target: DNS, the SMTP dialogue with its MX hosts, the
// sender's side and the policies, as concurrently as their dependencies
// allow. It never returns nil. The steps are in steps.go, in the order they
// start here.
func Run(ctx context.Context, o Options) *Report {
	r := newRun(ctx, o)
	r.startPolicies()
	r.startSenderDomain()
	if o.IP.IsValid() {
		r.senders.start(o.IP, o.HELO)
	}
	// The message's facts (--message) need nothing else: read them now.
	var pre *prefetched
	if scoresSender(o.RulesOptions, o.IP, o.MailFrom, o.FromDomain) {
		pre = prefetch(ctx, &r.g, o.Resolver, o.RulesOptions, netip.Addr{}, false)
	}
	daneCh := r.startDANE()
	r.resolveTarget()
	r.attachDANE(<-daneCh)
	r.dialogue()
	r.senderSide()
	r.phases.enter(PhasePolicies)
	r.g.Wait()
	r.collect()
	r.c.add(scoreRules(ctx, o, r.rep, pre)...)
	return r.verdict()
}

func anyHostTemporary(hosts []mx.Host) bool {
	for _, h := range hosts {
		if h.Temporary() {
			return true
		}
	}
	return false
}

type addrTarget struct {
	host *MXHost
	addr *MXAddress
}

// addressOrder lists the addresses in the order a sender tries them (RFC
// 5321 §5.1: MX preference, then each host's addresses), filtered by -4/-6.
func addressOrder(hosts []*MXHost, o Options) []addrTarget {
	var out []addrTarget
	for _, h := range hosts {
		if h.IPLiteral {
			continue
		}
		for _, a := range h.Addresses {
			if o.Only4 && !a.IP.Is4() || o.Only6 && !a.IP.Is6() {
				continue
			}
			out = append(out, addrTarget{h, a})
		}
	}
	return out
}

// answered: the server greeted us with 2xx — a sender would stop here and
// not try the next MX (RFC 5321 §5.1 moves on only when there is no
// connection or a 4xx/5xx greeting).
func answered(r *mxdialog.Result) bool {
	return r != nil && r.Banner != nil && r.Banner.Code >= 200 && r.Banner.Code < 300
}

func anyAnswered(rs []*mxdialog.Result) bool {
	for _, r := range rs {
		if answered(r) && r.Phase == mxdialog.PhaseDone {
			return true
		}
		if r != nil && (r.Rcpt != nil || r.Refused()) {
			return true
		}
	}
	return false
}

// mxFindingsForDelivery adapts the MX findings to a delivery attempt: a null
// MX is a valid statement for the domain (info in `dns`), but mail to it
// cannot be delivered (fail in `check`); a failed MX lookup is reported once,
// as dns.timeout, dns.servfail, dns.refused or dns.error (DNSFailureID).
func mxFindingsForDelivery(res mx.Result) []report.Finding {
	var out []report.Finding
	for _, f := range mx.Findings(res) {
		switch f.ID {
		case mx.FindingNull:
			f.Severity = report.Fail
		case mx.FindingTempError:
			continue
		}
		out = append(out, f)
	}
	return out
}

// Failed is the report of a target that could not be checked at all (bulk
// mode reports it in place and goes on).
func Failed(input, version string, err error) *Report {
	return &Report{SchemaVersion: SchemaVersion, Tool: Tool{"mxprobe", version}, Command: "check",
		Target: Target{Input: input}, StartedAt: time.Now().UTC(), Verdict: report.VerdictIncomplete,
		Error: err.Error(), MXLookup: MXLookup{Status: mx.StatusInvalid}, MX: []*MXHost{}}
}

// bannerPTRFindings compares the name an MX greets with to its address's
// PTR names (destination-side hygiene, info only).
func bannerPTRFindings(host string, a *MXAddress) []report.Finding {
	if a.SMTP == nil || a.SMTP.BannerHost == "" || a.PTR == nil || len(a.PTR.Names) == 0 {
		return nil
	}
	bh := strings.TrimSuffix(strings.ToLower(a.SMTP.BannerHost), ".")
	for _, n := range a.PTR.Names {
		if strings.EqualFold(strings.TrimSuffix(n.Name, "."), bh) {
			return nil
		}
	}
	return []report.Finding{report.New(IDBannerPTR, report.Detailf("%s (%s) greets as %s; its PTR is %s.",
		"%s (%s) meldet sich als %s; sein PTR ist %s.", host, a.IP, a.SMTP.BannerHost, a.PTR.Names[0].Name), a.SMTP.BannerHost)}
}

// AddFindings adds findings learnt after Run (the delivery proof of
// `check --deliver-to`) and recomputes the verdict; incomplete marks a
// result that could not be reached (an inconclusive delivery proof).
func (r *Report) AddFindings(incomplete bool, fs ...report.Finding) {
	r.raw = append(r.raw, fs...)
	r.incomplete = r.incomplete || incomplete
	r.Verdict = report.VerdictOf(r.raw, r.incomplete)
}
