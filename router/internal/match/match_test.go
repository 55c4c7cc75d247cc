package match

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/edgebar/edgebar/router/wamp"
)

func TestPolicy(t *testing.T) {
	tests := []struct {
		in   string
		want Policy
		ok   bool
		name string
	}{
		{"", Exact, true, "exact"},
		{"exact", Exact, true, "exact"},
		{"prefix", Prefix, true, "prefix"},
		{"wildcard", Wildcard, true, "wildcard"},
		{"Prefix", Exact, false, ""},
		{"regex", Exact, false, ""},
	}
	for _, tt := range tests {
		p, ok := ParsePolicy(tt.in)
		if p != tt.want || ok != tt.ok {
			t.Errorf("ParsePolicy(%q) = %v, %v; want %v, %v", tt.in, p, ok, tt.want, tt.ok)
		}
		if ok && p.String() != tt.name {
			t.Errorf("%v.String() = %q, want %q", p, p.String(), tt.name)
		}
	}
	if s := Policy(17).String(); s != "policy(17)" {
		t.Errorf("Policy(17).String() = %q", s)
	}
}

// TestSpecMatching runs the examples of WAMP §"Pattern-based Subscription"
// and §"Pattern-based Registrations", plus the brief's prefix-not-component
// case, one pattern at a time.
func TestSpecMatching(t *testing.T) {
	tests := []struct {
		pattern wamp.URI
		p       Policy
		match   []wamp.URI
		noMatch []wamp.URI
	}{
		{"com.myapp.topic.emergency", Prefix,
			[]wamp.URI{"com.myapp.topic.emergency.11", "com.myapp.topic.emergency-low",
				"com.myapp.topic.emergency.category.severe", "com.myapp.topic.emergency"},
			[]wamp.URI{"com.myapp.topic.emerge"}},
		{"com.myapp..userevent", Wildcard,
			[]wamp.URI{"com.myapp.foo.userevent", "com.myapp.bar.userevent", "com.myapp.a12.userevent"},
			[]wamp.URI{"com.myapp.foo.userevent.bar", "com.myapp.foo.user", "com.myapp2.foo.userevent"}},
		{"com.myapp.myobject1", Prefix,
			[]wamp.URI{"com.myapp.myobject1.myprocedure1", "com.myapp.myobject1-mysubobject1",
				"com.myapp.myobject1.mysubobject1.myprocedure1", "com.myapp.myobject1"},
			[]wamp.URI{"com.myapp.myobject2", "com.myapp.myobject"}},
		{"com.myapp..myprocedure1", Wildcard,
			[]wamp.URI{"com.myapp.myobject1.myprocedure1", "com.myapp.myobject2.myprocedure1"},
			[]wamp.URI{"com.myapp.myobject1.myprocedure1.mysubprocedure1",
				"com.myapp.myobject1.myprocedure2", "com.myapp2.myobject1.myprocedure1"}},
		{"com.myapp", Prefix,
			[]wamp.URI{"com.myapp", "com.myapp.x", "com.myapp2"},
			[]wamp.URI{"com.mya", "com", "org.com.myapp"}},
		{"com.myapp", Exact,
			[]wamp.URI{"com.myapp"},
			[]wamp.URI{"com.myapp.x", "com.myapp2", "com.mya"}},
		{"..", Wildcard,
			[]wamp.URI{"a.b.c", "com.x.y"},
			[]wamp.URI{"a.b", "a.b.c.d", "abc"}},
		{"a.b", Wildcard, // no wildcard at all: behaves as exact
			[]wamp.URI{"a.b"},
			[]wamp.URI{"a.b.c", "a", "a.bc"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s", tt.p, tt.pattern), func(t *testing.T) {
			var tb Table[int]
			tb.Set(tt.pattern, tt.p, 1)
			for _, u := range tt.match {
				if got := tb.MatchAll(u, nil); !slices.Equal(got, []int{1}) {
					t.Errorf("MatchAll(%q) = %v, want [1]", u, got)
				}
				if _, pat, p, ok := tb.MatchBest(u); !ok || pat != tt.pattern || p != tt.p {
					t.Errorf("MatchBest(%q) = %q, %v, %v", u, pat, p, ok)
				}
			}
			for _, u := range tt.noMatch {
				if got := tb.MatchAll(u, nil); len(got) != 0 {
					t.Errorf("MatchAll(%q) = %v, want none", u, got)
				}
				if _, _, _, ok := tb.MatchBest(u); ok {
					t.Errorf("MatchBest(%q) matched", u)
				}
			}
		})
	}
}

