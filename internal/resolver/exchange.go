package resolver

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

var udpBufs = sync.Pool{New: func() any { b := make([]byte, dns.MaxMsgSize); return &b }}

// result is the outcome of asking the configured servers once for (name, t).
type result struct {
	msg    *dns.Msg // NOERROR or NXDOMAIN answer
	server string
	status Status // when err != nil
	err    error
}

// exchange asks the servers in order, attempts times over the list (as
// resolv.conf(5) does), and fails over on timeout, SERVFAIL, REFUSED, other
// RCODEs, mismatching or malformed answers and network errors. NOERROR and
// NXDOMAIN are final.
func (r *Resolver) exchange(ctx context.Context, name string, t Type) result {
	var last result
	tried := 0
	for a := 0; a < r.attempts; a++ {
		for _, srv := range r.servers {
			if ctx.Err() != nil {
				a := ctxAnswer(ctx, "", t)
				return result{server: last.server, status: a.Status, err: a.Err}
			}
			tried++
			msg, err := r.exchangeServer(ctx, srv, name, t)
			if err != nil {
				last = result{server: srv, status: classify(err), err: err}
				if ctx.Err() != nil {
					a := ctxAnswer(ctx, "", t)
					return result{server: srv, status: a.Status, err: fmt.Errorf("%w (%w)", a.Err, err)}
				}
				continue
			}
			switch msg.Rcode {
			case dns.RcodeSuccess, dns.RcodeNameError:
				return result{msg: msg, server: srv}
			case dns.RcodeServerFailure:
				last = result{server: srv, status: StatusServFail, err: fmt.Errorf("%w from %s", ErrServFail, srv)}
			case dns.RcodeRefused:
				last = result{server: srv, status: StatusRefused, err: fmt.Errorf("%w by %s", ErrRefused, srv)}
			default:
				last = result{server: srv, status: StatusError, err: fmt.Errorf("%w %s from %s", ErrRcode, dns.RcodeToString[msg.Rcode], srv)}
			}
		}
	}
	if tried > 1 {
		last.err = fmt.Errorf("%w (last of %d tries on %d servers)", last.err, tried, len(r.servers))
	}
	return last
}

// classify maps an exchange error to a status.
func classify(err error) Status {
	if errors.Is(err, ErrTimeout) {
		return StatusTimeout
	}
	return StatusError
}

// exchangeServer sends one query to srv over UDP, and over TCP when the UDP
// answer is truncated (RFC 1035 §4.2.1, RFC 7766 §5).
func (r *Resolver) exchangeServer(ctx context.Context, srv, name string, t Type) (*dns.Msg, error) {
	q := new(dns.Msg)
	q.Id = dns.Id()
	q.RecursionDesired = true
	q.Question = []dns.Question{{Name: name, Qtype: uint16(t), Qclass: dns.ClassINET}}
	// RFC 6891: EDNS0 with our payload size; DO (RFC 3225) so that a
	// validating resolver reports DNSSEC status; AD in the query (RFC 6840
	// §5.7) asks for the AD bit in the answer.
	q.SetEdns0(UDPSize, true)
	q.AuthenticatedData = true
	wire, err := q.Pack()
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrInvalidName, name, err)
	}
	resp, err := r.roundTrip(ctx, "udp", srv, wire, q)
	if err != nil {
		return nil, err
	}
	if resp.Rcode == dns.RcodeFormatError && resp.IsEdns0() == nil {
		// RFC 6891 §7: a server without EDNS support answers FORMERR
		// without an OPT record; ask again without EDNS.
		q.Extra = nil
		q.AuthenticatedData = false
		if wire, err = q.Pack(); err != nil {
			return nil, fmt.Errorf("%w: %q: %v", ErrInvalidName, name, err)
		}
		if resp, err = r.roundTrip(ctx, "udp", srv, wire, q); err != nil {
			return nil, err
		}
	}
	if !resp.Truncated {
		return resp, nil
	}
	resp, err = r.roundTrip(ctx, "tcp", srv, wire, q)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTruncated, err)
	}
	return resp, nil
}

