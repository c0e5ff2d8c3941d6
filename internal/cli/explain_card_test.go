package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExplainMessageOneCardPerCause: explain --message writes one line per
// recipient and the explain card once per distinct cause; a bounce whose
// reply names a published sender rule (Gmail 5.7.26) shows the rule, in
// English and German.
func TestExplainMessageOneCardPerCause(t *testing.T) {
	src := filepath.Join("..", "..", "testdata", "statuscode", "dsn")
	md := filepath.Join(t.TempDir(), "Maildir")
	for _, sub := range []string{"cur", "new", "tmp"} {
		os.MkdirAll(filepath.Join(md, sub), 0o755)
	}
	b, err := os.ReadFile(filepath.Join(src, "exchange-online.eml"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(md, "cur", "1.eml"), b, 0o644)
	os.WriteFile(filepath.Join(md, "cur", "2.eml"), b, 0o644)
	out, errOut, code := runExplain(t, "", "explain", "--message", md)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d stderr %q", code, errOut)
	}
	if n := strings.Count(out, " failed "); n != 2 {
		t.Errorf("%d recipient lines, want 2:\n%s", n, out)
	}
	if n := strings.Count(out, "What it means"); n != 1 {
		t.Errorf("%d cards for one cause, want 1:\n%s", n, out)
	}
	for _, c := range []struct{ lang, head, not string }{
		{"en", "The provider's published rule", "What to do"},
		{"de", "Die veröffentlichte Regel des Anbieters", "Was zu tun ist"},
	} {
		out, _, code := runExplain(t, "", "explain", "--lang", c.lang, "--message", filepath.Join(src, "gmail.eml"))
		if code != 0 || !strings.Contains(out, c.head) || !strings.Contains(out, "google.") || strings.Contains(out, c.not) {
			t.Errorf("%s: exit %d, want the published rule instead of the generic advice:\n%s", c.lang, code, out)
		}
	}
}
