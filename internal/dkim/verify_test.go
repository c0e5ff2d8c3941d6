package dkim

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"testing"

	msgauth "github.com/emersion/go-msgauth/dkim"

	"github.com/mxprobe/mxprobe/internal/report"
	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
)

// msgauthLab publishes the keys of the go-msgauth test vectors.
func msgauthLab(t testing.TB) (*lab, map[string]string) {
	t.Helper()
	mv := msgauthVectors(t)
	l := newLab(t)
	l.txt(t, "brisbane._domainkey.example.com", msgauthString(t, mv, "dnsPublicKey"))
	l.txt(t, "newengland._domainkey.example.com", msgauthString(t, mv, "dnsRawRSAPublicKey"))
	l.txt(t, "brisbane._domainkey.football.example.com", msgauthString(t, mv, "dnsEd25519PublicKey"))
	mails := map[string]string{}
	for _, k := range []string{"verifiedMailString", "verifiedRawRSAMailString", "verifiedEd25519MailString", "unsignedMailString", "tooManySignaturesMailString"} {
		mails[k] = msgauthString(t, mv, k)
	}
	return l, mails
}

func TestVerifyMessageVectors(t *testing.T) {
	l, mails := msgauthLab(t)
	ctx := ctxT(t)
	cases := []struct {
		mail    string
		results []string // per signature, in header order
		bits    []int
		enc     []string
	}{
		{"verifiedMailString", []string{VerifyPass}, []int{1024}, []string{EncodingSPKI}},
		{"verifiedRawRSAMailString", []string{VerifyPass}, []int{1024}, []string{EncodingPKCS1}},
		// The RSA signature's key (s=test, from RFC 8463 Appendix A) is not
		// published here: permerror, while the Ed25519 one passes.
		{"verifiedEd25519MailString", []string{VerifyPass, VerifyPermError}, []int{256, 0}, []string{EncodingRaw, ""}},
		{"unsignedMailString", nil, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.mail, func(t *testing.T) {
			vs, err := VerifyMessage(ctx, l.res, strings.NewReader(mails[c.mail]))
			if err != nil {
				t.Fatal(err)
			}
			if len(vs) != len(c.results) {
				t.Fatalf("%d verifications, want %d: %+v", len(vs), len(c.results), vs)
			}
			for i, v := range vs {
				if v.Result != c.results[i] {
					t.Errorf("signature %d (%s/%s): %s (%v), want %s", i, v.Domain, v.Selector, v.Result, v.Err, c.results[i])
				}
				bits, enc := 0, ""
				if v.Key != nil {
					bits, enc = v.Key.Bits, v.Key.Encoding
				}
				if bits != c.bits[i] || enc != c.enc[i] {
					t.Errorf("signature %d: key %d bits %q", i, bits, enc)
				}
				if v.Selector == "" || v.Algorithm == "" || v.KeyName == "" {
					t.Errorf("signature %d lacks selector/algorithm/key name: %+v", i, v)
				}
			}
			checkTexts(t, VerifyFindings(vs))
		})
	}
	// Findings: a pass with a 1024-bit key is also a weak key; a missing key
	// is a verification failure; an unsigned message says so.
	vs, _ := VerifyMessage(ctx, l.res, strings.NewReader(mails["verifiedMailString"]))
	if ids := findingIDs(VerifyFindings(vs)); ids[IDVerifyPass] != report.OK || ids[IDWeakKey] != report.Warn {
		t.Errorf("findings %v", ids)
	}
	vs, _ = VerifyMessage(ctx, l.res, strings.NewReader(mails["verifiedEd25519MailString"]))
	if ids := findingIDs(VerifyFindings(vs)); ids[IDVerifyPass] != report.OK || ids[IDVerifyFail] != report.Fail {
		t.Errorf("findings %v", ids)
	}
	if ids := findingIDs(VerifyFindings(nil)); ids[IDUnsigned] != report.Warn {
		t.Errorf("findings %v", ids)
	}
}

