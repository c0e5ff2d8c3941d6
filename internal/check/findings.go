package check

import "github.com/mxprobe/mxprobe/internal/resolver"

// Finding ids owned by the orchestrator (the checks register their own).
const (
	IDDNSTimeout     = "dns.timeout"
	IDDNSServfail    = "dns.servfail"
	IDDNSRefused     = "dns.refused"
	IDDNSError       = "dns.error"
	IDHeloPTR        = "helo.ptr_mismatch"
	IDSilentDropRisk = "silentdrop.risk"
	IDNoFrom         = "sender.no_from"
	IDIPMismatch     = "sender.ip_differs"
	IDNotTried       = "smtp.not_tried"
	IDBannerPTR      = "smtp.banner_ptr_mismatch"
)

// DNSFailureID is the finding id of a failed lookup by its status: SERVFAIL,
// REFUSED and a timeout are told apart (the resolver keeps them apart).
func DNSFailureID(st resolver.Status) string {
	switch st {
	case resolver.StatusServFail:
		return IDDNSServfail
	case resolver.StatusRefused:
		return IDDNSRefused
	case resolver.StatusTimeout:
		return IDDNSTimeout
	}
	return IDDNSError
}
