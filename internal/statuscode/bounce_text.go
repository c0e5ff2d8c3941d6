package statuscode

import (
	"regexp"
	"strings"

	"github.com/mxprobe/mxprobe/internal/provider/acmatch"
)

// Text bounces: messages that report failed recipients only in prose. The
// shapes handled here:
//
//   - qmail (QSBMF, https://cr.yp.to/proto/qsbmf.txt): "<addr>:" paragraphs
//     with "Remote host said: 550 …", "Giving up on 192.0.2.1.".
//   - Exim: "The following address(es) failed:", an indented address, then
//     "host mx.example [192.0.2.1]" and "SMTP error from remote mail server
//     after RCPT TO:<addr>: 550 …".
//   - Postfix without a report part: "<addr>: host mx[192.0.2.1] said: 550 …".
//   - Exchange 2003/2007 NDRs in any language ("Folgende(r) Empfänger
//     konnte(n) nicht erreicht werden:"), with "<host #5.1.1 smtp;550 …>",
//     and Exchange 2010+ ("Diagnostic information for administrators:" /
//     "Diagnoseinformationen für Administratoren:") with "Remote Server
//     returned '550 …'" or "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##".

var (
	// An address alone on a line, optionally "<…>", a trailing colon, or an
	// Exchange 2003 date ("user@example.test am 01.02.2024 10:00", "… on 2/1/2024").
	reRcptAlone = regexp.MustCompile(`^<?([^\s<>@"()]{1,256}@[^\s<>@"()]{1,256}?)>?:?(?:\s+(?:am|on|auf|at|le|el)\s+\S.{0,60})?$`)
	// Postfix-style "<addr>: text" or qmail "<addr>:" (text may be empty).
	reRcptColon = regexp.MustCompile(`^<([^\s<>@"]{1,256}@[^\s<>@"]{1,256})>(?:\s*\([^)]*\))?:\s*(.*)$`)
	reMailto    = regexp.MustCompile(`<mailto:[^>]*>`)
	reQmailHost = regexp.MustCompile(`(?i)(?:connected to|giving up on)\s+([0-9a-f.:]+|[a-z0-9.-]+\.[a-z]{2,})|([0-9a-f.:]{7,})\s+(?:does not like recipient|failed after I sent the message)`)
	reHashCode  = regexp.MustCompile(`\(#([245]\.\d{1,3}\.\d{1,3})\)`)
	reBareHost  = regexp.MustCompile(`(?i)^[a-z0-9-]+(?:\.[a-z0-9-]+)+$`)
	reGenServer = regexp.MustCompile(`(?i)(?:generating server|generierender server|erstellender server):\s*(\S+)`)
)

type textRcpt struct {
	addr  string
	lines []string
}

func parseTextBounce(t string) []BounceRecipient {
	if i := quotedOriginalStart(t); i >= 0 {
		t = t[:i]
	}
	format := FormatText
	lower := strings.ToLower(t)
	switch {
	case strings.Contains(lower, "qmail-send") || strings.Contains(lower, "i've given up") ||
		strings.Contains(lower, "i'm not going to try again") || strings.Contains(lower, "remote host said:"):
		format = FormatQmail
	case reExchangeOld.MatchString(t) || strings.Contains(lower, "remote server returned") ||
		strings.Contains(lower, "diagnostic information for administrators") ||
		strings.Contains(lower, "diagnoseinformationen für administratoren") ||
		strings.Contains(lower, "nicht erreicht werden") || strings.Contains(lower, "could not be reached"):
		format = FormatExchange
	}
	genServer := ""
	if m := reGenServer.FindStringSubmatch(t); m != nil {
		genServer = m[1]
	}

	var rcpts []*textRcpt
	byAddr := map[string]*textRcpt{}
	var cur *textRcpt
	for line := range strings.SplitSeq(t, "\n") {
		line = strings.TrimRight(line, "\r")
		trim := strings.TrimSpace(reMailto.ReplaceAllString(line, ""))
		if trim == "" {
			// A blank line ends a paragraph once it has text.
			if cur != nil && len(cur.lines) > 0 {
				cur = nil
			}
			continue
		}
		addr, rest := "", ""
		if m := reRcptColon.FindStringSubmatch(trim); m != nil {
			addr, rest = m[1], m[2]
		} else if m := reRcptAlone.FindStringSubmatch(trim); m != nil {
			addr = m[1]
		}
		if addr != "" && strings.Contains(addr, ".") {
			key := strings.ToLower(addr)
			r := byAddr[key]
			if r == nil {
				if len(rcpts) >= maxRecipients {
					break
				}
				r = &textRcpt{addr: addr}
				byAddr[key] = r
				rcpts = append(rcpts, r)
			}
			cur = r
			if rest != "" {
				cur.lines = append(cur.lines, rest)
			}
			continue
		}
		if cur != nil && len(cur.lines) < 200 {
			cur.lines = append(cur.lines, trim)
		}
	}
	var out []BounceRecipient
	for _, r := range rcpts {
		if len(r.lines) == 0 {
			continue
		}
		diag := strings.Join(r.lines, " ")
		b := BounceRecipient{FinalRecipient: r.addr, Format: format, DiagnosticType: "smtp"}
		var rep Reply
		low := acmatch.LowerASCII(diag)
		inner := unwrap(diag, low, hintsOf(low), &rep)
		b.RemoteMTA = rep.Host
		if b.RemoteMTA == "" {
			if m := reQmailHost.FindStringSubmatch(diag); m != nil {
				b.RemoteMTA = m[1] + m[2]
			} else if m := reEximHost.FindStringSubmatch(diag); m != nil {
				b.RemoteMTA = m[1]
			}
		}
		if format == FormatQmail {
			// qmail names what happens next after the reply ("Giving up on …").
			if i := strings.Index(inner, " Giving up on "); i >= 0 {
				inner = inner[:i]
			}
		}
		if rep.Wrapper == "" {
			// No wrapper: the reply starts at the first code, if there is one.
			if _, _, start, _, ok := codeInside(inner); ok {
				inner = inner[start:]
			}
		}
		b.DiagnosticCode = strings.TrimSpace(inner)
		if m := reExchangeOld.FindStringSubmatch(diag); m != nil {
			b.Status = m[2]
		} else if m := reHashCode.FindStringSubmatch(diag); m != nil {
			b.Status = m[1]
		} else if _, e, _, _, ok := codeInside(inner); ok {
			b.Status = e.String()
		} else if m := reEnhancedAny.FindString(inner); m != "" {
			b.Status = m
		}
		if b.RemoteMTA == "" && format == FormatExchange && reBareHost.MatchString(r.lines[0]) {
			// Exchange 2013+: the line after the address names the remote server.
			b.RemoteMTA = r.lines[0]
		}
		if b.RemoteMTA == "" && format == FormatExchange {
			b.RemoteMTA = genServer
		}
		lowerDiag := strings.ToLower(diag)
		switch {
		case strings.HasPrefix(b.Status, "4") || strings.Contains(lowerDiag, "will be retried") ||
			strings.Contains(lowerDiag, "delay reason") || strings.Contains(lower, "this is a warning message only") ||
			strings.Contains(lower, "delivery has been delayed") || strings.Contains(lower, "zustellung verzögert"):
			if !strings.HasPrefix(b.Status, "5") && !strings.Contains(lower, "i've given up") &&
				!strings.Contains(lower, "permanent error") {
				b.Action = "delayed"
			} else {
				b.Action = "failed"
			}
		default:
			b.Action = "failed"
		}
		out = append(out, b)
	}
	return out
}
