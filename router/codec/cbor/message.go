package cbor

import (
	"fmt"

	"github.com/edgebar/edgebar/router/wamp"
)

// This file is the same in the json, msgpack and cbor packages apart from
// the package clause: the per-message layout of WAMP §"Message Definitions"
// written once against each codec's reader and writer.

// message decodes the elements after the type code. Errors stick in r.err;
// after one, the accessors return zero values and the result is dropped.
func (r *reader) message() wamp.Message {
	switch r.typ {
	case wamp.HELLO:
		r.arity(3, 3)
		return &wamp.Hello{Realm: r.uri("Realm"), Details: r.dict("Details")}
	case wamp.WELCOME:
		r.arity(3, 3)
		return &wamp.Welcome{Session: r.id("Session"), Details: r.dict("Details")}
	case wamp.ABORT:
		r.arity(3, 3)
		return &wamp.Abort{Details: r.dict("Details"), Reason: r.uri("Reason")}
	case wamp.CHALLENGE:
		r.arity(3, 3)
		return &wamp.Challenge{AuthMethod: r.str("AuthMethod"), Extra: r.dict("Extra")}
	case wamp.AUTHENTICATE:
		r.arity(3, 3)
		return &wamp.Authenticate{Signature: r.str("Signature"), Extra: r.dict("Extra")}
	case wamp.GOODBYE:
		r.arity(3, 3)
		return &wamp.Goodbye{Details: r.dict("Details"), Reason: r.uri("Reason")}
	case wamp.ERROR:
		r.arity(5, 7)
		m := &wamp.ErrorMessage{RequestType: r.msgType("RequestType"), Request: r.id("Request"),
			Details: r.dict("Details"), Error: r.uri("Error")}
		r.payload(&m.Payload)
		return m
	case wamp.PUBLISH:
		r.arity(4, 6)
		m := &wamp.Publish{Request: r.id("Request"), Options: r.dict("Options"), Topic: r.uri("Topic")}
		r.payload(&m.Payload)
		return m
	case wamp.PUBLISHED:
		r.arity(3, 3)
		return &wamp.Published{Request: r.id("Request"), Publication: r.id("Publication")}
	case wamp.SUBSCRIBE:
		r.arity(4, 4)
		return &wamp.Subscribe{Request: r.id("Request"), Options: r.dict("Options"), Topic: r.uri("Topic")}
	case wamp.SUBSCRIBED:
		r.arity(3, 3)
		return &wamp.Subscribed{Request: r.id("Request"), Subscription: r.id("Subscription")}
	case wamp.UNSUBSCRIBE:
		r.arity(3, 3)
		return &wamp.Unsubscribe{Request: r.id("Request"), Subscription: r.id("Subscription")}
	case wamp.UNSUBSCRIBED:
		r.arity(2, 3)
		return &wamp.Unsubscribed{Request: r.id("Request"), Details: r.optDict("Details")}
	case wamp.EVENT:
		r.arity(4, 6)
		m := &wamp.Event{Subscription: r.id("Subscription"), Publication: r.id("Publication"),
			Details: r.dict("Details")}
		r.payload(&m.Payload)
		return m
	default:
		return r.rpcMessage()
	}
}

func (r *reader) rpcMessage() wamp.Message {
	switch r.typ {
	case wamp.CALL:
		r.arity(4, 6)
		m := &wamp.Call{Request: r.id("Request"), Options: r.dict("Options"), Procedure: r.uri("Procedure")}
		r.payload(&m.Payload)
		return m
	case wamp.CANCEL:
		r.arity(3, 3)
		return &wamp.Cancel{Request: r.id("Request"), Options: r.dict("Options")}
	case wamp.RESULT:
		r.arity(3, 5)
		m := &wamp.Result{Request: r.id("Request"), Details: r.dict("Details")}
		r.payload(&m.Payload)
		return m
	case wamp.REGISTER:
		r.arity(4, 4)
		return &wamp.Register{Request: r.id("Request"), Options: r.dict("Options"), Procedure: r.uri("Procedure")}
	case wamp.REGISTERED:
		r.arity(3, 3)
		return &wamp.Registered{Request: r.id("Request"), Registration: r.id("Registration")}
	case wamp.UNREGISTER:
		r.arity(3, 3)
		return &wamp.Unregister{Request: r.id("Request"), Registration: r.id("Registration")}
	case wamp.UNREGISTERED:
		r.arity(2, 3)
		return &wamp.Unregistered{Request: r.id("Request"), Details: r.optDict("Details")}
	case wamp.INVOCATION:
		r.arity(4, 6)
		m := &wamp.Invocation{Request: r.id("Request"), Registration: r.id("Registration"),
			Details: r.dict("Details")}
		r.payload(&m.Payload)
		return m
	case wamp.INTERRUPT:
		r.arity(3, 3)
		return &wamp.Interrupt{Request: r.id("Request"), Options: r.dict("Options")}
	case wamp.YIELD:
		r.arity(3, 5)
		m := &wamp.Yield{Request: r.id("Request"), Options: r.dict("Options")}
		r.payload(&m.Payload)
		return m
	}
	// start refuses unknown codes, so this is only reached on a bug.
	r.fail(fmt.Errorf("unknown message type %d", r.typ))
	return nil
}

