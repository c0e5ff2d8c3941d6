package resolver

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// Defaults and bounds.
const (
	// DefaultTimeout and DefaultAttempts are the resolv.conf(5) defaults.
	DefaultTimeout  = 5 * time.Second
	DefaultAttempts = 2
	maxAttempts     = 5  // resolv.conf(5) caps attempts at 5
	maxTimeout      = 30 // resolv.conf(5) caps timeout at 30 s
	// MaxCNAME is the longest CNAME chain followed.
	MaxCNAME = 8
	// MaxRecords caps the records kept per answer; the rest are dropped and
	// Answer.Truncated is set.
	MaxRecords = 1000
	// UDPSize is the EDNS0 payload size we advertise: the 1232 bytes of DNS
	// Flag Day 2020, which avoid IP fragmentation on common paths.
	UDPSize = 1232
	// failTTL is how long a SERVFAIL/REFUSED/timeout/error is cached, so a
	// dead server is asked once per run (RFC 2308 §7: at most 5 minutes).
	failTTL = 30 * time.Second
	// negTTLNoSOA is the negative-caching time when the answer carries no
	// SOA (RFC 2308 §5 gives none; a run is short).
	negTTLNoSOA     = 30 * time.Second
	maxCacheEntries = 100000
	// maxInflight bounds the queries (sockets) in flight per resolver.
	maxInflight = 256
)

// Config configures a Resolver.
type Config struct {
	// Servers are "ADDR" or "ADDR:PORT" (IPv6 as "[ADDR]:PORT"; port 53 by
	// default), tried in order.
	Servers []string
	// Timeout is the time allowed for one attempt at one server (default 5 s).
	Timeout time.Duration
	// Attempts is how often the whole server list is tried (default 2).
	Attempts int
	// NoCache switches off the answer cache and the de-duplication of
	// concurrent identical lookups.
	NoCache bool
}

// Resolver is a caching stub resolver. It is safe for concurrent use.
type Resolver struct {
	servers  []string
	timeout  time.Duration
	attempts int
	noCache  bool
	now      func() time.Time

	mu    sync.Mutex
	cache map[cacheKey]*entry

	exchanges atomic.Int64
	inflight  chan struct{} // semaphore, maxInflight slots
}

var _ Lookuper = (*Resolver)(nil)

type cacheKey struct {
	name string // canonical presentation form, lower-case, fully qualified
	t    Type
}

type entry struct {
	done    chan struct{} // closed when ans is set
	ans     *Answer
	expires time.Time
}

// New makes a Resolver from cfg.
func New(cfg Config) (*Resolver, error) {
	if len(cfg.Servers) == 0 {
		return nil, ErrNoServers
	}
	r := &Resolver{
		timeout:  cfg.Timeout,
		attempts: cfg.Attempts,
		noCache:  cfg.NoCache,
		now:      time.Now,
		cache:    map[cacheKey]*entry{},
		inflight: make(chan struct{}, maxInflight),
	}
	for _, s := range cfg.Servers {
		a, err := NormalizeServer(s)
		if err != nil {
			return nil, err
		}
		r.servers = append(r.servers, a)
	}
	if r.timeout <= 0 {
		r.timeout = DefaultTimeout
	}
	if r.attempts <= 0 {
		r.attempts = DefaultAttempts
	}
	r.attempts = min(r.attempts, maxAttempts)
	return r, nil
}

// Default returns a Resolver for the given servers, or for the name servers
// and options of /etc/resolv.conf when servers is empty.
func Default(servers []string) (*Resolver, error) {
	if len(servers) > 0 {
		return New(Config{Servers: servers})
	}
	cfg, err := FromResolvConf("/etc/resolv.conf")
	if err != nil {
		return nil, err
	}
	return New(cfg)
}

// NormalizeServer turns "ADDR", "ADDR:PORT", "[V6]" or "[V6]:PORT" into
// "IP:PORT" ("[V6]:PORT"), port 53 by default. Host names are rejected.
func NormalizeServer(s string) (string, error) {
	s = strings.TrimSpace(s)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		if ap.Port() == 0 {
			return "", fmt.Errorf("%w: %q: port 0", ErrBadServer, s)
		}
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()).String(), nil
	}
	h := s
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
	}
	a, err := netip.ParseAddr(h)
	if err != nil {
		return "", fmt.Errorf("%w: %q (want IP or IP:PORT)", ErrBadServer, s)
	}
	return netip.AddrPortFrom(a.Unmap(), 53).String(), nil
}

