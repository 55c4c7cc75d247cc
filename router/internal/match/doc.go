// Package match is the one WAMP URI matcher shared by the broker, the dealer
// and authorization: a Table maps (pattern, Policy) keys to values and answers
// "which entries match this URI" (pub/sub fan-out, MatchAll) and "which single
// entry wins" (RPC routing, MatchBest).
//
// Semantics (WAMP §"Pattern-based Subscription", §"Pattern-based Registrations"):
//
//   - Exact: the pattern equals the URI.
//   - Prefix: the pattern is a plain string prefix of the URI, not a
//     component prefix: "com.myapp" matches "com.myapp", "com.myapp.x" and
//     "com.myapp2".
//   - Wildcard: the pattern and the URI have the same number of
//     "."-separated components, and every non-empty pattern component equals
//     the URI component in the same position; an empty pattern component
//     ("com..create") matches exactly one component of any value.
//
// Three structures keep matching independent of the number of entries that
// do not match: exact patterns in a map, prefix patterns in a byte-level
// radix trie (a walk costs O(len(uri))), wildcard patterns in a component
// trie with one "any" child per level. No result ever depends on Go map
// iteration order.
//
// A Table does no locking of its own: Set and Delete need exclusive access,
// every other method may run concurrently with the others (a caller's
// sync.RWMutex: write lock for Set/Delete, read lock for the rest). The read
// paths never write to the Table, so no internal cache needs guarding.
package match

import "strconv"

// Policy is a WAMP match policy (SUBSCRIBE.Options.match, REGISTER.Options.match).
type Policy uint8

const (
	// Exact matches a URI equal to the pattern (the WAMP default).
	Exact Policy = iota
	// Prefix matches a URI that has the pattern as a plain string prefix.
	Prefix
	// Wildcard matches a URI with the same number of components where each
	// empty pattern component stands for any one component.
	Wildcard
)

// ParsePolicy maps the wire value of Options.match to a Policy: "" (option
// absent) and "exact" give Exact, "prefix" and "wildcard" their policies.
// Any other string reports false; the caller answers with an ERROR.
func ParsePolicy(s string) (Policy, bool) {
	switch s {
	case "", "exact":
		return Exact, true
	case "prefix":
		return Prefix, true
	case "wildcard":
		return Wildcard, true
	}
	return Exact, false
}

// String returns the wire name of p ("exact", "prefix", "wildcard"), as used
// in meta API listings; an out-of-range value prints as "policy(N)".
func (p Policy) String() string {
	switch p {
	case Exact:
		return "exact"
	case Prefix:
		return "prefix"
	case Wildcard:
		return "wildcard"
	}
	return "policy(" + strconv.Itoa(int(p)) + ")"
}
