package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"github.com/mxprobe/mxprobe/internal/delivery/deliverytest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLogscanTimesFollowClock: logscan's syslog stamps ("Mar  3 10:00:01",
// no year) get the year of the most recent such date not in the future of
// the run's clock, in RFC 3339; time_raw keeps the stamp as written.
func TestLogscanTimesFollowClock(t *testing.T) {
	fixture := filepath.Join("..", "..", "testdata", "logscan", "postfix.log")
	for _, c := range []struct {
		now  time.Time
		year string
	}{
		{time.Date(2027, 1, 2, 0, 0, 0, 0, time.Local), "2026-03-03T"},
		{time.Date(2026, 3, 1, 0, 0, 0, 0, time.Local), "2025-03-03T"},  // 3 March is two days ahead: last year's
		{time.Date(2026, 3, 2, 12, 0, 0, 0, time.Local), "2026-03-03T"}, // within the day of slack
	} {
		var out, errb bytes.Buffer
		f := NewFactory(&IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errb, Getenv: func(string) string { return "" }})
		f.Clock = &deliverytest.FakeClock{T: c.now}
		RunFactory(context.Background(), []string{"logscan", fixture, "-o", "json"}, f)
		sc := bufio.NewScanner(&out)
		n := 0
		for sc.Scan() {
			var r struct {
				Type    string `json:"type"`
				Time    string `json:"time"`
				TimeRaw string `json:"time_raw"`
			}
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatal(err)
			}
			if r.Type != "delivery" {
				continue
			}
			if strings.HasPrefix(r.TimeRaw, "Mar  3 ") {
				n++
				if !strings.HasPrefix(r.Time, c.year) {
					t.Errorf("now %s: time %q from %q, want %s…", c.now, r.Time, r.TimeRaw, c.year)
				}
			}
			if _, err := time.Parse(time.RFC3339Nano, r.Time); err != nil {
				t.Errorf("time %q: %v", r.Time, err)
			}
		}
		if n == 0 {
			t.Fatalf("no delivery lines: %s %s", out.String(), errb.String())
		}
	}
}
