package lab

import "strings"

func splitHeader(msg []byte) []string {
	s := string(msg)
	if i := strings.Index(s, "\r\n\r\n"); i >= 0 {
		s = s[:i]
	} else if i := strings.Index(s, "\n\n"); i >= 0 {
		s = s[:i]
	}
	return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
}

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }

func trim(s string) string { return strings.TrimSpace(s) }
