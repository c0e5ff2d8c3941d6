package explain

import (
	"github.com/mxprobe/mxprobe/internal/i18n"
	"strconv"
	"unicode/utf8"
)

// A hand-written JSON encoder for Explanation: --lines writes one object per
// input line, and reflection-based encoding would cost more than explaining
// the line. The output is byte-identical to encoding/json of x.Localize(lang)
// with HTML escaping off (TestAppendJSONMatchesEncodingJSON); keep the two in
// step when adding fields.

// AppendJSON appends x, rendered in lang, as a JSON object.
func (x *Explanation) AppendJSON(dst []byte, lang i18n.Lang) []byte {
	dst = append(dst, '{')
	dst = x.AppendJSONFields(dst, lang)
	return append(dst, '}')
}

// AppendJSONFields appends x's members, rendered in lang, without the
// braces, so that callers can add their own members first.
func (x *Explanation) AppendJSONFields(dst []byte, lang i18n.Lang) []byte {
	dst = append(dst, `"input":`...)
	dst = appendJSONString(dst, x.Input)
	if x.Reply != "" {
		dst = append(dst, `,"reply":`...)
		dst = appendJSONString(dst, x.Reply)
	}
	dst = append(dst, `,"reply_code":`...)
	if x.ReplyCode != nil {
		dst = strconv.AppendInt(dst, int64(*x.ReplyCode), 10)
	} else {
		dst = append(dst, "null"...)
	}
	dst = append(dst, `,"enhanced_code":`...)
	if x.EnhancedCode != nil {
		dst = appendJSONString(dst, *x.EnhancedCode)
	} else {
		dst = append(dst, "null"...)
	}
	dst = appendOptString(dst, `,"class":`, x.Class)
	dst = appendOptString(dst, `,"class_title":`, x.ClassTitle.In(lang))
	if x.Subject != nil {
		dst = append(dst, `,"subject":{"number":`...)
		dst = strconv.AppendInt(dst, int64(x.Subject.Number), 10)
		dst = append(dst, `,"title":`...)
		dst = appendJSONString(dst, x.Subject.Title.In(lang))
		dst = append(dst, `,"description":`...)
		dst = appendJSONString(dst, x.Subject.Description.In(lang))
		dst = append(dst, '}')
	}
	if x.Detail != nil {
		dst = append(dst, `,"detail":{"title":`...)
		dst = appendJSONString(dst, x.Detail.Title.In(lang))
		dst = append(dst, `,"description":`...)
		dst = appendJSONString(dst, x.Detail.Description.In(lang))
		dst = append(dst, '}')
	}
	dst = append(dst, `,"registered":`...)
	dst = strconv.AppendBool(dst, x.Registered)
	if x.Basic != nil {
		dst = append(dst, `,"basic":{"code":`...)
		dst = strconv.AppendInt(dst, int64(x.Basic.Code), 10)
		dst = append(dst, `,"title":`...)
		dst = appendJSONString(dst, x.Basic.Title.In(lang))
		dst = append(dst, `,"description":`...)
		dst = appendJSONString(dst, x.Basic.Description.In(lang))
		dst = appendOptString(dst, `,"reference":`, x.Basic.Reference)
		dst = append(dst, '}')
	}
	dst = appendOptString(dst, `,"reference":`, x.Reference)
	dst = append(dst, `,"bounce":`...)
	dst = appendJSONString(dst, x.Bounce)
	dst = append(dst, `,"reason":`...)
	dst = appendJSONString(dst, string(x.Reason))
	dst = append(dst, `,"reason_source":`...)
	dst = appendJSONString(dst, x.ReasonSource)
	if x.Provider != nil {
		dst = x.Provider.appendJSON(dst, lang)
	}
	dst = append(dst, `,"consistent":`...)
	dst = strconv.AppendBool(dst, x.Consistent)
	dst = appendOptString(dst, `,"inconsistency":`, x.Inconsistency.In(lang))
	dst = append(dst, `,"responsible":`...)
	dst = appendJSONString(dst, x.Responsible)
	dst = append(dst, `,"actionable":{"level":`...)
	dst = appendJSONString(dst, x.Actionable.Level)
	dst = append(dst, `,"by":`...)
	dst = appendJSONString(dst, x.Actionable.By)
	dst = append(dst, `,"text":`...)
	dst = appendJSONString(dst, x.Actionable.Text.In(lang))
	dst = append(dst, `},"title":`...)
	dst = appendJSONString(dst, x.Title.In(lang))
	dst = append(dst, `,"description":`...)
	dst = appendJSONString(dst, x.Description.In(lang))
	dst = append(dst, `,"advice":`...)
	if x.Advice == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i, a := range x.Advice {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, a.In(lang))
		}
		dst = append(dst, ']')
	}
	dst = appendOptString(dst, `,"command":`, x.Command)
	dst = appendOptString(dst, `,"remote_host":`, x.RemoteHost)
	dst = appendOptString(dst, `,"remote_ip":`, x.RemoteIP)
	if len(x.Rules) > 0 {
		dst = append(dst, `,"rules":[`...)
		for i, r := range x.Rules {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"id":`...)
			dst = appendJSONString(dst, r.ID)
			dst = append(dst, `,"provider":`...)
			dst = appendJSONString(dst, r.Provider)
			dst = appendOptString(dst, `,"source":`, r.Source)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	return dst
}

// appendJSON appends the "provider" member.
func (p *ProviderInfo) appendJSON(dst []byte, lang i18n.Lang) []byte {
	dst = append(dst, `,"provider":{"name":`...)
	dst = appendJSONString(dst, p.Name)
	dst = appendOptString(dst, `,"kind":`, p.Kind)
	dst = append(dst, `,"display":`...)
	dst = appendJSONString(dst, p.Display)
	dst = appendOptString(dst, `,"evidence":`, p.Evidence)
	dst = appendOptString(dst, `,"rule":`, p.Rule)
	dst = appendOptString(dst, `,"meaning":`, p.Meaning.In(lang))
	if len(p.Tags) > 0 {
		dst = append(dst, `,"tags":`...)
		dst = appendStrings(dst, p.Tags)
	}
	if len(p.Guidance) > 0 {
		dst = append(dst, `,"guidance":[`...)
		for i, g := range p.Guidance {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"title":`...)
			dst = appendJSONString(dst, g.Title.In(lang))
			dst = appendOptString(dst, `,"url":`, g.URL)
			dst = append(dst, `,"text":`...)
			dst = appendJSONString(dst, g.Text.In(lang))
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	dst = append(dst, '}')
	return dst
}

func appendOptString(dst []byte, key, s string) []byte {
	if s == "" {
		return dst
	}
	dst = append(dst, key...)
	return appendJSONString(dst, s)
}

func appendStrings(dst []byte, ss []string) []byte {
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, s)
	}
	return append(dst, ']')
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does without HTML escaping:
// control characters escaped, invalid UTF-8 replaced by U+FFFD, U+2028 and
// U+2029 escaped.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
