package dsn

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"
)

// parseDeliveryStatus reads the body of a message/delivery-status part.
// RFC 3464 §2.1: one group of per-message fields, then one group of
// per-recipient fields per recipient, separated by blank lines. Real reports
// fold lines, miss separators or repeat groups; a new recipient starts at each
// blank line and at a repeated Final-Recipient.
func (w *walker) parseDeliveryStatus(body []byte) {
	var cur *Result
	flush := func() {
		if cur != nil && (cur.Recipient != "" || cur.OriginalRecipient != "") && len(w.recips) < maxRecipients {
			if cur.Recipient == "" {
				cur.Recipient = cur.OriginalRecipient
			}
			w.recips = append(w.recips, *cur)
		}
		cur = nil
	}
	var group header
	endGroup := func() {
		for _, f := range group {
			cur = w.applyDSNField(cur, f, flush)
		}
		group = group[:0]
		flush()
	}
	rest := bytes.TrimLeft(body, "\r\n")
	for len(rest) > 0 {
		var line []byte
		line, rest = cutLine(rest)
		switch {
		case len(bytes.TrimSpace(line)) == 0:
			endGroup()
		case (line[0] == ' ' || line[0] == '\t') && len(group) > 0:
			if len(group[len(group)-1].value) < 16<<10 {
				group[len(group)-1].value += " " + strings.TrimSpace(string(line))
			}
		default:
			if n, v, ok := strings.Cut(string(line), ":"); ok && len(group) < 200 {
				group = append(group, field{strings.ToLower(strings.TrimSpace(n)), strings.TrimSpace(v)})
			}
		}
	}
	endGroup()
}

func (w *walker) applyDSNField(cur *Result, f field, flush func()) *Result {
	v := f.value
	switch f.name {
	case "reporting-mta":
		w.perMessage.reportingMTA = cleanHost(stripType(v))
		return cur
	case "original-envelope-id":
		w.perMessage.envID = strings.TrimSpace(v)
		return cur
	case "arrival-date":
		w.perMessage.arrival = v
		return cur
	case "received-from-mta", "dsn-gateway", "x-postfix-queue-id", "x-postfix-sender", "x-original-message-id":
		return cur
	}
	if cur == nil {
		cur = &Result{Kind: KindRecipient, Format: FormatDSN}
	}
	switch f.name {
	case "final-recipient":
		if cur.Recipient != "" {
			// Missing blank line between two recipients.
			flush()
			cur = &Result{Kind: KindRecipient, Format: FormatDSN}
		}
		cur.Recipient = dsnAddr(v)
	case "x-actual-recipient":
		if cur.Recipient == "" {
			cur.Recipient = cleanAddr(stripType(v))
		}
	case "original-recipient":
		if cur.OriginalRecipient != "" {
			flush()
			cur = &Result{Kind: KindRecipient, Format: FormatDSN}
		}
		cur.OriginalRecipient = dsnAddr(v)
	case "action":
		// RFC 3464 §2.3.3; some MTAs add a comment ("failed (bad address)").
		a := strings.ToLower(strings.TrimSpace(v))
		if i := strings.IndexAny(a, " \t("); i >= 0 {
			a = a[:i]
		}
		cur.Action = a
	case "status":
		if m := findEnhanced(v); m != "" {
			cur.Status = m
		}
		// "4.0.0 (cat.example: host name lookup failure)": a comment that
		// names the cause where no Diagnostic-Code does.
		if i := strings.IndexByte(v, '('); i > 0 {
			cur.context = strings.Trim(v[i:], "() ")
		}
	case "diagnostic-code":
		t, d := splitType(v)
		cur.DiagnosticType, cur.RemoteReply = t, d
	case "remote-mta":
		cur.RemoteMTA = cleanHost(stripType(v))
	case "last-attempt-date":
		cur.LastAttemptDate = v
	case "arrival-date":
		cur.ArrivalDate = v
	}
	return cur
}

// reEnhancedAny finds an enhanced status code (RFC 3463 §2) in free text.
var reEnhancedAny = lazy(`\b[245]\.\d{1,3}\.\d{1,3}\b`)

// findEnhanced returns the first enhanced status code in s that is not part
// of a longer dotted number (an IP address such as 10.2.0.8, a version).
func findEnhanced(s string) string {
	for _, m := range reEnhancedAny.FindAllStringIndex(s, 16) {
		if m[0] > 0 && (s[m[0]-1] == '.' || s[m[0]-1] >= '0' && s[m[0]-1] <= '9') {
			continue
		}
		if m[1] < len(s) && s[m[1]] == '.' && m[1]+1 < len(s) && s[m[1]+1] >= '0' && s[m[1]+1] <= '9' {
			continue
		}
		return s[m[0]:m[1]]
	}
	return ""
}

// splitType splits "smtp; 550 …" into "smtp" and "550 …" (RFC 3464 §2.3.6).
func splitType(v string) (typ, rest string) {
	if i := strings.IndexByte(v, ';'); i > 0 && i < 20 && !strings.ContainsAny(v[:i], " <>@") {
		return strings.ToLower(strings.TrimSpace(v[:i])), strings.TrimSpace(v[i+1:])
	}
	return "", strings.TrimSpace(v)
}

func stripType(v string) string {
	_, rest := splitType(v)
	return rest
}

// cleanHost keeps the host name of an MTA field: Gmail writes
// "gmail-smtp-in.l.google.com. (192.0.2.27, the server for the domain …)".
func cleanHost(h string) string {
	h = strings.TrimSpace(h)
	if i := strings.IndexAny(h, " \t("); i > 0 {
		h = h[:i]
	}
	return strings.TrimSuffix(strings.Trim(h, "[]"), ".")
}

// cleanAddr removes angle brackets, quotes and a trailing comment from an address.
func cleanAddr(a string) string {
	a = strings.TrimSpace(a)
	if i := strings.IndexByte(a, '('); i > 0 {
		a = strings.TrimSpace(a[:i])
	}
	if i := strings.IndexByte(a, '<'); i >= 0 {
		if j := strings.IndexByte(a[i:], '>'); j > 0 {
			a = a[i+1 : i+j]
		}
	}
	a = strings.Trim(a, "<>\"' ")
	return strings.TrimSpace(a)
}

// dsnAddr reads an address field ("rfc822; a@b", "utf-8; …"). RFC 6533 §3
// lets the utf-8 type carry non-ASCII characters as "\x{HEX}"
// (embedded-unicode-char of utf-8-addr-xtext); they are decoded here.
func dsnAddr(v string) string {
	typ, rest := splitType(v)
	a := cleanAddr(rest)
	if typ == "utf-8" && strings.Contains(a, `\x{`) {
		a = decodeEmbeddedUnicode(a)
	}
	return a
}

func decodeEmbeddedUnicode(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, `\x{`)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		n, err := strconv.ParseUint(s[i+3:i+j], 16, 32)
		b.WriteString(s[:i])
		if err != nil || n > unicode.MaxRune || j > 9 {
			b.WriteString(s[i : i+j+1])
		} else {
			b.WriteRune(rune(n))
		}
		s = s[i+j+1:]
	}
}
