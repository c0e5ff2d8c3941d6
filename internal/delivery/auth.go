package delivery

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// The AUTH exchange is ours, not go-smtp's: go-smtp v0.25.1 Client.Auth
// answers every final reply it does not expect (a 535, say) with the cancel
// line "*" (emersion/go-smtp issue 316). RFC 4954 §4 allows "*" only as the
// answer to a 334 challenge; after a final reply the server reads it as a
// new command, answers it (Postfix: "221 2.7.0 Error: I can break rules,
// too. Goodbye.") and that answer hid the real 535 in the record.

// Limits of one AUTH exchange: a hostile server cannot keep us answering
// challenges or send endless reply lines.
const (
	maxAuthRounds    = 8
	maxAuthLine      = 2000 // like go-smtp's client: twice RFC 5321 §4.5.3.1.5
	maxAuthReplyLine = 64
)

var errAuthTooManyRounds = errors.New("the server kept sending AUTH challenges")

// authenticate runs RFC 4954 AUTH with the SASL client a on conn, which is
// the connection go-smtp's client reads from (after its EHLO reply has been
// read in full, so no byte of ours is buffered there). Replies are read one
// byte at a time so nothing meant for go-smtp is consumed here. It returns
// nil on 235 and an *smtp.SMTPError with the server's final reply otherwise;
// "*" is sent only in answer to a 334 that the mechanism cannot answer.
func authenticate(ctx context.Context, conn net.Conn, a sasl.Client, timeout time.Duration) error {
	mech, ir, err := a.Start()
	if err != nil {
		return err
	}
	defer conn.SetDeadline(time.Time{})
	b64 := base64.StdEncoding
	cmd := "AUTH " + mech
	switch {
	case len(ir) > 0:
		cmd += " " + b64.EncodeToString(ir)
	case ir != nil:
		// RFC 4954 §4: "=" is an empty initial response.
		cmd += " ="
	}
	for round := 0; ; round++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		conn.SetDeadline(time.Now().Add(timeout))
		if _, err := io.WriteString(conn, cmd+"\r\n"); err != nil {
			return err
		}
		code, lines, err := readAuthReply(conn)
		if err != nil {
			return err
		}
		switch {
		case code == 235:
			return nil
		case code != 334:
			// A final reply: the exchange is over (RFC 4954 §4, §6). No "*".
			return replyError(code, lines)
		case round >= maxAuthRounds:
			return errAuthTooManyRounds
		}
		// RFC 4954 §4: the text of a 334 is the base64 challenge.
		chal, derr := b64.DecodeString(strings.TrimSpace(lines[len(lines)-1]))
		var resp []byte
		if derr == nil {
			resp, derr = a.Next(chal)
		}
		if derr != nil {
			// Cancel in answer to the 334, as RFC 4954 §4 asks; the
			// server must answer 501, which decides the attempt.
			conn.SetDeadline(time.Now().Add(timeout))
			if _, err := io.WriteString(conn, "*\r\n"); err != nil {
				return err
			}
			code, lines, err := readAuthReply(conn)
			if err != nil {
				return err
			}
			if code == 235 {
				return errors.New("the server accepted a cancelled AUTH exchange")
			}
			return replyError(code, lines)
		}
		cmd = b64.EncodeToString(resp)
	}
}

// replyError turns a reply into the error go-smtp would return for it,
// with the enhanced status code (RFC 3463) of the first line.
func replyError(code int, lines []string) *smtp.SMTPError {
	se := &smtp.SMTPError{Code: code, EnhancedCode: smtp.NoEnhancedCode, Message: strings.Join(lines, "\n")}
	if f, rest, _ := strings.Cut(lines[0], " "); isEnhancedCode(f) {
		p := strings.Split(f, ".")
		for i := range se.EnhancedCode {
			se.EnhancedCode[i], _ = strconv.Atoi(p[i])
		}
		lines[0] = rest
		se.Message = strings.Join(lines, "\n")
	}
	return se
}

// readAuthReply reads one reply (RFC 5321 §4.2: "NNN-" continues, "NNN " or
// "NNN" ends it) and returns its code and the text of its lines.
func readAuthReply(r io.Reader) (int, []string, error) {
	var lines []string
	code := 0
	for n := 0; n < maxAuthReplyLine; n++ {
		line, err := readLineUnbuffered(r)
		if err != nil {
			return 0, nil, err
		}
		if len(line) < 3 || !isDigits(line[:3]) || (len(line) > 3 && line[3] != ' ' && line[3] != '-') {
			return 0, nil, fmt.Errorf("malformed reply line %q", truncateLine(line))
		}
		c, _ := strconv.Atoi(line[:3])
		if code != 0 && c != code {
			return 0, nil, fmt.Errorf("reply code changed within a reply: %q", truncateLine(line))
		}
		code = c
		text := ""
		if len(line) > 4 {
			text = line[4:]
		}
		lines = append(lines, text)
		if len(line) == 3 || line[3] == ' ' {
			if code < 200 {
				return 0, nil, fmt.Errorf("unexpected reply %q", truncateLine(line))
			}
			return code, lines, nil
		}
	}
	return 0, nil, fmt.Errorf("a reply of more than %d lines", maxAuthReplyLine)
}

// readLineUnbuffered reads up to LF one byte at a time (no read-ahead).
func readLineUnbuffered(r io.Reader) (string, error) {
	var buf [1]byte
	line := make([]byte, 0, 128)
	for empty := 0; ; {
		n, err := r.Read(buf[:])
		if n == 0 && err == nil {
			if empty++; empty > 100 {
				return "", io.ErrNoProgress
			}
			continue
		}
		empty = 0
		if n == 1 {
			if buf[0] == '\n' {
				return strings.TrimSuffix(string(line), "\r"), nil
			}
			if len(line) >= maxAuthLine {
				return "", fmt.Errorf("a reply line longer than %d bytes", maxAuthLine)
			}
			line = append(line, buf[0])
			continue
		}
		if err == io.EOF {
			return "", io.ErrUnexpectedEOF
		}
		if err != nil {
			return "", err
		}
	}
}

func truncateLine(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
