package mxdialog

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/smtpconn"
)

// TestBannerDelaySeverity: smtp.banner_delay at info from 2 s, at warn from
// 10 s, the measured delay in the evidence; nothing below 2 s.
func TestBannerDelaySeverity(t *testing.T) {
	for _, c := range []struct {
		ms   float64
		want report.Severity
	}{{1500, ""}, {3000, report.Info}, {9999, report.Info}, {10000, report.Warn}, {60000, report.Warn}} {
		r := &Result{Address: "192.0.2.1:25", Banner: &Banner{Code: 220, Text: "hi", DelayMS: c.ms}}
		var got *report.Finding
		for _, f := range Findings([]*Result{r}, FindingsOptions{DNSWorks: true}) {
			if f.ID == IDBannerDelay {
				got = &f
			}
		}
		switch {
		case c.want == "" && got != nil:
			t.Errorf("%v ms: banner_delay reported", c.ms)
		case c.want != "" && got == nil:
			t.Errorf("%v ms: no banner_delay", c.ms)
		case got != nil && (got.Severity != c.want || !strings.Contains(strings.Join(got.Evidence, " "), fmt.Sprintf("220 +%.0f ms", c.ms))):
			t.Errorf("%v ms: severity %s, evidence %v; want %s with the delay", c.ms, got.Severity, got.Evidence, c.want)
		}
	}
}

// TestEveryUntrustedCertIsCertInvalid: expired, self-signed, unknown CA and
// wrong name all carry tls.cert_invalid, the detail says which.
func TestEveryUntrustedCertIsCertInvalid(t *testing.T) {
	now := time.Now()
	base := func() TLSInfo {
		return TLSInfo{Version: "TLS 1.3", Cipher: "TLS_AES_128_GCM_SHA256", Verified: true, NameMatch: true,
			NotAfter: now.Add(90 * 24 * time.Hour), DaysLeft: 90, Chain: []smtpconn.CertInfo{{Subject: "CN=mx.example", Issuer: "CN=CA"}}}
	}
	cases := map[string]func(*TLSInfo){
		"expired":     func(i *TLSInfo) { i.Expired, i.Verified, i.NotAfter = true, false, now.Add(-time.Hour) },
		"self-signed": func(i *TLSInfo) { i.SelfSigned, i.Verified = true, false },
		"issuer":      func(i *TLSInfo) { i.Verified, i.VerifyError = false, "unknown authority" },
		"names":       func(i *TLSInfo) { i.NameMatch = false },
	}
	for why, mod := range cases {
		ti := base()
		mod(&ti)
		r := &Result{Host: "mx.example", Address: "192.0.2.1:25", TLS: &ti}
		found := false
		for _, f := range tlsFindings(r, &ti, FindingsOptions{ExpiryWarnDays: 14}) {
			if f.ID == IDTLSCertInvalid {
				found = true
				if d := f.Localize("en").Detail; !strings.Contains(d, why) {
					t.Errorf("%s: detail %q does not say why", why, d)
				}
			}
		}
		if !found {
			t.Errorf("%s: no tls.cert_invalid", why)
		}
	}
}
