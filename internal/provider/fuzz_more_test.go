package provider

import (
	"testing"
)

// FuzzIdentify: MX host names and banner or reply texts come from the
// remote side. Recognition never panics, and what it recognises is a known
// operator with a description.
func FuzzIdentify(f *testing.F) {
	f.Add("eur.olc.protection.outlook.com", "550 5.7.1 blocked (S3150)")
	f.Add("tenant-example.mail.protection.outlook.com.", "")
	f.Add("", "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred - gsmtp")
	f.Add("MX00.GMX.NET", "554-gmx.net (mxgmx017) Nemesis ESMTP Service not available")
	f.Add("\xff\x00..", "\x00\x00 (S3150) gsmtp mimecast pphosted")
	f.Fuzz(func(t *testing.T, host, text string) {
		info, ok := Identify(host, text)
		if !ok {
			if info.Name != "" {
				t.Fatalf("not recognised but named %q", info.Name)
			}
			return
		}
		if info.Name == "" || info.Display == "" || info.Evidence == "" {
			t.Fatalf("%q %q: %+v", host, text, info)
		}
		if _, known := ByName(info.Name, info.Kind); !known {
			t.Fatalf("%q %q: unknown name %q", host, text, info.Name)
		}
		again, _ := Identify(host, text)
		if again.Name != info.Name || again.Kind != info.Kind {
			t.Fatalf("not deterministic: %+v %+v", info, again)
		}
	})
}
