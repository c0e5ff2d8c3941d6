package rules

import (
	"context"
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/lab/labdns"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

func TestReadMessage(t *testing.T) {
	_, r := labdns.Start(t)
	ctx := context.Background()
	good := "From: A <a@example.test>\r\nTo: b@example.test\r\nDate: Sat, 05 Dec 2026 10:00:00 +0100\r\nMessage-ID: <1@example.test>\r\n" +
		"List-Unsubscribe: <https://example.test/u>, <mailto:u@example.test>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\nhi\r\n"
	m := ReadMessage(ctx, r, []byte(good))
	if len(m.Problems) != 0 || !m.Date || !m.MessageID || m.FromFields != 1 || m.FromAddresses != 1 || m.FromDomain != "example.test" {
		t.Fatalf("good message: %+v", m)
	}
	if h, p := m.oneClick(); !h || !p {
		t.Errorf("one-click not recognised")
	}
	for _, c := range []struct{ name, msg, want string }{
		{"two authors", "From: a@x.test, b@x.test\r\nDate: Sat, 05 Dec 2026 10:00:00 +0100\r\n\r\n", ""},
		{"bad date", "From: a@x.test\r\nDate: yesterday\r\n\r\n", "not an RFC 5322 date"},
		{"bad id", "From: a@x.test\r\nDate: Sat, 05 Dec 2026 10:00:00 +0100\r\nMessage-ID: 12345\r\n\r\n", "<left@right>"},
		{"long line", "From: a@x.test\r\nX-Long: " + strings.Repeat("y", 1200) + "\r\n\r\n", "998"},
		{"no header", "\r\n\r\nbody", "no From"},
		{"bad from", "From: <<<\r\n\r\n", "cannot be parsed"},
		{"twice", "From: a@x.test\r\nSubject: 1\r\nSubject: 2\r\n\r\n", "Subject occurs more than once"},
	} {
		m := ReadMessage(ctx, r, []byte(c.msg))
		all := ""
		for _, p := range m.Problems {
			all += p.EN + "|" + p.DE + "\n"
			if p.EN == "" || p.DE == "" {
				t.Errorf("%s: problem text missing a language", c.name)
			}
		}
		if c.want != "" && !strings.Contains(all, c.want) {
			t.Errorf("%s: problems %q lack %q", c.name, all, c.want)
		}
		if c.name == "two authors" && m.FromAddresses != 2 {
			t.Errorf("two authors: %d addresses", m.FromAddresses)
		}
	}
}

// nxLookuper answers every query with NXDOMAIN (the fuzz target needs no
// network; signatures then fail with permerror).
type nxLookuper struct{}

func (nxLookuper) Lookup(_ context.Context, name string, t resolver.Type) *resolver.Answer {
	return &resolver.Answer{Name: name, Type: t, Status: resolver.StatusNXDomain}
}

func FuzzReadMessage(f *testing.F) {
	f.Add([]byte("From: a@x.test\r\nDate: Sat, 05 Dec 2026 10:00:00 +0100\r\n\r\nbody"))
	f.Add([]byte("DKIM-Signature: v=1; a=rsa-sha256; d=x.test; s=s; h=from; bh=; b=\r\nFrom: a@x.test\r\n\r\n"))
	f.Add([]byte("From: \"\x00\" <@>\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m := ReadMessage(context.Background(), nxLookuper{}, b)
		if m.Size != len(b) && len(b) <= MaxMessage {
			t.Fatalf("size %d for %d bytes", m.Size, len(b))
		}
		for _, v := range m.DKIM {
			if v.Result == "pass" {
				t.Fatalf("a signature passed without any key")
			}
		}
	})
}