func TestVerifyMessageAltered(t *testing.T) {
	l, mails := msgauthLab(t)
	altered := strings.Replace(mails["verifiedMailString"], "hungry", "thirsty", 1)
	vs, err := VerifyMessage(ctxT(t), l.res, strings.NewReader(altered))
	if err != nil || len(vs) != 1 || vs[0].Result != VerifyFail {
		t.Fatalf("%+v, %v", vs, err)
	}
	if ids := findingIDs(VerifyFindings(vs)); ids[IDVerifyFail] != report.Fail {
		t.Errorf("findings %v", ids)
	}
}

// TestVerifyMessageKeyTimeout: a key lookup that times out is temperror,
// not a failed signature.
func TestVerifyMessageKeyTimeout(t *testing.T) {
	l, mails := msgauthLab(t)
	l.srv.SetRule("brisbane._domainkey.example.com", 0, dnsserver.Rule{Drop: true})
	vs, err := VerifyMessage(ctxT(t), l.res, strings.NewReader(mails["verifiedMailString"]))
	if err != nil || len(vs) != 1 || vs[0].Result != VerifyTempError || vs[0].DNSStatus != resolver.StatusTimeout {
		t.Fatalf("%+v, %v", vs, err)
	}
	if ids := findingIDs(VerifyFindings(vs)); ids[IDTempError] != report.Warn {
		t.Errorf("findings %v", ids)
	}
}

func TestVerifyMessageRevokedKey(t *testing.T) {
	l, mails := msgauthLab(t)
	l.srv.Remove("brisbane._domainkey.example.com", resolver.TypeTXT)
	l.txt(t, "brisbane._domainkey.example.com", "v=DKIM1; p=")
	vs, err := VerifyMessage(ctxT(t), l.res, strings.NewReader(mails["verifiedMailString"]))
	if err != nil || len(vs) != 1 || vs[0].Result != VerifyPermError || vs[0].Key == nil || !vs[0].Key.Revoked {
		t.Fatalf("%+v, %v", vs, err)
	}
}

// TestVerifyMessageSignedHere signs a message with an Ed25519 key at test
// time (RFC 8463) and verifies it through the lab.
func TestVerifyMessageSignedHere(t *testing.T) {
	l := newLab(t)
	seed, _ := base64.StdEncoding.DecodeString("nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=") // RFC 8032 §7.1 test 1
	priv := ed25519.NewKeyFromSeed(seed)
	l.txt(t, "lab._domainkey.sender.test", "v=DKIM1; k=ed25519; p="+base64.StdEncoding.EncodeToString(priv.Public().(ed25519.PublicKey)))
	msg := "From: a@sender.test\r\nTo: b@rcpt.test\r\nSubject: hi\r\n\r\nHello.\r\n"
	var signed bytes.Buffer
	if err := msgauth.Sign(&signed, strings.NewReader(msg), &msgauth.SignOptions{Domain: "sender.test", Selector: "lab", Signer: priv}); err != nil {
		t.Fatal(err)
	}
	vs, err := VerifyMessage(ctxT(t), l.res, bytes.NewReader(signed.Bytes()))
	if err != nil || len(vs) != 1 || vs[0].Result != VerifyPass || vs[0].Algorithm != "ed25519-sha256" || vs[0].Key.KeyType != "ed25519" {
		t.Fatalf("%+v, %v", vs, err)
	}

	// More than MaxSignatures signatures: the first ones are verified and
	// the error says the rest were skipped.
	sig, ok := strings.CutSuffix(signed.String(), msg)
	if !ok {
		t.Fatalf("signed message does not end with the original: %q", signed.String())
	}
	many := strings.Repeat(sig, MaxSignatures+2) + msg
	vs, err = VerifyMessage(ctxT(t), l.res, strings.NewReader(many))
	if !errors.Is(err, ErrTooManySignatures) || len(vs) != MaxSignatures {
		t.Fatalf("%d verifications, %v", len(vs), err)
	}
	for _, v := range vs {
		if v.Result != VerifyPass {
			t.Fatalf("%+v", v)
		}
	}
	// The key was fetched once, from the resolver's cache afterwards.
	if n := l.srv.Count("lab._domainkey.sender.test", resolver.TypeTXT); n != 1 {
		t.Errorf("key queried %d times", n)
	}
}

