package resolver_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
)

func startServer(t testing.TB) *dnsserver.Server {
	t.Helper()
	s, err := dnsserver.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newResolver uses a short per-attempt timeout so timeout cases stay fast.
func newResolver(t testing.TB, cfg resolver.Config, servers ...*dnsserver.Server) *resolver.Resolver {
	t.Helper()
	for _, s := range servers {
		cfg.Servers = append(cfg.Servers, s.Addr())
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 200 * time.Millisecond
	}
	if cfg.Attempts == 0 {
		cfg.Attempts = 1
	}
	r, err := resolver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestStatusesAreDistinct(t *testing.T) {
	s := startServer(t)
	must(t, s.AddA("host.lab.test", "192.0.2.1"))
	must(t, s.AddA("deep.ent.lab.test", "192.0.2.2"))
	must(t, s.AddA("fail.lab.test", "192.0.2.3"))
	must(t, s.AddA("refused.lab.test", "192.0.2.4"))
	must(t, s.AddA("drop.lab.test", "192.0.2.5"))
	s.SetRule("fail.lab.test", 0, dnsserver.Rule{ServFail: true})
	s.SetRule("refused.lab.test", resolver.TypeA, dnsserver.Rule{Refused: true})
	s.SetRule("drop.lab.test", 0, dnsserver.Rule{Drop: true})
	r := newResolver(t, resolver.Config{}, s)
	ctx := context.Background()

	cases := []struct {
		name     string
		typ      resolver.Type
		status   resolver.Status
		sentinel error
	}{
		{"host.lab.test", resolver.TypeA, resolver.StatusOK, nil},
		{"host.lab.test", resolver.TypeMX, resolver.StatusNoData, nil},
		{"ent.lab.test", resolver.TypeA, resolver.StatusNoData, nil}, // empty non-terminal
		{"missing.lab.test", resolver.TypeA, resolver.StatusNXDomain, nil},
		{"fail.lab.test", resolver.TypeA, resolver.StatusServFail, resolver.ErrServFail},
		{"refused.lab.test", resolver.TypeA, resolver.StatusRefused, resolver.ErrRefused},
		{"drop.lab.test", resolver.TypeA, resolver.StatusTimeout, resolver.ErrTimeout},
	}
	for _, c := range cases {
		a := r.Lookup(ctx, c.name, c.typ)
		if a.Status != c.status {
			t.Errorf("%s %s: status %s, want %s (err %v)", c.name, c.typ, a.Status, c.status, a.Err)
		}
		if c.sentinel == nil && a.Err != nil {
			t.Errorf("%s %s: unexpected error %v", c.name, c.typ, a.Err)
		}
		if c.sentinel != nil && !errors.Is(a.Err, c.sentinel) {
			t.Errorf("%s %s: err %v, want %v", c.name, c.typ, a.Err, c.sentinel)
		}
		if a.Status == resolver.StatusTimeout && (a.Status.Exists() || !a.Status.Temporary()) {
			t.Errorf("timeout must be temporary and not prove anything")
		}
		if a.Name != c.name || a.Type != c.typ {
			t.Errorf("answer names %s %s, want %s %s", a.Name, a.Type, c.name, c.typ)
		}
	}
}

func TestFailover(t *testing.T) {
	for _, rule := range []dnsserver.Rule{{Drop: true}, {ServFail: true}, {Refused: true}, {WrongQuestion: true}, {WrongID: true}} {
		t.Run(fmt.Sprintf("%+v", rule), func(t *testing.T) {
			bad, good := startServer(t), startServer(t)
			for _, s := range []*dnsserver.Server{bad, good} {
				must(t, s.AddMX("lab.test", 10, "mx.lab.test"))
			}
			bad.SetRule("lab.test", 0, rule)
			r := newResolver(t, resolver.Config{}, bad, good)
			a := r.Lookup(context.Background(), "lab.test", resolver.TypeMX)
			if a.Status != resolver.StatusOK || len(a.MX) != 1 || a.MX[0].Host != "mx.lab.test" {
				t.Fatalf("got %+v", a)
			}
			if a.Server != good.Addr() {
				t.Errorf("server %s, want %s", a.Server, good.Addr())
			}
			if bad.Queries() != 1 || good.Queries() != 1 {
				t.Errorf("queries bad %d good %d, want 1 and 1", bad.Queries(), good.Queries())
			}
		})
	}
}

func TestAttemptsRetryWholeList(t *testing.T) {
	s1, s2 := startServer(t), startServer(t)
	s1.SetRule("x.lab.test", 0, dnsserver.Rule{ServFail: true})
	s2.SetRule("x.lab.test", 0, dnsserver.Rule{ServFail: true})
	r := newResolver(t, resolver.Config{Attempts: 3}, s1, s2)
	a := r.Lookup(context.Background(), "x.lab.test", resolver.TypeA)
	if a.Status != resolver.StatusServFail || !errors.Is(a.Err, resolver.ErrServFail) {
		t.Fatalf("got %s %v", a.Status, a.Err)
	}
	if s1.Queries() != 3 || s2.Queries() != 3 {
		t.Errorf("queries %d/%d, want 3/3", s1.Queries(), s2.Queries())
	}
}

func TestTCPFallback(t *testing.T) {
	s := startServer(t)
	must(t, s.AddTXT("big.lab.test", "v=spf1 -all"))
	s.SetRule("big.lab.test", resolver.TypeTXT, dnsserver.Rule{Truncate: true})
	r := newResolver(t, resolver.Config{}, s)
	a := r.Lookup(context.Background(), "big.lab.test", resolver.TypeTXT)
	if a.Status != resolver.StatusOK || len(a.TXT) != 1 || a.TXT[0] != "v=spf1 -all" {
		t.Fatalf("got %+v", a)
	}
	var udp, tcp int
	for _, q := range s.Received() {
		if q.TCP {
			tcp++
		} else {
			udp++
		}
	}
	if udp != 1 || tcp != 1 {
		t.Errorf("udp %d tcp %d, want 1 and 1", udp, tcp)
	}
}

func TestTruncatedWithBrokenTCP(t *testing.T) {
	s := startServer(t)
	must(t, s.AddTXT("big.lab.test", "x"))
	s.SetRule("big.lab.test", 0, dnsserver.Rule{Truncate: true, BrokenTCP: true})
	r := newResolver(t, resolver.Config{Timeout: 5 * time.Second}, s)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a := r.Lookup(ctx, "big.lab.test", resolver.TypeTXT)
	if a.Status != resolver.StatusError || !errors.Is(a.Err, resolver.ErrTruncated) || !errors.Is(a.Err, resolver.ErrNetwork) {
		t.Fatalf("got %s %v", a.Status, a.Err)
	}
	if ctx.Err() != nil {
		t.Fatal("broken TCP was not noticed before the deadline")
	}
}

func TestManyRecordsOverTCP(t *testing.T) {
	s := startServer(t)
	for i := range 1000 {
		must(t, s.AddMX("many.lab.test", uint16(i), fmt.Sprintf("mx%d.many.lab.test", i)))
	}
	for i := range 1001 {
		must(t, s.AddA("toomany.lab.test", netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}).String()))
	}
	r := newResolver(t, resolver.Config{Timeout: 2 * time.Second}, s)
	a := r.Lookup(context.Background(), "many.lab.test", resolver.TypeMX)
	if a.Status != resolver.StatusOK || len(a.MX) != 1000 || a.Truncated {
		t.Fatalf("status %s, %d MX, truncated %v, err %v", a.Status, len(a.MX), a.Truncated, a.Err)
	}
	if a.MX[999].Host != "mx999.many.lab.test" {
		t.Errorf("last MX %+v", a.MX[999])
	}
	b := r.Lookup(context.Background(), "toomany.lab.test", resolver.TypeA)
	if b.Status != resolver.StatusOK || len(b.IPs) != resolver.MaxRecords || !b.Truncated {
		t.Fatalf("status %s, %d IPs, truncated %v, err %v", b.Status, len(b.IPs), b.Truncated, b.Err)
	}
}

