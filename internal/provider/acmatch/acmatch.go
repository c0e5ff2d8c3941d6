// Package acmatch is a small Aho-Corasick matcher for many fixed phrases in
// one pass over a text, used to classify replies and recognise providers at
// log speed.
package acmatch

// Matcher is an Aho-Corasick automaton compiled to a DFA over byte classes,
// so that a scan costs one table lookup per byte no matter how many phrases
// there are. To keep the table small (it must stay in the CPU cache), the
// bytes of non-ASCII phrases share a few classes; a match of such a phrase is
// confirmed by comparing the text.
type Matcher struct {
	class  [256]uint8
	nclass int
	next   []uint16  // state*nclass + class → next state
	next32 []int32   // used instead of next when there are more than 65535 states
	out    [][]int32 // state → pattern indices ending here (fail chain merged)
	pats   []string
	verify []bool // pattern has non-ASCII bytes: confirm the match
}

const nonASCIIClasses = 4

// Build compiles the patterns (byte strings; callers lower-case them).
func Build(patterns []string) *Matcher {
	m := &Matcher{pats: patterns, verify: make([]bool, len(patterns))}
	// Byte classes: 0 is every byte no pattern uses; 1..4 are the shared
	// non-ASCII classes; ASCII bytes used by patterns get one class each.
	used := [256]bool{}
	for pi, p := range patterns {
		for i := 0; i < len(p); i++ {
			if p[i] >= 0x80 {
				m.verify[pi] = true
			}
			used[p[i]] = true
		}
	}
	m.nclass = 1 + nonASCIIClasses
	for b := 0; b < 256; b++ {
		switch {
		case !used[b]:
		case b >= 0x80:
			m.class[b] = uint8(1 + b%nonASCIIClasses)
		default:
			m.class[b] = uint8(m.nclass)
			m.nclass++
		}
	}
	type node struct {
		child map[uint8]int32
		fail  int32
		out   []int32
	}
	nodes := []node{{child: map[uint8]int32{}}}
	for pi, p := range patterns {
		s := int32(0)
		for i := 0; i < len(p); i++ {
			c := m.class[p[i]]
			nx, ok := nodes[s].child[c]
			if !ok {
				nodes = append(nodes, node{child: map[uint8]int32{}})
				nx = int32(len(nodes) - 1)
				nodes[s].child[c] = nx
			}
			s = nx
		}
		nodes[s].out = append(nodes[s].out, int32(pi))
	}
	next := make([]int32, len(nodes)*m.nclass)
	m.out = make([][]int32, len(nodes))
	queue := make([]int32, 0, len(nodes))
	for c := 0; c < m.nclass; c++ {
		if nx, ok := nodes[0].child[uint8(c)]; ok {
			next[c] = nx
			queue = append(queue, nx)
		}
	}
	m.out[0] = nodes[0].out
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		f := nodes[s].fail
		m.out[s] = append(append([]int32(nil), nodes[s].out...), m.out[f]...)
		for c := 0; c < m.nclass; c++ {
			if nx, ok := nodes[s].child[uint8(c)]; ok {
				next[int(s)*m.nclass+c] = nx
				nodes[nx].fail = next[int(f)*m.nclass+c]
				queue = append(queue, nx)
			} else {
				next[int(s)*m.nclass+c] = next[int(f)*m.nclass+c]
			}
		}
	}
	if len(nodes) <= 1<<16 {
		m.next = make([]uint16, len(next))
		for i, v := range next {
			m.next[i] = uint16(v)
		}
	} else {
		m.next32 = next
	}
	return m
}

// Scan calls fn for every pattern occurrence, with the index just past its end.
func (m *Matcher) Scan(text string, fn func(pat int32, end int)) {
	n := m.nclass
	if m.next32 != nil {
		s := int32(0)
		for i := 0; i < len(text); i++ {
			s = m.next32[int(s)*n+int(m.class[text[i]])]
			if outs := m.out[s]; len(outs) > 0 {
				m.emit(text, outs, i+1, fn)
			}
		}
		return
	}
	s := uint16(0)
	for i := 0; i < len(text); i++ {
		s = m.next[int(s)*n+int(m.class[text[i]])]
		if outs := m.out[s]; len(outs) > 0 {
			m.emit(text, outs, i+1, fn)
		}
	}
}

func (m *Matcher) emit(text string, outs []int32, end int, fn func(int32, int)) {
	for _, p := range outs {
		if m.verify[p] {
			l := len(m.pats[p])
			if end < l || text[end-l:end] != m.pats[p] {
				continue
			}
		}
		fn(p, end)
	}
}

// Len returns the length of pattern p.
func (m *Matcher) Len(p int32) int { return len(m.pats[p]) }

// Stats reports the automaton's size: states and byte classes.
func (m *Matcher) Stats() (states, classes int) { return len(m.out), m.nclass }

// LowerASCII returns s with ASCII letters lower-cased (same length, so byte
// offsets stay valid); it allocates only if s has upper-case letters.
func LowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
