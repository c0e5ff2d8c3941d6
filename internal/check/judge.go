package check

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/mx"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Finding ids of the orchestrator's sanity rules (a public contract).
const (
	// IDResolverBroken: the target and its TLD are both NXDOMAIN — the
	// resolver filters or is broken, the target's existence is unknown.
	IDResolverBroken = "dns.resolver_broken"
	// IDNoFamily: -4/-6 left no MX address to talk to.
	IDNoFamily = "smtp.no_address_of_family"
	// IDDeadline: the --timeout deadline passed before the run finished.
	IDDeadline = "check.deadline_exceeded"
)

// tld is the last label of a domain ("" for a single label).
func tld(domain string) string {
	d := strings.TrimSuffix(domain, ".")
	i := strings.LastIndexByte(d, '.')
	if i < 0 {
		return ""
	}
	return d[i+1:]
}

// resolverBroken asks the same resolver for the TLD of a target it called
// NXDOMAIN: a TLD that does not exist either means the resolver filters or
// is broken (every real TLD exists in the root zone).
func resolverBroken(ctx context.Context, r resolver.Lookuper, domain string) (bool, report.Finding) {
	t := tld(domain)
	if t == "" {
		return false, report.Finding{}
	}
	a := r.Lookup(ctx, t, resolver.TypeSOA)
	if a.Status != resolver.StatusNXDomain {
		return false, report.Finding{}
	}
	return true, report.New(IDResolverBroken, report.Detailf(
		"The resolver says that %s does not exist, and the top-level domain %s neither.",
		"Der Resolver meldet, dass %s nicht existiert – und die Top-Level-Domain %s ebenso wenig.", domain, t),
		domain+": NXDOMAIN", t+". SOA: NXDOMAIN")
}

// judgeNXDomain applies the NXDOMAIN rules to a target whose MX lookup said
// NXDOMAIN: the record checks of the domain are dropped (a domain that does
// not exist has no SPF, DMARC … to judge: one finding, not five). With a
// broken resolver the NXDOMAIN itself is dropped, and so is every record
// check of any domain (they all went through that resolver); the run is
// incomplete.
func judgeNXDomain(c *collector, res mx.Result, domain string, p *nxProbe) {
	if res.Status != mx.StatusNXDomain {
		return
	}
	c.dropDomain(domain)
	if p != nil && p.broken {
		c.dropID(mx.FindingNXDomain)
		c.drop(func(_ report.Finding, d string) bool { return d != "" })
		c.add(p.finding)
		c.setIncomplete()
	}
}

// nxProbe is the TLD lookup of resolverBroken for a target whose MX lookup
// said NXDOMAIN. It starts on g as soon as that answer is in, beside the
// other lookups, instead of after them; judgeNXDomain reads it once g is
// done.
type nxProbe struct {
	broken  bool
	finding report.Finding
}

func startNXProbe(ctx context.Context, g *group, r resolver.Lookuper, res mx.Result, domain string) *nxProbe {
	p := &nxProbe{}
	if res.Status == mx.StatusNXDomain {
		g.Go(func() { p.broken, p.finding = resolverBroken(ctx, r, domain) })
	}
	return p
}

// Phases of a run, as named in Deadline.Phase.
const (
	PhaseDNS      = "dns"      // MX, addresses and TLSA of the target
	PhaseSMTP     = "smtp"     // the SMTP dialogue
	PhaseSender   = "sender"   // PTR, SPF and block lists of the sender
	PhasePolicies = "policies" // DKIM, DMARC, MTA-STS, TLS-RPT still running
)

// Deadline: the --timeout deadline passed before the run finished
// (`deadline{}` in the JSON).
type Deadline struct {
	// TimeoutMS is the time the run had, from its start to the deadline.
	TimeoutMS float64 `json:"timeout_ms"`
	// Phase is the step running when the deadline passed (PhaseDNS …).
	Phase string `json:"phase"`
}

