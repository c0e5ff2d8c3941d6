// Package dnsserver is a small authoritative DNS server on loopback for tests
// and for the lab. It answers from records added at run time (zone-file
// syntax or typed helpers), and can misbehave on purpose per (name, type):
// SERVFAIL, REFUSED, no answer, truncation, broken TCP, added latency,
// the DNSSEC AD bit, and spoof-like answers for the wrong question or ID.
//
// It serves UDP and TCP on the same port. Like package resolver it imports
// github.com/miekg/dns; no other mxprobe package does.
package dnsserver

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/mxprobe/mxprobe/internal/resolver"
)

// DefaultTTL is the TTL of records added with the typed helpers.
const DefaultTTL = 300

// negativeTTL is the SOA MINIMUM of synthesised SOA records (RFC 2308 §5).
const negativeTTL = 60

// maxChase bounds in-zone CNAME chasing when building an answer.
const maxChase = 16

// Rule changes how the server answers one (name, type). Zero value: answer
// normally.
type Rule struct {
	ServFail  bool          // answer SERVFAIL
	Refused   bool          // answer REFUSED
	Drop      bool          // never answer (the client times out)
	Truncate  bool          // over UDP answer with TC set and no records, so the client must retry over TCP
	BrokenTCP bool          // close TCP connections without an answer
	Delay     time.Duration // added latency before this answer (on top of SetDelay)
	AD        bool          // set the DNSSEC AD bit (as a validating resolver would)
	// WrongQuestion answers with a different name in the question section
	// (spoof-like); WrongID answers with a different message ID.
	WrongQuestion bool
	WrongID       bool
	// NoEDNS answers queries with EDNS0 with FORMERR and no OPT record, as
	// servers without EDNS support do (RFC 6891 §7).
	NoEDNS bool
	// PointerLoop answers with a record whose owner name is a compression
	// pointer to itself (RFC 1035 §4.1.4), which a parser must not follow
	// forever.
	PointerLoop bool
	// NXDomain answers NXDOMAIN whatever the data holds, as a filtering or
	// captive resolver does.
	NXDomain bool
}

type key struct {
	name string // canonical: lower-case, fully qualified presentation form
	t    uint16 // 0 = any type (rules only)
}

// Server is a running authoritative server. All methods are safe for
// concurrent use, also while serving.
type Server struct {
	udp, tcp *dns.Server
	addr     string
	closing  chan struct{}
	once     sync.Once
	wg       sync.WaitGroup

	mu      sync.RWMutex
	records map[string]map[uint16][]dns.RR
	exists  map[string]bool // owners and all their ancestors (empty non-terminals)
	rules   map[key]Rule
	// fallback applies to queries without a rule of their own.
	fallback Rule
	delay    time.Duration
	ad       bool
	noChase  bool
	queries  int
	counts   map[key]int
	received []Query
}

// Query is one query the server received.
type Query struct {
	Name string        // lower-case, without trailing dot
	Type resolver.Type // query type
	TCP  bool
}

// Start listens on addr (e.g. "127.0.0.1:0") with UDP and TCP on the same
// port and serves until Close.
func Start(addr string) (*Server, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dnsserver: %w", err)
	}
	s := &Server{
		closing: make(chan struct{}),
		records: map[string]map[uint16][]dns.RR{},
		exists:  map[string]bool{},
		rules:   map[key]Rule{},
		counts:  map[key]int{},
	}
	// With port 0 the kernel picks a free UDP port; the same TCP port may be
	// taken, so try a bounded number of times.
	var pc net.PacketConn
	var ln net.Listener
	for try := 0; try < 20; try++ {
		pc, err = net.ListenPacket("udp", addr)
		if err != nil {
			return nil, fmt.Errorf("dnsserver: %w", err)
		}
		_, p, _ := net.SplitHostPort(pc.LocalAddr().String())
		ln, err = net.Listen("tcp", net.JoinHostPort(host, p))
		if err == nil {
			break
		}
		pc.Close()
		if port != "0" {
			return nil, fmt.Errorf("dnsserver: %w", err)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("dnsserver: no common UDP/TCP port: %w", err)
	}
	s.addr = pc.LocalAddr().String()
	h := dns.HandlerFunc(s.serve)
	s.udp = &dns.Server{PacketConn: pc, Handler: h, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second}
	s.tcp = &dns.Server{
		Listener: ln, Handler: h,
		ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second,
		IdleTimeout:   func() time.Duration { return 5 * time.Second },
		MaxTCPQueries: 1000,
	}
	var started sync.WaitGroup
	for _, srv := range []*dns.Server{s.udp, s.tcp} {
		started.Add(1)
		srv.NotifyStartedFunc = started.Done
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			_ = srv.ActivateAndServe()
		}()
	}
	started.Wait()
	return s, nil
}

