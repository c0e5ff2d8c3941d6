package smtpconn

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/i18n"
)

func readOne(in string, lim Limits) (*Reply, []string, error) {
	rr := newReplyReader(strings.NewReader(in), lim)
	var anomalies []string
	rr.anomaly = func(s i18n.Text) { anomalies = append(anomalies, s.EN) }
	r, err := rr.read()
	return r, anomalies, err
}

func TestReadReply(t *testing.T) {
	cases := []struct {
		in       string
		code     int
		enhanced string
		text     string
		err      error
		anomaly  bool
	}{
		{in: "250 OK\r\n", code: 250, text: "OK"},
		{in: "250\r\n", code: 250, text: ""},
		{in: "220 mx.example ESMTP\r\n", code: 220, text: "mx.example ESMTP"},
		{in: "550 5.7.1 blocked\r\n", code: 550, enhanced: "5.7.1", text: "blocked"},
		{in: "550-5.7.1 first\r\n550-5.7.1 second\r\n550 5.7.1 third\r\n", code: 550, enhanced: "5.7.1", text: "first\nsecond\nthird"},
		{in: "550-5.7.1 first\r\n550 plain\r\n", code: 550, enhanced: "5.7.1", text: "first\nplain"},
		{in: "250 5.7.1 class mismatch\r\n", code: 250, text: "5.7.1 class mismatch"},
		{in: "450 4.7.1\r\n", code: 450, enhanced: "4.7.1", text: ""},
		{in: "250 2.0.0.1 not enhanced\r\n", code: 250, text: "2.0.0.1 not enhanced"},
		{in: "250 OK\n", code: 250, text: "OK", anomaly: true},
		{in: "250 Gr\xfc\xdfe\r\n", code: 250, text: `Gr\xfc\xdfe`, anomaly: true},
		{in: "250 bell\x07\r\n", code: 250, text: `bell\x07`, anomaly: true},
		{in: "250 Grüße\r\n", code: 250, text: "Grüße"},
		{in: "250 tab\there\r\n", code: 250, text: "tab\there"},
		{in: "999 nope\r\n", err: ErrBadCode},
		{in: "199 nope\r\n", err: ErrBadCode},
		{in: "600 nope\r\n", err: ErrBadCode},
		{in: "099 nope\r\n", err: ErrBadCode},
		{in: "25 short\r\n", err: ErrMalformed},
		{in: "abc def\r\n", err: ErrMalformed},
		{in: "250_OK\r\n", err: ErrMalformed},
		{in: "250-a\r\n251 b\r\n", err: ErrMismatchedCode},
		{in: "250 nul\x00byte\r\n", err: ErrNUL},
		{in: "250-a\r\n250 b\x00\r\n", err: ErrNUL},
		{in: "250-only continuation\r\n", err: io.ErrUnexpectedEOF},
		{in: "250 no newline", err: io.ErrUnexpectedEOF},
		{in: "", err: io.EOF},
		{in: "250 " + strings.Repeat("x", 5000) + "\r\n", err: ErrLineTooLong},
		{in: strings.Repeat("250-x\r\n", 200) + "250 end\r\n", err: ErrTooManyLines},
	}
	for _, tc := range cases {
		r, anomalies, err := readOne(tc.in, Limits{})
		name := tc.in
		if len(name) > 40 {
			name = name[:40]
		}
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("%q: err %v, want %v", name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", name, err)
			continue
		}
		if r.Code != tc.code || r.EnhancedCode != tc.enhanced || r.Text != tc.text {
			t.Errorf("%q: got %d %q %q, want %d %q %q", name, r.Code, r.EnhancedCode, r.Text, tc.code, tc.enhanced, tc.text)
		}
		if (len(anomalies) > 0) != tc.anomaly {
			t.Errorf("%q: anomalies %v", name, anomalies)
		}
	}
}

