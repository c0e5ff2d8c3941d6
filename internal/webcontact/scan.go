package webcontact

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
)

// contactWords name an imprint or contact page (German and English; the
// words T-Online's section 4.1 and the EU directive 2000/31/EC art. 5 point
// to).
var contactWords = []string{"impressum", "imprint", "kontakt", "contact", "legal notice", "legal-notice"}

// found is what a page offers.
type found struct {
	direct   string // a mailto:/tel: link
	link     string // href of an imprint/contact link
	linkText string // its text (or href)
	word     string // a contact word in the visible text
}

// maxTokens bounds the tokenizer's work on hostile pages.
const maxTokens = 50000

// scan looks through an HTML (or plain text) page for contact details.
func scan(body []byte) found {
	var f found
	z := html.NewTokenizer(bytes.NewReader(body))
	var href string
	var text strings.Builder
	inA := false
	for i := 0; i < maxTokens; i++ {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return f
		case html.StartTagToken:
			name, hasAttr := z.TagName()
			if string(name) != "a" {
				continue
			}
			href, inA = "", true
			text.Reset()
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				if string(k) == "href" {
					href = strings.TrimSpace(string(v))
				}
			}
			lh := strings.ToLower(href)
			if f.direct == "" && (strings.HasPrefix(lh, "mailto:") || strings.HasPrefix(lh, "tel:")) {
				f.direct = href
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "a" && inA {
				inA = false
				t := strings.TrimSpace(text.String())
				if f.link == "" && href != "" && (hasWord(href) || hasWord(t)) {
					f.link, f.linkText = href, firstNonEmpty(t, href)
				}
			}
		case html.TextToken:
			t := string(z.Text())
			if inA && text.Len() < 256 {
				text.WriteString(t)
			}
			if f.word == "" {
				if w := wordIn(t); w != "" {
					f.word = w
				}
			}
		}
	}
	return f
}

func hasWord(s string) bool { return wordIn(s) != "" }

func wordIn(s string) string {
	l := strings.ToLower(s)
	for _, w := range contactWords {
		if strings.Contains(l, w) {
			return w
		}
	}
	return ""
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		if len(a) > 80 {
			a = strings.ToValidUTF8(a[:80], "")
		}
		return a
	}
	return b
}
