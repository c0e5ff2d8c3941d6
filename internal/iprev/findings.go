package iprev

import (
	"fmt"
	"strings"

	"github.com/mxprobe/mxprobe/internal/report"
)

// Finding ids of this package (a public contract).
const (
	FindingOK           = "rdns.ok"
	FindingMissing      = "rdns.missing"
	FindingNotConfirmed = "rdns.not_confirmed"
	FindingGeneric      = "rdns.generic"
	FindingMultiple     = "rdns.multiple"
	FindingTempError    = "rdns.temperror"
)

// Findings turns a Result into findings.
func Findings(res Result) []report.Finding {
	var fs []report.Finding
	ev := evidence(res)
	switch res.Result {
	case StatusPermError:
		if res.ReverseName == "" {
			return nil // invalid input, no lookup happened
		}
		fs = append(fs, report.New(FindingMissing,
			report.Detailf("%s has no PTR record (%s).", "%s hat keinen PTR-Eintrag (%s).", res.IP, res.PTRStatus), ev...))
	case StatusTempError:
		fs = append(fs, report.New(FindingTempError,
			report.Detailf("The reverse DNS of %s could not be checked.", "Das Reverse-DNS von %s konnte nicht geprüft werden.", res.IP), ev...))
	case StatusFail:
		fs = append(fs, report.New(FindingNotConfirmed,
			report.Detailf("%s has PTR %s, but no name resolves back to %s.", "%s hat den PTR %s, aber kein Name zeigt zurück auf %s.",
				res.IP, namesList(res.Names), res.IP), ev...))
	case StatusPass:
		fs = append(fs, report.New(FindingOK,
			report.Detailf("%s ↔ %s.", "%s ↔ %s.", res.IP, res.Host), ev...))
	}
	if len(res.Names) > 1 {
		fs = append(fs, report.New(FindingMultiple,
			report.Detailf("%s has %d PTR records: %s.", "%s hat %d PTR-Einträge: %s.", res.IP, len(res.Names), namesList(res.Names)), ev...))
	}
	if n, ok := res.Generic(); ok {
		fs = append(fs, report.New(FindingGeneric,
			report.Detailf("%s looks generic.", "%s wirkt generisch.", n.Name),
			n.Name+": "+n.GenericReason))
	}
	return fs
}

func evidence(res Result) []string {
	if res.ReverseName == "" {
		return nil
	}
	var ev []string
	if len(res.Names) == 0 {
		ev = append(ev, fmt.Sprintf("%s PTR: %s", res.ReverseName, res.PTRStatus))
	}
	for _, n := range res.Names {
		ev = append(ev, fmt.Sprintf("%s PTR %s", res.ReverseName, n.Name))
		switch {
		case !n.Checked:
			// Beyond MaxNames (RFC 8601 §3): not forward-checked; a sign, no words.
			ev = append(ev, fmt.Sprintf("%s → – (> %d PTR)", n.Name, MaxNames))
		case len(n.IPs) > 0:
			parts := make([]string, len(n.IPs))
			for i, ip := range n.IPs {
				parts[i] = ip.String()
			}
			ev = append(ev, fmt.Sprintf("%s → %s", n.Name, strings.Join(parts, ", ")))
		default:
			ev = append(ev, fmt.Sprintf("%s → %s", n.Name, n.ForwardStatus))
		}
	}
	return ev
}
