package layout_test

import (
	"reflect"
	"testing"

	"github.com/edgebar/edgebar/router/codec/internal/layout"
	"github.com/edgebar/edgebar/router/wamp"
)

// list lays m out as a generic list through Split, the way a codec's
// writer walks it, and returns the element count Split announced.
func list(t *testing.T, m wamp.Message) ([]any, int) {
	t.Helper()
	var f layout.Fields
	typ, elems, n := layout.Split(m, &f)
	if typ != m.Type() {
		t.Fatalf("%T: Split type %v", m, typ)
	}
	l := []any{typ}
	for _, e := range elems {
		switch e.Kind {
		case layout.ID, layout.MsgType:
			l = append(l, f.Uints[e.Slot])
		case layout.Str:
			l = append(l, f.Str)
		case layout.Dict, layout.OptDict:
			l = append(l, f.Dict)
		default:
			t.Fatalf("%T: element kind %d", m, e.Kind)
		}
	}
	if p := f.Payload; p != nil && (p.HasArgs() || p.HasKwargs()) {
		args := p.Args
		if args == nil {
			args = wamp.List{}
		}
		l = append(l, args)
		if p.HasKwargs() {
			l = append(l, p.Kwargs)
		}
	}
	return l, n
}

// decode decodes a list from list the way a codec's reader walks the
// layout, and checks the layout's arity and names on the way.
func decode(t *testing.T, l []any) wamp.Message {
	t.Helper()
	typ := l[0].(wamp.MessageType)
	lay := layout.Of(typ)
	if len(l) < lay.Min || len(l) > lay.Max {
		t.Errorf("%v: %d elements outside the arity %d to %d", typ, len(l), lay.Min, lay.Max)
	}
	var f layout.Fields
	i := 1
	for _, e := range lay.Elems {
		if e.Name == "" {
			t.Errorf("%v: element %d has no name", typ, i)
		}
		if e.Kind == layout.OptDict && i == len(l) {
			continue
		}
		if i == len(l) {
			t.Fatalf("%v: no element %d (%s)", typ, i, e.Name)
		}
		switch e.Kind {
		case layout.ID, layout.MsgType:
			f.Uints[e.Slot] = l[i].(uint64)
		case layout.Str:
			f.Str = l[i].(string)
		case layout.Dict, layout.OptDict:
			f.Dict = l[i].(wamp.Dict)
		}
		i++
	}
	m, p := layout.Build(typ, &f)
	if (p != nil) != lay.Payload {
		t.Errorf("%v: Build's payload %v, layout's %v", typ, p, lay.Payload)
	}
	if p != nil && i < len(l) {
		p.Args = l[i].(wamp.List)
		i++
	}
	if p != nil && i < len(l) {
		p.Kwargs = l[i].(wamp.Dict)
		i++
	}
	if i != len(l) {
		t.Errorf("%v: decoded %d of %d elements", typ, i, len(l))
	}
	return m
}

