package cbor_test

import (
	"testing"
)

// FuzzDecode: no input panics; whatever decodes is also well-formed for the
// reference decoder (fxamacker/cbor, as strict), and encodes to something
// that decodes to an equal message.
func FuzzDecode(f *testing.F) {
	for _, v := range loadVectors(f) {
		for _, frame := range v.frames[c.Name()] {
			f.Add(frame)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := c.Decode(data)
		if err != nil {
			return
		}
		if err := ref.Wellformed(data); err != nil {
			t.Fatalf("accepted %x, which the reference rejects: %v", data, err)
		}
		want := wire(t, m)
		out, err := c.Encode(nil, m)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		m2, err := c.Decode(out)
		if err != nil {
			t.Fatalf("re-decode %x: %v", out, err)
		}
		equalWire(t, "re-decoded", wire(t, m2), want)
	})
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
		if show(norm(r)) != show(norm(v)) {
			t.Fatalf("%x:\n ours %#v\n ref  %#v", data, norm(v), norm(r))
		}
	})
}