// payloadLen is the number of trailing payload elements m will carry:
// ArgumentsKw needs Arguments before it, written as [] when absent.
func payloadLen(p *wamp.Payload) int {
	switch {
	case p.HasKwargs():
		return 2
	case p.HasArgs():
		return 1
	}
	return 0
}

// message encodes m; errors stick in w.err.
func (w *writer) message(m wamp.Message) {
	switch m := m.(type) {
	case *wamp.Hello:
		w.begin(wamp.HELLO, 3)
		w.uri(m.Realm)
		w.dict(m.Details)
	case *wamp.Welcome:
		w.begin(wamp.WELCOME, 3)
		w.id(m.Session)
		w.dict(m.Details)
	case *wamp.Abort:
		w.begin(wamp.ABORT, 3)
		w.dict(m.Details)
		w.uri(m.Reason)
	case *wamp.Challenge:
		w.begin(wamp.CHALLENGE, 3)
		w.str(m.AuthMethod)
		w.dict(m.Extra)
	case *wamp.Authenticate:
		w.begin(wamp.AUTHENTICATE, 3)
		w.str(m.Signature)
		w.dict(m.Extra)
	case *wamp.Goodbye:
		w.begin(wamp.GOODBYE, 3)
		w.dict(m.Details)
		w.uri(m.Reason)
	case *wamp.ErrorMessage:
		w.begin(wamp.ERROR, 5+payloadLen(&m.Payload))
		w.uint(uint64(m.RequestType))
		w.id(m.Request)
		w.dict(m.Details)
		w.uri(m.Error)
		w.payload(&m.Payload)
	case *wamp.Publish:
		w.begin(wamp.PUBLISH, 4+payloadLen(&m.Payload))
		w.id(m.Request)
		w.dict(m.Options)
		w.uri(m.Topic)
		w.payload(&m.Payload)
	case *wamp.Published:
		w.begin(wamp.PUBLISHED, 3)
		w.id(m.Request)
		w.id(m.Publication)
	case *wamp.Subscribe:
		w.begin(wamp.SUBSCRIBE, 4)
		w.id(m.Request)
		w.dict(m.Options)
		w.uri(m.Topic)
	case *wamp.Subscribed:
		w.begin(wamp.SUBSCRIBED, 3)
		w.id(m.Request)
		w.id(m.Subscription)
	case *wamp.Unsubscribe:
		w.begin(wamp.UNSUBSCRIBE, 3)
		w.id(m.Request)
		w.id(m.Subscription)
	case *wamp.Unsubscribed:
		w.acknowledgement(wamp.UNSUBSCRIBED, m.Request, m.Details)
	case *wamp.Event:
		w.begin(wamp.EVENT, 4+payloadLen(&m.Payload))
		w.id(m.Subscription)
		w.id(m.Publication)
		w.dict(m.Details)
		w.payload(&m.Payload)
	default:
		w.rpcMessage(m)
	}
	w.end()
}

func (w *writer) rpcMessage(m wamp.Message) {
	switch m := m.(type) {
	case *wamp.Call:
		w.begin(wamp.CALL, 4+payloadLen(&m.Payload))
		w.id(m.Request)
		w.dict(m.Options)
		w.uri(m.Procedure)
		w.payload(&m.Payload)
	case *wamp.Cancel:
		w.begin(wamp.CANCEL, 3)
		w.id(m.Request)
		w.dict(m.Options)
	case *wamp.Result:
		w.begin(wamp.RESULT, 3+payloadLen(&m.Payload))
		w.id(m.Request)
		w.dict(m.Details)
		w.payload(&m.Payload)
	case *wamp.Register:
		w.begin(wamp.REGISTER, 4)
		w.id(m.Request)
		w.dict(m.Options)
		w.uri(m.Procedure)
	case *wamp.Registered:
		w.begin(wamp.REGISTERED, 3)
		w.id(m.Request)
		w.id(m.Registration)
	case *wamp.Unregister:
		w.begin(wamp.UNREGISTER, 3)
		w.id(m.Request)
		w.id(m.Registration)
	case *wamp.Unregistered:
		w.acknowledgement(wamp.UNREGISTERED, m.Request, m.Details)
	case *wamp.Invocation:
		w.begin(wamp.INVOCATION, 4+payloadLen(&m.Payload))
		w.id(m.Request)
		w.id(m.Registration)
		w.dict(m.Details)
		w.payload(&m.Payload)
	case *wamp.Interrupt:
		w.begin(wamp.INTERRUPT, 3)
		w.id(m.Request)
		w.dict(m.Options)
	case *wamp.Yield:
		w.begin(wamp.YIELD, 3+payloadLen(&m.Payload))
		w.id(m.Request)
		w.dict(m.Options)
		w.payload(&m.Payload)
	default:
		w.err = fmt.Errorf("cannot encode message type %T", m)
	}
}

// acknowledgement writes UNSUBSCRIBED or UNREGISTERED, with Details only
// when it is not nil.
func (w *writer) acknowledgement(t wamp.MessageType, req wamp.ID, details wamp.Dict) {
	if details == nil {
		w.begin(t, 2)
		w.id(req)
		return
	}
	w.begin(t, 3)
	w.id(req)
	w.dict(details)
}
