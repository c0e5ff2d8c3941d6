package dsn

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNotMail(t *testing.T) {
	for _, in := range []string{"", "hello world\n", "\x00\x01\x02binary", "{\"json\": true}", "no header: but\njust text without any known field\n"} {
		if _, err := Parse(strings.NewReader(in)); !errors.Is(err, ErrNotMail) {
			t.Errorf("%q: err %v, want ErrNotMail", in, err)
		}
	}
}

func TestNoReport(t *testing.T) {
	msg := "From: alice@example.test\r\nTo: bob@example.test\r\nSubject: Lunch?\r\nDate: Sat, 05 Dec 2026 10:00:00 +0000\r\n\r\nShall we meet at noon? Write to carol@example.test.\r\n"
	m, err := Parse(strings.NewReader(msg))
	if !errors.Is(err, ErrNoReport) {
		t.Fatalf("err %v, want ErrNoReport", err)
	}
	if m == nil || m.Subject != "Lunch?" {
		t.Fatalf("message header not returned: %+v", m)
	}
}

// TestLargeAttachment: a bounce that returns a 20 MiB original is read up
// to MaxSize, the rest is drained, and the report before it is found.
func TestLargeAttachment(t *testing.T) {
	head, err := os.ReadFile(filepath.Join(fixtureDir, "dsn-delayed.eml"))
	if err != nil {
		t.Fatal(err)
	}
	// Replace the closing boundary by a huge message/rfc822 part.
	head = bytes.Replace(head, []byte("--b3--"), []byte("--b3\nContent-Type: message/rfc822\n\nSubject: big\n\n"), 1)
	big := io.MultiReader(bytes.NewReader(head), io.LimitReader(zeroLines{}, 20<<20))
	counted := &countReader{r: big}
	m, err := Parse(counted)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Results) != 1 || m.Results[0].Action != "delayed" {
		t.Fatalf("results %+v", m.Results)
	}
	if counted.n < 20<<20 {
		t.Errorf("input not drained: read %d", counted.n)
	}
}

type zeroLines struct{}

func (zeroLines) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'A'
		if i%76 == 75 {
			p[i] = '\n'
		}
	}
	return len(p), nil
}

type countReader struct {
	r io.Reader
	n int
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestBounceOfBounce: a bounce whose returned message is itself a bounce
// reports the outer failure, not the inner one.
func TestBounceOfBounce(t *testing.T) {
	inner, err := os.ReadFile(filepath.Join(fixtureDir, "postfix.eml"))
	if err != nil {
		t.Fatal(err)
	}
	outer := "From: MAILER-DAEMON@relay.test\nTo: MAILER-DAEMON@sender.test\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"o\"\n\n--o\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; relay.test\n\nFinal-Recipient: rfc822; MAILER-DAEMON@sender.test\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 no such mailbox\n\n--o\nContent-Type: message/rfc822\n\n" + string(inner) + "\n--o--\n"
	m, err := ParseBytes([]byte(outer))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Results) != 1 || m.Results[0].Recipient != "MAILER-DAEMON@sender.test" {
		t.Fatalf("results %+v", m.Results)
	}
}

