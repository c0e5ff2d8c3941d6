package spf

import "strings"

// Test-only: the textual form of a parsed macro string, for round-trip tests.

// String returns the macro string in its textual form.
func (m macroString) String() string {
	var b strings.Builder
	for _, p := range m {
		switch p.kind {
		case partLiteral:
			b.WriteString(p.text)
		case partEscape:
			switch p.text {
			case "%":
				b.WriteString("%%")
			case " ":
				b.WriteString("%_")
			default:
				b.WriteString("%-")
			}
		case partMacro:
			b.WriteString(p.raw)
		}
	}
	return b.String()
}

func (d Directive) String() string { return d.Text }
