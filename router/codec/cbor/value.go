package cbor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/edgebar/edgebar/router/wamp"
)

// Major types (RFC 8949 §3.1).
const (
	majorUint   byte = 0
	majorNeg    byte = 1
	majorBytes  byte = 2
	majorText   byte = 3
	majorArray  byte = 4
	majorMap    byte = 5
	majorTag    byte = 6
	majorSimple byte = 7
)

var (
	errTruncated  = errors.New("cbor: unexpected end of input")
	errTrailing   = errors.New("cbor: trailing data after the value")
	errDepth      = fmt.Errorf("cbor: nesting deeper than %d", MaxDepth)
	errUTF8       = errors.New("cbor: invalid UTF-8 in text string")
	errMapKey     = errors.New("cbor: map key is not a text string")
	errIndefinite = errors.New("cbor: indefinite-length items are not supported")
	errTag        = errors.New("cbor: tags are not supported")
	errReserved   = errors.New("cbor: reserved additional information")
	errNegRange   = errors.New("cbor: negative integer below math.MinInt64")
)

// head reads an item's initial byte and argument (RFC 8949 §3): the major
// type, the additional information, the argument (a length, an integer or
// a float's bits) and what follows. For strings, arrays and maps a length
// the rest of b cannot hold is an error, so callers may slice and
// preallocate by it.
func head(b []byte) (major, ai byte, arg uint64, rest []byte, err error) {
	if len(b) == 0 {
		return 0, 0, 0, nil, errTruncated
	}
	major, ai = b[0]>>5, b[0]&0x1f
	b = b[1:]
	switch {
	case ai < 24:
		arg = uint64(ai)
	case ai <= 27:
		size := 1 << (ai - 24)
		if len(b) < size {
			return 0, 0, 0, nil, errTruncated
		}
		switch size {
		case 1:
			arg = uint64(b[0])
		case 2:
			arg = uint64(binary.BigEndian.Uint16(b))
		case 4:
			arg = uint64(binary.BigEndian.Uint32(b))
		default:
			arg = binary.BigEndian.Uint64(b)
		}
		b = b[size:]
	case ai == 31:
		if major == majorSimple {
			return 0, 0, 0, nil, errors.New("cbor: unexpected break")
		}
		return 0, 0, 0, nil, errIndefinite
	default:
		return 0, 0, 0, nil, errReserved
	}
	switch major {
	case majorBytes, majorText, majorArray:
		if arg > uint64(len(b)) {
			return 0, 0, 0, nil, errTruncated
		}
	case majorMap:
		if arg > uint64(len(b))/2 {
			return 0, 0, 0, nil, errTruncated
		}
	case majorTag:
		// Tag 64 (RFC 8746, uint8 typed array) over a byte string is
		// what cbor-x writes for a JavaScript Uint8Array: read it as the
		// byte string. Every other tag is refused.
		if arg == 64 && len(b) > 0 && b[0]>>5 == majorBytes {
			return head(b)
		}
		return 0, 0, 0, nil, errTag
	}
	return major, ai, arg, b, nil
}

// text reads a text string and checks its UTF-8.
func text(b []byte) ([]byte, []byte, error) {
	major, _, n, rest, err := head(b)
	if err != nil {
		return nil, nil, err
	}
	if major != majorText {
		return nil, nil, fmt.Errorf("cbor: %s is not a text string", describe(major))
	}
	s := rest[:n:n]
	if !utf8.Valid(s) {
		return nil, nil, errUTF8
	}
	return s, rest[n:], nil
}

func describe(major byte) string {
	return [...]string{"unsigned integer", "negative integer", "byte string", "text string",
		"array", "map", "tag", "simple value or float"}[major&7]
}