func TestADBit(t *testing.T) {
	s := startServer(t)
	must(t, s.AddTLSA("_25._tcp.mx.lab.test", 3, 1, 1, []byte{0xde, 0xad, 0xbe, 0xef}))
	must(t, s.AddA("mx.lab.test", "192.0.2.1"))
	s.SetRule("_25._tcp.mx.lab.test", resolver.TypeTLSA, dnsserver.Rule{AD: true})
	r := newResolver(t, resolver.Config{}, s)
	ctx := context.Background()
	a := r.Lookup(ctx, "_25._tcp.mx.lab.test", resolver.TypeTLSA)
	if a.Status != resolver.StatusOK || !a.Authentic || len(a.TLSA) != 1 {
		t.Fatalf("got %+v", a)
	}
	if got := a.TLSA[0]; got.Usage != 3 || got.Selector != 1 || got.MatchingType != 1 || fmt.Sprintf("%x", got.Data) != "deadbeef" {
		t.Errorf("TLSA %+v", got)
	}
	if b := r.Lookup(ctx, "mx.lab.test", resolver.TypeA); b.Authentic {
		t.Error("AD set without the rule")
	}
	s.SetAD(true)
	if b := r.Lookup(ctx, "mx.lab.test", resolver.TypeAAAA); !b.Authentic || b.Status != resolver.StatusNoData {
		t.Errorf("global AD: %+v", b)
	}
}

