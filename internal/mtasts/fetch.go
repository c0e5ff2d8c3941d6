package mtasts

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"time"

	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Fetch errors; match with errors.Is.
var (
	ErrFetch        = errors.New("mtasts: policy fetch failed")
	ErrNoPolicyHost = errors.New("mtasts: policy host does not exist")
	ErrRedirect     = errors.New("mtasts: redirect refused (RFC 8461 §3.3)")
	ErrStatus       = errors.New("mtasts: HTTP status is not 200")
	ErrContentType  = errors.New("mtasts: media type is not text/plain")
	ErrTooLarge     = errors.New("mtasts: policy too large")
	ErrTLS          = errors.New("mtasts: TLS certificate not valid")
	ErrTimeout      = errors.New("mtasts: policy fetch timed out")
)

// Defaults of a Fetcher.
const (
	// DefaultMaxBody: RFC 8461 §3.3 lets senders limit the policy size;
	// 64 KiB is what common implementations use.
	DefaultMaxBody = 64 << 10
	// DefaultTimeout bounds the whole fetch (connect, TLS, headers, body).
	DefaultTimeout = 30 * time.Second
)

// Fetcher fetches policies from https://mta-sts.<domain>/.well-known/mta-sts.txt
// with strict TLS, no redirects, no proxy, no caching, a size limit and a
// time limit (RFC 8461 §3.3). The zero value is usable given a Resolver.
type Fetcher struct {
	// Resolver resolves the policy host for the default dialer.
	Resolver resolver.Lookuper
	// Client, when set, is used instead of the built-in client (a copy with
	// redirects refused); RootCAs and Dial are then ignored.
	Client *http.Client
	// RootCAs replaces the system trust store (tests: the lab CA).
	RootCAs *x509.CertPool
	// Dial replaces the default dialer, which resolves the host with
	// Resolver and connects to its addresses in turn (tests: the lab
	// server's DialContext).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// MaxBody bounds the policy size (0: DefaultMaxBody).
	MaxBody int64
	// Timeout bounds the whole fetch (0: DefaultTimeout).
	Timeout time.Duration
}

