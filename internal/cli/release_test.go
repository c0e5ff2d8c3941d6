package cli

import (
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestGoreleaserNamesReleaseRepo: .goreleaser.yaml names its release
// repository, so `goreleaser check` does not need a git remote
// (scripts/release-check.sh runs goreleaser itself in a clone without one).
func TestGoreleaserNamesReleaseRepo(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Release struct {
			GitHub struct {
				Owner string `yaml:"owner"`
				Name  string `yaml:"name"`
			} `yaml:"github"`
		} `yaml:"release"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Release.GitHub.Owner != "mxprobe" || cfg.Release.GitHub.Name != "mxprobe" {
		t.Fatalf("release.github = %+v, want mxprobe/mxprobe", cfg.Release.GitHub)
	}
}
