// Package provider recognises the operator of a mail server (Microsoft,
// Google, Yahoo, Apple, GMX, WEB.DE, T-Online, …) from an MX host name or from
// the text of a banner or reply, and holds each operator's guidance: where a
// sender looks up reputation, which form or portal to use, and what to put in
// the request. The explain, check and delivery packages use it.
package provider

import (
	"strings"
	"sync"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/provider/acmatch"
)

// Provider names (stable; they appear in JSON output).
const (
	Microsoft  = "microsoft"
	Google     = "google"
	Yahoo      = "yahoo"
	Apple      = "apple"
	GMX        = "gmx"
	WebDE      = "webde"
	IONOS      = "ionos"
	TOnline    = "t-online"
	Proton     = "proton"
	Mimecast   = "mimecast"
	Proofpoint = "proofpoint"
	Zoho       = "zoho"
	// UnitedInternet stands for GMX, WEB.DE and IONOS/1&1 together, when a
	// reply is recognisably from their shared mail system but names no one
	// brand (their replies and error catalogue are the same).
	UnitedInternet = "unitedinternet"
)

// Family names the operator family a brand belongs to: United Internet for
// GMX, WEB.DE and IONOS/1&1; every other operator is its own family.
func Family(name string) string {
	switch name {
	case GMX, WebDE, IONOS, UnitedInternet:
		return UnitedInternet
	}
	return name
}

// Kinds of service.
const (
	KindConsumer = "consumer" // a free mail service for end users (outlook.com, gmail.com, …)
	KindTenant   = "tenant"   // a hosted business service for an organisation (Exchange Online, Google Workspace)
	KindGateway  = "gateway"  // a filtering gateway in front of the organisation's own servers
	KindUnknown  = ""         // the operator is known, the kind is not
)

// Info describes a recognised operator.
type Info struct {
	Name     string     `json:"name"`
	Kind     string     `json:"kind,omitempty"`
	Display  string     `json:"display"`
	Evidence string     `json:"evidence,omitempty"` // what matched: "mx:…", "text:…"
	Guidance []Guidance `json:"guidance,omitempty"`
}

// Guidance is one place a sender can go, with what it is for.
type Guidance struct {
	Title i18n.Text `json:"title"`
	URL   string    `json:"url,omitempty"`
	Text  i18n.Text `json:"text"`
}

type hostRule struct {
	suffix string // matched against the host name with a leading dot, so "." + suffix must end it
	name   string
	kind   string
}

// MX host name suffixes, most specific first. Sources: the providers' own MX
// records (e.g. outlook.com → outlook-com.olc.protection.outlook.com,
// Exchange Online tenants → <tenant>.mail.protection.outlook.com,
// gmail.com → gmail-smtp-in.l.google.com, Workspace → aspmx.l.google.com or
// smtp.google.com, yahoo.com → mta*.am0.yahoodns.net, icloud.com →
// mx0*.mail.icloud.com, gmx.net → mx*.gmx.net, web.de → mx-ha*.web.de,
// t-online.de → mx*.t-online.de, proton.me → mail.protonmail.ch).
var hostRules = []hostRule{
	{"olc.protection.outlook.com", Microsoft, KindConsumer},
	{"mail.protection.outlook.com", Microsoft, KindTenant},
	{"mail.eo.outlook.com", Microsoft, KindTenant},
	{"mx.microsoft", Microsoft, KindTenant}, // Exchange Online's DNSSEC-signed MX names (<domain>.<id>.mx.microsoft)
	{"protection.outlook.com", Microsoft, KindUnknown},
	{"hotmail.com", Microsoft, KindConsumer},
	{"outlook.com", Microsoft, KindUnknown},
	{"gmail-smtp-in.l.google.com", Google, KindConsumer},
	{"aspmx.l.google.com", Google, KindTenant},
	{"smtp.google.com", Google, KindTenant},
	{"googlemail.com", Google, KindUnknown},
	{"google.com", Google, KindUnknown},
	{"yahoodns.net", Yahoo, KindConsumer},
	{"yahoo.com", Yahoo, KindConsumer},
	{"aol.com", Yahoo, KindConsumer},
	{"mail.icloud.com", Apple, KindConsumer},
	{"icloud.com", Apple, KindConsumer},
	{"me.com", Apple, KindConsumer},
	{"privaterelay.appleid.com", Apple, KindConsumer},
	{"gmx.net", GMX, KindConsumer},
	{"gmx.de", GMX, KindConsumer},
	{"gmx.com", GMX, KindConsumer},
	{"web.de", WebDE, KindConsumer},
	{"kundenserver.de", IONOS, KindTenant},
	{"ionos.de", IONOS, KindTenant},
	{"ionos.com", IONOS, KindTenant},
	{"t-online.de", TOnline, KindConsumer},
	{"protonmail.ch", Proton, KindConsumer},
	{"proton.me", Proton, KindConsumer},
	{"mimecast.com", Mimecast, KindGateway},
	{"mimecast.co.za", Mimecast, KindGateway},
	{"pphosted.com", Proofpoint, KindGateway},
	{"ppe-hosted.com", Proofpoint, KindGateway},
	{"zoho.com", Zoho, KindUnknown},
	{"zoho.eu", Zoho, KindUnknown},
	{"zohomail.com", Zoho, KindUnknown},
}

