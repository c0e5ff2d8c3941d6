package dkim

import (
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeRSA returns base64 of an RSA public key with a modulus of exactly bits
// bits, in SPKI (spki=true) or bare RSAPublicKey form. The modulus is not a
// product of primes: the parser only measures it, and building keys this way
// keeps tests instant and independent of crypto/rsa's minimum key size.
func fakeRSA(t testing.TB, bits int, spki bool) string {
	t.Helper()
	n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
	n.Add(n, big.NewInt(12345)) // odd, exactly bits long
	pk, err := asn1.Marshal(pkcs1PublicKey{N: n, E: 65537})
	if err != nil {
		t.Fatal(err)
	}
	if !spki {
		return base64.StdEncoding.EncodeToString(pk)
	}
	var s subjectPublicKeyInfo
	s.Algorithm.Algorithm = oidRSA
	s.Algorithm.Parameters = asn1.NullRawValue
	s.PublicKey = asn1.BitString{Bytes: pk, BitLength: len(pk) * 8}
	der, err := asn1.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

func readTestdata(t testing.TB, parts ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{"..", "..", "testdata", "dkim"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func msgauthVectors(t testing.TB) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(readTestdata(t, "go-msgauth", "go-msgauth-dkim-test-vectors.json")), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func msgauthString(t testing.TB, m map[string]json.RawMessage, key string) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(m[key], &s); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return s
}

func hasWarning(k *Key, code string) bool {
	for _, w := range k.Warnings {
		if w.Code == code {
			return true
		}
	}
	return false
}

func TestParseKeyVectors(t *testing.T) {
	mv := msgauthVectors(t)
	type want struct {
		err      error
		keyType  string
		bits     int
		encoding string
		warnings []string
	}
	cases := []struct {
		name string
		txt  string
		want want
	}{
		// dkimpy tests/data: a 1024-bit RSA key with the obsolete g= tag.
		{"dkimpy test.txt", readTestdata(t, "dkimpy", "test.txt"), want{keyType: "rsa", bits: 1024, encoding: EncodingSPKI, warnings: []string{"obsolete_tag"}}},
		{"dkimpy test2.txt (no k=)", readTestdata(t, "dkimpy", "test2.txt"), want{keyType: "rsa", bits: 1024, encoding: EncodingSPKI, warnings: []string{"obsolete_tag"}}},
		{"dkimpy badversion.txt", readTestdata(t, "dkimpy", "badversion.txt"), want{err: ErrVersion}},
		{"dkimpy badk.txt", readTestdata(t, "dkimpy", "badk.txt"), want{err: ErrKeyType}},
		{"dkimpy test_bad.txt (damaged key)", readTestdata(t, "dkimpy", "test_bad.txt"), want{err: ErrKeyData}},
		{"dkimpy test_tlsrpt.txt (s=tlsrpt)", readTestdata(t, "dkimpy", "test_tlsrpt.txt"), want{keyType: "rsa", bits: 1024, warnings: []string{"not_for_email"}}},
		{"dkimpy ed25519test.dns", readTestdata(t, "dkimpy", "ed25519test.dns"), want{keyType: "ed25519", bits: 256, encoding: EncodingRaw}},
		{"dkimpy eximtest.dns", readTestdata(t, "dkimpy", "eximtest.dns"), want{keyType: "ed25519", bits: 256, encoding: EncodingRaw}},
		// go-msgauth dkim tests.
		{"go-msgauth dnsPublicKey", msgauthString(t, mv, "dnsPublicKey"), want{keyType: "rsa", bits: 1024, encoding: EncodingSPKI}},
		{"go-msgauth dnsRawRSAPublicKey", msgauthString(t, mv, "dnsRawRSAPublicKey"), want{keyType: "rsa", bits: 1024, encoding: EncodingPKCS1, warnings: []string{"pkcs1_key"}}},
		{"go-msgauth dnsEd25519PublicKey", msgauthString(t, mv, "dnsEd25519PublicKey"), want{keyType: "ed25519", bits: 256, encoding: EncodingRaw}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k, err := ParseKey(c.txt)
			if c.want.err != nil {
				if !errors.Is(err, c.want.err) || k != nil {
					t.Fatalf("ParseKey = %+v, %v; want error %v", k, err, c.want.err)
				}
				var re *RecordError
				if !errors.As(err, &re) || !re.Text().Complete() {
					t.Fatalf("error %v lacks a bilingual text", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseKey: %v", err)
			}
			if k.KeyType != c.want.keyType || k.Bits != c.want.bits || (c.want.encoding != "" && k.Encoding != c.want.encoding) {
				t.Fatalf("got type %s bits %d encoding %s", k.KeyType, k.Bits, k.Encoding)
			}
			for _, w := range c.want.warnings {
				if !hasWarning(k, w) {
					t.Errorf("missing warning %s in %+v", w, k.Warnings)
				}
			}
			if len(c.want.warnings) == 0 && len(k.Warnings) != 0 {
				t.Errorf("unexpected warnings %+v", k.Warnings)
			}
			switch k.KeyType {
			case "rsa":
				if _, ok := k.PublicKey.(*rsa.PublicKey); !ok {
					t.Errorf("PublicKey is %T", k.PublicKey)
				}
			case "ed25519":
				if _, ok := k.PublicKey.(ed25519.PublicKey); !ok {
					t.Errorf("PublicKey is %T", k.PublicKey)
				}
			}
		})
	}
}

func TestParseKeyCases(t *testing.T) {
	rsa2048 := fakeRSA(t, 2048, true)
	edKey := "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
	// An Ed25519 key in SubjectPublicKeyInfo form (RFC 8410), which RFC 8463 does not allow.
	edSPKI := "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
	cases := []struct {
		name    string
		txt     string
		err     error
		bits    int
		revoked bool
		testing bool
		strict  bool
		warn    string
	}{
		{name: "rsa 512", txt: "v=DKIM1; k=rsa; p=" + fakeRSA(t, 512, true), bits: 512},
		{name: "rsa 1024 pkcs1", txt: "v=DKIM1; p=" + fakeRSA(t, 1024, false), bits: 1024, warn: "pkcs1_key"},
		{name: "rsa 2048", txt: "v=DKIM1; k=rsa; p=" + rsa2048, bits: 2048},
		{name: "rsa 8192", txt: "v=DKIM1; p=" + fakeRSA(t, 8192, true), bits: 8192, warn: "large_key"},
		{name: "p with folding whitespace", txt: "v=DKIM1; p=" + rsa2048[:40] + " \t " + rsa2048[40:100] + "\r\n " + rsa2048[100:], bits: 2048},
		{name: "revoked", txt: "v=DKIM1; p=", revoked: true},
		{name: "revoked with spaces", txt: "v=DKIM1; k=rsa; p= ;", revoked: true},
		{name: "testing", txt: "v=DKIM1; t=y; p=" + rsa2048, bits: 2048, testing: true},
		{name: "testing strict", txt: "v=DKIM1; t=y:s; p=" + rsa2048, bits: 2048, testing: true, strict: true},
		{name: "unknown flag", txt: "v=DKIM1; t=x; p=" + rsa2048, bits: 2048, warn: "unknown_flag"},
		{name: "sha1 only", txt: "v=DKIM1; h=sha1; p=" + rsa2048, bits: 2048, warn: "no_sha256"},
		{name: "sha256 and unknown", txt: "v=DKIM1; h=sha256:sha512; p=" + rsa2048, bits: 2048, warn: "unknown_hash"},
		{name: "service email", txt: "v=DKIM1; s=email; p=" + rsa2048, bits: 2048},
		{name: "unknown tag", txt: "v=DKIM1; foo=bar; p=" + rsa2048, bits: 2048, warn: "unknown_tag"},
		{name: "v not first", txt: "p=" + rsa2048 + "; v=DKIM1", bits: 2048, warn: "version_not_first"},
		{name: "empty tag", txt: "v=DKIM1;; p=" + rsa2048, bits: 2048, warn: "empty_tag"},
		{name: "no version", txt: "k=rsa; p=" + rsa2048, bits: 2048},
		{name: "ed25519", txt: "v=DKIM1; k=ed25519; p=" + edKey, bits: 256},
		{name: "notes", txt: "v=DKIM1; n=rotated=2024; p=" + rsa2048, bits: 2048},

		{name: "empty", txt: "", err: ErrSyntax},
		{name: "only spaces", txt: "  ", err: ErrSyntax},
		{name: "no p", txt: "v=DKIM1; k=rsa", err: ErrNoPublicKey},
		{name: "duplicate p", txt: "v=DKIM1; p=" + rsa2048 + "; p=" + rsa2048, err: ErrDuplicateTag},
		{name: "duplicate k", txt: "k=rsa; k=rsa; p=" + rsa2048, err: ErrDuplicateTag},
		{name: "bad version", txt: "v=DKIM2; p=" + rsa2048, err: ErrVersion},
		{name: "lower-case version", txt: "v=dkim1; p=" + rsa2048, err: ErrVersion},
		{name: "unknown key type", txt: "v=DKIM1; k=dsa; p=" + rsa2048, err: ErrKeyType},
		{name: "upper-case key type", txt: "v=DKIM1; k=RSA; p=" + rsa2048, err: ErrKeyType},
		{name: "bad base64", txt: "v=DKIM1; p=MIIB!!!", err: ErrBase64},
		{name: "base64 without padding", txt: "v=DKIM1; p=" + strings.TrimRight(edKey, "="), err: ErrBase64},
		{name: "truncated key", txt: "v=DKIM1; p=" + rsa2048[:201], err: ErrBase64},
		{name: "truncated key on a 4-char boundary", txt: "v=DKIM1; p=" + rsa2048[:200], err: ErrKeyData},
		{name: "ed25519 wrong length", txt: "v=DKIM1; k=ed25519; p=" + rsa2048, err: ErrKeyData},
		{name: "ed25519 in SPKI", txt: "v=DKIM1; k=ed25519; p=" + edSPKI, err: ErrKeyData},
		{name: "ed25519 key without k=", txt: "v=DKIM1; p=" + edKey, err: ErrKeyData},
		{name: "ed25519 SPKI without k=", txt: "v=DKIM1; p=" + edSPKI, err: ErrKeyData},
		{name: "no equals", txt: "v=DKIM1; pMIIB", err: ErrSyntax},
		{name: "bad tag name", txt: "v=DKIM1; 1p=abc; p=" + rsa2048, err: ErrSyntax},
		{name: "non-ASCII value", txt: "v=DKIM1; n=grüße; p=" + rsa2048, err: ErrSyntax},
		{name: "too long", txt: "v=DKIM1; p=" + strings.Repeat("A", MaxRecordLen), err: ErrTooLong},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k, err := ParseKey(c.txt)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("err = %v, want %v", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseKey: %v", err)
			}
			if k.Bits != c.bits || k.Revoked != c.revoked || k.Testing != c.testing || k.Strict != c.strict {
				t.Fatalf("got bits=%d revoked=%v testing=%v strict=%v", k.Bits, k.Revoked, k.Testing, k.Strict)
			}
			if c.warn != "" && !hasWarning(k, c.warn) {
				t.Fatalf("missing warning %s in %+v", c.warn, k.Warnings)
			}
			if c.warn == "" && len(k.Warnings) > 0 {
				t.Fatalf("unexpected warnings %+v", k.Warnings)
			}
			for _, w := range k.Warnings {
				if !w.Text().Complete() {
					t.Errorf("warning %s lacks a bilingual text", w.Code)
				}
			}
		})
	}
}

func TestLooksLikeKey(t *testing.T) {
	for txt, want := range map[string]bool{
		"v=DKIM1; p=abc":              true,
		"k=rsa; p=abc":                true,
		"p=":                          true,
		" V = dkim1":                  true,
		"v=spf1 -all":                 false,
		"google-site-verification=xy": false,
		"":                            false,
	} {
		if got := LooksLikeKey(txt); got != want {
			t.Errorf("LooksLikeKey(%q) = %v", txt, got)
		}
	}
}

func TestKeyJSON(t *testing.T) {
	k, err := ParseKey("v=DKIM1; t=y; p=" + fakeRSA(t, 1024, false))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{`"key_type":"rsa"`, `"bits":1024`, `"encoding":"pkcs1"`, `"testing":true`, `"code":"pkcs1_key"`} {
		if !strings.Contains(string(b), f) {
			t.Errorf("JSON %s lacks %s", b, f)
		}
	}
}

func FuzzParseKey(f *testing.F) {
	for _, s := range []string{
		"v=DKIM1; k=rsa; p=" + fakeRSA(f, 1024, true),
		"v=DKIM1; p=" + fakeRSA(f, 512, false),
		"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
		"v=DKIM1; p=", "v=DKIM1; t=y:s; h=sha1:sha256; s=email:*; n=x; p=MIGJ",
		";;;", "=", "p", "v=DKIM1; p=MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseKey(s)
		if (k == nil) == (err == nil) {
			t.Fatalf("ParseKey(%q) = %v, %v: exactly one must be set", s, k, err)
		}
		if err != nil {
			var re *RecordError
			if !errors.As(err, &re) || !re.Text().Complete() {
				t.Fatalf("error %v is not a complete *RecordError", err)
			}
			return
		}
		if !k.Revoked && k.PublicKey == nil {
			t.Fatalf("ParseKey(%q): no public key and not revoked", s)
		}
		if _, err := json.Marshal(k); err != nil {
			t.Fatal(err)
		}
	})
}

func BenchmarkParseKey(b *testing.B) {
	rec := "v=DKIM1; k=rsa; p=" + fakeRSA(b, 2048, true)
	for b.Loop() {
		if _, err := ParseKey(rec); err != nil {
			b.Fatal(err)
		}
	}
}
