package imaplab

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Behavior is what the seed MX does with a message for one recipient.
type Behavior string

const (
	DeliverInbox Behavior = "inbox"   // append to INBOX
	DeliverJunk  Behavior = "junk"    // append to the junk folder, with spam headers
	DeliverOther Behavior = "other"   // append to Archive
	Discard      Behavior = "discard" // answer 250 (Microsoft-shaped) and drop it: the silent drop
	Delay        Behavior = "delay"   // answer 250, deliver to INBOX only on Release
	Bounce       Behavior = "bounce"  // answer 250, then an RFC 3464 report into the DSN sink
	BouncePlain  Behavior = "bounce-plain"
	RejectRcpt   Behavior = "reject" // 550 5.7.1 at RCPT (Microsoft S3150 text)
	DeferRcpt    Behavior = "defer"  // 451 4.7.500 at RCPT
	// AutoReply answers 250, keeps the message out of the seed (the
	// recipient's mailbox is not ours) and puts an RFC 3834 out-of-office
	// reply to the envelope sender into the DSN sink.
	AutoReply Behavior = "autoreply"
)

// MXOptions configure a seed MX.
type MXOptions struct {
	// Seed receives deliveries; DSNSink receives bounces (may be nil).
	Seed    *Server
	DSNSink *Server
	// Rules choose the behaviour per recipient (lower case); Default for
	// the others (default DeliverInbox).
	Rules   map[string]Behavior
	Default Behavior
	// DSN advertises the DSN extension (RFC 3461).
	DSN bool
	// Hostname is the server's name in the banner and in Microsoft's
	// "Hostname=" (default a Microsoft-like host).
	Hostname string
	// Microsoft answers the final dot like Exchange Online / Outlook.com:
	// "250 2.6.0 <msgid> [InternalId=…, Hostname=…] … Queued mail for
	// delivery" and stamps Microsoft's spam headers on delivered mail.
	Microsoft bool
	// Now is the clock for INTERNALDATE and header dates (default time.Now).
	Now func() time.Time
	// TLS offers STARTTLS with this configuration.
	TLS *tls.Config
	// ImplicitTLS serves TLS from the first byte (submissions on port 465,
	// RFC 8314 §3.3) instead of STARTTLS.
	ImplicitTLS *tls.Config
	// Users, when set, makes this a submission relay: AUTH PLAIN with one
	// of these user/password pairs is required before MAIL.
	Users map[string]string
	// InsecureAuth allows AUTH without TLS (loopback labs).
	InsecureAuth bool
}

// Received is one message the MX accepted, with its envelope.
type Received struct {
	From     string
	To       string
	Mail     smtp.MailOptions
	Rcpt     smtp.RcptOptions
	Data     []byte
	Behavior Behavior
	At       time.Time
	AuthUser string
}

// MX is a running seed MX.
type MX struct {
	opts  MXOptions
	srv   *smtp.Server
	ln    net.Listener
	ids   atomic.Int64
	mu    sync.Mutex
	recv  []Received
	held  []Received
	dials atomic.Int64
}

// StartMX starts a seed MX on 127.0.0.1.
func StartMX(o MXOptions) (*MX, error) {
	if o.Seed == nil {
		return nil, errors.New("imaplab: MX needs a seed server")
	}
	if o.Default == "" {
		o.Default = DeliverInbox
	}
	if o.Hostname == "" {
		o.Hostname = "AM0PR01MB1234.eurprd01.prod.exchangelabs.lab.test"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	m := &MX{opts: o}
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		m.dials.Add(1)
		return &mxSession{m: m, conn: c}, nil
	}))
	s.Domain = o.Hostname
	s.EnableDSN = o.DSN
	s.TLSConfig = o.TLS
	s.AllowInsecureAuth = o.InsecureAuth || o.TLS == nil || o.ImplicitTLS != nil
	s.ReadTimeout, s.WriteTimeout = 30*time.Second, 30*time.Second
	s.MaxMessageBytes = 10 << 20
	s.ErrorLog = nopLogger{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	m.srv, m.ln = s, ln
	if o.ImplicitTLS != nil {
		ln = tls.NewListener(ln, o.ImplicitTLS)
	}
	go s.Serve(ln)
	return m, nil
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}
func (nopLogger) Println(...any)        {}

