package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckBulkTextLine: the text bulk line is view.BulkLine's — the
// target, the verdict word and the same lead problem as the full report
// (its id and reply codes), one line of at most 80 columns.
func TestCheckBulkTextLine(t *testing.T) {
	f := filepath.Join(t.TempDir(), "targets.txt")
	os.WriteFile(f, []byte("reject.lab.test\ntls-selfsigned.lab.test\n"), 0o644)
	out, _, _ := runCLI(t, nil, "check", "--lab", "--targets", f)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines:\n%s", out)
	}
	for i, want := range [][2]string{{"fail", "smtp.rcpt_rejected"}, {"warn", "tls.self_signed"}} {
		if !strings.Contains(lines[i], " "+want[0]+" ") || !strings.Contains(lines[i], " "+want[1]) || len([]rune(lines[i])) > 80 {
			t.Errorf("line %d %q: want verdict %s and lead %s within 80 columns", i, lines[i], want[0], want[1])
		}
	}
}
