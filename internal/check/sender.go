package check

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"

	"github.com/mxprobe/mxprobe/internal/dnsbl"
	"github.com/mxprobe/mxprobe/internal/iprev"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/smtpconn"
	"github.com/mxprobe/mxprobe/internal/spf"
)

// senderSet runs the sender checks (PTR, block lists, SPF) once per
// outbound IP: they start as soon as an IP is known — --ip at once, else our
// socket address toward the first MX — and again for the address the server
// reports when that differs (NAT).
type senderSet struct {
	ctx  context.Context
	o    Options
	mu   sync.Mutex
	done map[netip.Addr]chan struct{}
	res  map[netip.Addr]*Sender
}

func newSenderSet(ctx context.Context, o Options) *senderSet {
	return &senderSet{ctx: ctx, o: o, done: map[netip.Addr]chan struct{}{}, res: map[netip.Addr]*Sender{}}
}

// start begins the checks for ip unless they run already.
func (ss *senderSet) start(ip netip.Addr, helo string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if _, ok := ss.done[ip]; ok || !ip.IsValid() {
		return
	}
	done := make(chan struct{})
	ss.done[ip] = done
	s := &Sender{IP: ip}
	ss.res[ip] = s
	go func() {
		defer close(done)
		senderChecks(ss.ctx, ss.o, s, helo)
	}()
}

// started tells whether checks for ip run already and how many IPs were
// started in all.
func (ss *senderSet) started(ip netip.Addr) (already bool, n int) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	_, already = ss.done[ip]
	return already, len(ss.done)
}

// wait returns the finished checks of ip (started before).
func (ss *senderSet) wait(ip netip.Addr) *Sender {
	ss.mu.Lock()
	done, s := ss.done[ip], ss.res[ip]
	ss.mu.Unlock()
	<-done
	return s
}

// localAddrToward is our source address toward ip (a UDP "connect" sends no
// packet; the kernel only picks the route).
func localAddrToward(ip netip.Addr, port int) (netip.Addr, bool) {
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port))))
	if err != nil {
		return netip.Addr{}, false
	}
	defer conn.Close()
	ap := conn.LocalAddr().(*net.UDPAddr).AddrPort()
	return ap.Addr().Unmap(), true
}

// senderChecks fills the sender-side results for ip.
func senderChecks(ctx context.Context, o Options, s *Sender, helo string) {
	var g group
	g.Go(func() {
		res := iprev.Check(ctx, o.Resolver, s.IP)
		s.PTR = &res
	})
	g.Go(func() {
		zones := o.DNSBLZones
		if zones == nil {
			zones = dnsbl.DefaultZones()
		}
		res := dnsbl.Check(ctx, o.Resolver, s.IP, zones)
		s.DNSBL = &res
	})
	g.Go(func() {
		h := helo
		if h == "" {
			h = smtpconn.HostnameHELO() // the one default-HELO rule
		}
		res := spf.Check(ctx, o.Resolver, s.IP, o.MailFrom, h)
		s.SPF = &res
	})
	g.Wait()
	s.HELO = helo
}

func heloMatches(helo string, p *iprev.Result) bool {
	if p == nil {
		return false
	}
	h := strings.TrimSuffix(strings.ToLower(helo), ".")
	for _, n := range p.Names {
		if n.Confirmed && strings.TrimSuffix(strings.ToLower(n.Name), ".") == h {
			return true
		}
	}
	return false
}

func senderFindings(s Sender) []report.Finding {
	var out []report.Finding
	if s.PTR != nil {
		out = append(out, iprev.Findings(*s.PTR)...)
		if s.PTR.Result == iprev.StatusPass && s.HELO != "" && !s.HELOMatchesPTR {
			out = append(out, report.New(IDHeloPTR, report.Detailf("EHLO %s, but %s resolves to %s.", "EHLO %s, aber %s löst auf %s auf.", s.HELO, s.IP, s.PTR.Host), s.HELO, s.PTR.Host))
		}
	}
	if s.SPF != nil {
		out = append(out, spf.Findings(*s.SPF)...)
	}
	if s.DNSBL != nil {
		out = append(out, dnsbl.Findings(*s.DNSBL)...)
	}
	return out
}
