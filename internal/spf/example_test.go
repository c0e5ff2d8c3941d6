package spf_test

import (
	"fmt"

	"github.com/mxprobe/mxprobe/internal/spf"
)

func ExampleParse() {
	r, err := spf.Parse("v=spf1 ip4:192.0.2.0/24 include:_spf.example.net ~all")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range r.Directives {
		fmt.Printf("%c %s %s\n", d.Qualifier, d.Mechanism, d.Text)
	}

	_, err = spf.Parse("v=spf1 a:192.0.2.7 -all")
	fmt.Println(err)
	// Output:
	// + ip4 ip4:192.0.2.0/24
	// + include include:_spf.example.net
	// ~ all ~all
	// spf: syntax error in term "a:192.0.2.7": "192.0.2.7" is an IP address, not a domain (use ip4:192.0.2.7)
}