func TestVerifyMessageLimits(t *testing.T) {
	l := newLab(t)
	// Too large: the reader is cut after the limit.
	defer func(old int64) { messageLimit = old }(messageLimit)
	messageLimit = 1 << 16
	big := io.MultiReader(strings.NewReader("From: a@b.test\r\n\r\n"), zeroReader{})
	if _, err := VerifyMessage(ctxT(t), l.res, big); !errors.Is(err, ErrMessageTooLarge) {
		t.Fatalf("err = %v", err)
	}
	messageLimit = MaxMessageSize
	// Canceled context.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := VerifyMessage(ctx, l.res, strings.NewReader("From: a@b.test\r\n\r\nx")); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	// A header that never ends is a message error, not a panic.
	if _, err := VerifyMessage(ctxT(t), l.res, strings.NewReader("DKIM-Signature v=1")); err == nil {
		t.Log("go-msgauth accepted a header without colon") // tolerated; must not panic
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

func TestSignatureFields(t *testing.T) {
	msg := "Received: x\r\nDKIM-Signature: v=1; a=rsa-sha256; d=example.com;\r\n\ts=sel\r\n one; b=abc\r\ndkim-signature: v=1; s=two; d=example.org\r\nFrom: a@b\r\n\r\nDKIM-Signature: s=body\r\n"
	got := signatureFields([]byte(msg))
	if len(got) != 2 || got[0]["s"] != "selone" || got[0]["d"] != "example.com" || got[1]["s"] != "two" {
		t.Fatalf("%+v", got)
	}
}

// staticLookuper answers from a map, for fuzzing without sockets.
type staticLookuper map[string][]string

func (s staticLookuper) Lookup(_ context.Context, name string, t resolver.Type) *resolver.Answer {
	if txt, ok := s[strings.ToLower(name)]; ok {
		return &resolver.Answer{Name: name, Type: t, Status: resolver.StatusOK, TXT: txt}
	}
	return &resolver.Answer{Name: name, Type: t, Status: resolver.StatusNXDomain}
}

func FuzzVerifyMessage(f *testing.F) {
	mv := msgauthVectors(f)
	keys := staticLookuper{
		"brisbane._domainkey.example.com":          {msgauthString(f, mv, "dnsPublicKey")},
		"newengland._domainkey.example.com":        {msgauthString(f, mv, "dnsRawRSAPublicKey")},
		"brisbane._domainkey.football.example.com": {msgauthString(f, mv, "dnsEd25519PublicKey")},
	}
	for _, k := range []string{"verifiedMailString", "verifiedRawRSAMailString", "verifiedEd25519MailString", "unsignedMailString"} {
		f.Add(msgauthString(f, mv, k))
	}
	f.Add("DKIM-Signature: v=1; s=\r\n\r\n")
	f.Fuzz(func(t *testing.T, msg string) {
		vs, err := VerifyMessage(context.Background(), keys, strings.NewReader(msg))
		if err != nil && vs != nil && !errors.Is(err, ErrTooManySignatures) {
			t.Fatalf("results with error %v", err)
		}
		for _, v := range vs {
			switch v.Result {
			case VerifyPass, VerifyFail, VerifyPermError, VerifyTempError:
			default:
				t.Fatalf("result %q", v.Result)
			}
		}
		if len(signatureFields([]byte(msg))) > MaxSignatures {
			t.Fatal("signatureFields exceeded MaxSignatures")
		}
	})
}
