package explain

import (
	"strings"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/provider"
	"github.com/mxprobe/mxprobe/internal/statuscode"
)

// build explains one parsed reply. Each step below fills its part of the
// explanation; later steps read what earlier ones decided.
func build(input string, r statuscode.Reply, hasText bool, f *features, opt Options) Explanation {
	x := Explanation{Input: input, Consistent: true}
	r.Enhanced = x.setCodes(r, hasText, opt)
	classDigit, detail := x.setRegistry(r.Code, r.Enhanced)
	x.Bounce = bounceOfCodes(r.Code, r.Enhanced)
	p := identifyProvider(opt.MXHost, r, hasText, f)
	d := decideReason(r, classDigit, x.Registered, f, p.rule, hasText && (strings.TrimSpace(r.Text) != "" || input != ""))
	if p.rule == nil && d.source != "provider" {
		d = commandContext(d, x.Command, r.Enhanced, f)
	}
	d = dsnAction(d, opt.Action)
	switch {
	case strings.EqualFold(opt.Action, "delayed"):
		x.Bounce = "soft"
	case x.Bounce == "":
		x.Bounce = bounceOfReason(d.reason, f.transient)
	}
	x.Reason, x.ReasonSource, x.ReasonWeak = d.reason, d.source, d.weak
	x.Consistent, x.Inconsistency = consistency(r, r.Enhanced, f.strong, p.rule)
	x.setProvider(p, input, hasText)
	x.setTexts(p.rule, detail)
	x.Rules = publishedRules(f.norm, x.Reply, hasText, x.Provider)
	return x
}

// setCodes copies what the parser found and returns the enhanced code in
// force: the reply's own, else the one reported beside it (opt.Status).
func (x *Explanation) setCodes(r statuscode.Reply, hasText bool, opt Options) statuscode.Enhanced {
	if hasText {
		x.Reply = r.Raw
	}
	x.Command, x.RemoteHost, x.RemoteIP = r.Command, r.Host, r.IP
	if opt.Command != "" {
		x.Command = statuscode.NormCommand(opt.Command)
	}
	if r.Code != 0 {
		x.ReplyCode = sharedInt(r.Code)
	}
	e := r.Enhanced
	if e.IsZero() && opt.Status != "" {
		if se, err := statuscode.ParseEnhanced(opt.Status); err == nil {
			e = se
		}
	}
	if !e.IsZero() {
		x.EnhancedCode = sharedEnhanced(e)
	}
	return e
}

// setRegistry fills what the code catalog says about the codes (RFC 3463,
// the IANA registry, RFC 5321 §4.2) and returns the class digit in force
// and the registry entry of the enhanced code.
func (x *Explanation) setRegistry(code int, e statuscode.Enhanced) (int, statuscode.Entry) {
	classDigit := 0
	if !e.IsZero() {
		classDigit = e.Class
	} else if code != 0 {
		classDigit = code / 100
	}
	switch classDigit {
	case 2, 3:
		x.Class = "success"
	case 4:
		x.Class = "transient"
	case 5:
		x.Class = "permanent"
	}
	if ce, ok := statuscode.ClassEntry(classDigit); ok && classDigit != 3 {
		x.ClassTitle = ce.Title
	}
	var detail statuscode.Entry
	if !e.IsZero() {
		x.Subject = subjectInfo(e.Subject)
		detail, x.Registered = statuscode.DetailEntry(e)
		if x.Registered {
			x.Detail = shared(sharedKey{'d', e.Subject*1000 + e.Detail, "", ""}, func() any {
				return &DetailInfo{Title: detail.Title, Description: detail.Description}
			}).(*DetailInfo)
			x.Reference = detail.Reference
		} else {
			x.Detail = unregisteredDetail
			x.Reference = "RFC 3463"
		}
	}
	if code != 0 {
		x.Basic = basicInfo(code)
		if x.Reference == "" && x.Basic != nil {
			x.Reference = x.Basic.Reference
		}
	}
	return classDigit, detail
}

var (
	unregisteredDetail = &DetailInfo{Title: msgUnregDetail, Description: msgUnregDetailDesc}
)

