// Package interop runs third-party WAMP clients against the edgebar router: Autobahn|JS
// and wampy (Node, from testdata/node_modules) over WebSocket, and Autobahn|Python
// (Debian's /usr/bin/python3) over WebSocket and RawSocket, each with the json, msgpack
// and cbor serializers. The package holds only tests; .ci/test-tools.sh installs the
// clients. Each client script in testdata runs a fixed set of named scenarios and prints
// one JSON line per scenario, which the test reports as a subtest.
package interop
