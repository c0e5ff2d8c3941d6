package report_test

import (
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"

	// Every package that registers findings, so the whole public table is loaded.
	_ "github.com/mxprobe/mxprobe/internal/check"
	_ "github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/report"
	_ "github.com/mxprobe/mxprobe/internal/rules"
)

var updateRegistry = flag.Bool("update-registry", false, "rewrite testdata/registry.json from the current registry")

// TestRegistryUnchanged pins the public finding table (ids, severities,
// titles and advice in both languages) byte for byte: moving the catalogs
// from Go literals into embedded findings.yaml files must not change a byte.
func TestRegistryUnchanged(t *testing.T) {
	var defs []report.Def
	for _, d := range report.All() {
		if !strings.HasPrefix(d.ID, "test.") { // the package's own tests register test.*
			defs = append(defs, d)
		}
	}
	got, err := json.MarshalIndent(defs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	const path = "testdata/registry.json"
	if *updateRegistry {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("finding registry differs from %s (run with -update-registry only if the change is intended)", path)
	}
}

// TestCatalogRoundTrip: every registered definition survives the
// findings.yaml format unchanged (quotes, colons, Umlaute, §, „…“).
func TestCatalogRoundTrip(t *testing.T) {
	all := report.All()
	data, err := report.MarshalCatalog(all)
	if err != nil {
		t.Fatal(err)
	}
	back, err := report.ParseCatalog(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(all) {
		t.Fatalf("%d definitions back, want %d", len(back), len(all))
	}
	for i := range all {
		if back[i] != all[i] {
			t.Errorf("round trip changed %s:\n got %+v\nwant %+v", all[i].ID, back[i], all[i])
		}
	}
}

func TestParseCatalogRejects(t *testing.T) {
	for name, src := range map[string]string{
		"unknown key":    "- id: x.y\n  severity: warn\n  titel: {en: a, de: b}\n",
		"no id":          "- severity: warn\n  title: {en: a, de: b}\n",
		"bad severity":   "- id: x.y\n  severity: error\n  title: {en: a, de: b}\n",
		"upper severity": "- id: x.y\n  severity: WARN\n  title: {en: a, de: b}\n",
		"no german":      "- id: x.y\n  severity: warn\n  title: {en: a}\n",
		"not a list":     "id: x.y\n",
	} {
		if defs, err := report.ParseCatalog([]byte(src)); err == nil {
			t.Errorf("%s: accepted, got %+v", name, defs)
		}
	}
}