// TestEncodedHeaders: RFC 2047 words in any charset and raw 8-bit headers.
func TestEncodedHeaders(t *testing.T) {
	for in, want := range map[string]string{
		"=?ISO-8859-1?Q?Unzustellbar:_Gr=FC=DFe?=":            "Unzustellbar: Grüße",
		"=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=":                  "テスト",
		"=?windows-1252?Q?=80_Rechnung?=":                     "€ Rechnung",
		"Unzustellbar: Gr\xfc\xdfe":                           "Unzustellbar: Grüße",
		"=?koi8-r?B?8NLJ18XU?=":                               "Привет",
		"=?utf-8?B?w4Rw?= =?utf-8?q?fel?=":                    "Äpfel",
		"=?unknown-charset?Q?plain?= text stays if undecoded": "",
	} {
		got := decodeHeader(in)
		if want != "" && got != want {
			t.Errorf("decodeHeader(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestQuotedBounce: a bounce forwarded inline and quoted with "> " is read
// from the quote.
func TestQuotedBounce(t *testing.T) {
	msg := "From: Chef <chef@example.test>\nTo: it@example.test\nSubject: WG: Unzustellbar: Angebot\nDate: Sat, 05 Dec 2026 11:00:00 +0100\n\nBitte ansehen.\n\n> This is the mail system at host mx.example.test.\n>\n> <kunde@receiver.test>: host mx.receiver.test[192.0.2.9] said: 552 5.2.2\n>     Mailbox full (in reply to RCPT TO command)\n"
	m, err := ParseBytes([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Results) != 1 {
		t.Fatalf("results %+v", m.Results)
	}
	r := m.Results[0]
	if r.Recipient != "kunde@receiver.test" || r.Status != "5.2.2" || r.Reason != "mailboxfull" || r.RemoteMTA != "mx.receiver.test" || r.Command != "RCPT TO" {
		t.Errorf("%+v", r)
	}
}

// TestHugeLines: megabyte lines in the header and the text are cut, not
// matched in full (the work per message stays bounded).
func TestHugeLines(t *testing.T) {
	long := strings.Repeat("x@y.z ", 200000)
	msg := "From: MAILER-DAEMON@mx.example.test\nSubject: Undelivered " + long + "\n\n<u@dest.example>: host mx.dest.example[192.0.2.1] said: 550 5.1.1 unknown " + long + "\n" + long + "\n"
	m, err := ParseBytes([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Results) == 0 || m.Results[0].Recipient != "u@dest.example" || len(m.Subject) > 1000 {
		t.Fatalf("results %d, subject %d octets", len(m.Results), len(m.Subject))
	}
}

// TestNotBounces: an auto-reply that names addresses and a newsletter with
// an address alone on a line are no bounces.
func TestNotBounces(t *testing.T) {
	ooo := "From: Max <max@firma.test>\nTo: a@example.test\nSubject: Abwesenheitsnotiz: Angebot\nAuto-Submitted: auto-replied\n\nIch bin nicht im Büro. Bitte wenden Sie sich an:\n\nvertretung@firma.test\n"
	m, err := ParseBytes([]byte(ooo))
	if err != nil || len(m.Results) != 1 || m.Results[0].Kind != KindAutoReply || m.Results[0].Recipient != "max@firma.test" {
		t.Errorf("auto-reply: %v %+v", err, m)
	}
	news := "From: Shop <noreply@shop.test>\nTo: a@example.test\nSubject: Your order failed to ship? Never!\n\nQuestions? Write to\n\nsupport@shop.test\n"
	if _, err := ParseBytes([]byte(news)); !errors.Is(err, ErrNoReport) {
		t.Errorf("newsletter: err %v, want ErrNoReport", err)
	}
}

// TestUTF8AddrXtext: RFC 6533 §3 embedded-unicode-char in a utf-8 address.
func TestUTF8AddrXtext(t *testing.T) {
	for in, want := range map[string]string{
		`utf-8; j\x{FC}rgen@b\x{FC}cher.example`: "jürgen@bücher.example",
		`utf-8; plain@example.test`:              "plain@example.test",
		`rfc822; <a\x{FC}@example.test>`:         `a\x{FC}@example.test`,
		`utf-8; broken\x{ZZ}@example.test`:       `broken\x{ZZ}@example.test`,
		`utf-8; open\x{FC@example.test`:          `open\x{FC@example.test`,
	} {
		if got := dsnAddr(in); got != want {
			t.Errorf("dsnAddr(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHTMLToText(t *testing.T) {
	in := "<html><head><title>x</title><style>p{color:red}</style></head><body><p>Delivery has failed to these recipients:</p>\r\n<div>  <b>bob@example.test</b></div><br>Remote Server returned &#39;550 5.1.1 &lt;bob@example.test&gt;: unknown&#39;<script>var a='<p>';</script></body></html>"
	got := htmlToText(in)
	for _, want := range []string{"\nDelivery has failed to these recipients:", "\nbob@example.test", "\nRemote Server returned '550 5.1.1 <bob@example.test>: unknown'"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in %q", want, got)
		}
	}
	if strings.Contains(got, "color") || strings.Contains(got, "var a") || strings.Contains(got, "title") && strings.Contains(got, "x\n") {
		t.Errorf("style/script/head kept: %q", got)
	}
	// Hostile: many blanks after line ends, unclosed tags.
	if out := htmlToText(strings.Repeat("<br>"+strings.Repeat(" ", 1000), 1000) + "<p"); strings.Contains(out, "\n ") {
		t.Error("blanks after line ends kept")
	}
}
