package cli

import (
	"context"
	"crypto/x509"
	"fmt"
	"strconv"
	"time"

	"github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/dnsbl"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/lab"
	"github.com/mxprobe/mxprobe/internal/mtasts"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Factory holds what a command gets from outside instead of from package
// globals or the process: the streams, the clock, the options of the
// in-process lab, the system roots beneath --ca-file, and the resolver
// builder. Main uses NewFactory; tests build their own (a fake clock, a lab
// with short delays) and pass it to RunFactory or to a command's run
// function.
type Factory struct {
	IO    *IOStreams
	Clock delivery.Clock
	// LabOptions start the lab of --lab (benchmark knobs from the
	// environment are applied on top).
	LabOptions lab.Options
	// SystemRoots returns the roots that --ca-file adds to.
	SystemRoots func() (*x509.CertPool, error)
	// NewResolver builds the resolver of a run (servers from --resolver).
	NewResolver func(servers []string) (*resolver.Resolver, error)
}

// NewFactory is the factory of a real run.
func NewFactory(io *IOStreams) *Factory {
	return &Factory{IO: io, Clock: delivery.SystemClock{}, SystemRoots: x509.SystemCertPool, NewResolver: resolver.Default}
}

// runEnv is what a network command works with: the resolver and, with
// --lab, an in-process lab whose DNS, SMTP port, CA and block list replace
// the real network's.
type runEnv struct {
	Resolver   *resolver.Resolver
	Lab        *lab.World
	RootCAs    *x509.CertPool
	Port       int
	Fetcher    *mtasts.Fetcher
	DNSBLZones []dnsbl.Zone
	// HELO is the lab's client identity (empty outside the lab).
	HELO string
}

func (e *runEnv) Close() {
	if e.Lab != nil {
		e.Lab.Close()
	}
}

// env builds the environment of one network command run.
func (f *Factory) env(g *Globals) (*runEnv, error) {
	if g.Lab {
		return f.labEnv(g)
	}
	env := &runEnv{Port: 25}
	for _, s := range g.Resolvers {
		if _, err := resolver.NormalizeServer(s); err != nil {
			return nil, usageErr("--resolver", i18n.T("invalid --resolver %q: %v", "ungültiger --resolver %q: %v"), s, err)
		}
	}
	r, err := f.NewResolver(g.Resolvers)
	if err != nil {
		return nil, incomplete(fmt.Errorf("no usable DNS resolver: %w", err))
	}
	env.Resolver = r
	if env.RootCAs, err = f.rootCAs(g); err != nil {
		return nil, err
	}
	env.Fetcher = &mtasts.Fetcher{Resolver: r, RootCAs: env.RootCAs}
	return env, nil
}

func (f *Factory) labEnv(g *Globals) (*runEnv, error) {
	lo, err := f.labOptions(g)
	if err != nil {
		return nil, err
	}
	w, err := lab.Start(lo)
	if err != nil {
		return nil, fmt.Errorf("starting the lab: %w", err)
	}
	r, err := resolver.New(resolver.Config{Servers: []string{w.DNSAddr()}, Timeout: 2 * time.Second, Attempts: 2})
	if err != nil {
		w.Close()
		return nil, err
	}
	return &runEnv{Lab: w, Resolver: r, RootCAs: w.CA.Pool, Port: int(w.SMTPPort),
		Fetcher:    &mtasts.Fetcher{Resolver: r, RootCAs: w.CA.Pool, Dial: w.HTTPS.DialContext},
		DNSBLZones: lab.DNSBLZones(), HELO: lab.ClientName}, nil
}

// rootCAs is the one loader of --ca-file: the system roots plus the
// certificates in the file; nil (the system roots) without --ca-file.
func (f *Factory) rootCAs(g *Globals) (*x509.CertPool, error) {
	if g.CAFile == "" {
		return nil, nil
	}
	b, err := readSmallFile(g.CAFile, 1<<20)
	if err != nil {
		return nil, usageErr("--ca-file", i18n.T("cannot read --ca-file: %v", "--ca-file ist nicht lesbar: %v"), err)
	}
	pool, err := f.SystemRoots()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(b) {
		return nil, usageErr("--ca-file", i18n.T("--ca-file %s holds no PEM certificate", "--ca-file %s enthält kein PEM-Zertifikat"), g.CAFile)
	}
	return pool, nil
}

// labOptions applies the benchmark knobs (scripts/bench.sh) to the lab
// options: MXPROBE_LAB_LATENCY (added to every DNS answer and SMTP reply)
// and MXPROBE_LAB_BULK (extra domains bulk1…N.lab.test).
func (f *Factory) labOptions(g *Globals) (lab.Options, error) {
	lo := f.LabOptions
	if v := g.IO.Getenv("MXPROBE_LAB_LATENCY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > time.Minute {
			return lo, usageErr("MXPROBE_LAB_LATENCY", i18n.T("invalid MXPROBE_LAB_LATENCY %q: use a duration up to 1m", "ungültiges MXPROBE_LAB_LATENCY %q: Geben Sie eine Dauer bis 1m an"), v)
		}
		lo.DNSDelay, lo.SMTPLatency = d, d
	}
	if v := g.IO.Getenv("MXPROBE_LAB_BULK"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 100000 {
			return lo, usageErr("MXPROBE_LAB_BULK", i18n.T("invalid MXPROBE_LAB_BULK %q: use 0 to 100000", "ungültiges MXPROBE_LAB_BULK %q: Geben Sie 0 bis 100000 an"), v)
		}
		lo.BulkDomains = n
	}
	// MXPROBE_LAB_DNS=nxdomain: the lab's DNS answers NXDOMAIN for every
	// name, like a filtering resolver (dns.resolver_broken).
	switch v := g.IO.Getenv("MXPROBE_LAB_DNS"); v {
	case "":
	case "nxdomain":
		lo.DNSNXDomain = true
	default:
		return lo, usageErr("MXPROBE_LAB_DNS", i18n.T("invalid MXPROBE_LAB_DNS %q: only nxdomain", "ungültiges MXPROBE_LAB_DNS %q: Erlaubt ist nur nxdomain"), v)
	}
	return lo, nil
}

// withTimeout applies the global --timeout to ctx.
func (g *Globals) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, g.Timeout)
}