// roundTrip sends wire to srv and reads one answer, within min(ctx deadline,
// now + per-attempt timeout). The answer must carry our ID and question.
func (r *Resolver) roundTrip(ctx context.Context, network, srv string, wire []byte, q *dns.Msg) (*dns.Msg, error) {
	deadline := time.Now().Add(r.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	select {
	case r.inflight <- struct{}{}:
		defer func() { <-r.inflight }()
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: too many queries in flight", ErrTimeout)
	}
	r.exchanges.Add(1)

	var d net.Dialer
	conn, err := d.DialContext(ctx, network, srv)
	if err != nil {
		return nil, netErr(ctx, network, srv, err)
	}
	defer conn.Close()
	// Unblock reads and writes when the context ends early.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if err := conn.SetDeadline(deadline); err != nil {
		return nil, netErr(ctx, network, srv, err)
	}

	var buf []byte
	if network == "udp" {
		if _, err := conn.Write(wire); err != nil {
			return nil, netErr(ctx, network, srv, err)
		}
		// Read into a full-size buffer so an oversized datagram is seen
		// whole rather than cut (and then misparsed).
		bp := udpBufs.Get().(*[]byte)
		defer udpBufs.Put(bp)
		n, err := conn.Read(*bp)
		if err != nil {
			return nil, netErr(ctx, network, srv, err)
		}
		buf = (*bp)[:n]
	} else {
		// RFC 1035 §4.2.2 / RFC 7766 §8: two-byte length prefix.
		out := make([]byte, 2+len(wire))
		binary.BigEndian.PutUint16(out, uint16(len(wire)))
		copy(out[2:], wire)
		if _, err := conn.Write(out); err != nil {
			return nil, netErr(ctx, network, srv, err)
		}
		var l [2]byte
		if _, err := io.ReadFull(conn, l[:]); err != nil {
			return nil, netErr(ctx, network, srv, err)
		}
		buf = make([]byte, binary.BigEndian.Uint16(l[:]))
		if _, err := io.ReadFull(conn, buf); err != nil {
			return nil, netErr(ctx, network, srv, err)
		}
	}
	resp := new(dns.Msg)
	if err := resp.Unpack(buf); err != nil {
		return nil, fmt.Errorf("%w from %s (%s): %v", ErrMalformed, srv, network, err)
	}
	if err := matches(q, resp); err != nil {
		return nil, fmt.Errorf("%w from %s (%s): %s", ErrMismatch, srv, network, err)
	}
	return resp, nil
}

// matches checks that resp answers q: same ID, QR set, same question (name
// compared case-insensitively, RFC 4343) — RFC 5452 §9.1.
func matches(q, resp *dns.Msg) error {
	if resp.Id != q.Id {
		return fmt.Errorf("ID %d, want %d", resp.Id, q.Id)
	}
	if !resp.Response {
		return errors.New("QR bit not set")
	}
	if resp.Opcode != dns.OpcodeQuery {
		return fmt.Errorf("opcode %d", resp.Opcode)
	}
	if len(resp.Question) != 1 {
		// RFC 1035 allows no question in some errors; we asked one.
		return fmt.Errorf("%d questions in the answer", len(resp.Question))
	}
	a, b := resp.Question[0], q.Question[0]
	if a.Qtype != b.Qtype || a.Qclass != b.Qclass || !strings.EqualFold(a.Name, b.Name) {
		return fmt.Errorf("question %s %s, want %s %s", outName(a.Name), dns.TypeToString[a.Qtype], outName(b.Name), dns.TypeToString[b.Qtype])
	}
	return nil
}

// netErr wraps a network error: ErrTimeout for deadlines, ErrNetwork else.
func netErr(ctx context.Context, network, srv string, err error) error {
	var ne net.Error
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout()) || ctx.Err() != nil {
		return fmt.Errorf("%w: no answer from %s over %s", ErrTimeout, srv, strings.ToUpper(network))
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %s closed the %s connection without an answer", ErrNetwork, srv, strings.ToUpper(network))
	}
	return fmt.Errorf("%w: %s over %s: %v", ErrNetwork, srv, strings.ToUpper(network), err)
}