type textRule struct {
	needle string // lower case
	name   string
	kind   string
}

// Text fragments that identify an operator in a banner or reply. Host names
// inside the text count like an MX match; the rest are tags or links the
// operator puts into its replies (see the rules in internal/explain).
var textRules = []textRule{
	{"olc.protection.outlook.com", Microsoft, KindConsumer},
	{"mail.protection.outlook.com", Microsoft, KindTenant},
	{"(s3150)", Microsoft, KindConsumer},
	{"(s3140)", Microsoft, KindConsumer},
	{"(s3114)", Microsoft, KindConsumer},
	{"(s775)", Microsoft, KindConsumer},
	{"(s843)", Microsoft, KindConsumer},
	{"mail.live.com", Microsoft, KindConsumer},
	{"postmaster.live.com", Microsoft, KindConsumer},
	{"sendersupport.olc", Microsoft, KindConsumer},
	{"outlook.com's sender requirements", Microsoft, KindConsumer},
	{"does not meet the required authentication level", Microsoft, KindConsumer},
	{" sc-001", Microsoft, KindConsumer},
	{" sc-002", Microsoft, KindConsumer},
	{" sc-003", Microsoft, KindConsumer},
	{" sc-004", Microsoft, KindConsumer},
	{" rp-001", Microsoft, KindConsumer},
	{" rp-002", Microsoft, KindConsumer},
	{" rp-003", Microsoft, KindConsumer},
	{" dy-001", Microsoft, KindConsumer},
	{" dy-002", Microsoft, KindConsumer},
	{" ou-001", Microsoft, KindConsumer},
	{" ou-002", Microsoft, KindConsumer},
	{"sender.office.com", Microsoft, KindTenant},
	{"prod.protection.outlook.com", Microsoft, KindUnknown},
	{"prod.outlook.com", Microsoft, KindUnknown},
	{".eop-", Microsoft, KindTenant},
	{"exchangelabs.com", Microsoft, KindTenant},
	{"resolver.adr.", Microsoft, KindUnknown},
	{"go.microsoft.com", Microsoft, KindUnknown},
	{"gmail-smtp-in.l.google.com", Google, KindConsumer},
	{"aspmx.l.google.com", Google, KindTenant},
	{"support.google.com/mail", Google, KindUnknown},
	{"support.google.com/a/", Google, KindUnknown},
	{"mail.google.com/support", Google, KindUnknown},
	{" - gsmtp", Google, KindUnknown},
	{"gmail requires", Google, KindUnknown},
	{"gmail has detected", Google, KindUnknown},
	{"yahoodns.net", Yahoo, KindConsumer},
	{"postmaster.yahooinc.com", Yahoo, KindConsumer},
	{"senders.yahooinc.com", Yahoo, KindConsumer},
	{"postmaster.verizonmedia.com", Yahoo, KindConsumer},
	{"yahoo.com account", Yahoo, KindConsumer},
	{"[tss0", Yahoo, KindConsumer},
	{"[tss1", Yahoo, KindConsumer},
	{"[ts0", Yahoo, KindConsumer},
	{"[ph0", Yahoo, KindConsumer},
	{"mail.icloud.com", Apple, KindConsumer},
	{"support.apple.com/en-us/ht204137", Apple, KindConsumer},
	{"support.apple.com/102322", Apple, KindConsumer},
	{"icloudadmin@apple.com", Apple, KindConsumer},
	{"postmaster.gmx", GMX, KindConsumer},
	{"gmx.net (mxgmx", GMX, KindConsumer},
	{"mxgmx", GMX, KindConsumer},
	{"postmaster.web.de", WebDE, KindConsumer},
	{"web.de (mxweb", WebDE, KindConsumer},
	{"mxweb", WebDE, KindConsumer},
	{"postmaster.1and1", IONOS, KindTenant},
	{"postmaster.ionos", IONOS, KindTenant},
	{"rx.t-online.de", TOnline, KindConsumer},
	{"postmaster.t-online.de", TOnline, KindConsumer},
	{"t-online.de", TOnline, KindConsumer},
	{"protonmail.ch", Proton, KindConsumer},
	{"mimecast", Mimecast, KindGateway},
	{"pphosted.com", Proofpoint, KindGateway},
	{"proofpoint.com", Proofpoint, KindGateway},
	{"zoho.com", Zoho, KindUnknown},
}

