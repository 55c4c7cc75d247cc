package cbor

import (
	"bytes"
	"testing"

	"github.com/edgebar/edgebar/router/wamp"
)

// cbor-x (wampy) writes a JavaScript Uint8Array as tag 64 over a byte string.
func TestTag64IsBytes(t *testing.T) {
	v, err := Codec.DecodeValue([]byte{0x81, 0xd8, 0x40, 0x43, 1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	if l := v.(wamp.List); !bytes.Equal(l[0].([]byte), []byte{1, 2, 3}) {
		t.Fatalf("decoded %#v", v)
	}
	// Tag 64 over anything else, and other tags, stay refused.
	for _, in := range [][]byte{{0xd8, 0x40, 0x01}, {0xd8, 0x41, 0x43, 1, 2, 3}} {
		if _, err := Codec.DecodeValue(in); err == nil {
			t.Fatalf("% x accepted", in)
		}
	}
}
