// Package webcontact checks T-Online's "identifiable operator" requirement
// (postmaster.t-online.de, section 4.1): from the sending IP's PTR name the
// operator's domain and a website with direct contact details must be easy
// to find (RFC 1912, FCrDNS, EU directive 2000/31/EC article 5).
//
// Check takes the registrable domain of the PTR name (public suffix list),
// fetches that domain's home page over HTTPS, falling back to HTTP, with a
// short deadline and a size cap, and looks for contact details: an imprint
// or contact link (Impressum, Kontakt, Imprint, Contact), a mailto:/tel:
// link, or such a word in the text. It follows at most one contact link.
// No crawling beyond that.
package webcontact

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Defaults.
const (
	DefaultTimeout = 6 * time.Second
	DefaultMaxBody = 512 << 10
	maxRedirects   = 3
)

// Status words.
const (
	StatusPass    = "pass"    // the home page (or its contact page) gives contact details
	StatusFail    = "fail"    // no website, or one without contact details
	StatusUnknown = "unknown" // the website could not be reached
)

// Reasons (stable words in JSON).
const (
	ReasonContact     = "contact_found"
	ReasonNoDomain    = "no_registrable_domain" // the PTR name is a public suffix or invalid
	ReasonNoWebsite   = "no_website"            // the domain and www.<domain> have no address
	ReasonNoContact   = "no_contact_details"
	ReasonHTTPStatus  = "http_status"
	ReasonUnreachable = "unreachable"
	ReasonDNS         = "dns_error"
)

// Options configure Check.
type Options struct {
	// Resolver resolves the web host (nil: no DNS step; Dial must be set).
	Resolver resolver.Lookuper
	// RootCAs verifies HTTPS certificates (nil: system roots).
	RootCAs *x509.CertPool
	// Dial replaces the default dialer (the lab's loopback server).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Timeout bounds the whole check (0: DefaultTimeout); MaxBody each page.
	Timeout time.Duration
	MaxBody int64
}

// Result is the outcome of Check.
//
// JSON fields: ptr_name, domain (registrable domain of the PTR name), status
// (pass, fail, unknown), reason (contact_found, no_registrable_domain,
// no_website, no_contact_details, http_status, unreachable, dns_error), url
// (the page that was read), http_status, contact (what was found: the link or
// the word), contact_url (the one contact page followed), error.
type Result struct {
	PTRName    string `json:"ptr_name"`
	Domain     string `json:"domain,omitempty"`
	Status     string `json:"status"`
	Reason     string `json:"reason"`
	URL        string `json:"url,omitempty"`
	HTTPStatus int    `json:"http_status,omitempty"`
	Contact    string `json:"contact,omitempty"`
	ContactURL string `json:"contact_url,omitempty"`
	Error      string `json:"error,omitempty"`
}

// RegistrableDomain is the registrable domain (eTLD+1) of a host name.
func RegistrableDomain(host string) (string, error) {
	h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
	if h == "" {
		return "", errors.New("webcontact: empty name")
	}
	return publicsuffix.EffectiveTLDPlusOne(h)
}

// Check runs the website check for the PTR name ptrName.
func Check(ctx context.Context, o Options, ptrName string) Result {
	res := Result{PTRName: ptrName, Status: StatusUnknown}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	dom, err := RegistrableDomain(ptrName)
	if err != nil {
		res.Status, res.Reason, res.Error = StatusFail, ReasonNoDomain, err.Error()
		return res
	}
	res.Domain = dom
	if o.Resolver != nil {
		switch exists(ctx, o.Resolver, dom) {
		case resolver.StatusNXDomain, resolver.StatusNoData:
			res.Status, res.Reason = StatusFail, ReasonNoWebsite
			return res
		case resolver.StatusOK:
		default:
			res.Reason = ReasonDNS
			res.Error = "address lookup of " + dom + " failed"
			return res
		}
	}
	c := newClient(o)
	var page *page
	for _, scheme := range []string{"https", "http"} {
		u := scheme + "://" + dom + "/"
		page, err = c.get(ctx, u)
		if err == nil {
			break
		}
		res.URL, res.Error = u, err.Error()
	}
	if page == nil {
		res.Reason = ReasonUnreachable
		return res
	}
	res.URL, res.HTTPStatus, res.Error = page.url, page.status, ""
	return judge(ctx, c, res, page)
}

