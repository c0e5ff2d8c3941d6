package dkim_test

import (
	"errors"
	"fmt"

	"github.com/mxprobe/mxprobe/internal/dkim"
)

func ExampleParseKey() {
	k, err := dkim.ParseKey("v=DKIM1; k=ed25519; t=y; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
	if err != nil {
		panic(err)
	}
	fmt.Println(k.KeyType, k.Bits, k.Testing, k.Revoked)

	k, _ = dkim.ParseKey("v=DKIM1; p=")
	fmt.Println("revoked:", k.Revoked)

	_, err = dkim.ParseKey("v=DKIM1; k=RSA; p=MIGf")
	fmt.Println(errors.Is(err, dkim.ErrKeyType))
	// Output:
	// ed25519 256 true false
	// revoked: true
	// true
}
