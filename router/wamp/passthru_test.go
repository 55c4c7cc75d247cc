package wamp

import "testing"

func TestPassthruAttrs(t *testing.T) {
	cases := []struct {
		name string
		opts Dict
		want Dict
	}{
		{"no options", nil, nil},
		{"no scheme", Dict{"ppt_serializer": "cbor"}, nil},
		{"empty scheme", Dict{"ppt_scheme": ""}, nil},
		{"all", Dict{"ppt_scheme": "x", "ppt_serializer": "cbor", "ppt_cipher": "c", "ppt_keyid": "k", "other": 1},
			Dict{"ppt_scheme": "x", "ppt_serializer": "cbor", "ppt_cipher": "c", "ppt_keyid": "k"}},
		{"some", Dict{"ppt_scheme": "mqtt", "acknowledge": true}, Dict{"ppt_scheme": "mqtt"}},
	}
	for _, c := range cases {
		got := PassthruAttrs(c.opts)
		if len(got) != len(c.want) || (got == nil) != (c.want == nil) {
			t.Fatalf("%s: got %v want %v", c.name, got, c.want)
		}
		for k, v := range c.want {
			if got[k] != v {
				t.Fatalf("%s: %s = %v, want %v", c.name, k, got[k], v)
			}
		}
	}
}
