package config

import "testing"

// FuzzParse feeds arbitrary bytes to both decoders: no input may panic, and
// whatever decodes must survive Validate and RouterConfig.
func FuzzParse(f *testing.F) {
	f.Add([]byte(minimalYAML))
	f.Add([]byte(crossbarTemplate))
	f.Add([]byte("a: &a [*a, *a]\nb: *a\n"))
	f.Add([]byte(`{"workers": [{"type": "router", "realms": [{"name": "r"}], "transports": [{"type": "web", "endpoint": {"type": "tcp", "port": "1"}, "paths": {"ws": {"type": "websocket"}}}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []string{"yaml", "json"} {
			c, err := Parse(data, format)
			if err != nil {
				if c != nil {
					t.Fatalf("%s: config and error both returned", format)
				}
				continue
			}
			if c.Validate() == nil {
				for i := range c.Workers {
					_ = c.Workers[i].RouterConfig()
				}
			}
		}
	})
}
