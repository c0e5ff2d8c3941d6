package smtpconn

import (
	"encoding/base64"
	"errors"
	"strings"

	"github.com/emersion/go-sasl"
)

// MaxAuthRounds bounds the challenges of one AUTH exchange: a hostile
// server cannot keep us answering.
const MaxAuthRounds = 8

// Errors of Auth.
var (
	ErrAuthTooManyRounds = errors.New("smtpconn: the server kept sending AUTH challenges")
	ErrAuthCancelled     = errors.New("smtpconn: the server accepted a cancelled AUTH exchange")
)

// Auth runs an RFC 4954 AUTH exchange with the SASL client a and returns
// the server's final reply as received: 235 on success, else the refusal
// (535, 454, 534 …), which the caller judges. The error is non-nil only
// when no final reply came (I/O, protocol, too many rounds).
//
// The transcript shows "AUTH <mech> ***" and "***" for every response
// line: credentials never reach it. The server's lines are recorded
// verbatim. "*" (cancel) is sent only in answer to a 334 the mechanism
// cannot answer (RFC 4954 §4) — never after a final reply, where a server
// would read it as a new command and its answer would hide the real one.
func (c *Conn) Auth(a sasl.Client) (*Reply, error) {
	mech, ir, err := a.Start()
	if err != nil {
		return nil, err
	}
	b64 := base64.StdEncoding
	line, shown := "AUTH "+mech, "AUTH "+mech
	switch {
	case len(ir) > 0:
		line += " " + b64.EncodeToString(ir)
		shown += " " + Redacted
	case ir != nil:
		// RFC 4954 §4: "=" is an empty initial response.
		line += " ="
		shown += " ="
	}
	for round := 0; ; round++ {
		sent, err := c.sendSecret(line, shown)
		if err != nil {
			return nil, err
		}
		rep, err := c.ReadReply("AUTH", sent, c.to.Command)
		if err != nil {
			return nil, err
		}
		switch {
		case rep.Code != 334:
			// A final reply ends the exchange (RFC 4954 §4, §6).
			return rep, nil
		case round >= MaxAuthRounds:
			return rep, ErrAuthTooManyRounds
		}
		// RFC 4954 §4: the text of a 334 is the base64 challenge.
		chal, derr := b64.DecodeString(strings.TrimSpace(lastLine(rep.Text)))
		var resp []byte
		if derr == nil {
			resp, derr = a.Next(chal)
		}
		if derr != nil {
			sent, err := c.Send("*")
			if err != nil {
				return nil, err
			}
			rep, err := c.ReadReply("AUTH", sent, c.to.Command)
			switch {
			case err != nil:
			case rep.Class() == 2:
				err = ErrAuthCancelled
			case rep.Code == 334:
				// RFC 4954 §4: the server must reject a cancelled exchange
				// with 501.
				err = &ProtocolError{Err: ErrUnexpected, Line: rep.Line()}
			}
			return rep, err
		}
		line, shown = b64.EncodeToString(resp), Redacted
	}
}

func lastLine(s string) string {
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// XText encodes a DSN parameter value (RFC 3461 §4: "+", "=" and every
// octet outside "!" to "~" as "+XX").
func XText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '!' || c > '~' || c == '+' || c == '=' {
			b.WriteString("+" + strings.ToUpper(hexByte(c)))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func hexByte(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&15]})
}
