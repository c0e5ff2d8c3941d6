package httpslab

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/lab/tlslab"
)

func start(t *testing.T) (*Server, *http.Client) {
	t.Helper()
	ca, err := tlslab.NewCA("httpslab test CA")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Start(ca, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := &http.Client{
		// No keep-alive: every request gets a fresh handshake (and certificate).
		Transport: &http.Transport{DialContext: s.DialContext, TLSClientConfig: &tls.Config{RootCAs: ca.Pool}, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
		Timeout: 5 * time.Second,
	}
	return s, c
}

func get(t *testing.T, c *http.Client, url string) (*http.Response, string, error) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, string(b), err
}

func TestServe(t *testing.T) {
	s, c := start(t)
	s.SetPolicy("mta-sts.a.test", "version: STSv1\n")
	resp, body, err := get(t, c, s.URL("MTA-STS.a.test"))
	if err != nil || resp.StatusCode != 200 || body != "version: STSv1\n" || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("%v %v %q", err, resp, body)
	}
	if s.Requests("mta-sts.a.test") != 1 {
		t.Fatalf("requests %d", s.Requests("mta-sts.a.test"))
	}
	if resp, _, _ := get(t, c, "https://mta-sts.a.test/other"); resp.StatusCode != 404 {
		t.Fatalf("other path: %d", resp.StatusCode)
	}
	if resp, _, _ := get(t, c, s.URL("mta-sts.unknown.test")); resp.StatusCode != 404 {
		t.Fatalf("unknown host: %d", resp.StatusCode)
	}

	s.SetBehavior("mta-sts.a.test", Behavior{Redirect: "https://elsewhere.test/", Status: 301})
	if resp, _, _ := get(t, c, s.URL("mta-sts.a.test")); resp.StatusCode != 301 || resp.Header.Get("Location") != "https://elsewhere.test/" {
		t.Fatalf("redirect: %+v", resp)
	}
	s.SetBehavior("mta-sts.a.test", Behavior{Pad: 3000, ContentType: "text/html"})
	if resp, body, _ := get(t, c, s.URL("mta-sts.a.test")); len(body) != len("version: STSv1\n")+3000 || resp.Header.Get("Content-Type") != "text/html" {
		t.Fatalf("pad: %d bytes, %s", len(body), resp.Header.Get("Content-Type"))
	}
	for _, k := range []CertKind{CertExpired, CertWrongName, CertSelfSigned} {
		s.SetBehavior("mta-sts.a.test", Behavior{Cert: k})
		var cv *tls.CertificateVerificationError
		if _, _, err := get(t, c, s.URL("mta-sts.a.test")); !errors.As(err, &cv) {
			t.Errorf("cert kind %d: %v", k, err)
		}
	}
}

// A stalled answer is released when the client gives up and when the
// server closes; Close does not hang.
func TestStallReleased(t *testing.T) {
	s, c := start(t)
	s.SetPolicy("mta-sts.s.test", strings.Repeat("x", 100))
	s.SetBehavior("mta-sts.s.test", Behavior{Stall: true})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL("mta-sts.s.test"), nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err) // headers arrive before the stall
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil {
		t.Fatal("stalled body was read completely")
	}

	s.SetBehavior("mta-sts.s.test", Behavior{Delay: time.Hour})
	done := make(chan error, 1)
	go func() { _, _, err := get(t, c, s.URL("mta-sts.s.test")); done <- err }()
	for i := 0; i < 200 && s.Requests("mta-sts.s.test") < 2; i++ {
		time.Sleep(5 * time.Millisecond) // bounded wait for the request to arrive
	}
	s.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("delayed request succeeded after Close")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not release a delayed request")
	}
}
