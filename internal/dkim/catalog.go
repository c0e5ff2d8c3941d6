package dkim

import (
	"embed"

	"github.com/mxprobe/mxprobe/internal/report"
)

// findingsYAML holds this package's finding catalog: per id the default
// severity and the English and German title and advice (the ids themselves
// are Go constants, the public contract). Translators edit findings.yaml.
//
//go:embed findings.yaml
var findingsYAML embed.FS

func init() { report.MustRegisterFS(findingsYAML, "findings.yaml") }
