// Package statuscode explains SMTP replies: basic reply codes (RFC 5321
// §4.2), enhanced status codes (RFC 3463, the IANA registry), the reply text,
// and provider knowledge. It classifies each reply into a bounce reason in
// sisimai's vocabulary, says who must act and what to do, in English and
// German. It also parses bounce messages (RFC 3464 DSNs and text bounces).
package statuscode

import (
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/provider"
)

// Options control an explanation.
type Options struct {
	// Lang is the language of the texts in the Explanation.
	Lang i18n.Lang
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
}

// Explanation is the result for one reply. All prose is in Options.Lang;
// keys and result words are English. Explanations share read-only parts
// (catalog entries, advice, guidance): do not modify what the pointers and
// slices refer to.
type Explanation struct {
	Input        string  `json:"input"`
	Reply        string  `json:"reply,omitempty"`
	ReplyCode    *int    `json:"reply_code"`
	EnhancedCode *string `json:"enhanced_code"`
	// Class is success, transient or permanent (RFC 3463 §3.1).
	Class      string       `json:"class,omitempty"`
	ClassTitle string       `json:"class_title,omitempty"`
	Subject    *SubjectInfo `json:"subject,omitempty"`
	Detail     *DetailInfo  `json:"detail,omitempty"`
	// Registered tells whether the enhanced code is in the IANA registry.
	Registered bool       `json:"registered"`
	Basic      *BasicInfo `json:"basic,omitempty"`
	// Reference names the RFC(s) that define the code.
	Reference string `json:"reference,omitempty"`
	// Bounce is none (2xx/3xx), soft (4xx), hard (5xx) or unknown (no code, no hint).
	Bounce string `json:"bounce"`
	Reason Reason `json:"reason"`
	// ReasonSource says what decided the reason: provider, text, code, context, class or none.
	ReasonSource  string        `json:"reason_source"`
	Provider      *ProviderInfo `json:"provider,omitempty"`
	Consistent    bool          `json:"consistent"`
	Inconsistency string        `json:"inconsistency,omitempty"`
	Responsible   string        `json:"responsible"`
	Actionable    Actionable    `json:"actionable"`
	Title         string        `json:"title"`
	Description   string        `json:"description"`
	Advice        []string      `json:"advice"`
	Command       string        `json:"command,omitempty"`
	RemoteHost    string        `json:"remote_host,omitempty"`
	RemoteIP      string        `json:"remote_ip,omitempty"`
}

// SubjectInfo is the subject sub-code (RFC 3463 §3.2).
type SubjectInfo struct {
	Number      int    `json:"number"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

// DetailInfo is the enumerated code's registry entry, or a note that it is not registered.
type DetailInfo struct {
	Title       string `json:"title"`
	Description string `json:"description"`
}

// BasicInfo describes the basic reply code (RFC 5321 §4.2).
type BasicInfo struct {
	Code        int    `json:"code"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Reference   string `json:"reference,omitempty"`
}

// ProviderInfo is the recognised operator and, if one matched, its rule.
type ProviderInfo struct {
	Name     string         `json:"name"`
	Kind     string         `json:"kind,omitempty"`
	Display  string         `json:"display"`
	Evidence string         `json:"evidence,omitempty"`
	Rule     string         `json:"rule,omitempty"`
	Meaning  string         `json:"meaning,omitempty"`
	Tags     []string       `json:"tags,omitempty"`
	Guidance []GuidanceText `json:"guidance,omitempty"`
}

// GuidanceText is a provider.Guidance in one language.
type GuidanceText struct {
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
	Text  string `json:"text"`
}

// Actionable estimates whether the sender can fix the problem alone.
type Actionable struct {
	Level string `json:"level"` // high, medium, low, none
	By    string `json:"by"`    // list_hygiene, sender_config, message_change, sending_rate, receiver_contact, recipient_action, retry, none
	Text  string `json:"text"`
}

