package webcontact

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/lab/httpslab"
	"github.com/mxprobe/mxprobe/internal/lab/labdns"
	"github.com/mxprobe/mxprobe/internal/lab/tlslab"
)

func httpsLab(t *testing.T) (*httpslab.Server, Options) {
	t.Helper()
	ca, err := tlslab.NewCA("webcontact test CA")
	if err != nil {
		t.Fatal(err)
	}
	s, err := httpslab.Start(ca, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, Options{RootCAs: ca.Pool, Dial: s.DialContext, Timeout: 5 * time.Second}
}

func TestCheckHTTPS(t *testing.T) {
	s, o := httpsLab(t)
	s.SetPage("linked.test", "/", `<html><body><a href="/de/impressum">Impressum</a></body></html>`)
	s.SetPage("linked.test", "/de/impressum", `<p>Firma, Straße 1</p>`)
	s.SetPage("deadlink.test", "/", `<a href="/kontakt">Kontakt</a>`)
	s.SetPage("mailto.test", "/", `<p>Write to <a href="mailto:info@mailto.test">us</a></p>`)
	s.SetPage("bare.test", "/", `<html><body><h1>Hello</h1></body></html>`)
	s.SetPage("big.test", "/", strings.Repeat("x", 2000)+`<a href="/imprint">Imprint</a>`)
	s.SetBehavior("gone.test", httpslab.Behavior{Status: 404})
	s.SetPage("broken.test", "/", "down for maintenance")
	s.SetBehavior("broken.test", httpslab.Behavior{Status: 503})
	ctx := context.Background()
	for _, c := range []struct {
		ptr, status, reason string
		maxBody             int64
	}{
		{"mail.linked.test", StatusPass, ReasonContact, 0},
		{"mail.mailto.test", StatusPass, ReasonContact, 0},
		{"mx1.bare.test", StatusFail, ReasonNoContact, 0},
		{"mx.deadlink.test", StatusPass, ReasonContact, 0}, // the word "Kontakt" on the home page names it
		{"mx.big.test", StatusFail, ReasonNoContact, 1000}, // the link lies beyond the size cap
		{"mx.gone.test", StatusFail, ReasonHTTPStatus, 0},
		{"mx.broken.test", StatusUnknown, ReasonHTTPStatus, 0},
		{"test", StatusFail, ReasonNoDomain, 0},
	} {
		oo := o
		oo.MaxBody = c.maxBody
		res := Check(ctx, oo, c.ptr)
		if res.Status != c.status || res.Reason != c.reason {
			t.Errorf("%s: %+v", c.ptr, res)
		}
	}
	if res := Check(ctx, o, "mail.linked.test"); res.ContactURL != "https://linked.test/de/impressum" || s.Requests("linked.test") < 2 {
		t.Errorf("contact page not followed: %+v", res)
	}
}

// TestCheckHTTPFallback: a site without HTTPS is read over HTTP.
func TestCheckHTTPFallback(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<a href="/contact">Contact</a>`))
	}))
	defer hs.Close()
	addr := strings.TrimPrefix(hs.URL, "http://")
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}
	res := Check(context.Background(), Options{Dial: dial, Timeout: 5 * time.Second}, "mx.plain.test")
	if res.Status != StatusPass || !strings.HasPrefix(res.URL, "http://plain.test/") {
		t.Fatalf("fallback: %+v", res)
	}
}

// TestCheckUnreachable: nothing listens → unknown; no address → fail.
func TestCheckUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}
	srv, r := labdns.Start(t)
	if err := srv.AddRR("up.test. 60 IN A 127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if res := Check(ctx, Options{Resolver: r, Dial: dial, Timeout: 3 * time.Second}, "mx.up.test"); res.Status != StatusUnknown || res.Reason != ReasonUnreachable {
		t.Errorf("closed port: %+v", res)
	}
	if res := Check(ctx, Options{Resolver: r, Dial: dial, Timeout: 3 * time.Second}, "mx.noweb.test"); res.Status != StatusFail || res.Reason != ReasonNoWebsite {
		t.Errorf("no address: %+v", res)
	}
	// Without an injected dialer only public addresses are dialled: the
	// loopback address of up.test is refused (unknown, nothing fetched).
	if res := Check(ctx, Options{Resolver: r, Timeout: 3 * time.Second}, "mx.up.test"); res.Status != StatusUnknown || !strings.Contains(res.Error, "no public address") {
		t.Errorf("loopback web host: %+v", res)
	}
}

func FuzzScan(f *testing.F) {
	f.Add([]byte(`<a href="/impressum">Impressum</a>`))
	f.Add([]byte(`<a href="mailto:x@y">`))
	f.Add([]byte("<a><a><a href=\x00>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		got := scan(b)
		if got.link != "" && !hasWord(got.link) && !hasWord(got.linkText) {
			t.Fatalf("link %q without a contact word", got.link)
		}
	})
}