// TestRPCPrecedence is the worked example of WAMP §"Pattern-based
// Registrations", "Calls matching multiple registrations", with the RPC
// numbers as values, plus cases for the rules the example leaves implicit.
func TestRPCPrecedence(t *testing.T) {
	regs := []struct {
		pattern wamp.URI
		p       Policy
	}{
		{"a1.b2.c3.d4.e55", Exact},  // 1
		{"a1.b2.c3", Prefix},        // 2
		{"a1.b2.c3.d4", Prefix},     // 3
		{"a1.b2..d4.e5", Wildcard},  // 4
		{"a1.b2.c33..e5", Wildcard}, // 5
		{"a1.b2..d4.e5..g7", Wildcard},
		{"a1.b2..d4..f6.g7", Wildcard},
		// Beyond the spec's list:
		{"x.my", Prefix},     // 8
		{"x.myapp", Prefix},  // 9: as many components as 8, longer
		{"w..c.d", Wildcard}, // 10
		{"w..c.", Wildcard},  // 11: same first portion; 10's second is longer
		{"w.b..", Wildcard},  // 12: longest first portion
		{"v..", Wildcard},    // 13
		{"v.b.c", Exact},     // 14: exact beats every pattern
		{"v.b", Prefix},      // 15: prefix beats wildcard
		{"u.b.c", Wildcard},  // 16: a "wildcard" without empty component
		{"u..c", Wildcard},   // 17
	}
	tests := []struct {
		uri  wamp.URI
		want int // 0: no match
	}{
		{"a1.b2.c3.d4.e55", 1},
		{"a1.b2.c3.d98.e74", 2},
		{"a1.b2.c3.d4.e325", 3},
		{"a1.b2.c55.d4.e5", 4},
		// The spec says "no prefix match ... Use RPC 5", but RPC 2's
		// "a1.b2.c3" is a string prefix of this URI, and the spec's own
		// prefix definition ("com.myapp.myobject1" matches
		// "com.myapp.myobject1-mysubobject1") makes it match. The example
		// (rewritten in wamp-proto PR #354 for issue #353) reads prefixes
		// per component; we follow the normative definition, and
		// TestRPCPrecedenceWildcardOnly checks the rule the example is for.
		{"a1.b2.c33.d4.e5", 2},
		{"a1.b2.c88.d4.e5.f6.g7", 6},
		{"a2.b2.c2.d2.e2", 0},
		{"x.myapp.z", 9},
		{"x.myz", 8},
		{"w.q.c.d", 10},
		{"w.q.c.e", 11},
		{"w.b.c.d", 12},
		{"v.b.c", 14},
		{"v.x.y", 13},
		{"v.bb.c", 15},
		{"u.b.c", 16},
		{"u.x.c", 17},
	}
	var tb Table[int]
	for i, r := range regs {
		tb.Set(r.pattern, r.p, i+1)
	}
	// Insert again in reverse order into a second table: insertion order
	// must not matter.
	var rev Table[int]
	for i := len(regs) - 1; i >= 0; i-- {
		rev.Set(regs[i].pattern, regs[i].p, i+1)
	}
	for _, tt := range tests {
		for name, tb := range map[string]*Table[int]{"fwd": &tb, "rev": &rev} {
			v, pat, p, ok := tb.MatchBest(tt.uri)
			if tt.want == 0 {
				if ok {
					t.Errorf("%s: MatchBest(%q) = RPC %d, want no_such_procedure", name, tt.uri, v)
				}
				continue
			}
			r := regs[tt.want-1]
			if !ok || v != tt.want || pat != r.pattern || p != r.p {
				t.Errorf("%s: MatchBest(%q) = %d %q %v %v, want RPC %d %q %v",
					name, tt.uri, v, pat, p, ok, tt.want, r.pattern, r.p)
			}
		}
	}
}

