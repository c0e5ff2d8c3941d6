package statuscode

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unsafe"
)

// Parse errors. They wrap into the one-line messages the CLI shows.
var (
	ErrEmpty        = errors.New("statuscode: empty input")
	ErrSyntax       = errors.New("statuscode: invalid enhanced status code")
	ErrNoCode       = errors.New("statuscode: no reply code or enhanced status code found")
	ErrBadReplyCode = errors.New("statuscode: invalid reply code")
)

// MaxReplyLen bounds the text one reply may have; longer input is cut there.
const MaxReplyLen = 64 << 10

// Enhanced is an enhanced mail system status code (RFC 3463 §2):
// class "." subject "." detail.
type Enhanced struct {
	Class   int `json:"class"`   // 2, 4 or 5
	Subject int `json:"subject"` // 0–999
	Detail  int `json:"detail"`  // 0–999
}

// IsZero reports whether e is unset.
func (e Enhanced) IsZero() bool { return e.Class == 0 }

func (e Enhanced) String() string {
	if e.IsZero() {
		return ""
	}
	return strconv.Itoa(e.Class) + "." + strconv.Itoa(e.Subject) + "." + strconv.Itoa(e.Detail)
}

// ParseEnhanced parses "5.7.1". RFC 3463 §2: class is 2, 4 or 5; subject and
// detail are 1–3 digits (0–999). Anything else is ErrSyntax.
func ParseEnhanced(s string) (Enhanced, error) {
	var e Enhanced
	s = strings.TrimSpace(s)
	if s == "" {
		return e, ErrEmpty
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return e, fmt.Errorf("%w %q: want class.subject.detail, e.g. 5.7.1", ErrSyntax, s)
	}
	var n [3]int
	for i, p := range parts {
		if len(p) == 0 || len(p) > 3 || !allDigits(p) {
			return e, fmt.Errorf("%w %q: each part must be 1 to 3 digits", ErrSyntax, s)
		}
		n[i], _ = strconv.Atoi(p)
	}
	if len(parts[0]) != 1 || (n[0] != 2 && n[0] != 4 && n[0] != 5) {
		return e, fmt.Errorf("%w %q: the class must be 2, 4 or 5 (RFC 3463)", ErrSyntax, s)
	}
	return Enhanced{n[0], n[1], n[2]}, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Reply is a parsed SMTP reply, possibly taken out of an MTA's wrapping.
type Reply struct {
	// Code is the basic reply code (RFC 5321 §4.2), 0 when the input has none.
	Code int `json:"code,omitempty"`
	// Enhanced is the enhanced status code (RFC 2034 §4, RFC 3463), zero when absent.
	Enhanced Enhanced `json:"-"`
	// Text is the human-readable text: codes removed, continuation lines joined
	// by a single space.
	Text string `json:"text"`
	// Raw is the reply as found (wrapping removed, lines joined by a space).
	Raw string `json:"raw"`
	// Command is the SMTP command the reply answered when a wrapper says so:
	// "CONNECT", "EHLO", "MAIL FROM", "RCPT TO", "DATA".
	Command string `json:"command,omitempty"`
	// Host and IP are the remote server named by the wrapper.
	Host string `json:"host,omitempty"`
	IP   string `json:"ip,omitempty"`
	// Wrapper names the wrapping that was removed: "postfix", "exim", "qmail",
	// "exchange", "sendmail", "dsn" or "".
	Wrapper string `json:"wrapper,omitempty"`
	// quoted is set when the status came from a reply quoted after the
	// bouncing MTA's own status and description (see quotedInnerStatus).
	quoted bool
}

// Quoted reports whether the status came from a reply quoted after the
// bouncing MTA's own status and description ("5.1.0 - Unknown address
// error 550-'5.1.1 … '"); the reasons are then to be read from the quoted
// reply only (WithoutStatusDescriptions).
func (r Reply) Quoted() bool { return r.quoted }

// Wrappers, tried in order. Each yields the inner reply; the patterns follow
// the bounce texts of the MTAs named (Postfix bounce(8) "host … said:", Exim's
// "SMTP error from remote mail server after …", qmail's QSBMF "Remote host
// said:", Exchange's "Remote Server returned '…'" and "<host #x.y.z smtp;…>").
var (
	reEximAfter    = regexp.MustCompile(`(?i)SMTP error from remote (?:mail server|mailer|server)\s+after\s+(initial connection|end of data|pipelined [a-z ]+|[a-z]+(?: from| to)?)(?:\s+command)?(?:\s*:\s*<[^>]*>)?(?:\s+[A-Z]+=\S*)*\s*:\s*(?:host\s+(\S+)\s+\[([^\]]*)\]\s*:\s*)?`)
	reEximHost     = regexp.MustCompile(`(?i)\bhost\s+(\S+)\s+\[([0-9a-f.:]+)\]`)
	reGmailSaid    = regexp.MustCompile(`(?i)the error that the other server returned was:\s*`)
	reQmailSaid    = regexp.MustCompile(`(?i)\bremote host said:\s*`)
	reExchangeSaid = regexp.MustCompile(`(?i)(?:remote server returned|vom remoteserver wurde)\s*'([^']*)'`)
	reExchangeHash = regexp.MustCompile(`#([245]\d\d[ -][^#]*?)\s*##`)
	reExchangeOld  = regexp.MustCompile(`<\s*([^\s<>#]*)\s+#([245]\.\d{1,3}\.\d{1,3})(?:\s+smtp;\s*(.*?))?>(?:\s|$)`)
	reDiagPrefix   = regexp.MustCompile(`(?i)^(?:diagnostic-code:\s*)?(smtp|x-[a-z0-9-]+)\s*;\s*`)
	reSaid         = regexp.MustCompile(`(?i)\bsaid:\s*`)

	reCommand = regexp.MustCompile(`(?i)\b(?:after|in reply to)\s+(initial connection|end of data|data|rcpt to|mail from|rcpt command|mail command|ehlo|helo|starttls|auth)\b`)
)

// ParseReply parses one SMTP reply as a user pastes it: a single line
// ("550 5.7.1 text"), a multi-line reply ("550-5.7.1 …" continuation lines,
// RFC 5321 §4.2.1, with the enhanced code repeated per line, RFC 2034 §4), or
// either of them wrapped by an MTA's bounce text (Postfix, Exim, qmail,
// Exchange, a DSN Diagnostic-Code). A text without any code gives ErrNoCode
// together with a Reply whose Text is set, so that callers can still
// classify it.
func ParseReply(s string) (Reply, error) {
	return ParseReplyHinted(s, HintsUnknown, -1)
}

// ParseReplyHinted is ParseReply with the wrapper hints and the command
// marker already known from a scan of the lower-cased text: cmd is 1 + the
// index of the first CommandMarkers entry present, 0 for none, and < 0 for
// "not known, look it up"; hints HintsUnknown likewise.
func ParseReplyHinted(s string, hints Hints, cmd int) (Reply, error) {
	var r Reply
	if len(s) > MaxReplyLen {
		s = s[:MaxReplyLen]
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return r, ErrEmpty
	}
	s = joinLines(s)
	r.Raw = s
	lp := lowerPool.Get().(*[]byte)
	lb := lowerInto((*lp)[:0], s)
	defer func() { *lp = lb[:0]; lowerPool.Put(lp) }()
	low := bytesToString(lb)
	if hints == HintsUnknown {
		hints = hintsOf(low)
	}
	body := unwrap(s, low, hints, &r)
	if strings.HasPrefix(r.Wrapper, "dsn-") {
		r.Text = body
		return r, ErrNoCode
	}
	// A transcript that starts with a positive reply ("354 End data with …
	// 451 4.3.0 Error …"): the failure that follows is what counts.
	if len(body) > 4 && (body[0] == '2' || body[0] == '3') {
		if _, ok := replyCodeAt(body, 0); ok {
			if i, ok := laterFailure(body[4:]); ok {
				body = strings.TrimSpace(body[4+i:])
			}
		}
	}
	if code, e, end, ok := codeStart(body); ok {
		r.Code, r.Enhanced = code, e
		r.Text = strings.TrimSpace(body[end:])
		if e.IsZero() {
			// qmail and its plug-ins put the status into the text: "(#5.1.1)".
			if i := strings.Index(r.Text, "#"); i >= 0 {
				if he, _, ok := enhancedAt(r.Text, i+1); ok {
					r.Enhanced = he
				}
			}
		}
	} else if e, _, end, ok := findEnhancedAtStart(body); ok {
		r.Enhanced = e
		if ie, quoted := quotedInnerStatus(body, end); quoted {
			r.quoted = true
			if !ie.IsZero() {
				r.Enhanced = ie
			}
		}
		rest := strings.TrimSpace(body[end:])
		// "5.1.0 - Unknown address error 550-'No Such User Here'"
		if c, _, ok := bareCode(rest); ok {
			r.Code = c
		}
		r.Text = rest
	} else if code, e, start, end, ok := codeInside(body); ok {
		r.Code, r.Enhanced = code, e
		r.Text = strings.TrimSpace(body[end:])
		r.Raw = strings.TrimSpace(body[start:])
	} else {
		if c, start, ok := bareCode(body); ok {
			r.Code = c
			r.Text = strings.TrimSpace(body[start+4:])
		} else {
			r.Text = body
		}
		if e, _, end, ok := findEnhanced(r.Text, 0); ok {
			r.Enhanced = e
			if ie, quoted := quotedInnerStatus(r.Text, end); quoted {
				r.quoted = true
				if !ie.IsZero() {
					r.Enhanced = ie
				}
			}
		}
	}
	r.Text = stripRepeatedCodes(r.Text, r.Code, r.Enhanced)
	if r.Command == "" {
		r.Command = commandFromText(s, low, hints, cmd)
	}
	if r.Code == 0 && r.Enhanced.IsZero() {
		return r, ErrNoCode
	}
	return r, nil
}

// joinLines turns a multi-line reply into one line. Continuation lines of a
// multi-line reply ("550-5.7.1 text" … "550 5.7.1 text", RFC 5321 §4.2.1)
// lose their repeated code prefix; wrapped lines are joined with a space.
func joinLines(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	first := true
	code := ""
	enh := ""
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if !first {
			// Drop the repeated "550-5.7.1 " prefix of continuation lines.
			if code != "" && len(line) >= 4 && line[:3] == code && (line[3] == '-' || line[3] == ' ') {
				line = strings.TrimSpace(line[4:])
				if enh != "" && strings.HasPrefix(line, enh) {
					line = strings.TrimSpace(line[len(enh):])
				}
			}
			if line == "" {
				continue
			}
			b.WriteByte(' ')
		} else if c, e, _, ok := codeStart(line); ok {
			code, enh = strconv.Itoa(c), e.String()
			if len(line) > 3 && line[3] == '-' {
				// "550-5.7.1 text": normalise the first line to "550 5.7.1 text".
				line = code + " " + strings.TrimSpace(line[4:])
			}
		}
		first = false
		b.WriteString(line)
	}
	return b.String()
}

