package smtplab

import (
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-smtp"
)

// backend is the go-smtp Backend of a scripted server.
type backend struct{ s *Server }

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	fc, ok := c.Conn().(*frontConn)
	if !ok {
		return nil, fmt.Errorf("smtplab: unexpected connection type %T", c.Conn())
	}
	return &session{s: b.s, fc: fc, conn: c}, nil
}

// session is one go-smtp session (go-smtp starts a new one per EHLO after
// a reset); the connection's record lives in fc.rec.
type session struct {
	s    *Server
	fc   *frontConn
	conn *smtp.Conn
	from string
	utf8 bool
	to   []string
}

func (ss *session) env() Envelope {
	return Envelope{
		Session:    ss.fc.rec.ID,
		RemoteAddr: ss.fc.rec.RemoteAddr,
		Helo:       ss.conn.Hostname(),
		TLS:        ss.fc.tlsOn,
		From:       ss.from,
		To:         append([]string(nil), ss.to...),
		UTF8:       ss.utf8,
	}
}

func (ss *session) Reset() { ss.from, ss.utf8, ss.to = "", false, nil }

func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, opts *smtp.MailOptions) error {
	ss.Reset()
	ss.from = from
	ss.utf8 = opts != nil && opts.UTF8
	ss.s.update(ss.fc.rec, func(r *Session) { r.MailFrom = append(r.MailFrom, from) })
	if ss.s.sc.OnMail != nil {
		if serr := ss.s.sc.OnMail(ss.env(), from); serr != nil && serr.Code/100 != 2 {
			ss.Reset()
			return serr
		}
	}
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.update(ss.fc.rec, func(r *Session) { r.Rcpts = append(r.Rcpts, to) })
	var serr *smtp.SMTPError
	if ss.s.sc.OnRcpt != nil {
		serr = ss.s.sc.OnRcpt(ss.env(), to)
	} else {
		serr = ss.s.rcptPolicy(ss.env(), to)
	}
	if serr != nil && serr.Code/100 != 2 {
		return serr
	}
	ss.to = append(ss.to, to)
	ss.fc.rcptOK = serr // a scripted 2xx text, written by the front
	return nil
}

func (ss *session) Data(r io.Reader) error {
	msg, err := io.ReadAll(r) // go-smtp limits it to MaxMessageBytes
	if err != nil {
		return err
	}
	ss.s.update(ss.fc.rec, func(r *Session) { r.Data++ })
	if ss.s.sc.OnData != nil {
		if serr := ss.s.sc.OnData(ss.env(), msg); serr != nil {
			return serr
		}
	}
	return nil
}

// rcptPolicy applies Scenario.Rcpt.
func (s *Server) rcptPolicy(env Envelope, to string) *smtp.SMTPError {
	switch s.sc.Rcpt {
	case RcptAcceptAll:
		return nil
	case RcptRejectS3150:
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1},
			Message: fmt.Sprintf(S3150Text, remoteIP(env.RemoteAddr))}
	case RcptGreylist:
		key := remoteIP(env.RemoteAddr) + "\x00" + strings.ToLower(env.From) + "\x00" + strings.ToLower(to)
		s.mu.Lock()
		s.grey[key]++
		n := s.grey[key]
		s.mu.Unlock()
		if s.sc.GreylistAttempts == 0 || n <= s.sc.GreylistAttempts {
			return &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 7, 1},
				Message: "<" + to + ">: Recipient address rejected: Greylisted, please try again later"}
		}
		return nil
	case RcptUnknownUser:
		if isPostmaster(to) {
			return nil
		}
		return unknownUser(to)
	default: // RcptAccept
		if isPostmaster(to) || s.hasMailbox(to) {
			return nil
		}
		return unknownUser(to)
	}
}

func unknownUser(to string) *smtp.SMTPError {
	return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
		Message: "<" + to + ">: Recipient address rejected: User unknown in virtual mailbox table"}
}

// isPostmaster: RFC 5321 §4.5.1, the local part "postmaster" is
// case-insensitive.
func isPostmaster(addr string) bool {
	local, _, _ := strings.Cut(addr, "@")
	return strings.EqualFold(local, "postmaster")
}

func (s *Server) hasMailbox(addr string) bool {
	local, _, _ := strings.Cut(addr, "@")
	for _, m := range s.sc.Mailboxes {
		if strings.Contains(m, "@") {
			if strings.EqualFold(m, addr) {
				return true
			}
		} else if strings.EqualFold(m, local) {
			return true
		}
	}
	return false
}