// TestRPCPrecedenceWildcardOnly: the spec's wildcard examples with the
// exact and prefix registrations left out, so the wildcard rule decides.
func TestRPCPrecedenceWildcardOnly(t *testing.T) {
	var tb Table[int]
	tb.Set("a1.b2..d4.e5", Wildcard, 4)
	tb.Set("a1.b2.c33..e5", Wildcard, 5)
	tb.Set("a1.b2..d4.e5..g7", Wildcard, 6)
	tb.Set("a1.b2..d4..f6.g7", Wildcard, 7)
	for uri, want := range map[wamp.URI]int{
		"a1.b2.c55.d4.e5":       4,
		"a1.b2.c33.d4.e5":       5,
		"a1.b2.c88.d4.e5.f6.g7": 6,
		"a1.b2.c3.d4.e55":       0,
		"a2.b2.c2.d2.e2":        0,
	} {
		v, _, p, ok := tb.MatchBest(uri)
		if ok != (want != 0) || v != want || ok && p != Wildcard {
			t.Errorf("MatchBest(%q) = %d %v %v, want RPC %d", uri, v, p, ok, want)
		}
	}
}

func TestMatchAllOrder(t *testing.T) {
	var tb Table[string]
	for _, e := range []struct {
		pat wamp.URI
		p   Policy
	}{
		{"a.b.c", Wildcard}, {"a..c", Wildcard}, {"..c", Wildcard}, {".b.", Wildcard}, {"a.b.", Wildcard},
		{"a.b", Prefix}, {"a", Prefix}, {"", Prefix}, {"a.b.c", Prefix}, {"a.b.cd", Prefix},
		{"a.b.c", Exact}, {"a.b", Exact},
	} {
		tb.Set(e.pat, e.p, e.p.String()+":"+string(e.pat))
	}
	want := []string{
		"exact:a.b.c",
		"prefix:", "prefix:a", "prefix:a.b", "prefix:a.b.c",
		"wildcard:..c", "wildcard:.b.", "wildcard:a..c", "wildcard:a.b.", "wildcard:a.b.c",
	}
	got := tb.MatchAll("a.b.c", []string{})
	if !slices.Equal(got, want) {
		t.Errorf("MatchAll order\n got %q\nwant %q", got, want)
	}
	// Appends after what dst holds already.
	got = tb.MatchAll("a.b.c", []string{"x"})
	if len(got) != len(want)+1 || got[0] != "x" {
		t.Errorf("MatchAll did not append: %q", got)
	}
}

func TestGetSetDeleteEach(t *testing.T) {
	tb := NewTable[int]()
	keys := []struct {
		pat wamp.URI
		p   Policy
	}{
		{"a.b", Exact}, {"a", Exact}, {"a.b", Prefix}, {"a", Prefix}, {"", Prefix},
		{"a.bc", Prefix}, {"a.b", Wildcard}, {"a.", Wildcard}, {"", Wildcard},
	}
	for i, k := range keys {
		tb.Set(k.pat, k.p, i)
	}
	if tb.Len() != len(keys) {
		t.Fatalf("Len = %d, want %d", tb.Len(), len(keys))
	}
	tb.Set("a.b", Prefix, 100) // replace: Len unchanged
	if v, ok := tb.Get("a.b", Prefix); !ok || v != 100 || tb.Len() != len(keys) {
		t.Fatalf("after replace: Get = %d %v, Len = %d", v, ok, tb.Len())
	}
	tb.Set("a.b", Prefix, 2)
	for i, k := range keys {
		if v, ok := tb.Get(k.pat, k.p); !ok || v != i {
			t.Errorf("Get(%q, %v) = %d, %v; want %d", k.pat, k.p, v, ok, i)
		}
	}
	for _, k := range []struct {
		pat wamp.URI
		p   Policy
	}{{"a.b.c", Exact}, {"a.", Prefix}, {"a.b.", Prefix}, {"a..", Wildcard}, {".", Wildcard}, {"a.b", Policy(9)}} {
		if _, ok := tb.Get(k.pat, k.p); ok {
			t.Errorf("Get(%q, %v) found an entry never set", k.pat, k.p)
		}
		if tb.Delete(k.pat, k.p) {
			t.Errorf("Delete(%q, %v) removed an entry never set", k.pat, k.p)
		}
	}
	tb.Set("x", Policy(9), 1)
	if tb.Len() != len(keys) {
		t.Errorf("Set with an invalid policy changed Len to %d", tb.Len())
	}

	var listed []string
	tb.Each(func(pat wamp.URI, p Policy, v int) bool {
		listed = append(listed, fmt.Sprintf("%v:%s=%d", p, pat, v))
		return true
	})
	want := []string{"exact:a=1", "exact:a.b=0", "prefix:=4", "prefix:a=3", "prefix:a.b=2",
		"prefix:a.bc=5", "wildcard:=8", "wildcard:a.=7", "wildcard:a.b=6"}
	if !slices.Equal(listed, want) {
		t.Errorf("Each\n got %q\nwant %q", listed, want)
	}
	n := 0
	tb.Each(func(wamp.URI, Policy, int) bool { n++; return n < 3 })
	if n != 3 {
		t.Errorf("Each went on after false: %d calls", n)
	}

	for i, k := range keys {
		if !tb.Delete(k.pat, k.p) {
			t.Errorf("Delete(%q, %v) = false", k.pat, k.p)
		}
		if tb.Delete(k.pat, k.p) {
			t.Errorf("second Delete(%q, %v) = true", k.pat, k.p)
		}
		if tb.Len() != len(keys)-i-1 {
			t.Errorf("Len = %d after %d deletes", tb.Len(), i+1)
		}
	}
	if got := tb.MatchAll("a.b", nil); len(got) != 0 {
		t.Errorf("empty table matched %v", got)
	}
	// The tries are pruned back to their roots.
	if len(tb.prefix.kids) != 0 || tb.prefix.has || tb.wild.nkid != 0 {
		t.Errorf("tries not pruned: prefix kids %d, wildcard kids %d", len(tb.prefix.kids), tb.wild.nkid)
	}
}

