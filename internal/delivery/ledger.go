package delivery

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// The ledger is an append-only JSON Lines file: one event per line, written
// with a single write(2) under an exclusive flock and fsynced before Append
// returns. Readers take a shared lock, so they never see a half-written line
// of a live writer. A writer killed mid-write leaves at most one torn last
// line; readers skip it (LedgerStatus.TornTail) and the next Append cuts it
// off under the lock before writing — it was never acknowledged.

// MaxEventSize bounds one ledger line; longer lines are skipped as corrupt
// and Append refuses to write them.
const MaxEventSize = 1 << 20

// ErrEventTooLarge is returned by Append for an event above MaxEventSize.
var ErrEventTooLarge = errors.New("ledger: event too large")

// Ledger is an open ledger file. It is safe for concurrent use by several
// goroutines and several processes.
type Ledger struct {
	path string
	mu   sync.Mutex // serialises this process's users of f (flock is per open file)
	f    *os.File
}

// LedgerStatus reports what a read skipped. The caller says it once.
type LedgerStatus struct {
	Events int `json:"events"`
	// TornTail: the last line had no newline and did not parse (a writer
	// was killed mid-write); it was ignored.
	TornTail bool `json:"torn_tail,omitempty"`
	// Corrupt counts other lines that did not parse and were skipped.
	Corrupt int `json:"corrupt,omitempty"`
	// Future counts events written by a newer schema version (read with
	// their unknown fields ignored).
	Future int `json:"future,omitempty"`
	// UnknownKind counts events of a kind this build does not know
	// (skipped).
	UnknownKind int `json:"unknown_kind,omitempty"`
}

// DefaultLedgerPath returns $XDG_STATE_HOME/mxprobe/ledger.jsonl, falling
// back to $HOME/.local/state (XDG Base Directory Specification).
func DefaultLedgerPath(getenv func(string) string) (string, error) {
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "mxprobe", "ledger.jsonl"), nil
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "state", "mxprobe", "ledger.jsonl"), nil
	}
	return "", errors.New("ledger: neither XDG_STATE_HOME nor HOME is set; use --ledger PATH")
}

// OpenLedger opens (and creates, with its directory) the ledger at path.
func OpenLedger(path string) (*Ledger, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	if errors.Is(statErr, os.ErrNotExist) {
		syncDir(dir) // make the new file's directory entry durable
	}
	return &Ledger{path: path, f: f}, nil
}

// Path returns the ledger's file name.
func (l *Ledger) Path() string { return l.path }

// Close closes the ledger file.
func (l *Ledger) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// EncodeEvent returns the ledger line of ev (with newline), setting the
// schema version.
func EncodeEvent(ev Event) ([]byte, error) {
	if ev.V == 0 {
		ev.V = SchemaVersion
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	if len(b)+1 > MaxEventSize {
		return nil, ErrEventTooLarge
	}
	return append(b, '\n'), nil
}

// Append writes evs durably: one write of all lines under an exclusive lock,
// then fsync. It returns only after the events are on disk. It reports
// whether it cut off a torn last line left by a killed writer.
func (l *Ledger) Append(evs ...Event) (healed bool, err error) {
	if len(evs) == 0 {
		return false, nil
	}
	var buf bytes.Buffer
	for _, ev := range evs {
		b, err := EncodeEvent(ev)
		if err != nil {
			return false, err
		}
		buf.Write(b)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return false, errors.New("ledger: closed")
	}
	if err := lockFile(l.f, true); err != nil {
		return false, fmt.Errorf("ledger: lock: %w", err)
	}
	defer unlockFile(l.f)
	healed, err = l.healTail()
	if err != nil {
		return false, err
	}
	// One write with O_APPEND: the line lands whole at the end of the file.
	if _, err := l.f.Write(buf.Bytes()); err != nil {
		return healed, fmt.Errorf("ledger: write: %w", err)
	}
	if err := l.f.Sync(); err != nil {
		return healed, fmt.Errorf("ledger: fsync: %w", err)
	}
	return healed, nil
}

// healTail cuts a torn last line (no trailing newline) off the file. Called
// with the exclusive lock held: no live writer is mid-write, so the bytes
// after the last newline belong to a writer that died before it could
// acknowledge them.
func (l *Ledger) healTail() (bool, error) {
	fi, err := l.f.Stat()
	if err != nil {
		return false, fmt.Errorf("ledger: %w", err)
	}
	size := fi.Size()
	if size == 0 {
		return false, nil
	}
	var last [1]byte
	if _, err := l.f.ReadAt(last[:], size-1); err != nil {
		return false, fmt.Errorf("ledger: %w", err)
	}
	if last[0] == '\n' {
		return false, nil
	}
	// Find the last newline, reading backwards in chunks (bounded by the
	// file size; a torn line is at most one event long in practice).
	const chunk = 64 << 10
	cut := int64(0)
	buf := make([]byte, chunk)
	for end := size; end > 0; {
		start := max(end-chunk, 0)
		n, err := l.f.ReadAt(buf[:end-start], start)
		if err != nil && !errors.Is(err, io.EOF) {
			return false, fmt.Errorf("ledger: %w", err)
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			cut = start + int64(i) + 1
			break
		}
		end = start
	}
	if err := l.f.Truncate(cut); err != nil {
		return false, fmt.Errorf("ledger: cut torn line: %w", err)
	}
	return true, nil
}

// Events reads every event under a shared lock. Lines that do not parse are
// skipped and counted; a torn last line is reported in the status. Unknown
// fields are ignored, unknown kinds skipped.
func (l *Ledger) Events() ([]Event, LedgerStatus, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil, LedgerStatus{}, errors.New("ledger: closed")
	}
	if err := lockFile(l.f, false); err != nil {
		return nil, LedgerStatus{}, fmt.Errorf("ledger: lock: %w", err)
	}
	defer unlockFile(l.f)
	fi, err := l.f.Stat()
	if err != nil {
		return nil, LedgerStatus{}, fmt.Errorf("ledger: %w", err)
	}
	return ReadEvents(io.NewSectionReader(l.f, 0, fi.Size()))
}

