package resolver

import "errors"

// Sentinel errors. Answer.Err and the functions of this package wrap them
// with %w; match them with errors.Is.
var (
	ErrTimeout     = errors.New("resolver: timeout")                         // no answer in time
	ErrServFail    = errors.New("resolver: server failure (SERVFAIL)")       // RCODE 2
	ErrRefused     = errors.New("resolver: query refused (REFUSED)")         // RCODE 5
	ErrRcode       = errors.New("resolver: unexpected response code")        // other RCODEs
	ErrMismatch    = errors.New("resolver: answer does not match the query") // wrong ID or question
	ErrMalformed   = errors.New("resolver: malformed answer")                // unparsable message
	ErrTruncated   = errors.New("resolver: truncated answer and TCP failed") // TC over UDP, TCP retry failed
	ErrNetwork     = errors.New("resolver: network error")                   // dial/read/write failures
	ErrCNAMELoop   = errors.New("resolver: CNAME loop")                      // a name repeats in the chain
	ErrCNAMEChain  = errors.New("resolver: CNAME chain too long")            // more than MaxCNAME hops
	ErrInvalidName = errors.New("resolver: invalid domain name")             // syntax, IDNA or length
	ErrNoServers   = errors.New("resolver: no name servers configured")      // empty Config.Servers
	ErrBadServer   = errors.New("resolver: invalid name server address")     // not IP or IP:port
	ErrResolvConf  = errors.New("resolver: cannot read resolv.conf")         // unreadable file
	ErrCanceled    = errors.New("resolver: lookup canceled")                 // the caller's context was canceled
)