// Servers returns the servers in the order they are tried ("IP:PORT").
func (r *Resolver) Servers() []string { return append([]string(nil), r.servers...) }

// Exchanges is the number of DNS messages this resolver has sent (UDP and
// TCP), for tests and statistics.
func (r *Resolver) Exchanges() int { return int(r.exchanges.Load()) }

// Lookup resolves (name, t). name may end with a dot, is case-insensitive,
// and may be a U-label name (converted with ToASCII). The answer is never
// nil; see Answer.Status. Identical lookups share one query and are cached
// for the TTL (temporary failures for 30 s).
func (r *Resolver) Lookup(ctx context.Context, name string, t Type) *Answer {
	qp, out, err := queryName(name)
	if err != nil {
		return &Answer{Name: out, Type: t, Status: StatusError, Err: err}
	}
	if ctx.Err() != nil {
		return ctxAnswer(ctx, out, t)
	}
	if r.noCache {
		return r.resolve(ctx, qp, out, t)
	}
	k := cacheKey{qp, t}
	r.mu.Lock()
	e := r.cache[k]
	if e != nil {
		select {
		case <-e.done:
			if r.now().Before(e.expires) {
				r.mu.Unlock()
				return e.ans.clone(out)
			}
			e = nil // expired: ask again
		default: // in flight: wait for it below
		}
	}
	if e == nil {
		e = &entry{done: make(chan struct{})}
		if len(r.cache) >= maxCacheEntries {
			r.purgeLocked()
		}
		r.cache[k] = e
		// The shared lookup must not die with the first caller's context:
		// it runs detached, bounded by the resolver's own timeouts.
		go r.fly(context.WithoutCancel(ctx), e, qp, out, t)
	}
	r.mu.Unlock()
	select {
	case <-e.done:
		return e.ans.clone(out)
	case <-ctx.Done():
		return ctxAnswer(ctx, out, t)
	}
}

func (r *Resolver) fly(ctx context.Context, e *entry, qp, out string, t Type) {
	bound := r.timeout*time.Duration(r.attempts*len(r.servers)*2)*(MaxCNAME+1) + time.Second
	ctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	ans := r.resolve(ctx, qp, out, t)
	ttl := ans.TTL
	if ans.Status.Temporary() {
		ttl = failTTL
	}
	r.mu.Lock()
	e.ans = ans
	e.expires = r.now().Add(ttl)
	r.mu.Unlock()
	close(e.done)
}

// purgeLocked drops finished, expired entries; if that is not enough, all
// finished ones.
func (r *Resolver) purgeLocked() {
	now := r.now()
	for k, e := range r.cache {
		select {
		case <-e.done:
			if !now.Before(e.expires) {
				delete(r.cache, k)
			}
		default:
		}
	}
	if len(r.cache) < maxCacheEntries {
		return
	}
	for k, e := range r.cache {
		select {
		case <-e.done:
			delete(r.cache, k)
		default:
		}
	}
}

// clone returns a deep copy so callers may change (e.g. sort) the slices.
func (a *Answer) clone(name string) *Answer {
	c := *a
	c.Name = name
	c.CNAMEs = append([]string(nil), a.CNAMEs...)
	c.IPs = append([]netip.Addr(nil), a.IPs...)
	c.MX = append([]MX(nil), a.MX...)
	c.TXT = append([]string(nil), a.TXT...)
	c.PTR = append([]string(nil), a.PTR...)
	if a.TLSA != nil {
		c.TLSA = make([]TLSA, len(a.TLSA))
		for i, t := range a.TLSA {
			t.Data = append([]byte(nil), t.Data...)
			c.TLSA[i] = t
		}
	}
	return &c
}

