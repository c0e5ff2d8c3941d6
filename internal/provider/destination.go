package provider

import "strings"

// Destination classes: the coarse operator classes that probe verdicts
// and logscan records report as "provider" (public JSON values). They tell
// apart what judges a delivery differently: Outlook.com's consumer service
// from Exchange Online tenants, Gmail from Google Workspace.
const (
	DestMicrosoftConsumer = "microsoft_consumer"
	DestMicrosoftTenant   = "microsoft_tenant"
	DestGmail             = "gmail"
	DestGoogle            = "google"
	DestGMX               = "gmx"
	DestWebDE             = "webde"
	DestOther             = "other"
)

// DestinationClass classifies a destination by its MX host name (the host
// table above), falling back to the recipient domain when the host names
// no operator or not which of its services: Outlook.com's consumer domains
// (hotmail, outlook, live, msn, windowslive), gmail.com, gmx.*, web.de.
// Operators without a class of their own are "other".
func DestinationClass(mxHost, rcptDomain string) string {
	d := normHost(rcptDomain)
	gmail := d == "gmail.com" || d == "googlemail.com"
	if info, ok := Identify(mxHost, ""); ok {
		switch info.Name {
		case Microsoft:
			switch info.Kind {
			case KindConsumer:
				return DestMicrosoftConsumer
			case KindTenant:
				return DestMicrosoftTenant
			}
		case Google:
			if info.Kind == KindConsumer || gmail {
				return DestGmail
			}
			return DestGoogle
		case GMX:
			return DestGMX
		case WebDE:
			return DestWebDE
		}
	}
	// No known MX host: judge by the recipient domain.
	base, _, _ := strings.Cut(d, ".")
	switch {
	case base == "hotmail" || base == "outlook" || base == "live" || base == "windowslive" || d == "msn.com":
		return DestMicrosoftConsumer
	case gmail:
		return DestGmail
	case base == "gmx":
		return DestGMX
	case d == "web.de":
		return DestWebDE
	}
	return DestOther
}