// Addr is the "IP:port" the server listens on (UDP and TCP).
func (s *Server) Addr() string { return s.addr }

// Close stops the server; delayed answers in flight are abandoned.
func (s *Server) Close() error {
	s.once.Do(func() {
		close(s.closing)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = s.udp.ShutdownContext(ctx)
		_ = s.tcp.ShutdownContext(ctx)
		s.wg.Wait()
	})
	return nil
}

// canon turns a presentation-format name into the server's key form.
func canon(name string) string {
	return strings.ToLower(dns.Fqdn(name))
}

// rawName turns a plain name (as package resolver takes it: labels separated
// by dots, no escapes) into presentation format.
func rawName(name string) string {
	return dns.Fqdn(strings.ReplaceAll(name, `\`, `\\`))
}

// canonRaw is canon for a plain name, normalised through the wire format so
// that it compares equal to question names from the wire.
func canonRaw(name string) (string, error) {
	return canonPres(rawName(name))
}

// canonPres normalises a presentation-format name through the wire format.
func canonPres(p string) (string, error) {
	name := p
	buf := make([]byte, 256)
	off, err := dns.PackDomainName(p, buf, 0, nil, false)
	if err != nil {
		return "", fmt.Errorf("dnsserver: bad name %q: %w", name, err)
	}
	n, _, err := dns.UnpackDomainName(buf[:off], 0)
	if err != nil {
		return "", fmt.Errorf("dnsserver: bad name %q: %w", name, err)
	}
	return canon(n), nil
}

// AddRR adds records in zone-file syntax, one per line argument, e.g.
// "ok.lab.test. 300 IN MX 10 mx.ok.lab.test.". Relative names are not
// supported: write names fully qualified (a missing trailing dot is added).
func (s *Server) AddRR(lines ...string) error {
	rrs := make([]dns.RR, 0, len(lines))
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			return fmt.Errorf("dnsserver: %q: %w", l, err)
		}
		if rr == nil {
			continue // empty line or comment
		}
		rrs = append(rrs, rr)
	}
	s.add(rrs...)
	return nil
}

func (s *Server) add(rrs ...dns.RR) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rr := range rrs {
		h := rr.Header()
		// Normalise the owner through the wire format so that it matches
		// question names exactly.
		if n, err := canonPres(h.Name); err == nil {
			h.Name = n
		} else {
			h.Name = canon(h.Name)
		}
		m := s.records[h.Name]
		if m == nil {
			m = map[uint16][]dns.RR{}
			s.records[h.Name] = m
		}
		m[h.Rrtype] = append(m[h.Rrtype], rr)
		markExists(s.exists, h.Name)
	}
}

// markExists records name and all its ancestors, so that empty
// non-terminals answer NODATA rather than NXDOMAIN (RFC 8020).
func markExists(exists map[string]bool, name string) {
	labels := dns.SplitDomainName(name)
	for i := range labels {
		exists[canon(strings.Join(labels[i:], "."))] = true
	}
	if len(labels) == 0 {
		exists["."] = true
	}
}

func (s *Server) header(name string, t uint16) (dns.RR_Header, error) {
	n, err := canonRaw(name)
	if err != nil {
		return dns.RR_Header{}, err
	}
	return dns.RR_Header{Name: n, Rrtype: t, Class: dns.ClassINET, Ttl: DefaultTTL}, nil
}

// AddTXT adds one TXT record at name holding the given character-strings
// (any bytes allowed; a string longer than 255 bytes is split into several
// character-strings, which readers concatenate, RFC 7208 §3.3). name is a
// plain name; it may contain any characters except dots inside labels, as
// the RFC 7208 test suite needs. Calling AddTXT twice adds two records.
func (s *Server) AddTXT(name string, strs ...string) error {
	h, err := s.header(name, dns.TypeTXT)
	if err != nil {
		return err
	}
	esc := make([]string, 0, len(strs))
	for _, str := range strs {
		for len(str) > 255 {
			esc = append(esc, escapeTXT(str[:255]))
			str = str[255:]
		}
		esc = append(esc, escapeTXT(str))
	}
	if len(esc) == 0 {
		esc = []string{""}
	}
	s.add(&dns.TXT{Hdr: h, Txt: esc})
	return nil
}

// escapeTXT escapes raw bytes into the form miekg/dns packs back to the same
// bytes: \\ for a backslash, \DDD for bytes outside printable ASCII.
func escapeTXT(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' || c == '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c > '~':
			fmt.Fprintf(&b, "\\%03d", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// AddA adds A records (one per address) at name.
func (s *Server) AddA(name string, ips ...string) error {
	for _, ip := range ips {
		a, err := netip.ParseAddr(ip)
		if err != nil || !a.Unmap().Is4() {
			return fmt.Errorf("dnsserver: not an IPv4 address: %q", ip)
		}
		h, err := s.header(name, dns.TypeA)
		if err != nil {
			return err
		}
		s.add(&dns.A{Hdr: h, A: net.IP(a.Unmap().AsSlice())})
	}
	return nil
}

// AddAAAA adds AAAA records (one per address) at name.
func (s *Server) AddAAAA(name string, ips ...string) error {
	for _, ip := range ips {
		a, err := netip.ParseAddr(ip)
		if err != nil || !a.Is6() || a.Is4In6() {
			return fmt.Errorf("dnsserver: not an IPv6 address: %q", ip)
		}
		h, err := s.header(name, dns.TypeAAAA)
		if err != nil {
			return err
		}
		s.add(&dns.AAAA{Hdr: h, AAAA: net.IP(a.AsSlice())})
	}
	return nil
}

// AddMX adds one MX record. host "." (or "") makes a null MX (RFC 7505).
func (s *Server) AddMX(name string, pref uint16, host string) error {
	h, err := s.header(name, dns.TypeMX)
	if err != nil {
		return err
	}
	target := "."
	if host != "" && host != "." {
		if target, err = canonRaw(host); err != nil {
			return err
		}
	}
	s.add(&dns.MX{Hdr: h, Preference: pref, Mx: target})
	return nil
}

// AddPTR adds one PTR record. name may be an IP address, which is turned
// into its in-addr.arpa / ip6.arpa name.
func (s *Server) AddPTR(name, target string) error {
	if ip, err := netip.ParseAddr(name); err == nil {
		name = resolver.ReverseName(ip)
	}
	h, err := s.header(name, dns.TypePTR)
	if err != nil {
		return err
	}
	t, err := canonRaw(target)
	if err != nil {
		return err
	}
	s.add(&dns.PTR{Hdr: h, Ptr: t})
	return nil
}

// AddCNAME adds a CNAME from name to target.
func (s *Server) AddCNAME(name, target string) error {
	h, err := s.header(name, dns.TypeCNAME)
	if err != nil {
		return err
	}
	t, err := canonRaw(target)
	if err != nil {
		return err
	}
	s.add(&dns.CNAME{Hdr: h, Target: t})
	return nil
}

// AddTLSA adds one TLSA record (RFC 6698), e.g. at "_25._tcp.mx.example".
func (s *Server) AddTLSA(name string, usage, selector, matchingType uint8, data []byte) error {
	h, err := s.header(name, dns.TypeTLSA)
	if err != nil {
		return err
	}
	s.add(&dns.TLSA{Hdr: h, Usage: usage, Selector: selector, MatchingType: matchingType,
		Certificate: fmt.Sprintf("%x", data)})
	return nil
}

// Remove deletes the records of type t at name (t 0: all types).
func (s *Server) Remove(name string, t resolver.Type) {
	n, err := canonRaw(name)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t == 0 {
		delete(s.records, n)
	} else if m := s.records[n]; m != nil {
		delete(m, uint16(t))
		if len(m) == 0 {
			delete(s.records, n)
		}
	}
	s.exists = map[string]bool{}
	for owner := range s.records {
		markExists(s.exists, owner)
	}
}

// SetRule sets the behaviour for queries of (name, t); t 0 matches every
// type. A rule for the exact type wins over the type-0 rule. The zero Rule
// removes the rule.
func (s *Server) SetRule(name string, t resolver.Type, r Rule) {
	n, err := canonRaw(name)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key{n, uint16(t)}
	if r == (Rule{}) {
		delete(s.rules, k)
		return
	}
	s.rules[k] = r
}

// SetFallbackRule sets the behaviour for every query without a rule of its
// own (e.g. NXDomain for a resolver that filters everything); the zero Rule
// answers normally again.
func (s *Server) SetFallbackRule(r Rule) {
	s.mu.Lock()
	s.fallback = r
	s.mu.Unlock()
}

// SetDelay adds latency to every answer (e.g. 20 ms for benchmarks).
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// SetAD sets the default of the DNSSEC AD bit on every answer.
func (s *Server) SetAD(ad bool) {
	s.mu.Lock()
	s.ad = ad
	s.mu.Unlock()
}

// SetChaseCNAME chooses whether answers follow CNAMEs inside the server's
// data (as a recursive resolver would; the default) or return only the
// CNAME, so the client must query the target itself.
func (s *Server) SetChaseCNAME(chase bool) {
	s.mu.Lock()
	s.noChase = !chase
	s.mu.Unlock()
}

// Queries is the number of queries received so far (also dropped ones).
func (s *Server) Queries() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.queries
}

// Count is the number of queries received for (name, t); t 0 counts all
// types of name.
func (s *Server) Count(name string, t resolver.Type) int {
	n, err := canonRaw(name)
	if err != nil {
		return 0
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if t != 0 {
		return s.counts[key{n, uint16(t)}]
	}
	sum := 0
	for k, c := range s.counts {
		if k.name == n {
			sum += c
		}
	}
	return sum
}

// Received lists the queries received so far, in order (at most the first
// 100000).
func (s *Server) Received() []Query {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]Query(nil), s.received...)
}

// ResetCounts sets the query counters to zero.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	s.queries = 0
	s.counts = map[key]int{}
	s.received = nil
	s.mu.Unlock()
}

func (s *Server) serve(w dns.ResponseWriter, req *dns.Msg) {
	_, isTCP := w.RemoteAddr().(*net.TCPAddr)
	if len(req.Question) != 1 {
		m := new(dns.Msg)
		m.SetRcode(req, dns.RcodeFormatError)
		_ = w.WriteMsg(m)
		return
	}
	q := req.Question[0]
	qname := canon(q.Name)

	s.mu.Lock()
	s.queries++
	s.counts[key{qname, q.Qtype}]++
	if len(s.received) < 100000 {
		s.received = append(s.received, Query{Name: strings.TrimSuffix(qname, "."), Type: resolver.Type(q.Qtype), TCP: isTCP})
	}
	rule, ok := s.rules[key{qname, q.Qtype}]
	if !ok {
		rule, ok = s.rules[key{qname, 0}]
	}
	if !ok {
		rule = s.fallback
	}
	delay := s.delay + rule.Delay
	ad := s.ad || rule.AD
	s.mu.Unlock()

	if rule.Drop {
		return
	}
	if isTCP && rule.BrokenTCP {
		_ = w.Close()
		return
	}
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-s.closing:
			t.Stop()
			return
		}
	}

	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	m.RecursionAvailable = req.RecursionDesired
	m.AuthenticatedData = ad
	switch {
	case rule.NoEDNS && req.IsEdns0() != nil:
		m.Rcode = dns.RcodeFormatError
		_ = w.WriteMsg(m)
		return
	case rule.ServFail:
		m.Rcode = dns.RcodeServerFailure
	case rule.Refused:
		m.Rcode = dns.RcodeRefused
	case rule.Truncate && !isTCP:
		m.Truncated = true
	case rule.PointerLoop:
		_, _ = w.Write(pointerLoop(m))
		return
	case rule.NXDomain:
		m.Rcode = dns.RcodeNameError
	default:
		s.answer(m, qname, q.Qtype)
	}
	if rule.WrongQuestion {
		m.Question[0].Name = "spoofed." + q.Name
	}
	if rule.WrongID {
		m.Id ^= 0x5a5a
	}

	// RFC 6891 §6.2.3/§6.2.5: answer with an OPT record when the query had
	// one, and never exceed the requestor's payload size over UDP.
	size := dns.MinMsgSize
	if opt := req.IsEdns0(); opt != nil {
		size = max(int(opt.UDPSize()), dns.MinMsgSize)
		m.SetEdns0(4096, opt.Do())
	}
	if isTCP {
		size = dns.MaxMsgSize
	}
	m.Truncate(size)
	_ = w.WriteMsg(m)
}

// pointerLoop packs m (header and question) and appends one answer record
// whose owner name is a compression pointer to its own offset.
func pointerLoop(m *dns.Msg) []byte {
	m.Answer, m.Ns, m.Extra = nil, nil, nil
	wire, err := m.Pack()
	if err != nil {
		return nil
	}
	off := len(wire)
	wire = append(wire,
		0xc0|byte(off>>8), byte(off), // the name: a pointer to itself
		0, byte(dns.TypeMX), 0, byte(dns.ClassINET), // type, class
		0, 0, 1, 44, // TTL 300
		0, 0) // RDLENGTH 0
	wire[6], wire[7] = 0, 1 // ANCOUNT 1 (RFC 1035 §4.1.1)
	return wire
}

// answer fills m for (qname, qtype) from the records: the records, a CNAME
// chain (chased inside the data unless switched off), NODATA with an SOA, or
// NXDOMAIN with an SOA (RFC 2308 §2.1, §2.2).
func (s *Server) answer(m *dns.Msg, qname string, qtype uint16) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	name := qname
	seen := map[string]bool{}
	for step := 0; ; step++ {
		set := s.records[name]
		if rrs := set[qtype]; len(rrs) > 0 {
			m.Answer = append(m.Answer, copyRRs(rrs)...)
			return
		}
		if c := set[dns.TypeCNAME]; len(c) > 0 && qtype != dns.TypeCNAME {
			m.Answer = append(m.Answer, copyRRs(c[:1])...)
			seen[name] = true
			target := canon(c[0].(*dns.CNAME).Target)
			if s.noChase || seen[target] || step >= maxChase {
				return
			}
			name = target
			continue
		}
		if len(set) == 0 && !s.exists[name] {
			m.Rcode = dns.RcodeNameError
		}
		m.Ns = append(m.Ns, s.soaFor(name))
		return
	}
}

func copyRRs(rrs []dns.RR) []dns.RR {
	out := make([]dns.RR, len(rrs))
	for i, rr := range rrs {
		out[i] = dns.Copy(rr)
	}
	return out
}

// soaFor returns the SOA of the closest enclosing name that has one, or a
// synthesised SOA at the name's top-level label.
func (s *Server) soaFor(name string) dns.RR {
	labels := dns.SplitDomainName(name)
	for i := range labels {
		if soa := s.records[canon(strings.Join(labels[i:], "."))][dns.TypeSOA]; len(soa) > 0 {
			return dns.Copy(soa[0])
		}
	}
	apex := "."
	if len(labels) > 0 {
		apex = canon(labels[len(labels)-1])
	}
	return &dns.SOA{
		Hdr:     dns.RR_Header{Name: apex, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: negativeTTL},
		Ns:      "ns." + strings.TrimPrefix(apex, "."),
		Mbox:    "hostmaster." + strings.TrimPrefix(apex, "."),
		Serial:  1,
		Refresh: 3600, Retry: 600, Expire: 86400, Minttl: negativeTTL,
	}
}
