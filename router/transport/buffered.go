package transport

// Buffered is implemented by peers that can tell, without blocking, whether
// the next Recv will return a message already read from the connection. The
// session uses it to coalesce writer wake-ups: while its reader routes input
// that is already buffered, the sessions it queues messages for are woken
// once, when that input is used up, rather than once per message (as
// nats-server's flushClients), so one write syscall carries many messages.
//
// Buffered is called only by the reader goroutine, between Recv calls. It
// must report true only when a whole message is buffered: a partial frame
// would make Recv block on the network while wake-ups wait. false is always
// safe (the session then wakes writers at once).
type Buffered interface {
	Peer
	Buffered() bool
}
