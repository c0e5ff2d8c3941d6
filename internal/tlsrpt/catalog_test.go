package tlsrpt

import (
	"testing"

	"github.com/mxprobe/mxprobe/internal/report/reporttest"
)

// Every finding id of this package is registered with an English and a
// German title and advice.
func TestFindingCatalog(t *testing.T) { reporttest.Catalog(t, "tlsrpt.") }

func checkJSON(t *testing.T, v any) map[string]any { t.Helper(); return reporttest.SnakeJSON(t, v) }