func subjectInfo(n int) *SubjectInfo {
	se, ok := statuscode.SubjectEntry(n)
	if !ok {
		return &SubjectInfo{Number: n, Title: msgUnregSubject, Description: msgUnregSubjectDesc}
	}
	return shared(sharedKey{'s', n * 1000, "", ""}, func() any {
		return &SubjectInfo{Number: n, Title: se.Title, Description: se.Description}
	}).(*SubjectInfo)
}

func basicInfo(code int) *BasicInfo {
	if be, ok := statuscode.BasicEntry(code); ok {
		return shared(sharedKey{'b', code, "", ""}, func() any {
			return &BasicInfo{Code: code, Title: be.Title, Description: be.Description, Reference: be.Reference}
		}).(*BasicInfo)
	}
	if !statuscode.ValidReplyCode(code) {
		return nil
	}
	first, second := statuscode.BasicDigits(code)
	return &BasicInfo{Code: code, Title: joinText(msgUnlistedBasic, " (", second, ")"), Description: first, Reference: "RFC 5321 §4.2.1"}
}

// joinText concatenates texts and literal separators in both languages:
// each argument is an i18n.Text or a string.
func joinText(parts ...any) i18n.Text {
	var en, de strings.Builder
	for _, p := range parts {
		switch v := p.(type) {
		case i18n.Text:
			en.WriteString(v.EN)
			de.WriteString(v.DE)
		case string:
			en.WriteString(v)
			de.WriteString(v)
		}
	}
	return i18n.Text{EN: en.String(), DE: de.String()}
}

// bounceOfCodes: the reply code decides the bounce kind (it is what an SMTP
// client acts on), else the enhanced code's class; "" when neither says.
func bounceOfCodes(code int, e statuscode.Enhanced) string {
	switch {
	case code >= 200 && code < 400:
		return "none"
	case code >= 400 && code < 500:
		return "soft"
	case code >= 500:
		return "hard"
	case e.Class == 2:
		return "none"
	case e.Class == 4:
		return "soft"
	case e.Class == 5:
		return "hard"
	}
	return ""
}

// bounceOfReason is the bounce kind of a reply without codes.
func bounceOfReason(reason Reason, transient bool) string {
	switch {
	case reason == Accepted || reason == Delivered || reason == Vacation:
		return "none"
	case transient:
		return "soft"
	case reason != OnHold && reason != Undefined:
		return "hard"
	}
	return "unknown"
}

// providerMatch is the operator recognised and the provider rule that
// matched, if any.
type providerMatch struct {
	info provider.Info
	ok   bool
	rule *providerRule
}

// identifyProvider recognises the operator from the MX host name or the
// reply text and finds the first provider rule that fits the reply.
func identifyProvider(mxHost string, r statuscode.Reply, hasText bool, f *features) providerMatch {
	var p providerMatch
	host := mxHost
	if host == "" {
		host = r.Host
	}
	if host != "" || hasText {
		p.info, p.ok = provider.IdentifyMatched(host, func(i int) bool { return f.prov[i] })
	}
	e := r.Enhanced
	for i := range providerRules {
		pr := &providerRules[i]
		if !ruleCodeMatch(pr, r.Code, e) || !ruleTextMatch(i, &f.rule) {
			continue
		}
		switch {
		case pr.Provider == "":
		case p.ok && (p.info.Name == pr.Provider || provider.Family(p.info.Name) == pr.Provider):
		case !p.ok && pr.Implies && len(pr.Text) > 0:
			if pi, ok := provider.ByName(pr.Provider, ""); ok {
				p.info, p.ok = pi, true
				p.info.Evidence = "rule:" + pr.ID
			}
		default:
			continue
		}
		p.rule = pr
		break
	}
	// An unregistered code that only one provider is known to use (Microsoft's
	// 5.7.606–649, 4.7.650, 5.7.515 …) names that provider by itself.
	if p.rule == nil && !p.ok && !e.IsZero() && !statuscode.Registered(e) {
		for i := range providerRules {
			pr := &providerRules[i]
			if pr.Provider == "" || len(pr.Text) > 0 || pr.Subject < 0 || !ruleCodeMatch(pr, r.Code, e) {
				continue
			}
			if pi, ok := provider.ByName(pr.Provider, ""); ok {
				p.info, p.ok, p.rule = pi, true, pr
				p.info.Evidence = "code:" + e.String()
			}
			break
		}
	}
	if p.ok && p.rule != nil && p.info.Kind == "" && pr2kind(p.rule) != "" {
		if pi, ok := provider.ByName(p.info.Name, pr2kind(p.rule)); ok {
			pi.Evidence = p.info.Evidence
			p.info = pi
		}
	}
	return p
}

