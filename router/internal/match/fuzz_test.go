package match

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/edgebar/edgebar/router/wamp"
)

// The reference matcher: a slice scan implementing WAMP's pattern-based
// subscription and registration text literally, against which the tries are
// checked.

type refEntry struct {
	pat string
	p   Policy
	val int
}

type refTable []refEntry

func (r refTable) find(pat string, p Policy) int {
	return slices.IndexFunc(r, func(e refEntry) bool { return e.pat == pat && e.p == p })
}

func refMatches(pat string, p Policy, uri string) bool {
	switch p {
	case Exact:
		return pat == uri
	case Prefix:
		return strings.HasPrefix(uri, pat)
	}
	pc, uc := strings.Split(pat, "."), strings.Split(uri, ".")
	if len(pc) != len(uc) {
		return false
	}
	for i := range pc {
		if pc[i] != "" && pc[i] != uc[i] {
			return false
		}
	}
	return true
}

// portions returns the number of non-empty components before each wildcard
// of pat, and after the last one.
func portions(pat string) []int {
	out := []int{0}
	for _, c := range strings.Split(pat, ".") {
		if c == "" {
			out = append(out, 0)
		} else {
			out[len(out)-1]++
		}
	}
	return out
}

// best implements "Calls matching multiple registrations": exact; else the
// prefix with the most components (then the most bytes); else the wildcard
// with the longest portions before each wildcard, left to right. A tie
// between two entries is reported as an error: the rules must leave none.
func (r refTable) best(uri string) (e refEntry, ok bool, tie bool) {
	for _, p := range []Policy{Exact, Prefix, Wildcard} {
		var cands []refEntry
		for _, e := range r {
			if e.p == p && refMatches(e.pat, p, uri) {
				cands = append(cands, e)
			}
		}
		if len(cands) == 0 {
			continue
		}
		cmp := func(a, b refEntry) int {
			if p == Prefix {
				if c := strings.Count(a.pat, ".") - strings.Count(b.pat, "."); c != 0 {
					return c
				}
				return len(a.pat) - len(b.pat)
			}
			return slices.Compare(portions(a.pat), portions(b.pat))
		}
		slices.SortFunc(cands, cmp)
		n := len(cands)
		return cands[n-1], true, n > 1 && cmp(cands[n-1], cands[n-2]) == 0
	}
	return refEntry{}, false, false
}

// opReader turns fuzz bytes into operations; past the end it yields zeros.
type opReader struct{ b []byte }

func (o *opReader) next() int {
	if len(o.b) == 0 {
		return 0
	}
	c := o.b[0]
	o.b = o.b[1:]
	return int(c)
}

// alphabet is small, with components that are prefixes of each other and
// the empty component, so that all three policies match often.
var alphabet = []string{"", "a", "b", "ab", "a", "b"}

func (o *opReader) uri() string {
	n := 1 + o.next()%4
	comps := make([]string, n)
	for i := range comps {
		comps[i] = alphabet[o.next()%len(alphabet)]
	}
	return strings.Join(comps, ".")
}

// runDifferential applies the operations encoded in data to a Table and to
// the reference, comparing them after every step.
func runDifferential(t *testing.T, data []byte) {
	var tb Table[int]
	var ref refTable
	o := &opReader{data}
	var dst []int
	for step := 0; len(o.b) > 0; step++ {
		op := o.next() % 8
		switch {
		case op < 3: // Set
			pat, p := o.uri(), Policy(o.next()%3)
			tb.Set(wamp.URI(pat), p, step)
			if i := ref.find(pat, p); i >= 0 {
				ref[i].val = step
			} else {
				ref = append(ref, refEntry{pat, p, step})
			}
		case op < 5: // Delete an existing entry
			if len(ref) == 0 {
				continue
			}
			i := o.next() % len(ref)
			if !tb.Delete(wamp.URI(ref[i].pat), ref[i].p) {
				t.Fatalf("step %d: Delete(%q, %v) = false for a present entry", step, ref[i].pat, ref[i].p)
			}
			ref = slices.Delete(ref, i, i+1)
		case op < 6: // Delete a random key
			pat, p := o.uri(), Policy(o.next()%3)
			i := ref.find(pat, p)
			if got := tb.Delete(wamp.URI(pat), p); got != (i >= 0) {
				t.Fatalf("step %d: Delete(%q, %v) = %v, reference %v", step, pat, p, got, i >= 0)
			}
			if i >= 0 {
				ref = slices.Delete(ref, i, i+1)
			}
		}
		if tb.Len() != len(ref) {
			t.Fatalf("step %d: Len = %d, reference %d", step, tb.Len(), len(ref))
		}
		dst = checkURI(t, step, &tb, ref, o.uri(), dst)
	}
	checkEntries(t, &tb, ref)
}

func checkURI(t *testing.T, step int, tb *Table[int], ref refTable, uri string, dst []int) []int {
	t.Helper()
	dst = tb.MatchAll(wamp.URI(uri), dst[:0])
	var want []int
	for _, e := range ref {
		if refMatches(e.pat, e.p, uri) {
			want = append(want, e.val)
		}
	}
	got := slices.Clone(dst)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("step %d: MatchAll(%q) = %v, reference %v; table %v", step, uri, got, want, ref)
	}
	re, rok, tie := ref.best(uri)
	if tie {
		t.Fatalf("step %d: reference tie for %q in %v", step, uri, ref)
	}
	v, pat, p, ok := tb.MatchBest(wamp.URI(uri))
	if ok != rok || ok && (v != re.val || string(pat) != re.pat || p != re.p) {
		t.Fatalf("step %d: MatchBest(%q) = %d %q %v %v, reference %+v %v; table %v",
			step, uri, v, pat, p, ok, re, rok, ref)
	}
	return dst
}

// checkEntries compares Get and Each with the reference.
func checkEntries(t *testing.T, tb *Table[int], ref refTable) {
	t.Helper()
	for _, e := range ref {
		if v, ok := tb.Get(wamp.URI(e.pat), e.p); !ok || v != e.val {
			t.Fatalf("Get(%q, %v) = %d %v, reference %d", e.pat, e.p, v, ok, e.val)
		}
	}
	var got refTable
	tb.Each(func(pat wamp.URI, p Policy, v int) bool {
		got = append(got, refEntry{string(pat), p, v})
		return true
	})
	want := slices.Clone(ref)
	slices.SortFunc(want, func(a, b refEntry) int {
		if a.p != b.p {
			return int(a.p) - int(b.p)
		}
		return strings.Compare(a.pat, b.pat)
	})
	if !slices.Equal(got, want) {
		t.Fatalf("Each = %v\nreference %v", got, want)
	}
}

func FuzzMatch(f *testing.F) {
	f.Add([]byte{0, 2, 1, 1, 1, 7, 2, 1, 1, 1})
	f.Add([]byte("\x00\x03\x01\x02\x03\x04\x02\x07\x03\x01\x02\x03\x04\x01\x00\x02\x02\x00\x01\x03\x05"))
	f.Add([]byte("set some patterns, delete a few, match the rest of them"))
	f.Fuzz(func(t *testing.T, data []byte) {
		runDifferential(t, data)
	})
}

// TestDifferential runs the fuzz driver on pseudo-random inputs so that the
// comparison with the reference runs on every `go test`, not only when
// fuzzing.
func TestDifferential(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 3000
	if testing.Short() {
		n = 300
	}
	for range n {
		data := make([]byte, 50+rng.IntN(400))
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		runDifferential(t, data)
	}
}
