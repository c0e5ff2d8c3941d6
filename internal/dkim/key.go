// Package dkim checks DKIM (RFC 6376, RFC 8463) from the publisher's side:
// it parses and judges key records found at <selector>._domainkey.<domain>,
// probes selectors through the resolver, and verifies signed messages with
// github.com/emersion/go-msgauth wired to mxprobe's resolver.
//
// Checks compute typed, JSON-serialisable results and never print; Findings
// turns a result into report findings.
package dkim

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"unicode/utf8"

	"github.com/mxprobe/mxprobe/internal/i18n"
)

// Sentinel errors of the key record parser; a *RecordError wraps exactly one
// of them (match with errors.Is).
var (
	ErrSyntax       = errors.New("dkim: key record syntax error")
	ErrDuplicateTag = errors.New("dkim: duplicate tag in key record")
	ErrVersion      = errors.New("dkim: unsupported key record version")
	ErrNoPublicKey  = errors.New("dkim: key record has no p= tag")
	ErrBase64       = errors.New("dkim: p= is not valid base64")
	ErrKeyType      = errors.New("dkim: unknown key type")
	ErrKeyData      = errors.New("dkim: p= does not hold a valid public key")
	ErrTooLong      = errors.New("dkim: key record too long")
)

// MaxRecordLen bounds the key record text the parser accepts. A 16384-bit RSA
// key in base64 is under 3000 characters; anything much larger is hostile.
const MaxRecordLen = 8192

// RecordError is a key record parse error: which tag, what is wrong, in both
// languages. Unwrap returns one of the Err* sentinels.
type RecordError struct {
	Tag   string // tag name, empty for record-level errors
	Value string // offending value (shortened)
	Err   error  // sentinel
	text  i18n.Text
}

func (e *RecordError) Error() string {
	msg := e.Err.Error()
	if e.text.EN != "" {
		msg += ": " + e.text.EN
	}
	return msg
}

func (e *RecordError) Unwrap() error { return e.Err }

// Text is the bilingual description of the error for reports.
func (e *RecordError) Text() i18n.Text { return e.text }

func recErr(sentinel error, tag, value, en, de string, args ...any) *RecordError {
	return &RecordError{Tag: tag, Value: shorten(value), Err: sentinel,
		text: i18n.Text{EN: fmt.Sprintf(en, args...), DE: fmt.Sprintf(de, args...)}}
}

// Warning is a non-fatal observation about a key record: it parses and
// verifiers use it, but something is questionable. Code is a stable word.
//
// JSON: {"code", "tag", "detail"} where detail is English.
type Warning struct {
	Code   string `json:"code"`
	Tag    string `json:"tag,omitempty"`
	Detail string `json:"detail,omitempty"`
	text   i18n.Text
}

// Text is the bilingual description of the warning.
func (w Warning) Text() i18n.Text { return w.text }

func warn(code, tag, en, de string, args ...any) Warning {
	t := i18n.Text{EN: fmt.Sprintf(en, args...), DE: fmt.Sprintf(de, args...)}
	return Warning{Code: code, Tag: tag, Detail: t.EN, text: t}
}

// Key encodings of the p= tag.
const (
	EncodingSPKI  = "spki"  // SubjectPublicKeyInfo (RFC 6376 §3.6.1 for k=rsa)
	EncodingPKCS1 = "pkcs1" // bare RSAPublicKey (RFC 3447), erratum 3017
	EncodingRaw   = "raw"   // 32 raw bytes (RFC 8463 §4.2 for k=ed25519)
)

// Key is a parsed DKIM key record (RFC 6376 §3.6.1, RFC 8463 §4.2).
//
// JSON fields: version (v=), key_type ("rsa" or "ed25519"), bits (RSA modulus
// size; 256 for Ed25519), encoding ("spki", "pkcs1", "raw"), hashes (h=),
// services (s=), flags (t=), notes (n=), testing (t=y), strict (t=s), revoked
// (empty p=), warnings.
type Key struct {
	Version  string    `json:"version,omitempty"`
	KeyType  string    `json:"key_type"`
	Bits     int       `json:"bits,omitempty"`
	Encoding string    `json:"encoding,omitempty"`
	Hashes   []string  `json:"hashes,omitempty"`
	Services []string  `json:"services,omitempty"`
	Flags    []string  `json:"flags,omitempty"`
	Notes    string    `json:"notes,omitempty"`
	Testing  bool      `json:"testing"`
	Strict   bool      `json:"strict"`
	Revoked  bool      `json:"revoked"`
	Warnings []Warning `json:"warnings,omitempty"`

	// PublicKey is *rsa.PublicKey or ed25519.PublicKey; nil when revoked.
	PublicKey crypto.PublicKey `json:"-"`
}

