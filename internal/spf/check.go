// Package spf evaluates Sender Policy Framework records (RFC 7208): a
// validating record parser, macro expansion and check_host() with the
// processing limits, on top of the resolver.Lookuper contract. It never
// prints; CheckHost returns a typed Result that always carries the RFC 7208
// result word, and Findings turns it into report findings.
package spf

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"golang.org/x/net/idna"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Status is an RFC 7208 §2.6 result word.
type Status string

const (
	None      Status = "none"
	Neutral   Status = "neutral"
	Pass      Status = "pass"
	Fail      Status = "fail"
	Softfail  Status = "softfail"
	Temperror Status = "temperror"
	Permerror Status = "permerror"
)

// Processing limits, RFC 7208 §4.6.4.
const (
	// MaxLookups is the limit of terms that cause DNS queries (include, a,
	// mx, ptr, exists, redirect).
	MaxLookups = 10
	// MaxVoidLookups is the limit of such queries answered with NXDOMAIN or
	// no records.
	MaxVoidLookups = 2
	// MaxNames is the limit of MX names (permerror beyond) and PTR names
	// (ignored beyond) a single mx/ptr term may look up.
	MaxNames = 10
	// MaxTime bounds one check_host() evaluation; RFC 7208 §4.6.4 says such a
	// limit SHOULD allow at least 20 seconds and exceeding it is temperror.
	// A shorter deadline on the caller's context wins.
	MaxTime = 20 * time.Second
)

// Query is the input of check_host() (RFC 7208 §4.1).
type Query struct {
	IP     netip.Addr // the SMTP client's address; IPv4-mapped IPv6 is treated as IPv4
	Domain string     // the domain whose policy is evaluated
	// Sender is the MAIL FROM address (or "postmaster@"+HELO for the HELO
	// identity). Empty means "postmaster@"+Domain; a missing local-part is
	// "postmaster" (RFC 7208 §4.3).
	Sender   string
	HELO     string // the HELO/EHLO name, for %{h}
	Receiver string // the checking host's name, for %{r}; default "unknown"
	// Now is the time for %{t}; zero means time.Now().
	Now time.Time
}

// Node is one evaluated record in the include/redirect tree.
type Node struct {
	Domain string `json:"domain"`
	// Via is how the node was reached from its parent: "include" or
	// "redirect" ("" for the root); Term is the parent's term.
	Via      string  `json:"via,omitempty"`
	Term     string  `json:"term,omitempty"`
	Record   string  `json:"record"`
	Result   Status  `json:"result"`
	Matched  string  `json:"matched,omitempty"`
	Error    string  `json:"error,omitempty"`
	Children []*Node `json:"children,omitempty"`
}

// Result is the outcome of check_host(): the JSON object `spf` of the
// reports. Status is always set, also when Err is not nil.
type Result struct {
	Status Status `json:"result"`
	Domain string `json:"domain"`
	// Matched is the directive that decided the result, in the record that
	// produced it (after following redirects; an include shows as the
	// include term, its inside is in Tree). Empty when nothing matched.
	Matched     string `json:"matched"`
	Lookups     int    `json:"lookups"`      // DNS-querying terms counted (limit 10)
	VoidLookups int    `json:"void_lookups"` // of those, answered NXDOMAIN/empty (limit 2)
	Record      string `json:"record"`       // the domain's SPF record ("" if none)
	Explanation string `json:"explanation"`  // the exp= text for a fail, "" if none
	Error       string `json:"error"`        // Err as text, "" if none
	Tree        *Node  `json:"tree,omitempty"`
	// Identity is what Domain is (RFC 7208 §2.3/§2.4): "mail_from" (the
	// MAIL FROM domain) or "helo" (the EHLO name, for the null sender <>).
	// Empty when the caller ran CheckHost directly.
	Identity string `json:"identity,omitempty"`

	// Err explains the status: nil for a clean pass/fail/…; matches the
	// package's sentinel errors with errors.Is.
	Err error `json:"-"`
}

