package provider

import (
	"strings"
	"testing"
)

func TestIdentifyHost(t *testing.T) {
	cases := []struct{ host, name, kind string }{
		{"outlook-com.olc.protection.outlook.com", Microsoft, KindConsumer},
		{"hotmail-com.olc.protection.outlook.com.", Microsoft, KindConsumer},
		{"contoso-com.mail.protection.outlook.com", Microsoft, KindTenant},
		{"contoso-com.mail.eo.outlook.com", Microsoft, KindTenant},
		{"mx1.hotmail.com", Microsoft, KindConsumer},
		{"gmail-smtp-in.l.google.com", Google, KindConsumer},
		{"ASPMX.L.GOOGLE.COM", Google, KindTenant},
		{"smtp.google.com", Google, KindTenant},
		{"alt1.gmail-smtp-in.l.google.com", Google, KindConsumer},
		{"mta5.am0.yahoodns.net", Yahoo, KindConsumer},
		{"mx-aol.mail.gm0.yahoodns.net", Yahoo, KindConsumer},
		{"mx01.mail.icloud.com", Apple, KindConsumer},
		{"mx00.gmx.net", GMX, KindConsumer},
		{"mx-ha03.web.de", WebDE, KindConsumer},
		{"mx00.t-online.de", TOnline, KindConsumer},
		{"mail.protonmail.ch", Proton, KindConsumer},
		{"eu-smtp-inbound-1.mimecast.com", Mimecast, KindGateway},
		{"mx0a-001.pphosted.com", Proofpoint, KindGateway},
		{"[mx.example.test]", "", ""},
		{"notgoogle.com.example", "", ""},
		{"evilgoogle.com", "", ""},
	}
	for _, c := range cases {
		info, ok := Identify(c.host, "")
		if ok != (c.name != "") || info.Name != c.name || info.Kind != c.kind {
			t.Errorf("Identify(%q) = %q/%q %v, want %q/%q", c.host, info.Name, info.Kind, ok, c.name, c.kind)
		}
		if ok && (len(info.Guidance) == 0 || info.Display == "" || !strings.HasPrefix(info.Evidence, "mx:")) {
			t.Errorf("Identify(%q): no guidance, display or evidence: %+v", c.host, info)
		}
	}
}

func TestIdentifyText(t *testing.T) {
	cases := []struct{ text, name, kind string }{
		{"550 5.7.1 Unfortunately, messages from [203.0.113.5] weren't sent. ... block list (S3150).", Microsoft, KindConsumer},
		{"550 5.7.606 Access denied, banned sending IP [203.0.113.5]. To request removal from this list please visit https://sender.office.com/", Microsoft, KindTenant},
		{"[BL2NAM02FT061.eop-nam02.prod.protection.outlook.com]", Microsoft, KindTenant},
		{"550-5.7.26 Unauthenticated email ... - gsmtp", Google, ""},
		{"421 4.7.0 [TSS04] Messages from 203.0.113.5 temporarily deferred", Yahoo, KindConsumer},
		{"554-gmx.net (mxgmx017) Nemesis ESMTP Service not available", GMX, KindConsumer},
		{"554 IP=203.0.113.5 - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to clarify.) (BL)", TOnline, KindConsumer},
		{"550 5.1.1 User unknown", "", ""},
	}
	for _, c := range cases {
		info, ok := Identify("", c.text)
		if ok != (c.name != "") || info.Name != c.name || info.Kind != c.kind {
			t.Errorf("Identify(%q) = %q/%q %v, want %q/%q", c.text, info.Name, info.Kind, ok, c.name, c.kind)
		}
	}
	// The host wins over the text; the text refines an unknown kind.
	if info, _ := Identify("mx.outlook.com", "(S3150)"); info.Name != Microsoft || info.Kind != KindConsumer {
		t.Errorf("refine: %+v", info)
	}
	if info, _ := Identify("gmail-smtp-in.l.google.com", "(S3150)"); info.Name != Google {
		t.Errorf("host must win: %+v", info)
	}
}

func TestGuidanceTexts(t *testing.T) {
	for key, gs := range guidance {
		for _, g := range gs {
			if !g.Title.Complete() || !g.Text.Complete() || g.Text.EN == g.Text.DE {
				t.Errorf("%s: incomplete guidance %+v", key, g)
			}
			if g.URL != "" && !strings.HasPrefix(g.URL, "https://") && !strings.HasPrefix(g.URL, "mailto:") {
				t.Errorf("%s: URL %q", key, g.URL)
			}
		}
	}
	for _, n := range Names() {
		if _, ok := ByName(n, ""); !ok {
			t.Errorf("ByName(%q) unknown", n)
		}
		if len(guidance[n+"/"])+len(guidance[n+"/"+KindConsumer])+len(guidance[n+"/"+KindTenant]) == 0 {
			t.Errorf("%s has no guidance", n)
		}
	}
	for _, k := range []string{KindConsumer, KindTenant, KindGateway} {
		if !KindText(k).Complete() {
			t.Errorf("kind %s: no text", k)
		}
	}
}

func TestIdentifyMatchedAgrees(t *testing.T) {
	text := "550 5.7.1 (s3150) blocked"
	needles := TextNeedles()
	a, okA := Identify("", text)
	b, okB := IdentifyMatched("", func(i int) bool { return strings.Contains(text, needles[i]) })
	if okA != okB || a.Name != b.Name || a.Kind != b.Kind {
		t.Errorf("Identify %+v, IdentifyMatched %+v", a, b)
	}
}

// TestDestinationClass: the classes probe verdicts and logscan report; the
// host decides, the recipient domain only when the host names no service.
func TestDestinationClass(t *testing.T) {
	for _, c := range []struct{ mx, dom, want string }{
		{"hotmail-com.olc.protection.outlook.com", "hotmail.com", DestMicrosoftConsumer},
		{"contoso-com.mail.protection.outlook.com", "contoso.com", DestMicrosoftTenant},
		{"contoso-com.o-v1.mx.microsoft.", "contoso.com", DestMicrosoftTenant},
		{"gmail-smtp-in.l.google.com", "gmail.com", DestGmail},
		{"alt1.gmail-smtp-in.l.google.com", "example.com", DestGmail},
		{"aspmx.l.google.com", "example.com", DestGoogle},
		{"smtp.google.com", "gmail.com", DestGmail},
		{"mx00.gmx.net", "gmx.de", DestGMX},
		{"mx-ha01.web.de", "web.de", DestWebDE},
		{"", "live.de", DestMicrosoftConsumer},
		{"", "Hotmail.COM.", DestMicrosoftConsumer},
		{"", "gmx.at", DestGMX},
		{"eur.protection.outlook.com", "outlook.de", DestMicrosoftConsumer},
		{"mta5.am0.yahoodns.net", "yahoo.com", DestOther},
		{"mx00.t-online.de", "t-online.de", DestOther},
		{"mx.example.com", "example.com", DestOther},
		{"", "", DestOther},
	} {
		if got := DestinationClass(c.mx, c.dom); got != c.want {
			t.Errorf("%q %q: %s, want %s", c.mx, c.dom, got, c.want)
		}
	}
}

// Names lists all known operators.
func Names() []string {
	return []string{Microsoft, Google, Yahoo, Apple, GMX, WebDE, IONOS, UnitedInternet, TOnline, Proton, Mimecast, Proofpoint, Zoho}
}