// decision is a reason, what decided it, and whether only a weak hint did.
type decision struct {
	reason Reason
	source string
	weak   bool
}

// decideReason picks the reason, most reliable evidence first: a provider
// rule, a success code, a provider's own error code, a strong phrase, a
// specific enhanced code, a weak phrase, a generic code, the subject, the
// basic code.
func decideReason(r statuscode.Reply, classDigit int, registered bool, f *features, prule *providerRule, textPresent bool) decision {
	e := r.Enhanced
	codeReason, codeGeneric := enhancedReason(e)
	switch {
	case prule != nil:
		return decision{prule.Reason, "provider", false}
	case classDigit == 2 || classDigit == 3 || (r.Code >= 200 && r.Code < 400):
		// Acceptance, not delivery: only a success DSN says delivered (dsnAction).
		return decision{Accepted, "code", false}
	case f.provCode != "" && f.provFirm:
		return decision{f.provCode, "provider", false}
	case f.strong != "":
		return decision{f.strong, "text", false}
	case f.provCode != "":
		// A provider's own error code in the text (Orange, La Poste,
		// Spectrum) is more precise than a status code or vague words
		// ("Mail rejected", "Service refused"); a specific text still wins,
		// since the providers reuse some codes for several causes.
		return decision{f.provCode, "provider", false}
	case codeReason != "" && !codeGeneric:
		return decision{codeReason, "code", false}
	case f.weak != "":
		return decision{f.weak, "text", true}
	case codeReason != "":
		return decision{codeReason, "code", true}
	case !e.IsZero() && !registered && e.Subject < len(subjectReasons) && subjectReasons[e.Subject] != "":
		return decision{subjectReasons[e.Subject], "class", false}
	case basicReasons[r.Code] != "":
		return decision{basicReasons[r.Code], "code", false}
	case textPresent:
		return decision{OnHold, "none", false}
	case r.Code != 0 || !e.IsZero():
		// A code whose meaning does not name a reason (550, 5.0.0).
		return decision{OnHold, "none", false}
	}
	return decision{Undefined, "none", false}
}

// commandContext draws conclusions from the SMTP command the reply
// answered (sisimai draws the same): a recipient rejection after DATA is a
// content filter; a refusal at MAIL FROM concerns the sender; at the
// greeting or EHLO, the connecting host.
func commandContext(d decision, command string, e statuscode.Enhanced, f *features) decision {
	switch command {
	case "RCPT TO":
	case "DATA":
		// An "unknown user" after DATA cannot be about the address (it was
		// accepted at RCPT): a content or per-user filter answered.
		if d.reason == UserUnknown && d.source == "text" && (e.IsZero() || e.Subject != 1) && !f.rcptEvidence {
			return decision{Filtered, "context", false}
		}
	case "MAIL FROM":
		switch d.reason {
		case UserUnknown, HostUnknown, OnHold, Undefined, Filtered:
			return decision{Rejected, "context", false}
		case Blocked, SecurityError:
			if d.weak {
				return decision{Rejected, "context", false}
			}
		}
	case "":
		// The code says the mailbox state (x.2) or policy (x.7), the text
		// an unknown user: a filter that pretends the user does not
		// exist (sisimai classifies these as filtered, too).
		if d.reason == UserUnknown && d.source == "text" && !e.IsZero() && (e.Subject == 2 || e.Subject == 7) {
			return decision{Filtered, "context", false}
		}
	case "CONNECT", "EHLO", "HELO":
		switch d.reason {
		case OnHold, Undefined, HostUnknown, SyntaxError:
			return decision{Blocked, "context", false}
		default:
			if d.weak {
				return decision{Blocked, "context", false}
			}
		}
	}
	return d
}

