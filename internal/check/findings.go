package check

import ()

// Finding ids owned by the orchestrator (the checks register their own).
const (
	IDDNSTimeout     = "dns.timeout"
	IDHeloPTR        = "helo.ptr_mismatch"
	IDSilentDropRisk = "silentdrop.risk"
	IDNoFrom         = "sender.no_from"
	IDIPMismatch     = "sender.ip_differs"
	IDNotTried       = "smtp.not_tried"
	IDBannerPTR      = "smtp.banner_ptr_mismatch"
)
