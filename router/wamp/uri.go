package wamp

import (
	"unicode"
	"unicode/utf8"
)

// URI checks of WAMP §"URIs", written out by hand because they run on every
// SUBSCRIBE, REGISTER, PUBLISH and CALL. They are equivalent to the spec's
// regular expressions:
//
//	loose:               ^([^\s\.#]+\.)*([^\s\.#]+)$
//	strict:              ^([0-9a-z_]+\.)*([0-9a-z_]+)$
//	loose, empty allowed:  ^(([^\s\.#]+\.)|\.)*([^\s\.#]+)?$
//	strict, empty allowed: ^(([0-9a-z_]+\.)|\.)*([0-9a-z_]+)?$
//
// Empty components are allowed only in patterns (wildcard subscriptions and
// registrations of the advanced profile).

// MaxURILength bounds every URI and pattern. The spec sets no limit, but a
// pattern is stored one node per component, so an unbounded one (a frame of
// millions of dots) would let one SUBSCRIBE take gigabytes.
const MaxURILength = 4096

// ValidURI reports whether u is a valid URI with no empty component.
func ValidURI(u URI, strict bool) bool { return checkURI(string(u), strict, false) }

// ValidPattern reports whether u is valid with empty components allowed.
func ValidPattern(u URI, strict bool) bool { return checkURI(string(u), strict, true) }

func checkURI(s string, strict, allowEmpty bool) bool {
	if len(s) > MaxURILength {
		return false
	}
	if s == "" {
		return allowEmpty
	}
	compLen := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c == '.' {
			if compLen == 0 && !allowEmpty {
				return false
			}
			compLen = 0
			i++
			continue
		}
		if c < utf8.RuneSelf {
			if strict {
				if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
					return false
				}
			} else if c == '#' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' {
				return false
			}
			compLen++
			i++
			continue
		}
		if strict {
			return false
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || unicode.IsSpace(r) {
			return false
		}
		compLen++
		i += size
	}
	// A trailing dot leaves an empty last component: allowed only with empty
	// components, where the spec's final group is optional.
	return compLen > 0 || allowEmpty
}
