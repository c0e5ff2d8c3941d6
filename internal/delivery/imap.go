package delivery

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
)

// IMAPOptions say how to reach a mailbox. The password and the token are
// never recorded; Mailbox() is the identity that is.
type IMAPOptions struct {
	// URL is imaps://HOST[:PORT] (implicit TLS, port 993) or
	// imap://HOST[:PORT] (STARTTLS, port 143; plaintext only for loopback
	// labs that offer no STARTTLS). No user info in the URL.
	URL      string
	User     string
	Password string
	// Token is an OAuth 2.0 access token for AUTHENTICATE XOAUTH2
	// (Outlook.com and Gmail require OAuth for IMAP).
	Token   string
	RootCAs *x509.CertPool
	// Dial replaces net.Dialer.DialContext (tests).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Limits that keep a scan bounded in time and memory on big or hostile
// mailboxes: the server searches, we fetch only matches, and only a few
// header fields of each.
const (
	maxFolders         = 500
	maxMatchesFolder   = 500
	fetchBatch         = 100
	maxHeaderFetch     = 32 << 10
	maxBounceFetch     = 256 << 10
	tokensPerSearch    = 10
	imapCommandTimeout = 2 * time.Minute
)

// ErrSecretInURL rejects a URL that carries a password.
var ErrSecretInURL = errors.New("imap: put no password into the URL; use the environment or a file")

type imapTarget struct {
	scheme, host, addr string
}

func (o *IMAPOptions) target() (imapTarget, error) {
	u, err := url.Parse(o.URL)
	if err != nil || u.Host == "" {
		return imapTarget{}, fmt.Errorf("imap: invalid URL (want imaps://HOST[:PORT] or imap://HOST[:PORT])")
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			return imapTarget{}, ErrSecretInURL
		}
	}
	t := imapTarget{scheme: strings.ToLower(u.Scheme), host: u.Hostname()}
	port := u.Port()
	switch t.scheme {
	case "imaps":
		if port == "" {
			port = "993"
		}
	case "imap":
		if port == "" {
			port = "143"
		}
	default:
		return imapTarget{}, fmt.Errorf("imap: unknown scheme %q (want imaps or imap)", u.Scheme)
	}
	t.addr = net.JoinHostPort(t.host, port)
	return t, nil
}

// Mailbox is the mailbox identity for the record: scheme://user@host:port.
func (o *IMAPOptions) Mailbox() string {
	t, err := o.target()
	if err != nil {
		return "imap:invalid"
	}
	u := ""
	if o.User != "" {
		// An identity for people, not a URL to parse: the user unescaped.
		u = strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return -1
			}
			return r
		}, o.User) + "@"
	}
	return t.scheme + "://" + u + t.addr
}

// secrets returns the password or token and their wire forms, longest
// first: a server may quote the base64 XOAUTH2 initial response (or an AUTH
// PLAIN one) in its NO — found by the sentinel test with an echoing server.
func (o *IMAPOptions) secrets() []string {
	var s []string
	b64 := func(v string) []string {
		return []string{base64.StdEncoding.EncodeToString([]byte(v)), base64.RawStdEncoding.EncodeToString([]byte(v))}
	}
	if o.Token != "" {
		_, ir, _ := xoauth2{o.User, o.Token}.Start()
		s = append(s, b64(string(ir))...)
		s = append(s, o.Token)
		s = append(s, b64(o.Token)...)
	}
	if o.Password != "" {
		s = append(s, b64("\x00"+o.User+"\x00"+o.Password)...)
		s = append(s, o.Password)
		s = append(s, b64(o.Password)...)
	}
	return s
}

func scrub(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	return s
}

// xoauth2 is the XOAUTH2 SASL client of Google and Microsoft: one initial
// response "user=" USER ^A "auth=Bearer " TOKEN ^A ^A; on failure the server
// sends a JSON error as a challenge, answered with an empty line.
type xoauth2 struct{ user, token string }