// Check evaluates the SPF policy for a message: RFC 7208 §2.3/§2.4 choose
// the identity — the MAIL FROM domain, or "postmaster@"+HELO when MAIL FROM
// is empty ("<>"). A MAIL FROM without "@" is taken as a domain.
func Check(ctx context.Context, r resolver.Lookuper, ip netip.Addr, mailFrom, helo string) Result {
	mailFrom = strings.TrimSpace(mailFrom)
	mailFrom = strings.TrimSuffix(strings.TrimPrefix(mailFrom, "<"), ">")
	q := Query{IP: ip, HELO: helo}
	if mailFrom == "" {
		// RFC 7208 §2.3: an address literal or an empty EHLO has no SPF
		// record to check (and "postmaster@" of it is no mailbox).
		if h := strings.TrimSpace(helo); h == "" || strings.HasPrefix(h, "[") {
			res := Result{Status: None, Domain: h, Identity: IdentityHELO,
				Err: fmt.Errorf("%w (%w): %q", ErrHELONotName, ErrInvalidDomain, h)}
			res.Error = res.Err.Error()
			return res
		}
		q.Domain = helo
		q.Sender = "postmaster@" + helo
		res := CheckHost(ctx, r, q)
		res.Identity = IdentityHELO
		return res
	} else {
		q.Sender = mailFrom
		if i := strings.LastIndexByte(mailFrom, '@'); i >= 0 {
			q.Domain = mailFrom[i+1:]
		} else {
			q.Domain = mailFrom
		}
	}
	res := CheckHost(ctx, r, q)
	res.Identity = IdentityMailFrom
	return res
}

// Identities of a Result (RFC 7208 §2.3/§2.4).
const (
	IdentityMailFrom = "mail_from"
	IdentityHELO     = "helo"
)

// CheckHost runs check_host() (RFC 7208 §4) for q.
func CheckHost(ctx context.Context, r resolver.Lookuper, q Query) Result {
	ctx, cancel := context.WithTimeout(ctx, MaxTime)
	defer cancel()

	domain := normalizeDomain(q.Domain)
	res := Result{Domain: domain}
	finish := func(s Status, err error) Result {
		res.Status, res.Err = s, err
		if err != nil {
			res.Error = err.Error()
		}
		return res
	}
	ip := q.IP.Unmap() // RFC 7208 §5: IPv4-mapped IPv6 is IPv4.
	if !ip.IsValid() {
		return finish(Permerror, fmt.Errorf("%w: no valid client IP address", ErrInvalidInput))
	}
	// RFC 7208 §4.3: a malformed or single-label domain gives "none".
	if reason := checkDomain(domain, true); !reason.IsZero() {
		return finish(None, &DomainError{Domain: q.Domain, Reason: reason})
	}

	c := &checker{ctx: ctx, r: r, ip: ip, helo: q.HELO, receiver: q.Receiver}
	if c.receiver == "" {
		c.receiver = "unknown"
	}
	c.now = q.Now
	if c.now.IsZero() {
		c.now = time.Now()
	}
	sender := q.Sender
	if sender == "" {
		sender = "postmaster@" + domain
	}
	if i := strings.LastIndexByte(sender, '@'); i >= 0 {
		c.local, c.senderDom = sender[:i], sender[i+1:]
	} else {
		c.senderDom = sender
	}
	if c.local == "" {
		// RFC 7208 §4.3: "If the <sender> has no local-part, substitute the
		// string "postmaster" for the local-part."
		c.local = "postmaster"
	}
	c.sender = c.local + "@" + c.senderDom

	root := &Node{Domain: domain}
	res.Tree = root
	out := c.evaluate(domain, root, false)
	res.Record = root.Record
	res.Matched = out.matched
	res.Lookups, res.VoidLookups = c.lookups, c.voids
	res.Explanation = c.explanation
	if root.Record == "" && len(root.Children) == 0 {
		res.Tree = nil
	}
	return finish(out.status, out.err)
}

