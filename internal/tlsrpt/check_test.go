package tlsrpt

import (
	"context"
	"errors"
	"testing"

	"github.com/mxprobe/mxprobe/internal/lab/labdns"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
)

func TestCheck(t *testing.T) {
	srv, r := labdns.Start(t)
	add := func(name string, strs ...string) {
		t.Helper()
		if err := srv.AddTXT(name, strs...); err != nil {
			t.Fatal(err)
		}
	}
	// A record split into several character-strings is one record.
	add("_smtp._tls.ok.test", "v=TLSRPTv1; rua=mailto:tls@ok.test,", "https://rep.ok.test/v1")
	add("_smtp._tls.ok.test", "some other text")
	add("_smtp._tls.flawed.test", "v=TLSRPTv1 ;rua=mailto:tls@flawed.test")
	add("_smtp._tls.two.test", "v=TLSRPTv1; rua=mailto:a@two.test")
	add("_smtp._tls.two.test", "v=TLSRPTv1; rua=mailto:b@two.test")
	add("_smtp._tls.bad.test", "v=TLSRPTv1; rua=http://rep.bad.test/")
	add("_smtp._tls.other.test", "hello")
	add("exists.test", "x")
	srv.SetRule("_smtp._tls.slow.test", resolver.TypeTXT, dnsserver.Rule{Drop: true})
	srv.SetRule("_smtp._tls.broken.test", resolver.TypeTXT, dnsserver.Rule{ServFail: true})

	cases := []struct {
		domain   string
		status   Status
		err      error
		finding  string
		severity report.Severity
	}{
		{"ok.test.", StatusValid, nil, FindingOK, report.OK},
		{"flawed.test", StatusValid, nil, FindingOK, report.Warn},
		{"two.test", StatusInvalid, ErrMultiple, FindingInvalid, report.Warn},
		{"bad.test", StatusInvalid, ErrSyntax, FindingInvalid, report.Warn},
		{"other.test", StatusNone, ErrNoRecord, FindingNone, report.Info},
		{"exists.test", StatusNone, ErrNoRecord, FindingNone, report.Info},
		{"missing.test", StatusNone, ErrNoRecord, FindingNone, report.Info},
		{"slow.test", StatusTempError, ErrTemporary, FindingTempError, report.Warn},
		{"broken.test", StatusTempError, ErrTemporary, FindingTempError, report.Warn},
	}
	for _, c := range cases {
		res := Check(context.Background(), r, c.domain)
		if m := checkJSON(t, res); m["status"] != string(c.status) {
			t.Errorf("%s: JSON status %v", c.domain, m["status"])
		}
		if res.Status != c.status || (c.err == nil) != (res.Err == nil) || c.err != nil && !errors.Is(res.Err, c.err) {
			t.Errorf("%s: status %s err %v, want %s %v", c.domain, res.Status, res.Err, c.status, c.err)
			continue
		}
		fs := Findings(res)
		if len(fs) != 1 || fs[0].ID != c.finding || fs[0].Severity != c.severity {
			t.Errorf("%s: findings %+v, want %s/%s", c.domain, fs, c.finding, c.severity)
		}
	}
	res := Check(context.Background(), r, "ok.test")
	if res.Name != "_smtp._tls.ok.test" || len(res.Parsed.RUA) != 2 || res.Parsed.RUA[1].Scheme != "https" {
		t.Fatalf("%+v", res)
	}
	add("_smtp._tls.xn--bcher-kva.test", "v=TLSRPTv1; rua=mailto:tls@xn--bcher-kva.test")
	if res := Check(context.Background(), r, "Bücher.test"); res.Status != StatusValid || res.Domain != "xn--bcher-kva.test" {
		t.Fatalf("IDN: %+v", res)
	}
}
