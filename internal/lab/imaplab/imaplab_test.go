package imaplab

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"
)

func TestListSpecialUseAndNoSelect(t *testing.T) {
	s, err := Start(Options{User: "u", Password: "p", Folders: SpamVariantFolders()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := imapclient.DialInsecure(s.Addr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("u", "p").Wait(); err != nil {
		t.Fatal(err)
	}
	list, err := c.List("", "*", nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string][]imap.MailboxAttr{}
	for _, l := range list {
		attrs[l.Mailbox] = l.Attrs
	}
	if len(attrs["Spam"]) != 1 || attrs["Spam"][0] != imap.MailboxAttrJunk || len(attrs["Junk"]) != 0 {
		t.Fatalf("attrs %v", attrs)
	}
	if len(attrs["Lists"]) != 1 || attrs["Lists"][0] != imap.MailboxAttrNoSelect {
		t.Fatalf("noselect %v", attrs["Lists"])
	}
	if _, err := c.Select("Lists", nil).Wait(); err == nil {
		t.Fatal("\\Noselect folder opened")
	}
	if s.JunkFolder() != "Spam" || s.Logins() != 1 {
		t.Fatalf("junk %s logins %d", s.JunkFolder(), s.Logins())
	}
}

func TestAppendFlagsMoveDelete(t *testing.T) {
	s, err := Start(Options{User: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	uid, err := s.Append("INBOX", []byte("Subject: a\r\n\r\nb\r\n"), time.Unix(1700000000, 0), imap.FlagSeen)
	if err != nil {
		t.Fatal(err)
	}
	fl, err := s.Flags("INBOX")
	if err != nil || len(fl[uid]) != 1 || fl[uid][0] != imap.FlagSeen {
		t.Fatalf("flags %v %v", fl, err)
	}
	if err := s.Move("INBOX", uid, "Junk Email"); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Count("INBOX"); n != 0 {
		t.Fatalf("INBOX has %d", n)
	}
	jf, _ := s.Flags("Junk Email")
	for u := range jf {
		if err := s.Delete("Junk Email", u); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := s.Count("Junk Email"); n != 0 || s.Logins() != 0 {
		t.Fatalf("junk %d, admin logins counted: %d", n, s.Logins())
	}
}

func TestXOAUTH2AndVanish(t *testing.T) {
	s, err := Start(Options{User: "u", Password: "p", BearerToken: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Append("INBOX", []byte("Subject: a\r\n\r\nb\r\n"), time.Time{})
	c, err := imapclient.DialInsecure(s.Addr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Authenticate(xoauth2Client{"u", "tok"}); err != nil {
		t.Fatal(err)
	}
	c.Close()
	// Over a raw connection (go-imap's client races on a stream that dies
	// inside a literal): half a response, then EOF, no tagged reply.
	raw, err := net.DialTimeout("tcp", s.Addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(5 * time.Second))
	s.VanishOnFetch(1)
	raw.Write([]byte("a LOGIN u p\r\nb SELECT INBOX\r\nc FETCH 1 (BODY.PEEK[])\r\n"))
	got, _ := io.ReadAll(raw)
	if !strings.Contains(string(got), "{4096}") || strings.Contains(string(got), "c OK") {
		t.Fatalf("server did not vanish mid-FETCH:\n%s", got)
	}
}

type xoauth2Client struct{ user, tok string }

func (x xoauth2Client) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.tok + "\x01\x01"), nil
}
func (x xoauth2Client) Next([]byte) ([]byte, error) { return []byte{}, nil }

func TestMXBehaviours(t *testing.T) {
	seed, _ := Start(Options{User: "u", Password: "p"})
	defer seed.Close()
	sink, _ := Start(Options{User: "b", Password: "p"})
	defer sink.Close()
	mx, err := StartMX(MXOptions{Seed: seed, DSNSink: sink, DSN: true, Microsoft: true,
		Rules: map[string]Behavior{"junk@x.test": DeliverJunk, "b@x.test": Bounce, "r@x.test": RejectRcpt, "h@x.test": Delay}})
	if err != nil {
		t.Fatal(err)
	}
	defer mx.Close()
	send := func(to string) error {
		conn, err := net.DialTimeout("tcp", mx.Addr(), 5*time.Second)
		if err != nil {
			return err
		}
		c := smtp.NewClient(conn)
		defer c.Close()
		if err := c.Hello("c.test"); err != nil {
			return err
		}
		if err := c.Mail("s@y.test", &smtp.MailOptions{EnvelopeID: "env1", Return: smtp.DSNReturnHeaders}); err != nil {
			return err
		}
		if err := c.Rcpt(to, nil); err != nil {
			return err
		}
		w, err := c.Data()
		if err != nil {
			return err
		}
		w.Write([]byte("Message-ID: <m1@y.test>\r\nSubject: s\r\n\r\nbody\r\n"))
		_, err = w.CloseWithResponse()
		return err
	}
	for _, to := range []string{"in@x.test", "junk@x.test", "b@x.test", "h@x.test"} {
		if err := send(to); err != nil {
			t.Fatalf("%s: %v", to, err)
		}
	}
	if err := send("r@x.test"); err == nil || !strings.Contains(err.Error(), "S3150") {
		t.Fatalf("reject: %v", err)
	}
	if n, _ := seed.Count("INBOX"); n != 1 {
		t.Fatalf("inbox %d", n)
	}
	if n, _ := seed.Count("Junk Email"); n != 1 {
		t.Fatalf("junk %d", n)
	}
	if n, _ := sink.Count("INBOX"); n != 1 {
		t.Fatalf("dsn sink %d", n)
	}
	if n, _ := mx.Release(time.Now()); n != 1 {
		t.Fatalf("held %d", n)
	}
	if n, _ := seed.Count("INBOX"); n != 2 {
		t.Fatalf("inbox after release %d", n)
	}
	_ = context.Background
}