// checker holds the state of one check_host() run.
type checker struct {
	ctx context.Context
	r   resolver.Lookuper
	ip  netip.Addr

	sender, local, senderDom string
	helo, receiver           string
	now                      time.Time

	lookups, voids int
	stack          []string // domains under evaluation, for loop detection
	explanation    string

	ptrDone  bool
	ptrNames []string // validated names of ip, for %{p}
}

type outcome struct {
	status  Status
	err     error
	matched string
}

// evaluate fetches and evaluates the record of domain (RFC 7208 §4.4–§4.7).
// inInclude suppresses exp= (RFC 7208 §6.2: only the record that produced
// the final result explains it, never an included one).
func (c *checker) evaluate(domain string, node *Node, inInclude bool) (out outcome) {
	defer func() {
		node.Result = out.status
		if out.err != nil {
			node.Error = out.err.Error()
		}
	}()
	rec, text, st, err := c.fetch(domain)
	node.Record = text
	if rec == nil {
		return outcome{status: st, err: err}
	}

	c.stack = append(c.stack, strings.ToLower(domain))
	defer func() { c.stack = c.stack[:len(c.stack)-1] }()

	// RFC 7208 §4.6.2: mechanisms are evaluated in order; the first match
	// decides.
	for i := range rec.Directives {
		d := &rec.Directives[i]
		if d.Mechanism.queriesDNS() {
			// RFC 7208 §4.6.4: at most 10 DNS-querying terms per check_host().
			if err := c.countLookup(d.Text); err != nil {
				return outcome{status: Permerror, err: err}
			}
		}
		match, st, err := c.match(d, domain, node)
		if err != nil {
			return outcome{status: st, err: err}
		}
		if !match {
			continue
		}
		st = d.Qualifier.Status()
		node.Matched = d.Text
		if st == Fail && !inInclude {
			c.explanation = c.explain(rec, domain)
		}
		return outcome{status: st, matched: d.Text}
	}

	// RFC 7208 §6.1: redirect applies when no mechanism matched (and is
	// ignored if there is an "all" mechanism, which always matches).
	if rec.redirect != nil && !rec.HasAll() {
		term := "redirect=" + rec.Redirect
		if err := c.countLookup(term); err != nil {
			return outcome{status: Permerror, err: err}
		}
		target, err := c.targetName(rec.redirect, domain)
		if err == nil {
			if reason := checkDomain(target, true); !reason.IsZero() {
				err = &DomainError{Domain: target, Reason: reason}
			}
		}
		if err != nil {
			// RFC 7208 §6.1: a malformed target-name is a permerror.
			return outcome{status: Permerror, err: &TargetError{Kind: ErrRedirectNone, Term: term, Target: target, Err: err}}
		}
		if err := c.checkLoop(target, term); err != nil {
			return outcome{status: Permerror, err: err}
		}
		child := &Node{Domain: target, Via: "redirect", Term: term}
		node.Children = append(node.Children, child)
		sub := c.evaluate(target, child, inInclude)
		if sub.status == None {
			// RFC 7208 §6.1: no SPF record at the target is a permerror.
			return outcome{status: Permerror, err: &TargetError{Kind: ErrRedirectNone, Term: term, Target: target, Err: sub.err}}
		}
		return sub
	}
	// RFC 7208 §4.7: nothing matched and no redirect: neutral.
	return outcome{status: Neutral}
}

