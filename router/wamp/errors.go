package wamp

import "strings"

// Error URIs of the basic and advanced profile.
const (
	ErrInvalidURI             URI = "wamp.error.invalid_uri"
	ErrNoSuchProcedure        URI = "wamp.error.no_such_procedure"
	ErrProcedureAlreadyExists URI = "wamp.error.procedure_already_exists"
	ErrNoSuchRegistration     URI = "wamp.error.no_such_registration"
	ErrNoSuchSubscription     URI = "wamp.error.no_such_subscription"
	ErrInvalidArgument        URI = "wamp.error.invalid_argument"
	ErrNoSuchRealm            URI = "wamp.error.no_such_realm"
	ErrNoSuchRole             URI = "wamp.error.no_such_role"
	ErrNoSuchSession          URI = "wamp.error.no_such_session"
	ErrProtocolViolation      URI = "wamp.error.protocol_violation"
	ErrNotAuthorized          URI = "wamp.error.not_authorized"
	ErrAuthorizationFailed    URI = "wamp.error.authorization_failed"
	ErrAuthenticationFailed   URI = "wamp.error.authentication_failed"
	ErrNoAuthMethod           URI = "wamp.error.no_auth_method"
	ErrCanceled               URI = "wamp.error.canceled"
	ErrTimeout                URI = "wamp.error.timeout"
	ErrUnavailable            URI = "wamp.error.unavailable"
	ErrNoAvailableCallee      URI = "wamp.error.no_available_callee"
	ErrFeatureNotSupported    URI = "wamp.error.feature_not_supported"
	ErrOptionNotAllowed       URI = "wamp.error.option_not_allowed"
	ErrNetworkFailure         URI = "wamp.error.network_failure"
	ErrPayloadSizeExceeded    URI = "wamp.error.payload_size_exceeded"
)

// Close reasons for GOODBYE and ABORT.
const (
	CloseNormal         URI = "wamp.close.normal"
	CloseGoodbyeAndOut  URI = "wamp.close.goodbye_and_out"
	CloseSystemShutdown URI = "wamp.close.system_shutdown"
	CloseCloseRealm     URI = "wamp.close.close_realm"
	CloseKilled         URI = "wamp.close.killed"
)

// Error is a WAMP error as a Go value: the URI and payload of an ERROR message
// or the reason of an ABORT. The router turns it into a message in exactly
// one place, the session; the client returns it from Call and friends.
// Err is the internal cause for logs and errors.Is; it is never sent.
type Error struct {
	URI     URI
	Args    List
	Kwargs  Dict
	Details Dict
	Err     error
}

// NewError returns an Error with uri and optional positional arguments; by
// convention the first argument is a human-readable message.
func NewError(uri URI, args ...any) *Error {
	e := &Error{URI: uri}
	if len(args) > 0 {
		e.Args = List(args)
	}
	return e
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.URI))
	if len(e.Args) > 0 {
		if s, ok := e.Args[0].(string); ok {
			b.WriteString(": ")
			b.WriteString(s)
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, &Error{URI: u}) match by URI.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.URI == e.URI
}
