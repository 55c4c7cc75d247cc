package broker

import (
	"errors"

	"github.com/edgebar/edgebar/router/wamp"
)

// ErrProtocol is wrapped by the errors Publish returns for messages the
// spec calls protocol errors; the realm aborts the session.
var ErrProtocol = errors.New("broker: protocol violation")

// announcesPassthru reports whether HELLO.Details.roles.<role>.features
// announce payload_passthru_mode (or payload_transparency, its name in
// older Autobahn clients).
func announcesPassthru(roles wamp.Dict, role string) bool {
	r, _ := roles[role].(wamp.Dict)
	fs, _ := r["features"].(wamp.Dict)
	return wamp.OptBool(fs, "payload_passthru_mode", false) || wamp.OptBool(fs, "payload_transparency", false)
}

// eventDetails is the EVENT.Details a publication starts from: the
// disclosed publisher and the ppt_* attributes, nil when there are none.
// Subscribers get the ppt_* attributes whether or not they announced the
// feature: the spec leaves that check to the subscriber.
func eventDetails(pub Subscriber, o *pubOptions) wamp.Dict {
	var d wamp.Dict
	if o.disclose {
		d = publisherDetails(pub)
	}
	if o.ppt != nil {
		if d == nil {
			return o.ppt
		}
		for k, v := range o.ppt {
			d[k] = v
		}
	}
	return d
}
