//go:build unix

package render

import (
	"os"

	"golang.org/x/sys/unix"
)

// TerminalWidth is the column count of w when it is a terminal, else 0
// (Styler then wraps at 80).
func TerminalWidth(w any) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil || ws.Col == 0 {
		return 0
	}
	return int(ws.Col)
}