// unwrap removes an MTA's wrapping and returns the inner reply; it records
// what the wrapping said about host, IP and command in r.
func unwrap(s, low string, hints Hints, r *Reply) string {
	// Each wrapper is tried only when its literal is in the text (hints):
	// the regexps are the slow part of explaining a line.
	if hints&HintInReplyTo != 0 {
		if cut, cmd, ok := cutInReplyTo(low); ok {
			r.Command = cmd
			s, low = s[:cut], low[:cut]
		}
	}
	said := hints&HintSaid != 0
	if said {
		if host, ip, end, ok := postfixSaid(s, low); ok {
			r.Wrapper = "postfix"
			r.Host, r.IP = host, ip
			return strings.TrimSpace(s[end:])
		}
	}
	if hints&HintExim != 0 {
		if inner, ok := unwrapExim(s, r); ok {
			return inner
		}
	}
	if said {
		if m := reQmailSaid.FindStringIndex(s); m != nil {
			r.Wrapper = "qmail"
			return strings.TrimSpace(s[m[1]:])
		}
	}
	if hints&HintGmail != 0 {
		if m := reGmailSaid.FindStringIndex(s); m != nil {
			return unwrapGmail(s[m[1]:], r)
		}
	}
	if hints&HintExchange != 0 {
		if m := reExchangeSaid.FindStringSubmatch(s); m != nil {
			r.Wrapper = "exchange"
			return strings.TrimSpace(m[1])
		}
	}
	if strings.Contains(s, " #") {
		if inner, ok := unwrapExchangeOld(s, r); ok {
			return inner
		}
	}
	if strings.Contains(s, "##") {
		if m := reExchangeHash.FindStringSubmatch(s); m != nil {
			r.Wrapper = "exchange"
			return strings.TrimSpace(m[1])
		}
	}
	if strings.Contains(s[:min(len(s), 40)], ";") {
		if m := reDiagPrefix.FindStringSubmatchIndex(s); m != nil {
			r.Wrapper = "dsn"
			if m[2] >= 0 && !strings.EqualFold(s[m[2]:m[3]], "smtp") {
				// "X-Unix; 255": an exit status, not a reply code (RFC 3464 §2.3.6).
				r.Wrapper = "dsn-" + strings.ToLower(s[m[2]:m[3]])
			}
			return strings.TrimSpace(s[m[1]:])
		}
	}
	if said && !hasCodeStart(s) {
		if m := reSaid.FindStringIndex(s); m != nil {
			if rest := strings.TrimSpace(s[m[1]:]); hasCodeStart(rest) {
				r.Wrapper = "sendmail"
				return rest
			}
		}
	}
	return strings.TrimLeft(s, ": ")
}

