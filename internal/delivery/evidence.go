package delivery

import "sort"

// Evidence returns the events about v and its controls, in time order, with
// scans reduced to these tokens (other probes are not part of this
// evidence): the evidence pack of `probe show`.
func Evidence(evs []Event, v ProbeVerdict) []Event {
	want := map[string]bool{v.Token: true}
	for _, c := range v.Controls {
		want[c.Token] = true
	}
	out := []Event{}
	for _, ev := range evs {
		switch ev.Kind {
		case KindSent, KindDSN:
			if want[ev.Token] {
				out = append(out, ev)
			}
		case KindScan:
			if sc := scanFor(ev.Scan, want); sc != nil {
				ev.Scan = sc
				out = append(out, ev)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// scanFor is a copy of sc reduced to the wanted tokens; nil when it looked
// for none of them.
func scanFor(sc *Scan, want map[string]bool) *Scan {
	if sc == nil {
		return nil
	}
	c := *sc
	var toks []string
	for _, t := range c.Tokens {
		if want[t] {
			toks = append(toks, t)
		}
	}
	if len(toks) == 0 {
		return nil
	}
	c.Tokens = toks
	var found []Sighting
	for _, f := range c.Found {
		if want[f.Token] {
			found = append(found, f)
		}
	}
	c.Found = found
	return &c
}