// TestNoAllocs: the per-message paths allocate nothing once dst has room.
func TestNoAllocs(t *testing.T) {
	tb := benchTable(1000)
	dst := make([]int, 0, 64)
	for _, uri := range []wamp.URI{benchExactURI(7), benchPrefixURI(8), benchWildURI(9), "no.such.uri"} {
		if n := testing.AllocsPerRun(100, func() { dst = tb.MatchAll(uri, dst[:0]) }); n != 0 {
			t.Errorf("MatchAll(%q): %v allocs", uri, n)
		}
		if n := testing.AllocsPerRun(100, func() { tb.MatchBest(uri) }); n != 0 {
			t.Errorf("MatchBest(%q): %v allocs", uri, n)
		}
	}
	if len(tb.MatchAll(benchWildURI(9), nil)) == 0 {
		t.Fatal("benchWildURI does not match: the alloc test would be vacuous")
	}
}

// TestDeepPattern: a pattern with very many components neither recurses
// nor overflows the stack.
func TestDeepPattern(t *testing.T) {
	const n = 1 << 20
	pat := make([]byte, n-1)
	for i := range pat {
		pat[i] = '.'
	}
	uri := make([]byte, 2*n-1)
	for i := range uri {
		uri[i] = "a."[i%2]
	}
	var tb Table[int]
	tb.Set(wamp.URI(pat), Wildcard, 1)
	tb.Set(wamp.URI(uri), Prefix, 2)
	if got := tb.MatchAll(wamp.URI(uri), nil); !slices.Equal(got, []int{2, 1}) {
		t.Errorf("MatchAll = %v", got)
	}
	if !tb.Delete(wamp.URI(pat), Wildcard) || tb.wild.nkid != 0 {
		t.Errorf("deep wildcard not deleted and pruned")
	}
}

// TestConcurrentReaders runs readers under a read lock against a writer
// under the write lock; run with -race.
func TestConcurrentReaders(t *testing.T) {
	var mu sync.RWMutex
	tb := benchTable(200)
	uris := []wamp.URI{benchExactURI(3), benchPrefixURI(4), benchWildURI(5), "com.nothing"}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dst := make([]int, 0, 16)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				mu.RLock()
				dst = tb.MatchAll(uris[i%len(uris)], dst[:0])
				tb.MatchBest(uris[i%len(uris)])
				tb.Get(benchWildPattern(5), Wildcard)
				_ = tb.Len()
				if i%64 == 0 {
					tb.Each(func(wamp.URI, Policy, int) bool { return true })
				}
				mu.RUnlock()
			}
		}()
	}
	for i := 0; i < 2000; i++ {
		pat, p := benchPattern(200 + i%50)
		mu.Lock()
		if i%2 == 0 {
			tb.Set(pat, p, i)
		} else {
			tb.Delete(pat, p)
		}
		mu.Unlock()
	}
	close(stop)
	wg.Wait()
}
