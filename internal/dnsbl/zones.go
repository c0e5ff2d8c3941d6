package dnsbl

import (
	"net/netip"
	"strings"

	"github.com/mxprobe/mxprobe/internal/i18n"
)

// Code is the meaning of one return code of a list.
type Code struct {
	// Name is the sub-list or level, e.g. "SBL", "XBL", "PBL", "L5".
	Name string `json:"name"`
	// Meaning explains it in both languages.
	Meaning i18n.Text `json:"meaning"`
	// Policy marks listings that are about the kind of address (dynamic or
	// customer ranges that should not send directly), not about spam seen
	// from it — Spamhaus PBL.
	Policy bool `json:"policy,omitempty"`
}

// Zone is one DNS block list (RFC 5782).
type Zone struct {
	// Name is the DNS zone queried, e.g. "zen.spamhaus.org".
	Name string `json:"name"`
	// Label is a human-readable name, e.g. "Spamhaus ZEN".
	Label string `json:"label"`
	// IPv6 is set when the zone answers IPv6 (nibble form) queries
	// (RFC 5782 §2.4); IPv6 addresses are not looked up in other zones.
	IPv6 bool `json:"ipv6"`
	// Lookup is a web page to look up an address and request delisting.
	Lookup string `json:"lookup,omitempty"`
	// Codes maps return codes to their meaning; unknown codes inside
	// 127.0.0.0/8 still count as a listing.
	Codes map[netip.Addr]Code `json:"-"`
	// ErrorCodes are answers that mean "your query was refused or is
	// unusable", never a listing (Spamhaus: 127.255.255.0/24).
	ErrorCodes map[netip.Addr]Code `json:"-"`
}

// refusalRange is the range Spamhaus reserves for error answers ("should
// NOT be interpreted as any sort of reputation", Spamhaus, "DNSBL return
// codes: technical update", 2019). No other list uses it for listings, so it
// is an error answer for every zone.
var refusalRange = netip.MustParsePrefix("127.255.255.0/24")

func ip4(s string) netip.Addr { return netip.MustParseAddr(s) }

// Spamhaus return codes (Spamhaus DNSBL Usage FAQ, "What do the 127.*.*.*
// Return Codes mean?").
var spamhausCodes = map[netip.Addr]Code{
	ip4("127.0.0.2"): {Name: "SBL", Meaning: i18n.T("Spamhaus Block List: a verified spam source or spam operation", "Spamhaus Block List: nachgewiesene Spam-Quelle oder Spam-Betreiber")},
	ip4("127.0.0.3"): {Name: "CSS", Meaning: i18n.T("SBL CSS: low-reputation address seen sending snowshoe spam", "SBL CSS: Adresse mit schlechtem Ruf, die Snowshoe-Spam versendet hat")},
	ip4("127.0.0.4"): {Name: "XBL", Meaning: i18n.T("Exploits Block List (CBL): an infected or hijacked host (malware, open proxy)", "Exploits Block List (CBL): infizierter oder gekaperter Rechner (Schadsoftware, offener Proxy)")},
	ip4("127.0.0.5"): {Name: "XBL", Meaning: i18n.T("Exploits Block List: an infected or hijacked host", "Exploits Block List: infizierter oder gekaperter Rechner")},
	ip4("127.0.0.6"): {Name: "XBL", Meaning: i18n.T("Exploits Block List: an infected or hijacked host", "Exploits Block List: infizierter oder gekaperter Rechner")},
	ip4("127.0.0.7"): {Name: "XBL", Meaning: i18n.T("Exploits Block List: an infected or hijacked host", "Exploits Block List: infizierter oder gekaperter Rechner")},
	ip4("127.0.0.9"): {Name: "DROP", Meaning: i18n.T("Don't Route Or Peer: a network hijacked or run by criminals", "Don't Route Or Peer: ein gekapertes oder von Kriminellen betriebenes Netz")},
	ip4("127.0.0.10"): {Name: "PBL", Policy: true, Meaning: i18n.T("Policy Block List (listed by the ISP): a customer or dynamic range that should send mail only through the provider's mail server",
		"Policy Block List (vom Provider eingetragen): ein Kunden- oder dynamischer Bereich, der E-Mail nur über den Mailserver des Providers senden soll")},
	ip4("127.0.0.11"): {Name: "PBL", Policy: true, Meaning: i18n.T("Policy Block List (listed by Spamhaus): the address looks like an end-user range that should not send mail directly",
		"Policy Block List (von Spamhaus eingetragen): die Adresse gehört offenbar zu einem Endkundenbereich, der E-Mail nicht direkt versenden soll")},
}

