package msgpack

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/tinylib/msgp/msgp"

	"github.com/edgebar/edgebar/router/wamp"
)

var (
	errTruncated = errors.New("msgpack: unexpected end of input")
	errTrailing  = errors.New("msgpack: trailing data after the value")
	errDepth     = fmt.Errorf("msgpack: nesting deeper than %d", MaxDepth)
	errUTF8      = errors.New("msgpack: invalid UTF-8 in str")
	errMapKey    = errors.New("msgpack: map key is not a str")
)

// Kinds of the length-prefixed families.
const (
	kindNone byte = iota
	kindStr
	kindBin
	kindArray
	kindMap
)

// header reads the header of a str, bin, array or map: its kind, its length
// (bytes, elements or pairs) and what follows. kindNone means b starts with
// another type. A length the rest of b cannot hold is an error, so callers
// may slice and preallocate by it.
func header(b []byte) (kind byte, n int, rest []byte, err error) {
	if len(b) == 0 {
		return kindNone, 0, nil, errTruncated
	}
	lead := b[0]
	size := 0 // bytes of the length field
	switch {
	case lead >= 0xa0 && lead <= 0xbf:
		kind, n = kindStr, int(lead&0x1f)
	case lead >= 0x90 && lead <= 0x9f:
		kind, n = kindArray, int(lead&0x0f)
	case lead >= 0x80 && lead <= 0x8f:
		kind, n = kindMap, int(lead&0x0f)
	case lead == 0xd9, lead == 0xda, lead == 0xdb:
		kind, size = kindStr, 1<<(lead-0xd9)
	case lead == 0xc4, lead == 0xc5, lead == 0xc6:
		kind, size = kindBin, 1<<(lead-0xc4)
	case lead == 0xdc, lead == 0xdd:
		kind, size = kindArray, 2<<(lead-0xdc)
	case lead == 0xde, lead == 0xdf:
		kind, size = kindMap, 2<<(lead-0xde)
	default:
		return kindNone, 0, b, nil
	}
	b = b[1:]
	if len(b) < size {
		return kind, 0, nil, errTruncated
	}
	var u uint64
	switch size {
	case 0:
		u = uint64(n)
	case 1:
		u = uint64(b[0])
	case 2:
		u = uint64(binary.BigEndian.Uint16(b))
	case 4:
		u = uint64(binary.BigEndian.Uint32(b))
	}
	b = b[size:]
	// Every element takes at least one byte, every pair two.
	need := u
	if kind == kindMap {
		need = 2 * u
	}
	if need > uint64(len(b)) {
		return kind, 0, nil, errTruncated
	}
	return kind, int(u), b, nil
}

// str reads a str and checks its UTF-8.
func str(b []byte) ([]byte, []byte, error) {
	kind, n, rest, err := header(b)
	if err != nil {
		return nil, nil, err
	}
	if kind != kindStr {
		return nil, nil, fmt.Errorf("msgpack: %s is not a str", describe(b))
	}
	s := rest[:n:n]
	if !utf8.Valid(s) {
		return nil, nil, errUTF8
	}
	return s, rest[n:], nil
}

// describe names the type at the start of b for error messages.
func describe(b []byte) string {
	switch t := msgp.NextType(b); {
	case t == msgp.InvalidType:
		return "value"
	case t >= msgp.DurationType:
		return "extension"
	default:
		return t.String()
	}
}

// value decodes the value at the start of b; depth counts the enclosing
// containers.
func value(b []byte, depth int) (any, []byte, error) {
	kind, n, rest, err := header(b)
	if err != nil {
		return nil, nil, err
	}
	switch kind {
	case kindStr:
		s := rest[:n]
		if !utf8.Valid(s) {
			return nil, nil, errUTF8
		}
		return string(s), rest[n:], nil
	case kindBin:
		return append([]byte(nil), rest[:n]...), rest[n:], nil
	case kindArray:
		if depth+1 > MaxDepth {
			return nil, nil, errDepth
		}
		l := make(wamp.List, n)
		for i := range l {
			if l[i], rest, err = value(rest, depth+1); err != nil {
				return nil, nil, err
			}
		}
		return l, rest, nil
	case kindMap:
		return dict(b, depth+1, true)
	}
	return scalar(b)
}

