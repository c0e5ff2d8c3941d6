package statuscode

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
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
}

// Wrappers, tried in order. Each yields the inner reply; the patterns follow
// the bounce texts of the MTAs named (Postfix bounce(8) "host … said:", Exim's
// "SMTP error from remote mail server after …", qmail's QSBMF "Remote host
// said:", Exchange's "Remote Server returned '…'" and "<host #x.y.z smtp;…>").
var (
	rePostfixSaid  = regexp.MustCompile(`(?i)\bhost\s+(\S+?)\[([^\]]*)\]\s+said:\s*`)
	reInReplyTo    = regexp.MustCompile(`(?i)\s*\(in reply to ([a-z ]+?)(?: command)?\)\s*$`)
	reEximAfter    = regexp.MustCompile(`(?i)SMTP error from remote (?:mail server|mailer)\s+after\s+(initial connection|end of data|pipelined [a-z ]+|[a-z]+(?: from| to)?)(?:\s*:\s*<[^>]*>)?(?:\s+[A-Z]+=\S*)*\s*:\s*(?:host\s+(\S+)\s+\[([^\]]*)\]\s*:\s*)?`)
	reEximHost     = regexp.MustCompile(`(?i)\bhost\s+(\S+)\s+\[([0-9a-f.:]+)\]`)
	reGmailSaid    = regexp.MustCompile(`(?i)the error that the other server returned was:\s*`)
	reQmailSaid    = regexp.MustCompile(`(?i)\bremote host said:\s*`)
	reExchangeSaid = regexp.MustCompile(`(?i)(?:remote server returned|vom remoteserver wurde)\s*'([^']*)'`)
	reExchangeHash = regexp.MustCompile(`#([245]\d\d[ -][^#]*?)\s*##`)
	reExchangeOld  = regexp.MustCompile(`<\s*([^\s<>#]*)\s+#([245]\.\d{1,3}\.\d{1,3})(?:\s+smtp;\s*(.*?))?>(?:\s|$)`)
	reDiagPrefix   = regexp.MustCompile(`(?i)^(?:diagnostic-code:\s*)?(smtp|x-[a-z0-9-]+)\s*;\s*`)
	reSaid         = regexp.MustCompile(`(?i)\bsaid:\s*`)

	// reCodeStart matches a reply at the start: code, separator, optional enhanced code.
	reCodeStart = regexp.MustCompile(`^([2-5]\d\d)(?:[- ]|$)\s*(?:#?([245]\.\d{1,3}\.\d{1,3})\b)?`)
	// reCodeInside finds "550 5.1.1" or "550-5.1.1" anywhere.
	reCodeInside = regexp.MustCompile(`\b([2-5]\d\d)[ -]#?([245]\.\d{1,3}\.\d{1,3})\b`)
	// reBareCode finds a reply code followed by a space and text anywhere.
	reBareCode = regexp.MustCompile(`(?:^|[\s:'"(\[])([2-5][0-5]\d)[ -][A-Za-z<'"#(\[]`)
	// reEnhancedStart matches text starting with an enhanced code.
	reEnhancedStart = regexp.MustCompile(`^#?([245]\.\d{1,3}\.\d{1,3})\b`)
	reLaterFailure  = regexp.MustCompile(`\b[45]\d\d[ -]`)
	reCommand       = regexp.MustCompile(`(?i)\b(?:after|in reply to)\s+(initial connection|end of data|data|rcpt to|mail from|ehlo|helo|starttls|auth)\b`)
)

