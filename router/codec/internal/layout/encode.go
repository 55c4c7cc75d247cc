package layout

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/edgebar/edgebar/router/wamp"
)

// Split fills f from m and returns m's type code, the elements to write
// after it and before the payload (f.Payload, when not nil), and n, the
// element count on the wire, type code and payload included. t is 0 for a
// nil message or one of a type this package does not know; SplitError
// says which.
//
// Split handles the session and publish/subscribe messages itself, a call
// less on the router's fan-out path (EVENT), and hands the rest to
// splitRPC; hence its length.
func Split(m wamp.Message, f *Fields) (t wamp.MessageType, elems []Elem, n int) {
	switch m := m.(type) {
	case *wamp.Hello:
		if m != nil {
			t, f.Str, f.Dict = wamp.HELLO, string(m.Realm), m.Details
		}
	case *wamp.Welcome:
		if m != nil {
			t, f.Uints[0], f.Dict = wamp.WELCOME, uint64(m.Session), m.Details
		}
	case *wamp.Abort:
		if m != nil {
			t, f.Dict, f.Str = wamp.ABORT, m.Details, string(m.Reason)
		}
	case *wamp.Challenge:
		if m != nil {
			t, f.Str, f.Dict = wamp.CHALLENGE, m.AuthMethod, m.Extra
		}
	case *wamp.Authenticate:
		if m != nil {
			t, f.Str, f.Dict = wamp.AUTHENTICATE, m.Signature, m.Extra
		}
	case *wamp.Goodbye:
		if m != nil {
			t, f.Dict, f.Str = wamp.GOODBYE, m.Details, string(m.Reason)
		}
	case *wamp.ErrorMessage:
		if m != nil {
			f.Uints = [2]uint64{uint64(m.RequestType), uint64(m.Request)}
			t, f.Dict, f.Str, f.Payload = wamp.ERROR, m.Details, string(m.Error), &m.Payload
		}
	case *wamp.Publish:
		if m != nil {
			t, f.Uints[0], f.Dict, f.Str, f.Payload = wamp.PUBLISH, uint64(m.Request), m.Options, string(m.Topic), &m.Payload
		}
	case *wamp.Published:
		if m != nil {
			t, f.Uints = wamp.PUBLISHED, [2]uint64{uint64(m.Request), uint64(m.Publication)}
		}
	case *wamp.Subscribe:
		if m != nil {
			t, f.Uints[0], f.Dict, f.Str = wamp.SUBSCRIBE, uint64(m.Request), m.Options, string(m.Topic)
		}
	case *wamp.Subscribed:
		if m != nil {
			t, f.Uints = wamp.SUBSCRIBED, [2]uint64{uint64(m.Request), uint64(m.Subscription)}
		}
	case *wamp.Unsubscribe:
		if m != nil {
			t, f.Uints = wamp.UNSUBSCRIBE, [2]uint64{uint64(m.Request), uint64(m.Subscription)}
		}
	case *wamp.Unsubscribed:
		if m != nil {
			t, f.Uints[0], f.Dict = wamp.UNSUBSCRIBED, uint64(m.Request), m.Details
		}
	case *wamp.Event:
		if m != nil {
			f.Uints = [2]uint64{uint64(m.Subscription), uint64(m.Publication)}
			t, f.Dict, f.Payload = wamp.EVENT, m.Details, &m.Payload
		}
	default:
		t = splitRPC(m, f)
	}
	if t == 0 {
		return 0, nil, 0
	}
	elems = layouts[t].Elems
	if elems[len(elems)-1].Kind == OptDict && f.Dict == nil {
		elems = elems[:len(elems)-1]
	}
	n = 1 + len(elems)
	if f.Payload != nil {
		n += payloadLen(f.Payload)
	}
	return t, elems, n
}

// ErrNil is SplitError's error for a nil message, untyped or a nil
// pointer.
var ErrNil = errors.New("layout: nil message")

// SplitError is the reason Split returned 0 for m: ErrNil, or an error
// naming m's type.
func SplitError(m wamp.Message) error {
	if v := reflect.ValueOf(m); m == nil || v.Kind() == reflect.Pointer && v.IsNil() {
		return ErrNil
	}
	return fmt.Errorf("cannot encode message type %T", m)
}

// splitRPC handles the remote procedure call messages; 0 for others and
// for nil pointers.
func splitRPC(m wamp.Message, f *Fields) wamp.MessageType {
	switch m := m.(type) {
	case *wamp.Call:
		if m != nil {
			f.Uints[0], f.Dict, f.Str, f.Payload = uint64(m.Request), m.Options, string(m.Procedure), &m.Payload
			return wamp.CALL
		}
	case *wamp.Cancel:
		if m != nil {
			f.Uints[0], f.Dict = uint64(m.Request), m.Options
			return wamp.CANCEL
		}
	case *wamp.Result:
		if m != nil {
			f.Uints[0], f.Dict, f.Payload = uint64(m.Request), m.Details, &m.Payload
			return wamp.RESULT
		}
	case *wamp.Register:
		if m != nil {
			f.Uints[0], f.Dict, f.Str = uint64(m.Request), m.Options, string(m.Procedure)
			return wamp.REGISTER
		}
	case *wamp.Registered:
		if m != nil {
			f.Uints = [2]uint64{uint64(m.Request), uint64(m.Registration)}
			return wamp.REGISTERED
		}
	case *wamp.Unregister:
		if m != nil {
			f.Uints = [2]uint64{uint64(m.Request), uint64(m.Registration)}
			return wamp.UNREGISTER
		}
	case *wamp.Unregistered:
		if m != nil {
			f.Uints[0], f.Dict = uint64(m.Request), m.Details
			return wamp.UNREGISTERED
		}
	case *wamp.Invocation:
		if m != nil {
			f.Uints = [2]uint64{uint64(m.Request), uint64(m.Registration)}
			f.Dict, f.Payload = m.Details, &m.Payload
			return wamp.INVOCATION
		}
	case *wamp.Interrupt:
		if m != nil {
			f.Uints[0], f.Dict = uint64(m.Request), m.Options
			return wamp.INTERRUPT
		}
	case *wamp.Yield:
		if m != nil {
			f.Uints[0], f.Dict, f.Payload = uint64(m.Request), m.Options, &m.Payload
			return wamp.YIELD
		}
	}
	return 0
}

// payloadLen is the number of trailing payload elements: ArgumentsKw needs
// Arguments before it, written as [] when absent.
func payloadLen(p *wamp.Payload) int {
	switch {
	case p.HasKwargs():
		return 2
	case p.HasArgs():
		return 1
	}
	return 0
}
