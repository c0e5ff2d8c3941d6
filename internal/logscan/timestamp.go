package logscan

import (
	"time"
)

// futureSlack is how far past the reference clock a year-less syslog stamp
// may lie and still count as "not in the future": the writing host's clock
// may run ahead a little, and its zone may differ from ours by up to a day.
const futureSlack = 24 * time.Hour

// Layouts of the stamps mail logs carry, tried in order.
var (
	// RFC 5424 / rsyslog "high precision" stamps (Postfix under systemd,
	// rsyslog's RSYSLOG_FileFormat) are RFC 3339 already.
	zonedLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999 -0700", "2006-01-02 15:04:05 -0700"}
	// Exim's default log stamp: local time without a zone.
	localLayouts = []string{"2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05"}
	// The traditional BSD syslog stamp (RFC 3164 §4.1.2: "Mmm dd hh:mm:ss",
	// day space-padded) has neither year nor zone.
	syslogLayouts = []string{"Jan _2 15:04:05.999999999", "Jan _2 15:04:05"}
)

// ResolveTime turns a log stamp into RFC 3339. Stamps with a zone keep it;
// stamps without one are read in loc. A BSD syslog stamp has no year: it
// gets the year that makes it the most recent such date not in the future
// of now (with a day of slack for clock skew and zones) — as syslog readers
// (logrotate'd files read by journalctl, rsyslog's imfile, logwatch) infer
// it: "Dec 31" read on 3 January is last year's. A 29 February goes to the
// most recent leap year. An unreadable stamp gives "".
func ResolveTime(raw string, now time.Time, loc *time.Location) string {
	if raw == "" {
		return ""
	}
	for _, l := range zonedLayouts {
		if t, err := time.Parse(l, raw); err == nil {
			return t.Format(time.RFC3339Nano)
		}
	}
	for _, l := range localLayouts {
		if t, err := time.ParseInLocation(l, raw, loc); err == nil {
			return t.Format(time.RFC3339Nano)
		}
	}
	for _, l := range syslogLayouts {
		t, err := time.ParseInLocation(l, raw, loc)
		if err != nil {
			continue
		}
		if y, ok := inferYear(t, now.In(loc), loc); ok {
			return y.Format(time.RFC3339Nano)
		}
	}
	return ""
}

// inferYear places the year-less t (year 0) into the most recent year, from
// next year back, in which the date exists and is not after now+slack.
// Bounded: a 29 February finds a leap year within 8 years.
func inferYear(t, now time.Time, loc *time.Location) (time.Time, bool) {
	limit := now.Add(futureSlack)
	for y := now.Year() + 1; y >= now.Year()-8; y-- {
		c := time.Date(y, t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
		if c.Month() != t.Month() || c.Day() != t.Day() {
			continue // 29 February of a common year
		}
		if !c.After(limit) {
			return c, true
		}
	}
	return time.Time{}, false
}

// maxMemo bounds the scanner's memos (resolveTime, destClass); a full
// one starts afresh.
const maxMemo = 4096

// resolveTime is ResolveTime memoised per distinct raw stamp: many lines
// share one second, and parsing (trying every layout) per line was the
// scan's biggest cost. The year inference uses the clock of the stamp's
// first sighting.
func (s *Scanner) resolveTime(raw string) string {
	if t, ok := s.times[raw]; ok {
		return t
	}
	t := ResolveTime(raw, s.opts.Now(), s.opts.Location)
	if len(s.times) >= maxMemo {
		clear(s.times)
	}
	s.times[raw] = t
	return t
}