// FetchInfo records what happened during a fetch.
type FetchInfo struct {
	URL string `json:"url"`
	// RemoteAddr is the address connected to.
	RemoteAddr string `json:"remote_addr,omitempty"`
	// StatusCode and ContentType of the response (0/"" without response).
	StatusCode  int    `json:"status_code,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	// Location is the target of a refused redirect.
	Location string `json:"location,omitempty"`
	// Bytes is the number of body bytes read (at most MaxBody+1).
	Bytes int `json:"bytes"`
	// DurationMS is the time the fetch took, in milliseconds.
	DurationMS int64 `json:"duration_ms"`
	// Error explains a failed fetch.
	Error string `json:"error,omitempty"`
}

// PolicyURL is where the policy of domain is served (RFC 8461 §3.2).
func PolicyURL(domain string) string {
	return "https://mta-sts." + domain + "/.well-known/mta-sts.txt"
}

// Fetch retrieves the policy body of domain. The body is returned only
// for a 200 text/plain answer within the size limit; info is always filled.
func (f *Fetcher) Fetch(ctx context.Context, domain string) (body string, info FetchInfo, err error) {
	info.URL = PolicyURL(domain)
	start := time.Now()
	defer func() {
		info.DurationMS = time.Since(start).Milliseconds()
		if err != nil {
			info.Error = err.Error()
		}
	}()
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	max := f.MaxBody
	if max <= 0 {
		max = DefaultMaxBody
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	trace := &httptrace.ClientTrace{GotConn: func(ci httptrace.GotConnInfo) {
		if ci.Conn != nil {
			info.RemoteAddr = ci.Conn.RemoteAddr().String()
		}
	}}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodGet, info.URL, nil)
	if err != nil {
		return "", info, fmt.Errorf("%w: %v", ErrFetch, err)
	}
	// RFC 8461 §3.3: HTTP caching MUST NOT be used.
	req.Header.Set("Cache-Control", "no-cache")
	req.Header.Set("User-Agent", "mxprobe (MTA-STS check)")
	req.Close = true

	resp, err := f.client().Do(req)
	if err != nil {
		return "", info, classify(ctx, err)
	}
	defer resp.Body.Close()
	info.StatusCode = resp.StatusCode
	info.ContentType = resp.Header.Get("Content-Type")

	switch {
	case resp.StatusCode >= 300 && resp.StatusCode <= 399:
		// RFC 8461 §3.3: "HTTP 3xx redirects MUST NOT be followed".
		info.Location = resp.Header.Get("Location")
		return "", info, fmt.Errorf("%w: %d to %q", ErrRedirect, resp.StatusCode, info.Location)
	case resp.StatusCode != http.StatusOK:
		return "", info, fmt.Errorf("%w: %s", ErrStatus, resp.Status)
	}
	// RFC 8461 §3.2: the media type must be text/plain; other parameters
	// (charset) are ignored.
	mt, _, perr := mime.ParseMediaType(info.ContentType)
	if perr != nil || mt != "text/plain" {
		return "", info, fmt.Errorf("%w: Content-Type %q", ErrContentType, info.ContentType)
	}
	if resp.ContentLength > max {
		return "", info, fmt.Errorf("%w: Content-Length %d exceeds %d bytes", ErrTooLarge, resp.ContentLength, max)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	info.Bytes = len(b)
	if err != nil {
		return "", info, classify(ctx, err)
	}
	if int64(len(b)) > max {
		return "", info, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	return string(b), info, nil
}

// client builds the HTTP client for one fetch.
func (f *Fetcher) client() *http.Client {
	refuse := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if f.Client != nil {
		c := *f.Client
		c.CheckRedirect, c.Jar = refuse, nil
		return &c
	}
	dial := f.Dial
	if dial == nil {
		dial = f.dialResolved
	}
	tr := &http.Transport{
		Proxy:       nil, // a sender connects directly
		DialContext: dial,
		// Strict TLS: the system roots (or RootCAs), the host name
		// mta-sts.<domain> verified, no InsecureSkipVerify (RFC 8461 §3.3).
		TLSClientConfig:     &tls.Config{RootCAs: f.RootCAs, MinVersion: tls.VersionTLS12},
		DisableKeepAlives:   true,
		TLSHandshakeTimeout: 10 * time.Second,
	}
	return &http.Client{Transport: tr, CheckRedirect: refuse}
}

// dialResolved resolves the host through our resolver (so --resolver and
// the lab apply) and connects to its addresses in turn.
func (f *Fetcher) dialResolved(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		var d net.Dialer
		return d.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
	}
	if f.Resolver == nil {
		return nil, fmt.Errorf("%w: no resolver configured", ErrFetch)
	}
	v4, v6 := resolver.LookupIP(ctx, f.Resolver, host)
	var ips []netip.Addr
	for _, a := range []*resolver.Answer{v4, v6} {
		if a.Status == resolver.StatusOK {
			ips = append(ips, a.IPs...)
		}
	}
	if len(ips) == 0 {
		if v4.Status.Temporary() || v6.Status.Temporary() {
			return nil, fmt.Errorf("%w: resolving %s: A %s, AAAA %s", ErrFetch, host, v4.Status, v6.Status)
		}
		return nil, fmt.Errorf("%w: %s (A %s, AAAA %s)", ErrNoPolicyHost, host, v4.Status, v6.Status)
	}
	var d net.Dialer
	var errs []error
	for _, ip := range ips {
		c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(ip.String(), port))
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

// classify maps a transport error to our sentinels.
func classify(ctx context.Context, err error) error {
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.Is(err, ErrNoPolicyHost):
		return err
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &invalid):
		return fmt.Errorf("%w: %v", ErrTLS, err)
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w: %v", ErrTimeout, err)
	}
	return fmt.Errorf("%w: %v", ErrFetch, err)
}
