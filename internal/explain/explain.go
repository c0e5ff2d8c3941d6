// Package explain explains SMTP replies: it classifies a reply into a
// bounce reason in sisimai's vocabulary and says who must act and what to
// do, from the codes (package statuscode holds their catalog), the reply
// text and provider knowledge (package provider). Explanations are
// language-neutral: every text is an i18n.Text pair, chosen at output time
// (Localize, AppendJSON).
package explain

import (
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/provider"
	"github.com/mxprobe/mxprobe/internal/statuscode"
)

// Options control an explanation.
type Options struct {
	// MXHost is the host that gave the reply, when known (mxprobe explain --mx,
	// the check command). It identifies the provider.
	MXHost string
	// Command is the SMTP command the reply answered, when the caller knows
	// it ("CONNECT", "EHLO", "MAIL FROM", "RCPT TO", "DATA"); a command named
	// in the reply's wrapping takes its place otherwise.
	Command string
	// Status is an enhanced status code reported next to the reply, such as
	// a DSN's Status field (RFC 3464 §2.3.4). It is used when the reply
	// itself carries no enhanced code.
	Status string
	// Action is a DSN's Action field (RFC 3464 §2.3.3: failed, delayed,
	// delivered, relayed, expanded), when the reply came from one.
	Action string
}

// Explanation is the result for one reply, in no particular language: keys
// and result words are English identifiers, prose is an i18n.Text pair.
// Localize and AppendJSON render it. Explanations share read-only parts
// (catalog entries, advice, guidance): do not modify what the pointers and
// slices refer to.
type Explanation struct {
	Input        string
	Reply        string
	ReplyCode    *int
	EnhancedCode *string
	// Class is success, transient or permanent (RFC 3463 §3.1).
	Class      string
	ClassTitle i18n.Text
	Subject    *SubjectInfo
	Detail     *DetailInfo
	// Registered tells whether the enhanced code is in the IANA registry.
	Registered bool
	Basic      *BasicInfo
	// Reference names the RFC(s) that define the code.
	Reference string
	// Bounce is none (2xx/3xx), soft (4xx), hard (5xx) or unknown (no code, no hint).
	Bounce string
	Reason Reason
	// ReasonSource says what decided the reason: provider, text, code, context, class or none.
	ReasonSource string
	// ReasonWeak: only a weak hint decided the reason (a vague phrase such
	// as "service unavailable", or a generic code); a caller with more
	// context (a bounce's own words) may prefer that. Not in the JSON.
	ReasonWeak    bool
	Provider      *ProviderInfo
	Consistent    bool
	Inconsistency i18n.Text
	Responsible   string
	Actionable    Actionable
	Title         i18n.Text
	Description   i18n.Text
	Advice        []i18n.Text
	Command       string
	RemoteHost    string
	RemoteIP      string
	// Rules are the published sender rules the reply names (rules.ForReply).
	Rules []RuleRef
}

// SubjectInfo is the subject sub-code (RFC 3463 §3.2).
type SubjectInfo struct {
	Number      int
	Title       i18n.Text
	Description i18n.Text
}

// DetailInfo is the enumerated code's registry entry, or a note that it is not registered.
type DetailInfo struct {
	Title       i18n.Text
	Description i18n.Text
}

// BasicInfo describes the basic reply code (RFC 5321 §4.2).
type BasicInfo struct {
	Code        int
	Title       i18n.Text
	Description i18n.Text
	Reference   string
}

// ProviderInfo is the recognised operator and, if one matched, its rule.
type ProviderInfo struct {
	Name     string
	Kind     string
	Display  string
	Evidence string
	Rule     string
	Meaning  i18n.Text
	Tags     []string
	Guidance []provider.Guidance
}

// Actionable estimates whether the sender can fix the problem alone.
type Actionable struct {
	Level string // high, medium, low, none
	By    string // list_hygiene, sender_config, message_change, sending_rate, receiver_contact, recipient_action, retry, none
	Text  i18n.Text
}

