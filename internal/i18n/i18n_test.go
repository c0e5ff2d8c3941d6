package i18n

import "testing"

func TestDetect(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want Lang
	}{
		{map[string]string{}, EN},
		{map[string]string{"LANG": "de_DE.UTF-8"}, DE},
		{map[string]string{"LANG": "de_DE.UTF-8", "LC_ALL": "en_US.UTF-8"}, EN},
		{map[string]string{"LANG": "en_US.UTF-8", "LC_MESSAGES": "de_AT"}, DE},
		{map[string]string{"LC_ALL": "C"}, EN},
	}
	for _, c := range cases {
		got := Detect(func(k string) string { return c.env[k] })
		if got != c.want {
			t.Errorf("Detect(%v) = %s, want %s", c.env, got, c.want)
		}
	}
}

func TestTextIn(t *testing.T) {
	x := T("hello", "Grüße")
	if x.In(DE) != "Grüße" || x.In(EN) != "hello" || !x.Complete() {
		t.Fatalf("unexpected %+v", x)
	}
	if (Text{EN: "only"}).Complete() {
		t.Fatal("half text reported complete")
	}
}
