package json

import (
	"fmt"

	"github.com/edgebar/edgebar/router/wamp"
)

// reader decodes the elements of one message list in order. The first
// error sticks in err; later calls then do nothing and return zero values.
// JSON has no element count up front, so arity is checked as elements are
// reached: a missing required element or a surplus one is an arity error.
type reader struct {
	s        scanner
	typ      wamp.MessageType
	idx      int  // index of the next element; the type code is 0
	done     bool // the closing ']' has been consumed
	min, max int  // arity of typ
	err      error
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// bad records that element idx (name) is not what typ needs.
func (r *reader) bad(name, what string) {
	r.fail(fmt.Errorf("json: %s: element %d (%s) %s", r.typ, r.idx, name, what))
}

// start reads '[' and the message type code.
func (r *reader) start() {
	if r.s.peek() != '[' {
		r.fail(fmt.Errorf("json: message is not a list: %w", r.s.unexpected()))
		return
	}
	r.s.pos++
	if r.s.peek() == ']' {
		r.fail(fmt.Errorf("json: empty message list"))
		return
	}
	c := r.s.peek()
	if c != '-' && (c < '0' || c > '9') {
		r.fail(fmt.Errorf("json: message type is not an integer"))
		return
	}
	lit, isInt, err := r.s.numberLit()
	if err != nil {
		r.fail(err)
		return
	}
	neg, u, ok := parseInt(lit)
	if !isInt || !ok || neg || u > 255 || !wamp.MessageType(u).Known() {
		r.fail(fmt.Errorf("json: unknown message type %s", lit))
		return
	}
	r.typ = wamp.MessageType(u)
	r.idx = 1
}

func (r *reader) arity(min, max int) { r.min, r.max = min, max }

func (r *reader) arityError() error {
	if r.min == r.max {
		return fmt.Errorf("json: %s: %d elements, want %d", r.typ, r.idx, r.min)
	}
	return fmt.Errorf("json: %s: %d elements, want %d to %d", r.typ, r.idx, r.min, r.max)
}

// more consumes the separator before element idx and reports whether
// there is such an element; false at the closing ']'.
func (r *reader) more() bool {
	if r.err != nil || r.done {
		return false
	}
	switch r.s.peek() {
	case ']':
		r.s.pos++
		r.done = true
		return false
	case ',':
		if r.idx == r.max {
			r.fail(fmt.Errorf("json: %s: more than %d elements", r.typ, r.max))
			return false
		}
		r.s.pos++
		if r.s.peek() == 0 && r.s.pos >= len(r.s.data) {
			r.fail(r.s.unexpected())
			return false
		}
		return true
	}
	r.fail(r.s.unexpected())
	return false
}

// elem positions at the required element idx.
func (r *reader) elem() bool {
	if r.more() {
		return true
	}
	if r.err == nil {
		r.fail(r.arityError())
	}
	return false
}

func (r *reader) id(name string) wamp.ID {
	if !r.elem() {
		return 0
	}
	defer func() { r.idx++ }()
	c := r.s.data[r.s.pos]
	if c != '-' && (c < '0' || c > '9') {
		r.bad(name, "is not an id")
		return 0
	}
	lit, isInt, err := r.s.numberLit()
	if err != nil {
		r.fail(err)
		return 0
	}
	if isInt {
		neg, u, ok := parseInt(lit)
		if !ok || neg && u != 0 || u > uint64(wamp.MaxID) {
			r.bad(name, "is not an id in [0, 2^53]")
			return 0
		}
		return wamp.ID(u)
	}
	// Some clients send ids as floats, e.g. 1.0 or 1e3.
	r.s.pos -= len(lit)
	v, err := r.s.number()
	if err != nil {
		r.fail(err)
		return 0
	}
	id, ok := wamp.AsID(v)
	if !ok {
		r.bad(name, "is not an id in [0, 2^53]")
	}
	return id
}

// msgType reads ERROR's REQUEST.Type.
func (r *reader) msgType(name string) wamp.MessageType {
	if !r.elem() {
		return 0
	}
	defer func() { r.idx++ }()
	c := r.s.data[r.s.pos]
	if c < '0' || c > '9' {
		r.bad(name, "is not a message type")
		return 0
	}
	lit, isInt, err := r.s.numberLit()
	if err != nil {
		r.fail(err)
		return 0
	}
	_, u, ok := parseInt(lit)
	if !isInt || !ok || u > 255 || !wamp.MessageType(u).Known() {
		r.bad(name, "is not a message type")
		return 0
	}
	return wamp.MessageType(u)
}

func (r *reader) str(name string) string {
	if !r.elem() {
		return ""
	}
	defer func() { r.idx++ }()
	if r.s.data[r.s.pos] != '"' {
		r.bad(name, "is not a string")
		return ""
	}
	s, err := r.s.str()
	r.fail(err)
	return s
}

// dict reads a required dict; empty decodes to nil.
func (r *reader) dict(name string) wamp.Dict {
	if !r.elem() {
		return nil
	}
	return r.dictAt(name, false)
}

// optDict reads an optional trailing dict, kept non-nil when present.
func (r *reader) optDict(name string) wamp.Dict {
	if !r.more() {
		return nil
	}
	return r.dictAt(name, true)
}

func (r *reader) dictAt(name string, keepEmpty bool) wamp.Dict {
	defer func() { r.idx++ }()
	if r.s.data[r.s.pos] != '{' {
		r.bad(name, "is not a dict")
		return nil
	}
	d, err := r.s.object(2, keepEmpty)
	r.fail(err)
	return d
}

// payload reads the optional Arguments and ArgumentsKw as raw extents.
func (r *reader) payload(p *wamp.Payload) {
	p.Raw.Enc = Codec
	if !r.more() {
		return
	}
	p.Raw.Args = r.raw("Arguments", '[', "is not a list")
	if r.err != nil || !r.more() {
		return
	}
	p.Raw.Kwargs = r.raw("ArgumentsKw", '{', "is not a dict")
}

// raw skip-scans element idx, which must open with open, and returns its
// bytes, capped so that appending to them cannot touch the frame.
func (r *reader) raw(name string, open byte, what string) []byte {
	defer func() { r.idx++ }()
	start := r.s.pos
	if r.s.data[start] != open {
		r.bad(name, what)
		return nil
	}
	if err := r.s.skip(1); err != nil {
		r.fail(err)
		return nil
	}
	return r.s.data[start:r.s.pos:r.s.pos]
}

// end checks the closing ']' and that nothing but white space follows.
func (r *reader) end() {
	if r.err != nil {
		return
	}
	if !r.done {
		switch r.s.peek() {
		case ']':
			r.s.pos++
		case ',':
			r.fail(fmt.Errorf("json: %s: more than %d elements", r.typ, r.max))
			return
		default:
			r.fail(r.s.unexpected())
			return
		}
	}
	if r.idx < r.min {
		r.fail(r.arityError())
		return
	}
	r.fail(r.s.eof())
}
