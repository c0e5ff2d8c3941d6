package resolver_test

import (
	"context"
	"fmt"
	"time"

	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
)

// A check asks for typed answers and tells "no record" from "could not
// find out".
func Example() {
	srv, err := dnsserver.Start("127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	_ = srv.AddMX("xn--mller-kva.example", 10, "mx.example")
	srv.SetRule("down.example", 0, dnsserver.Rule{Drop: true})

	r, err := resolver.New(resolver.Config{Servers: []string{srv.Addr()}, Timeout: 100 * time.Millisecond, Attempts: 1})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	domain, unicode, err := resolver.NormalizeDomain("Müller.example")
	if err != nil {
		panic(err) // the CLI turns this into exit code 2
	}
	fmt.Println(domain, unicode)

	a := r.Lookup(ctx, domain, resolver.TypeMX)
	fmt.Println(a.Status, a.MX[0].Preference, a.MX[0].Host)
	fmt.Println(r.Lookup(ctx, domain, resolver.TypeA).Status) // the name exists, no A record
	fmt.Println(r.Lookup(ctx, "nothing.example", resolver.TypeMX).Status)
	down := r.Lookup(ctx, "down.example", resolver.TypeMX)
	fmt.Println(down.Status, down.Status.Temporary())
	// Output:
	// xn--mller-kva.example müller.example
	// noerror 10 mx.example
	// nodata
	// nxdomain
	// timeout true
}