// fetch looks up and selects the SPF record of domain (RFC 7208 §4.4, §4.5).
// A nil record comes with the status to return; text is the record text
// when there is exactly one (also when it does not parse).
func (c *checker) fetch(domain string) (rec *Record, text string, st Status, err error) {
	ans := c.lookup(domain, resolver.TypeTXT)
	switch {
	case ans.Status.Temporary():
		// RFC 7208 §4.4: a DNS error or timeout is temperror, never "none".
		return nil, "", Temperror, dnsError(ans)
	case ans.Status == resolver.StatusNXDomain || ans.Status == resolver.StatusNoData:
		return nil, "", None, fmt.Errorf("%w at %s (%s)", ErrNoRecord, domain, ans.Status)
	}
	var spf []string
	for _, txt := range ans.TXT {
		// RFC 7208 §4.5: keep records starting with "v=spf1" followed by a
		// space or the end; other TXT records are ignored.
		if IsSPF(txt) {
			spf = append(spf, txt)
		}
	}
	switch len(spf) {
	case 0:
		return nil, "", None, fmt.Errorf("%w at %s", ErrNoRecord, domain)
	case 1:
	default:
		// RFC 7208 §4.5: more than one record is a permerror.
		return nil, "", Permerror, &MultipleError{Domain: domain, Records: spf}
	}
	rec, err = Parse(spf[0])
	if err != nil {
		var se *SyntaxError
		if errors.As(err, &se) {
			se.Domain = domain
		}
		return nil, spf[0], Permerror, err
	}
	return rec, spf[0], "", nil
}

func (c *checker) countLookup(term string) error {
	c.lookups++
	if c.lookups > MaxLookups {
		return &LimitError{Limit: ErrTooManyLookups, Term: term, Count: c.lookups, Max: MaxLookups}
	}
	return nil
}

// countVoid records a lookup that returned NXDOMAIN or no records
// (RFC 7208 §4.6.4: more than two are a permerror).
func (c *checker) countVoid(term string) error {
	c.voids++
	if c.voids > MaxVoidLookups {
		return &LimitError{Limit: ErrTooManyVoidLookups, Term: term, Count: c.voids, Max: MaxVoidLookups}
	}
	return nil
}

func (c *checker) checkLoop(target, term string) error {
	t := strings.ToLower(target)
	for _, d := range c.stack {
		if d == t {
			return &LoopError{Term: term, Target: t, Chain: append([]string(nil), c.stack...)}
		}
	}
	return nil
}

// match evaluates one mechanism (RFC 7208 §5). A non-nil error ends the
// evaluation with the returned status.
func (c *checker) match(d *Directive, domain string, node *Node) (bool, Status, error) {
	switch d.Mechanism {
	case MechAll:
		return true, "", nil // RFC 7208 §5.1
	case MechIP4, MechIP6:
		// RFC 7208 §5.6: an IPv4 client only matches ip4, an IPv6 client only ip6.
		return d.Net.Addr().Is4() == c.ip.Is4() && d.Net.Contains(c.ip), "", nil
	case MechInclude:
		return c.matchInclude(d, domain, node)
	case MechA:
		return c.matchA(d, domain)
	case MechMX:
		return c.matchMX(d, domain)
	case MechPTR:
		return c.matchPTR(d, domain)
	case MechExists:
		return c.matchExists(d, domain)
	}
	return false, Permerror, fmt.Errorf("%w: unknown mechanism %q", ErrSyntax, d.Mechanism)
}

// matchInclude evaluates include: RFC 7208 §5.2.
func (c *checker) matchInclude(d *Directive, domain string, node *Node) (bool, Status, error) {
	target, err := c.targetName(d.spec, domain)
	if err == nil {
		if reason := checkDomain(target, true); !reason.IsZero() {
			err = &DomainError{Domain: target, Reason: reason}
		}
	}
	if err != nil {
		return false, Permerror, &TargetError{Kind: ErrIncludeNone, Term: d.Text, Target: target, Err: err}
	}
	if err := c.checkLoop(target, d.Text); err != nil {
		return false, Permerror, err
	}
	child := &Node{Domain: target, Via: "include", Term: d.Text}
	node.Children = append(node.Children, child)
	sub := c.evaluate(target, child, true)
	switch sub.status {
	case Pass:
		return true, "", nil
	case Fail, Softfail, Neutral:
		return false, "", nil
	case Temperror:
		return false, Temperror, fmt.Errorf("%s: %w", d.Text, sub.err)
	case None:
		// RFC 7208 §5.2: "none" from the included domain is permerror.
		return false, Permerror, &TargetError{Kind: ErrIncludeNone, Term: d.Text, Target: target, Err: sub.err}
	default:
		return false, Permerror, fmt.Errorf("%s: %w", d.Text, sub.err)
	}
}