func ctxAnswer(ctx context.Context, name string, t Type) *Answer {
	if errors.Is(ctx.Err(), context.Canceled) {
		return &Answer{Name: name, Type: t, Status: StatusError, Err: fmt.Errorf("%w: %w", ErrCanceled, ctx.Err())}
	}
	return &Answer{Name: name, Type: t, Status: StatusTimeout, Err: fmt.Errorf("%w: %w", ErrTimeout, ctx.Err())}
}

// LookupIP looks up the A and AAAA records of name concurrently.
func (r *Resolver) LookupIP(ctx context.Context, name string) (v4, v6 *Answer) {
	return LookupIP(ctx, r, name)
}

// LookupIP looks up the A and AAAA records of name concurrently with any
// Lookuper.
func LookupIP(ctx context.Context, l Lookuper, name string) (v4, v6 *Answer) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		v6 = l.Lookup(ctx, name, TypeAAAA)
	}()
	v4 = l.Lookup(ctx, name, TypeA)
	wg.Wait()
	return v4, v6
}

// resolve performs the lookup without the cache: queries, CNAME chain,
// status. qp is the canonical presentation name, out the name reported.
func (r *Resolver) resolve(ctx context.Context, qp, out string, t Type) *Answer {
	ans := &Answer{Name: out, Type: t}
	c := newChain(qp)
	for q := 0; q <= MaxCNAME; q++ {
		res := r.exchange(ctx, c.cur, t)
		ans.Server = res.server
		if res.err != nil {
			c.fail(ans, res.status, res.err)
			return ans
		}
		if c.step(ans, res.msg, t) {
			return ans
		}
	}
	c.fail(ans, StatusError, fmt.Errorf("%w: more than %d queries from %s", ErrCNAMEChain, MaxCNAME, out))
	return ans
}

// chain is the state of one lookup across the messages it needs.
type chain struct {
	cur       string          // name asked next (canonical presentation)
	seen      map[string]bool // names in the chain so far
	authentic bool            // AD bit of every message so far
	ttl       uint32          // lowest TTL of the records used
}

func newChain(qp string) *chain {
	return &chain{cur: qp, seen: map[string]bool{qp: true}, authentic: true, ttl: 1<<31 - 1}
}

func (c *chain) fail(ans *Answer, st Status, err error) {
	ans.Status, ans.Err, ans.TTL, ans.Authentic = st, err, 0, false
	ans.IPs, ans.MX, ans.TXT, ans.PTR, ans.TLSA, ans.Truncated = nil, nil, nil, nil, nil, false
}

// step interprets one NOERROR or NXDOMAIN message asking (c.cur, t). It
// returns true when ans is final, false when the last CNAME target of the
// chain must be asked next.
func (c *chain) step(ans *Answer, msg *dns.Msg, t Type) bool {
	c.authentic = c.authentic && msg.AuthenticatedData

	// Follow the CNAME chain inside this answer. Only records whose owner
	// is in the chain count (RFC 2181 §5.4.1: ignore unrelated data); the
	// chain is capped and loops are an error.
	var cnames map[string]*dns.CNAME
	for _, rr := range msg.Answer {
		if cn, ok := rr.(*dns.CNAME); ok && cn.Hdr.Class == dns.ClassINET {
			if cnames == nil {
				cnames = map[string]*dns.CNAME{}
			}
			if _, dup := cnames[canon(cn.Hdr.Name)]; !dup {
				cnames[canon(cn.Hdr.Name)] = cn
			}
		}
	}
	followed := false
	for t != TypeCNAME {
		cn, ok := cnames[c.cur]
		if !ok {
			break
		}
		target := canon(cn.Target)
		if c.seen[target] {
			c.fail(ans, StatusError, fmt.Errorf("%w: %s → %s", ErrCNAMELoop, outName(c.cur), outName(target)))
			return true
		}
		if len(ans.CNAMEs) >= MaxCNAME {
			c.fail(ans, StatusError, fmt.Errorf("%w: more than %d CNAMEs from %s", ErrCNAMEChain, MaxCNAME, ans.Name))
			return true
		}
		c.seen[target] = true
		ans.CNAMEs = append(ans.CNAMEs, outName(target))
		c.ttl = min(c.ttl, cn.Hdr.Ttl)
		c.cur = target
		followed = true
	}

	switch msg.Rcode {
	case dns.RcodeNameError:
		// RFC 6604 §3: with a CNAME chain the RCODE is about the last name.
		ans.Status = StatusNXDomain
		ans.TTL = negTTL(msg)
		ans.Authentic = c.authentic
		return true
	case dns.RcodeSuccess:
	default:
		c.fail(ans, StatusError, fmt.Errorf("%w %s", ErrRcode, dns.RcodeToString[msg.Rcode]))
		return true
	}
	if n := fill(ans, msg, c.cur, t, &c.ttl); n > 0 {
		ans.Status = StatusOK
		ans.TTL = time.Duration(c.ttl) * time.Second
		ans.Authentic = c.authentic
		return true
	}
	if followed && !hasSOA(msg) {
		// The server gave only the CNAME (e.g. the target lies outside its
		// zones): ask for the target.
		return false
	}
	ans.Status = StatusNoData
	ans.TTL = min(negTTL(msg), time.Duration(c.ttl)*time.Second)
	ans.Authentic = c.authentic
	return true
}

