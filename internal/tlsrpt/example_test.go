package tlsrpt_test

import (
	"fmt"

	"github.com/mxprobe/mxprobe/internal/tlsrpt"
)

func ExampleParse() {
	rec, _, err := tlsrpt.Parse("v=TLSRPTv1; rua=mailto:tls@example.com,https://reports.example.net/tlsrpt")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, u := range rec.RUA {
		fmt.Println(u.Scheme, u.Target)
	}
	_, _, err = tlsrpt.Parse("v=TLSRPTv1; rua=http://reports.example.net/")
	fmt.Println(err)
	// Output:
	// mailto tls@example.com
	// https reports.example.net
	// tlsrpt: syntax error: rua URI "http://reports.example.net/": scheme "http" is not allowed (only mailto: and https:, RFC 8460 §3)
}
