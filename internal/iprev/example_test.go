package iprev_test

import (
	"fmt"
	"net/netip"

	"github.com/mxprobe/mxprobe/internal/iprev"
)

func ExampleGeneric() {
	ip := netip.MustParseAddr("198.51.100.7")
	for _, name := range []string{"mail.example.com", "198-51-100-7.dyn.isp.example", "dsl-pool-12.isp.example"} {
		g, why := iprev.Generic(name, ip)
		if g {
			fmt.Printf("%s: generic, %s\n", name, why)
		} else {
			fmt.Printf("%s: fine\n", name)
		}
	}
	// Output:
	// mail.example.com: fine
	// 198-51-100-7.dyn.isp.example: generic, contains the IP address's digits
	// dsl-pool-12.isp.example: generic, contains "dsl", typical of dynamic or access-network names
}
