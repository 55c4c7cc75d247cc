package broker

import (
	"github.com/edgebar/edgebar/router/wamp"
)

// Revoke removes the session sessionID from the subscription subID on the
// router's initiative (WAMP §"Subscription Revocation"), for the meta
// procedure wamp.subscription.remove_subscriber. A subscriber that
// announced roles.subscriber.features.subscription_revocation is told with
// [UNSUBSCRIBED, 0, {subscription, reason}]; to any other the spec forbids
// the message, and it learns of the loss only through meta events. reason
// may be "" (left out of the message).
//
// It returns a *wamp.Error with wamp.error.no_such_subscription when the
// subscription does not exist and wamp.error.no_such_session when the
// session is not subscribed to it.
func (b *Broker) Revoke(subID, sessionID wamp.ID, reason string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	sub := b.byID[subID]
	if sub == nil {
		return wamp.NewError(wamp.ErrNoSuchSubscription, "no subscription with this id")
	}
	var s Subscriber
	for _, c := range sub.subscribers {
		if c.ID() == sessionID {
			s = c
			break
		}
	}
	if s == nil {
		return wamp.NewError(wamp.ErrNoSuchSession, "session is not subscribed")
	}
	b.removeLocked(sub, s)
	if announces(s, "subscriber", "subscription_revocation") {
		details := wamp.Dict{"subscription": subID}
		if reason != "" {
			details["reason"] = reason
		}
		// Under the lock: no EVENT of this subscription can follow it.
		s.Send(&wamp.Unsubscribed{Request: 0, Details: details})
	}
	return nil
}

// announces reports whether s announced HELLO.Details.roles.<role>.features.<feature> = true.
func announces(s Subscriber, role, feature string) bool {
	r, _ := s.Roles()[role].(wamp.Dict)
	f, _ := r["features"].(wamp.Dict)
	return wamp.OptBool(f, feature, false)
}