// unwrapExim handles Exim's "SMTP error from remote mail server after RCPT
// TO:<x>: host mx.example [192.0.2.1]: 550 …".
func unwrapExim(s string, r *Reply) (string, bool) {
	m := reEximAfter.FindStringSubmatchIndex(s)
	if m == nil {
		return "", false
	}
	r.Wrapper = "exim"
	r.Command = NormCommand(s[m[2]:m[3]])
	if m[4] >= 0 {
		r.Host, r.IP = s[m[4]:m[5]], s[m[6]:m[7]]
	} else if h := reEximHost.FindStringSubmatch(s[:m[0]]); h != nil {
		r.Host, r.IP = h[1], h[2]
	}
	return strings.TrimSpace(s[m[1]:]), true
}

// unwrapGmail handles Gmail's "The error that the other server returned
// was: 550 550 5.1.1 … (state 14)", where the code is repeated once.
func unwrapGmail(inner string, r *Reply) string {
	r.Wrapper = "gmail"
	inner = strings.TrimSpace(inner)
	if len(inner) >= 8 && inner[:3] == inner[4:7] && inner[3] == ' ' {
		inner = inner[4:]
	}
	if i := strings.LastIndex(inner, " (state "); i > 0 {
		inner = inner[:i]
	}
	return inner
}

