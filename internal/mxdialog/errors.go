package mxdialog

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/mxprobe/mxprobe/internal/smtpconn"
)

// Phase of the dialogue.
type Phase string

const (
	PhaseConnect  Phase = "connect"
	PhaseBanner   Phase = "banner"
	PhaseEHLO     Phase = "ehlo"
	PhaseHELO     Phase = "helo"
	PhaseSTARTTLS Phase = "starttls"
	PhaseTLS      Phase = "tls_handshake"
	PhaseEHLOTLS  Phase = "ehlo_tls"
	PhaseMAIL     Phase = "mail"
	PhaseRCPT     Phase = "rcpt"
	PhaseRSET     Phase = "rset"
	PhaseQUIT     Phase = "quit"
	PhaseDone     Phase = "done"
)

// ErrorClass says why a probe stopped. The values are a public contract
// (JSON "error.class").
type ErrorClass string

const (
	// ClassConnectRefused: the address answered the SYN with a reset.
	ClassConnectRefused ErrorClass = "connect_refused"
	// ClassConnectTimeout: no answer to the SYN in time (dropped).
	ClassConnectTimeout ErrorClass = "connect_timeout"
	// ClassConnectFailed: other dial errors (unreachable network or host).
	ClassConnectFailed ErrorClass = "connect_failed"
	// ClassBannerTimeout: connected, but no complete greeting in time.
	ClassBannerTimeout ErrorClass = "banner_timeout"
	// ClassTimeout: no complete reply to a command (or TLS handshake) in time.
	ClassTimeout ErrorClass = "timeout"
	// ClassClosed: the server closed the connection (also mid-reply).
	ClassClosed ErrorClass = "closed"
	// ClassReset: the connection was reset.
	ClassReset ErrorClass = "reset"
	// ClassProtocol: a reply broke the reply syntax or our limits; Detail
	// names which ("reply line too long", "bad reply code", …).
	ClassProtocol ErrorClass = "protocol_error"
	// ClassTLS: the TLS handshake after STARTTLS failed.
	ClassTLS ErrorClass = "tls_failed"
	// ClassRejected: the server refused to go on (non-220 greeting, EHLO
	// and HELO refused, MAIL FROM refused, 421 at any point).
	ClassRejected ErrorClass = "rejected"
	// ClassSMTPUTF8: an address needs SMTPUTF8 and the server lacks it.
	ClassSMTPUTF8 ErrorClass = "smtputf8_unsupported"
	// ClassCanceled: the caller cancelled the context (Ctrl-C).
	ClassCanceled ErrorClass = "canceled"
	// ClassInvalid: the options were unusable; nothing was sent.
	ClassInvalid ErrorClass = "invalid_options"
)

// Error is a classified failure of a probe.
type Error struct {
	Class  ErrorClass `json:"class"`
	Phase  Phase      `json:"phase"`
	Detail string     `json:"detail"`
	err    error
}

func (e *Error) Error() string {
	return "mxdialog: " + string(e.Phase) + ": " + string(e.Class) + ": " + e.Detail
}

// Unwrap returns the underlying error, if any.
func (e *Error) Unwrap() error { return e.err }

// IsConnect reports whether the class is a connect failure.
func (c ErrorClass) IsConnect() bool {
	return c == ClassConnectRefused || c == ClassConnectTimeout || c == ClassConnectFailed
}

func classify(ctx context.Context, phase Phase, err error) *Error {
	e := &Error{Phase: phase, err: err, Detail: detail(err)}
	var pe *smtpconn.ProtocolError
	var ne net.Error
	timeout := errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
	closedByUs := errors.Is(err, net.ErrClosed)
	ctxErr := ctx.Err()
	ours := timeout || closedByUs || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
	switch {
	case errors.As(err, &pe):
		e.Class = ClassProtocol
		if phase == PhaseTLS {
			e.Class = ClassTLS
		}
	case errors.Is(ctxErr, context.Canceled) && (ours || phase == PhaseConnect):
		e.Class, e.Detail = ClassCanceled, "interrupted"
	case timeout || ours && ctxErr != nil:
		switch phase {
		case PhaseConnect:
			e.Class = ClassConnectTimeout
		case PhaseBanner:
			e.Class = ClassBannerTimeout
		default:
			e.Class = ClassTimeout
		}
		if !timeout {
			e.Detail = "deadline reached"
		}
	case phase == PhaseConnect:
		e.Class = ClassConnectFailed
		if errors.Is(err, syscall.ECONNREFUSED) {
			e.Class = ClassConnectRefused
		}
	case phase == PhaseTLS:
		e.Class = ClassTLS
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE):
		e.Class = ClassReset
	default:
		e.Class = ClassClosed
	}
	return e
}

// detail is the error text without our package prefix and without Go's
// "read tcp a->b:" noise.
func detail(err error) string {
	var pe *smtpconn.ProtocolError
	if errors.As(err, &pe) {
		return strings.TrimPrefix(pe.Error(), "smtpconn: ")
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		err = oe.Err
	}
	if errors.Is(err, io.EOF) {
		return "connection closed by the server"
	}
	return strings.TrimPrefix(err.Error(), "smtpconn: ")
}