func (x xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

func (x xoauth2) Next(challenge []byte) ([]byte, error) { return []byte{}, nil }

var _ sasl.Client = xoauth2{}

// connect dials, secures and logs in. The returned stop func closes
// everything.
func (o *IMAPOptions) connect(ctx context.Context) (*imapclient.Client, func(), error) {
	t, err := o.target()
	if err != nil {
		return nil, nil, err
	}
	dial := o.Dial
	if dial == nil {
		d := &net.Dialer{Timeout: 30 * time.Second}
		dial = d.DialContext
	}
	tlsCfg := &tls.Config{ServerName: t.host, RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12}
	opts := &imapclient.Options{TLSConfig: tlsCfg}
	var c *imapclient.Client
	var raw net.Conn
	open := func() error {
		raw, err = dial(ctx, "tcp", t.addr)
		if err != nil {
			return err
		}
		return nil
	}
	if err := open(); err != nil {
		return nil, nil, fmt.Errorf("imap: connect %s: %w", t.addr, err)
	}
	stopAfter := context.AfterFunc(ctx, func() { raw.Close() })
	closeAll := func() {
		stopAfter()
		if c != nil {
			c.Close()
		}
		raw.Close()
	}
	switch t.scheme {
	case "imaps":
		tc := tls.Client(raw, tlsCfg)
		hctx, cancel := context.WithTimeout(ctx, imapCommandTimeout)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("imap: TLS with %s: %w", t.addr, err)
		}
		c = imapclient.New(tc, opts)
	case "imap":
		c, err = imapclient.NewStartTLS(raw, opts)
		if err != nil {
			closeAll()
			if !isLoopbackHost(t.host) || ctx.Err() != nil {
				return nil, nil, fmt.Errorf("imap: STARTTLS with %s: %w", t.addr, err)
			}
			// A loopback lab without TLS: plaintext is acceptable there only.
			if err := open(); err != nil {
				return nil, nil, fmt.Errorf("imap: connect %s: %w", t.addr, err)
			}
			stopAfter = context.AfterFunc(ctx, func() { raw.Close() })
			c = imapclient.New(raw, opts)
		}
	}
	if err := c.WaitGreeting(); err != nil {
		closeAll()
		return nil, nil, fmt.Errorf("imap: greeting from %s: %w", t.addr, err)
	}
	if o.Token != "" {
		err = c.Authenticate(xoauth2{o.User, o.Token})
	} else {
		err = c.Login(o.User, o.Password).Wait()
	}
	if err != nil {
		closeAll()
		return nil, nil, fmt.Errorf("imap: login as %s failed: %s", o.User, scrub(err.Error(), o.secrets()))
	}
	return c, closeAll, nil
}

// junkNames are folder names that mean "junk" when no folder carries the
// SPECIAL-USE \Junk attribute (RFC 6154): Outlook.com, Exchange in English
// and German, Gmail, GMX/WEB.DE, Yahoo, Apple and common clients.
var junkNames = map[string]bool{
	"junk": true, "junk email": true, "junk e-mail": true, "junk-e-mail": true, "junk mail": true,
	"spam": true, "spamverdacht": true, "bulk mail": true, "bulk": true, "junk-mail": true,
	"unerwünscht": true, "[gmail]/spam": true, "[google mail]/spam": true,
}

type folderInfo struct {
	name, role, special string
}