// ForEmail reports whether the key may be used for email (RFC 6376 §3.6.1
// s=: "*" or "email"; absent means "*").
func (k *Key) ForEmail() bool {
	if len(k.Services) == 0 {
		return true
	}
	for _, s := range k.Services {
		if s == "*" || strings.EqualFold(s, "email") {
			return true
		}
	}
	return false
}

// tag is one tag=value pair of an RFC 6376 §3.2 tag-list.
type tag struct {
	name, value string
}

// parseTagList splits an RFC 6376 §3.2 tag-list. It enforces the grammar of
// tag names, rejects duplicates ("the entire tag-list is invalid") and
// characters outside VALCHAR, and reports empty tag-specs (";;") as a warning.
func parseTagList(s string) ([]tag, []Warning, error) {
	var tags []tag
	var warns []Warning
	seen := map[string]bool{}
	empty := false
	parts := strings.Split(s, ";")
	for i, part := range parts {
		p := trimFWS(part)
		if p == "" {
			// A trailing ";" is allowed by the grammar; an empty spec elsewhere is not.
			if i < len(parts)-1 {
				empty = true
			}
			continue
		}
		name, value, ok := strings.Cut(p, "=")
		if !ok {
			return nil, warns, recErr(ErrSyntax, "", p, "%q is not of the form tag=value", "%q hat nicht die Form Tag=Wert", shorten(p))
		}
		name, value = trimFWS(name), trimFWS(value)
		if !validTagName(name) {
			return nil, warns, recErr(ErrSyntax, name, p, "invalid tag name %q", "ungültiger Tag-Name %q", shorten(name))
		}
		for _, r := range value {
			// RFC 6376 §3.2: VALCHAR = %x21-3A / %x3C-7E, with FWS between.
			if (r < 0x21 || r > 0x7e) && r != ' ' && r != '\t' && r != '\r' && r != '\n' {
				return nil, warns, recErr(ErrSyntax, name, value, "tag %s= contains the invalid character %q", "Tag %s= enthält das ungültige Zeichen %q", name, r)
			}
		}
		if seen[name] {
			// RFC 6376 §3.2: "Tags with duplicate names MUST NOT occur within a
			// single tag-list; if a tag name does occur more than once, the
			// entire tag-list is invalid."
			return nil, warns, recErr(ErrDuplicateTag, name, value, "tag %s= occurs more than once", "Tag %s= kommt mehrfach vor", name)
		}
		seen[name] = true
		tags = append(tags, tag{name, value})
	}
	if empty {
		warns = append(warns, warn("empty_tag", "", "the record contains an empty tag (\";;\" or a leading \";\")",
			"der Eintrag enthält ein leeres Tag (\";;\" oder ein \";\" am Anfang)"))
	}
	return tags, warns, nil
}

// validTagName: RFC 6376 §3.2 tag-name = ALPHA *ALNUMPUNC (ALNUMPUNC is ALPHA, DIGIT or "_").
func validTagName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		isAlpha := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if i == 0 && !isAlpha {
			return false
		}
		if !isAlpha && !(r >= '0' && r <= '9') && r != '_' {
			return false
		}
	}
	return true
}

func isFWS(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' }

func trimFWS(s string) string { return strings.TrimFunc(s, isFWS) }

func stripFWS(s string) string {
	return strings.Map(func(r rune) rune {
		if isFWS(r) {
			return -1
		}
		return r
	}, s)
}

// splitColonList splits a colon-separated list (h=, s=, t=), trimming FWS.
func splitColonList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ":") {
		out = append(out, trimFWS(x))
	}
	return out
}

// shorten cuts s to at most 60 runes for messages.
func shorten(s string) string {
	const max = 60
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}

// LooksLikeKey reports whether a TXT record is plausibly meant as a DKIM key
// record (so that unrelated TXT records at a wildcard name are not reported
// as broken keys): it starts with v=DKIM1 or carries a p= or k= tag.
func LooksLikeKey(txt string) bool {
	t := strings.ToLower(trimFWS(txt))
	if strings.HasPrefix(stripFWS(t), "v=dkim") {
		return true
	}
	for _, part := range strings.Split(t, ";") {
		name, _, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		switch trimFWS(name) {
		case "p", "k":
			return true
		}
	}
	return false
}

