package match

import (
	"slices"
	"strings"

	"github.com/edgebar/edgebar/router/wamp"
)

// Table maps (pattern, Policy) keys to values: a broker's subscriptions, a
// dealer's registrations, an authorizer's permission rules.
//
// Set and Delete need exclusive access; Get, MatchAll, MatchBest, Len and
// Each may run concurrently with each other (callers guard a Table with
// their own sync.RWMutex: write lock for Set/Delete, read lock for the
// rest). The read methods never write to the Table.
//
// The zero Table is empty and ready to use.
type Table[V any] struct {
	exact  map[string]V
	prefix pnode[V] // root of the radix trie
	wild   wnode[V] // root of the component trie
	npre   int      // entries in prefix
	nwild  int      // entries in wild
}

// entry is one (pattern, value) pair collected for Each.
type entry[V any] struct {
	pat string
	val V
}

// NewTable returns an empty Table.
func NewTable[V any]() *Table[V] {
	return &Table[V]{exact: make(map[string]V)}
}

// Get returns the value stored under (pattern, p).
func (t *Table[V]) Get(pattern wamp.URI, p Policy) (V, bool) {
	var zero V
	switch p {
	case Exact:
		v, ok := t.exact[string(pattern)]
		return v, ok
	case Prefix:
		if n := t.prefix.find(string(pattern)); n != nil && n.has {
			return n.val, true
		}
	case Wildcard:
		if n := t.wild.find(string(pattern)); n != nil && n.has {
			return n.val, true
		}
	}
	return zero, false
}

// Set stores v under (pattern, p), replacing any previous value. The pattern
// is taken as is: callers check it first (wamp.ValidURI for Exact and Prefix,
// wamp.ValidPattern for Wildcard) and cap its length, since the wildcard
// trie costs one node per component. A Policy other than Exact, Prefix and
// Wildcard stores nothing (ParsePolicy never yields one).
func (t *Table[V]) Set(pattern wamp.URI, p Policy, v V) {
	switch p {
	case Exact:
		if t.exact == nil {
			t.exact = make(map[string]V)
		}
		t.exact[string(pattern)] = v
	case Prefix:
		if t.prefix.set(string(pattern), v) {
			t.npre++
		}
	case Wildcard:
		if t.wild.set(string(pattern), v) {
			t.nwild++
		}
	}
}

// Delete removes (pattern, p) and reports whether it was present.
func (t *Table[V]) Delete(pattern wamp.URI, p Policy) bool {
	switch p {
	case Exact:
		if _, ok := t.exact[string(pattern)]; ok {
			delete(t.exact, string(pattern))
			return true
		}
	case Prefix:
		if t.prefix.del(string(pattern)) {
			t.npre--
			return true
		}
	case Wildcard:
		if t.wild.del(string(pattern)) {
			t.nwild--
			return true
		}
	}
	return false
}

// Len returns the number of entries, all policies together.
func (t *Table[V]) Len() int { return len(t.exact) + t.npre + t.nwild }

// MatchAll appends to dst every value whose pattern matches uri (pub/sub:
// an event goes out on every matching subscription) and returns the
// extended slice. The order is deterministic: the exact entry first, then
// prefix entries from the shortest pattern to the longest, then wildcard
// entries from the least to the most specific (the one whose first wildcard
// comes earliest first; the order of MatchBest, reversed). With enough
// capacity in dst it allocates nothing.
func (t *Table[V]) MatchAll(uri wamp.URI, dst []V) []V {
	s := string(uri)
	if v, ok := t.exact[s]; ok {
		dst = append(dst, v)
	}
	if t.npre > 0 {
		dst = t.prefix.appendAll(s, dst)
	}
	if t.nwild > 0 {
		dst = t.wild.appendAll(s, dst)
	}
	return dst
}

// MatchBest returns the single entry a CALL to uri is routed to, with its
// pattern and policy, by WAMP §"Pattern-based Registrations", "Calls
// matching multiple registrations":
//
//  1. the Exact entry for uri;
//  2. else the longest Prefix pattern. The spec measures length in URI
//     components; all prefix patterns of one URI are prefixes of each other,
//     so the longest in bytes also has the most components, and among
//     patterns with as many components ("com.my" and "com.myapp" for
//     "com.myapp.x") the longer in bytes wins;
//  3. else the Wildcard pattern with the longest portion of components
//     before each wildcard, compared wildcard by wildcard from the left
//     (the part after the last wildcard counts as the portion before a
//     wildcard at the end). Equivalently: scanning left to right, at the
//     first position where one pattern has a wildcard and the other a
//     literal, the literal wins.
//
// These rules leave no ties between distinct patterns, so the result never
// depends on insertion or map order. ok is false if nothing matches
// (wamp.error.no_such_procedure).
func (t *Table[V]) MatchBest(uri wamp.URI) (v V, pattern wamp.URI, p Policy, ok bool) {
	s := string(uri)
	if v, ok := t.exact[s]; ok {
		return v, uri, Exact, true
	}
	if t.npre > 0 {
		if n := t.prefix.longest(s); n != nil {
			return n.val, wamp.URI(n.pat), Prefix, true
		}
	}
	if t.nwild > 0 {
		if n := t.wild.best(s); n != nil {
			return n.val, wamp.URI(n.pat), Wildcard, true
		}
	}
	return v, "", Exact, false
}

// Each calls fn for every entry until fn returns false, for meta API
// listings: Exact entries, then Prefix, then Wildcard, each group sorted by
// pattern bytes. It copies the entries first, so it costs O(n log n) and
// allocates; fn must not call Set or Delete (Each runs under a read lock).
func (t *Table[V]) Each(fn func(pattern wamp.URI, p Policy, v V) bool) {
	groups := [3][]entry[V]{}
	for pat, v := range t.exact {
		groups[Exact] = append(groups[Exact], entry[V]{pat, v})
	}
	groups[Prefix] = t.prefix.collect(nil)
	groups[Wildcard] = t.wild.collect(nil)
	for p, g := range groups {
		slices.SortFunc(g, func(a, b entry[V]) int { return strings.Compare(a.pat, b.pat) })
		for _, e := range g {
			if !fn(wamp.URI(e.pat), Policy(p), e.val) {
				return
			}
		}
	}
}
