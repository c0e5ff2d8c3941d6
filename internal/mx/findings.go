package mx

import (
	"fmt"
	"strings"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Finding ids of this package (a public contract).
const (
	FindingOK         = "mx.ok"
	FindingNone       = "mx.none"
	FindingNull       = "mx.null"
	FindingNullMixed  = "mx.null_mixed"
	FindingImplicit   = "mx.implicit"
	FindingNXDomain   = "mx.nxdomain"
	FindingTempError  = "mx.temperror"
	FindingCNAME      = "mx.cname"
	FindingIPLiteral  = "mx.ip_literal"
	FindingNoAddress  = "mx.no_address"
	FindingHostFailed = "mx.host_temperror"
)

// Findings turns a Result into findings.
func Findings(res Result) []report.Finding {
	var fs []report.Finding
	switch res.Status {
	case StatusNXDomain:
		return append(fs, report.New(FindingNXDomain,
			report.Detailf("%s does not exist.", "%s existiert nicht.", res.Domain), res.Domain+" MX: NXDOMAIN"))
	case StatusTempError:
		return append(fs, report.New(FindingTempError,
			i18n.Text{
				EN: fmt.Sprintf("No answer for the MX of %s (%s).", res.Domain, res.DNSStatus.Text().EN),
				DE: fmt.Sprintf("Keine Antwort zum MX von %s (%s).", res.Domain, res.DNSStatus.Text().DE),
			},
			res.Domain+" MX: "+string(res.DNSStatus), res.Error))
	case StatusNull:
		return append(fs, report.New(FindingNull,
			report.Detailf("%s publishes \"MX 0 .\".", "%s veröffentlicht „MX 0 .“.", res.Domain), res.Domain+" MX 0 ."))
	case StatusNone:
		return append(fs, report.New(FindingNone,
			report.Detailf("%s has no MX, A or AAAA record.", "%s hat keinen MX-, A- oder AAAA-Eintrag.", res.Domain), res.Domain+" MX: "+string(res.DNSStatus)))
	case StatusInvalid:
		return nil
	case StatusImplicit:
		fs = append(fs, report.New(FindingImplicit,
			report.Detailf("%s has no MX record; mail goes to %s.", "%s hat keinen MX-Eintrag; E-Mail geht an %s.", res.Domain, joinIPs(res.Hosts[0])),
			res.Domain+" MX: "+string(res.DNSStatus)))
	}
	if res.NullMixed {
		fs = append(fs, report.New(FindingNullMixed,
			report.Detailf("%s publishes \"MX 0 .\" and other MX records.", "%s veröffentlicht „MX 0 .“ und weitere MX-Einträge.", res.Domain)))
	}

	usable := 0
	for _, h := range res.Hosts {
		if h.Usable() {
			usable++
		}
	}
	for _, h := range res.Hosts {
		ev := hostEvidence(h)
		if len(h.CNAMEs) > 0 {
			fs = append(fs, report.New(FindingCNAME,
				report.Detailf("%s is an alias of %s.", "%s ist ein Alias von %s.", h.Name, h.CNAMEs[len(h.CNAMEs)-1]),
				h.Name+" CNAME "+strings.Join(h.CNAMEs, " → ")))
		}
		switch {
		case h.IPLiteral:
			fs = append(fs, report.New(FindingIPLiteral,
				report.Detailf("The MX target %q is an IP address.", "Das MX-Ziel „%s“ ist eine IP-Adresse.", h.Name), ev))
		case h.Usable():
		case h.Temporary():
			fs = append(fs, report.New(FindingHostFailed,
				i18n.Text{
					EN: fmt.Sprintf("No answer for the addresses of %s (A: %s, AAAA: %s).", h.Name, h.AStatus.Text().EN, h.AAAAStatus.Text().EN),
					DE: fmt.Sprintf("Keine Antwort zu den Adressen von %s (A: %s, AAAA: %s).", h.Name, h.AStatus.Text().DE, h.AAAAStatus.Text().DE),
				}, ev))
		default:
			f := report.New(FindingNoAddress, i18n.Text{
				EN: fmt.Sprintf("%s: %s.", h.Name, h.Error),
				DE: fmt.Sprintf("%s: %s.", h.Name, noAddressDE(h)),
			}, ev)
			if usable > 0 {
				// Other hosts still take mail: degraded, not broken.
				f = f.WithSeverity(report.Warn)
			}
			fs = append(fs, f)
		}
	}
	if usable > 0 && res.Status == StatusOK {
		ev := make([]string, 0, len(res.Hosts))
		for _, h := range res.Hosts {
			ev = append(ev, hostEvidence(h))
		}
		fs = append(fs, report.New(FindingOK,
			report.Detailf("%d of %d MX hosts have addresses.", "%d von %d MX-Hosts haben Adressen.", usable, len(res.Hosts)), ev...))
	}
	return fs
}

func noAddressDE(h Host) string {
	if h.AStatus == resolver.StatusNXDomain || h.AAAAStatus == resolver.StatusNXDomain {
		return "der Host existiert nicht (NXDOMAIN)"
	}
	return "kein A- oder AAAA-Eintrag"
}

func hostEvidence(h Host) string {
	s := fmt.Sprintf("MX %d %s", h.Preference, h.Name)
	if h.Implicit {
		s = "implicit MX " + h.Name
	}
	if len(h.IPs) > 0 {
		s += " → " + joinIPs(h)
	} else if h.AStatus != "" {
		s += fmt.Sprintf(" → A %s, AAAA %s", h.AStatus, h.AAAAStatus)
	}
	return s
}

func joinIPs(h Host) string {
	parts := make([]string, len(h.IPs))
	for i, ip := range h.IPs {
		parts[i] = ip.String()
	}
	return strings.Join(parts, ", ")
}