// ParseReply parses one SMTP reply as a user pastes it: a single line
// ("550 5.7.1 text"), a multi-line reply ("550-5.7.1 …" continuation lines,
// RFC 5321 §4.2.1, with the enhanced code repeated per line, RFC 2034 §4), or
// either of them wrapped by an MTA's bounce text (Postfix, Exim, qmail,
// Exchange, a DSN Diagnostic-Code). A text without any code gives ErrNoCode
// together with a Reply whose Text is set, so that callers can still
// classify it.
func ParseReply(s string) (Reply, error) {
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
	body := unwrap(s, &r)
	if strings.HasPrefix(r.Wrapper, "dsn-") {
		r.Text = body
		return r, ErrNoCode
	}
	// A transcript that starts with a positive reply ("354 End data with …
	// 451 4.3.0 Error …"): the failure that follows is what counts.
	if len(body) > 4 && (body[0] == '2' || body[0] == '3') && reCodeStart.MatchString(body) {
		if m := reLaterFailure.FindStringIndex(body[4:]); m != nil {
			body = strings.TrimSpace(body[4+m[0]:])
		}
	}
	if m := reCodeStart.FindStringSubmatchIndex(body); m != nil {
		r.Code, _ = strconv.Atoi(body[m[2]:m[3]])
		if m[4] >= 0 {
			r.Enhanced, _ = ParseEnhanced(body[m[4]:m[5]])
		}
		r.Text = strings.TrimSpace(body[m[1]:])
	} else if m := reEnhancedStart.FindStringSubmatchIndex(body); m != nil {
		r.Enhanced, _ = ParseEnhanced(body[m[2]:m[3]])
		rest := strings.TrimSpace(body[m[1]:])
		// "5.1.0 - Unknown address error 550-'No Such User Here'"
		if c := reBareCode.FindStringSubmatch(rest); c != nil {
			r.Code, _ = strconv.Atoi(c[1])
		}
		r.Text = rest
	} else if m := reCodeInside.FindStringSubmatchIndex(body); m != nil {
		r.Code, _ = strconv.Atoi(body[m[2]:m[3]])
		r.Enhanced, _ = ParseEnhanced(body[m[4]:m[5]])
		r.Text = strings.TrimSpace(body[m[1]:])
		r.Raw = strings.TrimSpace(body[m[2]:])
	} else {
		if m := reBareCode.FindStringSubmatchIndex(body); m != nil {
			r.Code, _ = strconv.Atoi(body[m[2]:m[3]])
			r.Text = strings.TrimSpace(body[m[3]+1:])
		} else {
			r.Text = body
		}
		if m := reEnhancedAny.FindStringIndex(r.Text); m != nil {
			r.Enhanced, _ = ParseEnhanced(r.Text[m[0]:m[1]])
		}
	}
	r.Text = stripRepeatedCodes(r.Text, r.Code, r.Enhanced)
	if r.Command == "" {
		r.Command = commandFromText(s)
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
		} else if m := reCodeStart.FindStringSubmatch(line); m != nil {
			code, enh = m[1], m[2]
			if line[3] == '-' {
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
func unwrap(s string, r *Reply) string {
	if m := reInReplyTo.FindStringSubmatchIndex(s); m != nil {
		r.Command = normCommand(s[m[2]:m[3]])
		s = s[:m[0]]
	}
	if m := rePostfixSaid.FindStringSubmatchIndex(s); m != nil {
		r.Wrapper = "postfix"
		r.Host, r.IP = s[m[2]:m[3]], s[m[4]:m[5]]
		return strings.TrimSpace(s[m[1]:])
	}
	if m := reEximAfter.FindStringSubmatchIndex(s); m != nil {
		r.Wrapper = "exim"
		r.Command = normCommand(s[m[2]:m[3]])
		if m[4] >= 0 {
			r.Host, r.IP = s[m[4]:m[5]], s[m[6]:m[7]]
		} else if h := reEximHost.FindStringSubmatch(s[:m[0]]); h != nil {
			r.Host, r.IP = h[1], h[2]
		}
		return strings.TrimSpace(s[m[1]:])
	}
	if m := reQmailSaid.FindStringIndex(s); m != nil {
		r.Wrapper = "qmail"
		return strings.TrimSpace(s[m[1]:])
	}
	if m := reGmailSaid.FindStringIndex(s); m != nil {
		// Gmail's bounce: "The error that the other server returned was:
		// 550 550 5.1.1 … (state 14)" — the code is repeated once.
		r.Wrapper = "gmail"
		inner := strings.TrimSpace(s[m[1]:])
		if len(inner) >= 8 && inner[:3] == inner[4:7] && inner[3] == ' ' {
			inner = inner[4:]
		}
		if i := strings.LastIndex(inner, " (state "); i > 0 {
			inner = inner[:i]
		}
		return inner
	}
	if m := reExchangeSaid.FindStringSubmatch(s); m != nil {
		r.Wrapper = "exchange"
		return strings.TrimSpace(m[1])
	}
	if m := reExchangeOld.FindStringSubmatch(s); m != nil {
		r.Wrapper = "exchange"
		r.Host = m[1]
		if strings.TrimSpace(m[3]) != "" {
			inner := strings.TrimSpace(m[3])
			if reCodeStart.MatchString(inner) && !reCodeInside.MatchString(inner) {
				// "smtp;550 User unknown" with the status only in "#5.1.1"
				return inner[:3] + " " + m[2] + " " + strings.TrimSpace(inner[3:])
			}
			return inner
		}
		return m[2] + " " + strings.TrimSpace(strings.Replace(s, m[0], "", 1))
	}
	if m := reExchangeHash.FindStringSubmatch(s); m != nil {
		r.Wrapper = "exchange"
		return strings.TrimSpace(m[1])
	}
	if m := reDiagPrefix.FindStringSubmatchIndex(s); m != nil {
		r.Wrapper = "dsn"
		if m[2] >= 0 && !strings.EqualFold(s[m[2]:m[3]], "smtp") {
			// "X-Unix; 255": an exit status, not a reply code (RFC 3464 §2.3.6).
			r.Wrapper = "dsn-" + strings.ToLower(s[m[2]:m[3]])
		}
		return strings.TrimSpace(s[m[1]:])
	}
	if m := reSaid.FindStringIndex(s); m != nil && !reCodeStart.MatchString(s) {
		rest := strings.TrimSpace(s[m[1]:])
		if reCodeStart.MatchString(rest) {
			r.Wrapper = "sendmail"
			return rest
		}
	}
	s = strings.TrimLeft(s, ": ")
	return s
}

func normCommand(c string) string {
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

// commandMarkers name the SMTP command in the phrasing of various MTAs'
// bounces: Exim/Postfix ("after RCPT TO", "in reply to end of DATA"),
// DragonFly ("did not like our RCPT TO"), sendmail transcripts (">>> RCPT
// To:"), qmail ("does not like recipient", "sender was rejected", "my name
// was rejected", "failed after I sent the message") and qmail-ldap ("[RCPT_TO]").
var commandMarkers = []struct{ marker, cmd string }{
	{"did not like our rcpt", "RCPT TO"},
	{"did not like our final data", "DATA"},
	{"did not like our data", "DATA"},
	{"did not like our mail", "MAIL FROM"},
	{"does not like recipient", "RCPT TO"},
	{"sender was rejected", "MAIL FROM"},
	{"my name was rejected", "EHLO"},
	{"failed after i sent the message", "DATA"},
	{"[rcpt_to]", "RCPT TO"},
	{"[mail_from]", "MAIL FROM"},
	{">>> rcpt", "RCPT TO"},
	{">>> mail", "MAIL FROM"},
	{">>> data", "DATA"},
	{"error following rcpt", "RCPT TO"},
	{"refused to talk to me", "CONNECT"},
}

func commandFromText(s string) string {
	if m := reCommand.FindStringSubmatch(s); m != nil {
		return normCommand(m[1])
	}
	if len(s) > 4096 {
		s = s[:4096]
	}
	l := strings.ToLower(s)
	for _, cm := range commandMarkers {
		if strings.Contains(l, cm.marker) {
			return cm.cmd
		}
	}
	return ""
}
