package report

import (
	"bytes"
	"fmt"
	"io/fs"

	"gopkg.in/yaml.v3"

	"github.com/mxprobe/mxprobe/internal/i18n"
)

// catalogEntry is one finding definition as written in a package's
// findings.yaml: the id, the default severity and the title and advice in
// English and German. The file is the one place a translator edits; the ids
// stay Go constants in the package (the public contract code refers to).
type catalogEntry struct {
	ID       string      `yaml:"id"`
	Severity Severity    `yaml:"severity"`
	Title    catalogText `yaml:"title"`
	Advice   catalogText `yaml:"advice"`
}

type catalogText struct {
	EN string `yaml:"en"`
	DE string `yaml:"de"`
}

// ParseCatalog decodes a finding catalog. Unknown keys, an empty id, an
// unknown severity and a title missing a language are errors.
func ParseCatalog(data []byte) ([]Def, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var entries []catalogEntry
	if err := dec.Decode(&entries); err != nil {
		return nil, fmt.Errorf("finding catalog: %w", err)
	}
	defs := make([]Def, 0, len(entries))
	for i, e := range entries {
		if e.ID == "" {
			return nil, fmt.Errorf("finding catalog: entry %d has no id", i+1)
		}
		if s, ok := ParseSeverity(string(e.Severity)); !ok || s != e.Severity {
			return nil, fmt.Errorf("finding catalog: %s: severity %q is not ok, info, warn or fail", e.ID, e.Severity)
		}
		title := i18n.T(e.Title.EN, e.Title.DE)
		if !title.Complete() {
			return nil, fmt.Errorf("finding catalog: %s: title needs en and de", e.ID)
		}
		defs = append(defs, Def{ID: e.ID, Severity: e.Severity, Title: title, Advice: i18n.T(e.Advice.EN, e.Advice.DE)})
	}
	return defs, nil
}

// MustRegisterFS registers the finding catalog name from fsys (a package's
// embedded findings.yaml). Packages call it from init; a missing or broken
// catalog panics at start-up, like a duplicate id in Register.
func MustRegisterFS(fsys fs.FS, name string) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		panic("report: " + err.Error())
	}
	defs, err := ParseCatalog(data)
	if err != nil {
		panic("report: " + name + ": " + err.Error())
	}
	Register(defs...)
}