// unwrapExchangeOld handles Exchange 2003/2007 NDRs: "<mx.example #5.1.1
// smtp;550 5.1.1 User unknown>".
func unwrapExchangeOld(s string, r *Reply) (string, bool) {
	m := reExchangeOld.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	r.Wrapper = "exchange"
	r.Host = m[1]
	if inner := strings.TrimSpace(m[3]); inner != "" {
		if _, e, _, ok := codeStart(inner); ok && e.IsZero() {
			// "smtp;550 User unknown" with the status only in "#5.1.1"
			return inner[:3] + " " + m[2] + " " + strings.TrimSpace(inner[3:]), true
		}
		return inner, true
	}
	return m[2] + " " + strings.TrimSpace(strings.Replace(s, m[0], "", 1)), true
}

// NormCommand names an SMTP command the way explanations do: "CONNECT",
// "EHLO", "MAIL FROM", "RCPT TO", "DATA" (Exim's "end of data", "pipelined
// mail from" and the like mapped onto these).
func NormCommand(c string) string {
	c = strings.ToUpper(strings.Join(strings.Fields(c), " "))
	switch {
	case c == "INITIAL CONNECTION" || c == "CONNECT":
		return "CONNECT"
	case c == "END OF DATA" || c == "DATA" || strings.HasSuffix(c, "DATA"):
		return "DATA"
	case c == "RCPT" || strings.HasPrefix(c, "RCPT"):
		return "RCPT TO"
	case c == "MAIL" || strings.HasPrefix(c, "MAIL"):
		return "MAIL FROM"
	case strings.HasPrefix(c, "PIPELINED"):
		return strings.TrimSpace(strings.TrimPrefix(c, "PIPELINED"))
	}
	return c
}

// stripRepeatedCodes removes codes repeated inside the text of a joined
// multi-line reply ("… 550-5.7.1 more text" → "… more text").
func stripRepeatedCodes(t string, code int, e Enhanced) string {
	if code == 0 || !strings.Contains(t, strconv.Itoa(code)) {
		return t
	}
	c := strconv.Itoa(code)
	es := e.String()
	for _, sep := range []string{"-", " "} {
		if es != "" {
			t = strings.ReplaceAll(t, " "+c+sep+es+" ", " ")
		}
	}
	return t
}

// findEnhancedAtStart parses "#?5.1.0" at the start of s: ^#?([245]\.\d{1,3}\.\d{1,3})\b
func findEnhancedAtStart(s string) (Enhanced, int, int, bool) {
	i := 0
	if len(s) > 0 && s[0] == '#' {
		i = 1
	}
	e, end, ok := enhancedAt(s, i)
	return e, i, end, ok
}

func hasCodeStart(s string) bool { _, _, _, ok := codeStart(s); return ok }