// Addr is HOST:PORT of the MX.
func (m *MX) Addr() string { return m.ln.Addr().String() }

// Port is the MX's TCP port.
func (m *MX) Port() int { return m.ln.Addr().(*net.TCPAddr).Port }

// Close stops the MX.
func (m *MX) Close() error { return m.srv.Close() }

// Received returns the accepted messages so far.
func (m *MX) Received() []Received {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Received(nil), m.recv...)
}

// Release delivers the held (Delay) messages to the seed INBOX with the
// given INTERNALDATE and returns how many there were.
func (m *MX) Release(at time.Time) (int, error) {
	m.mu.Lock()
	held := m.held
	m.held = nil
	m.mu.Unlock()
	for _, r := range held {
		if _, err := m.opts.Seed.Append("INBOX", m.stamp(r.Data, DeliverInbox), at); err != nil {
			return 0, err
		}
	}
	return len(held), nil
}

type mxSession struct {
	m        *MX
	conn     *smtp.Conn
	from     string
	mail     smtp.MailOptions
	rcpts    []string
	ropts    []smtp.RcptOptions
	authUser string
}

var _ smtp.AuthSession = (*mxSession)(nil)

func (s *mxSession) AuthMechanisms() []string {
	if s.m.opts.Users == nil {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *mxSession) Auth(mech string) (sasl.Server, error) {
	if s.m.opts.Users == nil || mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if pw, ok := s.m.opts.Users[username]; !ok || pw != password || (identity != "" && identity != username) {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		s.authUser = username
		return nil
	}), nil
}

func (s *mxSession) Reset() { s.from, s.rcpts, s.ropts = "", nil, nil }

func (s *mxSession) Logout() error { return nil }

func (s *mxSession) Mail(from string, opts *smtp.MailOptions) error {
	if s.m.opts.Users != nil && s.authUser == "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	if opts != nil {
		s.mail = *opts
	}
	return nil
}

func (s *mxSession) behavior(rcpt string) Behavior {
	if b, ok := s.m.opts.Rules[strings.ToLower(rcpt)]; ok {
		return b
	}
	return s.m.opts.Default
}

func (s *mxSession) Rcpt(to string, opts *smtp.RcptOptions) error {
	switch s.behavior(to) {
	case RejectRcpt:
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1},
			Message: "Unfortunately, messages from [127.0.0.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [" + s.m.opts.Hostname + "]"}
	case DeferRcpt:
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 500}, Message: "Server busy. Please try again later from [127.0.0.1]. (S77719) [" + s.m.opts.Hostname + "]"}
	}
	s.rcpts = append(s.rcpts, to)
	if opts != nil {
		s.ropts = append(s.ropts, *opts)
	} else {
		s.ropts = append(s.ropts, smtp.RcptOptions{})
	}
	return nil
}

