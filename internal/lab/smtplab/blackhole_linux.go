//go:build linux

package smtplab

import (
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// Blackhole is a loopback address where TCP connection attempts time out:
// a listening socket with a backlog of zero whose accept queue is filled by
// one connection that is never accepted. Linux then drops further SYNs
// (tcp_conn_request: accept queue full), which is what a firewall that
// drops port 25 looks like from the client.
type Blackhole struct {
	fd     int
	filler net.Conn
	addr   netip.AddrPort
}

// NewBlackhole creates a Blackhole on 127.0.0.1.
func NewBlackhole() (*Blackhole, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("smtplab: blackhole: %w", err)
	}
	sa := &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}
	if err := syscall.Bind(fd, sa); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("smtplab: blackhole: %w", err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("smtplab: blackhole: %w", err)
	}
	got, err := syscall.Getsockname(fd)
	if err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("smtplab: blackhole: %w", err)
	}
	port := got.(*syscall.SockaddrInet4).Port
	addr := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(port))
	filler, err := net.DialTimeout("tcp", addr.String(), 2*time.Second)
	if err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("smtplab: blackhole: %w", err)
	}
	return &Blackhole{fd: fd, filler: filler, addr: addr}, nil
}

// Addr is where connection attempts time out.
func (b *Blackhole) Addr() netip.AddrPort { return b.addr }

// Close releases the socket.
func (b *Blackhole) Close() error {
	_ = b.filler.Close()
	return syscall.Close(b.fd)
}