// PhaseText names a phase for people (a noun phrase without article).
func PhaseText(phase string) i18n.Text {
	switch phase {
	case PhaseDNS:
		return i18n.T("DNS lookups of the destination (MX, addresses, TLSA)", "DNS-Abfragen zum Ziel (MX, Adressen, TLSA)")
	case PhaseSMTP:
		return i18n.T("SMTP dialogue", "SMTP-Dialog")
	case PhaseSender:
		return i18n.T("sender checks (PTR, SPF, block lists)", "Absenderprüfungen (PTR, SPF, Sperrlisten)")
	case PhasePolicies:
		return i18n.T("policy lookups (DKIM, DMARC, MTA-STS, TLS-RPT)", "Richtlinienabfragen (DKIM, DMARC, MTA-STS, TLS-RPT)")
	}
	return i18n.T(phase, phase)
}

func deadlineFinding(d Deadline) report.Finding {
	p := PhaseText(d.Phase)
	return report.New(IDDeadline, i18n.Text{
		EN: fmt.Sprintf("The time limit of %s ran out during this step: %s. The result is incomplete.", fmtMS(d.TimeoutMS, i18n.EN), p.EN),
		DE: fmt.Sprintf("Das Zeitlimit von %s lief in diesem Schritt ab: %s. Das Ergebnis ist unvollständig.", fmtMS(d.TimeoutMS, i18n.DE), p.DE),
	})
}

// fmtMS writes a duration in milliseconds for people ("1 ms", "2.5 s";
// German with a decimal comma).
func fmtMS(ms float64, l i18n.Lang) string {
	var s string
	switch {
	case ms < 1000:
		s = fmt.Sprintf("%.0f ms", ms)
	default:
		s = strconv.FormatFloat(ms/1000, 'f', -1, 64) + " s"
	}
	if l == i18n.DE {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// phaseWatch remembers which step of a run was going on when its context
// ended.
type phaseWatch struct {
	ctx   context.Context
	mu    sync.Mutex
	phase string
	cut   string
	stopc chan struct{}
	done  chan struct{}
}

// cutSlack: a step that ended this shortly before the deadline was ended by
// it (its lookups time out with the context, a moment before the context's
// own timer fires).
const cutSlack = 5 * time.Millisecond

func (w *phaseWatch) watch(ctx context.Context, first string) {
	w.ctx, w.phase, w.stopc, w.done = ctx, first, make(chan struct{}), make(chan struct{})
	go func() {
		defer close(w.done)
		select {
		case <-ctx.Done():
			w.mu.Lock()
			if w.cut == "" {
				w.cut = w.phase
			}
			w.mu.Unlock()
		case <-w.stopc:
		}
	}()
}

// enter starts step p; a context that ended during the step before is
// attributed to that step even if the watching goroutine has not run yet.
func (w *phaseWatch) enter(p string) {
	w.mu.Lock()
	dl, ok := w.ctx.Deadline()
	if w.cut == "" && (w.ctx.Err() != nil || ok && !time.Now().Before(dl.Add(-cutSlack))) {
		w.cut = w.phase
	}
	w.phase = p
	w.mu.Unlock()
}

// stop ends the watch; it returns the Deadline when the context's deadline
// passed (not for a cancellation such as Ctrl-C).
func (w *phaseWatch) stop(ctx context.Context, start time.Time) *Deadline {
	close(w.stopc)
	<-w.done
	// The context's timer may not have fired yet when the deadline has
	// just passed (a lookup's own timeout ended a moment earlier).
	dl, ok := ctx.Deadline()
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) && (!ok || time.Now().Before(dl)) {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	cut := w.cut
	if cut == "" {
		cut = w.phase
	}
	// The run starts a moment after the caller set the deadline: round up
	// to the whole millisecond the user gave (--timeout 1ms → 1; on a busy
	// machine the start may come a few milliseconds late).
	return &Deadline{TimeoutMS: max(0, math.Ceil(float64(dl.Sub(start).Microseconds())/1000)), Phase: cut}
}

// bounded keeps at most n items and says how many more there were.
func bounded(items []string, n int) []string {
	if len(items) <= n {
		return items
	}
	return append(items[:n:n], fmt.Sprintf("… +%d", len(items)-n))
}
