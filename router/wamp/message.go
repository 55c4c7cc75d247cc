package wamp

// MessageType is the code in the first element of every WAMP message.
type MessageType uint8

// Message type codes (WAMP basic and advanced profile).
const (
	HELLO        MessageType = 1
	WELCOME      MessageType = 2
	ABORT        MessageType = 3
	CHALLENGE    MessageType = 4
	AUTHENTICATE MessageType = 5
	GOODBYE      MessageType = 6
	ERROR        MessageType = 8
	PUBLISH      MessageType = 16
	PUBLISHED    MessageType = 17
	SUBSCRIBE    MessageType = 32
	SUBSCRIBED   MessageType = 33
	UNSUBSCRIBE  MessageType = 34
	UNSUBSCRIBED MessageType = 35
	EVENT        MessageType = 36
	CALL         MessageType = 48
	CANCEL       MessageType = 49
	RESULT       MessageType = 50
	REGISTER     MessageType = 64
	REGISTERED   MessageType = 65
	UNREGISTER   MessageType = 66
	UNREGISTERED MessageType = 67
	INVOCATION   MessageType = 68
	INTERRUPT    MessageType = 69
	YIELD        MessageType = 70
)

var typeNames = [...]string{
	HELLO: "HELLO", WELCOME: "WELCOME", ABORT: "ABORT", CHALLENGE: "CHALLENGE",
	AUTHENTICATE: "AUTHENTICATE", GOODBYE: "GOODBYE", ERROR: "ERROR",
	PUBLISH: "PUBLISH", PUBLISHED: "PUBLISHED", SUBSCRIBE: "SUBSCRIBE",
	SUBSCRIBED: "SUBSCRIBED", UNSUBSCRIBE: "UNSUBSCRIBE", UNSUBSCRIBED: "UNSUBSCRIBED",
	EVENT: "EVENT", CALL: "CALL", CANCEL: "CANCEL", RESULT: "RESULT",
	REGISTER: "REGISTER", REGISTERED: "REGISTERED", UNREGISTER: "UNREGISTER",
	UNREGISTERED: "UNREGISTERED", INVOCATION: "INVOCATION", INTERRUPT: "INTERRUPT",
	YIELD: "YIELD",
}

// String returns the spec's name of the type, or "UNKNOWN(n)".
func (t MessageType) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return "UNKNOWN(" + itoa(uint64(t)) + ")"
}

// Known reports whether t is a message type this package defines.
func (t MessageType) Known() bool { return int(t) < len(typeNames) && typeNames[t] != "" }

// Message is any WAMP message. Messages are values shared read-only once
// they are handed to a router or transport: the router may deliver the same
// *Event to many in-process subscribers, so receivers must not modify them.
type Message interface {
	Type() MessageType
}

// Hello opens a session: [HELLO, Realm|uri, Details|dict].
type Hello struct {
	Realm   URI
	Details Dict
}

// Welcome accepts a session: [WELCOME, Session|id, Details|dict].
type Welcome struct {
	Session ID
	Details Dict
}

// Abort refuses or ends a session before or instead of GOODBYE:
// [ABORT, Details|dict, Reason|uri].
type Abort struct {
	Details Dict
	Reason  URI
}

// Challenge asks for authentication: [CHALLENGE, AuthMethod|string, Extra|dict].
type Challenge struct {
	AuthMethod string
	Extra      Dict
}

// Authenticate answers a challenge: [AUTHENTICATE, Signature|string, Extra|dict].
type Authenticate struct {
	Signature string
	Extra     Dict
}

// Goodbye closes a session: [GOODBYE, Details|dict, Reason|uri].
type Goodbye struct {
	Details Dict
	Reason  URI
}

// ErrorMessage answers a request with an error:
// [ERROR, REQUEST.Type|int, REQUEST.Request|id, Details|dict, Error|uri, Arguments|list, ArgumentsKw|dict].
type ErrorMessage struct {
	RequestType MessageType
	Request     ID
	Details     Dict
	Error       URI
	Payload
}

// Publish: [PUBLISH, Request|id, Options|dict, Topic|uri, Arguments|list, ArgumentsKw|dict].
type Publish struct {
	Request ID
	Options Dict
	Topic   URI
	Payload
}

// Published: [PUBLISHED, PUBLISH.Request|id, Publication|id].
type Published struct {
	Request     ID
	Publication ID
}

// Subscribe: [SUBSCRIBE, Request|id, Options|dict, Topic|uri].
type Subscribe struct {
	Request ID
	Options Dict
	Topic   URI
}

