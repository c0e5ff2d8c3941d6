package check

import (
	"context"
	"fmt"
	"strings"

	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/spf"
)

// SPFRecord is the SPF record of a domain, validated but not evaluated
// (`mxprobe dns` without --ip).
type SPFRecord struct {
	Domain string `json:"domain"`
	// Status: valid, invalid, multiple, none, temperror.
	Status string `json:"status"`
	Record string `json:"record,omitempty"`
	Error  string `json:"error,omitempty"`
}

const IDSPFRecordOK = "spf.record_ok"

func spfRecord(ctx context.Context, r resolver.Lookuper, domain string) SPFRecord {
	out := SPFRecord{Domain: domain}
	a := r.Lookup(ctx, domain, resolver.TypeTXT)
	switch {
	case a.Status.Temporary():
		out.Status = "temperror"
		out.Error = fmt.Sprintf("TXT lookup of %s: %s", domain, a.Status)
		return out
	case a.Status != resolver.StatusOK:
		out.Status = "none"
		return out
	}
	var recs []string
	for _, t := range a.TXT {
		if spf.IsSPF(t) {
			recs = append(recs, t)
		}
	}
	switch len(recs) {
	case 0:
		out.Status = "none"
		return out
	case 1:
	default:
		// RFC 7208 §4.5: more than one record is a permerror.
		out.Status = "multiple"
		out.Record = strings.Join(recs, " | ")
		out.Error = fmt.Sprintf("%d SPF records (RFC 7208 §4.5 allows one)", len(recs))
		return out
	}
	out.Record = recs[0]
	if _, err := spf.Parse(recs[0]); err != nil {
		out.Status = "invalid"
		out.Error = err.Error()
		return out
	}
	out.Status = "valid"
	return out
}

func (s SPFRecord) findings() []report.Finding {
	ev := []string{s.Domain}
	if s.Record != "" {
		ev = append(ev, s.Record)
	}
	switch s.Status {
	case "valid":
		return []report.Finding{report.New(IDSPFRecordOK, report.Detailf("%s publishes: %s", "%s veröffentlicht: %s", s.Domain, s.Record), ev...)}
	case "none":
		return []report.Finding{report.New("spf.none", report.Detailf("%s publishes no SPF record.", "%s veröffentlicht keinen SPF-Eintrag.", s.Domain), ev...)}
	case "temperror":
		return []report.Finding{report.New("spf.temperror", report.Detailf("The SPF record of %s could not be fetched: %s.", "Der SPF-Eintrag von %s konnte nicht abgerufen werden: %s.", s.Domain, s.Error), ev...)}
	default:
		return []report.Finding{report.New("spf.permerror", report.Detailf("The SPF record of %s is invalid: %s.", "Der SPF-Eintrag von %s ist ungültig: %s.", s.Domain, s.Error), ev...)}
	}
}
