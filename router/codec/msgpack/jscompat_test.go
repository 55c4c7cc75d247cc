package msgpack

import (
	"testing"

	"github.com/edgebar/edgebar/router/wamp"
)

// msgpackr (wampy) writes JavaScript's undefined as fixext 1 type 0.
func TestJSUndefinedIsNil(t *testing.T) {
	// SUBSCRIBE [32, 1, {"match": undefined}, "a.b"]
	frame := []byte{0x94, 32, 1, 0x81, 0xa5, 'm', 'a', 't', 'c', 'h', 0xd4, 0, 0, 0xa3, 'a', '.', 'b'}
	m, err := Codec.Decode(frame)
	if err != nil {
		t.Fatal(err)
	}
	sub := m.(*wamp.Subscribe)
	if v, ok := sub.Options["match"]; !ok || v != nil || sub.Topic != "a.b" {
		t.Fatalf("decoded %+v", sub)
	}
	// Other extension types stay refused.
	frame[11] = 1
	if _, err := Codec.Decode(frame); err == nil {
		t.Fatal("fixext 1 of type 1 accepted")
	}
}