func TestCNAME(t *testing.T) {
	for _, chase := range []bool{true, false} {
		t.Run(fmt.Sprint("chase=", chase), func(t *testing.T) {
			s := startServer(t)
			s.SetChaseCNAME(chase)
			must(t, s.AddCNAME("a.lab.test", "b.lab.test"))
			must(t, s.AddCNAME("b.lab.test", "C.lab.test."))
			must(t, s.AddA("c.lab.test", "192.0.2.7"))
			must(t, s.AddCNAME("dangling.lab.test", "nowhere.lab.test"))
			must(t, s.AddCNAME("loop1.lab.test", "loop2.lab.test"))
			must(t, s.AddCNAME("loop2.lab.test", "loop1.lab.test"))
			for i := range 10 {
				must(t, s.AddCNAME(fmt.Sprintf("l%d.lab.test", i), fmt.Sprintf("l%d.lab.test", i+1)))
			}
			must(t, s.AddA("l10.lab.test", "192.0.2.10"))
			r := newResolver(t, resolver.Config{}, s)
			ctx := context.Background()

			a := r.Lookup(ctx, "A.lab.test", resolver.TypeA)
			if a.Status != resolver.StatusOK || len(a.IPs) != 1 || a.IPs[0] != netip.MustParseAddr("192.0.2.7") {
				t.Fatalf("chain: %+v", a)
			}
			if strings.Join(a.CNAMEs, ",") != "b.lab.test,c.lab.test" || a.Name != "a.lab.test" {
				t.Errorf("chain %v name %s", a.CNAMEs, a.Name)
			}
			if c := r.Lookup(ctx, "a.lab.test", resolver.TypeCNAME); c.Status != resolver.StatusOK || len(c.PTR) != 1 || c.PTR[0] != "b.lab.test" {
				t.Errorf("CNAME query: %+v", c)
			}
			if d := r.Lookup(ctx, "dangling.lab.test", resolver.TypeA); d.Status != resolver.StatusNXDomain || len(d.CNAMEs) != 1 {
				t.Errorf("dangling: %+v", d)
			}
			if d := r.Lookup(ctx, "b.lab.test", resolver.TypeMX); d.Status != resolver.StatusNoData {
				t.Errorf("nodata after CNAME: %+v", d)
			}
			l := r.Lookup(ctx, "loop1.lab.test", resolver.TypeA)
			if l.Status != resolver.StatusError || !errors.Is(l.Err, resolver.ErrCNAMELoop) {
				t.Errorf("loop: %s %v", l.Status, l.Err)
			}
			long := r.Lookup(ctx, "l0.lab.test", resolver.TypeA)
			if long.Status != resolver.StatusError || !errors.Is(long.Err, resolver.ErrCNAMEChain) {
				t.Errorf("long chain: %s %v", long.Status, long.Err)
			}
			if ok := r.Lookup(ctx, "l2.lab.test", resolver.TypeA); ok.Status != resolver.StatusOK || len(ok.CNAMEs) != resolver.MaxCNAME {
				t.Errorf("chain of exactly %d: %s %v %v", resolver.MaxCNAME, ok.Status, ok.CNAMEs, ok.Err)
			}
		})
	}
}