// ParseKey parses a DKIM key record (the concatenated TXT strings at
// <selector>._domainkey.<domain>). A revoked key (empty p=) is a valid record:
// ParseKey returns it with Revoked set and a nil error. On error the returned
// *RecordError says which tag is wrong; the Key is nil.
func ParseKey(txt string) (*Key, error) {
	if len(txt) > MaxRecordLen {
		return nil, recErr(ErrTooLong, "", "", "%d bytes (at most %d accepted)", "%d Bytes (höchstens %d zulässig)", len(txt), MaxRecordLen)
	}
	if trimFWS(txt) == "" {
		return nil, recErr(ErrSyntax, "", "", "the record is empty", "der Eintrag ist leer")
	}
	tags, warns, err := parseTagList(txt)
	if err != nil {
		return nil, err
	}
	k := &Key{KeyType: "rsa", Warnings: warns}
	var p string
	var haveP bool
	for i, t := range tags {
		switch t.name {
		case "v":
			// RFC 6376 §3.6.1 v=: "If specified, this tag MUST be set to "DKIM1"
			// … Records beginning with a "v=" tag with any other value MUST be
			// discarded." and "This tag MUST be the first tag in the record."
			if t.value != "DKIM1" {
				return nil, recErr(ErrVersion, "v", t.value, "v=%s (only \"DKIM1\" is defined, case-sensitive)",
					"v=%s (nur \"DKIM1\" ist definiert, Groß-/Kleinschreibung zählt)", shorten(t.value))
			}
			if i != 0 {
				k.Warnings = append(k.Warnings, warn("version_not_first", "v",
					"v=DKIM1 must be the first tag (RFC 6376 §3.6.1); strict verifiers ignore the record",
					"v=DKIM1 muss das erste Tag sein (RFC 6376 §3.6.1); strenge Prüfer ignorieren den Eintrag"))
			}
			k.Version = t.value
		case "k":
			// RFC 6376 §3.6.1 k= (default "rsa"), RFC 8463 §3 adds "ed25519".
			// Values are case-sensitive (RFC 6376 §3.2).
			switch t.value {
			case "rsa", "ed25519":
				k.KeyType = t.value
			default:
				e := recErr(ErrKeyType, "k", t.value, "k=%s is not a known key type (rsa, ed25519)",
					"k=%s ist kein bekannter Schlüsseltyp (rsa, ed25519)", shorten(t.value))
				if lv := strings.ToLower(t.value); lv == "rsa" || lv == "ed25519" {
					e.text.EN += fmt.Sprintf("; key types are case-sensitive, write k=%s", lv)
					e.text.DE += fmt.Sprintf("; Schlüsseltypen unterscheiden Groß-/Kleinschreibung, k=%s schreiben", lv)
				}
				return nil, e
			}
		case "h":
			k.parseHashes(t.value)
		case "n":
			k.Notes = t.value
		case "p":
			haveP = true
			p = t.value
		case "s":
			// RFC 6376 §3.6.1 s=: "*" (all) or "email"; unknown types ignored.
			k.Services = splitColonList(t.value)
		case "t":
			k.parseFlags(t.value)
		case "g":
			// g= existed in RFC 4871 and was removed by RFC 6376 (Appendix C).
			k.Warnings = append(k.Warnings, warn("obsolete_tag", "g", "g= is obsolete since RFC 6376 and ignored",
				"g= ist seit RFC 6376 veraltet und wird ignoriert"))
		default:
			// RFC 6376 §3.6.1: "Unrecognized tags MUST be ignored."
			k.Warnings = append(k.Warnings, warn("unknown_tag", t.name, "unknown tag %s= is ignored",
				"unbekanntes Tag %s= wird ignoriert", t.name))
		}
	}
	if !haveP {
		// RFC 6376 §3.6.1: p= is REQUIRED.
		return nil, recErr(ErrNoPublicKey, "p", "", "the required p= tag is missing", "das notwendige Tag p= fehlt")
	}
	if !k.ForEmail() {
		k.Warnings = append(k.Warnings, warn("not_for_email", "s",
			"s=%s restricts the key to other services: verifiers must not use it for email",
			"s=%s beschränkt den Schlüssel auf andere Dienste: für E-Mail darf er nicht verwendet werden", strings.Join(k.Services, ":")))
	}
	return k.decodeP(p)
}