// matchA evaluates a: RFC 7208 §5.3.
func (c *checker) matchA(d *Directive, domain string) (bool, Status, error) {
	target, ok := c.mechTarget(d, domain)
	if !ok {
		return false, "", nil
	}
	ips, void, err := c.addrs(target)
	if err != nil {
		return false, Temperror, err
	}
	if void {
		if err := c.countVoid(d.Text); err != nil {
			return false, Permerror, err
		}
	}
	return c.inNets(ips, d), "", nil
}

// matchMX evaluates mx: RFC 7208 §5.4.
func (c *checker) matchMX(d *Directive, domain string) (bool, Status, error) {
	target, ok := c.mechTarget(d, domain)
	if !ok {
		return false, "", nil
	}
	ans := c.lookup(target, resolver.TypeMX)
	if ans.Status.Temporary() {
		return false, Temperror, dnsError(ans)
	}
	if ans.Status != resolver.StatusOK || len(ans.MX) == 0 {
		// RFC 7208 §5.4: no MX records: no match; there is no implicit MX.
		if err := c.countVoid(d.Text); err != nil {
			return false, Permerror, err
		}
		return false, "", nil
	}
	// RFC 7208 §4.6.4: each mx term MUST NOT look up more than 10
	// address records; exceeding it is a permerror.
	if len(ans.MX) > MaxNames {
		return false, Permerror, &LimitError{Limit: ErrTooManyMX, Term: d.Text, Count: len(ans.MX), Max: MaxNames, Target: target}
	}
	for _, mx := range ans.MX {
		host := strings.TrimSuffix(mx.Host, ".")
		if host == "" {
			continue // null MX (RFC 7505) names no host.
		}
		if !checkDomain(host, false).IsZero() {
			continue
		}
		ips, _, err := c.addrs(host)
		if err != nil {
			return false, Temperror, err
		}
		if c.inNets(ips, d) {
			return true, "", nil
		}
	}
	return false, "", nil
}

// matchPTR evaluates ptr: RFC 7208 §5.5 (the mechanism SHOULD NOT be published).
func (c *checker) matchPTR(d *Directive, domain string) (bool, Status, error) {
	target, ok := c.mechTarget(d, domain)
	if !ok {
		return false, "", nil
	}
	names, void, err := c.ptrCandidates()
	if void {
		if err := c.countVoid(d.Text); err != nil {
			return false, Permerror, err
		}
	}
	if err != nil {
		// RFC 7208 §5.5: a DNS error on the PTR lookup: no match.
		return false, "", nil
	}
	t := strings.ToLower(target)
	for _, n := range names {
		// Only names that would match need validation.
		if n != t && !strings.HasSuffix(n, "."+t) {
			continue
		}
		if c.validates(n) {
			return true, "", nil
		}
	}
	return false, "", nil
}

// matchExists evaluates exists: RFC 7208 §5.7: an A lookup, whatever the client's address family.
func (c *checker) matchExists(d *Directive, domain string) (bool, Status, error) {
	target, ok := c.mechTarget(d, domain)
	if !ok {
		return false, "", nil
	}
	ans := c.lookup(target, resolver.TypeA)
	if ans.Status.Temporary() {
		return false, Temperror, dnsError(ans)
	}
	if ans.Status != resolver.StatusOK || len(ans.IPs) == 0 {
		if err := c.countVoid(d.Text); err != nil {
			return false, Permerror, err
		}
		return false, "", nil
	}
	return true, "", nil
}

// mechTarget returns the target-name of a/mx/ptr/exists. A name that cannot
// be a DNS name after expansion (empty or over-long label) is treated as
// non-existent: RFC 7208 leaves the case undefined, and the test suite
// accepts "no match" (invalid-domain-empty-label, invalid-domain-long).
func (c *checker) mechTarget(d *Directive, domain string) (string, bool) {
	t, err := c.targetName(d.spec, domain)
	if err != nil || !checkDomain(t, false).IsZero() {
		return "", false
	}
	return t, true
}

