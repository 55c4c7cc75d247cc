package wamp

import (
	"testing"
	"unicode/utf8"
)

func utf8Valid(s string) bool { return utf8.ValidString(s) }

func TestGlobalIDRange(t *testing.T) {
	for range 100000 {
		id := GlobalID()
		if id < 1 || id > MaxID {
			t.Fatalf("GlobalID() = %d out of [1, 2^53]", id)
		}
	}
}

func TestIDGenWraps(t *testing.T) {
	var g IDGen
	if g.Next() != 1 || g.Next() != 2 {
		t.Fatal("IDGen does not start at 1")
	}
	g.n.Store(uint64(MaxID) - 1)
	if got := g.Next(); got != MaxID {
		t.Fatalf("got %d want 2^53", got)
	}
	if got := g.Next(); got != 1 {
		t.Fatalf("after 2^53 got %d want 1", got)
	}
}
