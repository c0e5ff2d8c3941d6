package lab

import "net/netip"

// extraScenarios adds scenarios beyond the base table (hostile peers and
// broken DNS for the hardening tests). next hands out the following lab
// addresses; use it for every SMTP host so addresses stay unique.
func extraScenarios(next func() netip.Addr) []Scenario {
	return nil
}
