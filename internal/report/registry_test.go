package report_test

import (
	"encoding/json"
	"flag"
	"os"
	"testing"

	// Every package that registers findings, so the whole public table is loaded.
	_ "github.com/mxprobe/mxprobe/internal/check"
	_ "github.com/mxprobe/mxprobe/internal/delivery"
	_ "github.com/mxprobe/mxprobe/internal/rules"
	"github.com/mxprobe/mxprobe/internal/report"
)

var updateRegistry = flag.Bool("update-registry", false, "rewrite testdata/registry.json from the current registry")

// TestRegistryUnchanged pins the public finding table (ids, severities,
// titles and advice in both languages) byte for byte: moving the catalogs
// from Go literals into embedded findings.yaml files must not change a byte.
func TestRegistryUnchanged(t *testing.T) {
	got, err := json.MarshalIndent(report.All(), "", "  ")
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
