// Package iprev checks the reverse DNS of an IP address and whether it is
// forward-confirmed ("FCrDNS"): the "iprev" method of RFC 8601 §3. It is
// used for every MX address and for the sender's own outbound IP, and also
// flags names that look like dynamic or generic access ranges.
package iprev

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"

	"github.com/mxprobe/mxprobe/internal/resolver"
)

// Status is the iprev result word of RFC 8601 §2.7.3.
type Status string

const (
	// StatusPass: a PTR name resolves back to the IP.
	StatusPass Status = "pass"
	// StatusFail: PTR names exist but none resolves back to the IP.
	StatusFail Status = "fail"
	// StatusTempError: a lookup failed in a way that may be transient.
	StatusTempError Status = "temperror"
	// StatusPermError: there is no PTR record for the IP (NXDOMAIN or NODATA).
	StatusPermError Status = "permerror"
)

// Errors explaining a Result; match with errors.Is.
var (
	ErrNoPTR        = errors.New("iprev: no PTR record")
	ErrNotConfirmed = errors.New("iprev: no PTR name resolves back to the address")
	ErrTemporary    = errors.New("iprev: DNS lookup failed temporarily")
	ErrInvalidIP    = errors.New("iprev: invalid IP address")
)

// MaxNames is the number of PTR names forward-checked; RFC 8601 §3 lets an
// implementation limit them (a PTR RRset can be large).
const MaxNames = 10

// Name is one PTR name with its forward check.
type Name struct {
	// Name is the PTR target, lower case, without the trailing dot.
	Name string `json:"name"`
	// Checked is false for names beyond MaxNames (not forward-checked).
	Checked bool `json:"checked"`
	// ForwardStatus is the outcome of the A (for IPv4) or AAAA (for IPv6)
	// lookup of Name.
	ForwardStatus resolver.Status `json:"forward_status,omitempty"`
	// IPs are the addresses Name resolves to.
	IPs []netip.Addr `json:"ips,omitempty"`
	// Confirmed is set when IPs contains the checked address.
	Confirmed bool `json:"confirmed"`
	// Generic is set when the name looks like a dynamic/access-range name;
	// GenericReason says why.
	Generic       bool   `json:"generic"`
	GenericReason string `json:"generic_reason,omitempty"`
}

// Result is the typed outcome of Check. Result is always set.
type Result struct {
	// IP is the checked address.
	IP netip.Addr `json:"ip"`
	// Result is the RFC 8601 iprev word: pass, fail, temperror, permerror.
	Result Status `json:"result"`
	// ReverseName is the queried in-addr.arpa / ip6.arpa name.
	ReverseName string `json:"reverse_name"`
	// PTRStatus is the raw status of the PTR query.
	PTRStatus resolver.Status `json:"ptr_status"`
	// Names are the PTR names in answer order.
	Names []Name `json:"names"`
	// Host is the first forward-confirmed name (empty unless pass).
	Host string `json:"host,omitempty"`
	// Error explains a result other than pass.
	Error string `json:"error,omitempty"`
	Err   error  `json:"-"`
}

// Generic reports whether the name used for this IP (the confirmed one,
// else the first PTR name) looks dynamic or generic.
func (r Result) Generic() (Name, bool) {
	if n, ok := r.primary(); ok && n.Generic {
		return n, true
	}
	return Name{}, false
}

func (r Result) primary() (Name, bool) {
	for _, n := range r.Names {
		if n.Confirmed {
			return n, true
		}
	}
	if len(r.Names) > 0 {
		return r.Names[0], true
	}
	return Name{}, false
}

// Check looks up the PTR records of ip and forward-confirms each name
// (RFC 8601 §3), the PTR names concurrently.
func Check(ctx context.Context, r resolver.Lookuper, ip netip.Addr) Result {
	ip = ip.Unmap()
	res := Result{IP: ip, Names: []Name{}}
	fail := func(s Status, err error) Result {
		res.Result, res.Err, res.Error = s, err, err.Error()
		return res
	}
	if !ip.IsValid() {
		return fail(StatusPermError, ErrInvalidIP)
	}
	res.ReverseName = resolver.ReverseName(ip)

	ans := r.Lookup(ctx, res.ReverseName, resolver.TypePTR)
	res.PTRStatus = ans.Status
	switch {
	case ans.Status.Temporary():
		return fail(StatusTempError, fmt.Errorf("%w: PTR %s: %s%s", ErrTemporary, res.ReverseName, ans.Status, errSuffix(ans.Err)))
	case ans.Status != resolver.StatusOK || len(ans.PTR) == 0:
		// RFC 8601 §2.7.3 permerror: no PTR data published for the address.
		return fail(StatusPermError, fmt.Errorf("%w for %s (%s)", ErrNoPTR, ip, ans.Status))
	}

	seen := map[string]bool{}
	for _, p := range ans.PTR {
		n := strings.TrimSuffix(strings.ToLower(p), ".")
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		g, why := Generic(n, ip)
		res.Names = append(res.Names, Name{Name: n, Generic: g, GenericReason: why})
	}

	t := resolver.TypeA
	if ip.Is6() {
		t = resolver.TypeAAAA
	}
	var wg sync.WaitGroup
	for i := range res.Names {
		if i >= MaxNames {
			break
		}
		res.Names[i].Checked = true
		wg.Add(1)
		go func(n *Name) {
			defer wg.Done()
			fa := r.Lookup(ctx, n.Name, t)
			n.ForwardStatus = fa.Status
			if fa.Status == resolver.StatusOK {
				n.IPs = fa.IPs
				for _, a := range fa.IPs {
					if a.Unmap() == ip {
						n.Confirmed = true
					}
				}
			}
		}(&res.Names[i])
	}
	wg.Wait()

	temp := false
	for _, n := range res.Names {
		if n.Confirmed {
			res.Result, res.Host = StatusPass, n.Name
			return res
		}
		temp = temp || n.ForwardStatus.Temporary()
	}
	if temp {
		// A name might have confirmed had its lookup succeeded (RFC 8601
		// §2.7.3: temperror for transient errors).
		return fail(StatusTempError, fmt.Errorf("%w: forward lookup of the PTR names of %s", ErrTemporary, ip))
	}
	return fail(StatusFail, fmt.Errorf("%w: %s → %s", ErrNotConfirmed, ip, namesList(res.Names)))
}

func namesList(ns []Name) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = n.Name
	}
	return strings.Join(parts, ", ")
}

func errSuffix(err error) string {
	if err == nil {
		return ""
	}
	return " (" + err.Error() + ")"
}
