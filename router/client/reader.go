package client

import (
	"context"
	"fmt"
	"io"

	"github.com/edgebar/edgebar/router/wamp"
)

// request is a request awaiting its reply. The reader removes it from
// pending, runs install (under s.mu) and hands the reply over on reply,
// which has room for it, so the reader never blocks.
type request struct {
	typ     wamp.MessageType     // CALL, PUBLISH, SUBSCRIBE, ...
	install func(m wamp.Message) // optional; runs under s.mu in the reader
	reply   chan wamp.Message    // capacity 1
}

// newRequest registers a request of type typ under a fresh id.
func (s *Session) newRequest(typ wamp.MessageType, install func(wamp.Message)) (wamp.ID, *request, error) {
	r := &request{typ: typ, install: install, reply: make(chan wamp.Message, 1)}
	id := s.ids.Next()
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.ended:
		return 0, nil, s.err
	case s.leaving:
		return 0, nil, errLeaving
	}
	s.pending[id] = r
	return id, r, nil
}

func (s *Session) forget(id wamp.ID) {
	s.mu.Lock()
	delete(s.pending, id)
	s.mu.Unlock()
}

// roundTrip sends m, the message of request id, and waits for the reply.
// When ctx ends first, the request is forgotten and a late reply dropped;
// undo, when set, instead receives that late reply in a goroutine (to take
// back a registration or subscription the caller no longer wants).
func (s *Session) roundTrip(ctx context.Context, id wamp.ID, r *request, m wamp.Message, undo func(wamp.Message)) (wamp.Message, error) {
	if err := s.send(m); err != nil {
		s.forget(id)
		return nil, s.orEndErr(err)
	}
	select {
	case reply := <-r.reply:
		return reply, nil
	case <-s.done:
		select {
		case reply := <-r.reply: // arrived just before the end
			return reply, nil
		default:
			return nil, s.endErr()
		}
	case <-ctx.Done():
		if undo == nil {
			s.forget(id)
		} else {
			go func() {
				select {
				case reply := <-r.reply:
					undo(reply)
				case <-s.done:
				}
			}()
		}
		return nil, ctx.Err()
	}
}

// orEndErr prefers the session's end over the transport error it caused.
func (s *Session) orEndErr(err error) error {
	select {
	case <-s.done:
		return s.Err()
	default:
		return err
	}
}

// read is the reader goroutine: it receives and dispatches until the
// connection ends or a message ends the session.
func (s *Session) read() {
	defer close(s.readerDone)
	for {
		m, err := s.peer.Recv()
		if err != nil {
			if err == io.EOF {
				err = fmt.Errorf("client: connection closed by the router: %w", err)
			} else {
				err = fmt.Errorf("client: receive: %w", err)
			}
			s.end(err, "")
			return
		}
		if !s.dispatch(m) {
			return
		}
	}
}

// dispatch handles one message; false means the session ended.
func (s *Session) dispatch(m wamp.Message) bool {
	switch m := m.(type) {
	case *wamp.Result:
		s.reply(m.Request, wamp.CALL, m)
	case *wamp.ErrorMessage:
		s.reply(m.Request, m.RequestType, m)
	case *wamp.Published:
		s.reply(m.Request, wamp.PUBLISH, m)
	case *wamp.Subscribed:
		s.reply(m.Request, wamp.SUBSCRIBE, m)
	case *wamp.Unsubscribed:
		if m.Request == 0 {
			s.revokeSubscription(m.Details)
		} else {
			s.reply(m.Request, wamp.UNSUBSCRIBE, m)
		}
	case *wamp.Registered:
		s.reply(m.Request, wamp.REGISTER, m)
	case *wamp.Unregistered:
		if m.Request == 0 {
			s.revokeRegistration(m.Details)
		} else {
			s.reply(m.Request, wamp.UNREGISTER, m)
		}
	case *wamp.Event:
		s.event(m)
	case *wamp.Invocation:
		s.invocation(m)
	case *wamp.Interrupt:
		s.interrupt(m)
	case *wamp.Goodbye:
		s.goodbye(m)
		return false
	case *wamp.Abort:
		s.end(abortError(m.Reason, m.Details), m.Reason)
		return false
	default:
		// WAMP §"Protocol Violations": a message the client role never
		// receives ends the session.
		s.log.Warn("client: protocol violation", "type", m.Type())
		s.abort(wamp.ErrProtocolViolation, "unexpected "+m.Type().String())
		s.end(fmt.Errorf("client: router sent unexpected %v", m.Type()), wamp.ErrProtocolViolation)
		return false
	}
	return true
}

// reply hands m to the request id of type typ. A reply nobody waits for (a
// call given up, a bogus id) is dropped.
func (s *Session) reply(id wamp.ID, typ wamp.MessageType, m wamp.Message) {
	s.mu.Lock()
	r := s.pending[id]
	if r == nil || r.typ != typ {
		s.mu.Unlock()
		s.log.Debug("client: dropped reply", "type", m.Type(), "request", id)
		return
	}
	delete(s.pending, id)
	if r.install != nil {
		r.install(m)
	}
	s.mu.Unlock()
	r.reply <- m
}

// goodbye answers the router's GOODBYE, or takes it as the answer to ours.
func (s *Session) goodbye(m *wamp.Goodbye) {
	s.mu.Lock()
	leaving := s.leaving
	s.mu.Unlock()
	if leaving {
		s.end(nil, wamp.CloseNormal)
		return
	}
	// WAMP §"Session Closing": reply GOODBYE wamp.close.goodbye_and_out.
	if err := s.send(&wamp.Goodbye{Details: wamp.Dict{}, Reason: wamp.CloseGoodbyeAndOut}); err != nil {
		s.log.Debug("client: send GOODBYE", "err", err)
	}
	s.end(abortError(m.Reason, m.Details), m.Reason)
}
