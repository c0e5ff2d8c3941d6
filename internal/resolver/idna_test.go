package resolver_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/resolver"
)

func TestIDNA(t *testing.T) {
	for _, c := range []struct{ in, ascii, unicode string }{
		{"müller.de", "xn--mller-kva.de", "müller.de"},
		{"Müller.DE.", "xn--mller-kva.de", "müller.de"},
		{"bücher.example", "xn--bcher-kva.example", "bücher.example"},
		{"straße.de", "xn--strae-oqa.de", "straße.de"}, // non-transitional (UTS #46 / IDNA2008)
		{"xn--mller-kva.de", "xn--mller-kva.de", "müller.de"},
		{"Example.COM", "example.com", "example.com"},
		{"_dmarc.example.com", "_dmarc.example.com", "_dmarc.example.com"},
		{"bücher。example", "xn--bcher-kva.example", "bücher.example"}, // ideographic full stop maps to "."
	} {
		a, u, err := resolver.NormalizeDomain(c.in)
		if strings.HasPrefix(c.in, "_") {
			// Not a host name, but ToASCII must pass it through.
			if !errors.Is(err, resolver.ErrInvalidName) {
				t.Errorf("NormalizeDomain(%q): %v, want ErrInvalidName", c.in, err)
			}
			a, err = resolver.ToASCII(c.in)
			if err == nil {
				u, err = resolver.ToUnicode(a)
			}
		}
		if err != nil || a != c.ascii || u != c.unicode {
			t.Errorf("%q: %q %q %v, want %q %q", c.in, a, u, err, c.ascii, c.unicode)
		}
	}
	for _, bad := range []string{
		"", ".", "exa mple.com", "-lead.example", "trail-.example", "a..example", "localhost",
		"192.0.2.1", "xn--abc-.example", "xn--zz9.example", strings.Repeat("a", 64) + ".example",
		strings.Repeat("abcdefghi.", 25) + "example", "ex_ample.com", "bad\u200d.example", "☃\x00.example",
	} {
		if _, _, err := resolver.NormalizeDomain(bad); !errors.Is(err, resolver.ErrInvalidName) {
			t.Errorf("NormalizeDomain(%q): %v, want ErrInvalidName", bad, err)
		}
	}
	if err := resolver.ValidateDomainOpts("localhost", resolver.ValidateOptions{SingleLabel: true}); err != nil {
		t.Errorf("single label allowed: %v", err)
	}
	if err := resolver.ValidateDomainOpts("_25._tcp.mx.example", resolver.ValidateOptions{Underscore: true}); err != nil {
		t.Errorf("underscore allowed: %v", err)
	}
	if err := resolver.ValidateDomain(strings.Repeat("abcdefghi.", 24) + "example.co"); err != nil {
		t.Errorf("250-octet name: %v", err)
	}
}

func TestParseResolvConf(t *testing.T) {
	conf := `# comment
domain example.com
search example.com example.net
nameserver 192.0.2.53 ; trailing comment
nameserver 2001:db8::53
nameserver not-an-ip
nameserver 192.0.2.54
nameserver 192.0.2.55
options ndots:2 timeout:3 attempts:4 rotate
`
	cfg, err := resolver.ParseResolvConf(strings.NewReader(conf))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.Servers, " "); got != "192.0.2.53:53 [2001:db8::53]:53 192.0.2.54:53" {
		t.Errorf("servers %q (glibc uses the first three valid ones)", got)
	}
	if cfg.Timeout != 3*time.Second || cfg.Attempts != 4 {
		t.Errorf("timeout %v attempts %d", cfg.Timeout, cfg.Attempts)
	}

	cfg, err = resolver.ParseResolvConf(strings.NewReader("options timeout:0 attempts:99\noptions timeout:999\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Timeout != 30*time.Second || cfg.Attempts != 5 {
		t.Errorf("clamping: timeout %v attempts %d", cfg.Timeout, cfg.Attempts)
	}
	if strings.Join(cfg.Servers, " ") != "127.0.0.1:53 [::1]:53" {
		t.Errorf("no nameserver → local: %v", cfg.Servers)
	}

	cfg, _ = resolver.ParseResolvConf(strings.NewReader(""))
	if cfg.Timeout != resolver.DefaultTimeout || cfg.Attempts != resolver.DefaultAttempts {
		t.Errorf("defaults: %+v", cfg)
	}

	if _, err := resolver.ParseResolvConf(strings.NewReader(strings.Repeat("x", 10000) + "\n")); !errors.Is(err, resolver.ErrResolvConf) {
		t.Errorf("over-long line: %v", err)
	}
	if _, err := resolver.FromResolvConf("/nonexistent/resolv.conf"); !errors.Is(err, resolver.ErrResolvConf) {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzParseResolvConf(f *testing.F) {
	f.Add("nameserver 192.0.2.1\noptions timeout:2 attempts:3\n")
	f.Add("nameserver [::1]:5353\nnameserver fe80::1%eth0\n")
	f.Add("options timeout:-1 attempts:9999999999999999999\n")
	f.Fuzz(func(t *testing.T, s string) {
		cfg, err := resolver.ParseResolvConf(strings.NewReader(s))
		if err != nil {
			return
		}
		if len(cfg.Servers) == 0 || len(cfg.Servers) > 3 {
			t.Fatalf("%d servers", len(cfg.Servers))
		}
		if cfg.Timeout < time.Second || cfg.Timeout > 30*time.Second || cfg.Attempts < 1 || cfg.Attempts > 5 {
			t.Fatalf("out of range: %+v", cfg)
		}
		if _, err := resolver.New(cfg); err != nil {
			t.Fatalf("parsed config rejected by New: %v", err)
		}
	})
}

func FuzzNormalizeDomain(f *testing.F) {
	for _, s := range []string{"müller.de", "xn--mller-kva.de", "a.b", "-x.y", "1.2.3.4", "bücher。example", "xn--.x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, u, err := resolver.NormalizeDomain(s)
		if err != nil {
			if !errors.Is(err, resolver.ErrInvalidName) {
				t.Fatalf("error without ErrInvalidName: %v", err)
			}
			return
		}
		if err := resolver.ValidateDomain(a); err != nil {
			t.Fatalf("accepted %q but its A-label form %q is invalid: %v", s, a, err)
		}
		// The Unicode form converts back to the same A-labels.
		a2, err := resolver.ToASCII(u)
		if err != nil || a2 != a {
			t.Fatalf("%q: round trip %q → %q → %q (%v)", s, a, u, a2, err)
		}
	})
}
