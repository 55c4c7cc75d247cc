package rawsocket

import (
	"testing"

	"github.com/edgebar/edgebar/router/codec"
	"github.com/edgebar/edgebar/router/transport"
	"github.com/edgebar/edgebar/router/wamp"
)

// TestRealCodecs runs the handshake and a round trip with each codec of
// codec.All(), offered by default (Config.Codecs nil).
func TestRealCodecs(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		for _, c := range codec.All() {
			t.Run(network+"/"+c.Name(), func(t *testing.T) {
				srv, cli := pair(t, network, Config{}, c, 0)
				if srv.Codec() != c || srv.Info().Serializer != c.Name() {
					t.Fatalf("router codec = %s", srv.Info().Serializer)
				}
				pub := &wamp.Publish{Request: 7, Options: wamp.Dict{}, Topic: "com.example.t",
					Payload: wamp.Payload{Args: wamp.List{"hello", int64(42)}, Kwargs: wamp.Dict{"k": true}}}
				if err := cli.Send([]transport.Outgoing{encode(t, c, pub), {Msg: pub}}); err != nil {
					t.Fatal(err)
				}
				for range 2 {
					m, err := srv.Recv()
					if err != nil {
						t.Fatal(err)
					}
					got, ok := m.(*wamp.Publish)
					if !ok || got.Request != 7 || got.Topic != "com.example.t" {
						t.Fatalf("got %#v", m)
					}
					args, kwargs, err := got.Values()
					if err != nil {
						t.Fatal(err)
					}
					if len(args) != 2 || args[0] != "hello" || kwargs["k"] != true {
						t.Fatalf("payload = %v %v", args, kwargs)
					}
				}
			})
		}
	}
}