// Explain explains a reply as a user pastes it: a basic code ("550"), an
// enhanced code ("5.7.1"), a whole reply, a multi-line reply or a reply
// wrapped by an MTA's bounce text. It never fails: input without any code is
// classified from its text alone.
func Explain(reply string, opt Options) Explanation {
	in := strings.TrimSpace(reply)
	if len(in) > statuscode.MaxReplyLen {
		in = in[:statuscode.MaxReplyLen]
	}
	var f features
	if r, ok := statuscode.ParseBare(in); ok {
		return build(in, r, false, &f, opt)
	}
	bp := normPool.Get().(*[]byte)
	lower := dropRepeatedCodes(normalizeInto(*bp, in))
	scanFeatures(bytesToString(lower), &f)
	r, _ := statuscode.ParseReplyHinted(in, f.hints, f.cmd)
	if r.Quoted() {
		// Read the reasons from the quoted reply, not from the bouncing
		// MTA's description of its own status.
		hints, cmd, rcpt := f.hints, f.cmd, f.rcptEvidence
		f = features{}
		lower = normalizeInto(lower, statuscode.WithoutStatusDescriptions(in))
		scanFeatures(bytesToString(lower), &f)
		f.hints, f.cmd, f.rcptEvidence = hints, cmd, rcpt
	}
	f.norm = bytesToString(lower)
	x := build(in, r, true, &f, opt)
	*bp = lower[:0]
	normPool.Put(bp)
	return x
}

// ExplainReply explains a reply whose parts are already separated, as
// go-smtp's *smtp.SMTPError gives them: code 0 and enhanced "" mean absent.
func ExplainReply(code int, enhanced string, text string, opt Options) Explanation {
	r := statuscode.Reply{Code: code, Text: strings.TrimSpace(text)}
	if e, err := statuscode.ParseEnhanced(enhanced); err == nil {
		r.Enhanced = e
	}
	var b strings.Builder
	if code != 0 {
		b.WriteString(strconv.Itoa(code))
		b.WriteByte(' ')
	}
	if !r.Enhanced.IsZero() {
		b.WriteString(r.Enhanced.String())
		b.WriteByte(' ')
	}
	b.WriteString(r.Text)
	in := strings.TrimSpace(b.String())
	r.Raw = in
	var f features
	if r.Text != "" {
		bp := normPool.Get().(*[]byte)
		lower := normalizeInto(*bp, in)
		scanFeatures(bytesToString(lower), &f)
		if inner, _ := statuscode.ParseReplyHinted(in, f.hints, f.cmd); inner.Command != "" || inner.Host != "" {
			r.Command, r.Host, r.IP = inner.Command, inner.Host, inner.IP
		}
		f.norm = bytesToString(lower)
		x := build(in, r, true, &f, opt)
		*bp = lower[:0]
		normPool.Put(bp)
		return x
	}
	return build(in, r, false, &f, opt)
}

var normPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// normalizeInto lower-cases ASCII letters and the German umlauts and
// collapses white space, with a
// leading and trailing space so phrases can anchor on word starts.
func normalizeInto(dst []byte, s string) []byte {
	dst = append(dst[:0], ' ')
	space := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			if !space {
				dst = append(dst, ' ')
				space = true
			}
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c == 0xC3 && i+1 < len(s) && (s[i+1] == 0x84 || s[i+1] == 0x96 || s[i+1] == 0x9C):
			// Ä, Ö, Ü (UTF-8 C3 84/96/9C) → ä, ö, ü (C3 A4/B6/BC): German
			// replies in capitals match the lower-case phrases too.
			dst = append(dst, c, s[i+1]+0x20)
			i++
			space = false
			continue
		}
		dst = append(dst, c)
		space = false
	}
	if !space {
		dst = append(dst, ' ')
	}
	return dst
}

