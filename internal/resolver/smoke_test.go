package resolver_test

import (
	"context"
	"testing"

	"github.com/mxprobe/mxprobe/internal/resolver"
	"github.com/mxprobe/mxprobe/internal/resolver/dnsserver"
)

func TestSmoke(t *testing.T) {
	s, err := dnsserver.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.AddRR("ok.lab.test. 300 IN MX 10 mx.ok.lab.test."); err != nil {
		t.Fatal(err)
	}
	s.AddA("mx.ok.lab.test", "192.0.2.1")
	s.AddTXT("ok.lab.test", "v=spf1 ", "-all")
	r, err := resolver.New(resolver.Config{Servers: []string{s.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, q := range []struct {
		n string
		t resolver.Type
	}{{"ok.lab.test", resolver.TypeMX}, {"OK.lab.test.", resolver.TypeTXT}, {"mx.ok.lab.test", resolver.TypeA}, {"mx.ok.lab.test", resolver.TypeAAAA}, {"lab.test", resolver.TypeA}, {"nx.lab.test", resolver.TypeA}} {
		a := r.Lookup(ctx, q.n, q.t)
		t.Logf("%+v", a)
	}
}
