package cli

import (
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/mxprobe/mxprobe/internal/dnsbl"
	"github.com/mxprobe/mxprobe/internal/exitcode"
	"github.com/mxprobe/mxprobe/internal/lab"
	"github.com/mxprobe/mxprobe/internal/mtasts"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

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
	// HELO and From are defaults for the lab (the lab's client identity).
	HELO, From string
}

func (e *runEnv) Close() {
	if e.Lab != nil {
		e.Lab.Close()
	}
}

// labOptions lets tests start the lab with short delays.
var labOptions = lab.Options{}

// setup builds the environment of one command run.
func (g *Globals) setup() (*runEnv, error) {
	env := &runEnv{Port: 25}
	// The system roots take ~15 ms to load; do it beside the first network
	// waits instead of at the first certificate check (the result is cached).
	go x509.SystemCertPool()
	if g.Lab {
		lo, err := g.labOptionsFromEnv()
		if err != nil {
			return nil, err
		}
		w, err := lab.Start(lo)
		if err != nil {
			return nil, fmt.Errorf("starting the lab: %w", err)
		}
		env.Lab = w
		r, err := resolver.New(resolver.Config{Servers: []string{w.DNSAddr()}, Timeout: 2 * time.Second, Attempts: 2})
		if err != nil {
			w.Close()
			return nil, err
		}
		env.Resolver = r
		env.RootCAs = w.CA.Pool
		env.Port = int(w.SMTPPort)
		env.Fetcher = &mtasts.Fetcher{Resolver: r, RootCAs: w.CA.Pool, Dial: w.HTTPS.DialContext}
		env.DNSBLZones = lab.DNSBLZones()
		env.HELO = lab.ClientName
		env.From = "postmaster@" + lab.SenderDomain
		return env, nil
	}
	for _, s := range g.Resolvers {
		if _, err := resolver.NormalizeServer(s); err != nil {
			return nil, exitcode.UsageError("invalid --resolver %q: %v", s, err)
		}
	}
	r, err := resolver.Default(g.Resolvers)
	if err != nil {
		return nil, exitcode.WithCode(exitcode.Incomplete, fmt.Errorf("no usable DNS resolver: %w", err))
	}
	env.Resolver = r
	if g.CAFile != "" {
		pool, err := loadCAFile(g.CAFile)
		if err != nil {
			return nil, err
		}
		env.RootCAs = pool
	}
	env.Fetcher = &mtasts.Fetcher{Resolver: r, RootCAs: env.RootCAs}
	return env, nil
}

// withTimeout applies the global --timeout to ctx.
func (g *Globals) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, g.Timeout)
}

// loadCAFile returns the system roots plus the certificates in path.
func loadCAFile(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, exitcode.UsageError("cannot read --ca-file: %v", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, exitcode.UsageError("--ca-file %s holds no PEM certificate", path)
	}
	return pool, nil
}

// labOptionsFromEnv applies the benchmark knobs (scripts/bench.sh) to the
// lab options: MXPROBE_LAB_LATENCY (added to every DNS answer and SMTP reply)
// and MXPROBE_LAB_BULK (extra domains bulk1…N.lab.test).
func (g *Globals) labOptionsFromEnv() (lab.Options, error) {
	lo := labOptions
	if v := g.IO.Getenv("MXPROBE_LAB_LATENCY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > time.Minute {
			return lo, exitcode.UsageError("invalid MXPROBE_LAB_LATENCY %q", v)
		}
		lo.DNSDelay, lo.SMTPLatency = d, d
	}
	if v := g.IO.Getenv("MXPROBE_LAB_BULK"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 100000 {
			return lo, exitcode.UsageError("invalid MXPROBE_LAB_BULK %q", v)
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
		return lo, exitcode.UsageError("invalid MXPROBE_LAB_DNS %q (only \"nxdomain\")", v)
	}
	return lo, nil
}
