package explain

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/mxprobe/mxprobe/internal/i18n"
)

func stdJSON(t *testing.T, x Localized) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// TestAppendJSONMatchesEncodingJSON: the hand-written encoder produces
// exactly what encoding/json produces from the localised struct's tags.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	inputs := []string{"5.7.1", "550", "", "hello \"world\" \\ \x01\b\f\t\n\u2028 <&> \xff\xfe ümlaut",
		"451 4.7.500 Server busy (AS761) [x.eop-nam02.prod.protection.outlook.com]", "550 4.1.1 mismatch",
		"host mx.example.test[192.0.2.1] said: 550 5.1.1 unknown (in reply to RCPT TO command)",
		// Replies that name published sender rules ("rules").
		"550 5.7.515 Access denied, sending domain example.org doesn't meet the required authentication level.",
		"550-5.7.26 Unauthenticated email from example.org is not accepted due to domain's DMARC policy. - gsmtp",
		"554 IP=203.0.113.5 - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to clarify.) (BL)"}
	for _, r := range readTSV(t, "sisimai-reply-lines.tsv") {
		inputs = append(inputs, r.line)
	}
	for _, in := range inputs {
		for _, lang := range []i18n.Lang{i18n.EN, i18n.DE} {
			x := Explain(in, Options{})
			want := stdJSON(t, x.Localize(lang))
			got := x.AppendJSON(nil, lang)
			if !bytes.Equal(got, want) {
				t.Fatalf("%q (%s):\n got %s\nwant %s", in, lang, got, want)
			}
			if !json.Valid(got) {
				t.Fatalf("invalid JSON: %s", got)
			}
		}
	}
	x := Explain("5.7.1", Options{})
	x.Advice = nil
	if got, want := x.AppendJSON(nil, i18n.EN), stdJSON(t, x.Localize(i18n.EN)); !bytes.Equal(got, want) {
		t.Fatalf("nil advice:\n got %s\nwant %s", got, want)
	}
}

func FuzzAppendJSONString(f *testing.F) {
	f.Add("a\"b\\c\x00\x1f\u2028\u2029\xff<>&ä")
	f.Fuzz(func(t *testing.T, s string) {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		want := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s want %s", s, got, want)
		}
	})
}