// value decodes the item at the start of b; depth counts the enclosing
// containers.
func value(b []byte, depth int) (any, []byte, error) {
	major, ai, arg, rest, err := head(b)
	if err != nil {
		return nil, nil, err
	}
	switch major {
	case majorUint:
		if arg <= math.MaxInt64 {
			return int64(arg), rest, nil
		}
		return arg, rest, nil
	case majorNeg:
		if arg > math.MaxInt64 {
			return nil, nil, errNegRange
		}
		return -1 - int64(arg), rest, nil
	case majorBytes:
		return append([]byte(nil), rest[:arg]...), rest[arg:], nil
	case majorText:
		s := rest[:arg]
		if !utf8.Valid(s) {
			return nil, nil, errUTF8
		}
		return string(s), rest[arg:], nil
	case majorArray:
		if depth+1 > MaxDepth {
			return nil, nil, errDepth
		}
		l := make(wamp.List, arg)
		for i := range l {
			if l[i], rest, err = value(rest, depth+1); err != nil {
				return nil, nil, err
			}
		}
		return l, rest, nil
	case majorMap:
		return dict(b, depth+1, true)
	}
	v, err := simple(ai, arg)
	return v, rest, err
}

// simple decodes major type 7: false, true, null, undefined (as nil) and
// floats of any width.
func simple(ai byte, arg uint64) (any, error) {
	switch ai {
	case 20:
		return false, nil
	case 21:
		return true, nil
	case 22, 23:
		return nil, nil
	case 25:
		return half(uint16(arg)), nil
	case 26:
		return float64(math.Float32frombits(uint32(arg))), nil
	case 27:
		return math.Float64frombits(arg), nil
	}
	return nil, fmt.Errorf("cbor: unsupported simple value %d", arg)
}

// half widens an IEEE 754 half-precision float.
func half(h uint16) float64 {
	exp, frac := int(h>>10&0x1f), float64(h&0x3ff)
	var f float64
	switch exp {
	case 0:
		f = math.Ldexp(frac, -24)
	case 31:
		f = math.Inf(1)
		if frac != 0 {
			f = math.NaN()
		}
	default:
		f = math.Ldexp(frac+1024, exp-25)
	}
	if h&0x8000 != 0 {
		f = -f
	}
	return f
}

// dict decodes the map at the start of b, which sits at depth. With
// keepEmpty false an empty map decodes to nil.
func dict(b []byte, depth int, keepEmpty bool) (wamp.Dict, []byte, error) {
	major, _, n, rest, err := head(b)
	if err != nil {
		return nil, nil, err
	}
	if major != majorMap {
		return nil, nil, fmt.Errorf("cbor: %s is not a map", describe(major))
	}
	if depth > MaxDepth {
		return nil, nil, errDepth
	}
	if n == 0 && !keepEmpty {
		return nil, rest, nil
	}
	d := make(wamp.Dict, n)
	for range n {
		var k []byte
		if k, rest, err = key(rest); err != nil {
			return nil, nil, err
		}
		if d[string(k)], rest, err = value(rest, depth); err != nil {
			return nil, nil, err
		}
	}
	return d, rest, nil
}

// key reads a map key, which must be a text string.
func key(b []byte) ([]byte, []byte, error) {
	k, rest, err := text(b)
	if err != nil && !errors.Is(err, errUTF8) && !errors.Is(err, errTruncated) &&
		!errors.Is(err, errIndefinite) && !errors.Is(err, errTag) {
		err = errMapKey
	}
	return k, rest, err
}

// skip validates the item at the start of b without building it, with the
// same checks as value, and returns what follows it.
func skip(b []byte, depth int) ([]byte, error) {
	major, ai, arg, rest, err := head(b)
	if err != nil {
		return nil, err
	}
	switch major {
	case majorUint:
		return rest, nil
	case majorNeg:
		if arg > math.MaxInt64 {
			return nil, errNegRange
		}
		return rest, nil
	case majorBytes:
		return rest[arg:], nil
	case majorText:
		if !utf8.Valid(rest[:arg]) {
			return nil, errUTF8
		}
		return rest[arg:], nil
	case majorArray, majorMap:
		if depth+1 > MaxDepth {
			return nil, errDepth
		}
		for range arg {
			if major == majorMap {
				if _, rest, err = key(rest); err != nil {
					return nil, err
				}
			}
			if rest, err = skip(rest, depth+1); err != nil {
				return nil, err
			}
		}
		return rest, nil
	}
	_, err = simple(ai, arg)
	return rest, err
}
