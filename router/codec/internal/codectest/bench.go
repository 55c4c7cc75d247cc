package codectest

import (
	"testing"

	"github.com/edgebar/edgebar/router/wamp"
)

// The CALLs the benchmarks decode, in JSON; Transcode them for the other
// codecs.
const (
	CallJSON          = `[48,7814135,{"timeout":1000,"receive_progress":true},"com.myapp.add2",[23,19,"a string argument"],{"unit":"celsius","precise":true}]`
	CallNoOptionsJSON = `[48,7814135,{},"com.myapp.add2",[23,19,"a string argument"],{"unit":"celsius","precise":true}]`
)

// Transcode decodes frame with from and encodes the message with to. It
// panics on an error: it makes package-level test data.
func Transcode(from, to Codec, frame string) []byte {
	m, err := from.Decode([]byte(frame))
	if err != nil {
		panic(err)
	}
	b, err := to.Encode(nil, m)
	if err != nil {
		panic(err)
	}
	return b
}

// BenchDecode decodes frame with c.
func BenchDecode(b *testing.B, c Codec, frame []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if _, err := c.Decode(frame); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchEncodeEventRaw encodes an EVENT carrying the raw payload of the
// CALL in callFrame, as the broker does for each subscriber of c's codec.
func BenchEncodeEventRaw(b *testing.B, c Codec, callFrame []byte) {
	m, err := c.Decode(callFrame)
	if err != nil {
		b.Fatal(err)
	}
	ev := &wamp.Event{Subscription: 5512315355, Publication: 4429313566, Payload: m.(*wamp.Call).Payload}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		if buf, err = c.Encode(buf[:0], ev); err != nil {
			b.Fatal(err)
		}
	}
}
