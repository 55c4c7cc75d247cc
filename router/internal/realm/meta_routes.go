package realm

import (
	"time"

	"github.com/edgebar/edgebar/router/internal/broker"
	"github.com/edgebar/edgebar/router/internal/match"
	"github.com/edgebar/edgebar/router/internal/session"
	"github.com/edgebar/edgebar/router/wamp"
)

// WAMP §"Registration Meta API" and §"Subscription Meta API": procedures,
// and §"Event History": wamp.subscription.get_events.

// policyLists is the spec's RegistrationLists / SubscriptionLists dict.
func policyLists(byPolicy [3][]wamp.ID) wamp.Dict {
	return wamp.Dict{
		"exact": idList(byPolicy[match.Exact]), "prefix": idList(byPolicy[match.Prefix]),
		"wildcard": idList(byPolicy[match.Wildcard]),
	}
}

// uriAndMatch reads (uri, options?) with options.match as lookup takes it.
func uriAndMatch(args wamp.List, name string) (wamp.URI, match.Policy, error) {
	uri, err := argString(args, 0, name)
	if err != nil {
		return "", 0, err
	}
	opts, err := optDict(args, 1, "options")
	if err != nil {
		return "", 0, err
	}
	ms, isString := opts["match"].(string)
	if opts["match"] != nil && !isString {
		return "", 0, badArg("options.match must be a string")
	}
	p, ok := match.ParsePolicy(ms)
	if !ok {
		return "", 0, badArg("unknown match policy %q", ms)
	}
	return wamp.URI(uri), p, nil
}

var errNoRegistration = wamp.NewError(wamp.ErrNoSuchRegistration, "no registration with this id")

func (r *Realm) registrationList(_ *session.Session, _ wamp.List, _ wamp.Dict) (wamp.Payload, error) {
	return result(policyLists(r.dealer.Registrations())), nil
}

func (r *Realm) registrationLookup(_ *session.Session, args wamp.List, _ wamp.Dict) (wamp.Payload, error) {
	uri, p, err := uriAndMatch(args, "procedure")
	if err != nil {
		return wamp.Payload{}, err
	}
	return result(orNull(r.dealer.Lookup(uri, p))), nil
}

func (r *Realm) registrationMatch(_ *session.Session, args wamp.List, _ wamp.Dict) (wamp.Payload, error) {
	uri, err := argString(args, 0, "procedure")
	if err != nil {
		return wamp.Payload{}, err
	}
	return result(orNull(r.dealer.Match(wamp.URI(uri)))), nil
}

func (r *Realm) registrationGet(_ *session.Session, args wamp.List, _ wamp.Dict) (wamp.Payload, error) {
	id, err := argID(args, 0, "registration")
	if err != nil {
		return wamp.Payload{}, err
	}
	ri, ok := r.dealer.Registration(id)
	if !ok {
		return wamp.Payload{}, errNoRegistration
	}
	return result(ri.Details), nil
}

func (r *Realm) registrationListCallees(_ *session.Session, args wamp.List, _ wamp.Dict) (wamp.Payload, error) {
	id, err := argID(args, 0, "registration")
	if err != nil {
		return wamp.Payload{}, err
	}
	ri, ok := r.dealer.Registration(id)
	if !ok {
		return wamp.Payload{}, errNoRegistration
	}
	return result(idList(ri.Callees)), nil
}

func (r *Realm) registrationCountCallees(_ *session.Session, args wamp.List, _ wamp.Dict) (wamp.Payload, error) {
	id, err := argID(args, 0, "registration")
	if err != nil {
		return wamp.Payload{}, err
	}
	ri, ok := r.dealer.Registration(id)
	if !ok {
		return wamp.Payload{}, errNoRegistration
	}
	return result(int64(len(ri.Callees))), nil
}

// optReason reads remove_callee's and remove_subscriber's optional reason
// (third positional argument, or keyword).
func optReason(args wamp.List, kwargs wamp.Dict) (string, error) {
	v := any(nil)
	if len(args) > 2 {
		v = args[2]
	}
	if kv, ok := kwargs["reason"]; ok {
		v = kv
	}
	if v == nil {
		return "", nil
	}
	s, ok := wamp.AsString(v)
	if !ok {
		return "", badArg("reason must be a string")
	}
	return s, nil
}

// wamp.registration.remove_callee(registration, callee, reason?): Crossbar's
// procedure; registration revocation (UNREGISTERED to callees that support
// it) plus the meta events.
func (r *Realm) registrationRemoveCallee(_ *session.Session, args wamp.List, kwargs wamp.Dict) (wamp.Payload, error) {
	reg, err := argID(args, 0, "registration")
	if err != nil {
		return wamp.Payload{}, err
	}
	callee, err := argID(args, 1, "callee")
	if err != nil {
		return wamp.Payload{}, err
	}
	reason, err := optReason(args, kwargs)
	if err != nil {
		return wamp.Payload{}, err
	}
	if _, ok := r.dealer.Registration(reg); !ok {
		return wamp.Payload{}, errNoRegistration
	}
	if !r.dealer.Revoke(reg, callee, reason) {
		return wamp.Payload{}, wamp.NewError(wamp.ErrNoSuchSession, "the session is not a callee of the registration")
	}
	return wamp.Payload{}, nil
}

var errNoSubscription = wamp.NewError(wamp.ErrNoSuchSubscription, "no subscription with this id")

func (r *Realm) subscriptionList(_ *session.Session, _ wamp.List, _ wamp.Dict) (wamp.Payload, error) {
	return result(policyLists(r.broker.Subscriptions())), nil
}