// Explain explains a reply as a user pastes it: a basic code ("550"), an
// enhanced code ("5.7.1"), a whole reply, a multi-line reply or a reply
// wrapped by an MTA's bounce text. It never fails: input without any code is
// classified from its text alone.
func Explain(reply string, opt Options) Explanation {
	in := strings.TrimSpace(reply)
	if len(in) > MaxReplyLen {
		in = in[:MaxReplyLen]
	}
	var f features
	// A bare code.
	if c, ok := bareBasic(in); ok {
		return build(in, Reply{Code: c}, false, &f, opt)
	}
	if onlyCodeChars(in) {
		if e, err := ParseEnhanced(in); err == nil {
			return build(in, Reply{Enhanced: e}, false, &f, opt)
		}
	}
	bp := normPool.Get().(*[]byte)
	lower := normalizeInto(*bp, in)
	scanFeatures(bytesToString(lower), &f)
	r, _ := parseReply(in, f.hints, f.cmd)
	if r.quoted {
		// Read the reasons from the quoted reply, not from the bouncing
		// MTA's description of its own status.
		hints, cmd := f.hints, f.cmd
		f = features{}
		lower = normalizeInto(lower, withoutStatusDescriptions(in))
		scanFeatures(bytesToString(lower), &f)
		f.hints, f.cmd = hints, cmd
	}
	x := build(in, r, true, &f, opt)
	*bp = lower[:0]
	normPool.Put(bp)
	return x
}

// ExplainReply explains a reply whose parts are already separated, as
// go-smtp's *smtp.SMTPError gives them: code 0 and enhanced "" mean absent.
func ExplainReply(code int, enhanced string, text string, opt Options) Explanation {
	r := Reply{Code: code, Text: strings.TrimSpace(text)}
	if e, err := ParseEnhanced(enhanced); err == nil {
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
		if inner, _ := parseReply(in, f.hints, f.cmd); inner.Command != "" || inner.Host != "" {
			r.Command, r.Host, r.IP = inner.Command, inner.Host, inner.IP
		}
		*bp = lower[:0]
		normPool.Put(bp)
	}
	return build(in, r, r.Text != "", &f, opt)
}

// Validate reports whether s is acceptable as a single explain argument:
// a basic code (RFC 5321 §4.2 shape), an enhanced code (RFC 3463 syntax), or
// a reply with some text. It returns the one-line reason otherwise.
func Validate(s string) error {
	in := strings.TrimSpace(s)
	if in == "" {
		return ErrEmpty
	}
	if allDigits(in) {
		if len(in) != 3 {
			return ErrBadReplyCode
		}
		if n, _ := strconv.Atoi(in); !ValidReplyCode(n) {
			return ErrBadReplyCode
		}
		return nil
	}
	if onlyCodeChars(in) {
		_, err := ParseEnhanced(in)
		return err
	}
	if len(in) >= 4 && allDigits(in[:3]) && (in[3] == ' ' || in[3] == '-') {
		if n, _ := strconv.Atoi(in[:3]); !ValidReplyCode(n) {
			return ErrBadReplyCode
		}
	}
	return nil
}

func onlyCodeChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return true
}

func bareBasic(s string) (int, bool) {
	if len(s) != 3 || !allDigits(s) {
		return 0, false
	}
	n, _ := strconv.Atoi(s)
	return n, ValidReplyCode(n)
}

var normPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// normalizeInto lower-cases ASCII letters and collapses white space, with a
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
		}
		dst = append(dst, c)
		space = false
	}
	if !space {
		dst = append(dst, ' ')
	}
	return dst
}