func TestCacheOneQueryPerNameType(t *testing.T) {
	s := startServer(t)
	must(t, s.AddA("c.lab.test", "192.0.2.1"))
	s.SetDelay(20 * time.Millisecond) // keep the first query in flight while the others arrive
	r := newResolver(t, resolver.Config{Timeout: 2 * time.Second}, s)
	ctx := context.Background()
	var wg sync.WaitGroup
	answers := make([]*resolver.Answer, 50)
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := "c.lab.test"
			if i%2 == 1 {
				name = "C.LAB.TEST."
			}
			answers[i] = r.Lookup(ctx, name, resolver.TypeA)
		}()
	}
	wg.Wait()
	for i, a := range answers {
		if a.Status != resolver.StatusOK || len(a.IPs) != 1 || a.Name != "c.lab.test" {
			t.Fatalf("answer %d: %+v", i, a)
		}
	}
	// Callers may change what they get without changing the cache.
	answers[0].IPs[0] = netip.MustParseAddr("203.0.113.1")
	a := r.Lookup(ctx, "c.lab.test", resolver.TypeA)
	if a.IPs[0] != netip.MustParseAddr("192.0.2.1") {
		t.Error("cache shares slices with callers")
	}
	r.Lookup(ctx, "nx.lab.test", resolver.TypeA)
	r.Lookup(ctx, "nx.lab.test", resolver.TypeA)
	if n := s.Count("c.lab.test", resolver.TypeA); n != 1 {
		t.Errorf("%d queries for c.lab.test A, want 1", n)
	}
	if n := s.Count("nx.lab.test", resolver.TypeA); n != 1 {
		t.Errorf("%d queries for nx.lab.test A (negative caching), want 1", n)
	}

	nc := newResolver(t, resolver.Config{NoCache: true}, s)
	nc.Lookup(ctx, "c.lab.test", resolver.TypeA)
	nc.Lookup(ctx, "c.lab.test", resolver.TypeA)
	if n := s.Count("c.lab.test", resolver.TypeA); n != 3 {
		t.Errorf("NoCache: %d queries, want 3", n)
	}
}