// targetName expands a domain-spec (or uses <domain> when there is none)
// into a target-name (RFC 7208 §4.8, §7.3).
func (c *checker) targetName(spec macroString, domain string) (string, error) {
	if spec == nil {
		return domain, nil
	}
	s, err := spec.expand(c.env(domain))
	if err != nil {
		return "", err
	}
	return truncateName(strings.TrimSuffix(s, ".")), nil
}

// truncateName applies RFC 7208 §7.3: an expanded domain name longer than
// 253 characters loses labels from the left until it fits.
func truncateName(s string) string {
	for len(s) > 253 {
		i := strings.IndexByte(s, '.')
		if i < 0 {
			return s
		}
		s = s[i+1:]
	}
	return s
}

func (c *checker) env(domain string) *macroEnv {
	return &macroEnv{
		sender: c.sender, local: c.local, senderDom: c.senderDom,
		domain: domain, ip: c.ip, helo: c.helo,
		receiver: c.receiver, timestamp: c.now.Unix(),
		ptr: func() string { return c.validatedName(domain) },
	}
}

// addrs looks up the addresses of name in the client's address family
// (A for IPv4, AAAA for IPv6; RFC 7208 §5.3). void reports NXDOMAIN or no
// records.
func (c *checker) addrs(name string) (ips []netip.Addr, void bool, err error) {
	t := resolver.TypeA
	if c.ip.Is6() {
		t = resolver.TypeAAAA
	}
	ans := c.lookup(name, t)
	if ans.Status.Temporary() {
		return nil, false, dnsError(ans)
	}
	if ans.Status != resolver.StatusOK || len(ans.IPs) == 0 {
		return nil, true, nil
	}
	return ans.IPs, false, nil
}

// inNets reports whether the client IP is within the dual-cidr-length of
// any of ips (RFC 7208 §5.3, §5.6).
func (c *checker) inNets(ips []netip.Addr, d *Directive) bool {
	for _, a := range ips {
		a = a.Unmap()
		if a.Is4() != c.ip.Is4() {
			continue
		}
		bits := d.CIDR4
		if a.Is6() {
			bits = d.CIDR6
		}
		p, err := a.Prefix(bits)
		if err == nil && p.Contains(c.ip) {
			return true
		}
	}
	return false
}

// ptrCandidates returns the first 10 PTR names of the client IP, lower-case
// without the trailing dot (RFC 7208 §4.6.4: further names are ignored).
func (c *checker) ptrCandidates() (names []string, void bool, err error) {
	ans := c.lookup(resolver.ReverseName(c.ip), resolver.TypePTR)
	if ans.Status.Temporary() {
		return nil, false, dnsError(ans)
	}
	if ans.Status != resolver.StatusOK || len(ans.PTR) == 0 {
		return nil, true, nil
	}
	for _, n := range ans.PTR {
		if len(names) == MaxNames {
			break
		}
		names = append(names, strings.ToLower(strings.TrimSuffix(n, ".")))
	}
	return names, false, nil
}

// validates reports whether name resolves back to the client IP (the
// forward half of RFC 7208 §5.5); lookup errors skip the name.
func (c *checker) validates(name string) bool {
	if !checkDomain(name, false).IsZero() {
		return false
	}
	ips, _, err := c.addrs(name)
	if err != nil {
		return false
	}
	for _, a := range ips {
		if a.Unmap() == c.ip {
			return true
		}
	}
	return false
}

// validatedName is the %{p} value (RFC 7208 §7.3): the <domain> itself if it
// is a validated name, else a validated subdomain of it, else any validated
// name, else "unknown".
func (c *checker) validatedName(domain string) string {
	if !c.ptrDone {
		c.ptrDone = true
		names, _, err := c.ptrCandidates()
		if err == nil {
			for _, n := range names {
				if c.validates(n) {
					c.ptrNames = append(c.ptrNames, n)
				}
			}
		}
	}
	d := strings.ToLower(domain)
	for _, n := range c.ptrNames {
		if n == d {
			return n
		}
	}
	for _, n := range c.ptrNames {
		if strings.HasSuffix(n, "."+d) {
			return n
		}
	}
	if len(c.ptrNames) > 0 {
		return c.ptrNames[0]
	}
	return "unknown"
}

