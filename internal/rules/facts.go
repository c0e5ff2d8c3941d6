package rules

import (
	"net/netip"

	"github.com/mxprobe/mxprobe/internal/asn"
	"github.com/mxprobe/mxprobe/internal/dkim"
	"github.com/mxprobe/mxprobe/internal/dmarc"
	"github.com/mxprobe/mxprobe/internal/dnsbl"
	"github.com/mxprobe/mxprobe/internal/iprev"
	"github.com/mxprobe/mxprobe/internal/spf"
	"github.com/mxprobe/mxprobe/internal/webcontact"
)

// Facts are the measurements a rulebook is held against. A nil pointer is
// "not measured": the rules it decides come out unknown.
type Facts struct {
	// IP is the sender's egress address, PTR its reverse DNS.
	IP  netip.Addr
	PTR *iprev.Result
	// HELO is the EHLO name; HELOMatchesPTR: it is a forward-confirmed
	// PTR name of IP.
	HELO           string
	HELOMatchesPTR bool
	// MailFrom is the envelope sender, FromDomain the author domain (the
	// message's From domain, else the MAIL FROM domain).
	MailFrom   string
	FromDomain string
	SPF        *spf.Result
	DKIM       *dkim.Result // the keys published for FromDomain
	DMARC      *dmarc.Result
	DNSBL      *dnsbl.Result
	// FromMX: does the author domain accept replies (MX or A)?
	FromMX *MXFact
	// Message are the header facts of a real message (--message, or the
	// probe message of --deliver-to).
	Message *MessageFacts
	// Website is T-Online's operator website check of the PTR name.
	Website *webcontact.Result
	// Network is the egress IP's AS and range-level listings.
	Network *asn.Result
	// DestinationTLS: the destination offered STARTTLS and our probe's
	// handshake worked (nil: no dialogue).
	DestinationTLS *bool
}

// MXFact says whether a domain can receive mail.
type MXFact struct {
	// Status: ok (MX or address records), none (neither, or a null MX),
	// temperror.
	Status string `json:"status"`
	Domain string `json:"domain"`
	// Hosts are the mail exchangers (ok); Detail the MX lookup's status
	// word otherwise (nxdomain, null, servfail, …).
	Hosts  []string `json:"hosts,omitempty"`
	Detail string   `json:"detail,omitempty"`
}

// MX fact statuses.
const (
	MXOK        = "ok"
	MXNone      = "none"
	MXTempError = "temperror"
)