func (s *mxSession) Data(r io.Reader) error {
	data, err := io.ReadAll(io.LimitReader(r, 10<<20))
	if err != nil {
		return err
	}
	now := s.m.opts.Now()
	msgID := headerOf(data, "Message-Id")
	for i, rcpt := range s.rcpts {
		b := s.behavior(rcpt)
		rec := Received{From: s.from, To: rcpt, Mail: s.mail, Rcpt: s.ropts[i], Data: data, Behavior: b, At: now, AuthUser: s.authUser}
		s.m.mu.Lock()
		s.m.recv = append(s.m.recv, rec)
		s.m.mu.Unlock()
		switch b {
		case DeliverInbox, DeliverJunk, DeliverOther:
			folder := "INBOX"
			if b == DeliverJunk {
				folder = s.m.opts.Seed.JunkFolder()
			} else if b == DeliverOther {
				folder = "Archive"
			}
			if _, err := s.m.opts.Seed.Append(folder, s.m.stamp(data, b), now); err != nil {
				return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "lab: " + err.Error()}
			}
		case Delay:
			s.m.mu.Lock()
			s.m.held = append(s.m.held, rec)
			s.m.mu.Unlock()
		case AutoReply:
			if s.m.opts.DSNSink != nil {
				reply := AutoReplyMessage(AutoReplyOptions{From: rcpt, To: s.from, Original: data, Date: now})
				if _, err := s.m.opts.DSNSink.Append("INBOX", reply, now); err != nil {
					return err
				}
			}
		case Bounce, BouncePlain:
			if s.m.opts.DSNSink != nil {
				report := BounceReport(BounceOptions{
					Plain: b == BouncePlain, ReportingMTA: s.m.opts.Hostname, ReturnPath: s.from, Recipient: rcpt,
					EnvelopeID: s.mail.EnvelopeID, Status: "5.1.10",
					Diagnostic: "smtp; 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
					Original:   data, Date: now,
				})
				if _, err := s.m.opts.DSNSink.Append("INBOX", report, now); err != nil {
					return err
				}
			}
		}
	}
	if s.m.opts.Microsoft {
		// What Exchange Online and Outlook.com answer to the final dot.
		id := s.m.ids.Add(1)
		return &smtp.SMTPError{Code: 250, EnhancedCode: smtp.EnhancedCode{2, 6, 0},
			Message: fmt.Sprintf("%s [InternalId=%d, Hostname=%s] %d bytes in 0.012, 98.765 KB/sec Queued mail for delivery",
				msgID, 1099511627776+id, s.m.opts.Hostname, len(data))}
	}
	return &smtp.SMTPError{Code: 250, EnhancedCode: smtp.EnhancedCode{2, 0, 0}, Message: fmt.Sprintf("Ok: queued as LAB%06d", s.m.ids.Add(1))}
}

// stamp adds the receiver's headers to a delivered copy: Received and, for
// a Microsoft-shaped MX, X-Forefront-Antispam-Report and
// X-Microsoft-Antispam-Mailbox-Delivery (junk: SCL 6 SFV:SPM dest:J).
func (m *MX) stamp(data []byte, b Behavior) []byte {
	var h bytes.Buffer
	fmt.Fprintf(&h, "Received: from lab (127.0.0.1) by %s; %s\r\n", m.opts.Hostname, m.opts.Now().Format(time.RFC1123Z))
	if m.opts.Microsoft {
		if b == DeliverJunk {
			h.WriteString("X-Forefront-Antispam-Report: CIP:127.0.0.1;CTRY:;LANG:en;SCL:6;SRV:;IPV:NLI;SFV:SPM;H:lab;PTR:;CAT:SPM;SFS:;DIR:INB;\r\n")
			h.WriteString("X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;jmr:0;auth:0;dest:J;OFR:SpamFilterAuthJ;ENG:(5062000305)(90000117);\r\n")
		} else {
			h.WriteString("X-Forefront-Antispam-Report: CIP:127.0.0.1;CTRY:;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;H:lab;PTR:;CAT:NONE;SFS:;DIR:INB;\r\n")
			h.WriteString("X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;jmr:0;auth:0;dest:I;ENG:(5062000305)(90000117);\r\n")
		}
	} else if b == DeliverJunk {
		h.WriteString("X-Spam-Flag: YES\r\nX-Spam-Status: Yes, score=7.1 required=5.0\r\n")
	}
	return append(h.Bytes(), data...)
}

func headerOf(data []byte, key string) string {
	h, _ := textproto.NewReader(bufio.NewReader(bytes.NewReader(data))).ReadMIMEHeader()
	return h.Get(key)
}
