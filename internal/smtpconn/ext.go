package smtpconn

import (
	"fmt"
	"strings"
)

// Extensions are the EHLO keywords (RFC 5321 §4.1.1.1) mxprobe reports and
// uses.
type Extensions struct {
	// Keywords lists every advertised line as sent ("SIZE 35882577").
	Keywords []string `json:"keywords"`
	// Size is the SIZE value (RFC 1870 §4); 0 with SizeAdvertised means no
	// fixed limit.
	Size           int64 `json:"size,omitempty"`
	SizeAdvertised bool  `json:"size_advertised"`
	STARTTLS       bool  `json:"starttls"`   // RFC 3207
	SMTPUTF8       bool  `json:"smtputf8"`   // RFC 6531
	DSN            bool  `json:"dsn"`        // RFC 3461
	REQUIRETLS     bool  `json:"requiretls"` // RFC 8689
	EightBitMIME   bool  `json:"8bitmime"`   // RFC 6152
	PIPELINING     bool  `json:"pipelining"` // RFC 2920
	CHUNKING       bool  `json:"chunking"`   // RFC 3030
	// EnhancedStatusCodes: RFC 2034.
	EnhancedStatusCodes bool `json:"enhancedstatuscodes"`
}

// ParseExtensions reads the text of a 250 reply to EHLO: the first line is
// the greeting, every further line one keyword with its parameters.
func ParseExtensions(text string) *Extensions {
	e := &Extensions{Keywords: []string{}}
	lines := strings.Split(text, "\n")
	for _, l := range lines[1:] {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		e.Keywords = append(e.Keywords, l)
		kw, param, _ := strings.Cut(l, " ")
		switch strings.ToUpper(kw) {
		case "SIZE":
			e.SizeAdvertised = true
			var n int64
			if _, err := fmt.Sscan(param, &n); err == nil && n > 0 {
				e.Size = n
			}
		case "STARTTLS":
			e.STARTTLS = true
		case "SMTPUTF8":
			e.SMTPUTF8 = true
		case "DSN":
			e.DSN = true
		case "REQUIRETLS":
			e.REQUIRETLS = true
		case "8BITMIME":
			e.EightBitMIME = true
		case "PIPELINING":
			e.PIPELINING = true
		case "CHUNKING":
			e.CHUNKING = true
		case "ENHANCEDSTATUSCODES":
			e.EnhancedStatusCodes = true
		}
	}
	return e
}

// SupportsAuth reports whether the server offered the SASL mechanism mech
// in its AUTH keyword (RFC 4954 §3).
func (e *Extensions) SupportsAuth(mech string) bool {
	if e == nil {
		return false
	}
	for _, k := range e.Keywords {
		kw, params, _ := strings.Cut(k, " ")
		if !strings.EqualFold(kw, "AUTH") {
			continue
		}
		for _, m := range strings.Fields(params) {
			if strings.EqualFold(m, mech) {
				return true
			}
		}
	}
	return false
}
