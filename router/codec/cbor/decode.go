package cbor

import (
	"errors"
	"fmt"
	"math"

	"github.com/edgebar/edgebar/router/wamp"
)

// reader decodes the elements of one message array in order. The first
// error sticks in err; later calls then do nothing and return zero values.
type reader struct {
	b   []byte // the rest of the frame
	typ wamp.MessageType
	n   int // elements in the message array
	idx int // index of the next element; the type code is 0
	err error
}

func (r *reader) fail(err error) {
	if r.err == nil && err != nil {
		r.err = err
	}
}

// bad records that element idx (name) is not what typ needs.
func (r *reader) bad(name, what string) {
	r.fail(fmt.Errorf("cbor: %s: element %d (%s) %s", r.typ, r.idx, name, what))
}

// start reads the array header and the message type code.
func (r *reader) start() {
	major, _, n, rest, err := head(r.b)
	if err != nil || major != majorArray {
		if err == nil {
			err = fmt.Errorf("%s", describe(major))
		}
		r.fail(fmt.Errorf("cbor: message is not an array: %w", err))
		return
	}
	if n == 0 {
		r.fail(fmt.Errorf("cbor: empty message array"))
		return
	}
	r.b, r.n = rest, int(n)
	t, ok := r.uint()
	if !ok || t > 255 || !wamp.MessageType(t).Known() {
		r.fail(fmt.Errorf("cbor: unknown message type"))
		return
	}
	r.typ = wamp.MessageType(t)
	r.idx = 1
}

// uint reads an unsigned integer.
func (r *reader) uint() (uint64, bool) {
	major, _, u, rest, err := head(r.b)
	if err != nil || major != majorUint {
		return 0, false
	}
	r.b = rest
	return u, true
}

func (r *reader) arity(min, max int) {
	switch {
	case r.err != nil:
	case min == max && r.n != min:
		r.fail(fmt.Errorf("cbor: %s: %d elements, want %d", r.typ, r.n, min))
	case r.n < min || r.n > max:
		r.fail(fmt.Errorf("cbor: %s: %d elements, want %d to %d", r.typ, r.n, min, max))
	}
}

// more reports whether element idx exists; arity has checked the required
// ones.
func (r *reader) more() bool { return r.err == nil && r.idx < r.n }

func (r *reader) id(name string) wamp.ID {
	if !r.more() {
		return 0
	}
	defer func() { r.idx++ }()
	major, ai, arg, rest, err := head(r.b)
	switch {
	case err != nil:
		r.fail(err)
		return 0
	case major == majorSimple && ai >= 25 && ai <= 27:
		// Some JavaScript encoders write large integers as floats.
		f, _ := simple(ai, arg)
		r.b = rest
		id, ok := wamp.AsID(f)
		if !ok {
			r.bad(name, "is not an id in [0, 2^53]")
		}
		return id
	case major == majorNeg:
		r.bad(name, "is not an id in [0, 2^53]")
		return 0
	case major != majorUint:
		r.bad(name, "is not an id")
		return 0
	}
	u := arg
	r.b = rest
	if u > uint64(wamp.MaxID) {
		r.bad(name, "is not an id in [0, 2^53]")
		return 0
	}
	return wamp.ID(u)
}

// msgType reads ERROR's REQUEST.Type.
func (r *reader) msgType(name string) wamp.MessageType {
	if !r.more() {
		return 0
	}
	defer func() { r.idx++ }()
	u, ok := r.uint()
	if !ok || u > math.MaxUint8 || !wamp.MessageType(u).Known() {
		r.bad(name, "is not a message type")
		return 0
	}
	return wamp.MessageType(u)
}

func (r *reader) str(name string) string {
	if !r.more() {
		return ""
	}
	defer func() { r.idx++ }()
	s, rest, err := text(r.b)
	if err != nil {
		if errors.Is(err, errUTF8) || errors.Is(err, errTruncated) || errors.Is(err, errIndefinite) || errors.Is(err, errTag) {
			r.fail(err)
		} else {
			r.bad(name, "is not a string")
		}
		return ""
	}
	r.b = rest
	return string(s)
}

// dict reads a required dict; empty decodes to nil.
func (r *reader) dict(name string) wamp.Dict { return r.dictAt(name, false) }

// optDict reads an optional trailing dict, kept non-nil when present.
func (r *reader) optDict(name string) wamp.Dict { return r.dictAt(name, true) }

func (r *reader) dictAt(name string, keepEmpty bool) wamp.Dict {
	if !r.more() {
		return nil
	}
	defer func() { r.idx++ }()
	if major, _, _, _, err := head(r.b); err == nil && major != majorMap {
		r.bad(name, "is not a dict")
		return nil
	}
	d, rest, err := dict(r.b, 2, keepEmpty)
	if err != nil {
		r.fail(err)
		return nil
	}
	r.b = rest
	return d
}

// payload reads the optional Arguments and ArgumentsKw as raw extents.
func (r *reader) payload(p *wamp.Payload) {
	p.Raw.Enc = Codec
	if !r.more() {
		return
	}
	p.Raw.Args = r.raw("Arguments", majorArray, "is not a list")
	if !r.more() {
		return
	}
	p.Raw.Kwargs = r.raw("ArgumentsKw", majorMap, "is not a dict")
}

// raw skip-scans element idx, which must be of the major type, and returns its
// bytes, capped so that appending to them cannot touch the frame.
func (r *reader) raw(name string, major byte, what string) []byte {
	defer func() { r.idx++ }()
	if m, _, _, _, err := head(r.b); err == nil && m != major {
		r.bad(name, what)
		return nil
	}
	rest, err := skip(r.b, 1)
	if err != nil {
		r.fail(err)
		return nil
	}
	n := len(r.b) - len(rest)
	v := r.b[:n:n]
	r.b = rest
	return v
}

// end checks that the frame holds nothing after the message.
func (r *reader) end() {
	if r.err == nil && len(r.b) != 0 {
		r.fail(fmt.Errorf("cbor: trailing data after the message"))
	}
}