// classifyFolders gives every selectable folder its role: INBOX, the junk
// folder (SPECIAL-USE \Junk, else by name), other.
func classifyFolders(list []*imap.ListData) []folderInfo {
	var out []folderInfo
	haveJunkAttr := false
	for _, l := range list {
		for _, a := range l.Attrs {
			if a == imap.MailboxAttrJunk {
				haveJunkAttr = true
			}
		}
	}
	for _, l := range list {
		skip := false
		special := ""
		junk := false
		for _, a := range l.Attrs {
			switch a {
			case imap.MailboxAttrNoSelect, imap.MailboxAttrNonExistent:
				skip = true
			case imap.MailboxAttrJunk:
				junk = true
				special = string(a)
			case imap.MailboxAttrArchive, imap.MailboxAttrDrafts, imap.MailboxAttrSent, imap.MailboxAttrTrash,
				imap.MailboxAttrAll, imap.MailboxAttrFlagged:
				special = string(a)
			}
		}
		if skip {
			continue
		}
		f := folderInfo{name: l.Mailbox, role: RoleOther, special: special}
		leaf := l.Mailbox
		if l.Delim != 0 {
			if i := strings.LastIndex(leaf, string(l.Delim)); i >= 0 {
				leaf = leaf[i+1:]
			}
		}
		switch {
		case strings.EqualFold(l.Mailbox, "INBOX"):
			f.role = RoleInbox
		case junk:
			f.role = RoleJunk
		case !haveJunkAttr && (junkNames[strings.ToLower(leaf)] || junkNames[strings.ToLower(l.Mailbox)]):
			f.role = RoleJunk
		}
		out = append(out, f)
		if len(out) >= maxFolders {
			break
		}
	}
	// INBOX first, then junk, then the rest by name: a stable order.
	rank := map[string]int{RoleInbox: 0, RoleJunk: 1, RoleOther: 2}
	sort.SliceStable(out, func(i, j int) bool {
		if rank[out[i].role] != rank[out[j].role] {
			return rank[out[i].role] < rank[out[j].role]
		}
		return out[i].name < out[j].name
	})
	return out
}

// orAll ORs criteria (IMAP SEARCH OR is binary, RFC 3501 §6.4.4).
func orAll(cs []imap.SearchCriteria) imap.SearchCriteria {
	if len(cs) == 1 {
		return cs[0]
	}
	return imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{cs[0], orAll(cs[1:])}}}
}

// seedCriteria finds probes by the X-Mxprobe-Id header or the token in the
// subject (some receivers drop unknown X- headers).
func seedCriteria(tokens []string) imap.SearchCriteria {
	var cs []imap.SearchCriteria
	for _, t := range tokens {
		cs = append(cs, imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{
			{Header: []imap.SearchCriteriaHeaderField{{Key: HeaderProbeID, Value: t}}},
			{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: t}}},
		}}})
	}
	return orAll(cs)
}

// dsnCriteria finds reports that mention a token anywhere (ENVID, returned
// headers, VERP address).
func dsnCriteria(tokens []string) imap.SearchCriteria {
	var cs []imap.SearchCriteria
	for _, t := range tokens {
		cs = append(cs, imap.SearchCriteria{Text: []string{t}})
	}
	return orAll(cs)
}

// seedHeaderFields are the header fields fetched from a match.
var seedHeaderFields = []string{"Message-ID", HeaderProbeID, "Subject", "X-Forefront-Antispam-Report",
	"X-Microsoft-Antispam-Mailbox-Delivery", "X-Spam-Flag", "X-Spam-Status", "Authentication-Results", "Received"}

// fetched is one fetched message.
type fetched struct {
	uid      imap.UID
	internal time.Time
	data     []byte
}

