package match

import (
	"strconv"
	"testing"

	"github.com/edgebar/edgebar/router/wamp"
)

// benchPattern returns the i-th pattern of the benchmark tables: a third
// each of exact, prefix and wildcard entries, spread over 97 applications.
func benchPattern(i int) (wamp.URI, Policy) {
	app := "com.app" + strconv.Itoa(i%97)
	id := strconv.Itoa(i)
	switch i % 3 {
	case 0:
		return wamp.URI(app + ".obj" + id + ".get"), Exact
	case 1:
		return wamp.URI(app + ".obj" + id + ".sub"), Prefix
	}
	return wamp.URI(app + "..op" + id), Wildcard
}

func benchTable(n int) *Table[int] {
	tb := NewTable[int]()
	for i := range n {
		pat, p := benchPattern(i)
		tb.Set(pat, p, i)
	}
	return tb
}

// URIs hitting the k-th exact, prefix and wildcard pattern respectively.
func benchExactURI(k int) wamp.URI    { u, _ := benchPattern(3 * k); return u }
func benchPrefixURI(k int) wamp.URI   { u, _ := benchPattern(3*k + 1); return u + ".x.y" }
func benchWildPattern(k int) wamp.URI { u, _ := benchPattern(3*k + 2); return u }
func benchWildURI(k int) wamp.URI {
	i := 3*k + 2
	return wamp.URI("com.app" + strconv.Itoa(i%97) + ".dev42.op" + strconv.Itoa(i))
}

var benchSizes = []int{10, 1000, 100000}

func benchURIs() []struct {
	name string
	uri  wamp.URI
} {
	return []struct {
		name string
		uri  wamp.URI
	}{
		{"exact", benchExactURI(1)},
		{"prefix", benchPrefixURI(2)},
		{"wildcard", benchWildURI(1)},
		{"miss", "com.app5.nothing.here"},
	}
}

func BenchmarkMatchAll(b *testing.B) {
	for _, n := range benchSizes {
		tb := benchTable(n)
		for _, u := range benchURIs() {
			b.Run(strconv.Itoa(n)+"/"+u.name, func(b *testing.B) {
				b.ReportAllocs()
				dst := make([]int, 0, 16)
				for b.Loop() {
					dst = tb.MatchAll(u.uri, dst[:0])
				}
			})
		}
	}
}

func BenchmarkMatchBest(b *testing.B) {
	for _, n := range benchSizes {
		tb := benchTable(n)
		for _, u := range benchURIs() {
			b.Run(strconv.Itoa(n)+"/"+u.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					tb.MatchBest(u.uri)
				}
			})
		}
	}
}

// BenchmarkMatchAllParallel is the broker's case: many publishers' reader
// goroutines matching at once under a shared read lock.
func BenchmarkMatchAllParallel(b *testing.B) {
	tb := benchTable(1000)
	uri := benchWildURI(1)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		dst := make([]int, 0, 16)
		for pb.Next() {
			dst = tb.MatchAll(uri, dst[:0])
		}
	})
}

func BenchmarkSetDelete(b *testing.B) {
	tb := benchTable(1000)
	b.ReportAllocs()
	for b.Loop() {
		tb.Set("com.bench..x.y", Wildcard, 1)
		tb.Set("com.bench.x", Prefix, 1)
		tb.Delete("com.bench..x.y", Wildcard)
		tb.Delete("com.bench.x", Prefix)
	}
}
