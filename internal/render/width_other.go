//go:build !unix

package render

// TerminalWidth is 0 where the terminal size is not asked (Styler wraps at 80).
func TerminalWidth(w any) int { return 0 }
