package layout

import "github.com/edgebar/edgebar/router/wamp"

// Build makes a message of type t from the values of the elements that
// Of(t) lists, and returns it with its payload for the caller to decode the
// trailing Arguments and ArgumentsKw into, nil when t has none. It returns
// nil, nil for a type Of does not know.
func Build(t wamp.MessageType, f *Fields) (wamp.Message, *wamp.Payload) {
	id0, id1 := wamp.ID(f.Uints[0]), wamp.ID(f.Uints[1])
	switch t {
	case wamp.HELLO:
		return &wamp.Hello{Realm: wamp.URI(f.Str), Details: f.Dict}, nil
	case wamp.WELCOME:
		return &wamp.Welcome{Session: id0, Details: f.Dict}, nil
	case wamp.ABORT:
		return &wamp.Abort{Details: f.Dict, Reason: wamp.URI(f.Str)}, nil
	case wamp.CHALLENGE:
		return &wamp.Challenge{AuthMethod: f.Str, Extra: f.Dict}, nil
	case wamp.AUTHENTICATE:
		return &wamp.Authenticate{Signature: f.Str, Extra: f.Dict}, nil
	case wamp.GOODBYE:
		return &wamp.Goodbye{Details: f.Dict, Reason: wamp.URI(f.Str)}, nil
	case wamp.ERROR:
		m := &wamp.ErrorMessage{RequestType: wamp.MessageType(f.Uints[0]), Request: id1, Details: f.Dict, Error: wamp.URI(f.Str)}
		return m, &m.Payload
	case wamp.PUBLISH:
		m := &wamp.Publish{Request: id0, Options: f.Dict, Topic: wamp.URI(f.Str)}
		return m, &m.Payload
	case wamp.PUBLISHED:
		return &wamp.Published{Request: id0, Publication: id1}, nil
	case wamp.SUBSCRIBE:
		return &wamp.Subscribe{Request: id0, Options: f.Dict, Topic: wamp.URI(f.Str)}, nil
	case wamp.SUBSCRIBED:
		return &wamp.Subscribed{Request: id0, Subscription: id1}, nil
	case wamp.UNSUBSCRIBE:
		return &wamp.Unsubscribe{Request: id0, Subscription: id1}, nil
	case wamp.UNSUBSCRIBED:
		return &wamp.Unsubscribed{Request: id0, Details: f.Dict}, nil
	case wamp.EVENT:
		m := &wamp.Event{Subscription: id0, Publication: id1, Details: f.Dict}
		return m, &m.Payload
	}
	return buildRPC(t, f, id0, id1)
}

func buildRPC(t wamp.MessageType, f *Fields, id0, id1 wamp.ID) (wamp.Message, *wamp.Payload) {
	switch t {
	case wamp.CALL:
		m := &wamp.Call{Request: id0, Options: f.Dict, Procedure: wamp.URI(f.Str)}
		return m, &m.Payload
	case wamp.CANCEL:
		return &wamp.Cancel{Request: id0, Options: f.Dict}, nil
	case wamp.RESULT:
		m := &wamp.Result{Request: id0, Details: f.Dict}
		return m, &m.Payload
	case wamp.REGISTER:
		return &wamp.Register{Request: id0, Options: f.Dict, Procedure: wamp.URI(f.Str)}, nil
	case wamp.REGISTERED:
		return &wamp.Registered{Request: id0, Registration: id1}, nil
	case wamp.UNREGISTER:
		return &wamp.Unregister{Request: id0, Registration: id1}, nil
	case wamp.UNREGISTERED:
		return &wamp.Unregistered{Request: id0, Details: f.Dict}, nil
	case wamp.INVOCATION:
		m := &wamp.Invocation{Request: id0, Registration: id1, Details: f.Dict}
		return m, &m.Payload
	case wamp.INTERRUPT:
		return &wamp.Interrupt{Request: id0, Options: f.Dict}, nil
	case wamp.YIELD:
		m := &wamp.Yield{Request: id0, Options: f.Dict}
		return m, &m.Payload
	}
	return nil, nil
}
