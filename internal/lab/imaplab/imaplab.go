// Package imaplab is the mailbox side of the loopback lab: an in-memory
// go-imap/v2 server holding a seed mailbox (INBOX, "Junk Email", Archive —
// or a variant that advertises \Junk on a folder named "Spam") or a DSN
// sink, and a go-smtp "seed MX" that delivers into it the way real receivers
// do: to the inbox, to junk, to another folder, later, not at all after a
// Microsoft-shaped 250, or with a bounce into the DSN sink.
//
// Everything listens on 127.0.0.1 only. Tests drive it in-process; faults
// (a server that vanishes in the middle of a FETCH) are switches.
package imaplab

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
)

// Folder is a mailbox folder of the lab user.
type Folder struct {
	Name string
	// SpecialUse is the RFC 6154 attribute advertised in LIST (e.g.
	// imap.MailboxAttrJunk), or empty.
	SpecialUse imap.MailboxAttr
	// NoSelect folders are listed with \Noselect and cannot be opened.
	NoSelect bool
}

// SeedFolders is the default seed mailbox: INBOX, "Junk Email" (found by
// name, as Outlook.com's IMAP names it), Archive.
func SeedFolders() []Folder {
	return []Folder{{Name: "INBOX"}, {Name: "Junk Email"}, {Name: "Archive", SpecialUse: imap.MailboxAttrArchive}}
}

// SpamVariantFolders advertises \Junk on a folder named "Spam" and has a
// user folder named "Junk" that is not the junk folder.
func SpamVariantFolders() []Folder {
	return []Folder{{Name: "INBOX"}, {Name: "Spam", SpecialUse: imap.MailboxAttrJunk}, {Name: "Junk"},
		{Name: "Archive", SpecialUse: imap.MailboxAttrArchive}, {Name: "Lists", NoSelect: true}, {Name: "Lists/Team"}}
}

// Options configure a lab IMAP server.
type Options struct {
	User     string
	Password string
	// BearerToken, when set, is accepted with AUTHENTICATE XOAUTH2.
	BearerToken string
	// Folders (default SeedFolders).
	Folders []Folder
	// TLS, when set, serves implicit TLS (imaps). StartTLS, when set,
	// offers STARTTLS on the plaintext port. Without either, plaintext
	// login is allowed (loopback only).
	TLS      *tls.Config
	StartTLS *tls.Config
}

// Server is a running lab IMAP server.
type Server struct {
	opts     Options
	mem      *imapmemserver.Server
	user     *imapmemserver.User
	srv      *imapserver.Server
	ln       net.Listener
	adminPW  string
	logins   atomic.Int64
	fetches  atomic.Int64
	vanishAt atomic.Int64 // kill the connection at this FETCH number (0: never)
	onLogin  atomic.Pointer[func(n int)]

	mu      sync.Mutex
	folders []Folder
	conns   map[*imapserver.Conn]struct{}
}

