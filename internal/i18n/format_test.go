package i18n

import "testing"

func TestTf(t *testing.T) {
	x := Tf("%d of %s", "%[2]s: %[1]d", 3, "MX")
	if x.EN != "3 of MX" || x.DE != "MX: 3" {
		t.Fatalf("Tf = %+v", x)
	}
}

func TestPlural(t *testing.T) {
	form := func(n int) Text {
		return Plural(n, Tf("%d line", "%d Zeile", n), Tf("%d lines", "%d Zeilen", n))
	}
	cases := []struct {
		n      int
		en, de string
	}{
		{0, "0 lines", "0 Zeilen"},
		{1, "1 line", "1 Zeile"},
		{2, "2 lines", "2 Zeilen"},
		{1000, "1000 lines", "1000 Zeilen"},
	}
	for _, c := range cases {
		got := form(c.n)
		if got.In(EN) != c.en || got.In(DE) != c.de {
			t.Errorf("Plural(%d) = %+v, want %q/%q", c.n, got, c.en, c.de)
		}
	}
}