// ReadEvents parses a ledger stream (see Events).
func ReadEvents(r io.Reader) ([]Event, LedgerStatus, error) {
	var st LedgerStatus
	var evs []Event
	br := bufio.NewReaderSize(r, 64<<10)
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		tooLong := false
		if errors.Is(err, bufio.ErrBufferFull) {
			// Assemble a long line up to MaxEventSize, then skip the rest.
			line = append(line[:0], chunk...)
			for errors.Is(err, bufio.ErrBufferFull) {
				chunk, err = br.ReadSlice('\n')
				if len(line)+len(chunk) > MaxEventSize {
					tooLong = true
					line = line[:0]
				} else if !tooLong {
					line = append(line, chunk...)
				}
			}
		} else {
			line = append(line[:0], chunk...)
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return evs, st, fmt.Errorf("ledger: read: %w", err)
		}
		atEOF := err != nil
		terminated := len(line) > 0 && line[len(line)-1] == '\n'
		if len(line) > 0 || tooLong {
			ev, perr := ParseEvent(line)
			switch {
			case atEOF && !terminated && !tooLong && len(bytes.TrimSpace(line)) > 0:
				// An unterminated last line is never acknowledged (the
				// newline is part of the one write): torn, even if it
				// happens to parse.
				st.TornTail = true
			case tooLong:
				st.Corrupt++
			case perr == nil:
				if ev.V > SchemaVersion {
					st.Future++
				}
				evs = append(evs, ev)
			case errors.Is(perr, errBlank):
			case errors.Is(perr, ErrUnknownKind):
				st.UnknownKind++
			default:
				st.Corrupt++
			}
		}
		if atEOF {
			break
		}
	}
	st.Events = len(evs)
	return evs, st, nil
}

var errBlank = errors.New("ledger: blank line")

// ErrUnknownKind is returned by ParseEvent for a well-formed event of a kind
// this build does not know (written by a newer mxprobe).
var ErrUnknownKind = errors.New("ledger: unknown event kind")

// ParseEvent parses one ledger line. It accepts newer schema versions
// (unknown fields are ignored) and rejects events that lack what the verdict
// needs.
func ParseEvent(line []byte) (Event, error) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return Event{}, errBlank
	}
	if len(line) > MaxEventSize {
		return Event{}, ErrEventTooLarge
	}
	var ev Event
	if err := json.Unmarshal(line, &ev); err != nil {
		return Event{}, fmt.Errorf("ledger: %w", err)
	}
	if ev.V < 1 {
		return Event{}, errors.New("ledger: event without schema version")
	}
	switch ev.Kind {
	case KindSent:
		if ev.Sent == nil || !ValidToken(ev.Sent.Token) || ev.Token != ev.Sent.Token {
			return Event{}, errors.New("ledger: sent event without a valid probe")
		}
	case KindScan:
		if ev.Scan == nil {
			return Event{}, errors.New("ledger: scan event without scan")
		}
	case KindDSN:
		if ev.DSN == nil || !ValidToken(ev.Token) {
			return Event{}, errors.New("ledger: dsn event without a valid token")
		}
	default:
		return Event{}, fmt.Errorf("%w %q", ErrUnknownKind, ev.Kind)
	}
	if ev.At.IsZero() {
		return Event{}, errors.New("ledger: event without time")
	}
	return ev, nil
}

func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