// imapScan walks every selectable folder, searches server-side for the
// tokens since the given day, fetches only the matches (headers for the
// seed, a bounded body prefix for the DSN mailbox) and calls found for each.
// Folders are opened read-only (EXAMINE) and fetched with BODY.PEEK, so no
// flag changes (RFC 3501 §6.3.2, §6.4.5).
func imapScan(ctx context.Context, o *IMAPOptions, purpose string, tokens []string, since time.Time,
	found func(f folderInfo, uidValidity uint32, m fetched)) *Scan {
	sc := &Scan{Purpose: purpose, Mailbox: o.Mailbox(), Tokens: tokens}
	if len(tokens) == 0 {
		sc.Complete = true
		return sc
	}
	c, closeAll, err := o.connect(ctx)
	if err != nil {
		sc.Error = scrub(err.Error(), o.secrets())
		return sc
	}
	defer closeAll()
	// Stream the listing and keep a bounded number of folders; the rest of
	// a hostile listing is drained (bounded by ctx), not stored.
	lc := c.List("", "*", nil)
	var list []*imap.ListData
	for d := lc.Next(); d != nil; d = lc.Next() {
		if len(list) < 2*maxFolders {
			list = append(list, d)
		}
	}
	if err := lc.Close(); err != nil {
		sc.Error = "imap: LIST: " + scrub(err.Error(), o.secrets())
		return sc
	}
	folders := classifyFolders(list)
	complete := len(folders) > 0
	if !complete {
		sc.Error = "imap: the server listed no selectable folder"
	}
	for _, f := range folders {
		if ctx.Err() != nil {
			complete = false
			if sc.Error == "" {
				sc.Error = ctx.Err().Error()
			}
			break
		}
		fs := FolderScan{Name: f.name, Role: f.role, SpecialUse: f.special}
		n, err := scanFolder(ctx, c, f, purpose, tokens, since, &fs, found)
		fs.Matches = n
		if err != nil {
			fs.Error = scrub(err.Error(), o.secrets())
			complete = false
			if sc.Error == "" {
				sc.Error = fmt.Sprintf("imap: folder %q: %s", f.name, fs.Error)
			}
		}
		sc.Messages += int(fs.Messages)
		sc.Folders = append(sc.Folders, fs)
		if c.State() == imap.ConnStateLogout || isClosed(c) {
			complete = false
			if sc.Error == "" {
				sc.Error = "imap: connection lost"
			}
			break
		}
	}
	sc.Complete = complete
	_ = c.Logout().Wait()
	return sc
}

func isClosed(c *imapclient.Client) bool {
	select {
	case <-c.Closed():
		return true
	default:
		return false
	}
}

func scanFolder(ctx context.Context, c *imapclient.Client, f folderInfo, purpose string, tokens []string, since time.Time,
	fs *FolderScan, found func(folderInfo, uint32, fetched)) (int, error) {
	sel, err := c.Select(f.name, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return 0, err
	}
	fs.Messages = sel.NumMessages
	if sel.NumMessages == 0 {
		return 0, nil
	}
	var uids []imap.UID
	for i := 0; i < len(tokens); i += tokensPerSearch {
		chunk := tokens[i:min(i+tokensPerSearch, len(tokens))]
		var crit imap.SearchCriteria
		if purpose == PurposeDSN {
			crit = dsnCriteria(chunk)
		} else {
			crit = seedCriteria(chunk)
		}
		if !since.IsZero() {
			// SINCE compares the internal date by day (RFC 3501 §6.4.4);
			// a day earlier absorbs time zones.
			crit.Since = since.AddDate(0, 0, -1)
		}
		data, err := c.UIDSearch(&crit, nil).Wait()
		if err != nil {
			return 0, fmt.Errorf("SEARCH: %w", err)
		}
		uids = append(uids, data.AllUIDs()...)
		if len(uids) > maxMatchesFolder {
			uids = uids[:maxMatchesFolder]
			break
		}
	}
	if len(uids) == 0 {
		return 0, nil
	}
	sort.Slice(uids, func(i, j int) bool { return uids[i] < uids[j] })
	uids = compactUIDs(uids)
	section := &imap.FetchItemBodySection{Peek: true}
	limit := int64(maxBounceFetch)
	if purpose == PurposeSeed {
		section.Specifier = imap.PartSpecifierHeader
		section.HeaderFields = seedHeaderFields
		limit = maxHeaderFetch
	}
	section.Partial = &imap.SectionPartial{Offset: 0, Size: limit}
	n := 0
	for i := 0; i < len(uids); i += fetchBatch {
		batch := uids[i:min(i+fetchBatch, len(uids))]
		cmd := c.Fetch(imap.UIDSetNum(batch...), &imap.FetchOptions{UID: true, InternalDate: true, BodySection: []*imap.FetchItemBodySection{section}})
		for {
			msg := cmd.Next()
			if msg == nil {
				break
			}
			var m fetched
			for {
				item := msg.Next()
				if item == nil {
					break
				}
				switch it := item.(type) {
				case imapclient.FetchItemDataUID:
					m.uid = it.UID
				case imapclient.FetchItemDataInternalDate:
					m.internal = it.Time
				case imapclient.FetchItemDataBodySection:
					if it.Literal != nil {
						b, err := io.ReadAll(io.LimitReader(it.Literal, limit))
						if err == nil && int64(len(b)) < min(it.Literal.Size(), limit) {
							err = io.ErrUnexpectedEOF
						}
						if err != nil {
							// The connection died inside the literal. Touch the
							// command no more (go-imap beta.8 would read the
							// dead stream from two goroutines); drop the client.
							c.Close()
							return n, fmt.Errorf("FETCH: connection lost in the middle of a message: %w", err)
						}
						m.data = b
					}
				}
			}
			if m.uid != 0 && m.data != nil {
				n++
				found(f, sel.UIDValidity, m)
			}
		}
		if err := cmd.Close(); err != nil {
			return n, fmt.Errorf("FETCH: %w", err)
		}
	}
	return n, nil
}

