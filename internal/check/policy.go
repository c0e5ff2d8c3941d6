package check

import (
	"context"

	"github.com/mxprobe/mxprobe/internal/dane"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/mtasts"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/tlsrpt"
)

// Policy holds the destination's transport-security policies: `policy{}` in
// the JSON (mta_sts, tls_rpt, dane).
type Policy struct {
	MTASTS *mtasts.Result `json:"mta_sts"`
	TLSRPT *tlsrpt.Result `json:"tls_rpt"`
	DANE   []*dane.Result `json:"dane"`
}

// PolicyOptions configure policy fetching.
type PolicyOptions struct {
	// Fetcher fetches MTA-STS policies (nil: strict default on our resolver;
	// the lab injects its CA and dialer).
	Fetcher *mtasts.Fetcher
}

// IDMTASTSTLS: the policy is enforced but the live TLS session would fail it.
const IDMTASTSTLS = "mtasts.tls_violation"

func init() {
	report.Register(report.Def{ID: IDMTASTSTLS, Severity: report.Fail,
		Title: i18n.T("MTA-STS enforce: the MX fails the TLS requirements", "MTA-STS enforce: der MX erfüllt die TLS-Anforderungen nicht"),
		Advice: i18n.T("With mode enforce, senders that honour MTA-STS refuse to deliver to an MX without STARTTLS or with a certificate that does not verify for the MX name (RFC 8461 §5). Fix the certificate or switch the policy to testing while you do.",
			"Im Modus enforce verweigern Absender, die MTA-STS beachten, die Zustellung an einen MX ohne STARTTLS oder mit einem Zertifikat, das sich für den MX-Namen nicht prüfen lässt (RFC 8461 §5). Beheben Sie das Zertifikat oder stellen Sie die Richtlinie währenddessen auf testing.")})
}

// startMTASTS fetches the policy concurrently; the MX comparison happens in
// finishMTASTS once the MX hosts are known.
func startMTASTS(ctx context.Context, g *group, r resolver.Lookuper, domain string, o PolicyOptions, dst *Policy) {
	g.Go(func() {
		f := o.Fetcher
		if f == nil {
			f = &mtasts.Fetcher{Resolver: r}
		}
		res := mtasts.Check(ctx, r, f, domain, nil)
		dst.MTASTS = &res
	})
}

func finishMTASTS(c *collector, domain string, p *Policy, hosts []*MXHost) {
	if p.MTASTS == nil {
		return
	}
	if len(hosts) > 0 {
		names := make([]string, 0, len(hosts))
		for _, h := range hosts {
			names = append(names, h.Host)
		}
		p.MTASTS.CheckMX(names)
	}
	c.addFor(domain, mtasts.Findings(*p.MTASTS)...)
}

// mtastsTLSFindings compares an enforced policy with the TLS seen live.
func mtastsTLSFindings(p *Policy, hosts []*MXHost) []report.Finding {
	if p.MTASTS == nil || p.MTASTS.Policy == nil || p.MTASTS.Policy.Mode != mtasts.ModeEnforce {
		return nil
	}
	var out []report.Finding
	for _, h := range hosts {
		for _, a := range h.Addresses {
			r := a.SMTP
			if r == nil || r.Extensions == nil {
				continue
			}
			switch {
			case !r.Extensions.STARTTLS:
				out = append(out, report.New(IDMTASTSTLS, report.Detailf("%s offers no STARTTLS.", "%s bietet kein STARTTLS an.", h.Host), r.Address))
			case r.TLS != nil && (!r.TLS.Verified || !r.TLS.NameMatch):
				out = append(out, report.New(IDMTASTSTLS, report.Detailf("The certificate of %s does not verify for that name: %s.", "Das Zertifikat von %s lässt sich für diesen Namen nicht prüfen: %s.", h.Host, r.TLS.VerifyError), r.Address))
			}
		}
	}
	return out
}
