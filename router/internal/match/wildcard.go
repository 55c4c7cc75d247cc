package match

import "strings"

// wnode is a node of the wildcard component trie: level k holds the k-th
// "."-separated component of a pattern. A non-empty component follows lit,
// an empty one (the wildcard) follows any. lit never has the key "".
type wnode[V any] struct {
	lit  map[string]*wnode[V] // nil until the first literal child
	any  *wnode[V]
	has  bool   // a pattern ends at this depth
	pat  string // the full pattern, when has
	val  V
	nkid int // len(lit) + (any != nil), to prune without counting
}

// nextComp splits s at its first '.': comp is the first component, rest the
// remainder, and last reports that comp was the final component.
func nextComp(s string) (comp, rest string, last bool) {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return s[:i], s[i+1:], false
	}
	return s, "", true
}

// step returns the child for component comp, creating it if create is set.
func (n *wnode[V]) step(comp string, create bool) *wnode[V] {
	if comp == "" {
		if n.any == nil && create {
			n.any = &wnode[V]{}
			n.nkid++
		}
		return n.any
	}
	c := n.lit[comp]
	if c == nil && create {
		if n.lit == nil {
			n.lit = make(map[string]*wnode[V])
		}
		c = &wnode[V]{}
		n.lit[comp] = c
		n.nkid++
	}
	return c
}

// set stores v under pattern pat (n is the root) and reports whether it is new.
// Every pattern has at least one component ("" is one empty component).
func (n *wnode[V]) set(pat string, v V) bool {
	for s, last := pat, false; !last; {
		var comp string
		comp, s, last = nextComp(s)
		n = n.step(comp, true)
	}
	added := !n.has
	n.has, n.pat, n.val = true, pat, v
	return added
}

// find returns the node where pattern pat ends, or nil.
func (n *wnode[V]) find(pat string) *wnode[V] {
	for s, last := pat, false; !last && n != nil; {
		var comp string
		comp, s, last = nextComp(s)
		n = n.step(comp, false)
	}
	return n
}

// del removes pattern pat (n is the root), prunes the nodes it leaves empty,
// and reports whether pat was present. Iterative, like the matchers: a
// pattern may have millions of components, and recursion that deep would
// overflow the goroutine stack.
func (n *wnode[V]) del(pat string) bool {
	type step struct {
		parent *wnode[V]
		comp   string
	}
	var path []step
	for s, last := pat, false; !last; {
		var comp string
		comp, s, last = nextComp(s)
		c := n.step(comp, false)
		if c == nil {
			return false
		}
		path = append(path, step{n, comp})
		n = c
	}
	if !n.has {
		return false
	}
	var zero V
	n.has, n.pat, n.val = false, "", zero
	// Unlink emptied nodes bottom-up; the root is never unlinked.
	for i := len(path) - 1; i >= 0 && !n.has && n.nkid == 0; i-- {
		p := path[i]
		if p.comp == "" {
			p.parent.any = nil
		} else {
			delete(p.parent.lit, p.comp)
		}
		p.parent.nkid--
		n = p.parent
	}
	return true
}

// frame is a pending visit in the iterative depth-first matchers: node n was
// reached by consuming a component; rest holds the components still to
// match, and last reports that none remain (n must then hold a pattern).
type frame[V any] struct {
	n    *wnode[V]
	rest string
	last bool
}

// stackFrames is how deep a match goes before its explicit stack spills from
// the goroutine stack to the heap.
const stackFrames = 32

// appendAll appends the value of every pattern matching uri (n is the root),
// from the least to the most specific: at each level the any child is
// visited before the literal child, so a pattern whose first wildcard comes
// earlier is appended first (the reverse of best's precedence).
func (n *wnode[V]) appendAll(uri string, dst []V) []V {
	var buf [stackFrames]frame[V]
	st := append(buf[:0], frame[V]{n: n, rest: uri})
	for len(st) > 0 {
		f := st[len(st)-1]
		st = st[:len(st)-1]
		if f.last {
			if f.n.has {
				dst = append(dst, f.n.val)
			}
			continue
		}
		comp, rest, last := nextComp(f.rest)
		// Pushed in reverse visiting order: literal, then any.
		if comp != "" {
			if c := f.n.lit[comp]; c != nil {
				st = append(st, frame[V]{c, rest, last})
			}
		}
		if c := f.n.any; c != nil {
			st = append(st, frame[V]{c, rest, last})
		}
	}
	return dst
}

// best returns the node of the most specific wildcard pattern matching uri,
// or nil (n is the root). Depth-first with the literal child before the any
// child, so the first complete match is the pattern whose leftmost wildcard
// lies furthest right, ties resolved the same way at the next wildcard:
// WAMP's "longest portion of URI components matched before each wildcard".
// Two distinct patterns matching the same URI always differ at some
// wildcard position, so there are no ties to break.
func (n *wnode[V]) best(uri string) *wnode[V] {
	var buf [stackFrames]frame[V]
	st := append(buf[:0], frame[V]{n: n, rest: uri})
	for len(st) > 0 {
		f := st[len(st)-1]
		st = st[:len(st)-1]
		if f.last {
			if f.n.has {
				return f.n
			}
			continue
		}
		comp, rest, last := nextComp(f.rest)
		// Pushed in reverse visiting order: any, then literal.
		if c := f.n.any; c != nil {
			st = append(st, frame[V]{c, rest, last})
		}
		if comp != "" {
			if c := f.n.lit[comp]; c != nil {
				st = append(st, frame[V]{c, rest, last})
			}
		}
	}
	return nil
}

// collect appends every pattern below n to dst, in no particular order
// (Table.Each sorts). Iterative for the same reason as del.
func (n *wnode[V]) collect(dst []entry[V]) []entry[V] {
	st := []*wnode[V]{n}
	for len(st) > 0 {
		n = st[len(st)-1]
		st = st[:len(st)-1]
		if n.has {
			dst = append(dst, entry[V]{n.pat, n.val})
		}
		if n.any != nil {
			st = append(st, n.any)
		}
		for _, c := range n.lit {
			st = append(st, c)
		}
	}
	return dst
}
