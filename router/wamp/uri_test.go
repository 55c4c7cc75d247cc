package wamp

import (
	"regexp"
	"strings"
	"testing"
)

// The spec's \s is Python's, which takes \v and Unicode spaces too; Go's
// RE2 \s does not, hence the longer class.
var (
	reLoose      = regexp.MustCompile(`^([^\s\v\x{85}\p{Z}\.#]+\.)*([^\s\v\x{85}\p{Z}\.#]+)$`)
	reStrict     = regexp.MustCompile(`^([0-9a-z_]+\.)*([0-9a-z_]+)$`)
	reLooseEmpty = regexp.MustCompile(`^(([^\s\v\x{85}\p{Z}\.#]+\.)|\.)*([^\s\v\x{85}\p{Z}\.#]+)?$`)
	reStrictEmpt = regexp.MustCompile(`^(([0-9a-z_]+\.)|\.)*([0-9a-z_]+)?$`)
)

func TestURITable(t *testing.T) {
	cases := []struct {
		uri                        string
		loose, strict, lE, strictE bool
	}{
		{"com.myapp.topic1", true, true, true, true},
		{"com.myapp.Topic1", true, false, true, false},
		{"com..topic", false, false, true, true},
		{"com.myapp.", false, false, true, true},
		{".com", false, false, true, true},
		{"", false, false, true, true},
		{"com.my app", false, false, false, false},
		{"com.my#app", false, false, false, false},
		{"com.mü.x", true, false, true, false},
		{"com.a\u00a0b", false, false, false, false},
		{"a", true, true, true, true},
		{"...", false, false, true, true},
		{"a-b.c", true, false, true, false},
		{strings.Repeat("a", MaxURILength), true, true, true, true},
		{strings.Repeat("a", MaxURILength+1), false, false, false, false},
		{strings.Repeat(".", MaxURILength+1), false, false, false, false},
	}
	for _, c := range cases {
		u := URI(c.uri)
		if got := ValidURI(u, false); got != c.loose {
			t.Errorf("ValidURI(%q, loose) = %v", c.uri, got)
		}
		if got := ValidURI(u, true); got != c.strict {
			t.Errorf("ValidURI(%q, strict) = %v", c.uri, got)
		}
		if got := ValidPattern(u, false); got != c.lE {
			t.Errorf("ValidPattern(%q, loose) = %v", c.uri, got)
		}
		if got := ValidPattern(u, true); got != c.strictE {
			t.Errorf("ValidPattern(%q, strict) = %v", c.uri, got)
		}
	}
}

// FuzzURI checks the hand-written checks against the spec's regular
// expressions on arbitrary strings.
func FuzzURI(f *testing.F) {
	for _, s := range []string{"com.a.b", "a..b", "a.", ".", "A.b", "x y", "a#b", "é.b", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > MaxURILength {
			if ValidURI(URI(s), false) || ValidPattern(URI(s), false) {
				t.Fatalf("URI of %d bytes accepted", len(s))
			}
			return
		}
		if !utf8Valid(s) {
			// Go's regexp treats invalid UTF-8 as U+FFFD, which is not
			// whitespace; we refuse invalid UTF-8 outright.
			if ValidURI(URI(s), false) || ValidPattern(URI(s), false) {
				t.Fatalf("invalid UTF-8 %q accepted", s)
			}
			return
		}
		if got, want := ValidURI(URI(s), false), reLoose.MatchString(s); got != want {
			t.Fatalf("loose %q: got %v want %v", s, got, want)
		}
		if got, want := ValidURI(URI(s), true), reStrict.MatchString(s); got != want {
			t.Fatalf("strict %q: got %v want %v", s, got, want)
		}
		if got, want := ValidPattern(URI(s), false), reLooseEmpty.MatchString(s); got != want {
			t.Fatalf("loose pattern %q: got %v want %v", s, got, want)
		}
		if got, want := ValidPattern(URI(s), true), reStrictEmpt.MatchString(s); got != want {
			t.Fatalf("strict pattern %q: got %v want %v", s, got, want)
		}
	})
}