// TestSplitDecode checks that Split and Decode agree on every message
// type: the elements Split lays out decode to the same message, within the
// arity Decode declares, with every element consumed and named. Distinct
// values in every field catch swapped elements.
func TestSplitDecode(t *testing.T) {
	d := func(k string) wamp.Dict { return wamp.Dict{k: true} }
	pl := wamp.Payload{Args: wamp.List{"a"}, Kwargs: d("kw")}
	msgs := []wamp.Message{
		&wamp.Hello{Realm: "realm", Details: d("details")},
		&wamp.Welcome{Session: 1, Details: d("details")},
		&wamp.Abort{Details: d("details"), Reason: "reason"},
		&wamp.Challenge{AuthMethod: "method", Extra: d("extra")},
		&wamp.Authenticate{Signature: "sig", Extra: d("extra")},
		&wamp.Goodbye{Details: d("details"), Reason: "reason"},
		&wamp.ErrorMessage{RequestType: wamp.CALL, Request: 2, Details: d("details"), Error: "error", Payload: pl},
		&wamp.ErrorMessage{RequestType: wamp.SUBSCRIBE, Request: 2, Details: d("details"), Error: "error"},
		&wamp.Publish{Request: 3, Options: d("options"), Topic: "topic", Payload: pl},
		&wamp.Publish{Request: 3, Options: d("options"), Topic: "topic", Payload: wamp.Payload{Args: wamp.List{1.5}}},
		&wamp.Published{Request: 4, Publication: 5},
		&wamp.Subscribe{Request: 6, Options: d("options"), Topic: "topic"},
		&wamp.Subscribed{Request: 7, Subscription: 8},
		&wamp.Unsubscribe{Request: 9, Subscription: 10},
		&wamp.Unsubscribed{Request: 11},
		&wamp.Unsubscribed{Request: 11, Details: d("details")},
		&wamp.Event{Subscription: 12, Publication: 13, Details: d("details"), Payload: pl},
		&wamp.Call{Request: 14, Options: d("options"), Procedure: "proc", Payload: pl},
		&wamp.Cancel{Request: 15, Options: d("options")},
		&wamp.Result{Request: 16, Details: d("details"), Payload: pl},
		&wamp.Result{Request: 16, Details: d("details")},
		&wamp.Register{Request: 17, Options: d("options"), Procedure: "proc"},
		&wamp.Registered{Request: 18, Registration: 19},
		&wamp.Unregister{Request: 20, Registration: 21},
		&wamp.Unregistered{Request: 22},
		&wamp.Unregistered{Request: 22, Details: d("details")},
		&wamp.Invocation{Request: 23, Registration: 24, Details: d("details"), Payload: pl},
		&wamp.Interrupt{Request: 25, Options: d("options")},
		&wamp.Yield{Request: 26, Options: d("options"), Payload: pl},
	}
	seen := map[wamp.MessageType]bool{}
	for _, m := range msgs {
		seen[m.Type()] = true
		l, n := list(t, m)
		if n != len(l) {
			t.Errorf("%T: Split says %d elements, laid out %d", m, n, len(l))
		}
		got := decode(t, l)
		if !reflect.DeepEqual(got, m) {
			t.Errorf("%T:\n got  %#v\n want %#v", m, got, m)
		}
	}
	for typ := range 256 {
		if k := wamp.MessageType(typ); k.Known() && !seen[k] {
			t.Errorf("message type %v is not tested", k)
		}
	}
}

type foreign struct{ wamp.Hello }

func (*foreign) Type() wamp.MessageType { return 255 }

func TestUnknown(t *testing.T) {
	tests := []struct {
		m       wamp.Message
		wantNil bool
	}{
		{nil, true},
		{(*wamp.Event)(nil), true},
		{(*wamp.Yield)(nil), true},
		{(*foreign)(nil), true},
		{&foreign{}, false},
	}
	for _, tt := range tests {
		var f layout.Fields
		if typ, elems, n := layout.Split(tt.m, &f); typ != 0 || elems != nil || n != 0 {
			t.Errorf("Split(%#v) = %v, %v, %d", tt.m, typ, elems, n)
		}
		if err := layout.SplitError(tt.m); (err == layout.ErrNil) != tt.wantNil || err == nil {
			t.Errorf("SplitError(%#v) = %v", tt.m, err)
		}
	}
	for _, typ := range []wamp.MessageType{0, 7, 255} {
		if layout.Of(typ) != nil {
			t.Errorf("Of(%d) is not nil", typ)
		}
		if m, p := layout.Build(typ, &layout.Fields{}); m != nil || p != nil {
			t.Errorf("Build(%d) = %v, %v", typ, m, p)
		}
	}
}

// TestArity checks the arity of every layout against its elements: all but
// an OptDict required, the payload's two optional.
func TestArity(t *testing.T) {
	for typ := range 256 {
		k := wamp.MessageType(typ)
		l := layout.Of(k)
		if (l != nil) != k.Known() {
			t.Fatalf("%v: Of = %v, known %v", k, l, k.Known())
		}
		if l == nil {
			continue
		}
		min, max := 1+len(l.Elems), 1+len(l.Elems)
		if l.Elems[len(l.Elems)-1].Kind == layout.OptDict {
			min--
		}
		if l.Payload {
			max += 2
		}
		if l.Min != min || l.Max != max {
			t.Errorf("%v: arity %d to %d, elements say %d to %d", k, l.Min, l.Max, min, max)
		}
	}
}
