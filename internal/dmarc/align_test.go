package dmarc

import (
	"testing"

	"github.com/mxprobe/mxprobe/internal/report"
)

// TestOpenDMARCAlignmentVectors runs OpenDMARC's test_alignment.c cases.
func TestOpenDMARCAlignmentVectors(t *testing.T) {
	rows := readTSV(t, "opendmarc", "opendmarc-alignment-vectors.tsv")
	if len(rows) != 10 {
		t.Fatalf("expected 10 vectors, got %d", len(rows))
	}
	for _, row := range rows {
		a, b, mode, want := row[1], row[2], row[3], row[4] == "0"
		strict := mode == "DMARC_RECORD_A_STRICT"
		if got := Aligned(a, b, strict); got != want {
			t.Errorf("vector %s: Aligned(%q, %q, strict=%v) = %v, want %v", row[0], a, b, strict, got, want)
		}
	}
}

func TestAligned(t *testing.T) {
	cases := []struct {
		from, auth string
		strict     bool
		want       bool
	}{
		{"example.com", "EXAMPLE.com.", true, true},
		{"mail.example.com", "example.com", true, false},
		{"mail.example.com", "example.com", false, true},
		{"a.example.co.uk", "b.example.co.uk", false, true},
		{"example.co.uk", "other.co.uk", false, false},
		{"co.uk", "example.co.uk", false, false},
		{"alice.github.io", "bob.github.io", false, false}, // private PSL section
		{"news.example.com", "bounce.example.net", false, false},
		{"müller.example", "xn--mller-kva.example", true, true},
		{"", "example.com", false, false},
		{"example.com", "", false, false},
	}
	for _, c := range cases {
		if got := Aligned(c.from, c.auth, c.strict); got != c.want {
			t.Errorf("Aligned(%q, %q, %v) = %v", c.from, c.auth, c.strict, got)
		}
	}
}

func TestOrgDomain(t *testing.T) {
	for in, want := range map[string]string{
		"a.b.example.com": "example.com", "example.co.uk": "example.co.uk", "x.example.co.uk": "example.co.uk",
		"com": "com", "mail.example.test": "example.test", "Mail.Example.COM.": "example.com",
	} {
		if got := OrgDomain(in); got != want {
			t.Errorf("OrgDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAlign(t *testing.T) {
	strict, _ := Parse("v=DMARC1; p=reject; adkim=s; aspf=s")
	cases := []struct {
		name string
		rec  *Record
		in   AlignmentInput
		want string
		spf  bool // SPF aligned
	}{
		{"spf pass relaxed", nil, AlignmentInput{FromDomain: "example.com", SPF: &AuthResult{"bounce.example.com", "pass"}}, AlignPass, true},
		{"spf pass strict subdomain", strict, AlignmentInput{FromDomain: "example.com", SPF: &AuthResult{"bounce.example.com", "pass"}}, AlignFail, false},
		{"dkim pass aligned, spf foreign", nil, AlignmentInput{FromDomain: "example.com",
			SPF: &AuthResult{"esp.example.net", "pass"}, DKIM: []AuthResult{{"example.com", "pass"}}}, AlignPass, false},
		{"dkim aligned but failed", nil, AlignmentInput{FromDomain: "example.com",
			SPF: &AuthResult{"esp.example.net", "pass"}, DKIM: []AuthResult{{"example.com", "fail"}, {"esp.example.net", "pass"}}}, AlignFail, false},
		{"results unknown", nil, AlignmentInput{FromDomain: "example.com", DKIM: []AuthResult{{"mail.example.com", ""}}}, AlignUnknown, false},
		{"nothing known", nil, AlignmentInput{FromDomain: "example.com"}, AlignFail, false},
	}
	for _, c := range cases {
		a := Align(c.rec, c.in)
		if a.Result != c.want {
			t.Errorf("%s: result %s, want %s (%+v)", c.name, a.Result, c.want, a)
		}
		if a.SPF != nil && a.SPF.Aligned != c.spf {
			t.Errorf("%s: spf aligned %v", c.name, a.SPF.Aligned)
		}
		fs := AlignmentFindings(a)
		checkTexts(t, fs)
		got := ids(fs)
		switch c.want {
		case AlignPass:
			if got[IDAligned] != report.OK {
				t.Errorf("%s: findings %v", c.name, got)
			}
		case AlignFail:
			if got[IDNotAligned] != report.Fail {
				t.Errorf("%s: findings %v", c.name, got)
			}
		case AlignUnknown:
			if got[IDAligned] != report.Info {
				t.Errorf("%s: findings %v", c.name, got)
			}
		}
	}
	if a := Align(strict, AlignmentInput{FromDomain: "example.com", DKIM: []AuthResult{{"example.com", "pass"}}}); a.DKIM[0].Mode != "strict" || !a.DKIM[0].Pass {
		t.Errorf("%+v", a)
	}
}