func TestReplyByteLimit(t *testing.T) {
	in := strings.Repeat("250-"+strings.Repeat("y", 1000)+"\r\n", 10) + "250 end\r\n"
	if _, _, err := readOne(in, Limits{MaxReplyBytes: 4000}); !errors.Is(err, ErrReplyTooLarge) {
		t.Fatalf("err %v", err)
	}
	if _, _, err := readOne(in, Limits{}); err != nil {
		t.Fatalf("err %v", err)
	}
}

func TestReplyLineAndSMTPError(t *testing.T) {
	r, _, err := readOne("550-5.1.1 <x@example.test>: no such user\r\n550 5.1.1 see https://example.test\r\n", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if l := r.Line(); l != "550 5.1.1 <x@example.test>: no such user see https://example.test" {
		t.Fatalf("line %q", l)
	}
	e := r.SMTPError()
	if e.Code != 550 || e.EnhancedCode[0] != 5 || e.EnhancedCode[2] != 1 || !strings.Contains(e.Message, "\n") {
		t.Fatalf("%+v", e)
	}
	plain, _, _ := readOne("554 go away\r\n", Limits{})
	if pe := plain.SMTPError(); pe.EnhancedCode != [3]int{0, 0, 0} || pe.Message != "go away" {
		t.Fatalf("%+v", pe)
	}
}

func TestGreetingHost(t *testing.T) {
	cases := map[string]string{
		"mx.example.test ESMTP Postfix":                             "mx.example.test",
		"BN8NAM11FT066.mail.protection.outlook.com Microsoft ESMTP": "bn8nam11ft066.mail.protection.outlook.com",
		"mx.google.com at your service, [192.0.2.1]\nSIZE 1":        "mx.google.com",
		"Hello client.example":                                      "",
		"ESMTP ready":                                               "",
		"[192.0.2.7] ready":                                         "[192.0.2.7]",
		"[not-an-ip] ready":                                         "",
		"mx.example.test.":                                          "mx.example.test",
		"bad_ch@r.example x":                                        "",
		"":                                                          "",
	}
	for in, want := range cases {
		if got := GreetingHost(in); got != want {
			t.Errorf("GreetingHost(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClientIPFromGreeting(t *testing.T) {
	cases := map[string]string{
		"BN8NAM11FT066.mail.protection.outlook.com Hello [203.0.113.5]":    "203.0.113.5",
		"mx.google.com at your service, [198.51.100.7]":                    "198.51.100.7",
		"mail.example.test Hello client.example.test [192.0.2.9], pleased": "192.0.2.9",
		"mx.example Hello [IPv6:2001:db8::25]":                             "2001:db8::25",
		"mx.example Hello [2001:db8::26]":                                  "2001:db8::26",
		"mx.example Hello [::ffff:192.0.2.10]":                             "192.0.2.10",
		"ready at Tue, 1 Apr 2025 [08DD6F3C2C5B2A1B] then [192.0.2.11]":    "192.0.2.11",
		"mx.example Hello [fe80::1%eth0]":                                  "",
		"mx.example Hello client":                                          "",
		"mx.example [unterminated":                                         "",
		strings.Repeat("[x]", 100) + "[192.0.2.1]":                         "",
		"mx.example Hello [IPv6:192.0.2.1]":                                "",
	}
	for in, want := range cases {
		a, ok := ClientIPFromGreeting(in)
		got := ""
		if ok {
			got = a.String()
		}
		if got != want {
			t.Errorf("ClientIPFromGreeting(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseExtensions(t *testing.T) {
	e := ParseExtensions("mx.example Hello\nSIZE 157286400\nPIPELINING\nDSN\nENHANCEDSTATUSCODES\nSTARTTLS\n8BITMIME\nBINARYMIME\nCHUNKING\nSMTPUTF8\nAUTH LOGIN PLAIN")
	if e.Size != 157286400 || !e.SizeAdvertised || !e.PIPELINING || !e.DSN || !e.STARTTLS || !e.EightBitMIME ||
		!e.CHUNKING || !e.SMTPUTF8 || !e.EnhancedStatusCodes || e.REQUIRETLS || len(e.Keywords) != 10 {
		t.Fatalf("%+v", e)
	}
	e = ParseExtensions("mx\nsize\nstarttls")
	if !e.SizeAdvertised || e.Size != 0 || !e.STARTTLS {
		t.Fatalf("%+v", e)
	}
}

func TestTranscriptBounded(t *testing.T) {
	tr := NewTranscript(nil, 1000)
	for range 1000 {
		tr.Add(DirServer, strings.Repeat("z", 2000))
	}
	size := 0
	for _, l := range tr.Lines() {
		size += len(l.Text)
	}
	if !tr.Truncated() || size > 1100 {
		t.Fatalf("truncated %v size %d lines %d", tr.Truncated(), size, len(tr.Lines()))
	}
}

// FuzzReadReply feeds arbitrary bytes to the reply reader: it must never
// panic, must respect its limits, and what it returns must be clean.
func FuzzReadReply(f *testing.F) {
	for _, s := range []string{
		"250 OK\r\n", "550-5.7.1 a\r\n550 5.7.1 b\r\n", "220 mx [127.0.0.1]\r\n", "250-a\r\n251 b\r\n",
		"999 x\r\n", "250 \x00\xff\r\n", "250\r\n", "250-" + strings.Repeat("x", 300) + "\n250 y\n", "",
		"450 4.7.1 <x@y>: Recipient address rejected: Greylisted\r\n",
	} {
		f.Add([]byte(s))
	}
	lim := Limits{MaxLineLen: 256, MaxReplyLines: 8, MaxReplyBytes: 1024}.withDefaults()
	f.Fuzz(func(t *testing.T, data []byte) {
		rr := newReplyReader(bytes.NewReader(data), lim)
		rr.onLine = func(l string) {
			if !utf8.ValidString(l) {
				t.Fatalf("transcript line not UTF-8: %q", l)
			}
		}
		for range 16 {
			r, err := rr.read()
			if err != nil {
				var pe *ProtocolError
				if errors.As(err, &pe) && !utf8.ValidString(pe.Line) {
					t.Fatalf("error line not UTF-8: %q", pe.Line)
				}
				return
			}
			if r.Code < 200 || r.Code > 599 {
				t.Fatalf("code %d accepted", r.Code)
			}
			if r.lines < 1 || r.lines > lim.MaxReplyLines {
				t.Fatalf("%d lines", r.lines)
			}
			if !utf8.ValidString(r.Text) || strings.ContainsAny(r.Text, "\x00\r") || len(r.Text) > 4*lim.MaxReplyBytes {
				t.Fatalf("text %q", r.Text)
			}
			if r.EnhancedCode != "" {
				if _, ok := parseEnhanced(r.EnhancedCode, r.Code); !ok {
					t.Fatalf("enhanced code %q for %d", r.EnhancedCode, r.Code)
				}
			}
			_ = r.Line()
			_ = r.SMTPError()
		}
	})
}

// FuzzGreeting: greeting parsers take any text without panicking and
// return only well-formed values.
func FuzzGreeting(f *testing.F) {
	for _, s := range []string{
		"BN8NAM11FT066.mail.protection.outlook.com Hello [203.0.113.5]",
		"mx.google.com at your service, [2001:db8::1]", "[192.0.2.1]", "[IPv6:::1]", "[[[]]]", "",
		"mx\nSIZE 100\nSTARTTLS",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if h := GreetingHost(s); h != "" && (strings.ContainsAny(h, " \n") || len(h) > 255) {
			t.Fatalf("host %q", h)
		}
		if a, ok := ClientIPFromGreeting(s); ok && (!a.IsValid() || a.Zone() != "" || a.Is4In6()) {
			t.Fatalf("addr %v", a)
		}
		e := ParseExtensions(s)
		if e.Size < 0 {
			t.Fatalf("size %d", e.Size)
		}
	})
}
