package smtpconn

import (
	"bytes"
	"strconv"
	"time"
)

// Data sends DATA and, after a 354, the message (RFC 5321 §4.1.1.4):
// dot-stuffed (§4.5.2), ended with CRLF "." CRLF. It returns the reply to
// DATA and, when the message was sent, the reply to the final dot (read
// within Timeouts.Data). The transcript shows "<message, N bytes>", not
// the message.
func (c *Conn) Data(msg []byte) (start, end *Reply, err error) {
	start, err = c.Cmd("DATA", "DATA")
	if err != nil || start.Code != 354 {
		return start, nil, err
	}
	c.tr.Add(DirClient, "<message, "+strconv.Itoa(len(msg))+" bytes>")
	c.tr.Add(DirClient, ".")
	_ = c.conn.SetWriteDeadline(c.deadline(c.to.Data))
	sent := time.Now()
	if _, err := c.conn.Write(DotStuff(msg)); err != nil {
		return start, nil, err
	}
	end, err = c.ReadReply("DATA", sent, c.to.Data)
	return start, end, err
}

// DotStuff returns msg ready for the wire: bare LF turned into CRLF, a
// leading "." doubled on every line (RFC 5321 §4.5.2), a final CRLF
// added if missing, and the terminating "." line appended.
func DotStuff(msg []byte) []byte {
	out := make([]byte, 0, len(msg)+len(msg)/64+8)
	bol := true
	for i := 0; i < len(msg); i++ {
		ch := msg[i]
		if bol && ch == '.' {
			out = append(out, '.')
		}
		if ch == '\n' && (i == 0 || msg[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, ch)
		bol = ch == '\n'
	}
	if !bytes.HasSuffix(out, []byte("\r\n")) {
		if bytes.HasSuffix(out, []byte("\r")) {
			out = append(out, '\n')
		} else {
			out = append(out, '\r', '\n')
		}
	}
	return append(out, ".\r\n"...)
}
