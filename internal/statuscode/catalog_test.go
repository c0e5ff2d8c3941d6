package statuscode

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mxprobe/mxprobe/internal/i18n"
)

func readCSV(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "testdata", "statuscode", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:] // header
}

var reRef = regexp.MustCompile(`\[(RFC)(\d+)\](?:,\s*Section\s*([\d.]+))?|\[([^\]]+)\]`)

// ianaRef renders the registry's reference column the way the catalog does:
// "[RFC7372], Section 3.3 (Standards Track)" → "RFC 7372 §3.3".
func ianaRef(s string) string {
	var out []string
	for _, part := range strings.Split(s, ";") {
		m := reRef.FindStringSubmatch(strings.TrimSpace(part))
		switch {
		case m == nil:
		case m[1] != "":
			r := "RFC " + m[2]
			if m[3] != "" {
				r += " §" + m[3]
			}
			out = append(out, r)
		default:
			out = append(out, m[4])
		}
	}
	return strings.Join(out, ", ")
}

// TestCatalogMatchesIANA compares the built-in catalog with the registry
// copy: every class, subject and enumerated code present, English text and
// reference as registered, German text present and different.
func TestCatalogMatchesIANA(t *testing.T) {
	check := func(t *testing.T, e catalogEntry, row []string) {
		t.Helper()
		title := row[1]
		if title == "" {
			// X.6.10 has no sample text in the registry.
			title = e.Title.EN
		}
		if e.Code != row[0] || e.Title.EN != title || e.Description.EN != row[3] || e.Reference != ianaRef(row[4]) {
			t.Errorf("%s: catalog {%q %q %q %q} differs from registry {%q %q %q %q}", row[0],
				e.Code, e.Title.EN, e.Description.EN, e.Reference, row[0], title, row[3], ianaRef(row[4]))
		}
		if len(row) > 2 && e.Basic != "" && e.Basic != row[2] {
			t.Errorf("%s: basic codes %q, registry %q", row[0], e.Basic, row[2])
		}
		checkGerman(t, row[0], e.Title)
		checkGerman(t, row[0], e.Description)
	}
	t.Run("classes", func(t *testing.T) {
		rows := readCSV(t, "smtp-enhanced-status-codes-1.csv")
		if len(rows) != 3 || len(classCatalog) != 3 {
			t.Fatalf("registry %d classes, catalog %d", len(rows), len(classCatalog))
		}
		for _, row := range rows {
			c, _ := strconv.Atoi(row[0][:1])
			check(t, classCatalog[c], row)
		}
	})
	t.Run("subjects", func(t *testing.T) {
		rows := readCSV(t, "smtp-enhanced-status-codes-2.csv")
		if len(rows) != 8 {
			t.Fatalf("registry %d subjects", len(rows))
		}
		for _, row := range rows {
			s, _ := strconv.Atoi(strings.Split(row[0], ".")[1])
			check(t, subjectCatalog[s], row)
		}
	})
	t.Run("enumerated", func(t *testing.T) {
		rows := readCSV(t, "smtp-enhanced-status-codes-3.csv")
		if len(rows) != 81 || len(detailCatalog) != 81 {
			t.Fatalf("registry %d codes, catalog %d", len(rows), len(detailCatalog))
		}
		for _, row := range rows {
			p := strings.Split(row[0], ".")
			s, _ := strconv.Atoi(p[1])
			d, _ := strconv.Atoi(p[2])
			e, ok := detailCatalog[s*1000+d]
			if !ok {
				t.Errorf("%s missing from the catalog", row[0])
				continue
			}
			check(t, e, row)
		}
	})
}

// germanHints catch German text that was left in English or written
// without umlauts.
var (
	reNoUmlaut = regexp.MustCompile(`(?i)\b(fuer|ueber|koennen|muessen|moeglich|pruefen|zurueck|waehrend|naechste|gruende|loeschen|schluessel|aenderung|groesse|hoeher|gueltig|ungueltig|voruebergehend|Empfaenger|Absenderdomaen)\w*`)
)

func checkGerman(t *testing.T, where string, x i18n.Text) {
	t.Helper()
	if !x.Complete() {
		t.Errorf("%s: text incomplete: %+v", where, x)
		return
	}
	if x.EN == x.DE && len(x.EN) > 25 {
		t.Errorf("%s: German text equals English: %q", where, x.EN)
	}
	if m := reNoUmlaut.FindString(x.DE); m != "" {
		t.Errorf("%s: German text without umlauts (%q): %q", where, m, x.DE)
	}
}

// TestTextsComplete: every user-facing text of the package exists in both
// languages.
func TestTextsComplete(t *testing.T) {
	for code, b := range basicCatalog {
		checkGerman(t, "basic "+strconv.Itoa(code), b.Title)
		checkGerman(t, "basic "+strconv.Itoa(code), b.Description)
		if b.Reference == "" {
			t.Errorf("basic %d: no reference", code)
		}
	}
	for d, x := range firstDigit {
		checkGerman(t, "first digit "+string(d), x)
	}
	for d, x := range secondDigit {
		if !x.Complete() {
			t.Errorf("second digit %c incomplete", d)
		}
	}
}
