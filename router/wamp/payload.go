package wamp

// Encoding is the part of a serializer that a Payload needs to turn raw
// bytes back into values. Codecs implement it; the router compares encodings
// by identity to decide whether raw bytes can be forwarded as they are.
type Encoding interface {
	// Name is the serializer's name: "json", "msgpack" or "cbor".
	Name() string
	// DecodeValue decodes one complete encoded element into the value types
	// listed on Payload.
	DecodeValue(data []byte) (any, error)
}

// Payload is a message's Arguments and ArgumentsKw.
//
// Code that builds a message sets Args and Kwargs, which hold values of these
// types only (codecs produce exactly these and accept them plus Go's other
// numeric types, []string and map[string]string): nil, bool, int64, uint64
// (only above math.MaxInt64), float64, string, []byte, List and Dict.
//
// A router keeps what it forwards as Raw: the elements exactly as they were
// encoded by the sender's serializer, so a receiver of the same serializer
// gets the bytes untouched and only a receiver of another serializer pays for
// transcoding. When Raw.Enc is set, Raw is authoritative and Args and Kwargs
// are ignored.
type Payload struct {
	Args   List
	Kwargs Dict
	Raw    RawPayload
}

// RawPayload is Arguments and ArgumentsKw still encoded by Enc. A nil slice
// means the element was absent from the message; an empty list or dict that
// was present is kept as its encoding.
type RawPayload struct {
	Enc    Encoding
	Args   []byte
	Kwargs []byte
}

// IsRaw reports whether the payload is held in encoded form.
func (p *Payload) IsRaw() bool { return p.Raw.Enc != nil }

// HasArgs reports whether an Arguments element is present.
func (p *Payload) HasArgs() bool {
	if p.Raw.Enc != nil {
		return p.Raw.Args != nil
	}
	return p.Args != nil
}

// HasKwargs reports whether an ArgumentsKw element is present.
func (p *Payload) HasKwargs() bool {
	if p.Raw.Enc != nil {
		return p.Raw.Kwargs != nil
	}
	return p.Kwargs != nil
}

// Values returns Arguments and ArgumentsKw as values, decoding them when they
// are raw. It fails only when raw bytes are not a list and a dict.
func (p *Payload) Values() (List, Dict, error) {
	if p.Raw.Enc == nil {
		return p.Args, p.Kwargs, nil
	}
	var args List
	var kwargs Dict
	if p.Raw.Args != nil {
		v, err := p.Raw.Enc.DecodeValue(p.Raw.Args)
		if err != nil {
			return nil, nil, err
		}
		l, ok := v.(List)
		if !ok {
			return nil, nil, errNotList
		}
		args = l
	}
	if p.Raw.Kwargs != nil {
		v, err := p.Raw.Enc.DecodeValue(p.Raw.Kwargs)
		if err != nil {
			return nil, nil, err
		}
		d, ok := v.(Dict)
		if !ok {
			return nil, nil, errNotDict
		}
		kwargs = d
	}
	return args, kwargs, nil
}

// Size is a cheap estimate of the payload's size in bytes, used to bound
// queues: exact for raw payloads, a count of elements otherwise.
func (p *Payload) Size() int {
	if p.Raw.Enc != nil {
		return len(p.Raw.Args) + len(p.Raw.Kwargs)
	}
	return 8 * (len(p.Args) + len(p.Kwargs))
}

type payloadError string

func (e payloadError) Error() string { return string(e) }

const (
	errNotList payloadError = "wamp: Arguments is not a list"
	errNotDict payloadError = "wamp: ArgumentsKw is not a dict"
)
