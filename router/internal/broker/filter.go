package broker

import (
	"errors"
	"slices"

	"github.com/edgebar/edgebar/router/wamp"
)

// filter is who may receive one publication (WAMP §"Subscriber Black- and
// Whitelisting", §"Publisher Exclusion"). A subscriber receives it if and
// only if it is in every eligible list present and in no exclude list
// present; an empty eligible list that is present lets nobody through.
// The publisher itself is excluded unless exclude_me is false.
type filter struct {
	excludeMe bool
	publisher wamp.ID
	active    bool // some list below is present

	exclude, eligible                 idSet
	excludeAuthID, eligibleAuthID     strSet
	excludeAuthRole, eligibleAuthRole strSet
}

// parse reads the six lists from PUBLISH.Options.
func (f *filter) parse(opts wamp.Dict) error {
	var err error
	lists := []struct {
		key string
		ids *idSet
		str *strSet
	}{
		{"exclude", &f.exclude, nil}, {"eligible", &f.eligible, nil},
		{"exclude_authid", nil, &f.excludeAuthID}, {"eligible_authid", nil, &f.eligibleAuthID},
		{"exclude_authrole", nil, &f.excludeAuthRole}, {"eligible_authrole", nil, &f.eligibleAuthRole},
	}
	for _, l := range lists {
		v, ok := opts[l.key]
		if !ok || v == nil {
			continue // absent (or undefined from a JavaScript client)
		}
		list, ok := v.(wamp.List)
		if !ok {
			return errors.New("publish option " + l.key + " must be a list")
		}
		f.active = true
		if l.ids != nil {
			err = l.ids.set(list)
		} else {
			err = l.str.set(list)
		}
		if err != nil {
			return errors.New("publish option " + l.key + ": " + err.Error())
		}
	}
	return nil
}

// allows applies the lists (not exclude_me) to s.
func (f *filter) allows(s Subscriber) bool {
	id := s.ID()
	if f.eligible.present && !f.eligible.has(id) || f.exclude.present && f.exclude.has(id) {
		return false
	}
	if f.eligibleAuthID.present || f.excludeAuthID.present || f.eligibleAuthRole.present || f.excludeAuthRole.present {
		authid, authrole := s.AuthID(), s.AuthRole()
		if f.eligibleAuthID.present && !f.eligibleAuthID.has(authid) ||
			f.excludeAuthID.present && f.excludeAuthID.has(authid) ||
			f.eligibleAuthRole.present && !f.eligibleAuthRole.has(authrole) ||
			f.excludeAuthRole.present && f.excludeAuthRole.has(authrole) {
			return false
		}
	}
	return true
}

// allowsID is allows plus exclude_me for a subscriber known by session:
// for retained events, whose publisher may be gone.
func (f *filter) allowsID(s Subscriber) bool {
	if f.excludeMe && s.ID() == f.publisher {
		return false
	}
	return !f.active || f.allows(s)
}

// setMapMin is the list length from which a set gets a map: below it a
// linear scan is faster and allocates nothing.
const setMapMin = 16

// idSet is a present-or-absent list of session ids.
type idSet struct {
	present bool
	list    []wamp.ID
	m       map[wamp.ID]struct{}
}

func (s *idSet) set(l wamp.List) error {
	s.present = true
	s.list = make([]wamp.ID, 0, len(l))
	for _, v := range l {
		id, ok := wamp.AsID(v)
		if !ok {
			return errors.New("not a session id")
		}
		s.list = append(s.list, id)
	}
	if len(s.list) >= setMapMin {
		s.m = make(map[wamp.ID]struct{}, len(s.list))
		for _, id := range s.list {
			s.m[id] = struct{}{}
		}
	}
	return nil
}

func (s *idSet) has(id wamp.ID) bool {
	if s.m != nil {
		_, ok := s.m[id]
		return ok
	}
	return slices.Contains(s.list, id)
}

// strSet is a present-or-absent list of authids or authroles.
type strSet struct {
	present bool
	list    []string
	m       map[string]struct{}
}

func (s *strSet) set(l wamp.List) error {
	s.present = true
	s.list = make([]string, 0, len(l))
	for _, v := range l {
		str, ok := wamp.AsString(v)
		if !ok {
			return errors.New("not a string")
		}
		s.list = append(s.list, str)
	}
	if len(s.list) >= setMapMin {
		s.m = make(map[string]struct{}, len(s.list))
		for _, str := range s.list {
			s.m[str] = struct{}{}
		}
	}
	return nil
}

func (s *strSet) has(str string) bool {
	if s.m != nil {
		_, ok := s.m[str]
		return ok
	}
	return slices.Contains(s.list, str)
}
