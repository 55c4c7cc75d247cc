package json_test

import (
	"testing"

	"github.com/edgebar/edgebar/router/wamp"
)

var callFrame = []byte(`[48,7814135,{"timeout":1000,"receive_progress":true},"com.myapp.add2",[23,19,"a string argument"],{"unit":"celsius","precise":true}]`)

func BenchmarkDecodeCall(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(callFrame)))
	for b.Loop() {
		if _, err := c.Decode(callFrame); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeCallNoOptions(b *testing.B) {
	frame := []byte(`[48,7814135,{},"com.myapp.add2",[23,19,"a string argument"],{"unit":"celsius","precise":true}]`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Decode(frame); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeEventRaw(b *testing.B) {
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