var spamhausErrors = map[netip.Addr]Code{
	ip4("127.255.255.252"): {Name: "typo", Meaning: i18n.T("Spamhaus: typing error in the list's zone name", "Spamhaus: Tippfehler im Zonennamen der Liste")},
	ip4("127.255.255.254"): {Name: "public-resolver", Meaning: i18n.T("Spamhaus refuses queries that arrive through a public or open resolver (Google, Cloudflare, Quad9, many cloud providers' resolvers)",
		"Spamhaus beantwortet keine Anfragen, die über einen öffentlichen oder offenen Resolver kommen (Google, Cloudflare, Quad9, Resolver vieler Cloud-Anbieter)")},
	ip4("127.255.255.255"): {Name: "rate-limit", Meaning: i18n.T("Spamhaus refuses queries from this resolver: too many queries (free-use limit exceeded)",
		"Spamhaus beantwortet keine Anfragen dieses Resolvers: zu viele Anfragen (Grenze der kostenlosen Nutzung überschritten)")},
}

func listed(meaningEN, meaningDE string) map[netip.Addr]Code {
	return map[netip.Addr]Code{ip4("127.0.0.2"): {Name: "listed", Meaning: i18n.T(meaningEN, meaningDE)}}
}

// Mailspike: bl.mailspike.net combines the zero-hour list (127.0.0.2) with
// the worst reputation levels L5–L3 of rep.mailspike.net (127.0.0.10–12)
// (mailspike.org/usage.html).
var mailspikeCodes = map[netip.Addr]Code{
	ip4("127.0.0.2"):  {Name: "ZBI", Meaning: i18n.T("Mailspike zero-hour list: the address took part in a current spam wave", "Mailspike Zero-Hour-Liste: die Adresse war an einer aktuellen Spam-Welle beteiligt")},
	ip4("127.0.0.10"): {Name: "L5", Meaning: i18n.T("Mailspike reputation L5: worst possible reputation", "Mailspike-Reputation L5: schlechtestmöglicher Ruf")},
	ip4("127.0.0.11"): {Name: "L4", Meaning: i18n.T("Mailspike reputation L4: very bad reputation", "Mailspike-Reputation L4: sehr schlechter Ruf")},
	ip4("127.0.0.12"): {Name: "L3", Meaning: i18n.T("Mailspike reputation L3: bad reputation", "Mailspike-Reputation L3: schlechter Ruf")},
}

var knownZones = []Zone{
	{Name: "zen.spamhaus.org", Label: "Spamhaus ZEN", IPv6: true, Lookup: "https://check.spamhaus.org/",
		Codes: spamhausCodes, ErrorCodes: spamhausErrors},
	{Name: "bl.spamcop.net", Label: "SpamCop", Lookup: "https://www.spamcop.net/bl.shtml",
		Codes: listed("SpamCop: the address sent mail that SpamCop users reported as spam", "SpamCop: von der Adresse kam E-Mail, die SpamCop-Nutzer als Spam gemeldet haben")},
	{Name: "b.barracudacentral.org", Label: "Barracuda", Lookup: "https://www.barracudacentral.org/lookups",
		Codes: listed("Barracuda Reputation Block List: poor sending reputation", "Barracuda Reputation Block List: schlechter Versand-Ruf")},
	{Name: "psbl.surriel.com", Label: "PSBL", Lookup: "https://psbl.org/",
		Codes: listed("Passive Spam Block List: the address sent mail to spam traps", "Passive Spam Block List: die Adresse hat E-Mail an Spamfallen gesendet")},
	{Name: "bl.mailspike.net", Label: "Mailspike", Lookup: "https://mailspike.io/ip_verify",
		Codes: mailspikeCodes},
}

// DefaultZones returns the lists checked by default: Spamhaus ZEN, SpamCop,
// Barracuda, PSBL and Mailspike.
func DefaultZones() []Zone {
	out := make([]Zone, len(knownZones))
	copy(out, knownZones)
	return out
}

// ZoneFor returns the zone for a name: a known list with its return codes,
// or a generic list for any other name. Spamhaus Data Query Service zones
// ("<key>.zen.dq.spamhaus.net") get the Spamhaus codes.
func ZoneFor(name string) Zone {
	name = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
	for _, z := range knownZones {
		if z.Name == name {
			return z
		}
	}
	if strings.HasSuffix(name, ".zen.dq.spamhaus.net") {
		return Zone{Name: name, Label: "Spamhaus ZEN (DQS)", IPv6: true, Lookup: "https://check.spamhaus.org/",
			Codes: spamhausCodes, ErrorCodes: spamhausErrors}
	}
	return Zone{Name: name, Label: name}
}

// decode interprets one answer address of zone z.
func (z Zone) decode(a netip.Addr) (c Code, isError bool) {
	a = a.Unmap()
	if c, ok := z.ErrorCodes[a]; ok {
		return c, true
	}
	if refusalRange.Contains(a) {
		return Code{Name: "error", Meaning: i18n.T("error answer of the list (127.255.255.0/24): the query was refused, not a listing",
			"Fehlerantwort der Liste (127.255.255.0/24): die Anfrage wurde abgewiesen, kein Eintrag")}, true
	}
	if c, ok := z.Codes[a]; ok {
		return c, false
	}
	return Code{Name: a.String(), Meaning: i18n.T("listed (return code "+a.String()+")", "gelistet (Rückgabecode "+a.String()+")")}, false
}