func compactUIDs(u []imap.UID) []imap.UID {
	out := u[:0]
	for i, x := range u {
		if i == 0 || x != u[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// ScanSeed scans the seed mailbox for tokens: every selectable folder, the
// token confirmed locally in the fetched header (X-Mxprobe-Id, Message-ID or
// Subject), with folder, arrival time and the receiver's spam headers.
func ScanSeed(ctx context.Context, o *IMAPOptions, tokens []string, since time.Time) *Scan {
	want := map[string]bool{}
	for _, t := range tokens {
		want[t] = true
	}
	start := time.Now()
	var sightings []Sighting
	sc := imapScan(ctx, o, PurposeSeed, tokens, since, func(f folderInfo, uv uint32, m fetched) {
		h := parseHeaderBlock(m.data)
		tok, by := "", ""
		if v := strings.TrimSpace(h.Get(HeaderProbeID)); want[v] {
			tok, by = v, "x-mxprobe-id"
		} else if ts := findTokens(h.Get("Message-Id"), want); len(ts) == 1 && strings.Contains(strings.ToLower(h.Get("Message-Id")), "mxprobe."+ts[0]) {
			tok, by = ts[0], "message-id"
		} else if ts := findTokens(h.Get("Subject"), want); len(ts) == 1 {
			tok, by = ts[0], "subject"
		}
		if tok == "" {
			return // the server's search was broader than our match
		}
		sightings = append(sightings, Sighting{
			Token: tok, Folder: f.name, Role: f.role, UIDValidity: uv, UID: uint32(m.uid),
			Arrived: m.internal.UTC(), MessageID: clip(h.Get("Message-Id"), 256), MatchedBy: by, Spam: SpamVerdictOf(h), Received: clip(h.Get("Received"), 1024),
		})
	})
	sc.Found = sightings
	sc.DurationMS = time.Since(start).Milliseconds()
	return sc
}

// uidSource names a message of an IMAP mailbox stably.
func uidSource(folder string, uv uint32, uid imap.UID) string {
	return "imap:" + folder + ":" + strconv.FormatUint(uint64(uv), 10) + ":" + strconv.FormatUint(uint64(uid), 10)
}

// Validate checks the URL (scheme, host, no password in it).
func (o *IMAPOptions) Validate() error {
	_, err := o.target()
	return err
}
