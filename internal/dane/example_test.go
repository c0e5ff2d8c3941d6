package dane_test

import (
	"fmt"

	"github.com/mxprobe/mxprobe/internal/dane"
)

func ExampleParseRecord() {
	r, err := dane.ParseRecord("3 1 1 2bb6ef9a 5f3e0d14")
	fmt.Println(dane.Format(r), err)
	_, err = dane.ParseRecord("3 1 1 xyz")
	fmt.Println(err)
	// Output:
	// 3 1 1 2bb6ef9a5f3e0d14 <nil>
	// dane: invalid TLSA record: association data is not hex
}