func build(input string, r Reply, hasText bool, f *features, opt Options) Explanation {
	lang := opt.Lang
	if lang == "" {
		lang = i18n.EN
	}
	x := Explanation{Input: input, Consistent: true}
	if hasText {
		x.Reply = r.Raw
	}
	x.Command, x.RemoteHost, x.RemoteIP = r.Command, r.Host, r.IP
	if opt.Command != "" {
		x.Command = normCommand(opt.Command)
	}
	if r.Code != 0 {
		x.ReplyCode = sharedInt(r.Code)
	}
	if r.Enhanced.IsZero() && opt.Status != "" {
		if se, err := ParseEnhanced(opt.Status); err == nil {
			r.Enhanced = se
		}
	}
	e := r.Enhanced
	if !e.IsZero() {
		x.EnhancedCode = sharedEnhanced(e)
	}

	// Registry parts.
	classDigit := 0
	if !e.IsZero() {
		classDigit = e.Class
	} else if r.Code != 0 {
		classDigit = r.Code / 100
	}
	switch classDigit {
	case 2, 3:
		x.Class = "success"
	case 4:
		x.Class = "transient"
	case 5:
		x.Class = "permanent"
	}
	if ce, ok := classCatalog[classDigit]; ok && classDigit != 3 {
		x.ClassTitle = ce.Title.In(lang)
	}
	key := e.Subject*1000 + e.Detail
	var detail catalogEntry
	registered := false
	if !e.IsZero() {
		if e.Subject < len(subjectCatalog) {
			se := subjectCatalog[e.Subject]
			x.Subject = shared(sharedKey{'s', e.Subject * 1000, lang, "", ""}, func() any {
				return &SubjectInfo{Number: e.Subject, Title: se.Title.In(lang), Description: se.Description.In(lang)}
			}).(*SubjectInfo)
		} else {
			x.Subject = &SubjectInfo{Number: e.Subject, Title: msgUnregSubject.In(lang), Description: msgUnregSubjectDesc.In(lang)}
		}
		detail, registered = detailCatalog[key]
		if registered {
			x.Detail = shared(sharedKey{'d', key, lang, "", ""}, func() any {
				return &DetailInfo{Title: detail.Title.In(lang), Description: detail.Description.In(lang)}
			}).(*DetailInfo)
			x.Reference = detail.Reference
		} else {
			x.Detail = &DetailInfo{Title: msgUnregDetail.In(lang), Description: msgUnregDetailDesc.In(lang)}
			x.Reference = "RFC 3463"
		}
		x.Registered = registered
	}
	if r.Code != 0 {
		if be, ok := basicCatalog[r.Code]; ok {
			x.Basic = shared(sharedKey{'b', r.Code, lang, "", ""}, func() any {
				return &BasicInfo{Code: r.Code, Title: be.Title.In(lang), Description: be.Description.In(lang), Reference: be.Reference}
			}).(*BasicInfo)
		} else if ValidReplyCode(r.Code) {
			d := firstDigit[byte('0'+r.Code/100)].In(lang)
			cat := secondDigit[byte('0'+(r.Code/10)%10)].In(lang)
			x.Basic = &BasicInfo{Code: r.Code, Title: msgUnlistedBasic.In(lang) + " (" + cat + ")", Description: d, Reference: "RFC 5321 §4.2.1"}
		}
		if x.Reference == "" && x.Basic != nil {
			x.Reference = x.Basic.Reference
		}
	}

	// Bounce kind: the reply code decides (it is what an SMTP client acts on).
	switch {
	case r.Code >= 200 && r.Code < 400:
		x.Bounce = "none"
	case r.Code >= 400 && r.Code < 500:
		x.Bounce = "soft"
	case r.Code >= 500:
		x.Bounce = "hard"
	case e.Class == 2:
		x.Bounce = "none"
	case e.Class == 4:
		x.Bounce = "soft"
	case e.Class == 5:
		x.Bounce = "hard"
	}

	// Provider.
	host := opt.MXHost
	if host == "" {
		host = r.Host
	}
	var pinfo provider.Info
	pok := false
	if host != "" || hasText {
		pinfo, pok = provider.IdentifyMatched(host, func(i int) bool { return f.prov[i] })
	}
	var prule *providerRule
	for i := range providerRules {
		pr := &providerRules[i]
		if !ruleCodeMatch(pr, r.Code, e) || !ruleTextMatch(i, &f.rule) {
			continue
		}
		switch {
		case pr.Provider == "":
		case pok && pinfo.Name == pr.Provider:
		case !pok && pr.Implies && len(pr.Text) > 0:
			if pi, ok := provider.ByName(pr.Provider, ""); ok {
				pinfo, pok = pi, true
				pinfo.Evidence = "rule:" + pr.ID
			}
		default:
			continue
		}
		prule = pr
		break
	}
	// An unregistered code that only one provider is known to use (Microsoft's
	// 5.7.606–649, 4.7.650, 5.7.515 …) names that provider by itself.
	if prule == nil && !pok && !e.IsZero() {
		if _, reg := detailCatalog[e.Subject*1000+e.Detail]; !reg {
			for i := range providerRules {
				pr := &providerRules[i]
				if pr.Provider == "" || len(pr.Text) > 0 || pr.Subject < 0 || !ruleCodeMatch(pr, r.Code, e) {
					continue
				}
				if pi, ok := provider.ByName(pr.Provider, ""); ok {
					pinfo, pok, prule = pi, true, pr
					pinfo.Evidence = "code:" + e.String()
				}
				break
			}
		}
	}
	if pok && prule != nil && pinfo.Kind == "" && pr2kind(prule) != "" {
		if pi, ok := provider.ByName(pinfo.Name, pr2kind(prule)); ok {
			pi.Evidence = pinfo.Evidence
			pinfo = pi
		}
	}

	// Reason.
	strong, weak := f.strong, f.weak
	codeReason, codeGeneric := enhancedReason(e)
	var reason Reason
	source := ""
	weakDecision := false
	switch {
	case prule != nil:
		reason, source = prule.Reason, "provider"
	case classDigit == 2 || classDigit == 3 || (r.Code >= 200 && r.Code < 400):
		reason, source = Delivered, "code"
	case f.provCode != "" && f.provFirm:
		reason, source = f.provCode, "provider"
	case strong != "":
		reason, source = strong, "text"
	case f.provCode != "":
		// A provider's own error code in the text (Orange, La Poste,
		// Spectrum) is more precise than a status code or vague words
		// ("Mail rejected", "Service refused"); a specific text still wins,
		// since the providers reuse some codes for several causes.
		reason, source = f.provCode, "provider"
	case codeReason != "" && !codeGeneric:
		reason, source = codeReason, "code"
	case weak != "":
		reason, source, weakDecision = weak, "text", true
	case codeReason != "":
		reason, source, weakDecision = codeReason, "code", true
	case !e.IsZero() && !registered && e.Subject < len(subjectReasons) && subjectReasons[e.Subject] != "":
		reason, source = subjectReasons[e.Subject], "class"
	case basicReasons[r.Code] != "":
		reason, source = basicReasons[r.Code], "code"
	case hasText && (strings.TrimSpace(r.Text) != "" || strings.TrimSpace(input) != ""):
		reason, source = OnHold, "none"
	case r.Code != 0 || !e.IsZero():
		// A code whose meaning does not name a reason (550, 5.0.0).
		reason, source = OnHold, "none"
	default:
		reason, source = Undefined, "none"
	}
	// Context from the SMTP command the wrapper names (sisimai draws the same
	// conclusions): a recipient rejection after DATA is a content filter; a
	// refusal at MAIL FROM concerns the sender; at the greeting or EHLO, the
	// connecting host.
	if prule == nil && source != "provider" {
		switch x.Command {
		case "RCPT TO":
		case "DATA":
			// An "unknown user" after DATA cannot be about the address (it was
			// accepted at RCPT): a content or per-user filter answered.
			if reason == UserUnknown && source == "text" && (e.IsZero() || e.Subject != 1) && f.hints&hintRcptEvidence == 0 {
				reason, source = Filtered, "context"
			}
		case "MAIL FROM":
			switch reason {
			case UserUnknown, HostUnknown, OnHold, Undefined, Filtered:
				reason, source = Rejected, "context"
			case Blocked, SecurityError:
				if weakDecision {
					reason, source = Rejected, "context"
				}
			}
		case "":
			// The code says the mailbox state (x.2) or policy (x.7), the text
			// an unknown user: a filter that pretends the user does not
			// exist (sisimai classifies these as filtered, too).
			if reason == UserUnknown && source == "text" && !e.IsZero() && (e.Subject == 2 || e.Subject == 7) {
				reason, source = Filtered, "context"
			}
		case "CONNECT", "EHLO", "HELO":
			switch reason {
			case OnHold, Undefined, HostUnknown, SyntaxError:
				reason, source = Blocked, "context"
			default:
				if weakDecision {
					reason, source = Blocked, "context"
				}
			}
		}
	}
	if x.Bounce == "" {
		switch {
		case reason == Delivered || reason == Vacation:
			x.Bounce = "none"
		case f.transient:
			x.Bounce = "soft"
		case reason != OnHold && reason != Undefined:
			x.Bounce = "hard"
		default:
			x.Bounce = "unknown"
		}
	}
	x.Reason, x.ReasonSource = reason, source

	// Consistency of code and text.
	x.Consistent, x.Inconsistency = consistency(r, e, strong, prule, lang)

	// Provider output.
	if pok {
		pi := &ProviderInfo{Name: pinfo.Name, Kind: pinfo.Kind, Display: pinfo.Display, Evidence: pinfo.Evidence,
			Guidance: guidanceIn(pinfo, lang)}
		if prule != nil {
			pi.Rule = prule.ID
			pi.Meaning = prule.Meaning.In(lang)
		}
		if pinfo.Name == provider.Microsoft && hasText {
			pi.Tags = asTags(input)
		}
		x.Provider = pi
	}

	// Responsible party, actionable estimate, texts, advice.
	def := reasonDefs[reason]
	x.Responsible = def.Responsible
	if prule != nil && prule.Resp != "" {
		x.Responsible = prule.Resp
	}
	if x.Bounce == "soft" {
		switch reason {
		case SystemError, SystemFull, NetworkError, OnHold, Undefined, Expired:
			x.Responsible = RespNobody
		}
	}
	x.Actionable = Actionable{Level: def.Actionable, By: def.By, Text: byText[def.By].In(lang)}
	x.Title = def.Title.In(lang)
	x.Description = def.Description.In(lang)
	if (reason == OnHold || reason == Undefined) && (registered || x.Basic != nil) {
		if registered {
			x.Title = detail.Title.In(lang)
			x.Description = detail.Description.In(lang)
		} else if x.Basic != nil {
			x.Title, x.Description = x.Basic.Title, x.Basic.Description
		}
	}
	if prule != nil {
		desc := x.Description
		x.Description = shared(sharedKey{'m', 0, lang, prule.ID, string(reason)}, func() any {
			return prule.Meaning.In(lang) + " " + desc
		}).(string)
	}
	ruleID := ""
	if prule != nil {
		ruleID = prule.ID
	}
	hasTags := x.Provider != nil && len(x.Provider.Tags) > 0
	soft := x.Bounce == "soft"
	akey := sharedKey{'a', boolInt(soft) + 2*boolInt(hasTags), lang, ruleID, string(reason)}
	x.Advice = shared(akey, func() any {
		adv := []string{}
		if soft {
			adv = append(adv, msgSoft.In(lang))
		}
		if prule != nil {
			for _, a := range prule.Advice {
				adv = append(adv, a.In(lang))
			}
		}
		for _, a := range def.Advice {
			adv = append(adv, a.In(lang))
		}
		if hasTags {
			adv = append(adv, msgASTags.In(lang))
		}
		return adv[:len(adv):len(adv)]
	}).([]string)
	if x.Advice == nil {
		x.Advice = []string{}
	}
	return x
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

func ruleCodeMatch(pr *providerRule, code int, e Enhanced) bool {
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
func enhancedReason(e Enhanced) (Reason, bool) {
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
func consistency(r Reply, e Enhanced, strong Reason, prule *providerRule, lang i18n.Lang) (bool, string) {
	if r.Code != 0 && !e.IsZero() && r.Code/100 != e.Class {
		return false, i18n.T(
			"The reply code "+strconv.Itoa(r.Code)+" and the enhanced code "+e.String()+" disagree on whether the failure is permanent or transient; RFC 3463 requires the same class. Clients act on the reply code.",
			"Der Antwortcode "+strconv.Itoa(r.Code)+" und der erweiterte Code "+e.String()+" widersprechen sich, ob der Fehler dauerhaft oder vorübergehend ist; RFC 3463 verlangt dieselbe Klasse. Clients richten sich nach dem Antwortcode.").In(lang)
	}
	if prule != nil || strong == "" || e.IsZero() || e.Class == 2 {
		return true, ""
	}
	switch strong {
	case OnHold, Vacation, Delivered, Undefined:
		return true, ""
	}
	if e.Subject == 0 && e.Detail == 0 {
		return false, i18n.T(
			"The code "+e.String()+" only says \"other or undefined\", but the text is specific: "+reasonDefs[strong].Title.EN+". The text is decisive.",
			"Der Code "+e.String()+" sagt nur „sonstiger oder undefinierter Status“, der Text ist aber genau: "+reasonDefs[strong].Title.DE+". Der Text ist maßgeblich.").In(lang)
	}
	for _, s := range reasonSubjects[strong] {
		if s == e.Subject {
			return true, ""
		}
	}
	if e.Subject == 0 {
		return true, ""
	}
	subj := "X." + strconv.Itoa(e.Subject) + ".YYY"
	var subjEN, subjDE string
	if e.Subject < len(subjectCatalog) {
		subjEN, subjDE = subjectCatalog[e.Subject].Title.EN, subjectCatalog[e.Subject].Title.DE
	}
	return false, i18n.T(
		"The code "+e.String()+" belongs to \""+subjEN+"\" ("+subj+"), but the text says: "+reasonDefs[strong].Title.EN+". The text is decisive.",
		"Der Code "+e.String()+" gehört zu „"+subjDE+"“ ("+subj+"), der Text sagt aber: "+reasonDefs[strong].Title.DE+". Der Text ist maßgeblich.").In(lang)
}

var (
	msgUnregSubject     = i18n.T("Unregistered subject", "Nicht registrierter Themenbereich")
	msgUnregSubjectDesc = i18n.T("This subject number is not in the IANA registry (only 0 to 7 are defined); only the class carries meaning.", "Diese Themennummer steht nicht im IANA-Register (definiert sind nur 0 bis 7); Bedeutung trägt nur die Klasse.")
	msgUnregDetail      = i18n.T("Detail code not in the IANA registry", "Detail-Code nicht im IANA-Register")
	msgUnregDetailDesc  = i18n.T("This code is syntactically valid (RFC 3463) but not registered. Its meaning follows from the class and subject, and from the provider that uses it, if known.", "Dieser Code ist syntaktisch gültig (RFC 3463), aber nicht registriert. Seine Bedeutung ergibt sich aus Klasse und Themenbereich sowie, falls bekannt, aus dem Anbieter, der ihn verwendet.")
	msgUnlistedBasic    = i18n.T("Reply code not listed in RFC 5321", "In RFC 5321 nicht aufgeführter Antwortcode")
	msgSoft             = i18n.T("This is a temporary failure (soft bounce): your server keeps retrying on its own; act only if it persists or the message finally bounces.", "Dies ist ein vorübergehender Fehler (Soft Bounce): Ihr Server versucht es selbstständig weiter; handeln Sie nur, wenn es anhält oder die Nachricht endgültig zurückkommt.")
	msgASTags           = i18n.T("The AS(…) tag is Microsoft's internal anti-spam rule number (not an autonomous system); quote it in support requests.", "Die Kennung AS(…) ist Microsofts interne Anti-Spam-Regelnummer (kein autonomes System); nennen Sie sie in Supportanfragen.")
)

// bytesToString views b as a string without copying; the result must not
// outlive b's next modification.
func bytesToString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

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

type guidanceKey struct {
	name, kind string
	lang       i18n.Lang
}

var (
	guidanceMu    sync.RWMutex
	guidanceCache = map[guidanceKey][]GuidanceText{}
)

// guidanceIn returns the provider's guidance in one language; the slice is
// shared between explanations and must not be modified.
func guidanceIn(p provider.Info, lang i18n.Lang) []GuidanceText {
	k := guidanceKey{p.Name, p.Kind, lang}
	guidanceMu.RLock()
	g, ok := guidanceCache[k]
	guidanceMu.RUnlock()
	if ok {
		return g
	}
	for _, x := range p.Guidance {
		g = append(g, GuidanceText{Title: x.Title.In(lang), URL: x.URL, Text: x.Text.In(lang)})
	}
	g = g[:len(g):len(g)]
	guidanceMu.Lock()
	guidanceCache[k] = g
	guidanceMu.Unlock()
	return g
}

// Parts of an explanation that depend only on codes, rules and language are
// built once and shared between explanations (read-only): --lines explains
// many lines, and building them per line would dominate the cost.
type sharedKey struct {
	kind   byte
	n      int
	lang   i18n.Lang
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
func sharedEnhanced(e Enhanced) *string {
	if e.Subject > 9 || e.Detail > 999 {
		s := e.String()
		return &s
	}
	return shared(sharedKey{'e', e.Class*10000 + e.Subject*1000 + e.Detail, "", "", ""}, func() any {
		s := e.String()
		return &s
	}).(*string)
}
