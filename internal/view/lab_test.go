package view

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/check"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/lab"
	"github.com/mxprobe/mxprobe/internal/mtasts"
	"github.com/mxprobe/mxprobe/internal/mxdialog"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// labRun is one scenario checked against the in-process lab, the way
// `mxprobe check --lab` runs it. One run serves both languages (a report
// is language-neutral); Reports has it under both.
type labRun struct {
	Scenario lab.Scenario
	Reports  map[i18n.Lang]*check.Report
	// DNS is `mxprobe dns` of the scenario's domain.
	DNS *check.DNSReport
}

var (
	// labWorld and labResolver are the shared lab (for tests that run a
	// check of their own).
	labWorld    *lab.World
	labResolver *resolver.Resolver
	labOnce     sync.Once
	labRuns     []labRun
	labErr      error
)

// runLab starts one lab and checks every scenario in both languages, at
// most four at a time; the result is shared by the tests of this package.
func runLab(t *testing.T) []labRun {
	t.Helper()
	if testing.Short() {
		t.Skip("lab scenarios: not in -short")
	}
	labOnce.Do(func() { labRuns, labErr = startLabRuns() })
	if labErr != nil {
		t.Fatal(labErr)
	}
	return labRuns
}

func startLabRuns() ([]labRun, error) {
	w, err := lab.Start(lab.Options{TarpitDelay: 10 * time.Second})
	if err != nil {
		return nil, err
	}
	// The lab stays up for the whole test binary (the process exit ends it).
	r, err := resolver.New(resolver.Config{Servers: []string{w.DNSAddr()}, Timeout: 2 * time.Second, Attempts: 2})
	if err != nil {
		return nil, err
	}
	labWorld, labResolver = w, r
	base := check.Options{
		// As `mxprobe check --lab` runs: the null sender unless --from.
		HELO: lab.ClientName,
		Port: int(w.SMTPPort), Resolver: r, RootCAs: w.CA.Pool, DNSBLZones: lab.DNSBLZones(), Version: "test",
		Timeouts: mxdialog.Timeouts{Connect: 2 * time.Second, Banner: 2 * time.Second, Command: 2 * time.Second},
	}
	base.Policy.Fetcher = &mtasts.Fetcher{Resolver: r, RootCAs: w.CA.Pool, Dial: w.HTTPS.DialContext}
	scs := lab.Scenarios()
	runs := make([]labRun, len(scs))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for i, sc := range scs {
		runs[i] = labRun{Scenario: sc, Reports: map[i18n.Lang]*check.Report{}}
		{
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				o := base
				tgt, err := check.ParseTarget(sc.Domain)
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				o.Target = tgt
				if strings.Contains(sc.Title.EN, "use with --from") {
					// A sending-domain scenario: check it as the sender.
					o.MailFrom, o.FromDomain = "postmaster@"+sc.Domain, sc.Domain
				}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				rep := check.Run(ctx, o)
				stabilize(rep)
				do := check.DNSOptions{Target: tgt, Resolver: r, Policy: base.Policy, Version: "test"}
				if o.FromDomain == sc.Domain {
					do.FromDomain, do.MailFrom = o.FromDomain, o.MailFrom
				}
				drep := check.RunDNS(ctx, do)
				mu.Lock()
				runs[i].DNS = drep
				runs[i].Reports[i18n.EN], runs[i].Reports[i18n.DE] = rep, rep
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	return runs, firstErr
}

// stabilize replaces run-to-run variants the lab cannot pin: whether the
// garbage after STARTTLS arrives with the reply or after it decides Go's
// error text for hostile-tls-garbage.lab.test.
func stabilize(rep *check.Report) {
	const variant, canonical = `data after the STARTTLS reply: "38 bytes"`, "tls: first record does not look like a TLS handshake"
	fix := func(s string) string { return strings.ReplaceAll(s, variant, canonical) }
	for _, h := range rep.MX {
		for _, a := range h.Addresses {
			for _, r := range []*mxdialog.Result{a.SMTP, a.AcceptAllTest} {
				if r == nil {
					continue
				}
				if r.TLS != nil {
					r.TLS.Error = fix(r.TLS.Error)
				}
				if r.Error != nil {
					r.Error.Detail = fix(r.Error.Detail)
				}
				for i := range r.Transcript {
					r.Transcript[i].Text = fix(r.Transcript[i].Text)
				}
			}
		}
	}
	for _, f := range rep.RawFindings() {
		for i := range f.Evidence {
			f.Evidence[i] = fix(f.Evidence[i])
		}
		f.Detail.EN, f.Detail.DE = fix(f.Detail.EN), fix(f.Detail.DE)
	}
}
