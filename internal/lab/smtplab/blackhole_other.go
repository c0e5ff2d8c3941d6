//go:build !linux

package smtplab

import (
	"errors"
	"net/netip"
)

// Blackhole is only available on Linux.
type Blackhole struct{}

// NewBlackhole reports that connect timeouts cannot be produced here.
func NewBlackhole() (*Blackhole, error) {
	return nil, errors.New("smtplab: blackhole needs Linux")
}

// Addr is the zero address.
func (b *Blackhole) Addr() netip.AddrPort { return netip.AddrPort{} }

// Close does nothing.
func (b *Blackhole) Close() error { return nil }
