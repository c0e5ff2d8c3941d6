package check

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"

	"github.com/mxprobe/mxprobe/internal/dnsbl"
	"github.com/mxprobe/mxprobe/internal/i18n"
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
		// nil zones: dnsbl's built-in list (Result.Defaults says so).
		res := dnsbl.Check(ctx, o.Resolver, s.IP, o.DNSBLZones)
		s.DNSBL = &res
	})
	g.Go(func() {
		h := helo
		if h == "" {
			h = smtpconn.HostnameHELO() // the one default-HELO rule
		}
		res := spf.Check(ctx, o.Resolver, s.IP, o.MailFrom, h)
		s.SPF, s.spfHELO = &res, h
	})
	if scoresSender(o.RulesOptions, o.IP, o.MailFrom, o.FromDomain) {
		// The rulebook step's network line and AS rules (rules.go).
		g.Go(func() {
			n := senderNetwork(ctx, o.Resolver, o.RulesOptions, s.IP)
			s.network = &n
		})
	}
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
		for _, f := range iprev.Findings(*s.PTR) {
			if s.IP.Is6() && f.Severity != report.OK && f.Severity != report.Info {
				f = f.WithAdvice(adviceIPv6PTR)
			}
			out = append(out, f)
		}
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

// nullSender: the reverse path is <> (RFC 5321 §4.5.5).
func nullSender(mailFrom string) bool {
	m := strings.TrimSpace(mailFrom)
	return m == "" || m == "<>"
}

// settleSPF re-evaluates SPF of the null sender for the EHLO name actually
// sent when the sender checks started before it was known (RFC 7208 §2.3:
// the null sender's SPF identity is the EHLO name).
func settleSPF(ctx context.Context, o Options, s *Sender) {
	if !nullSender(o.MailFrom) || s.HELO == "" || strings.EqualFold(s.HELO, s.spfHELO) {
		return
	}
	res := spf.Check(ctx, o.Resolver, s.IP, o.MailFrom, s.HELO)
	s.SPF, s.spfHELO = &res, s.HELO
}

// adviceIPv6PTR: over IPv6 the big receivers are stricter. Sources: Google,
// "Email sender guidelines" (support.google.com/mail/answer/81126), section
// on IPv6: the sending IP must have a PTR whose name resolves back to it,
// and the domain must pass SPF or DKIM — else Gmail rejects with 550-5.7.1
// "… does not meet IPv6 sending guidelines regarding PTR records and
// authentication". Microsoft Learn, "Support for anonymous inbound email
// messages over IPv6 in Exchange Online" and the NDR page for 5.7.25: an
// IPv6 sender without a reverse DNS record is rejected (550 5.7.25); the
// consumer service Outlook.com runs on the same protection stack.
var adviceIPv6PTR = i18n.T("Over IPv6 the big receivers are stricter than over IPv4: Gmail rejects IPv6 senders without a forward-confirmed PTR (550-5.7.1 “does not meet IPv6 sending guidelines regarding PTR records”), Microsoft (Outlook.com, Exchange Online) with 550 5.7.25. Have the owner of the address block set the PTR to the server's host name and give that name an AAAA record with this address — or send over IPv4 until then (Postfix: smtp_address_preference = ipv4).",
	"Über IPv6 sind die großen Empfänger strenger als über IPv4: Gmail lehnt IPv6-Absender ohne vorwärts bestätigten PTR ab (550-5.7.1 mit Verweis auf seine IPv6-Richtlinien zu PTR-Einträgen), Microsoft (Outlook.com, Exchange Online) mit 550 5.7.25. Lassen Sie den Inhaber des Adressblocks den PTR auf den Hostnamen des Servers setzen und geben Sie diesem Namen einen AAAA-Eintrag mit dieser Adresse – oder senden Sie bis dahin über IPv4 (Postfix: smtp_address_preference = ipv4).")
