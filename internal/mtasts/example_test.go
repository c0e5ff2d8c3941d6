package mtasts_test

import (
	"fmt"

	"github.com/mxprobe/mxprobe/internal/mtasts"
)

func ExampleMatchMX() {
	p, _, err := mtasts.ParsePolicy("version: STSv1\nmode: enforce\nmx: *.mail.example.com\nmax_age: 604800\n")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, h := range []string{"mx1.mail.example.com", "mail.example.com", "a.b.mail.example.com"} {
		fmt.Println(h, mtasts.MatchMX(p, h))
	}
	// Output:
	// mx1.mail.example.com true
	// mail.example.com false
	// a.b.mail.example.com false
}