// Start starts a lab IMAP server on 127.0.0.1.
func Start(o Options) (*Server, error) {
	if o.User == "" {
		return nil, errors.New("imaplab: user required")
	}
	if o.Folders == nil {
		o.Folders = SeedFolders()
	}
	var pw [12]byte
	rand.Read(pw[:])
	s := &Server{opts: o, mem: imapmemserver.New(), adminPW: hex.EncodeToString(pw[:]), conns: map[*imapserver.Conn]struct{}{}}
	s.user = imapmemserver.NewUser(o.User, o.Password)
	s.mem.AddUser(s.user)
	hasInbox := false
	for _, f := range o.Folders {
		if strings.EqualFold(f.Name, "INBOX") {
			f.Name = "INBOX"
			hasInbox = true
		}
		if err := s.user.Create(f.Name, nil); err != nil {
			return nil, fmt.Errorf("imaplab: create %s: %w", f.Name, err)
		}
		s.folders = append(s.folders, f)
	}
	if !hasInbox {
		s.user.Create("INBOX", nil)
		s.folders = append([]Folder{{Name: "INBOX"}}, s.folders...)
	}
	s.srv = imapserver.New(&imapserver.Options{
		NewSession: func(c *imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			s.mu.Lock()
			s.conns[c] = struct{}{}
			s.mu.Unlock()
			return &session{s: s, conn: c}, nil, nil
		},
		Caps: imap.CapSet{
			imap.CapIMAP4rev1: {}, imap.CapSpecialUse: {}, imap.CapMove: {}, imap.CapUIDPlus: {},
			imap.CapNamespace: {}, imap.CapUnselect: {}, imap.CapLiteralMinus: {},
		},
		TLSConfig:    o.StartTLS,
		InsecureAuth: o.TLS == nil && o.StartTLS == nil,
		Logger:       discardLogger{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	if o.TLS != nil {
		ln = tls.NewListener(ln, o.TLS)
	}
	s.ln = ln
	go s.srv.Serve(ln)
	return s, nil
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}

// Addr is the server's HOST:PORT.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is imaps://ADDR with implicit TLS, else imap://ADDR.
func (s *Server) URL() string {
	if s.opts.TLS != nil {
		return "imaps://" + s.Addr()
	}
	return "imap://" + s.Addr()
}

// Close stops the server and drops every connection.
func (s *Server) Close() error { return s.srv.Close() }

// Logins is the number of successful user logins so far (lab admin
// connections do not count).
func (s *Server) Logins() int { return int(s.logins.Load()) }

// OnLogin sets a hook called after each successful user login with the
// login count (nil removes it). Tests use it to deliver "later" without
// sleeping.
func (s *Server) OnLogin(f func(n int)) {
	if f == nil {
		s.onLogin.Store(nil)
		return
	}
	s.onLogin.Store(&f)
}

// VanishOnFetch makes the n-th FETCH command from now on (1 = the next)
// write half a response and drop the connection. 0 turns it off.
func (s *Server) VanishOnFetch(n int) {
	if n <= 0 {
		s.vanishAt.Store(0)
		return
	}
	s.vanishAt.Store(s.fetches.Load() + int64(n))
}

// Folders returns the configured folders.
func (s *Server) Folders() []Folder {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Folder(nil), s.folders...)
}

// JunkFolder returns the folder a receiver files spam into: the one with
// \Junk, else one named like a junk folder.
func (s *Server) JunkFolder() string {
	fs := s.Folders()
	for _, f := range fs {
		if f.SpecialUse == imap.MailboxAttrJunk {
			return f.Name
		}
	}
	for _, f := range fs {
		switch strings.ToLower(f.Name) {
		case "junk email", "junk", "spam", "junk-e-mail":
			return f.Name
		}
	}
	return "INBOX"
}

type literal struct {
	*bytes.Reader
	n int64
}

func (l literal) Size() int64 { return l.n }

// Append stores msg in folder with the given INTERNALDATE (zero: now) and
// flags, as a delivery does.
func (s *Server) Append(folder string, msg []byte, internalDate time.Time, flags ...imap.Flag) (imap.UID, error) {
	if internalDate.IsZero() {
		internalDate = time.Now()
	}
	d, err := s.user.Append(folder, literal{bytes.NewReader(msg), int64(len(msg))}, &imap.AppendOptions{Time: internalDate, Flags: flags})
	if err != nil {
		return 0, err
	}
	return d.UID, nil
}

// Count returns the number of messages in folder.
func (s *Server) Count(folder string) (int, error) {
	st, err := s.user.Status(folder, &imap.StatusOptions{NumMessages: true})
	if err != nil {
		return 0, err
	}
	return int(*st.NumMessages), nil
}

// admin opens a lab-internal IMAP connection that bypasses the hooks.
func (s *Server) admin() (*imapclient.Client, error) {
	conn, err := net.Dial("tcp", s.ln.Addr().String())
	if err != nil {
		return nil, err
	}
	if s.opts.TLS != nil {
		conn = tls.Client(conn, &tls.Config{InsecureSkipVerify: true}) // the lab talking to itself
	}
	opts := &imapclient.Options{}
	var c *imapclient.Client
	if s.opts.StartTLS != nil && s.opts.TLS == nil {
		opts.TLSConfig = &tls.Config{InsecureSkipVerify: true}
		c, err = imapclient.NewStartTLS(conn, opts)
		if err != nil {
			return nil, err
		}
	} else {
		c = imapclient.New(conn, opts)
	}
	if err := c.Login(adminUser, s.adminPW).Wait(); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

const adminUser = "\x01lab-admin"

// Flags returns the flags of every message in folder by UID, read without
// touching them (EXAMINE and FETCH FLAGS).
func (s *Server) Flags(folder string) (map[imap.UID][]imap.Flag, error) {
	c, err := s.admin()
	if err != nil {
		return nil, err
	}
	defer c.Close()
	sel, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return nil, err
	}
	out := map[imap.UID][]imap.Flag{}
	if sel.NumMessages == 0 {
		return out, nil
	}
	var all imap.SeqSet
	all.AddRange(1, sel.NumMessages)
	msgs, err := c.Fetch(all, &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		out[m.UID] = m.Flags
	}
	return out, nil
}

// Move moves message uid from folder to dest (as a mailbox rule or a
// zero-hour purge would).
func (s *Server) Move(folder string, uid imap.UID, dest string) error {
	c, err := s.admin()
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.Select(folder, nil).Wait(); err != nil {
		return err
	}
	_, err = c.Move(imap.UIDSetNum(uid), dest).Wait()
	return err
}

// Delete removes message uid from folder.
func (s *Server) Delete(folder string, uid imap.UID) error {
	c, err := s.admin()
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.Select(folder, nil).Wait(); err != nil {
		return err
	}
	if err := c.Store(imap.UIDSetNum(uid), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		return err
	}
	return c.Expunge().Close()
}

// session wraps the in-memory user session: our LIST (with special-use
// attributes), XOAUTH2, login counting and fault injection.
type session struct {
	*imapmemserver.UserSession
	s     *Server
	conn  *imapserver.Conn
	admin bool
}

var _ imapserver.SessionIMAP4rev2 = (*session)(nil)
var _ imapserver.SessionSASL = (*session)(nil)

func (ss *session) Close() error {
	ss.s.mu.Lock()
	delete(ss.s.conns, ss.conn)
	ss.s.mu.Unlock()
	if ss.UserSession != nil {
		return ss.UserSession.Close()
	}
	return nil
}

func (ss *session) Login(username, password string) error {
	if username == adminUser {
		if password != ss.s.adminPW {
			return imapserver.ErrAuthFailed
		}
		ss.admin = true
		ss.UserSession = imapmemserver.NewUserSession(ss.s.user)
		return nil
	}
	if err := ss.s.user.Login(username, password); err != nil {
		return err
	}
	ss.loggedIn()
	return nil
}

func (ss *session) loggedIn() {
	ss.UserSession = imapmemserver.NewUserSession(ss.s.user)
	n := int(ss.s.logins.Add(1))
	if f := ss.s.onLogin.Load(); f != nil {
		(*f)(n)
	}
}

func (ss *session) AuthenticateMechanisms() []string {
	m := []string{"PLAIN"}
	if ss.s.opts.BearerToken != "" {
		m = append(m, "XOAUTH2")
	}
	return m
}

func (ss *session) Authenticate(mech string) (sasl.Server, error) {
	switch mech {
	case "PLAIN":
		return sasl.NewPlainServer(func(identity, username, password string) error {
			if identity != "" && identity != username {
				return imapserver.ErrAuthFailed
			}
			return ss.Login(username, password)
		}), nil
	case "XOAUTH2":
		if ss.s.opts.BearerToken != "" {
			return &xoauth2Server{check: func(user, token string) error {
				if user != ss.s.opts.User || token != ss.s.opts.BearerToken {
					return imapserver.ErrAuthFailed
				}
				ss.loggedIn()
				return nil
			}}, nil
		}
	}
	return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Text: "SASL mechanism not supported"}
}

// xoauth2Server checks Google's and Microsoft's XOAUTH2 initial response:
// "user=" USER ^A "auth=Bearer " TOKEN ^A ^A.
type xoauth2Server struct {
	check func(user, token string) error
	done  bool
}

func (x *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if x.done {
		return nil, true, errors.New("unexpected response")
	}
	if resp == nil {
		return []byte{}, false, nil // ask for the initial response
	}
	x.done = true
	var user, token string
	for _, kv := range strings.Split(string(resp), "\x01") {
		if v, ok := strings.CutPrefix(kv, "user="); ok {
			user = v
		}
		if v, ok := strings.CutPrefix(kv, "auth=Bearer "); ok {
			token = v
		}
	}
	if err := x.check(user, token); err != nil {
		return nil, true, err
	}
	return nil, true, nil
}

func (ss *session) Create(name string, options *imap.CreateOptions) error {
	if err := ss.UserSession.Create(name, options); err != nil {
		return err
	}
	ss.s.mu.Lock()
	ss.s.folders = append(ss.s.folders, Folder{Name: strings.TrimRight(name, "/")})
	ss.s.mu.Unlock()
	return nil
}

func (ss *session) Select(name string, options *imap.SelectOptions) (*imap.SelectData, error) {
	for _, f := range ss.s.Folders() {
		if f.Name == name && f.NoSelect {
			return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeCannot, Text: "\\Noselect"}
		}
	}
	return ss.UserSession.Select(name, options)
}

