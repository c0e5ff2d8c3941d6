package asn

import (
	"context"
	"net/netip"
	"strings"
	"sync"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// RangeZone is a block list that lists whole ranges or ASes, not single
// addresses.
type RangeZone struct {
	Name  string `json:"zone"`
	Label string `json:"label"`
	// Level is the list's escalation level (UCEPROTECT: 2 = allocation,
	// 3 = whole AS).
	Level int `json:"level"`
	// UsedBy says which receivers are known to block on it.
	UsedBy i18n.Text `json:"-"`
}

// usedByUCEPROTECT: none of the five receivers in mxprobe's rulebooks
// (Microsoft, Google, Yahoo, T-Online, GMX/WEB.DE) documents using
// UCEPROTECT; RIPEstat's blocklist view includes it (discussed on RIPE's
// anti-abuse-wg list, 2021). UCEPROTECT's own level-2 policy warns that
// blocking on it loses some legitimate mail.
var usedByUCEPROTECT = i18n.T(
	"unknown: none of the big receivers documents using it; RIPEstat shows it; UCEPROTECT itself warns that blocking on levels 2/3 loses legitimate mail",
	"unbekannt: keiner der großen Empfänger gibt an, sie zu nutzen; RIPEstat zeigt sie an; UCEPROTECT warnt selbst, dass Blockieren nach Stufe 2/3 legitime Mail kostet")

// UCEPROTECTZones are the range-level lists of UCEPROTECT
// (https://www.uceprotect.net/en/index.php?m=3&s=4): level 2 lists an
// allocation when too many of its addresses are on level 1, level 3 a whole
// AS.
var UCEPROTECTZones = []RangeZone{
	{Name: "dnsbl-2.uceprotect.net", Label: "UCEPROTECT level 2", Level: 2, UsedBy: usedByUCEPROTECT},
	{Name: "dnsbl-3.uceprotect.net", Label: "UCEPROTECT level 3", Level: 3, UsedBy: usedByUCEPROTECT},
}

// Range listing statuses.
const (
	RangeListed    = "listed"
	RangeNotListed = "not_listed"
	RangeUnknown   = "unknown" // the list could not be asked (timeout, refused, IPv6)
)

// RangeListing is the answer of one range-level list.
//
// JSON fields: zone, label, level, status (listed, not_listed, unknown),
// answer (the A record of a listing), used_by (which receivers are known to
// block on the list, in the report's language; filled by Localize).
type RangeListing struct {
	RangeZone
	Status string `json:"status"`
	Answer string `json:"answer,omitempty"`
	UsedBy string `json:"used_by,omitempty"`
}

// CheckRanges asks every zone about ip (IPv4 only: UCEPROTECT has no IPv6
// zones), concurrently, with deadlines from ctx.
func CheckRanges(ctx context.Context, r resolver.Lookuper, ip netip.Addr, zones []RangeZone) []RangeListing {
	out := make([]RangeListing, len(zones))
	ip = ip.Unmap()
	var wg sync.WaitGroup
	for i, z := range zones {
		out[i] = RangeListing{RangeZone: z, Status: RangeUnknown}
		if !ip.Is4() {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// RFC 5782 §2.1: the reversed octets under the list's zone.
			a := r.Lookup(ctx, strings.TrimSuffix(resolver.ReverseName(ip), ".in-addr.arpa")+"."+z.Name, resolver.TypeA)
			switch {
			case a.Status == resolver.StatusOK && len(a.IPs) > 0 && isListing(a.IPs[0]):
				out[i].Status, out[i].Answer = RangeListed, a.IPs[0].String()
			case a.Status == resolver.StatusNXDomain || a.Status == resolver.StatusNoData:
				out[i].Status = RangeNotListed
			}
		}()
	}
	wg.Wait()
	return out
}

// isListing: RFC 5782 §2.1 listings answer in 127.0.0.0/8.
func isListing(a netip.Addr) bool {
	return a.Is4() && a.As4()[0] == 127
}

// Localize fills the used_by texts in lang.
func Localize(ls []RangeListing, lang i18n.Lang) {
	for i := range ls {
		ls[i].UsedBy = ls[i].RangeZone.UsedBy.In(lang)
	}
}