// Identify recognises the operator behind mxHost (an MX or reporting host
// name) or, failing that, behind a banner or reply text. The host name wins
// over the text; the text may still refine the kind (a tag such as "(S3150)"
// marks Outlook.com's consumer service).
func Identify(mxHost, text string) (Info, bool) {
	var name, kind, evidence string
	if h := normHost(mxHost); h != "" {
		for _, r := range hostRules {
			if h == r.suffix || strings.HasSuffix(h, "."+r.suffix) {
				name, kind, evidence = r.name, r.kind, "mx:"+h
				break
			}
		}
	}
	if text != "" {
		var hit [256]bool
		textMatcher().Scan(acmatch.LowerASCII(text), func(p int32, _ int) { hit[p] = true })
		name, kind, evidence = refineByText(name, kind, evidence, func(n int) bool { return hit[n] })
	}
	if name == "" {
		return Info{}, false
	}
	info := describe(name, kind)
	info.Evidence = evidence
	return info, true
}

// ByName returns the operator's description and guidance for a known name.
func ByName(name, kind string) (Info, bool) {
	if _, ok := displays[name]; !ok {
		return Info{}, false
	}
	return describe(name, kind), true
}

// describe returns the operator's description; the guidance slice is shared
// (computed once per name and kind) and must not be modified.
func describe(name, kind string) Info {
	key := [2]string{name, kind}
	describedMu.RLock()
	info, ok := described[key]
	describedMu.RUnlock()
	if ok {
		return info
	}
	d := displays[name]
	display := d[KindUnknown]
	if s, ok := d[kind]; ok {
		display = s
	}
	g := guidance[name+"/"+kind]
	if kind != KindUnknown {
		g = append(append([]Guidance(nil), g...), guidance[name+"/"]...)
	} else {
		g = append([]Guidance(nil), guidance[name+"/"]...)
		// The kind is unknown: offer both services' channels.
		for _, k := range []string{KindConsumer, KindTenant} {
			g = append(g, guidance[name+"/"+k]...)
		}
	}
	info = Info{Name: name, Kind: kind, Display: display, Guidance: g[:len(g):len(g)]}
	describedMu.Lock()
	described[key] = info
	describedMu.Unlock()
	return info
}

var (
	describedMu sync.RWMutex
	described   = map[[2]string]Info{}
)

func normHost(h string) string {
	h = strings.TrimSpace(h)
	h = strings.TrimSuffix(h, ".")
	h = strings.Trim(h, "[]<>")
	return acmatch.LowerASCII(h)
}

var (
	textOnce   sync.Once
	textAC     *acmatch.Matcher
	needles    []string // unique needles
	ruleNeedle []int    // textRules index → needle index
)

// textMatcher compiles the text rules into one automaton (once).
func textMatcher() *acmatch.Matcher {
	textOnce.Do(func() {
		idx := map[string]int{}
		for _, r := range textRules {
			n, ok := idx[r.needle]
			if !ok {
				n = len(needles)
				idx[r.needle] = n
				needles = append(needles, r.needle)
			}
			ruleNeedle = append(ruleNeedle, n)
		}
		if len(needles) > 256 {
			panic("provider: more than 256 text needles")
		}
		textAC = acmatch.Build(needles)
	})
	return textAC
}

// TextNeedles returns the lower-case text fragments Identify looks for, in
// a fixed order; IdentifyMatched takes their indices. Callers that already
// scan a text with their own automaton use the pair to avoid a second scan.
func TextNeedles() []string {
	textMatcher()
	return needles
}

// IdentifyMatched is Identify with the text part already matched: present
// reports whether TextNeedles()[i] occurs in the (lower-cased) text.
func IdentifyMatched(mxHost string, present func(i int) bool) (Info, bool) {
	var name, kind, evidence string
	if h := normHost(mxHost); h != "" {
		for _, r := range hostRules {
			if h == r.suffix || strings.HasSuffix(h, "."+r.suffix) {
				name, kind, evidence = r.name, r.kind, "mx:"+h
				break
			}
		}
	}
	textMatcher()
	name, kind, evidence = refineByText(name, kind, evidence, present)
	if name == "" {
		return Info{}, false
	}
	info := describe(name, kind)
	info.Evidence = evidence
	return info, true
}

// refineByText applies the text rules in order: the first match names the
// operator (unless the host already did); a later match of the same operator
// may refine an unknown kind.
func refineByText(name, kind, evidence string, present func(i int) bool) (string, string, string) {
	for i, r := range textRules {
		if !present(ruleNeedle[i]) {
			continue
		}
		if name == "" {
			name, kind, evidence = r.name, r.kind, "text:"+strings.TrimSpace(r.needle)
			if kind != KindUnknown {
				break
			}
			continue
		}
		if r.name == name && kind == KindUnknown && r.kind != KindUnknown {
			kind = r.kind
			break
		}
	}
	return name, kind, evidence
}
