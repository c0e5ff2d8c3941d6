package logscan

import (
	"strings"
	"testing"
	"time"
)

func TestResolveTime(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	now := time.Date(2026, 1, 3, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		raw  string
		now  time.Time
		loc  *time.Location
		want string
	}{
		// Year inference: the most recent such date not in the future.
		{"Dec 31 23:59:59", now, time.UTC, "2025-12-31T23:59:59Z"},
		{"Jan  3 11:00:00", now, time.UTC, "2026-01-03T11:00:00Z"},
		{"Jan  4 11:00:00", now, time.UTC, "2026-01-04T11:00:00Z"}, // within the day of slack
		{"Jan  5 11:00:00", now, time.UTC, "2025-01-05T11:00:00Z"}, // beyond it: last year
		{"Mar  3 10:00:01", time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC), time.UTC, "2026-03-03T10:00:01Z"},
		// Read on 31 December late, written just after midnight in a zone ahead.
		{"Jan  1 00:30:00", time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC), time.UTC, "2027-01-01T00:30:00Z"},
		// 29 February: the most recent leap year.
		{"Feb 29 08:00:00", now, time.UTC, "2024-02-29T08:00:00Z"},
		{"Mar  3 10:00:01", now, berlin, "2025-03-03T10:00:01+01:00"},
		{"Mar  3 10:00:01.250", now, time.UTC, "2025-03-03T10:00:01.25Z"},
		// Zoned stamps keep their zone; Exim's local stamps take loc.
		{"2026-03-03T10:00:12.345678+01:00", now, time.UTC, "2026-03-03T10:00:12.345678+01:00"},
		{"2026-03-03 10:00:10.123 +0100", now, time.UTC, "2026-03-03T10:00:10.123+01:00"},
		{"2026-03-03 10:00:10", now, berlin, "2026-03-03T10:00:10+01:00"},
		// Unreadable.
		{"", now, time.UTC, ""},
		{"Foo 33 99:00:00", now, time.UTC, ""},
		{"Feb 30 10:00:00", now, time.UTC, ""},
	}
	for _, c := range cases {
		got := ResolveTime(c.raw, c.now, c.loc)
		if got != c.want {
			t.Errorf("ResolveTime(%q, %s) = %q, want %q", c.raw, c.now, got, c.want)
			continue
		}
		if got != "" {
			if _, err := time.Parse(time.RFC3339Nano, got); err != nil {
				t.Errorf("%q is not RFC 3339: %v", got, err)
			}
		}
	}
}

// TestScanTimes: every record of the fixtures carries an RFC 3339 time and
// the raw stamp.
func TestScanTimes(t *testing.T) {
	for _, name := range []string{"postfix.log", "exim.log", "postfix-lmtp.log"} {
		recs, _ := scanFile(t, name)
		if len(recs) == 0 {
			t.Fatalf("%s: no records", name)
		}
		for _, r := range recs {
			if _, err := time.Parse(time.RFC3339Nano, r.Time); err != nil || r.TimeRaw == "" {
				t.Errorf("%s line %d: time %q raw %q: %v", name, r.Line, r.Time, r.TimeRaw, err)
			}
			if strings.HasPrefix(r.TimeRaw, "Nov") && !strings.HasPrefix(r.Time, "2026-11-") {
				t.Errorf("%s line %d: %q → %q", name, r.Line, r.TimeRaw, r.Time)
			}
		}
	}
}

func FuzzResolveTime(f *testing.F) {
	for _, s := range []string{"Dec 31 23:59:59", "Feb 29 08:00:00", "2026-03-03 10:00:10.123 +0100", "2026-03-03T10:00:12Z"} {
		f.Add(s)
	}
	now := time.Date(2026, 1, 3, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw string) {
		got := ResolveTime(raw, now, time.UTC)
		if got == "" {
			return
		}
		if _, err := time.Parse(time.RFC3339Nano, got); err != nil {
			t.Fatalf("%q → %q: not RFC 3339", raw, got)
		}
	})
}
