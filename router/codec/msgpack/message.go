package msgpack

import (
	"fmt"

	"github.com/edgebar/edgebar/router/codec/internal/layout"
	"github.com/edgebar/edgebar/router/wamp"
)

// message decodes the elements after the type code by the layout shared
// with the other codecs. Errors stick in r.err.
func (r *reader) message() wamp.Message {
	l := layout.Of(r.typ)
	if l == nil {
		// start refuses unknown codes, so this is only reached after its error.
		r.fail(fmt.Errorf("unknown message type %d", r.typ))
		return nil
	}
	r.arity(l.Min, l.Max)
	var f layout.Fields
	for _, e := range l.Elems {
		switch e.Kind {
		case layout.ID:
			f.Uints[e.Slot] = uint64(r.id(e.Name))
		case layout.MsgType:
			f.Uints[e.Slot] = uint64(r.msgType(e.Name))
		case layout.Str:
			f.Str = r.str(e.Name)
		case layout.Dict:
			f.Dict = r.dict(e.Name)
		case layout.OptDict:
			f.Dict = r.optDict(e.Name)
		}
	}
	m, p := layout.Build(r.typ, &f)
	if p != nil {
		r.payload(p)
	}
	return m
}

// message encodes m by the shared layout; errors stick in w.err.
func (w *writer) message(m wamp.Message) {
	var f layout.Fields
	t, elems, n := layout.Split(m, &f)
	if t == 0 {
		w.err = layout.SplitError(m)
		return
	}
	w.begin(t, n)
	for i := range elems {
		switch e := &elems[i]; e.Kind {
		case layout.ID, layout.MsgType:
			w.uint(f.Uints[e.Slot])
		case layout.Str:
			w.str(f.Str)
		default:
			w.dict(f.Dict)
		}
	}
	if f.Payload != nil {
		w.payload(f.Payload)
	}
	w.end()
}
