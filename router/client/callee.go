package client

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/edgebar/edgebar/router/wamp"
)

// ErrRuntime is the error URI a callee answers with when its Handler fails
// with an error that is not a *wamp.Error, or panics. It is Autobahn's URI
// for the same case, so callers in other languages see the usual one.
const ErrRuntime wamp.URI = "wamp.error.runtime_error"

// errInterrupted is the cause of a handler context canceled by INTERRUPT.
var errInterrupted = errors.New("client: call canceled by the caller")

// Handler answers the invocations of a registered procedure.
//
// Each invocation runs in a goroutine of its own. ctx is canceled when the
// session ends and when the router interrupts the call (the caller canceled
// it). The returned *Result becomes YIELD (nil: no arguments). An error
// becomes ERROR: a *wamp.Error (found with errors.As) with its URI, Args,
// Kwargs and Details; a context error after an interrupt with
// wamp.error.canceled; any other error with ErrRuntime and the error's text
// as the only argument, so return a *wamp.Error to control what callers see.
// A panic is recovered and logged, and answered with ErrRuntime and no
// detail.
type Handler func(ctx context.Context, inv *Invocation) (*Result, error)

// Invocation is one call of a registered procedure.
type Invocation struct {
	// Procedure is the URI called: the registered one, or for a pattern
	// registration the one the caller used (Details["procedure"]).
	Procedure wamp.URI
	Args      wamp.List
	Kwargs    wamp.Dict
	Details   wamp.Dict // INVOCATION.Details; must not be modified
}

// Registration is a procedure registered by this session.
type Registration struct {
	s         *Session
	procedure wamp.URI
	handler   Handler
	id        wamp.ID // set under s.mu by the reader on REGISTERED
}

// ID is the registration id the router assigned.
func (r *Registration) ID() wamp.ID { return r.id }

// Procedure is the registered URI.
func (r *Registration) Procedure() wamp.URI { return r.procedure }

// Register registers procedure with handler; opts are REGISTER.Options (e.g.
// "match": "prefix", "invoke": "roundrobin"; nil: none). An ERROR is returned
// as a *wamp.Error. If ctx ends before the router answers, a registration
// that still succeeds is taken back.
func (s *Session) Register(ctx context.Context, procedure wamp.URI, handler Handler, opts wamp.Dict) (*Registration, error) {
	if opts == nil {
		opts = wamp.Dict{}
	}
	reg := &Registration{s: s, procedure: procedure, handler: handler}
	// The reader installs the registration before it reads the next
	// message, which may already be an INVOCATION of it.
	id, r, err := s.newRequest(wamp.REGISTER, func(m wamp.Message) {
		if rm, ok := m.(*wamp.Registered); ok {
			reg.id = rm.Registration
			s.regs[reg.id] = reg
		}
	})
	if err != nil {
		return nil, err
	}
	m := &wamp.Register{Request: id, Options: opts, Procedure: procedure}
	reply, err := s.roundTrip(ctx, id, r, m, func(m wamp.Message) {
		if _, ok := m.(*wamp.Registered); ok {
			reg.Unregister(s.ctx)
		}
	})
	if err != nil {
		return nil, err
	}
	if em, ok := reply.(*wamp.ErrorMessage); ok {
		return nil, errorOf(em)
	}
	return reg, nil
}

// Unregister removes the registration. Invocations arriving after it started
// are answered with wamp.error.no_such_registration; running ones go on.
func (r *Registration) Unregister(ctx context.Context) error {
	s := r.s
	s.mu.Lock()
	if s.regs[r.id] != r {
		s.mu.Unlock()
		if err := s.Err(); err != nil {
			return err
		}
		return fmt.Errorf("client: %s is not registered", r.procedure)
	}
	delete(s.regs, r.id)
	s.mu.Unlock()
	id, req, err := s.newRequest(wamp.UNREGISTER, nil)
	if err != nil {
		return err
	}
	reply, err := s.roundTrip(ctx, id, req, &wamp.Unregister{Request: id, Registration: r.id}, nil)
	if err != nil {
		return err
	}
	if em, ok := reply.(*wamp.ErrorMessage); ok {
		return errorOf(em)
	}
	return nil
}

