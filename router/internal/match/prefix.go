package match

import "strings"

// pnode is a node of the prefix radix trie. Every edge carries a non-empty
// byte string (label); a node's children start with distinct bytes, kept
// sorted in keys so a walk costs O(len(uri)) whatever the number of patterns.
//
// Invariant (kept by del): every node except the root either holds a value or
// has at least two children, so the trie has at most 2×entries nodes.
type pnode[V any] struct {
	label string // edge label from the parent; "" only at the root
	has   bool   // a pattern ends here
	pat   string // the full pattern, when has
	val   V
	keys  []byte // keys[i] == kids[i].label[0], sorted ascending
	kids  []*pnode[V]
}

// child returns the index of the child whose label starts with b, or -1.
// Linear: at most 256 children, and almost always a handful.
func (n *pnode[V]) child(b byte) int {
	for i, k := range n.keys {
		if k == b {
			return i
		}
		if k > b {
			break
		}
	}
	return -1
}

// addKid inserts c keeping keys sorted.
func (n *pnode[V]) addKid(c *pnode[V]) {
	b := c.label[0]
	i := 0
	for i < len(n.keys) && n.keys[i] < b {
		i++
	}
	n.keys = append(n.keys, 0)
	n.kids = append(n.kids, nil)
	copy(n.keys[i+1:], n.keys[i:])
	copy(n.kids[i+1:], n.kids[i:])
	n.keys[i], n.kids[i] = b, c
}

// removeKid drops the child at index i.
func (n *pnode[V]) removeKid(i int) {
	n.keys = append(n.keys[:i], n.keys[i+1:]...)
	copy(n.kids[i:], n.kids[i+1:])
	n.kids[len(n.kids)-1] = nil // release the pointer
	n.kids = n.kids[:len(n.kids)-1]
}

// find returns the node where pattern s ends, or nil.
func (n *pnode[V]) find(s string) *pnode[V] {
	for s != "" {
		i := n.child(s[0])
		if i < 0 || !strings.HasPrefix(s, n.kids[i].label) {
			return nil
		}
		n = n.kids[i]
		s = s[len(n.label):]
	}
	return n
}

// set stores v under pattern s (n is the root) and reports whether s is new.
func (n *pnode[V]) set(s string, v V) bool {
	full := s
	for s != "" {
		i := n.child(s[0])
		if i < 0 {
			n.addKid(&pnode[V]{label: s, has: true, pat: full, val: v})
			return true
		}
		c := n.kids[i]
		l := commonPrefix(c.label, s)
		if l < len(c.label) { // split the edge at l
			mid := &pnode[V]{label: c.label[:l]}
			c.label = c.label[l:]
			mid.keys = []byte{c.label[0]}
			mid.kids = []*pnode[V]{c}
			n.kids[i] = mid
			c = mid
		}
		n, s = c, s[l:]
	}
	added := !n.has
	n.has, n.pat, n.val = true, full, v
	return added
}

// del removes pattern s (n is the root) and reports whether it was present.
// It restores the trie invariant: an emptied leaf is removed, and a non-root
// node left without a value and with a single child is merged into it.
func (n *pnode[V]) del(s string) bool {
	var parent *pnode[V]
	pi := -1 // index of n in parent.kids
	for s != "" {
		i := n.child(s[0])
		if i < 0 || !strings.HasPrefix(s, n.kids[i].label) {
			return false
		}
		parent, pi = n, i
		n = n.kids[i]
		s = s[len(n.label):]
	}
	if !n.has {
		return false
	}
	var zero V
	n.has, n.pat, n.val = false, "", zero
	if parent == nil { // the root (pattern "") stays
		return true
	}
	switch len(n.kids) {
	case 0:
		parent.removeKid(pi)
		// parent may now break the invariant: merge it into its only child.
		// Its own parent is not known here; merging in place keeps the
		// pointer parent's parent holds valid.
		if parent.label != "" && !parent.has && len(parent.kids) == 1 {
			parent.absorbOnlyKid()
		}
	case 1:
		n.absorbOnlyKid()
	}
	return true
}

// absorbOnlyKid merges n's single child into n, in place, so pointers to n
// stay valid: n takes the child's value and children and the joined label.
func (n *pnode[V]) absorbOnlyKid() {
	c := n.kids[0]
	n.label += c.label
	n.has, n.pat, n.val = c.has, c.pat, c.val
	n.keys, n.kids = c.keys, c.kids
}

// appendAll appends the value of every pattern that is a prefix of uri,
// shortest first (n is the root).
func (n *pnode[V]) appendAll(uri string, dst []V) []V {
	if n.has {
		dst = append(dst, n.val)
	}
	for s := uri; s != ""; {
		i := n.child(s[0])
		if i < 0 || !strings.HasPrefix(s, n.kids[i].label) {
			break
		}
		n = n.kids[i]
		s = s[len(n.label):]
		if n.has {
			dst = append(dst, n.val)
		}
	}
	return dst
}

// longest returns the node of the longest pattern that is a prefix of uri,
// or nil (n is the root).
func (n *pnode[V]) longest(uri string) *pnode[V] {
	var best *pnode[V]
	if n.has {
		best = n
	}
	for s := uri; s != ""; {
		i := n.child(s[0])
		if i < 0 || !strings.HasPrefix(s, n.kids[i].label) {
			break
		}
		n = n.kids[i]
		s = s[len(n.label):]
		if n.has {
			best = n
		}
	}
	return best
}

// collect appends every pattern below n to dst, in no particular order
// (Table.Each sorts). Iterative: patterns "a", "aa", "aaa"... make the trie
// as deep as it has entries.
func (n *pnode[V]) collect(dst []entry[V]) []entry[V] {
	st := []*pnode[V]{n}
	for len(st) > 0 {
		n = st[len(st)-1]
		st = st[:len(st)-1]
		if n.has {
			dst = append(dst, entry[V]{n.pat, n.val})
		}
		st = append(st, n.kids...)
	}
	return dst
}

func commonPrefix(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}