// dropRepeatedCodes removes, from normalised text, the reply code that
// starts the continuation lines of a multi-line reply (RFC 5321 §4.2.1)
// when an MTA joined them into one line: Postfix writes Gmail's
// "550-5.7.1 … Messages with multiple\n550 5.7.1 addresses in From: …" as
// "… with multiple 550 5.7.1 addresses …", which breaks the phrase. Only
// the first reply's own code followed by "-" or by an enhanced code counts;
// other numbers stay.
func dropRepeatedCodes(b []byte) []byte {
	i := 0
	for i < len(b) && (b[i] < '2' || b[i] > '5') {
		if b[i] != ' ' && b[i] != '#' {
			return b // the text does not start with a reply code
		}
		i++
	}
	if i+4 > len(b) || !isDigit(b[i+1]) || !isDigit(b[i+2]) || b[i+3] != ' ' && b[i+3] != '-' {
		return b
	}
	code := [3]byte{b[i], b[i+1], b[i+2]}
	out := b[:i+4]
	for j := i + 4; j < len(b); {
		if b[j-1] == ' ' && j+4 <= len(b) && b[j] == code[0] && b[j+1] == code[1] && b[j+2] == code[2] &&
			(b[j+3] == '-' || b[j+3] == ' ' && enhancedAt(b[j+4:])) {
			j += 4
			if enhancedAt(b[j:]) {
				for b[j] != ' ' {
					j++
				}
				j++
			}
			continue
		}
		out = append(out, b[j])
		j++
	}
	return out
}

// enhancedAt tells whether b starts with an enhanced status code and a space.
func enhancedAt(b []byte) bool {
	n, dots := 0, 0
	for n < len(b) && n < 9 && (isDigit(b[n]) || b[n] == '.') {
		if b[n] == '.' {
			dots++
		}
		n++
	}
	return dots == 2 && n >= 5 && n < len(b) && b[n] == ' ' && (b[0] == '2' || b[0] == '4' || b[0] == '5')
}

// bytesToString views b as a string without copying; the result must not
// outlive b's next modification.
func bytesToString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
func pr2kind(pr *providerRule) string {
	if pr.Kind != "" {
		return pr.Kind
	}
	if strings.HasPrefix(pr.ID, "microsoft.S31") || strings.HasPrefix(pr.ID, "microsoft.SC-") ||
		strings.HasPrefix(pr.ID, "microsoft.DY-") || strings.HasPrefix(pr.ID, "microsoft.OU-") ||
		strings.HasPrefix(pr.ID, "microsoft.RP-") || pr.ID == "microsoft.5.7.515" || pr.ID == "microsoft.4.7.650" {
		return provider.KindConsumer
	}
	if strings.HasPrefix(pr.ID, "microsoft.5.7.606") || pr.ID == "microsoft.queued" || pr.ID == "microsoft.5.4.1-dbeb" {
		return provider.KindTenant
	}
	return ""
}

func ruleCodeMatch(pr *providerRule, code int, e statuscode.Enhanced) bool {
	if pr.Basic != 0 && pr.Basic != code {
		return false
	}
	if pr.Subject < 0 {
		return true
	}
	if e.IsZero() {
		return false
	}
	if pr.Class != 0 && pr.Class != e.Class {
		return false
	}
	return e.Subject == pr.Subject && e.Detail >= pr.DetailLo && e.Detail <= pr.DetailHi
}

func ruleTextMatch(i int, present *[maxRuleNeedles]bool) bool {
	if len(providerRules[i].Text) == 0 {
		return true
	}
	if ruleNeedles == nil {
		// Nothing was scanned (a bare code): no text can match.
		return false
	}
	for _, n := range ruleNeedles[i] {
		if !present[n] {
			return false
		}
	}
	return true
}

// enhancedReason maps the enhanced code to a reason and says whether that
// reason is only generic.
func enhancedReason(e statuscode.Enhanced) (Reason, bool) {
	if e.IsZero() || e.Class == 2 {
		return "", false
	}
	key := e.Subject*1000 + e.Detail
	if e.Class == 4 {
		if r, ok := transientCodeReasons[key]; ok {
			return r, genericCodes[key]
		}
	}
	if e.Class == 5 && (key == 4001 || key == 4002) {
		// "No answer from host" and "bad connection" as a permanent reply from
		// a host that did answer say nothing reliable (Exchange uses 5.4.1 for
		// rejected recipients).
		return "", true
	}
	if r, ok := codeReasons[key]; ok {
		return r, genericCodes[key]
	}
	return "", genericCodes[key]
}

