package smtpconn

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
)

// pipeConn dials a scripted peer on a net.Pipe: every client line is
// answered with the next reply of script; then the peer closes.
func pipeConn(t *testing.T, script []string) *Conn {
	t.Helper()
	cli, srv := net.Pipe()
	go func() {
		defer srv.Close()
		r := bufio.NewReader(srv)
		for _, rep := range script {
			_ = srv.SetDeadline(time.Now().Add(2 * time.Second))
			if _, err := r.ReadString('\n'); err != nil {
				return
			}
			if _, err := srv.Write([]byte(rep)); err != nil {
				return
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	t.Cleanup(cancel)
	c, err := Dial(ctx, "pipe", Config{
		Timeouts: Timeouts{Command: time.Second},
		Dial:     func(context.Context, string, string) (net.Conn, error) { return cli, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestAuthCancelOnlyAfter334: "*" answers a 334 the mechanism cannot
// answer, never a final reply (RFC 4954 §4).
func TestAuthCancelOnlyAfter334(t *testing.T) {
	c := pipeConn(t, []string{"334 V2hvIGFyZSB5b3U/\r\n", "501 5.7.0 cancelled\r\n"})
	rep, err := c.Auth(sasl.NewLoginClient("bob", "pw"))
	if err != nil || rep.Code != 501 {
		t.Fatalf("%+v %v", rep, err)
	}
	lines := c.tr.Lines()
	if last := lines[len(lines)-2]; last.Text != "*" {
		t.Fatalf("transcript %+v", lines)
	}
	c = pipeConn(t, []string{"454-4.7.0 Temporary failure\r\n454 4.7.0 try later\r\n"})
	rep, err = c.Auth(sasl.NewPlainClient("", "bob", "pw"))
	if err != nil || rep.Code != 454 || rep.Wire() != "454-4.7.0 Temporary failure\n454 4.7.0 try later" {
		t.Fatalf("%+v %v", rep, err)
	}
	c = pipeConn(t, []string{"334 \r\n", "334 \r\n", "334 \r\n", "334 \r\n", "334 \r\n", "334 \r\n", "334 \r\n", "334 \r\n", "334 \r\n", "334 \r\n"})
	if _, err := c.Auth(sasl.NewLoginClient("bob", "pw")); !errors.Is(err, ErrUnexpected) {
		t.Fatalf("334 after a cancel: %v", err)
	}
	script := make([]string, MaxAuthRounds+3)
	for i := range script {
		script[i] = "334 \r\n"
	}
	c = pipeConn(t, script)
	if _, err := c.Auth(chatty{}); !errors.Is(err, ErrAuthTooManyRounds) {
		t.Fatalf("endless challenges: %v", err)
	}
}

// chatty is a SASL client that answers every challenge.
type chatty struct{}

func (chatty) Start() (string, []byte, error) { return "X-CHATTY", nil, nil }
func (chatty) Next([]byte) ([]byte, error)    { return []byte("more"), nil }

// FuzzAuthRedacts: whatever the server answers, the credentials and their
// base64 forms never reach the transcript, and Auth returns.
func FuzzAuthRedacts(f *testing.F) {
	f.Add("334 VXNlcm5hbWU6\n334 UGFzc3dvcmQ6\n235 2.7.0 ok", true)
	f.Add("535 5.7.8 bad", false)
	f.Add("334 \n334 \n334 \n", true)
	f.Add("250-x\n250 y", false)
	f.Fuzz(func(t *testing.T, script string, login bool) {
		const user, pw = "fuzz-user-Zq9", "fuzz-pass-Xw7"
		var reps []string
		for _, l := range strings.SplitN(script, "\n", 12) {
			reps = append(reps, l+"\r\n")
		}
		c := pipeConn(t, reps)
		var a sasl.Client = sasl.NewPlainClient("", user, pw)
		if login {
			a = sasl.NewLoginClient(user, pw)
		}
		_, _ = c.Auth(a)
		b64 := base64.StdEncoding
		for _, l := range c.tr.Lines() {
			if l.Dir != DirClient {
				continue
			}
			for _, sec := range []string{pw, b64.EncodeToString([]byte(pw)), b64.EncodeToString([]byte("\x00" + user + "\x00" + pw)), b64.EncodeToString([]byte(user))} {
				if strings.Contains(l.Text, sec) {
					t.Fatalf("secret in transcript: %q", l.Text)
				}
			}
		}
	})
}