func TestCacheFailuresAndWaiterContext(t *testing.T) {
	s := startServer(t)
	s.SetRule("slow.lab.test", 0, dnsserver.Rule{Delay: 300 * time.Millisecond})
	must(t, s.AddA("slow.lab.test", "192.0.2.1"))
	r := newResolver(t, resolver.Config{Timeout: 2 * time.Second}, s)

	// The first caller gives up early; the shared lookup goes on and a
	// second caller with time to spare gets the answer.
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	done := make(chan *resolver.Answer)
	go func() { done <- r.Lookup(short, "slow.lab.test", resolver.TypeA) }()
	b := r.Lookup(context.Background(), "slow.lab.test", resolver.TypeA)
	a := <-done
	if a.Status != resolver.StatusTimeout || !errors.Is(a.Err, resolver.ErrTimeout) {
		t.Errorf("short caller: %s %v", a.Status, a.Err)
	}
	if b.Status != resolver.StatusOK {
		t.Errorf("patient caller: %s %v", b.Status, b.Err)
	}
	if n := s.Count("slow.lab.test", resolver.TypeA); n != 1 {
		t.Errorf("%d queries, want 1", n)
	}

	canceled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if c := r.Lookup(canceled, "other.lab.test", resolver.TypeA); !errors.Is(c.Err, resolver.ErrCanceled) {
		t.Errorf("canceled: %s %v", c.Status, c.Err)
	}

	// A timeout is cached for the run too: the dead name is asked once.
	s.SetRule("dead.lab.test", 0, dnsserver.Rule{Drop: true})
	r2 := newResolver(t, resolver.Config{Timeout: 50 * time.Millisecond}, s)
	for range 3 {
		if d := r2.Lookup(context.Background(), "dead.lab.test", resolver.TypeTXT); d.Status != resolver.StatusTimeout {
			t.Fatalf("dead: %s", d.Status)
		}
	}
	if n := s.Count("dead.lab.test", resolver.TypeTXT); n != 1 {
		t.Errorf("%d queries for a dead name, want 1", n)
	}
}

func TestContextDeadlineBoundsLookup(t *testing.T) {
	s := startServer(t)
	s.SetRule("drop.lab.test", 0, dnsserver.Rule{Drop: true})
	r := newResolver(t, resolver.Config{Timeout: 5 * time.Second, Attempts: 5, NoCache: true}, s)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	a := r.Lookup(ctx, "drop.lab.test", resolver.TypeA)
	if a.Status != resolver.StatusTimeout || !errors.Is(a.Err, resolver.ErrTimeout) {
		t.Fatalf("%s %v", a.Status, a.Err)
	}
	if s.Queries() != 1 {
		t.Errorf("%d queries after the deadline, want 1", s.Queries())
	}
}

func TestWrongAnswersRejected(t *testing.T) {
	for _, rule := range []dnsserver.Rule{{WrongQuestion: true}, {WrongID: true}} {
		s := startServer(t)
		must(t, s.AddA("spoof.lab.test", "192.0.2.66"))
		s.SetRule("spoof.lab.test", 0, rule)
		r := newResolver(t, resolver.Config{}, s)
		a := r.Lookup(context.Background(), "spoof.lab.test", resolver.TypeA)
		if a.Status != resolver.StatusError || !errors.Is(a.Err, resolver.ErrMismatch) || len(a.IPs) != 0 {
			t.Errorf("%+v: %s %v %v", rule, a.Status, a.Err, a.IPs)
		}
	}
}

func TestTXTBytesAndOddNames(t *testing.T) {
	s := startServer(t)
	raw := "v=spf1 \"quoted\" back\\slash \x01\xff ümlaut"
	must(t, s.AddTXT("txt.lab.test", raw[:10], raw[10:]))
	must(t, s.AddTXT("txt.lab.test", "second"))
	odd := "we!rd na me+x@y.lab.test"
	must(t, s.AddTXT(odd, "odd"))
	must(t, s.AddTXT(`back\slash.lab.test`, "bs"))
	r := newResolver(t, resolver.Config{}, s)
	ctx := context.Background()
	a := r.Lookup(ctx, "txt.lab.test", resolver.TypeTXT)
	if a.Status != resolver.StatusOK || len(a.TXT) != 2 {
		t.Fatalf("%+v", a)
	}
	got := map[string]bool{a.TXT[0]: true, a.TXT[1]: true}
	if !got[raw] || !got["second"] {
		t.Errorf("TXT %q, want %q and second", a.TXT, raw)
	}
	if b := r.Lookup(ctx, strings.ToUpper(odd), resolver.TypeTXT); b.Status != resolver.StatusOK || b.TXT[0] != "odd" || b.Name != odd {
		t.Errorf("odd name: %+v", b)
	}
	if b := r.Lookup(ctx, `back\slash.lab.test`, resolver.TypeTXT); b.Status != resolver.StatusOK || b.TXT[0] != "bs" {
		t.Errorf("backslash name: %+v", b)
	}
	for _, bad := range []string{"", "a..b", strings.Repeat("x", 64) + ".test", strings.Repeat("abcdefghi.", 26) + "test"} {
		if c := r.Lookup(ctx, bad, resolver.TypeA); c.Status != resolver.StatusError || !errors.Is(c.Err, resolver.ErrInvalidName) {
			t.Errorf("%q: %s %v", bad, c.Status, c.Err)
		}
	}
}