func hasSOA(m *dns.Msg) bool {
	for _, rr := range m.Ns {
		if _, ok := rr.(*dns.SOA); ok {
			return true
		}
	}
	return false
}

// negTTL is the negative-caching time: min(SOA TTL, SOA MINIMUM)
// (RFC 2308 §5).
func negTTL(m *dns.Msg) time.Duration {
	for _, rr := range m.Ns {
		if soa, ok := rr.(*dns.SOA); ok {
			return time.Duration(min(soa.Hdr.Ttl, soa.Minttl)) * time.Second
		}
	}
	return negTTLNoSOA
}

// fill copies the records of type t owned by owner into ans and returns how
// many there were. Records that do not decode (an A record without four
// octets, TLSA data that is not hex) are skipped. Types without a typed
// field (SOA, …) are counted only.
func fill(ans *Answer, m *dns.Msg, owner string, t Type, ttl *uint32) int {
	n := 0
	for _, rr := range m.Answer {
		h := rr.Header()
		if h.Rrtype != uint16(t) || h.Class != dns.ClassINET || canon(h.Name) != owner {
			continue
		}
		if n >= MaxRecords {
			ans.Truncated = true
			continue
		}
		ok := true
		switch v := rr.(type) {
		case *dns.A:
			var a netip.Addr
			if a, ok = netip.AddrFromSlice(v.A.To4()); ok {
				ans.IPs = append(ans.IPs, a)
			}
		case *dns.AAAA:
			var a netip.Addr
			if a, ok = netip.AddrFromSlice(v.AAAA.To16()); ok {
				ans.IPs = append(ans.IPs, a)
			}
		case *dns.MX:
			host := outName(canon(v.Mx))
			if host == "" {
				host = "." // RFC 7505 null MX
			}
			ans.MX = append(ans.MX, MX{Preference: v.Preference, Host: host})
		case *dns.TXT:
			ans.TXT = append(ans.TXT, joinTXT(v.Txt))
		case *dns.SPF:
			ans.TXT = append(ans.TXT, joinTXT(v.Txt))
		case *dns.PTR:
			ans.PTR = append(ans.PTR, outName(canon(v.Ptr)))
		case *dns.CNAME:
			ans.PTR = append(ans.PTR, outName(canon(v.Target)))
		case *dns.NS:
			ans.PTR = append(ans.PTR, outName(canon(v.Ns)))
		case *dns.TLSA:
			var data []byte
			if data, ok = decodeHex(v.Certificate); ok {
				ans.TLSA = append(ans.TLSA, TLSA{Usage: v.Usage, Selector: v.Selector, MatchingType: v.MatchingType, Data: data})
			}
		}
		if ok {
			n++
			*ttl = min(*ttl, h.Ttl)
		}
	}
	return n
}

func decodeHex(s string) ([]byte, bool) {
	b, err := hex.DecodeString(s)
	return b, err == nil
}

// joinTXT concatenates the character-strings of one TXT record (RFC 7208
// §3.3) after undoing miekg/dns's presentation escapes, giving raw bytes.
func joinTXT(parts []string) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(unescape(p, false))
	}
	return b.String()
}