// judge decides from the home page and at most one contact page.
func judge(ctx context.Context, c *client, res Result, home *page) Result {
	switch {
	case home.status >= 500:
		res.Reason = ReasonHTTPStatus
		return res
	case home.status >= 400:
		res.Status, res.Reason = StatusFail, ReasonHTTPStatus
		return res
	}
	f := scan(home.body)
	if f.direct != "" {
		res.Status, res.Reason, res.Contact = StatusPass, ReasonContact, f.direct
		return res
	}
	if f.link != "" {
		next, err := resolveRef(home.url, f.link)
		if err == nil {
			res.ContactURL = next
			if p, err := c.get(ctx, next); err == nil && p.status < 400 {
				res.Status, res.Reason, res.Contact = StatusPass, ReasonContact, f.linkText
				return res
			} else if err != nil {
				res.Error = err.Error()
			} else {
				res.Error = fmt.Sprintf("contact page answered HTTP %d", p.status)
			}
		}
	}
	if f.word != "" {
		res.Status, res.Reason, res.Contact = StatusPass, ReasonContact, f.word
		return res
	}
	res.Status, res.Reason = StatusFail, ReasonNoContact
	return res
}

// exists reports whether dom or www.<dom> has an address: StatusOK when
// one has, NXDOMAIN/NODATA when neither, else the first temporary status.
func exists(ctx context.Context, r resolver.Lookuper, dom string) resolver.Status {
	worst := resolver.StatusNXDomain
	for _, h := range []string{dom, "www." + dom} {
		for _, t := range []resolver.Type{resolver.TypeA, resolver.TypeAAAA} {
			a := r.Lookup(ctx, h, t)
			switch {
			case a.Status == resolver.StatusOK && len(a.IPs) > 0:
				return resolver.StatusOK
			case a.Status.Temporary():
				worst = a.Status
			}
		}
	}
	return worst
}

type page struct {
	url    string
	status int
	body   []byte
}

type client struct {
	hc      *http.Client
	maxBody int64
}

func newClient(o Options) *client {
	dial := o.Dial
	if dial == nil {
		dial = resolvingDialer(o.Resolver)
	}
	tr := &http.Transport{
		DialContext:            dial,
		TLSClientConfig:        &tls.Config{RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    o.Timeout,
		ResponseHeaderTimeout:  o.Timeout,
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: 64 << 10,
	}
	hc := &http.Client{Transport: tr, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return fmt.Errorf("more than %d redirects", maxRedirects)
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return errors.New("redirect to a non-web URL")
		}
		return nil
	}}
	return &client{hc: hc, maxBody: o.MaxBody}
}

// get fetches u with a size cap; the body beyond MaxBody is not read.
func (c *client) get(ctx context.Context, u string) (*page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "mxprobe (operator contact check, T-Online postmaster 4.1)")
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody))
	if err != nil && len(body) == 0 {
		return nil, err
	}
	return &page{url: resp.Request.URL.String(), status: resp.StatusCode, body: body}, nil
}

// resolvingDialer resolves the host through r (never the system resolver)
// and dials its addresses in turn.
func resolvingDialer(r resolver.Lookuper) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		var ips []netip.Addr
		if ip, err := netip.ParseAddr(host); err == nil {
			ips = []netip.Addr{ip}
		} else if r != nil {
			for _, t := range []resolver.Type{resolver.TypeA, resolver.TypeAAAA} {
				ips = append(ips, r.Lookup(ctx, host, t).IPs...)
			}
		}
		// Only public addresses: a PTR name is chosen by whoever runs the
		// IP, and must not make mxprobe fetch from the user's own network.
		public := ips[:0]
		for _, ip := range ips {
			if isPublic(ip) {
				public = append(public, ip)
			}
		}
		if len(ips) > 0 && len(public) == 0 {
			return nil, fmt.Errorf("%s has no public address", host)
		}
		ips = public
		if len(ips) == 0 {
			return nil, fmt.Errorf("no address for %s", host)
		}
		var d net.Dialer
		var last error
		for i, ip := range ips {
			if i >= 4 {
				break
			}
			c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(ip.String(), port))
			if err == nil {
				return c, nil
			}
			last = err
		}
		return nil, last
	}
}

// isPublic: not loopback, private (RFC 1918, RFC 4193), link-local,
// unspecified or multicast.
func isPublic(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsValid() && !ip.IsLoopback() && !ip.IsPrivate() && !ip.IsLinkLocalUnicast() &&
		!ip.IsUnspecified() && !ip.IsMulticast() && !ip.IsInterfaceLocalMulticast()
}

func resolveRef(base, ref string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	r, err := url.Parse(ref)
	if err != nil {
		return "", err
	}
	u := b.ResolveReference(r)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", errors.New("not a web link")
	}
	return u.String(), nil
}
