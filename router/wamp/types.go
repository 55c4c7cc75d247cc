package wamp

// ID is a WAMP id: a session, request, subscription, registration or
// publication id, an integer in [0, 2^53] (WAMP §"IDs").
type ID uint64

// MaxID is the largest id the spec allows (2^53), so that ids survive
// JavaScript's float64 numbers.
const MaxID ID = 1 << 53

// URI names a realm, topic, procedure or error.
type URI string

// Dict is a WAMP dictionary: Details, Options and ArgumentsKw.
type Dict = map[string]any

// List is a WAMP list: Arguments.
type List = []any
