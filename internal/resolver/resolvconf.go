package resolver

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// Bounds for reading resolv.conf.
const (
	maxResolvConfSize = 64 << 10
	maxResolvConfLine = 4096
	// maxNameservers is glibc's MAXNS: later nameserver lines are ignored.
	maxNameservers = 3
)

// FromResolvConf reads a resolv.conf(5) file: "nameserver" lines and
// "options timeout:N attempts:N". Other lines are ignored. Without a
// nameserver line the config names 127.0.0.1 and ::1, as glibc does.
func FromResolvConf(path string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("%w: %w", ErrResolvConf, err)
	}
	defer f.Close()
	return ParseResolvConf(f)
}

// ParseResolvConf parses resolv.conf(5) text (at most 64 KiB are read; a
// line longer than 4096 bytes is an error). Invalid nameserver addresses are
// skipped like glibc does; out-of-range options are clamped (timeout 1–30 s,
// attempts 1–5).
func ParseResolvConf(r io.Reader) (Config, error) {
	cfg := Config{Timeout: DefaultTimeout, Attempts: DefaultAttempts}
	sc := bufio.NewScanner(io.LimitReader(r, maxResolvConfSize))
	sc.Buffer(make([]byte, 0, 1024), maxResolvConfLine)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexAny(line, "#;"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "nameserver":
			if len(f) < 2 || len(cfg.Servers) >= maxNameservers {
				continue
			}
			if s, err := NormalizeServer(f[1]); err == nil {
				cfg.Servers = append(cfg.Servers, s)
			}
		case "options":
			for _, o := range f[1:] {
				k, v, ok := strings.Cut(o, ":")
				if !ok {
					continue
				}
				n, err := strconv.Atoi(v)
				if err != nil {
					continue
				}
				switch k {
				case "timeout":
					cfg.Timeout = time.Duration(min(max(n, 1), maxTimeout)) * time.Second
				case "attempts":
					cfg.Attempts = min(max(n, 1), maxAttempts)
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return Config{}, fmt.Errorf("%w: %w", ErrResolvConf, err)
	}
	if len(cfg.Servers) == 0 {
		cfg.Servers = []string{"127.0.0.1:53", "[::1]:53"}
	}
	return cfg, nil
}