// reasonSubjects lists the subjects whose codes fit a reason. RFC 3463 §3
// assigns addressing, mailbox, system, network, protocol, content and policy
// problems to subjects 1–7.
var reasonSubjects = map[Reason][]int{
	UserUnknown: {1, 2}, HostUnknown: {1, 4}, HasMoved: {1, 7}, MailboxFull: {2}, Suspend: {2, 7},
	ExceedLimit: {2, 3}, MesgTooBig: {2, 3, 7}, Filtered: {1, 2, 7}, Rejected: {1, 7}, NoRelaying: {1, 4, 7},
	AuthFailure: {7}, RequirePTR: {7}, Blocked: {3, 7}, BadReputation: {7}, SpamDetected: {6, 7},
	VirusDetected: {6, 7}, PolicyViolation: {6, 7}, SecurityError: {7}, FailedSTARTTLS: {7},
	RateLimited: {2, 3, 4, 5, 7}, Speeding: {2, 7}, TooManyConn: {3, 4, 5, 7}, ContentError: {6},
	NotCompliantRFC: {6, 7}, SystemError: {3, 4, 5}, SystemFull: {3, 4}, NotAccept: {1, 3, 7},
	NetworkError: {4}, Expired: {4}, MailerError: {3}, SyntaxError: {5},
}

// consistency compares code and text. RFC 3463 §2: the class of the enhanced
// code must agree with the reply code's first digit (RFC 2034 §4: the status
// code accompanies the reply and refines it). The text disagrees with the
// code when it names a specific reason the code's subject does not cover; a
// bare x.0.0 says nothing, so a specific text is then decisive, too.
func consistency(r statuscode.Reply, e statuscode.Enhanced, strong Reason, prule *providerRule) (bool, i18n.Text) {
	if r.Code != 0 && !e.IsZero() && r.Code/100 != e.Class {
		return false, i18n.T(
			"The reply code "+strconv.Itoa(r.Code)+" and the enhanced code "+e.String()+" disagree on whether the failure is permanent or transient; RFC 3463 requires the same class. Clients act on the reply code.",
			"Der Antwortcode "+strconv.Itoa(r.Code)+" und der erweiterte Code "+e.String()+" widersprechen sich, ob der Fehler dauerhaft oder vorübergehend ist; RFC 3463 verlangt dieselbe Klasse. Clients richten sich nach dem Antwortcode.")
	}
	if prule != nil || strong == "" || e.IsZero() || e.Class == 2 {
		return true, i18n.Text{}
	}
	switch strong {
	case OnHold, Vacation, Accepted, Delivered, Undefined, Greylisted:
		return true, i18n.Text{}
	}
	if e.Subject == 0 && e.Detail == 0 {
		return false, i18n.T(
			"The code "+e.String()+" only says \"other or undefined\", but the text is specific: "+reasonDefs[strong].Title.EN+". The text is decisive.",
			"Der Code "+e.String()+" sagt nur „sonstiger oder undefinierter Status“, der Text ist aber genau: "+reasonDefs[strong].Title.DE+". Der Text ist maßgeblich.")
	}
	for _, s := range reasonSubjects[strong] {
		if s == e.Subject {
			return true, i18n.Text{}
		}
	}
	if e.Subject == 0 {
		return true, i18n.Text{}
	}
	subj := "X." + strconv.Itoa(e.Subject) + ".YYY"
	var subjEN, subjDE string
	if se, ok := statuscode.SubjectEntry(e.Subject); ok {
		subjEN, subjDE = se.Title.EN, se.Title.DE
	}
	return false, i18n.T(
		"The code "+e.String()+" belongs to \""+subjEN+"\" ("+subj+"), but the text says: "+reasonDefs[strong].Title.EN+". The text is decisive.",
		"Der Code "+e.String()+" gehört zu „"+subjDE+"“ ("+subj+"), der Text sagt aber: "+reasonDefs[strong].Title.DE+". Der Text ist maßgeblich.")
}