// dsnAction applies a DSN's Action field (RFC 3464 §2.3.3): a success
// notice (delivered, relayed, expanded) turns an acceptance into a
// delivery; a delay notice whose text names no more specific cause is a
// delay, which sisimai's vocabulary calls expired (setTexts titles it as a
// delay because the bounce is soft).
func dsnAction(d decision, action string) decision {
	switch strings.ToLower(action) {
	case "delivered", "relayed", "expanded":
		switch d.reason {
		case Accepted, OnHold, Undefined:
			return decision{Delivered, "context", false}
		}
	case "delayed":
		switch d.reason {
		case Expired, OnHold, Undefined, SystemError, SystemFull:
			return decision{Expired, "context", false}
		case NetworkError:
			// A DNS or connection failure named as the cause stays the
			// cause while the MTA still retries; only a text that names
			// none is a mere delay.
			if d.source != "text" {
				return decision{Expired, "context", false}
			}
		}
	}
	return d
}

// setProvider fills the operator's part: name, kind, evidence, the rule
// and its meaning, Microsoft's anti-spam tags, where to turn.
func (x *Explanation) setProvider(p providerMatch, input string, hasText bool) {
	if !p.ok {
		return
	}
	pi := &ProviderInfo{Name: p.info.Name, Kind: p.info.Kind, Display: p.info.Display, Evidence: p.info.Evidence}
	if x.Bounce != "none" {
		// Where to turn about a refusal; an acceptance needs no delisting portal.
		pi.Guidance = p.info.Guidance
	}
	if p.rule != nil {
		pi.Rule = p.rule.ID
		pi.Meaning = p.rule.Meaning
	}
	if p.info.Name == provider.Microsoft && hasText {
		pi.Tags = asTags(input)
	}
	x.Provider = pi
}

// setTexts fills who must act, how actionable it is, the title, the
// description and the advice.
func (x *Explanation) setTexts(prule *providerRule, detail statuscode.Entry) {
	reason := x.Reason
	def := reasonDefs[reason]
	if reason == Expired && x.Bounce == "soft" {
		// Still being retried: a delay, not a delivery given up.
		def = delayedDef
	}
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
	x.Actionable = Actionable{Level: def.Actionable, By: def.By, Text: byText[def.By]}
	x.Title, x.Description = def.Title, def.Description
	if reason == OnHold || reason == Undefined {
		if x.Registered {
			x.Title, x.Description = detail.Title, detail.Description
		} else if x.Basic != nil {
			x.Title, x.Description = x.Basic.Title, x.Basic.Description
		}
	}
	ruleID := ""
	if prule != nil {
		ruleID = prule.ID
		desc := x.Description
		// Keyed by the description it extends: the reason's, the delay's or
		// a registry entry's.
		x.Description = shared(sharedKey{'m', 0, prule.ID, desc.EN}, func() any {
			return joinText(prule.Meaning, " ", desc)
		}).(i18n.Text)
	}
	hasTags := x.Provider != nil && len(x.Provider.Tags) > 0
	soft := x.Bounce == "soft"
	akey := sharedKey{'a', boolInt(soft) + 2*boolInt(hasTags), ruleID, string(reason)}
	if def.Retrying {
		akey.n += 4
	}
	x.Advice = shared(akey, func() any {
		return adviceFor(def, prule, soft && !def.Retrying, hasTags)
	}).([]i18n.Text)
}

// adviceFor lists the steps: the provider's own advice if its rule has
// any, else the soft-bounce note and the reason's generic advice — the
// generic texts would contradict the provider's (T-Online's own block list
// is not one to look up; Yahoo's TSS09 comes as a 421, yet retrying does
// not help) — then the tag note.
func adviceFor(def reasonDef, prule *providerRule, soft, hasTags bool) []i18n.Text {
	adv := []i18n.Text{}
	if prule != nil && len(prule.Advice) > 0 {
		adv = append(adv, prule.Advice...)
	} else {
		if soft {
			adv = append(adv, msgSoft)
		}
		adv = append(adv, def.Advice...)
	}
	if hasTags {
		adv = append(adv, msgASTags)
	}
	return adv[:len(adv):len(adv)]
}
