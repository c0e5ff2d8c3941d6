package acmatch

import (
	"math/rand"
	"sort"
	"strings"
	"testing"
)

// TestScanAgainstNaive compares the automaton with strings.Index on random
// texts over a small alphabet (many overlaps), including non-ASCII phrases.
func TestScanAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	alpha := []string{"a", "b", "c", " ", "ä", "ö", "日", "本"}
	word := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(alpha[rng.Intn(len(alpha))])
		}
		return b.String()
	}
	for round := 0; round < 200; round++ {
		var pats []string
		for i := 0; i < 1+rng.Intn(20); i++ {
			pats = append(pats, word(1+rng.Intn(5)))
		}
		m := Build(pats)
		text := word(rng.Intn(60))
		var got []string
		m.Scan(text, func(p int32, end int) {
			got = append(got, pats[p]+"@"+itoa(end))
		})
		var want []string
		for _, p := range pats {
			for i := 0; i+len(p) <= len(text); i++ {
				if text[i:i+len(p)] == p {
					want = append(want, p+"@"+itoa(i+len(p)))
				}
			}
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("patterns %q text %q:\n got %v\nwant %v", pats, text, got, want)
		}
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for n > 0 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return s
}

func TestLowerASCII(t *testing.T) {
	if LowerASCII("ÄbC Déf") != "Äbc déf" || LowerASCII("abc") != "abc" {
		t.Fatal(LowerASCII("ÄbC Déf"))
	}
}
