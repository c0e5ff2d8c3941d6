package i18n

import "fmt"

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
