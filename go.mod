module github.com/edgebar/edgebar

go 1.26

require (
	github.com/fxamacker/cbor/v2 v2.10.0
	github.com/gorilla/websocket v1.5.3
	github.com/tinylib/msgp v1.6.5
	go.yaml.in/yaml/v3 v3.0.6
)

require (
	github.com/philhofer/fwd v1.2.0 // indirect
	github.com/x448/float16 v0.8.4 // indirect
)
