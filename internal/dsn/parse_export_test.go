package dsn

import (
	"fmt"
	"io"
)

// Test-only: Parse from a reader (the command reads through WalkMessages).

// Parse reads one message. It returns ErrNotMail for input without a mail
// header and ErrNoReport (with the header fields filled in) for a message
// that is none of the kinds this package reads. It never reads more than
// MaxSize octets into memory.
func Parse(r io.Reader) (*Message, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize))
	if err != nil {
		return nil, fmt.Errorf("dsn: reading message: %w", err)
	}
	// Drain the rest in bounded chunks so that a stream reader stays in step.
	if _, err := io.Copy(io.Discard, r); err != nil {
		return nil, fmt.Errorf("dsn: reading message: %w", err)
	}
	return ParseBytes(data)
}
