package delivery

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"mime/quotedprintable"
	"strings"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/mailaddr"
)

// HeaderProbeID is the header that carries the token in every probe.
const HeaderProbeID = "X-Mxprobe-Id"

// DKIMOptions sign the probe (RFC 6376) with the sender's real key, so the
// probe is judged like the sender's real mail.
type DKIMOptions struct {
	Domain   string
	Selector string
	Signer   crypto.Signer
}

// MessageOptions describe a probe message.
type MessageOptions struct {
	Token string
	From  string // header From (addr-spec)
	To    string // header To (addr-spec)
	Date  time.Time
	Lang  i18n.Lang
	DKIM  *DKIMOptions
}

// Message is a built probe.
type Message struct {
	Bytes     []byte
	MessageID string // with angle brackets
	Subject   string
}

// ParseAddress validates a mailbox (RFC 5321 §4.1.2, through the one
// parser internal/mailaddr: quoted local parts allowed, angle brackets and
// surrounding space dropped) and returns it bare, its domain in A-label
// form.
func ParseAddress(s string) (string, error) {
	a, err := mailaddr.Parse(s)
	if err != nil {
		return "", err
	}
	return a.String(), nil
}

// MessageIDFor returns the probe's Message-ID (RFC 5322 §3.6.4): the token
// under the sender's domain, so it reads like the sender's own mail.
func MessageIDFor(token, from string) string {
	dom := domainOf(from)
	if dom == "" {
		dom = "mxprobe.invalid"
	}
	return "<mxprobe." + token + "@" + dom + ">"
}

// SubjectFor is the probe's subject: neutral, ASCII, with the token.
func SubjectFor(token string, lang i18n.Lang) string {
	if lang == i18n.DE {
		return "mxprobe Zustelltest " + token
	}
	return "mxprobe delivery test " + token
}

// BuildMessage builds the probe: Date, From, To, Subject, Message-ID,
// X-Mxprobe-Id, a short neutral text body, CRLF line ends (RFC 5322 §2.1),
// and a DKIM-Signature when DKIM is set.
func BuildMessage(o MessageOptions) (*Message, error) {
	if !ValidToken(o.Token) {
		return nil, errors.New("invalid token")
	}
	from, err := ParseAddress(o.From)
	if err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	to, err := ParseAddress(o.To)
	if err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	m := &Message{MessageID: MessageIDFor(o.Token, from), Subject: SubjectFor(o.Token, o.Lang)}
	body := bodyText(o.Token, o.Lang)
	var qp bytes.Buffer
	w := quotedprintable.NewWriter(&qp)
	w.Write([]byte(body))
	w.Close()

	var b bytes.Buffer
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	hdr("Date", o.Date.Format(time.RFC1123Z))
	hdr("From", from)
	hdr("To", to)
	hdr("Subject", m.Subject)
	hdr("Message-ID", m.MessageID)
	hdr(HeaderProbeID, o.Token)
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=utf-8")
	hdr("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(qp.String(), "\r\n", "\n"), "\n", "\r\n"))
	m.Bytes = b.Bytes()

	if o.DKIM != nil {
		if o.DKIM.Domain == "" || o.DKIM.Selector == "" || o.DKIM.Signer == nil {
			return nil, errors.New("dkim: domain, selector and key are required")
		}
		var signed bytes.Buffer
		err := dkim.Sign(&signed, bytes.NewReader(m.Bytes), &dkim.SignOptions{
			Domain: o.DKIM.Domain, Selector: o.DKIM.Selector, Signer: o.DKIM.Signer,
			// RFC 6376 §5.4.1: sign From and the fields that identify the message.
			HeaderKeys:             []string{"From", "To", "Subject", "Date", "Message-ID", HeaderProbeID, "MIME-Version", "Content-Type", "Content-Transfer-Encoding"},
			HeaderCanonicalization: dkim.CanonicalizationRelaxed,
			BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		})
		if err != nil {
			return nil, fmt.Errorf("dkim: %w", err)
		}
		m.Bytes = signed.Bytes()
	}
	return m, nil
}

func bodyText(token string, lang i18n.Lang) string {
	if lang == i18n.DE {
		return "Dies ist eine Testmail, mit der der Inhaber dieses Postfachs die Zustellung prüft (mxprobe).\n" +
			"Sie erfordert nichts und kann gelöscht werden.\n\nTest-Kennung: " + token + "\n"
	}
	return "This is a test message the owner of this mailbox sends to check delivery (mxprobe).\n" +
		"It needs no action and can be deleted.\n\nTest id: " + token + "\n"
}

// ParseDKIMKey reads a PEM private key (PKCS #1 or PKCS #8 RSA, PKCS #8
// Ed25519) for DKIM signing.
func ParseDKIMKey(pemBytes []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("dkim key: no PEM block")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("dkim key: %w", err)
		}
		return k, nil
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("dkim key: %w", err)
		}
		switch k := k.(type) {
		case *rsa.PrivateKey:
			return k, nil
		case ed25519.PrivateKey:
			return k, nil
		}
		return nil, errors.New("dkim key: only RSA and Ed25519 keys can sign DKIM")
	}
	return nil, fmt.Errorf("dkim key: unsupported PEM block %q", block.Type)
}
