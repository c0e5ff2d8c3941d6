package dmarc_test

import (
	"errors"
	"fmt"

	"github.com/mxprobe/mxprobe/internal/dmarc"
)

func ExampleParse() {
	r, err := dmarc.Parse("v=DMARC1; p=quarantine; sp=reject; rua=mailto:reports@example.com!10m; adkim=x")
	fmt.Println(r.Policy, r.SubdomainPolicyOrDefault(), r.ADKIM, r.RUA[0].Domain, r.RUA[0].MaxSize)
	for _, te := range dmarc.TagErrors(err) {
		fmt.Println(te.Tag, errors.Is(te, dmarc.ErrBadValue))
	}
	// Output:
	// quarantine reject r example.com 10m
	// adkim true
}

func ExampleAligned() {
	fmt.Println(dmarc.Aligned("example.com", "mail.example.com", false))
	fmt.Println(dmarc.Aligned("example.com", "mail.example.com", true))
	fmt.Println(dmarc.Aligned("example.co.uk", "other.co.uk", false))
	// Output:
	// true
	// false
	// false
}
