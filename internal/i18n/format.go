package i18n

import (
	"fmt"
	"strings"
)

// Tf builds a Text from two format strings that share one argument list, the
// way fmt.Sprintf does. Both languages are formatted now; the language is
// chosen later, when the text is rendered (Text.In).
//
// The German format may use explicit argument indexes (%[2]s … %[1]d) when
// German word order needs the arguments in another order.
func Tf(en, de string, args ...any) Text {
	return Text{EN: fmt.Sprintf(en, args...), DE: fmt.Sprintf(de, args...)}
}

// Plural returns one when n is exactly 1 and other otherwise. English and German
// both use the singular only for exactly one ("0 lines", "1 line", "2 lines";
// "0 Zeilen", "1 Zeile", "2 Zeilen"), so one rule serves both languages; the
// texts carry the number themselves, typically built with Tf:
//
//	i18n.Plural(n, i18n.Tf("%d host", "%d Host", n), i18n.Tf("%d hosts", "%d Hosts", n))
func Plural(n int, one, other Text) Text {
	if n == 1 {
		return one
	}
	return other
}

// OrEnglish returns texts when it holds one text per English string in en,
// else en itself as texts (the same words in both languages): values decoded
// from JSON carry the English words only.
func OrEnglish(texts []Text, en []string) []Text {
	if len(texts) == len(en) {
		return texts
	}
	out := make([]Text, len(en))
	for i, s := range en {
		out[i] = T(s, s)
	}
	return out
}

// Join joins texts with sep, each language on its own.
func Join(texts []Text, sep string) Text {
	en, de := make([]string, len(texts)), make([]string, len(texts))
	for i, t := range texts {
		en[i], de[i] = t.EN, t.DE
	}
	return T(strings.Join(en, sep), strings.Join(de, sep))
}
