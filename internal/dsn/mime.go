package dsn

import (
	"bytes"
	"encoding/base64"
	"html"
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/transform"
)

// header is a tolerant parse of an RFC 5322 header block: field names lower
// case, values unfolded, in order.
type header []field

type field struct{ name, value string }

func (h header) get(name string) string {
	for _, f := range h {
		if f.name == name {
			return f.value
		}
	}
	return ""
}

func (h header) has(name string) bool {
	for _, f := range h {
		if f.name == name {
			return true
		}
	}
	return false
}

// splitHeader separates a header block from its body. It never fails: lines
// without a colon end the header (they belong to the body), a leading mbox
// "From " line is skipped. Header values in 8-bit are kept as they are
// (decodeHeader converts them).
func splitHeader(b []byte) (header, []byte) {
	var h header
	if bytes.HasPrefix(b, []byte("From ")) {
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	rest := b
	for len(rest) > 0 && len(h) < 1000 {
		line, next := cutLine(rest)
		if len(bytes.TrimSpace(line)) == 0 {
			return h, next
		}
		if (line[0] == ' ' || line[0] == '\t') && len(h) > 0 {
			if len(h[len(h)-1].value) < 16<<10 {
				h[len(h)-1].value += " " + strings.TrimSpace(string(line))
			}
			rest = next
			continue
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		n := strings.ToLower(strings.TrimSpace(string(name)))
		if !ok || n == "" || strings.ContainsAny(n, " \t") {
			if len(h) == 0 {
				return nil, b
			}
			return h, rest
		}
		// RFC 5322 §2.1.1 limits a line to 998 octets; keep at most 16 KiB
		// of a longer one, so that no later match runs over megabytes.
		h = append(h, field{n, strings.TrimSpace(string(value[:min(len(value), 16<<10)]))})
		rest = next
	}
	return h, rest
}

func cutLine(b []byte) (line, rest []byte) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return bytes.TrimRight(b[:i], "\r"), b[i+1:]
	}
	return bytes.TrimRight(b, "\r"), nil
}

// mailFields are header fields of which at least one is in every real
// message (RFC 5322 §3.6 requires Date and From; relays add Received).
var mailFields = []string{"from", "date", "received", "message-id", "subject", "to", "return-path", "mime-version", "content-type", "delivered-to"}

func looksLikeMail(h header) bool {
	for _, n := range mailFields {
		if h.has(n) {
			return true
		}
	}
	return false
}

// feedback is one message/feedback-report part (RFC 5965 §3.1).
type feedback struct{ h header }

type perMessage struct{ reportingMTA, envID, arrival string }

// walker collects the parts of a message that matter for reports.
type walker struct {
	parts      int
	recips     []Result
	perMessage perMessage
	feedback   []feedback
	origHdr    []header // returned headers (message/rfc822, text/rfc822-headers)
	embedded   [][]byte // embedded messages, for forwarded reports
	texts      []string // human-readable parts, decoded to UTF-8
}

func (w *walker) walk(h header, body []byte, depth int) {
	w.parts++
	if depth > maxDepth || w.parts > maxParts {
		return
	}
	ct := h.get("content-type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || ct == "" {
		mt, params = "text/plain", nil
		if m := reBoundary.FindStringSubmatch(ct); m != nil {
			// Broken Content-Type with a usable boundary.
			mt, params = "multipart/mixed", map[string]string{"boundary": strings.Trim(m[1], `"`)}
		}
	}
	body = decodeTransfer(h.get("content-transfer-encoding"), body)
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		boundary := params["boundary"]
		parts := splitMultipart(body, boundary)
		if boundary == "" || len(parts) == 0 {
			w.texts = append(w.texts, toUTF8(body, params["charset"]))
			return
		}
		for _, p := range parts {
			ph, pb := splitHeader(p)
			w.walk(ph, pb, depth+1)
			if w.parts > maxParts {
				return
			}
		}
	case mt == "message/delivery-status" || mt == "message/global-delivery-status":
		// RFC 3464 §2.1 / RFC 6533 §6.2: per-message fields, then per-recipient blocks.
		w.parseDeliveryStatus(body)
	case mt == "message/feedback-report":
		// RFC 5965 §3.1: one header-like block.
		fh, _ := splitHeader(bytes.TrimLeft(body, "\r\n"))
		w.feedback = append(w.feedback, feedback{fh})
	case mt == "message/rfc822" || mt == "message/global" || mt == "message/partial":
		eh, _ := splitHeader(bytes.TrimLeft(body, "\r\n"))
		if len(eh) > 0 {
			w.origHdr = append(w.origHdr, eh)
		}
		w.embedded = append(w.embedded, body)
	case mt == "text/rfc822-headers" || mt == "message/global-headers" || mt == "text/rfc822-header":
		eh, _ := splitHeader(bytes.TrimLeft(body, "\r\n"))
		if len(eh) > 0 {
			w.origHdr = append(w.origHdr, eh)
		}
	case mt == "text/html":
		w.texts = append(w.texts, htmlToText(toUTF8(body, params["charset"])))
	case strings.HasPrefix(mt, "text/"):
		w.texts = append(w.texts, toUTF8(body, params["charset"]))
	}
}

var reBoundary = lazy(`(?i)boundary\s*=\s*("[^"]+"|[^\s;]+)`)

