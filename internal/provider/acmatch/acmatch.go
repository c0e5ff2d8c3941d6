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
	next   []uint16 // state*nclass + class → next state
	next32 []int32  // used instead of next when there are more than 65535 states
	// Outputs: the patterns ending in a state are outs[outStart[s]:outStart[s+1]];
	// dict[s] is the nearest state on s's failure chain that has outputs
	// (-1 for none).
	outStart []int32
	outs     []int32
	dict     []int32
	pats     []string
	verify   []bool // pattern has non-ASCII bytes: confirm the match
}

const nonASCIIClasses = 4

// Build compiles the patterns (byte strings; callers lower-case them). It
// works on flat tables, so that building thousands of phrases takes about a
// millisecond (it happens at the first use in a short-lived process).
func Build(patterns []string) *Matcher {
	m := &Matcher{pats: patterns, verify: make([]bool, len(patterns))}
	// Byte classes: 0 is every byte no pattern uses; 1..4 are the shared
	// non-ASCII classes; ASCII bytes used by patterns get one class each.
	used := [256]bool{}
	total := 1
	for pi, p := range patterns {
		total += len(p)
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
	nc := m.nclass
	// Trie in the transition table itself: a non-zero entry is a child
	// (state 0, the root, is never a child).
	next := make([]int32, total*nc)
	states := int32(1)
	ownCount := make([]int32, total)
	ends := make([]int32, len(patterns))
	for pi, p := range patterns {
		s := int32(0)
		for i := 0; i < len(p); i++ {
			c := int32(m.class[p[i]])
			if next[s*int32(nc)+c] == 0 {
				next[s*int32(nc)+c] = states
				states++
			}
			s = next[s*int32(nc)+c]
		}
		ends[pi] = s
		ownCount[s]++
	}
	// Own outputs, grouped by state.
	m.outStart = make([]int32, states+1)
	for s := int32(0); s < states; s++ {
		m.outStart[s+1] = m.outStart[s] + ownCount[s]
	}
	m.outs = make([]int32, m.outStart[states])
	fill := append([]int32(nil), m.outStart[:states]...)
	for pi, s := range ends {
		m.outs[fill[s]] = int32(pi)
		fill[s]++
	}
	// Breadth-first: failure links, dictionary links and the full DFA. When a
	// state is taken from the queue its row still holds only its children.
	fail := make([]int32, states)
	m.dict = make([]int32, states)
	m.dict[0] = -1
	queue := make([]int32, 0, states)
	for c := 0; c < nc; c++ {
		if ch := next[c]; ch != 0 {
			fail[ch] = 0
			queue = append(queue, ch)
		}
	}
	hasOut := func(s int32) bool { return m.outStart[s+1] > m.outStart[s] }
	for qi := 0; qi < len(queue); qi++ {
		s := queue[qi]
		f := fail[s]
		if hasOut(f) {
			m.dict[s] = f
		} else {
			m.dict[s] = m.dict[f]
		}
		row, frow := int(s)*nc, int(f)*nc
		for c := 0; c < nc; c++ {
			if ch := next[row+c]; ch != 0 {
				fail[ch] = next[frow+c]
				queue = append(queue, ch)
			} else {
				next[row+c] = next[frow+c]
			}
		}
	}
	next = next[:int(states)*nc]
	if states <= 1<<16 {
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
			if m.outStart[s+1] > m.outStart[s] || m.dict[s] >= 0 {
				m.emit(text, s, i+1, fn)
			}
		}
		return
	}
	s := uint16(0)
	for i := 0; i < len(text); i++ {
		s = m.next[int(s)*n+int(m.class[text[i]])]
		if m.outStart[s+1] > m.outStart[s] || m.dict[s] >= 0 {
			m.emit(text, int32(s), i+1, fn)
		}
	}
}

func (m *Matcher) emit(text string, s int32, end int, fn func(int32, int)) {
	for ; s >= 0; s = m.dict[s] {
		for _, p := range m.outs[m.outStart[s]:m.outStart[s+1]] {
			if m.verify[p] {
				l := len(m.pats[p])
				if end < l || text[end-l:end] != m.pats[p] {
					continue
				}
			}
			fn(p, end)
		}
	}
}

// Len returns the length of pattern p.
func (m *Matcher) Len(p int32) int { return len(m.pats[p]) }

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