// parseHashes reads h=: acceptable hash algorithms; unrecognised ones are
// ignored (RFC 6376 §3.6.1). RFC 8301 §3.1: rsa-sha1 MUST NOT be used.
func (k *Key) parseHashes(value string) {
	k.Hashes = splitColonList(value)
	var known []string
	for _, h := range k.Hashes {
		switch h {
		case "sha256", "sha1":
			known = append(known, h)
		default:
			k.Warnings = append(k.Warnings, warn("unknown_hash", "h", "unknown hash algorithm %q in h= is ignored",
				"unbekanntes Hash-Verfahren %q in h= wird ignoriert", shorten(h)))
		}
	}
	if len(known) == 0 || !contains(known, "sha256") {
		k.Warnings = append(k.Warnings, warn("no_sha256", "h",
			"h=%s does not allow sha256: signatures made with this key cannot pass (sha1 is forbidden by RFC 8301 §3.1)",
			"h=%s erlaubt kein sha256: Signaturen mit diesem Schlüssel können nicht bestehen (sha1 ist nach RFC 8301 §3.1 verboten)", shorten(value)))
	}
}

// parseFlags reads t= (RFC 6376 §3.6.1): y (testing), s (i= must not be a
// subdomain of d=); unrecognised flags MUST be ignored.
func (k *Key) parseFlags(value string) {
	k.Flags = splitColonList(value)
	for _, f := range k.Flags {
		switch f {
		case "y":
			k.Testing = true
		case "s":
			k.Strict = true
		default:
			k.Warnings = append(k.Warnings, warn("unknown_flag", "t", "unknown flag %q in t= is ignored",
				"unbekanntes Flag %q in t= wird ignoriert", shorten(f)))
		}
	}
}

