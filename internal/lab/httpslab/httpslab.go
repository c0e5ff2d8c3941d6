// Package httpslab is the lab's HTTPS server for MTA-STS policies: it
// serves https://<host>/.well-known/mta-sts.txt for any number of host
// names with certificates from a tlslab test CA, and can misbehave per host
// (redirect, oversized body, slow or stalled answer, wrong content type,
// error status, bad certificate) so that fetchers can be tested on loopback.
package httpslab

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mxprobe/mxprobe/internal/lab/tlslab"
)

// PolicyPath is the well-known path of an MTA-STS policy (RFC 8461 §3.2).
const PolicyPath = "/.well-known/mta-sts.txt"

// CertKind selects the certificate a host gets.
type CertKind int

const (
	CertValid      CertKind = iota // issued by the CA for the host name
	CertExpired                    // issued by the CA, expired yesterday
	CertWrongName                  // issued by the CA for another name
	CertSelfSigned                 // for the host name, but not signed by the CA
)

// Behavior is how the server answers for one host. The zero value serves
// the policy normally: 200, text/plain, valid certificate.
type Behavior struct {
	// Status is the HTTP status (0: 200, or 404 when no policy is set).
	Status int
	// ContentType replaces "text/plain; charset=utf-8".
	ContentType string
	// Redirect sends a redirect to this URL (status 302 unless Status is
	// another 3xx).
	Redirect string
	// Pad appends this many filler bytes to the body (an oversized policy).
	Pad int
	// Delay waits this long before answering (or until the client leaves).
	Delay time.Duration
	// Stall sends the headers and the start of the body, then hangs until
	// the client gives up or the server closes.
	Stall bool
	// Cert selects the certificate (valid, expired, wrong name, self-signed).
	Cert CertKind
}

// Server is a running HTTPS lab server. Methods are safe for concurrent use.
type Server struct {
	ca      *tlslab.CA
	ln      net.Listener
	srv     *http.Server
	closing chan struct{}
	once    sync.Once

	mu       sync.Mutex
	policies map[string]string
	pages    map[string]string // host + path → HTML (SetPage)
	behavior map[string]Behavior
	certs    map[certKey]*tls.Certificate
	requests map[string]int
}

type certKey struct {
	host string
	kind CertKind
}

// Start listens on addr ("" means 127.0.0.1:0) and serves HTTPS with
// certificates from ca until Close.
func Start(ca *tlslab.CA, addr string) (*Server, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("httpslab: %w", err)
	}
	s := &Server{
		ca: ca, ln: ln, closing: make(chan struct{}),
		policies: map[string]string{}, pages: map[string]string{}, behavior: map[string]Behavior{},
		certs: map[certKey]*tls.Certificate{}, requests: map[string]int{},
	}
	s.srv = &http.Server{
		Handler:           http.HandlerFunc(s.serve),
		ReadHeaderTimeout: 5 * time.Second,
		TLSConfig:         &tls.Config{GetCertificate: s.getCertificate, MinVersion: tls.VersionTLS12},
		// Handshake failures are what tests provoke; keep them off stderr.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	go func() { _ = s.srv.ServeTLS(ln, "", "") }()
	return s, nil
}

// Addr is the "IP:port" the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is the policy URL for host as a client would ask for it (port 443
// implied; use DialContext to reach the server).
func (s *Server) URL(host string) string { return "https://" + host + PolicyPath }

// DialContext connects to the server whatever address is asked for: a dial
// hook that makes "mta-sts.<domain>:443" reach this server.
func (s *Server) DialContext(ctx context.Context, network, _ string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", s.Addr())
}

// SetPolicy serves body as the policy of host (e.g. "mta-sts.example.test").
func (s *Server) SetPolicy(host, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.policies[canon(host)] = body
}

// SetPage serves body as an HTML page at https://host/path (the operator
// websites of the rulebook checks).
func (s *Server) SetPage(host, path, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[canon(host)+path] = body
}

// SetBehavior sets how the server answers for host.
func (s *Server) SetBehavior(host string, b Behavior) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.behavior[canon(host)] = b
}

// Requests is the number of requests received for host.
func (s *Server) Requests(host string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[canon(host)]
}

// Close stops the server and releases stalled handlers.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		close(s.closing)
		err = s.srv.Close()
	})
	return err
}

func canon(h string) string { return strings.TrimSuffix(strings.ToLower(h), ".") }

// getCertificate issues (once) the certificate for the SNI name according
// to the host's behaviour. Unknown names get a certificate for another name.
func (s *Server) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	host := canon(hello.ServerName)
	s.mu.Lock()
	defer s.mu.Unlock()
	kind := s.behavior[host].Cert
	k := certKey{host, kind}
	if c, ok := s.certs[k]; ok {
		return c, nil
	}
	l := tlslab.Leaf{DNSNames: []string{host}}
	switch kind {
	case CertExpired:
		l.NotBefore, l.NotAfter = time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)
	case CertWrongName:
		l.DNSNames = []string{"wrong-name.invalid"}
	case CertSelfSigned:
		l.SelfSigned = true
	}
	if host == "" {
		l.DNSNames = []string{"no-sni.invalid"}
	}
	c, err := s.ca.Issue(l)
	if err != nil {
		return nil, err
	}
	s.certs[k] = &c
	return &c, nil
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	host := canon(r.Host)
	if h, _, err := net.SplitHostPort(r.Host); err == nil {
		host = canon(h)
	}
	s.mu.Lock()
	s.requests[host]++
	body, ok := s.policies[host]
	b := s.behavior[host]
	html, isPage := s.pages[host+r.URL.Path]
	s.mu.Unlock()
	if isPage && b.Redirect == "" && !b.Stall && b.Delay == 0 {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if b.Status != 0 {
			w.WriteHeader(b.Status)
		}
		_, _ = w.Write([]byte(html))
		return
	}

	if b.Delay > 0 {
		t := time.NewTimer(b.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			// Drop the connection without an answer (never an empty 200).
			panic(http.ErrAbortHandler)
		case <-s.closing:
			panic(http.ErrAbortHandler)
		}
	}
	if b.Redirect != "" {
		code := b.Status
		if code < 300 || code > 399 {
			code = http.StatusFound
		}
		w.Header().Set("Location", b.Redirect)
		w.WriteHeader(code)
		return
	}
	if r.URL.Path != PolicyPath || (!ok && b.Status == 0) {
		http.NotFound(w, r)
		return
	}
	ct := b.ContentType
	if ct == "" {
		ct = "text/plain; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	code := b.Status
	if code == 0 {
		code = http.StatusOK
	}
	w.WriteHeader(code)
	if b.Stall {
		half := body[:len(body)/2]
		_, _ = w.Write([]byte(half))
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		// Never complete the body: abort the connection.
		panic(http.ErrAbortHandler)
	}
	if _, err := w.Write([]byte(body)); err != nil {
		return
	}
	if b.Pad > 0 {
		writePad(w, b.Pad)
	}
}

// writePad writes n filler bytes as comment-like lines, stopping when the
// client goes away.
func writePad(w http.ResponseWriter, n int) {
	line := []byte(strings.Repeat("x", 1023) + "\n")
	for n > 0 {
		chunk := line
		if n < len(chunk) {
			chunk = chunk[:n]
		}
		if _, err := w.Write(chunk); err != nil {
			return
		}
		n -= len(chunk)
	}
}
