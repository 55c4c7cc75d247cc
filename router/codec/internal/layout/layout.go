// Package layout holds the per-message layout of WAMP §"Message
// Definitions" once for the json, msgpack and cbor codecs: for each message
// type its arity and the elements between the type code and the payload,
// in order, with their kinds and names (Of); how decoded element values
// make a message (Build); and how a message splits into them (Split).
//
// The layout is data that a codec's reader and writer walk with their own
// primitives, rather than code calling into the codec through an interface,
// a type parameter or method values: those calls are indirect, keep the
// writer's primitives from being inlined and, for an interface or a
// generic dictionary, move the codec's reader to the heap, one allocation
// per message more. Encoding an EVENT with a raw payload takes a few tens
// of nanoseconds and is the router's fan-out path, where that would show.
package layout

import "github.com/edgebar/edgebar/router/wamp"

// Kind is the type of one element.
type Kind uint8

// The kinds of elements between the type code and the payload.
const (
	// ID is a wamp.ID, in Fields.Uints[Elem.Slot].
	ID Kind = iota + 1
	// MsgType is a message type code (ERROR's REQUEST.Type), in
	// Fields.Uints[Elem.Slot].
	MsgType
	// Str is a string or URI, in Fields.Str.
	Str
	// Dict is a required dict, in Fields.Dict: empty decodes to nil, nil
	// encodes as an empty dict.
	Dict
	// OptDict is an optional trailing dict, in Fields.Dict: non-nil when
	// present, left out when nil (UNSUBSCRIBED and UNREGISTERED Details).
	OptDict
)

// Elem is one element.
type Elem struct {
	Kind Kind
	Slot uint8  // index into Fields.Uints, for ID and MsgType
	Name string // the spec's name, for error messages
}

// Layout is the layout of one message type.
type Layout struct {
	Min, Max int    // element count, type code and payload included
	Elems    []Elem // after the type code and before the payload
	Payload  bool   // Arguments|list and ArgumentsKw|dict may follow
}

// Fields holds the element values of one message. No message has more
// than two integers, one string and one dict besides its payload.
type Fields struct {
	Uints   [2]uint64
	Str     string
	Dict    wamp.Dict
	Payload *wamp.Payload // from Split: nil when the message type has none
}

var (
	request      = Elem{ID, 0, "Request"}
	details      = Elem{Kind: Dict, Name: "Details"}
	options      = Elem{Kind: Dict, Name: "Options"}
	extra        = Elem{Kind: Dict, Name: "Extra"}
	reason       = Elem{Kind: Str, Name: "Reason"}
	acknowledged = []Elem{request, {Kind: OptDict, Name: "Details"}}
)

// layouts is indexed by message type code.
var layouts = [...]Layout{
	wamp.HELLO:        {3, 3, []Elem{{Kind: Str, Name: "Realm"}, details}, false},
	wamp.WELCOME:      {3, 3, []Elem{{ID, 0, "Session"}, details}, false},
	wamp.ABORT:        {3, 3, []Elem{details, reason}, false},
	wamp.CHALLENGE:    {3, 3, []Elem{{Kind: Str, Name: "AuthMethod"}, extra}, false},
	wamp.AUTHENTICATE: {3, 3, []Elem{{Kind: Str, Name: "Signature"}, extra}, false},
	wamp.GOODBYE:      {3, 3, []Elem{details, reason}, false},
	wamp.ERROR:        {5, 7, []Elem{{MsgType, 0, "RequestType"}, {ID, 1, "Request"}, details, {Kind: Str, Name: "Error"}}, true},
	wamp.PUBLISH:      {4, 6, []Elem{request, options, {Kind: Str, Name: "Topic"}}, true},
	wamp.PUBLISHED:    {3, 3, []Elem{request, {ID, 1, "Publication"}}, false},
	wamp.SUBSCRIBE:    {4, 4, []Elem{request, options, {Kind: Str, Name: "Topic"}}, false},
	wamp.SUBSCRIBED:   {3, 3, []Elem{request, {ID, 1, "Subscription"}}, false},
	wamp.UNSUBSCRIBE:  {3, 3, []Elem{request, {ID, 1, "Subscription"}}, false},
	wamp.UNSUBSCRIBED: {2, 3, acknowledged, false},
	wamp.EVENT:        {4, 6, []Elem{{ID, 0, "Subscription"}, {ID, 1, "Publication"}, details}, true},
	wamp.CALL:         {4, 6, []Elem{request, options, {Kind: Str, Name: "Procedure"}}, true},
	wamp.CANCEL:       {3, 3, []Elem{request, options}, false},
	wamp.RESULT:       {3, 5, []Elem{request, details}, true},
	wamp.REGISTER:     {4, 4, []Elem{request, options, {Kind: Str, Name: "Procedure"}}, false},
	wamp.REGISTERED:   {3, 3, []Elem{request, {ID, 1, "Registration"}}, false},
	wamp.UNREGISTER:   {3, 3, []Elem{request, {ID, 1, "Registration"}}, false},
	wamp.UNREGISTERED: {2, 3, acknowledged, false},
	wamp.INVOCATION:   {4, 6, []Elem{request, {ID, 1, "Registration"}, details}, true},
	wamp.INTERRUPT:    {3, 3, []Elem{request, options}, false},
	wamp.YIELD:        {3, 5, []Elem{request, options}, true},
}

// Of returns the layout of message type t, nil for a type this package
// does not know.
func Of(t wamp.MessageType) *Layout {
	if int(t) >= len(layouts) || layouts[t].Elems == nil {
		return nil
	}
	return &layouts[t]
}