func TestIDNLookup(t *testing.T) {
	s := startServer(t)
	must(t, s.AddMX("xn--mller-kva.lab.test", 10, "mx.lab.test"))
	r := newResolver(t, resolver.Config{}, s)
	a := r.Lookup(context.Background(), "Müller.lab.test", resolver.TypeMX)
	if a.Status != resolver.StatusOK || a.Name != "xn--mller-kva.lab.test" {
		t.Errorf("%+v", a)
	}
}

func TestPTRAndLookupIP(t *testing.T) {
	s := startServer(t)
	must(t, s.AddPTR("192.0.2.1", "mx.lab.test"))
	must(t, s.AddPTR("2001:db8::1", "mx.lab.test"))
	must(t, s.AddA("mx.lab.test", "192.0.2.1"))
	must(t, s.AddAAAA("mx.lab.test", "2001:db8::1"))
	r := newResolver(t, resolver.Config{}, s)
	ctx := context.Background()
	for _, ip := range []string{"192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1"} {
		a := r.Lookup(ctx, resolver.ReverseName(netip.MustParseAddr(ip)), resolver.TypePTR)
		if a.Status != resolver.StatusOK || len(a.PTR) != 1 || a.PTR[0] != "mx.lab.test" {
			t.Errorf("PTR %s: %+v", ip, a)
		}
	}
	v4, v6 := r.LookupIP(ctx, "mx.lab.test")
	if len(v4.IPs) != 1 || !v4.IPs[0].Is4() || len(v6.IPs) != 1 || !v6.IPs[0].Is6() {
		t.Errorf("LookupIP: %+v %+v", v4, v6)
	}
}

func TestReverseName(t *testing.T) {
	for ip, want := range map[string]string{
		"192.0.2.1":          "1.2.0.192.in-addr.arpa",
		"::ffff:192.0.2.1":   "1.2.0.192.in-addr.arpa",
		"2001:db8::567:89ab": "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
	} {
		if got := resolver.ReverseName(netip.MustParseAddr(ip)); got != want {
			t.Errorf("%s: %s, want %s", ip, got, want)
		}
	}
	if got := resolver.ReverseName(netip.Addr{}); got != "" {
		t.Errorf("zero addr: %q", got)
	}
}

func TestNewAndServers(t *testing.T) {
	if _, err := resolver.New(resolver.Config{}); !errors.Is(err, resolver.ErrNoServers) {
		t.Errorf("no servers: %v", err)
	}
	for in, want := range map[string]string{
		"192.0.2.53":        "192.0.2.53:53",
		"192.0.2.53:5353":   "192.0.2.53:5353",
		"2001:db8::53":      "[2001:db8::53]:53",
		"[2001:db8::53]":    "[2001:db8::53]:53",
		"[2001:db8::53]:54": "[2001:db8::53]:54",
		" 127.0.0.1 ":       "127.0.0.1:53",
	} {
		got, err := resolver.NormalizeServer(in)
		if err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "dns.example", "1.2.3.4:0", "1.2.3.4:99999", "[::1", "1.2.3.4:x"} {
		if _, err := resolver.NormalizeServer(bad); !errors.Is(err, resolver.ErrBadServer) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	r, err := resolver.Default([]string{"192.0.2.53"})
	if err != nil || strings.Join(r.Servers(), ",") != "192.0.2.53:53" {
		t.Errorf("Default: %v %v", r, err)
	}
}
