package asn

import "strings"

// Network is one entry of the table of known networks.
type Network struct {
	ASN    uint32
	Holder string // as the operator is commonly known
	Kind   string
}

// KnownNetworks is the documented table of well-known hosting/cloud and
// access networks (AS numbers as registered in the RIR databases and shown by
// Team Cymru's service). It is deliberately small: it names the networks the
// background reports and the big German and US hosters/clouds use; every other
// AS is classified by words in its holder name, or stays unknown.
var KnownNetworks = []Network{
	// Hosting and cloud.
	{24940, "Hetzner Online", KindHosting},
	{213230, "Hetzner Online (cloud)", KindHosting},
	{16276, "OVH", KindHosting},
	{61157, "PlusServer", KindHosting},
	{8560, "IONOS (1&1)", KindHosting},
	{6724, "STRATO", KindHosting},
	{51167, "Contabo", KindHosting},
	{197540, "netcup", KindHosting},
	{20773, "Host Europe", KindHosting},
	{12876, "Scaleway", KindHosting},
	{14061, "DigitalOcean", KindHosting},
	{63949, "Akamai Connected Cloud (Linode)", KindHosting},
	{20473, "Vultr (The Constant Company)", KindHosting},
	{16509, "Amazon Web Services", KindHosting},
	{14618, "Amazon Web Services", KindHosting},
	{8075, "Microsoft Azure", KindHosting},
	{396982, "Google Cloud", KindHosting},
	{31898, "Oracle Cloud", KindHosting},
	{60781, "Leaseweb", KindHosting},
	// Access networks (end-user DSL, cable, fibre, mobile).
	{3320, "Deutsche Telekom", KindAccess},
	{3209, "Vodafone Germany", KindAccess},
	{6805, "Telefónica Germany", KindAccess},
	{8881, "1&1 Versatel", KindAccess},
	{8422, "NetCologne", KindAccess},
	{8767, "M-net", KindAccess},
	{8447, "A1 Telekom Austria", KindAccess},
	{3303, "Swisscom", KindAccess},
	{7922, "Comcast", KindAccess},
}

// Words in a holder name that suggest the kind (lower case). Hosting wins
// when both match ("… Telecom Cloud").
var (
	hostingWords = []string{"hosting", "cloud", "server", "datacenter", "data center", "colo", "vps"}
	accessWords  = []string{"telekom", "telecom", "dsl", "broadband", "cable", "kabel", "mobile", "dial"}
)

// Classify says whether asn is a hosting/cloud or an access network: from
// KnownNetworks ("table"), else from words in the holder name ("name"), else
// unknown.
func Classify(asn uint32, holder string) (kind, source string) {
	for _, n := range KnownNetworks {
		if n.ASN == asn {
			return n.Kind, "table"
		}
	}
	h := strings.ToLower(holder)
	for _, w := range hostingWords {
		if strings.Contains(h, w) {
			return KindHosting, "name"
		}
	}
	for _, w := range accessWords {
		if strings.Contains(h, w) {
			return KindAccess, "name"
		}
	}
	return KindUnknown, ""
}