// revokeRegistration handles UNREGISTERED with request 0 (advanced profile
// "registration revocation"): the router removed a registration itself.
func (s *Session) revokeRegistration(details wamp.Dict) {
	id, ok := wamp.AsID(details["registration"])
	if !ok {
		return
	}
	s.mu.Lock()
	delete(s.regs, id)
	s.mu.Unlock()
	s.log.Info("client: registration revoked by the router", "registration", id,
		"reason", wamp.OptString(details, "reason"))
}

// invocation starts the handler of m in a goroutine. The handler's cancel is
// recorded before the reader moves on, so an INTERRUPT right behind the
// INVOCATION finds it.
func (s *Session) invocation(m *wamp.Invocation) {
	s.mu.Lock()
	reg := s.regs[m.Registration]
	var ctx context.Context
	var cancel context.CancelCauseFunc
	if reg != nil {
		ctx, cancel = context.WithCancelCause(s.ctx)
		s.invs[m.Request] = cancel
	}
	s.mu.Unlock()
	if reg == nil {
		go s.sendError(m.Request, wamp.NewError(wamp.ErrNoSuchRegistration, "not registered"))
		return
	}
	go s.invoke(ctx, cancel, reg, m)
}

func (s *Session) interrupt(m *wamp.Interrupt) {
	s.mu.Lock()
	cancel := s.invs[m.Request]
	s.mu.Unlock()
	if cancel != nil {
		cancel(errInterrupted)
	}
}

func (s *Session) invoke(ctx context.Context, cancel context.CancelCauseFunc, reg *Registration, m *wamp.Invocation) {
	defer func() {
		s.mu.Lock()
		delete(s.invs, m.Request)
		s.mu.Unlock()
		cancel(nil)
	}()
	args, kwargs, err := m.Values()
	if err != nil {
		s.sendError(m.Request, wamp.NewError(wamp.ErrInvalidArgument, "cannot decode the arguments"))
		return
	}
	inv := &Invocation{Procedure: reg.procedure, Args: args, Kwargs: kwargs, Details: m.Details}
	if p := wamp.OptString(m.Details, "procedure"); p != "" {
		inv.Procedure = wamp.URI(p)
	}
	res, err := s.runHandler(ctx, reg, inv)
	if err != nil {
		s.sendError(m.Request, s.handlerError(ctx, err))
		return
	}
	y := &wamp.Yield{Request: m.Request, Options: wamp.Dict{}}
	if res != nil {
		y.Args, y.Kwargs = res.Args, res.Kwargs
	}
	if err := s.send(y); err != nil {
		s.log.Debug("client: send YIELD", "err", err)
	}
}

// runHandler runs the handler and turns a panic into an error.
func (s *Session) runHandler(ctx context.Context, reg *Registration, inv *Invocation) (res *Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("client: handler panicked", "procedure", inv.Procedure,
				"panic", p, "stack", string(debug.Stack()))
			res, err = nil, wamp.NewError(ErrRuntime, "handler panicked")
		}
	}()
	return reg.handler(ctx, inv)
}

// handlerError maps a handler's error to the error the caller gets.
func (s *Session) handlerError(ctx context.Context, err error) *wamp.Error {
	var we *wamp.Error
	switch {
	case errors.As(err, &we):
		return we
	case context.Cause(ctx) == errInterrupted && errors.Is(err, context.Canceled):
		return wamp.NewError(wamp.ErrCanceled, "canceled")
	default:
		return wamp.NewError(ErrRuntime, err.Error())
	}
}

// sendError answers INVOCATION request with ERROR.
func (s *Session) sendError(request wamp.ID, e *wamp.Error) {
	details := e.Details
	if details == nil {
		details = wamp.Dict{}
	}
	m := &wamp.ErrorMessage{RequestType: wamp.INVOCATION, Request: request, Details: details,
		Error: e.URI, Payload: wamp.Payload{Args: e.Args, Kwargs: e.Kwargs}}
	if err := s.send(m); err != nil {
		s.log.Debug("client: send ERROR", "err", err)
	}
}
