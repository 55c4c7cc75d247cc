package client

import (
	"context"
	"fmt"

	"github.com/edgebar/edgebar/router/wamp"
)

// Result is the outcome of a call: what Call returns and what a Handler
// answers with.
type Result struct {
	Args    wamp.List
	Kwargs  wamp.Dict
	Details wamp.Dict // RESULT.Details from Call; ignored when a Handler returns it
}

// CallOption configures one Call.
type CallOption func(*callConfig)

type callConfig struct {
	options    wamp.Dict
	cancelMode string
}

// CallOptions sets CALL.Options (e.g. "timeout" in ms, "disclose_me"). The
// dict must not be modified afterwards.
func CallOptions(d wamp.Dict) CallOption { return func(c *callConfig) { c.options = d } }

// CancelMode sets the mode of the CANCEL sent when ctx ends before the
// result: "skip" (the default), "kill" or "killnowait".
func CancelMode(mode string) CallOption { return func(c *callConfig) { c.cancelMode = mode } }

// Call calls procedure and waits for its result.
//
// An ERROR from the router or the callee is returned as a *wamp.Error. When
// ctx ends first, Call returns ctx.Err() at once; if the router announced
// call_canceling it also sends CANCEL (mode "skip" unless CancelMode says
// otherwise), else the call is just forgotten and its late RESULT dropped.
func (s *Session) Call(ctx context.Context, procedure wamp.URI, args wamp.List, kwargs wamp.Dict, opts ...CallOption) (*Result, error) {
	cc := callConfig{cancelMode: "skip"}
	for _, o := range opts {
		o(&cc)
	}
	if cc.options == nil {
		cc.options = wamp.Dict{}
	}
	id, r, err := s.newRequest(wamp.CALL, nil)
	if err != nil {
		return nil, err
	}
	m := &wamp.Call{Request: id, Options: cc.options, Procedure: procedure,
		Payload: wamp.Payload{Args: args, Kwargs: kwargs}}
	reply, err := s.roundTrip(ctx, id, r, m, nil)
	if err != nil {
		if ctx.Err() != nil && err == ctx.Err() && s.cancels {
			c := &wamp.Cancel{Request: id, Options: wamp.Dict{"mode": cc.cancelMode}}
			if serr := s.send(c); serr != nil {
				s.log.Debug("client: send CANCEL", "err", serr)
			}
		}
		return nil, err
	}
	switch reply := reply.(type) {
	case *wamp.Result:
		args, kwargs, err := reply.Values()
		if err != nil {
			return nil, fmt.Errorf("client: result of %s: %w", procedure, err)
		}
		return &Result{Args: args, Kwargs: kwargs, Details: reply.Details}, nil
	case *wamp.ErrorMessage:
		return nil, errorOf(reply)
	}
	return nil, fmt.Errorf("client: unexpected %v", reply.Type()) // unreachable: reply() checks types
}

// errorOf turns an ERROR message into a *wamp.Error. A payload that does not
// decode leaves Args and Kwargs empty and sets Err.
func errorOf(m *wamp.ErrorMessage) *wamp.Error {
	args, kwargs, err := m.Values()
	e := &wamp.Error{URI: m.Error, Args: args, Kwargs: kwargs, Details: m.Details}
	if err != nil {
		e.Err = fmt.Errorf("client: error payload: %w", err)
	}
	return e
}
