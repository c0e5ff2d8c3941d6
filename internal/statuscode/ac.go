package statuscode

// acMatcher is an Aho-Corasick automaton compiled to a DFA over byte classes,
// so that classifying a reply costs one table lookup per byte no matter how
// many phrases there are. Input must be lower case (see normalizeInto).
type acMatcher struct {
	class  [256]uint8
	nclass int
	next   []int32   // state*nclass + class → next state
	out    [][]int32 // state → pattern indices ending here (fail chain merged)
	lens   []int32   // pattern index → length
}

func buildAC(patterns []string) *acMatcher {
	m := &acMatcher{}
	// Byte classes: class 0 is every byte that no pattern uses.
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			if m.class[p[i]] == 0 {
				m.nclass++
				m.class[p[i]] = uint8(m.nclass)
			}
		}
	}
	m.nclass++
	// Trie.
	type node struct {
		child map[uint8]int32
		fail  int32
		out   []int32
	}
	nodes := []node{{child: map[uint8]int32{}}}
	m.lens = make([]int32, len(patterns))
	for pi, p := range patterns {
		m.lens[pi] = int32(len(p))
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
	// Breadth-first: failure links and the full transition table.
	m.next = make([]int32, len(nodes)*m.nclass)
	m.out = make([][]int32, len(nodes))
	queue := make([]int32, 0, len(nodes))
	for c := 0; c < m.nclass; c++ {
		if nx, ok := nodes[0].child[uint8(c)]; ok {
			m.next[c] = nx
			nodes[nx].fail = 0
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
				m.next[int(s)*m.nclass+c] = nx
				nodes[nx].fail = m.next[int(f)*m.nclass+c]
				queue = append(queue, nx)
			} else {
				m.next[int(s)*m.nclass+c] = m.next[int(f)*m.nclass+c]
			}
		}
	}
	return m
}

// scan calls fn for every pattern occurrence, with the index just past its end.
func (m *acMatcher) scan(text []byte, fn func(pat int32, end int)) {
	s := int32(0)
	n := m.nclass
	for i := 0; i < len(text); i++ {
		s = m.next[int(s)*n+int(m.class[text[i]])]
		if outs := m.out[s]; len(outs) > 0 {
			for _, p := range outs {
				fn(p, i+1)
			}
		}
	}
}
