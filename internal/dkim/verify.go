package dkim

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	msgauth "github.com/emersion/go-msgauth/dkim"

	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Bounds of VerifyMessage.
const (
	// MaxMessageSize is the largest message VerifyMessage reads (it holds the
	// message in memory to hash it once per signature).
	MaxMessageSize = 64 << 20
	// MaxSignatures is the number of DKIM-Signature fields verified; more
	// are ignored and ErrTooManySignatures is returned with the results.
	MaxSignatures = 10
)

// messageLimit is MaxMessageSize; tests lower it.
var messageLimit int64 = MaxMessageSize

var (
	ErrMessageTooLarge   = errors.New("dkim: message too large")
	ErrTooManySignatures = errors.New("dkim: too many signatures")
	ErrMessage           = errors.New("dkim: cannot read message")
)

// Verification results (RFC 8601 §2.7.1 words).
const (
	VerifyPass      = "pass"
	VerifyFail      = "fail"      // the signature does not match (body or header changed, wrong key)
	VerifyPermError = "permerror" // the signature or key cannot be used (syntax, missing or revoked key, sha1, …)
	VerifyTempError = "temperror" // the key could not be fetched now
)

// Verification is the outcome of checking one DKIM-Signature of a message.
//
// JSON fields: domain (d=), selector (s=), identifier (i=, AUID), algorithm
// (a=), signed_headers (h=), time (t=), expiration (x=), result (pass, fail,
// permerror, temperror), error (why it did not pass, English), key_name (the
// queried name), dns_status (resolver word of the key lookup), key (the
// parsed key record, when it could be fetched and parsed).
type Verification struct {
	Domain        string          `json:"domain"`
	Selector      string          `json:"selector"`
	Identifier    string          `json:"identifier,omitempty"`
	Algorithm     string          `json:"algorithm,omitempty"`
	SignedHeaders []string        `json:"signed_headers,omitempty"`
	Time          time.Time       `json:"time,omitzero"`
	Expiration    time.Time       `json:"expiration,omitzero"`
	Result        string          `json:"result"`
	Error         string          `json:"error,omitempty"`
	KeyName       string          `json:"key_name,omitempty"`
	DNSStatus     resolver.Status `json:"dns_status,omitempty"`
	Key           *Key            `json:"key,omitempty"`

	Err error `json:"-"`
}

// keyFetch remembers what the key lookup of one name returned.
type keyFetch struct {
	status resolver.Status
	txt    []string
}

// VerifyMessage verifies every DKIM-Signature (up to MaxSignatures) of the
// RFC 5322 message read from msg (at most MaxMessageSize bytes), fetching
// keys through r with deadlines from ctx. It returns one Verification per
// signature in header order; an empty slice means the message is unsigned.
// The error is set when the message cannot be read or parsed, or, together
// with the results, when there were more than MaxSignatures signatures.
func VerifyMessage(ctx context.Context, r resolver.Lookuper, msg io.Reader) ([]Verification, error) {
	data, err := io.ReadAll(io.LimitReader(msg, messageLimit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMessage, err)
	}
	if int64(len(data)) > messageLimit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrMessageTooLarge, messageLimit)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sigs := signatureFields(data)

	var mu sync.Mutex
	fetched := map[string]keyFetch{}
	// go-msgauth calls LookupTXT without a context (possibly from several
	// goroutines); the closure carries ours. It tells temporary from
	// permanent failures by net.Error.Temporary, so answer with
	// *net.DNSError values.
	lookup := func(name string) ([]string, error) {
		ans := r.Lookup(ctx, name, resolver.TypeTXT)
		mu.Lock()
		fetched[strings.ToLower(strings.TrimSuffix(name, "."))] = keyFetch{ans.Status, ans.TXT}
		mu.Unlock()
		switch ans.Status {
		case resolver.StatusOK:
			return ans.TXT, nil
		case resolver.StatusNoData:
			return nil, nil
		case resolver.StatusNXDomain:
			return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
		default:
			msg := string(ans.Status)
			if ans.Err != nil {
				msg = ans.Err.Error()
			}
			return nil, &net.DNSError{Err: msg, Name: name, IsTemporary: true, IsTimeout: ans.Status == resolver.StatusTimeout}
		}
	}
	vs, err := msgauth.VerifyWithOptions(bytes.NewReader(data), &msgauth.VerifyOptions{LookupTXT: lookup, MaxVerifications: MaxSignatures})
	var tooMany error
	if errors.Is(err, msgauth.ErrTooManySignatures) {
		tooMany = fmt.Errorf("%w: only the first %d are verified", ErrTooManySignatures, MaxSignatures)
	} else if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMessage, err)
	}
	out := make([]Verification, 0, len(vs))
	for i, v := range vs {
		ver := Verification{Domain: v.Domain, Identifier: v.Identifier, SignedHeaders: v.HeaderKeys,
			Time: v.Time, Expiration: v.Expiration, Err: v.Err}
		if i < len(sigs) {
			ver.Selector = sigs[i]["s"]
			ver.Algorithm = sigs[i]["a"]
			if ver.Domain == "" {
				ver.Domain = sigs[i]["d"]
			}
		}
		switch {
		case v.Err == nil:
			ver.Result = VerifyPass
		case msgauth.IsTempFail(v.Err):
			ver.Result = VerifyTempError
		case msgauth.IsPermFail(v.Err):
			ver.Result = VerifyPermError
		default:
			ver.Result = VerifyFail
		}
		if v.Err != nil {
			ver.Error = v.Err.Error()
		}
		if ver.Selector != "" && ver.Domain != "" {
			ver.KeyName = strings.ToLower(ver.Selector + "._domainkey." + ver.Domain)
			mu.Lock()
			f, ok := fetched[ver.KeyName]
			mu.Unlock()
			if ok {
				ver.DNSStatus = f.status
				if len(f.txt) == 1 {
					if k, err := ParseKey(f.txt[0]); err == nil {
						ver.Key = k
					}
				}
			}
		}
		out = append(out, ver)
	}
	return out, tooMany
}

// signatureFields returns the tags of the first MaxSignatures DKIM-Signature
// header fields, in header order (the order go-msgauth verifies them in).
// Whitespace is removed from values (RFC 6376 §3.5 allows FWS inside).
func signatureFields(data []byte) []map[string]string {
	var out []map[string]string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	var cur strings.Builder
	flush := func() {
		name, value, ok := strings.Cut(cur.String(), ":")
		cur.Reset()
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "DKIM-Signature") || len(out) >= MaxSignatures {
			return
		}
		tags := map[string]string{}
		for _, part := range strings.Split(value, ";") {
			k, v, ok := strings.Cut(part, "=")
			if !ok {
				continue
			}
			k = strings.TrimSpace(k)
			if _, dup := tags[k]; !dup {
				tags[k] = stripFWS(v)
			}
		}
		out = append(out, tags)
	}
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if line == "" {
			break // end of the header section
		}
		if line[0] == ' ' || line[0] == '\t' {
			cur.WriteString(line) // folded continuation (RFC 5322 §2.2.3)
			continue
		}
		flush()
		cur.WriteString(line)
	}
	flush()
	return out
}