// explain computes the exp= explanation (RFC 7208 §6.2). Any problem —
// expansion, DNS error, not exactly one TXT record, syntax error in the
// text — means "no explanation", never an error.
func (c *checker) explain(rec *Record, domain string) string {
	if rec.exp == nil {
		return ""
	}
	name, err := c.targetName(rec.exp, domain)
	if err != nil || !checkDomain(name, false).IsZero() {
		return ""
	}
	ans := c.lookup(name, resolver.TypeTXT)
	if ans.Status != resolver.StatusOK || len(ans.TXT) != 1 {
		return ""
	}
	m, err := parseMacroString(ans.TXT[0], ctxExplain)
	if err != nil {
		return ""
	}
	s, err := m.expand(c.env(domain))
	if err != nil {
		return ""
	}
	return s
}

// lookup asks the resolver, never returning nil.
func (c *checker) lookup(name string, t resolver.Type) *resolver.Answer {
	if err := c.ctx.Err(); err != nil {
		st := resolver.StatusTimeout
		if errors.Is(err, context.Canceled) {
			st = resolver.StatusError
		}
		return &resolver.Answer{Name: name, Type: t, Status: st, Err: err}
	}
	ans := c.r.Lookup(c.ctx, name, t)
	if ans == nil {
		return &resolver.Answer{Name: name, Type: t, Status: resolver.StatusError, Err: errors.New("no answer from resolver")}
	}
	return ans
}

func dnsError(a *resolver.Answer) error {
	return &DNSError{Name: a.Name, Type: a.Type, Status: a.Status, Err: a.Err}
}

// normalizeDomain trims a trailing dot, lower-cases, and converts an internationalised
// name to its A-label form (IDNA, UTS 46); names that do not convert are
// kept as given and fail the syntax check later.
func normalizeDomain(d string) string {
	d = strings.TrimSuffix(strings.TrimSpace(d), ".")
	for i := 0; i < len(d); i++ {
		if d[i] >= 0x80 {
			if a, err := idna.Lookup.ToASCII(d); err == nil {
				return strings.ToLower(a)
			}
			return d
		}
	}
	return strings.ToLower(d)
}

// checkDomain returns why name cannot be looked up, or the zero Text.
// RFC 7208 §4.3: labels of 1–63 octets, at most 253 octets in all; for the
// <domain> of check_host() (multi == true) also at least two labels, no
// address literal, no spaces or control characters.
func checkDomain(name string, multi bool) i18n.Text {
	switch {
	case name == "":
		return tr("is empty", "ist leer")
	case len(name) > 253:
		return tr("is longer than 253 characters", "ist länger als 253 Zeichen")
	}
	labels := strings.Split(name, ".")
	for _, l := range labels {
		if l == "" {
			return tr("has an empty label", "hat ein leeres Label")
		}
		if len(l) > 63 {
			return tr("has a label longer than 63 characters (%d)", "hat ein Label mit mehr als 63 Zeichen (%d)", len(l))
		}
	}
	if multi {
		if len(labels) < 2 {
			return tr("is not a fully qualified domain name", "ist kein vollständiger Domainname")
		}
		if strings.HasPrefix(name, "[") {
			return tr("is an address literal, not a domain", "ist ein Adressliteral, keine Domain")
		}
		for i := 0; i < len(name); i++ {
			if c := name[i]; c <= ' ' || c >= 0x7f {
				return tr("contains a character that is not allowed in a domain name", "enthält ein Zeichen, das in Domainnamen nicht erlaubt ist")
			}
		}
		if allDigits(labels[len(labels)-1]) {
			return tr("has an all-numeric top-level label", "hat eine Top-Level-Domain nur aus Ziffern")
		}
	}
	return i18n.Text{}
}