// cutInReplyTo finds Postfix's closing "(in reply to RCPT TO command)" (the
// bounce(8) wording) at the end of the lower-cased text and returns where to
// cut and the command.
func cutInReplyTo(low string) (int, string, bool) {
	i := strings.LastIndex(low, "(in reply to ")
	if i < 0 {
		return 0, "", false
	}
	rest := low[i+len("(in reply to "):]
	j := strings.IndexByte(rest, ')')
	if j < 0 || strings.TrimSpace(rest[j+1:]) != "" {
		return 0, "", false
	}
	cmd := strings.TrimSpace(rest[:j])
	cmd = strings.TrimSpace(strings.TrimSuffix(cmd, "command"))
	for k := 0; k < len(cmd); k++ {
		if c := cmd[k]; (c < 'a' || c > 'z') && c != ' ' {
			return 0, "", false
		}
	}
	if cmd == "" {
		return 0, "", false
	}
	return len(strings.TrimRight(low[:i], " \t")), strings.Clone(NormCommand(cmd)), true
}

// postfixSaid finds Postfix's "host mx.example[192.0.2.1] said: " and
// returns host, IP and the index after the wrapper.
func postfixSaid(s, low string) (host, ip string, end int, ok bool) {
	from := 0
	for {
		k := strings.Index(low[from:], "said:")
		if k < 0 {
			return "", "", 0, false
		}
		k += from
		from = k + 5
		pre := strings.TrimRight(s[:k], " \t")
		if !strings.HasSuffix(pre, "]") {
			continue
		}
		h := strings.LastIndex(low[:len(pre)], "host ")
		if h < 0 || (h > 0 && isWordByte(low[h-1])) {
			continue
		}
		cand := strings.TrimLeft(pre[h+5:], " \t")
		b := strings.IndexByte(cand, '[')
		if b <= 0 || strings.ContainsAny(cand[:b], " \t") || strings.IndexByte(cand[b+1:len(cand)-1], ']') >= 0 {
			continue
		}
		end = from
		for end < len(s) && (s[end] == ' ' || s[end] == '\t') {
			end++
		}
		return cand[:b], cand[b+1 : len(cand)-1], end, true
	}
}

// lowerInto appends s with ASCII letters lower-cased (same length).
var lowerPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// bytesToString views b as a string without copying; the result must not
// outlive b's next modification.
func bytesToString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func lowerInto(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// quotedInnerStatus handles bounces that give their own status first and
// quote the remote server's reply after it: "5.1.0 - Unknown address error
// 550-'5.7.1 <x>... Access denied'" or "5.3.0 - Other mail system problem
// 550-'SPF check failed …'". The outer code is the bouncing MTA's summary
// (often a generic x.1.0 or x.3.0); the quoted reply's own enhanced code,
// when it has one, says what the receiver meant. end is the index after the
// outer code. It reports whether s has this form and the quoted reply's
// enhanced code (zero if it has none).
func quotedInnerStatus(s string, end int) (Enhanced, bool) {
	q, ok := statusDescription(s, end)
	if !ok {
		return Enhanced{}, false
	}
	k := q + 1
	if _, ok := replyCodeAt(s, k); ok && k+3 < len(s) {
		k += 4
	}
	if k < len(s) && s[k] == '#' {
		k++
	}
	e, _, _ := enhancedAt(s, k)
	return e, true
}

// statusDescription finds " - Description '" after an enhanced code ending
// at end and returns the index of the opening quote.
func statusDescription(s string, end int) (int, bool) {
	i := end
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i+1 >= len(s) || s[i] != '-' || s[i+1] != ' ' {
		return 0, false
	}
	// The description: words up to the opening quote, within a short window.
	limit := min(len(s), i+100)
	q := -1
	for j := i + 2; j < limit; j++ {
		c := s[j]
		if c == '\'' || c == '"' {
			q = j
			break
		}
		if !(c == ' ' || c == '-' || c == '.' || isWordByte(c)) {
			return 0, false
		}
	}
	return q, q >= 0
}

// WithoutStatusDescriptions removes the bouncing MTA's descriptions
// ("- Unknown address error", "- Other mail system problem") that stand
// between its own status and a quoted reply, so that only the quoted reply
// is read for the reason.
func WithoutStatusDescriptions(s string) string {
	var b strings.Builder
	from := 0
	for {
		_, _, end, ok := findEnhanced(s, from)
		if !ok {
			break
		}
		q, ok := statusDescription(s, end)
		if !ok {
			b.WriteString(s[from:end])
			from = end
			continue
		}
		b.WriteString(s[from:end])
		b.WriteByte(' ')
		from = q
	}
	if from == 0 {
		return s
	}
	b.WriteString(s[from:])
	return b.String()
}
