package delivery

import (
	"strings"
)

// Acceptance is what a receiver's final 250 reply reveals.
type Acceptance struct {
	// Provider is the reply's shape: microsoft, google, gmx (GMX/WEB.DE,
	// United Internet), postfix, exim, dovecot (LMTP), or empty when
	// unknown.
	Provider string `json:"provider,omitempty"`
	// InternalID and Hostname come from Microsoft's
	// "[InternalId=…, Hostname=…]" (Exchange Online and Outlook.com).
	InternalID string `json:"internal_id,omitempty"`
	Hostname   string `json:"hostname,omitempty"`
	// EchoedMessageID is the <…> the receiver quoted (Microsoft quotes the
	// Message-ID it saw); EchoedOurs tells whether it is ours.
	EchoedMessageID string `json:"echoed_message_id,omitempty"`
	EchoedOurs      bool   `json:"echoed_ours"`
	// QueueID is the receiver's id for the message (Postfix "queued as",
	// Exim/GMX "id=", Google's token before "- gsmtp").
	QueueID string `json:"queue_id,omitempty"`
}

// maxReplyParse bounds the work on one reply.
const maxReplyParse = 4096

// ParseAcceptanceFor reads a success reply (with or without the leading code
// and enhanced status code, RFC 3463) and extracts the ids receivers put
// there. ourMessageID is the probe's Message-ID (with or without <>), or "";
// the reply answers a delivery to
// recipient (or ""). A token in angle brackets at the start of the text is
// taken as an echoed Message-ID only when that is plausible: it is ours, or
// it has the id-left "@" id-right form of RFC 5322 §3.6.4 and is not the
// recipient's address — Dovecot's LMTP answers "250 2.0.0 <recipient>
// SESSION-ID Saved", quoting the recipient, not the message.
func ParseAcceptanceFor(reply, ourMessageID, recipient string) Acceptance {
	var a Acceptance
	if len(reply) > maxReplyParse {
		reply = reply[:maxReplyParse]
	}
	text := stripCodes(reply)

	// Microsoft: "<msgid> [InternalId=12345, Hostname=AM0PR….prod.outlook.com] … Queued mail for delivery"
	if i := strings.Index(text, "[InternalId="); i >= 0 {
		a.Provider = "microsoft"
		rest := text[i+1:]
		if j := strings.IndexByte(rest, ']'); j >= 0 {
			rest = rest[:j]
		}
		for _, kv := range strings.Split(rest, ",") {
			k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
			if !ok {
				continue
			}
			switch strings.ToLower(k) {
			case "internalid":
				a.InternalID = v
			case "hostname":
				a.Hostname = v
			}
		}
	}
	var bracketed, afterBracket string
	if strings.HasPrefix(text, "<") {
		if j := strings.IndexByte(text, '>'); j > 0 {
			bracketed, afterBracket = text[1:j], strings.TrimSpace(text[j+1:])
		}
	}
	ours := strings.Trim(strings.TrimSpace(ourMessageID), "<>")
	switch {
	case bracketed == "":
	case ours != "" && strings.EqualFold(bracketed, ours):
		a.EchoedMessageID, a.EchoedOurs = "<"+bracketed+">", true
	case !strings.Contains(bracketed, "@"):
	case recipient != "" && strings.EqualFold(bracketed, strings.Trim(strings.TrimSpace(recipient), "<>")):
	default:
		a.EchoedMessageID = "<" + bracketed + ">"
	}
	lower := asciiLower(text) // same byte offsets as text, for wordAfter
	switch {
	case a.Provider != "":
	case bracketed != "" && a.EchoedMessageID == "" && isDovecotSaved(afterBracket):
		// Dovecot LMTP (RFC 2033): "<recipient> SESSION-ID Saved".
		a.Provider = "dovecot"
		if f := strings.Fields(afterBracket); len(f) == 2 {
			a.QueueID = f[0]
		}
	case strings.HasSuffix(strings.TrimSpace(lower), "- gsmtp"):
		// Google: "OK  1709460001 a1-20020a17090…si123.123 - gsmtp"
		a.Provider = "google"
		f := strings.Fields(strings.TrimSuffix(strings.TrimSpace(text), "- gsmtp"))
		if len(f) > 0 {
			a.QueueID = f[len(f)-1]
		}
	case strings.Contains(lower, "requested mail action okay, completed: id="):
		// GMX and WEB.DE (United Internet): "Requested mail action okay, completed: id=1MxYZ-…"
		a.Provider = "gmx"
		a.QueueID = wordAfter(text, lower, "id=")
	case strings.Contains(lower, "queued as "):
		// Postfix: "Ok: queued as 4F2A1B2C3D"
		a.Provider = "postfix"
		a.QueueID = wordAfter(text, lower, "queued as ")
	case strings.HasPrefix(lower, "ok id="):
		// Exim: "OK id=1rgXYZ-000ABC-12"
		a.Provider = "exim"
		a.QueueID = wordAfter(text, lower, "id=")
	case strings.Contains(lower, " id="):
		a.QueueID = wordAfter(text, lower, " id=")
	}
	return a
}

// isDovecotSaved matches what follows the recipient in Dovecot's LMTP
// success reply: "SESSION-ID Saved", or "Saved" alone.
func isDovecotSaved(s string) bool {
	f := strings.Fields(s)
	return (len(f) == 1 || len(f) == 2) && f[len(f)-1] == "Saved"
}

// stripCodes removes a leading "250 " / "250-" and an enhanced status code.
func stripCodes(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 4 && isDigits(s[:3]) && (s[3] == ' ' || s[3] == '-') {
		s = s[4:]
	} else if len(s) == 3 && isDigits(s) {
		return ""
	}
	if f, rest, ok := strings.Cut(s, " "); ok && isEnhancedCode(f) {
		s = rest
	} else if !ok && isEnhancedCode(s) {
		s = ""
	}
	return strings.TrimSpace(s)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// isEnhancedCode matches class.subject.detail (RFC 3463 §2).
func isEnhancedCode(s string) bool {
	p := strings.Split(s, ".")
	if len(p) != 3 || len(p[0]) != 1 || (p[0] != "2" && p[0] != "4" && p[0] != "5") {
		return false
	}
	return isDigits(p[1]) && len(p[1]) <= 3 && isDigits(p[2]) && len(p[2]) <= 3
}

// wordAfter returns the word following marker (searched in lower, cut from
// orig at the same offset).
func wordAfter(orig, lower, marker string) string {
	i := strings.Index(lower, marker)
	if i < 0 {
		return ""
	}
	w := orig[i+len(marker):]
	if j := strings.IndexAny(w, " \t\r\n,;)"); j >= 0 {
		w = w[:j]
	}
	return strings.Trim(w, "<>")
}

// asciiLower lower-cases ASCII letters only, keeping every byte offset
// (strings.ToLower can change the length of non-ASCII input).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