var (
	msgUnregSubject     = i18n.T("Unregistered subject", "Nicht registrierter Themenbereich")
	msgUnregSubjectDesc = i18n.T("This subject number is not in the IANA registry (only 0 to 7 are defined); only the class carries meaning.", "Diese Themennummer steht nicht im IANA-Register (definiert sind nur 0 bis 7); Bedeutung trägt nur die Klasse.")
	msgUnregDetail      = i18n.T("Detail code not in the IANA registry", "Detail-Code nicht im IANA-Register")
	msgUnregDetailDesc  = i18n.T("This code is syntactically valid (RFC 3463) but not registered. Its meaning follows from the class and subject, and from the provider that uses it, if known.", "Dieser Code ist syntaktisch gültig (RFC 3463), aber nicht registriert. Seine Bedeutung ergibt sich aus Klasse und Themenbereich sowie, falls bekannt, aus dem Anbieter, der ihn verwendet.")
	msgUnlistedBasic    = i18n.T("Reply code not listed in RFC 5321", "In RFC 5321 nicht aufgeführter Antwortcode")
	msgSoft             = i18n.T("This is a temporary failure (soft bounce): your server keeps retrying on its own; act only if it persists or the message finally bounces.", "Dies ist eine Zurückstellung (ein vorübergehender Fehler): Ihr Server versucht es selbstständig weiter; handeln Sie nur, wenn es anhält oder die Nachricht endgültig zurückkommt.")
	msgASTags           = i18n.T("The AS(…) tag is Microsoft's internal anti-spam rule number (not an autonomous system); quote it in support requests.", "Die Kennung AS(…) ist Microsofts interne Anti-Spam-Regelnummer (kein autonomes System); nennen Sie sie in Supportanfragen.")
)

// asTags finds Microsoft's anti-spam rule tags: AS(1234), AS12345678.
func asTags(s string) []string {
	var tags []string
	for i := 0; i+4 < len(s) && len(tags) < 4; i++ {
		if s[i] != 'A' || s[i+1] != 'S' || (i > 0 && isWordByte(s[i-1])) {
			continue
		}
		j := i + 2
		paren := j < len(s) && s[j] == '('
		if paren {
			j++
		}
		k := j
		for k < len(s) && isDigit(s[k]) && k-j < 10 {
			k++
		}
		if k-j < 3 || (k < len(s) && isDigit(s[k])) {
			continue
		}
		if paren {
			if k >= len(s) || s[k] != ')' {
				continue
			}
			k++
		} else if k < len(s) && isWordByte(s[k]) {
			continue
		}
		tags = append(tags, s[i:k])
		i = k - 1
	}
	return tags
}

// Parts of an explanation that depend only on codes, rules and language are
// built once and shared between explanations (read-only): --lines explains
// many lines, and building them per line would dominate the cost.
type sharedKey struct {
	kind   byte
	n      int
	s1, s2 string
}

var sharedParts sync.Map // sharedKey → value

func shared(k sharedKey, build func() any) any {
	if v, ok := sharedParts.Load(k); ok {
		return v
	}
	v, _ := sharedParts.LoadOrStore(k, build())
	return v
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

var replyCodes = func() (a [600]int) {
	for i := range a {
		a[i] = i
	}
	return a
}()

// sharedInt points to a shared copy of a reply code.
func sharedInt(c int) *int {
	if c >= 0 && c < len(replyCodes) {
		return &replyCodes[c]
	}
	return &c
}

// sharedEnhanced returns a shared string of the enhanced code.
func sharedEnhanced(e statuscode.Enhanced) *string {
	if e.Subject > 9 || e.Detail > 999 {
		s := e.String()
		return &s
	}
	return shared(sharedKey{'e', e.Class*10000 + e.Subject*1000 + e.Detail, "", ""}, func() any {
		s := e.String()
		return &s
	}).(*string)
}
