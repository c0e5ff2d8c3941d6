package report

import (
	"bytes"

	"gopkg.in/yaml.v3"
)

// marshalCatalog writes defs in the findings.yaml format ParseCatalog reads.
func marshalCatalog(defs []Def) ([]byte, error) {
	entries := make([]catalogEntry, len(defs))
	for i, d := range defs {
		entries[i] = catalogEntry{ID: d.ID, Severity: d.Severity,
			Title:  catalogText{EN: d.Title.EN, DE: d.Title.DE},
			Advice: catalogText{EN: d.Advice.EN, DE: d.Advice.DE}}
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(entries); err != nil {
		return nil, err
	}
	return b.Bytes(), enc.Close()
}

// MarshalCatalog is marshalCatalog for the external tests.
var MarshalCatalog = marshalCatalog