// List answers LIST with the special-use attributes of RFC 6154 §2 on every
// listing (as Dovecot does), and \Noselect where configured.
func (ss *session) List(w *imapserver.ListWriter, ref string, patterns []string, options *imap.ListOptions) error {
	if len(patterns) == 0 {
		return w.WriteList(&imap.ListData{Attrs: []imap.MailboxAttr{imap.MailboxAttrNoSelect}, Delim: '/'})
	}
	for _, f := range ss.s.Folders() {
		match := false
		for _, p := range patterns {
			if imapserver.MatchList(f.Name, '/', ref, p) {
				match = true
				break
			}
		}
		if !match {
			continue
		}
		d := &imap.ListData{Mailbox: f.Name, Delim: '/'}
		if f.SpecialUse != "" {
			d.Attrs = append(d.Attrs, f.SpecialUse)
		}
		if f.NoSelect {
			d.Attrs = append(d.Attrs, imap.MailboxAttrNoSelect)
		}
		if options != nil && options.SelectSpecialUse && f.SpecialUse == "" {
			continue
		}
		if err := w.WriteList(d); err != nil {
			return err
		}
	}
	return nil
}

// Fetch serves FETCH, or — when armed with VanishOnFetch — writes half a
// response and drops the connection, like a server that dies mid-FETCH.
func (ss *session) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	if !ss.admin {
		n := ss.s.fetches.Add(1)
		if at := ss.s.vanishAt.Load(); at != 0 && n >= at {
			ss.s.vanishAt.Store(0)
			nc := ss.conn.NetConn()
			io.WriteString(nc, "* 1 FETCH (UID 1 BODY[HEADER] {4096}\r\nReceived: from half")
			nc.Close()
			return errors.New("imaplab: vanished mid-FETCH")
		}
	}
	return ss.UserSession.Fetch(w, numSet, options)
}