// splitMultipart cuts a multipart body at its boundary lines (RFC 2046 §5.1.1).
// It is tolerant: a missing close delimiter ends the last part at the end of
// the data, and transport padding after the boundary is ignored.
func splitMultipart(body []byte, boundary string) [][]byte {
	if boundary == "" {
		return nil
	}
	delim := []byte("--" + boundary)
	var parts [][]byte
	in := false
	start := 0
	rest := body
	pos := 0
	for len(rest) > 0 {
		line, next := cutLine(rest)
		lineStart := pos
		pos += len(rest) - len(next)
		rest = next
		if !bytes.HasPrefix(line, delim) {
			continue
		}
		tail := bytes.TrimSpace(line[len(delim):])
		if in {
			end := lineStart
			// The CRLF before the delimiter belongs to the delimiter.
			if end > start && body[end-1] == '\n' {
				end--
				if end > start && body[end-1] == '\r' {
					end--
				}
			}
			end = max(end, start)
			parts = append(parts, body[start:end])
			if len(parts) >= maxParts {
				return parts
			}
		}
		if bytes.HasPrefix(tail, []byte("--")) {
			return parts
		}
		if len(tail) == 0 {
			in = true
			start = pos
		}
	}
	if in && start < len(body) {
		parts = append(parts, body[start:])
	}
	return parts
}

func decodeTransfer(cte string, body []byte) []byte {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		clean := make([]byte, 0, len(body))
		for _, c := range body {
			if c == '=' || c == '+' || c == '/' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
				clean = append(clean, c)
			}
		}
		if i := bytes.IndexByte(clean, '='); i >= 0 {
			clean = clean[:i]
		}
		if len(clean)%4 == 1 {
			clean = clean[:len(clean)-1]
		}
		out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
		n, _ := base64.RawStdEncoding.Decode(out, clean)
		return out[:n]
	case "quoted-printable":
		out, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		return out
	}
	return body
}

// toUTF8 converts a text body in the named charset to UTF-8 (golang.org/x/text
// knows the WHATWG encodings: ISO-2022-JP, Shift_JIS, EUC-JP, KOI8-R, GB18030,
// the ISO-8859 and Windows code pages, …). Text that claims no charset or an
// unknown one and is not valid UTF-8 is read as Windows-1252, which keeps
// ASCII intact.
func toUTF8(b []byte, charset string) string {
	cs := strings.ToLower(strings.Trim(strings.TrimSpace(charset), `"`))
	ascii := !hasHighBytes(b)
	if ascii && !strings.Contains(cs, "2022") && cs != "utf-7" {
		return string(b)
	}
	if (cs == "" || cs == "us-ascii") && bytes.Contains(b, []byte("\x1b$B")) {
		cs = "iso-2022-jp" // undeclared JIS text in old Japanese mail
	}
	if cs == "" || cs == "utf-8" || cs == "us-ascii" || cs == "utf8" {
		if utf8.Valid(b) {
			return string(b)
		}
		cs = "windows-1252"
	}
	enc := lookupCharset(cs)
	if enc == nil {
		if utf8.Valid(b) {
			return string(b)
		}
		enc = charmap.Windows1252
	}
	out, _, err := transform.Bytes(enc.NewDecoder(), b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\ufffd")
	}
	return string(out)
}

func lookupCharset(cs string) encoding.Encoding {
	switch cs {
	case "latin1", "iso8859-1", "iso_8859-1":
		return charmap.ISO8859_1
	case "cp932", "ms932", "windows-31j":
		cs = "shift_jis"
	case "ks_c_5601-1987", "cp949":
		cs = "euc-kr"
	}
	enc, err := htmlindex.Get(cs)
	if err != nil {
		return nil
	}
	return enc
}

func hasHighBytes(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 || c == 0x1b {
			return true
		}
	}
	return false
}

// wordDecoder decodes RFC 2047 encoded words in header values with the
// charsets of golang.org/x/text.
var wordDecoder = &mime.WordDecoder{CharsetReader: func(charset string, in io.Reader) (io.Reader, error) {
	enc := lookupCharset(strings.ToLower(charset))
	if enc == nil {
		return in, nil
	}
	return transform.NewReader(in, enc.NewDecoder()), nil
}}

// decodeHeader decodes a header value: RFC 2047 encoded words, and raw 8-bit
// text (RFC 6532 UTF-8 or, in old mail, an undeclared local charset).
func decodeHeader(v string) string {
	if strings.Contains(v, "=?") {
		if d, err := wordDecoder.DecodeHeader(v); err == nil {
			v = d
		}
	}
	if !utf8.ValidString(v) {
		v = toUTF8([]byte(v), "")
	}
	return v
}

// htmlToText turns an HTML part into lines of text: line-breaking tags
// become line ends, other tags and the contents of style, script and head
// go, raw line ends are blanks (HTML §13.2), entities are decoded.
func htmlToText(s string) string {
	var b strings.Builder
	b.Grow(len(s) / 2)
	low := strings.ToLower(s)
	for i := 0; i < len(s); {
		c := s[i]
		if c != '<' {
			if c == '\r' || c == '\n' || c == '\t' {
				c = ' '
			}
			b.WriteByte(c)
			i++
			continue
		}
		end := strings.IndexByte(s[i:], '>')
		if end < 0 {
			break
		}
		tag := strings.TrimLeft(low[i+1:i+end], "/ ")
		name := tag
		if j := strings.IndexAny(name, " \t\r\n/"); j >= 0 {
			name = name[:j]
		}
		i += end + 1
		switch name {
		case "style", "script", "head":
			if !strings.HasPrefix(low[i-end-1:], "</") {
				if k := strings.Index(low[i:], "</"+name); k >= 0 {
					i += k
				}
			}
		case "br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6":
			b.WriteByte('\n')
		}
	}
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimLeft(l, " ")
	}
	return html.UnescapeString(strings.Join(lines, "\n"))
}
