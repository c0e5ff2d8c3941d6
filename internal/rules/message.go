package rules

import (
	"bufio"
	"bytes"
	"context"
	"net/mail"
	"net/textproto"
	"strings"

	"github.com/mxprobe/mxprobe/internal/dkim"
	"github.com/mxprobe/mxprobe/internal/dmarc"
	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/resolver"
)

// MaxMessage bounds the message read for the header rules (the DKIM
// verifier has its own, larger bound for the body hash).
const MaxMessage = 10 << 20

// maxHeaderLine is RFC 5322 §2.1.1's limit of 998 characters plus CRLF.
const maxHeaderLine = 1000

// MessageFacts are the header facts of one message.
//
// JSON fields: size, problems (RFC 5322 problems, in the report's language
// when rendered), from_fields (number of From header fields), from_addresses
// (addresses in the From field), from_domain, date (a parseable Date),
// message_id (a Message-ID of the form <left@right>), list_unsubscribe,
// list_unsubscribe_post, received (the topmost Received field), dkim (one
// verification per DKIM-Signature).
type MessageFacts struct {
	Size                int                 `json:"size"`
	Problems            []i18n.Text         `json:"-"`
	FromFields          int                 `json:"from_fields"`
	FromAddresses       int                 `json:"from_addresses"`
	FromDomain          string              `json:"from_domain,omitempty"`
	Date                bool                `json:"date"`
	MessageID           bool                `json:"message_id"`
	ListUnsubscribe     string              `json:"list_unsubscribe,omitempty"`
	ListUnsubscribePost string              `json:"list_unsubscribe_post,omitempty"`
	Received            string              `json:"received,omitempty"`
	DKIM                []dkim.Verification `json:"dkim"`
	DKIMError           string              `json:"dkim_error,omitempty"`
}

// singleFields may occur at most once (RFC 5322 §3.6, the table's "max
// number" column).
var singleFields = []string{"Date", "From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Message-Id", "In-Reply-To", "References", "Subject"}

// ReadMessage reads the header facts of raw (at most MaxMessage bytes are
// looked at) and verifies its DKIM signatures through r. Hostile input gives
// problems, never a panic.
func ReadMessage(ctx context.Context, r resolver.Lookuper, raw []byte) *MessageFacts {
	if len(raw) > MaxMessage {
		raw = raw[:MaxMessage]
	}
	m := &MessageFacts{Size: len(raw), DKIM: []dkim.Verification{}}
	problem := func(en, de string) { m.Problems = append(m.Problems, i18n.T(en, de)) }
	hdr, long := readHeader(raw)
	if long {
		problem("a header line is longer than 998 characters (RFC 5322 §2.1.1)", "eine Kopfzeile ist länger als 998 Zeichen (RFC 5322 §2.1.1)")
	}
	if hdr == nil {
		problem("the header cannot be parsed (RFC 5322 §2.2)", "der Kopf lässt sich nicht lesen (RFC 5322 §2.2)")
		hdr = mail.Header{}
	}
	for _, f := range singleFields {
		if n := len(hdr[textproto.CanonicalMIMEHeaderKey(f)]); n > 1 {
			problem(f+" occurs more than once (RFC 5322 §3.6)", "die "+f+"-Kopfzeile kommt mehr als einmal vor (RFC 5322 §3.6)")
		}
	}
	m.FromFields = len(hdr["From"])
	if m.FromFields == 0 {
		problem("no From header (RFC 5322 §3.6.2)", "keine From-Kopfzeile (RFC 5322 §3.6.2)")
	} else if list, err := mail.ParseAddressList(hdr.Get("From")); err != nil {
		problem("the From address cannot be parsed: "+clip(hdr.Get("From")), "die Adresse der From-Kopfzeile lässt sich nicht lesen: "+clip(hdr.Get("From")))
	} else {
		m.FromAddresses = len(list)
		if at := strings.LastIndexByte(list[0].Address, '@'); at >= 0 {
			m.FromDomain = strings.ToLower(list[0].Address[at+1:])
		}
	}
	if d := hdr.Get("Date"); d == "" {
		problem("no Date header (RFC 5322 §3.6.1)", "keine Date-Kopfzeile (RFC 5322 §3.6.1)")
	} else if _, err := mail.ParseDate(d); err != nil {
		problem("the Date header is not an RFC 5322 date: "+clip(d), "die Date-Kopfzeile ist kein Datum nach RFC 5322: "+clip(d))
	} else {
		m.Date = true
	}
	id := strings.TrimSpace(hdr.Get("Message-Id"))
	m.MessageID = len(id) > 4 && id[0] == '<' && id[len(id)-1] == '>' && strings.Contains(id, "@")
	if id != "" && !m.MessageID {
		problem("the Message-ID is not of the form <left@right> (RFC 5322 §3.6.4): "+clip(id), "die Message-ID hat nicht die Form <links@rechts> (RFC 5322 §3.6.4): "+clip(id))
	}
	m.ListUnsubscribe = clip(hdr.Get("List-Unsubscribe"))
	m.ListUnsubscribePost = clip(hdr.Get("List-Unsubscribe-Post"))
	m.Received = clip(hdr.Get("Received"))
	vs, err := dkim.VerifyMessage(ctx, r, bytes.NewReader(raw))
	if vs != nil {
		m.DKIM = vs
	}
	if err != nil {
		m.DKIMError = err.Error()
	}
	return m
}

// readHeader parses the header section; long reports an overlong line.
func readHeader(raw []byte) (mail.Header, bool) {
	long := false
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 0, 4096), MaxMessage)
	for sc.Scan() {
		l := sc.Bytes()
		if len(l) == 0 || (len(l) == 1 && l[0] == '\r') {
			break
		}
		if len(l) > maxHeaderLine {
			long = true
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, long
	}
	return msg.Header, long
}

// clip bounds a header value quoted as evidence.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	return s
}

// oneClick: RFC 8058 §3.1 — List-Unsubscribe with an HTTPS URI and
// List-Unsubscribe-Post: List-Unsubscribe=One-Click.
func (m *MessageFacts) oneClick() (bool, bool) {
	https := strings.Contains(strings.ToLower(m.ListUnsubscribe), "<https://")
	post := strings.EqualFold(strings.TrimSpace(m.ListUnsubscribePost), "List-Unsubscribe=One-Click")
	return https, post
}

// MessageFindings are the protocol findings of a message: each DKIM
// signature's verification (dkim.VerifyFindings) and the DMARC alignment as
// the receiver computes it (dmarc.AlignmentFindings). nil without a message.
func MessageFindings(f Facts) []report.Finding {
	if f.Message == nil {
		return nil
	}
	out := dkim.VerifyFindings(f.Message.DKIM)
	if a, ok := Alignment(&f); ok {
		out = append(out, dmarc.AlignmentFindings(a)...)
	}
	return out
}
