package dane

import (
	"github.com/mxprobe/mxprobe/internal/report"
)

// Finding ids of this package (a public contract).
const (
	FindingOK              = "dane.ok"
	FindingNone            = "dane.none"
	FindingUnauthenticated = "dane.unauthenticated"
	FindingUnusable        = "dane.unusable"
	FindingMismatch        = "dane.mismatch"
	FindingTempError       = "dane.temperror"
)

// Findings turns a Result into findings; with a Verification also dane.ok
// or dane.mismatch for the certificate.
func Findings(res Result) []report.Finding {
	ev := []string{}
	for _, rec := range res.Records {
		e := res.Name + " TLSA " + rec.Text
		if rec.Problem != "" {
			e += " (" + rec.Problem + ")"
		}
		ev = append(ev, e)
	}
	switch res.Status {
	case StatusNone:
		return []report.Finding{report.New(FindingNone,
			report.Detailf("No TLSA records at %s.", "Keine TLSA-Einträge unter %s.", res.Name), res.Name+" TLSA: "+string(res.DNSStatus))}
	case StatusTempError:
		return []report.Finding{report.New(FindingTempError,
			report.Detailf("No answer for %s (%s).", "Keine Antwort zu %s (%s).", res.Name, res.DNSStatus), res.Name+" TLSA: "+string(res.DNSStatus))}
	case StatusUnauthenticated:
		return []report.Finding{report.New(FindingUnauthenticated,
			report.Detailf("%s has %d TLSA records, but the answer is not DNSSEC-authenticated.",
				"%s hat %d TLSA-Einträge, aber die Antwort ist nicht DNSSEC-authentisiert.", res.Name, len(res.Records)), ev...)}
	case StatusUnusable:
		return []report.Finding{report.New(FindingUnusable,
			report.Detailf("None of the %d TLSA records at %s is usable for SMTP.", "Keiner der %d TLSA-Einträge unter %s ist für SMTP nutzbar.", len(res.Records), res.Name), ev...)}
	}
	v := res.Verification
	switch {
	case v == nil:
		return []report.Finding{report.New(FindingOK,
			report.Detailf("%s: %d usable TLSA records, DNSSEC-authenticated.", "%s: %d nutzbare TLSA-Einträge, DNSSEC-authentisiert.", res.Name, len(res.Usable())), ev...)}
	case v.Matched:
		return []report.Finding{report.New(FindingOK,
			report.Detailf("The certificate of %s matches %s.", "Das Zertifikat von %s passt zu %s.", res.Host, v.Record), append(ev, "✓ "+v.Record)...)}
	}
	ev = append(ev, "✗ "+v.Reason) // labels are signs, readable in both languages
	if v.LeafSPKISHA256 != "" {
		ev = append(ev, "→ "+res.Name+" TLSA 3 1 1 "+v.LeafSPKISHA256) // the record for the current key
	}
	return []report.Finding{report.New(FindingMismatch,
		report.Detailf("The certificate of %s matches none of the TLSA records at %s.", "Das Zertifikat von %s passt zu keinem der TLSA-Einträge unter %s.", res.Host, res.Name), ev...)}
}
