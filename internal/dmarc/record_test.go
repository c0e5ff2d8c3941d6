package dmarc

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func openTestdata(t testing.TB, parts ...string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join(append([]string{"..", "..", "testdata", "dmarc"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// readTSV returns the rows of a tab-separated vector file without its header.
func readTSV(t testing.TB, parts ...string) [][]string {
	t.Helper()
	sc := bufio.NewScanner(openTestdata(t, parts...))
	var rows [][]string
	for first := true; sc.Scan(); first = false {
		if first {
			continue
		}
		rows = append(rows, strings.Split(sc.Text(), "\t"))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// outcome classifies a Parse result: "ok" (no error), "usable" (record with
// errors: receivers apply it with defaults), "invalid" (no record).
func outcome(r *Record, err error) string {
	switch {
	case r != nil && err == nil:
		return "ok"
	case r != nil:
		return "usable"
	}
	return "invalid"
}

// TestOpenDMARCParseVectors runs OpenDMARC's test_dmarc_parse.c cases.
// OpenDMARC is a receiver and lenient; where mxprobe, a diagnostic tool, is
// stricter the case lists the deviation and why.
func TestOpenDMARCParseVectors(t *testing.T) {
	type exp struct {
		outcome   string
		err       error // expected sentinel when outcome != "ok"
		deviation string
	}
	want := map[string]exp{
		"1":  {outcome: "ok"},
		"2":  {outcome: "ok"},
		"3":  {outcome: "ok"},
		"4":  {outcome: "ok"},
		"5":  {outcome: "invalid", err: ErrBadValue, deviation: "OpenDMARC accepts any prefix of a policy word (p=n); RFC 7489 §6.4 only allows none/quarantine/reject"},
		"6":  {outcome: "invalid", err: ErrEmpty},
		"7":  {outcome: "invalid", err: ErrVersion},
		"8":  {outcome: "invalid", err: ErrBadValue},
		"9":  {outcome: "invalid", err: ErrBadValue},
		"10": {outcome: "usable", err: ErrBadValue},
		"11": {outcome: "usable", err: ErrBadValue},
		"12": {outcome: "usable", err: ErrBadValue},
		"13": {outcome: "usable", err: ErrBadValue},
		"14": {outcome: "usable", err: ErrBadValue},
		"15": {outcome: "invalid", err: ErrNoPolicy},
		"16": {outcome: "usable", err: ErrBadValue, deviation: "ftp: cannot receive reports (Mail::DMARC rejects it too; RFC 9989 allows mailto only)"},
		"17": {outcome: "usable", err: ErrBadValue, deviation: "mailto://abuse.com holds no mail address (RFC 6068 addr-spec)"},
		"18": {outcome: "usable", err: ErrBadValue, deviation: "as case 17; the unknown tags foo= and buzz= are ignored with a warning"},
		"19": {outcome: "usable", err: ErrBadValue},
	}
	statusOutcome := map[string]string{"DMARC_PARSE_OKAY": "ok"}
	rows := readTSV(t, "opendmarc", "opendmarc-dmarc-parse-vectors.tsv")
	if len(rows) != 19 {
		t.Fatalf("expected 19 OpenDMARC vectors, got %d", len(rows))
	}
	for _, row := range rows {
		n, record, status := row[0], row[1], row[2]
		w, ok := want[n]
		if !ok {
			t.Fatalf("no expectation for vector %s", n)
		}
		t.Run(n, func(t *testing.T) {
			r, err := Parse(record)
			got := outcome(r, err)
			if got != w.outcome {
				t.Fatalf("Parse(%q) = %s (%v), want %s", record, got, err, w.outcome)
			}
			if w.err != nil && !errors.Is(err, w.err) {
				t.Fatalf("Parse(%q) error %v, want %v", record, err, w.err)
			}
			// Cases where OpenDMARC says OKAY and we report an error must be
			// documented deviations, and vice versa.
			agree := (statusOutcome[status] == "ok") == (got == "ok")
			if !agree && w.deviation == "" {
				t.Fatalf("Parse(%q) disagrees with OpenDMARC (%s) without a documented deviation", record, status)
			}
			if agree && w.deviation != "" {
				t.Fatalf("case %s documents a deviation but agrees with OpenDMARC", n)
			}
			for _, te := range TagErrors(err) {
				if !te.Text().Complete() && !errors.Is(te, ErrEmpty) {
					t.Errorf("error %v lacks a bilingual text", te)
				}
			}
		})
	}
}

type mailDMARCVectors struct {
	TagValuesValid   map[string][]string `json:"tag_values_valid"`
	TagValuesInvalid map[string][]string `json:"tag_values_invalid"`
	PValid           []string            `json:"p_valid"`
	PInvalid         []string            `json:"p_invalid"`
	RFValid          []string            `json:"rf_valid"`
	RFInvalid        []string            `json:"rf_invalid"`
	RecordCases      []struct {
		Record string         `json:"record"`
		Valid  bool           `json:"valid"`
		Note   string         `json:"note"`
		Parsed map[string]any `json:"parsed"`
	} `json:"record_cases"`
	Lenient   []string `json:"realworld_records_parsed_leniently_as_valid"`
	Unhandled []string `json:"realworld_records_unhandled"`
}

func loadMailDMARC(t testing.TB) mailDMARCVectors {
	t.Helper()
	var v mailDMARCVectors
	if err := json.NewDecoder(openTestdata(t, "mail-dmarc", "mail-dmarc-policy-vectors.json")).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// recordWith builds a record that sets one tag.
func recordWith(tag, value string) string {
	switch tag {
	case "v":
		return "v=" + value + "; p=none"
	case "p":
		return "v=DMARC1; p=" + value
	}
	return "v=DMARC1; p=none; " + tag + "=" + value
}

// errorFor reports whether err has a problem with tag.
func errorFor(err error, tag string) bool {
	for _, te := range TagErrors(err) {
		if te.Tag == tag {
			return true
		}
	}
	return false
}

// TestMailDMARCTagValues runs Mail::DMARC's t/01.Policy.t tag tables.
func TestMailDMARCTagValues(t *testing.T) {
	v := loadMailDMARC(t)
	valid, invalid := v.TagValuesValid, v.TagValuesInvalid
	valid["p"] = append(valid["p"], v.PValid...)
	valid["rf"] = append(valid["rf"], v.RFValid...)
	invalid["p"] = append(invalid["p"], v.PInvalid...)
	invalid["rf"] = append(invalid["rf"], v.RFInvalid...)
	// Values Mail::DMARC accepts and mxprobe flags (the record stays usable).
	deviations := map[string]string{
		"v=dmarc1": "RFC 7489 §6.4 spells DMARC1 with %x values (case-sensitive); strict receivers ignore v=dmarc1",
	}
	n := 0
	for tag, values := range valid {
		for _, val := range values {
			n++
			rec := recordWith(tag, val)
			r, err := Parse(rec)
			if why, dev := deviations[tag+"="+val]; dev {
				if r == nil || err == nil {
					t.Errorf("Parse(%q) = %v, %v; want usable with an error (%s)", rec, r, err, why)
				}
				continue
			}
			if r == nil || errorFor(err, tag) {
				t.Errorf("Parse(%q) rejected a valid %s= value: %v", rec, tag, err)
			}
		}
	}
	for tag, values := range invalid {
		for _, val := range values {
			n++
			rec := recordWith(tag, val)
			r, err := Parse(rec)
			wantErr := ErrBadValue
			if tag == "v" {
				wantErr = ErrVersion
			}
			if !errors.Is(err, wantErr) || !errorFor(err, tag) {
				t.Errorf("Parse(%q) = %v, %v; want %v for %s=", rec, r, err, wantErr, tag)
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d tag values tested", n)
	}
}

func TestMailDMARCRecordCases(t *testing.T) {
	v := loadMailDMARC(t)
	for _, c := range v.RecordCases {
		r, err := Parse(c.Record)
		if (r != nil) != c.Valid {
			t.Errorf("Parse(%q) = %v, %v; Mail::DMARC valid=%v (%s)", c.Record, r, err, c.Valid, c.Note)
			continue
		}
		if c.Parsed != nil {
			if r.Policy != c.Parsed["p"] || r.Version != c.Parsed["v"] {
				t.Errorf("Parse(%q): policy %q version %q", c.Record, r.Policy, r.Version)
			}
			if pct, ok := c.Parsed["pct"].(float64); ok && r.Percent != int(pct) {
				t.Errorf("Parse(%q): pct %d", c.Record, r.Percent)
			}
			if rua, ok := c.Parsed["rua"].(string); ok && (len(r.RUA) != 1 || r.RUA[0].URI != rua) {
				t.Errorf("Parse(%q): rua %+v", c.Record, r.RUA)
			}
		}
	}
}

// TestMailDMARCRealWorld: malformed published records that Mail::DMARC
// accepts are usable here too, but mxprobe names what is wrong with them.
func TestMailDMARCRealWorld(t *testing.T) {
	v := loadMailDMARC(t)
	strip := func(s string) string {
		// The vectors prefix each record with "domain=<name>;".
		_, rec, _ := strings.Cut(s, ";")
		return rec
	}
	for _, s := range v.Lenient {
		rec := strip(s)
		r, err := Parse(rec)
		if r == nil {
			t.Errorf("Parse(%q) unusable: %v", rec, err)
			continue
		}
		if err == nil && len(r.Warnings) == 0 {
			t.Errorf("Parse(%q) found nothing wrong", rec)
		}
	}
	for _, s := range v.Unhandled {
		rec := strip(s)
		if _, err := Parse(rec); err == nil {
			t.Errorf("Parse(%q) found nothing wrong", rec)
		}
	}
}

func TestParseCases(t *testing.T) {
	cases := []struct {
		rec     string
		outcome string
		err     error
		warn    string
		check   func(*Record) bool
	}{
		{rec: "v=DMARC1; p=reject; sp=quarantine; np=reject; pct=100; rua=mailto:a@example.com,mailto:b@example.net!10m; ruf=mailto:f@example.com; adkim=s; aspf=s; fo=1:d; rf=afrf; ri=3600; t=n; psd=n",
			outcome: "ok", check: func(r *Record) bool {
				return r.Policy == "reject" && r.SubdomainPolicy == "quarantine" && r.NonExistentPolicy == "reject" &&
					len(r.RUA) == 2 && r.RUA[1].MaxSize == "10m" && r.RUA[1].Domain == "example.net" && r.RUA[0].Address == "a@example.com" &&
					r.ADKIM == "s" && r.ASPF == "s" && strings.Join(r.FailureOptions, ":") == "1:d" && r.ReportInterval == 3600 && r.PSD == "n" && !r.Testing
			}},
		{rec: "v=DMARC1;p=none", outcome: "ok", check: func(r *Record) bool {
			return r.Policy == "none" && r.Percent == 100 && r.ADKIM == "r" && r.ASPF == "r" && r.ReportInterval == 86400 && r.PSD == "u" &&
				r.SubdomainPolicyOrDefault() == "none" && r.NonExistentPolicyOrDefault() == "none"
		}},
		{rec: "  v = DMARC1 ;  p = Reject ; sp=none;", outcome: "ok", check: func(r *Record) bool {
			return r.Policy == "reject" && r.SubdomainPolicyOrDefault() == "none" && r.NonExistentPolicyOrDefault() == "none"
		}},
		{rec: "v=DMARC1; p=quarantine; sp=reject", outcome: "ok", check: func(r *Record) bool { return r.NonExistentPolicyOrDefault() == "reject" }},
		{rec: "V=DMARC1; P=reject", outcome: "ok"},
		{rec: "v=DMARC1; p=reject; t=y", outcome: "ok", check: func(r *Record) bool { return r.Testing }},
		{rec: "v=DMARC1; p=reject; pct=20", outcome: "ok", warn: "pct_partial", check: func(r *Record) bool { return r.Percent == 20 }},
		{rec: "v=DMARC1; p=reject; rua=https://example.com/r", outcome: "ok", warn: "non_mailto_uri"},
		{rec: "v=DMARC1; p=reject; rf=iodef", outcome: "ok", warn: "rf_iodef"},
		{rec: "v=DMARC1; p=reject; x=1", outcome: "ok", warn: "unknown_tag"},
		{rec: "v=DMARC1; p=reject;; rua=mailto:a@example.com", outcome: "ok", warn: "empty_tag"},
		{rec: "v=DMARC1; rua=mailto:a@example.com", outcome: "ok", warn: "p_missing", check: func(r *Record) bool { return r.Policy == "none" && r.PolicyImplicit }},
		{rec: "v=DMARC1; psd=y", outcome: "ok", warn: "p_missing"},
		{rec: "v=DMARC1; p=reject; rua=mailto:dmarc%40example.com@example.org", outcome: "usable", err: ErrBadValue},
		{rec: "v=DMARC1; p=reject; rua=mailto:a%2Eb@example.org", outcome: "ok", check: func(r *Record) bool { return r.RUA[0].Address == "a.b@example.org" }},
		{rec: "v=DMARC1; p=reject; rua=mailto:a@example.org?subject=x", outcome: "ok", check: func(r *Record) bool { return r.RUA[0].Domain == "example.org" }},

		{rec: "v=DMARC1; p=bogus; rua=mailto:a@example.com", outcome: "usable", err: ErrBadValue, check: func(r *Record) bool { return r.Policy == "none" && r.PolicyImplicit }},
		{rec: "v=DMARC1; p=reject; sp=bogus; rua=mailto:a@example.com", outcome: "usable", err: ErrBadValue, check: func(r *Record) bool { return r.Policy == "none" }},
		{rec: "v=DMARC1; p=reject; p=none", outcome: "usable", err: ErrDuplicateTag, check: func(r *Record) bool { return r.Policy == "reject" }},
		{rec: "v=DMARC1; p=reject; v=DMARC1", outcome: "usable", err: ErrDuplicateTag},
		{rec: "v=DMARC1; p=reject; fo:1", outcome: "usable", err: ErrSyntax},
		{rec: "v=DMARC1; p=reject; 1x=2", outcome: "usable", err: ErrSyntax},
		{rec: `v=DMARC1\; p=reject\;`, outcome: "usable", err: ErrSyntax, check: func(r *Record) bool { return r.Policy == "reject" }},
		{rec: "v=dmarc1; p=reject", outcome: "usable", err: ErrVersion},
		{rec: "v=DMARC1; p=reject; rua=", outcome: "usable", err: ErrBadValue},
		{rec: "v=DMARC1; p=reject; rua=mailto:", outcome: "usable", err: ErrBadValue},
		{rec: "v=DMARC1; p=reject; rua=mailto:a@example.com!", outcome: "usable", err: ErrBadValue},
		{rec: "v=DMARC1; p=reject; rua=mailto:a@example.com!10mb", outcome: "usable", err: ErrBadValue},
		{rec: "v=DMARC1; p=reject; rua=mailto:a@localhost", outcome: "usable", err: ErrBadValue},
		{rec: "v=DMARC1; p=reject; rua=example.com", outcome: "usable", err: ErrBadValue},
		{rec: "v=DMARC1; p=reject; rua=mailto:a@example.com, ftp://x, mailto:b@example.org", outcome: "usable", err: ErrBadValue,
			check: func(r *Record) bool { return len(r.RUA) == 2 }},
		{rec: "v=DMARC1; p=reject; t=yes", outcome: "usable", err: ErrBadValue},
		{rec: "v=DMARC1; p=reject; pct=+10", outcome: "usable", err: ErrBadValue},
		{rec: "v=DMARC1; p=reject; ri=+10", outcome: "usable", err: ErrBadValue},

		{rec: "v=spf1 -all", outcome: "invalid", err: ErrVersion},
		{rec: "p=reject; v=DMARC1", outcome: "invalid", err: ErrVersion},
		{rec: "v=DMARC2; p=reject", outcome: "invalid", err: ErrVersion},
		{rec: "v=DMARC1; p=bogus", outcome: "invalid", err: ErrNoPolicy},
		{rec: "v=DMARC1; p=reject; sp=nope", outcome: "invalid", err: ErrBadValue},
		{rec: "v=DMARC1;", outcome: "invalid", err: ErrNoPolicy},
		{rec: " \t ", outcome: "invalid", err: ErrEmpty},
		{rec: "v=DMARC1; p=reject; rua=mailto:" + strings.Repeat("a", MaxRecordLen), outcome: "invalid", err: ErrTooLong},
	}
	for _, c := range cases {
		r, err := Parse(c.rec)
		if got := outcome(r, err); got != c.outcome {
			t.Errorf("Parse(%q) = %s (%v), want %s", c.rec, got, err, c.outcome)
			continue
		}
		if c.err != nil && !errors.Is(err, c.err) {
			t.Errorf("Parse(%q) error %v, want %v", c.rec, err, c.err)
		}
		if c.warn != "" {
			found := false
			for _, w := range r.Warnings {
				found = found || w.Code == c.warn
				if !w.Text().Complete() {
					t.Errorf("warning %s lacks a bilingual text", w.Code)
				}
			}
			if !found {
				t.Errorf("Parse(%q): no warning %s in %+v", c.rec, c.warn, r.Warnings)
			}
		}
		if c.check != nil && (r == nil || !c.check(r)) {
			t.Errorf("Parse(%q): unexpected record %+v", c.rec, r)
		}
	}
}

func TestLooks(t *testing.T) {
	for s, want := range map[string]bool{
		"v=DMARC1; p=none": true, "v = dmarc1": true, " V=DMARC1": true, "v=DMARC1": true,
		"v=spf1": false, "p=none; v=DMARC1": false, "": false, "v=DMARC": false,
		"v=DMARC10; p=none": false, "v=DMARC1 ; p=none": true, `v=DMARC1\; p=none`: true,
	} {
		if Looks(s) != want {
			t.Errorf("Looks(%q) != %v", s, want)
		}
	}
}

func TestRecordJSON(t *testing.T) {
	r, err := Parse("v=DMARC1; p=quarantine; rua=mailto:r@example.net!5m; pct=50")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(r)
	for _, f := range []string{`"policy":"quarantine"`, `"pct":50`, `"max_size":"5m"`, `"report_interval":86400`, `"failure_options":["0"]`, `"code":"pct_partial"`} {
		if !strings.Contains(string(b), f) {
			t.Errorf("JSON %s lacks %s", b, f)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"v=DMARC1; p=none; rua=mailto:a@example.com!10m,https://x.example/r; ruf=mailto:f@example.com",
		"v=DMARC1; p=reject; sp=quarantine; np=reject; adkim=s; aspf=r; fo=0:1:d:s; rf=afrf; ri=86400; pct=50; t=y; psd=n",
		"v=dmarc1\\; p=reject\\;", "v=DMARC1;;;", "v=DMARC1; fo:1; p=x", "", "v=", "v=DMARC1; rua=mailto:%zz@x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if r == nil && err == nil {
			t.Fatalf("Parse(%q): nil record without error", s)
		}
		for _, te := range TagErrors(err) {
			if te.Err == nil {
				t.Fatalf("TagError without sentinel: %v", te)
			}
		}
		if r != nil {
			if r.Version != "DMARC1" {
				t.Fatalf("Parse(%q): usable record with version %q", s, r.Version)
			}
			if _, ok := policyWord(r.Policy); !ok {
				t.Fatalf("Parse(%q): usable record with policy %q", s, r.Policy)
			}
			if _, err := json.Marshal(r); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	rec := "v=DMARC1; p=reject; sp=quarantine; np=reject; pct=100; rua=mailto:a@example.com,mailto:b@example.net!10m; ruf=mailto:f@example.com; adkim=s; aspf=r; fo=1:d; ri=86400"
	for b.Loop() {
		if _, err := Parse(rec); err != nil {
			b.Fatal(err)
		}
	}
}