// Subscribed: [SUBSCRIBED, SUBSCRIBE.Request|id, Subscription|id].
type Subscribed struct {
	Request      ID
	Subscription ID
}

// Unsubscribe: [UNSUBSCRIBE, Request|id, SUBSCRIBED.Subscription|id].
type Unsubscribe struct {
	Request      ID
	Subscription ID
}

// Unsubscribed: [UNSUBSCRIBED, UNSUBSCRIBE.Request|id] or, from the advanced
// profile, [UNSUBSCRIBED, UNSUBSCRIBE.Request|id, Details|dict]. Details is
// encoded only when it is not nil.
type Unsubscribed struct {
	Request ID
	Details Dict
}

// Event: [EVENT, SUBSCRIBED.Subscription|id, PUBLISHED.Publication|id, Details|dict,
// PUBLISH.Arguments|list, PUBLISH.ArgumentsKw|dict].
type Event struct {
	Subscription ID
	Publication  ID
	Details      Dict
	Payload
}

// Call: [CALL, Request|id, Options|dict, Procedure|uri, Arguments|list, ArgumentsKw|dict].
type Call struct {
	Request   ID
	Options   Dict
	Procedure URI
	Payload
}

// Cancel: [CANCEL, CALL.Request|id, Options|dict].
type Cancel struct {
	Request ID
	Options Dict
}

// Result: [RESULT, CALL.Request|id, Details|dict, YIELD.Arguments|list, YIELD.ArgumentsKw|dict].
type Result struct {
	Request ID
	Details Dict
	Payload
}

// Register: [REGISTER, Request|id, Options|dict, Procedure|uri].
type Register struct {
	Request   ID
	Options   Dict
	Procedure URI
}

// Registered: [REGISTERED, REGISTER.Request|id, Registration|id].
type Registered struct {
	Request      ID
	Registration ID
}

// Unregister: [UNREGISTER, Request|id, REGISTERED.Registration|id].
type Unregister struct {
	Request      ID
	Registration ID
}

// Unregistered: [UNREGISTERED, UNREGISTER.Request|id], or with Details from
// the advanced profile; Details is encoded only when it is not nil.
type Unregistered struct {
	Request ID
	Details Dict
}

// Invocation: [INVOCATION, Request|id, REGISTERED.Registration|id, Details|dict,
// CALL.Arguments|list, CALL.ArgumentsKw|dict].
type Invocation struct {
	Request      ID
	Registration ID
	Details      Dict
	Payload
}

// Interrupt: [INTERRUPT, INVOCATION.Request|id, Options|dict].
type Interrupt struct {
	Request ID
	Options Dict
}

// Yield: [YIELD, INVOCATION.Request|id, Options|dict, Arguments|list, ArgumentsKw|dict].
type Yield struct {
	Request ID
	Options Dict
	Payload
}

func (*Hello) Type() MessageType        { return HELLO }
func (*Welcome) Type() MessageType      { return WELCOME }
func (*Abort) Type() MessageType        { return ABORT }
func (*Challenge) Type() MessageType    { return CHALLENGE }
func (*Authenticate) Type() MessageType { return AUTHENTICATE }
func (*Goodbye) Type() MessageType      { return GOODBYE }
func (*ErrorMessage) Type() MessageType { return ERROR }
func (*Publish) Type() MessageType      { return PUBLISH }
func (*Published) Type() MessageType    { return PUBLISHED }
func (*Subscribe) Type() MessageType    { return SUBSCRIBE }
func (*Subscribed) Type() MessageType   { return SUBSCRIBED }
func (*Unsubscribe) Type() MessageType  { return UNSUBSCRIBE }
func (*Unsubscribed) Type() MessageType { return UNSUBSCRIBED }
func (*Event) Type() MessageType        { return EVENT }
func (*Call) Type() MessageType         { return CALL }
func (*Cancel) Type() MessageType       { return CANCEL }
func (*Result) Type() MessageType       { return RESULT }
func (*Register) Type() MessageType     { return REGISTER }
func (*Registered) Type() MessageType   { return REGISTERED }
func (*Unregister) Type() MessageType   { return UNREGISTER }
func (*Unregistered) Type() MessageType { return UNREGISTERED }
func (*Invocation) Type() MessageType   { return INVOCATION }
func (*Interrupt) Type() MessageType    { return INTERRUPT }
func (*Yield) Type() MessageType        { return YIELD }

func itoa(u uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			return string(b[i:])
		}
	}
}
