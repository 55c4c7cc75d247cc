package cbor_test

import (
	"testing"

	"github.com/edgebar/edgebar/router/codec/internal/codectest"
)

// FuzzDecode: no input panics; whatever decodes is also well-formed for the
// reference decoder (fxamacker/cbor, as strict), and encodes to something
// that decodes to an equal message.
func FuzzDecode(f *testing.F) {
	codectest.FuzzDecode(f, c, codectest.Options{Wellformed: ref.Wellformed})
}

// FuzzDecodeValue: values we decode equal what the reference decodes.
func FuzzDecodeValue(f *testing.F) {
	for _, s := range [][]byte{{0xa1, 0x61, 'a', 0x82, 0x01, 0xf9, 0x3c, 0x00}, {0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, {0x43, 1, 2, 3}} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := c.DecodeValue(data)
		if err != nil {
			return
		}
		var r any
		if err := ref.Unmarshal(data, &r); err != nil {
			t.Fatalf("accepted %x, which the reference rejects: %v", data, err)
		}
		if codectest.Show(codectest.Norm(r)) != codectest.Show(codectest.Norm(v)) {
			t.Fatalf("%x:\n ours %#v\n ref  %#v", data, codectest.Norm(v), codectest.Norm(r))
		}
	})
}