// dict decodes the map at the start of b, which sits at depth. With
// keepEmpty false an empty map decodes to nil.
func dict(b []byte, depth int, keepEmpty bool) (wamp.Dict, []byte, error) {
	kind, n, rest, err := header(b)
	if err != nil {
		return nil, nil, err
	}
	if kind != kindMap {
		return nil, nil, fmt.Errorf("msgpack: %s is not a map", describe(b))
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
		if k, rest, err = str(rest); err != nil {
			if !errors.Is(err, errUTF8) && !errors.Is(err, errTruncated) {
				err = errMapKey
			}
			return nil, nil, err
		}
		if d[string(k)], rest, err = value(rest, depth); err != nil {
			return nil, nil, err
		}
	}
	return d, rest, nil
}

// jsUndefined is how msgpackr (wampy's serializer) encodes JavaScript's
// undefined: fixext 1 of type 0 holding 0. It decodes as nil, so an option
// a JavaScript client leaves undefined counts as absent.
func jsUndefined(b []byte) bool { return len(b) >= 3 && b[0] == 0xd4 && b[1] == 0 && b[2] == 0 }

// scalar decodes nil, bool, an integer or a float.
func scalar(b []byte) (any, []byte, error) {
	if jsUndefined(b) {
		return nil, b[3:], nil
	}
	switch t := msgp.NextType(b); t {
	case msgp.NilType:
		rest, err := msgp.ReadNilBytes(b)
		return nil, rest, wrap(err)
	case msgp.BoolType:
		v, rest, err := msgp.ReadBoolBytes(b)
		return v, rest, wrap(err)
	case msgp.IntType:
		v, rest, err := msgp.ReadInt64Bytes(b)
		return v, rest, wrap(err)
	case msgp.UintType:
		v, rest, err := msgp.ReadUint64Bytes(b)
		if err != nil {
			return nil, nil, wrap(err)
		}
		if v <= math.MaxInt64 {
			return int64(v), rest, nil
		}
		return v, rest, nil
	case msgp.Float32Type, msgp.Float64Type:
		v, rest, err := msgp.ReadFloat64Bytes(b)
		return v, rest, wrap(err)
	}
	return nil, nil, unsupported(b)
}

func unsupported(b []byte) error {
	if len(b) == 0 {
		return errTruncated
	}
	if b[0] == 0xc1 {
		return errors.New("msgpack: never-used byte 0xc1")
	}
	return fmt.Errorf("msgpack: unsupported type %s (0x%02x)", describe(b), b[0])
}

func wrap(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, msgp.ErrShortBytes) {
		return errTruncated
	}
	return fmt.Errorf("msgpack: %w", err)
}

// skip validates the value at the start of b without building it, with the
// same checks as value, and returns what follows it.
func skip(b []byte, depth int) ([]byte, error) {
	kind, n, rest, err := header(b)
	if err != nil {
		return nil, err
	}
	switch kind {
	case kindStr:
		if !utf8.Valid(rest[:n]) {
			return nil, errUTF8
		}
		return rest[n:], nil
	case kindBin:
		return rest[n:], nil
	case kindArray:
		if depth+1 > MaxDepth {
			return nil, errDepth
		}
		for range n {
			if rest, err = skip(rest, depth+1); err != nil {
				return nil, err
			}
		}
		return rest, nil
	case kindMap:
		if depth+1 > MaxDepth {
			return nil, errDepth
		}
		for range n {
			if _, rest, err = str(rest); err != nil {
				if !errors.Is(err, errUTF8) && !errors.Is(err, errTruncated) {
					err = errMapKey
				}
				return nil, err
			}
			if rest, err = skip(rest, depth+1); err != nil {
				return nil, err
			}
		}
		return rest, nil
	}
	if jsUndefined(b) {
		return b[3:], nil
	}
	switch msgp.NextType(b) {
	case msgp.NilType, msgp.BoolType, msgp.IntType, msgp.UintType, msgp.Float32Type, msgp.Float64Type:
		rest, err := msgp.Skip(b)
		return rest, wrap(err)
	}
	return nil, unsupported(b)
}