// decodeP decodes the public key of p= (empty: revoked).
func (k *Key) decodeP(p string) (*Key, error) {
	b64 := stripFWS(p)
	if b64 == "" {
		// RFC 6376 §3.6.1: "An empty value means that this public key has been revoked."
		k.Revoked = true
		return k, nil
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(b64)
	if err != nil {
		var ce base64.CorruptInputError
		if errors.As(err, &ce) {
			return nil, recErr(ErrBase64, "p", b64, "p= is not valid base64 (bad character or padding at position %d)",
				"p= ist kein gültiges Base64 (falsches Zeichen oder Auffüllung an Position %d)", int64(ce))
		}
		return nil, recErr(ErrBase64, "p", b64, "p= is not valid base64", "p= ist kein gültiges Base64")
	}
	if err := k.decodePublicKey(raw); err != nil {
		return nil, err
	}
	if k.KeyType == "rsa" && k.Bits > 4096 {
		// RFC 8301 §3.2: verifiers MUST be able to validate 1024–4096 bits;
		// larger keys may not verify everywhere.
		k.Warnings = append(k.Warnings, warn("large_key", "p",
			"a %d-bit key is larger than the 4096 bits every verifier must support (RFC 8301 §3.2)",
			"ein %d-Bit-Schlüssel ist größer als die 4096 Bit, die jeder Prüfer unterstützen muss (RFC 8301 §3.2)", k.Bits))
	}
	return k, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// ASN.1 shapes of the two RSA encodings.
type subjectPublicKeyInfo struct {
	Algorithm struct {
		Algorithm  asn1.ObjectIdentifier
		Parameters asn1.RawValue `asn1:"optional"`
	}
	PublicKey asn1.BitString
}

type pkcs1PublicKey struct {
	N *big.Int
	E int
}

var (
	oidRSA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidEd25519 = asn1.ObjectIdentifier{1, 3, 101, 112}
)

// decodePublicKey interprets p= for the key type. The ASN.1 is parsed by hand
// (not crypto/x509) so that keys below today's minimum sizes still parse and
// can be reported as weak rather than as malformed.
func (k *Key) decodePublicKey(raw []byte) error {
	switch k.KeyType {
	case "ed25519":
		// RFC 8463 §4.2: p= is the raw 32-byte Ed25519 public key.
		if len(raw) == ed25519.PublicKeySize {
			k.PublicKey = ed25519.PublicKey(raw)
			k.Bits = 256
			k.Encoding = EncodingRaw
			return nil
		}
		var spki subjectPublicKeyInfo
		if rest, err := asn1.Unmarshal(raw, &spki); err == nil && len(rest) == 0 && spki.Algorithm.Algorithm.Equal(oidEd25519) {
			return recErr(ErrKeyData, "p", "", "the Ed25519 key is wrapped in SubjectPublicKeyInfo; RFC 8463 §4.2 requires the bare 32-byte key",
				"der Ed25519-Schlüssel steckt in einer SubjectPublicKeyInfo-Struktur; RFC 8463 §4.2 verlangt den bloßen 32-Byte-Schlüssel")
		}
		return recErr(ErrKeyData, "p", "", "an Ed25519 key has 32 bytes, p= has %d", "ein Ed25519-Schlüssel hat 32 Bytes, p= hat %d", len(raw))
	default: // rsa
		// RFC 6376 §3.6.1 calls for SubjectPublicKeyInfo; erratum 3017 notes
		// that some publishers (and the RFC's own wording) use RSAPublicKey.
		var spki subjectPublicKeyInfo
		if rest, err := asn1.Unmarshal(raw, &spki); err == nil && len(rest) == 0 {
			switch {
			case spki.Algorithm.Algorithm.Equal(oidRSA):
				pub, perr := parsePKCS1(spki.PublicKey.RightAlign())
				if perr != nil {
					return perr
				}
				k.setRSA(pub, EncodingSPKI)
				return nil
			case spki.Algorithm.Algorithm.Equal(oidEd25519):
				return recErr(ErrKeyData, "p", "", "p= holds an Ed25519 key but k= says rsa (set k=ed25519 and publish the bare 32-byte key)",
					"p= enthält einen Ed25519-Schlüssel, aber k= sagt rsa (k=ed25519 setzen und den bloßen 32-Byte-Schlüssel veröffentlichen)")
			default:
				return recErr(ErrKeyData, "p", "", "p= holds a key of algorithm %s, not RSA", "p= enthält einen Schlüssel des Verfahrens %s, nicht RSA", spki.Algorithm.Algorithm)
			}
		}
		if pub, err := parsePKCS1(raw); err == nil {
			k.setRSA(pub, EncodingPKCS1)
			k.Warnings = append(k.Warnings, warn("pkcs1_key", "p",
				"the RSA key is a bare RSAPublicKey, not the SubjectPublicKeyInfo RFC 6376 asks for; most verifiers accept it (erratum 3017), some do not",
				"der RSA-Schlüssel ist ein bloßer RSAPublicKey statt der von RFC 6376 verlangten SubjectPublicKeyInfo; die meisten Prüfer akzeptieren das (Erratum 3017), manche nicht"))
			return nil
		}
		if len(raw) == ed25519.PublicKeySize {
			return recErr(ErrKeyData, "p", "", "p= looks like a 32-byte Ed25519 key but k= is rsa (or missing); add k=ed25519",
				"p= sieht nach einem 32-Byte-Ed25519-Schlüssel aus, aber k= ist rsa (oder fehlt); k=ed25519 ergänzen")
		}
		return recErr(ErrKeyData, "p", "", "p= is neither a SubjectPublicKeyInfo nor an RSAPublicKey (the key is truncated or damaged)",
			"p= ist weder eine SubjectPublicKeyInfo noch ein RSAPublicKey (der Schlüssel ist abgeschnitten oder beschädigt)")
	}
}

func parsePKCS1(der []byte) (*rsa.PublicKey, error) {
	var pk pkcs1PublicKey
	rest, err := asn1.Unmarshal(der, &pk)
	if err != nil || len(rest) != 0 {
		return nil, recErr(ErrKeyData, "p", "", "the RSA key structure is damaged", "die RSA-Schlüsselstruktur ist beschädigt")
	}
	if pk.N == nil || pk.N.Sign() <= 0 || pk.E < 3 || pk.E%2 == 0 {
		return nil, recErr(ErrKeyData, "p", "", "the RSA modulus or exponent is invalid", "Modulus oder Exponent des RSA-Schlüssels sind ungültig")
	}
	return &rsa.PublicKey{N: pk.N, E: pk.E}, nil
}

func (k *Key) setRSA(pub *rsa.PublicKey, enc string) {
	k.PublicKey = pub
	k.Bits = pub.N.BitLen()
	k.Encoding = enc
}
