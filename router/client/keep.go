package client

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// KeepConfig is the redial schedule of Keep: exponential back-off with
// jitter.
type KeepConfig struct {
	// Initial is the first delay after a failure or a lost session;
	// 0 means 500ms.
	Initial time.Duration
	// Max caps the delay; 0 means 30s.
	Max time.Duration
	// Multiplier grows the delay after each failed attempt; 0 means 2.
	Multiplier float64
	// Jitter is the fraction of each delay drawn at random: the wait is
	// uniform in [d*(1-Jitter), d]. 0 means 0.5; negative means none.
	Jitter float64
	// Logger reports failed attempts and lost sessions; nil discards.
	Logger *slog.Logger
}

func (c KeepConfig) withDefaults() KeepConfig {
	if c.Initial <= 0 {
		c.Initial = 500 * time.Millisecond
	}
	if c.Max <= 0 {
		c.Max = 30 * time.Second
	}
	if c.Max < c.Initial {
		c.Max = c.Initial
	}
	if c.Multiplier < 1 {
		c.Multiplier = 2
	}
	switch {
	case c.Jitter == 0:
		c.Jitter = 0.5
	case c.Jitter < 0:
		c.Jitter = 0
	case c.Jitter > 1:
		c.Jitter = 1
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// next is the delay after d failed; 0 is "no failure yet".
func (c KeepConfig) next(d time.Duration) time.Duration {
	if d <= 0 {
		return c.Initial
	}
	n := time.Duration(float64(d) * c.Multiplier)
	if n > c.Max || n <= 0 {
		n = c.Max
	}
	return n
}

// jittered draws the wait for delay d.
func (c KeepConfig) jittered(d time.Duration) time.Duration {
	return d - time.Duration(c.Jitter*rand.Float64()*float64(d))
}

// Keeper keeps a session up; see Keep.
type Keeper struct {
	done chan struct{}

	mu      sync.Mutex
	cur     *Session      // guarded by mu; nil between sessions
	changed chan struct{} // guarded by mu; closed and replaced when cur changes
}

// Keep keeps a session joined until ctx ends: it dials, runs onJoin (which
// registers and subscribes what the component needs), and when the session
// is lost it dials again, waiting with exponential back-off and jitter
// between attempts. A dial or onJoin error counts as a failed attempt (the
// session is closed); the delay returns to Initial once a session is up, and
// a lost session is followed by one delay of Initial before the redial. When
// ctx ends Keep leaves the current session (for at most a second) and Done
// is closed. A session closed by its user is redialed like a lost one:
// cancel ctx to stop.
func Keep(ctx context.Context, dial func(context.Context) (*Session, error), onJoin func(context.Context, *Session) error, cfg KeepConfig) *Keeper {
	k := &Keeper{done: make(chan struct{}), changed: make(chan struct{})}
	go k.run(ctx, dial, onJoin, cfg.withDefaults())
	return k
}

// Session is the current session, nil while there is none.
func (k *Keeper) Session() *Session {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.cur
}

// Wait returns the current session, waiting for one if there is none. It
// fails when ctx ends or the Keeper stopped.
func (k *Keeper) Wait(ctx context.Context) (*Session, error) {
	for {
		k.mu.Lock()
		s, changed := k.cur, k.changed
		k.mu.Unlock()
		if s != nil {
			return s, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-k.done:
			return nil, ErrSessionClosed
		}
	}
}

// Done is closed when Keep has stopped and left its last session.
func (k *Keeper) Done() <-chan struct{} { return k.done }

func (k *Keeper) set(s *Session) {
	k.mu.Lock()
	k.cur = s
	close(k.changed)
	k.changed = make(chan struct{})
	k.mu.Unlock()
}

func (k *Keeper) run(ctx context.Context, dial func(context.Context) (*Session, error), onJoin func(context.Context, *Session) error, cfg KeepConfig) {
	defer close(k.done)
	var delay time.Duration // 0: dial at once
	for {
		if delay > 0 {
			t := time.NewTimer(cfg.jittered(delay))
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return
			}
		}
		s, err := dial(ctx)
		if err == nil {
			if err = onJoin(ctx, s); err != nil {
				s.Close()
			}
		}
		if ctx.Err() != nil {
			if err == nil {
				leave(s)
			}
			return
		}
		if err != nil {
			delay = cfg.next(delay)
			cfg.Logger.Warn("client: keep: attempt failed", "err", err, "retry_in", delay)
			continue
		}
		k.set(s)
		select {
		case <-s.Done():
			cfg.Logger.Warn("client: keep: session lost", "err", s.Err())
			k.set(nil)
			delay = cfg.Initial
		case <-ctx.Done():
			k.set(nil)
			leave(s)
			return
		}
	}
}

// leave leaves s, waiting at most a second for the router's GOODBYE.
func leave(s *Session) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	s.Leave(ctx)
}