func (r *Realm) subscriptionLookup(_ *session.Session, args wamp.List, _ wamp.Dict) (wamp.Payload, error) {
	uri, p, err := uriAndMatch(args, "topic")
	if err != nil {
		return wamp.Payload{}, err
	}
	return result(orNull(r.broker.Lookup(uri, p))), nil
}

// wamp.subscription.match(topic) -> subscription_ids or null
func (r *Realm) subscriptionMatch(_ *session.Session, args wamp.List, _ wamp.Dict) (wamp.Payload, error) {
	uri, err := argString(args, 0, "topic")
	if err != nil {
		return wamp.Payload{}, err
	}
	ids := r.broker.Match(wamp.URI(uri))
	if len(ids) == 0 {
		return result(nil), nil
	}
	return result(idList(ids)), nil
}

func (r *Realm) subscription(args wamp.List) (broker.SubscriptionInfo, error) {
	id, err := argID(args, 0, "subscription")
	if err != nil {
		return broker.SubscriptionInfo{}, err
	}
	si, ok := r.broker.Subscription(id)
	if !ok {
		return si, errNoSubscription
	}
	return si, nil
}

func (r *Realm) subscriptionGet(_ *session.Session, args wamp.List, _ wamp.Dict) (wamp.Payload, error) {
	si, err := r.subscription(args)
	if err != nil {
		return wamp.Payload{}, err
	}
	return result(si.Details()), nil
}

func (r *Realm) subscriptionListSubscribers(_ *session.Session, args wamp.List, _ wamp.Dict) (wamp.Payload, error) {
	si, err := r.subscription(args)
	if err != nil {
		return wamp.Payload{}, err
	}
	return result(idList(si.Subscribers)), nil
}

func (r *Realm) subscriptionCountSubscribers(_ *session.Session, args wamp.List, _ wamp.Dict) (wamp.Payload, error) {
	si, err := r.subscription(args)
	if err != nil {
		return wamp.Payload{}, err
	}
	return result(int64(len(si.Subscribers))), nil
}

// wamp.subscription.remove_subscriber(subscription, subscriber, reason?):
// Crossbar's procedure; subscription revocation plus the meta events.
func (r *Realm) subscriptionRemoveSubscriber(_ *session.Session, args wamp.List, kwargs wamp.Dict) (wamp.Payload, error) {
	sub, err := argID(args, 0, "subscription")
	if err != nil {
		return wamp.Payload{}, err
	}
	subscriber, err := argID(args, 1, "subscriber")
	if err != nil {
		return wamp.Payload{}, err
	}
	reason, err := optReason(args, kwargs)
	if err != nil {
		return wamp.Payload{}, err
	}
	return wamp.Payload{}, r.broker.Revoke(sub, subscriber, reason)
}

// wamp.subscription.get_events(subscription; reverse, limit, from_time,
// after_time, before_time, until_time, topic, from_publication,
// after_publication, before_publication, until_publication) -> the events,
// one per positional result. A second positional argument is the limit
// (Crossbar's signature).
func (r *Realm) subscriptionGetEvents(caller *session.Session, args wamp.List, kwargs wamp.Dict) (wamp.Payload, error) {
	id, err := argID(args, 0, "subscription")
	if err != nil {
		return wamp.Payload{}, err
	}
	q, err := historyQuery(args, kwargs)
	if err != nil {
		return wamp.Payload{}, err
	}
	evs, err := r.broker.GetEvents(id, q, caller)
	if err != nil {
		return wamp.Payload{}, err
	}
	return wamp.Payload{Args: evs}, nil
}

func historyQuery(args wamp.List, kwargs wamp.Dict) (broker.HistoryQuery, error) {
	var q broker.HistoryQuery
	limit := any(nil)
	if len(args) > 1 {
		limit = args[1]
	}
	if v, ok := kwargs["limit"]; ok {
		limit = v
	}
	if limit != nil {
		n, ok := wamp.AsInt64(limit)
		if !ok || n <= 0 {
			return q, badArg("limit must be a positive integer")
		}
		q.Limit = int(min(n, 1<<30))
	}
	if v, ok := kwargs["reverse"]; ok && v != nil {
		b, isBool := v.(bool)
		if !isBool {
			return q, badArg("reverse must be a boolean")
		}
		q.Reverse = b
	}
	times := []struct {
		key string
		dst *time.Time
	}{{"from_time", &q.FromTime}, {"after_time", &q.AfterTime}, {"before_time", &q.BeforeTime}, {"until_time", &q.UntilTime}}
	for _, t := range times {
		v, ok := kwargs[t.key]
		if !ok || v == nil {
			continue
		}
		s, _ := wamp.AsString(v)
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return q, badArg("%s must be an RFC 3339 timestamp", t.key)
		}
		*t.dst = tm
	}
	pubs := []struct {
		key string
		dst *wamp.ID
	}{{"from_publication", &q.FromPublication}, {"after_publication", &q.AfterPublication},
		{"before_publication", &q.BeforePublication}, {"until_publication", &q.UntilPublication}}
	for _, p := range pubs {
		v, ok := kwargs[p.key]
		if !ok || v == nil {
			continue
		}
		id, isID := wamp.AsID(v)
		if !isID || id == 0 {
			return q, badArg("%s must be a publication id", p.key)
		}
		*p.dst = id
	}
	if v, ok := kwargs["topic"]; ok && v != nil {
		s, isString := wamp.AsString(v)
		if !isString {
			return q, badArg("topic must be a URI")
		}
		q.Topic = wamp.URI(s)
	}
	return q, nil
}
