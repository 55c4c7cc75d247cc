"""Interop client: Autobahn|Python (asyncio) over WebSocket or RawSocket.

Usage: /usr/bin/python3 autobahn_py.py URL REALM json|msgpack|cbor [--only a,b] [--timeout S]
URL is ws://host:port/path or tcp://host:port (RawSocket).

Runs the named scenarios sequentially, each with its own sessions, and prints one JSON
line per scenario on stdout: {"scenario": ..., "ok": true|false, "error": ...}. Exit
status: 0 all passed, 1 some failed, 2 usage error or overall timeout.
"""

import argparse
import asyncio
import json
import os
import secrets
import sys
import time
import urllib.parse

import txaio

txaio.use_asyncio()
if os.environ.get("INTEROP_DEBUG"):  # every WAMP message on stderr
    txaio.start_logging(level="trace")

from autobahn.asyncio.rawsocket import WampRawSocketClientFactory, WampRawSocketClientProtocol  # noqa: E402
from autobahn.asyncio.wamp import ApplicationSession  # noqa: E402
from autobahn.asyncio.websocket import WampWebSocketClientFactory  # noqa: E402
from autobahn.wamp import message as wmsg  # noqa: E402
from autobahn.wamp import serializer as wser  # noqa: E402
from autobahn.wamp.exception import ApplicationError  # noqa: E402
from autobahn.wamp.types import CallOptions, CallResult, ComponentConfig, EncodedPayload, PublishOptions, RegisterOptions, SubscribeOptions  # noqa: E402

# Autobahn|Python 22.7 (Debian 12): the asyncio RawSocket protocol stores
# _transport_details but lacks the transport_details property that the session reads in
# onWelcome, so every asyncio RawSocket session dies at join. Supply the property the
# WebSocket protocol has (fixed upstream in later releases).
if not hasattr(WampRawSocketClientProtocol, "transport_details"):
    WampRawSocketClientProtocol.transport_details = property(lambda self: self._transport_details)

SCENARIO_TIMEOUT = 10.0
STEP_TIMEOUT = 5.0

SERIALIZERS = {
    "json": getattr(wser, "JsonSerializer", None),
    "msgpack": getattr(wser, "MsgPackSerializer", None),
    "cbor": getattr(wser, "CBORSerializer", None),
}
AVAILABLE = [name for name, cls in SERIALIZERS.items() if cls is not None]


class CheckFailed(Exception):
    pass


def canon(v):
    """A comparable, printable form: bytes become {"$bin": hex}."""
    if isinstance(v, (bytes, bytearray)):
        return {"$bin": bytes(v).hex()}
    if isinstance(v, (list, tuple)):
        return [canon(x) for x in v]
    if isinstance(v, dict):
        return {str(k): canon(x) for k, x in sorted(v.items())}
    return v


def show(v, abbrev_strings=True):
    def abbrev(x):
        if isinstance(x, dict) and set(x) == {"$bin"} and len(x["$bin"]) > 24:
            h = x["$bin"]
            return {"$bin": "%d bytes %s..%s" % (len(h) // 2, h[:8], h[-8:])}
        if isinstance(x, dict):
            return {k: abbrev(y) for k, y in x.items()}
        if isinstance(x, list):
            return [abbrev(y) for y in x]
        if abbrev_strings and isinstance(x, str) and len(x) > 48:
            return "%s..(%d chars)" % (x[:20], len(x))
        return x

    return json.dumps(abbrev(canon(v)), ensure_ascii=False, sort_keys=True)


def check_equal(got, want, what):
    # canon keeps int and float apart only through json: 1 == 1.0 is accepted, as in JS.
    if json.dumps(canon(got), sort_keys=True) != json.dumps(canon(want), sort_keys=True):
        raise CheckFailed("%s: got %s, want %s" % (what, show(got), show(want)))


def check(cond, msg):
    if not cond:
        raise CheckFailed(msg)


def bytes256():
    return bytes(range(256))


class Client:
    """One joined Autobahn session plus a normalized view of its results."""

    def __init__(self, session, closed):
        self.s = session
        self.closed = closed

    async def register(self, uri, fn):
        async def endpoint(*args, **kwargs):
            try:
                r = fn(list(args), kwargs)
                if asyncio.iscoroutine(r) or isinstance(r, asyncio.Future):
                    r = await r
            except ApplicationError:
                raise
            except Exception as e:  # a failed check inside the callee names itself to the caller
                raise ApplicationError("interop.error.callee_check_failed", "%s: %s" % (type(e).__name__, e))
            args, kwargs = r if r is not None else ([], {})
            # CallResult with no results and no kwresults makes a YIELD without payload.
            return CallResult(*args, **kwargs)

        return await self.s.register(endpoint, uri)

    async def call(self, uri, args=None, kwargs=None):
        # details=True makes Autobahn always hand over a CallResult.
        r = await self.s.call(uri, *(args or []), options=CallOptions(details=True), **(kwargs or {}))
        return list(r.results), dict(r.kwresults)

    async def subscribe(self, topic, fn):
        return await self.s.subscribe(lambda *a, **kw: fn(list(a), kw), topic)

    async def publish(self, topic, args=None, kwargs=None, exclude_me=None):
        opts = PublishOptions(acknowledge=True, exclude_me=exclude_me)
        await self.s.publish(topic, *(args or []), options=opts, **(kwargs or {}))

    async def leave(self):
        if self.s.is_attached():
            self.s.leave()
        await asyncio.wait_for(asyncio.shield(self.closed), 2)

    def drop(self):
        if self.s._transport is not None:
            self.s._transport.close()

    # -- advanced pub/sub (pubsub_* scenarios) --

    @property
    def id(self):
        return self.s.welcome_details.session

    @property
    def authid(self):
        return self.s.welcome_details.authid

    async def subscribe_detailed(self, topic, fn, **options):
        """fn(args, kwargs, details) with details a dict of the EVENT details the client exposes."""

        def handler(*a, details=None, **kw):
            fn(list(a), kw, {
                "publisher": details.publisher, "publisher_authid": details.publisher_authid,
                "publisher_authrole": details.publisher_authrole, "topic": details.topic,
                "retained": bool(details.retained),
            })

        return await self.s.subscribe(handler, topic, options=SubscribeOptions(details=True, **options))

    def publish_disclosed(self, topic, args):
        """PUBLISH with Options.disclose_me, not acknowledged. Autobahn|Python 22.7 has no
        disclose_me option (it leaves disclosure to router config), so the script sends the
        message itself; the subscriber side under test is the library's own code."""

        class DisclosingPublish(wmsg.Publish):
            def marshal(self):
                m = super().marshal()
                m[2]["disclose_me"] = True
                return m

        self.s._transport.send(DisclosingPublish(self.s._request_id_gen.next(), topic, args=args))

    async def publish_opts(self, topic, args=None, kwargs=None, **options):
        """Acknowledged PUBLISH with any PUBLISH.Options."""
        await self.s.publish(topic, *(args or []), options=PublishOptions(acknowledge=True, **options), **(kwargs or {}))


async def connect(url, realm, sername, ppt_codec=None):
    """ppt_codec: an IPayloadCodec for the session; its serializer then gets the PPTWireShim."""
    loop = asyncio.get_running_loop()
    joined = loop.create_future()
    closed = loop.create_future()

    class Session(ApplicationSession):
        def onJoin(self, details):
            self.welcome_details = details
            if not joined.done():
                joined.set_result(self)

        def onLeave(self, details):
            if not joined.done():
                joined.set_exception(RuntimeError("session left before join: %s %s" % (details.reason, details.message)))
            self.disconnect()

        def onDisconnect(self):
            if not joined.done():
                joined.set_exception(RuntimeError("transport closed before join"))
            if not closed.done():
                closed.set_result(None)

    cfg = ComponentConfig(realm=realm)
    serializer = SERIALIZERS[sername]()
    if ppt_codec is not None:
        serializer._serializer = PPTWireShim(serializer._serializer)
    u = urllib.parse.urlparse(url)
    if u.scheme in ("ws", "wss"):
        factory = WampWebSocketClientFactory(lambda: Session(cfg), url=url, serializers=[serializer])
    elif u.scheme == "tcp":
        factory = WampRawSocketClientFactory(lambda: Session(cfg), serializer=serializer)
    else:
        raise ValueError("unsupported URL scheme %r" % u.scheme)
    _, proto = await loop.create_connection(factory, u.hostname, u.port)
    session = await asyncio.wait_for(joined, STEP_TIMEOUT)
    if ppt_codec is not None:
        session.set_payload_codec(ppt_codec)
    if u.scheme in ("ws", "wss"):
        got = getattr(proto, "websocket_protocol_in_use", None)
        if got != "wamp.2." + sername:
            session.leave()
            raise RuntimeError("negotiated subprotocol %s, want wamp.2.%s" % (got, sername))
    return Client(session, closed)


class Ctx:
    """Per-scenario state: URIs under a unique prefix, sessions closed at the end."""

    def __init__(self, opts, name):
        self.opts = opts
        self.prefix = "%s.%s" % (opts.prefix, name)
        self.clients = []

    def uri(self, s):
        return "%s.%s" % (self.prefix, s)

    async def session(self, sername=None, ppt_codec=None):
        c = await connect(self.opts.url, self.opts.realm, sername or self.opts.serializer, ppt_codec)
        self.clients.append(c)
        return c

    async def close_all(self):
        async def one(c):
            try:
                await c.leave()
            except Exception:
                c.drop()

        await asyncio.gather(*(one(c) for c in self.clients), return_exceptions=True)


async def expect_call_error(coro, uri, what):
    try:
        res = await coro
    except ApplicationError as e:
        if e.error != uri:
            raise CheckFailed("%s: error %s args=%s kwargs=%s, want %s" % (what, e.error, show(list(e.args)), show(e.kwargs), uri))
        return e
    raise CheckFailed("%s: succeeded with %s, want error %s" % (what, show(res), uri))


async def wait(fut, what, timeout=STEP_TIMEOUT):
    """Awaits fut; what (a string, or a callable for a message built at the timeout) names it."""
    try:
        return await asyncio.wait_for(asyncio.shield(fut), timeout)
    except asyncio.TimeoutError:
        raise CheckFailed("timeout after %.0f s: %s" % (timeout, what() if callable(what) else what)) from None


# ---- scenarios ----


async def call_result(c):
    callee, caller = await c.session(), await c.session()
    proc = c.uri("add")
    await callee.register(proc, lambda a, kw: ([a[0] + a[1], "sum"], {"echo": kw}))
    args, kwargs = await caller.call(proc, [2, 3], {"tag": "x", "n": [1, 2]})
    check_equal(args, [5, "sum"], "result args")
    check_equal(kwargs, {"echo": {"tag": "x", "n": [1, 2]}}, "result kwargs")


async def call_app_error(c):
    callee, caller = await c.session(), await c.session()
    proc, euri = c.uri("fail"), c.uri("error.custom")

    def fail(a, kw):
        raise ApplicationError(euri, 1, "two", {"three": 3}, code=42, why="because")

    await callee.register(proc, fail)
    e = await expect_call_error(caller.call(proc, ["x"]), euri, "call")
    check_equal(list(e.args), [1, "two", {"three": 3}], "error args")
    check_equal(e.kwargs, {"code": 42, "why": "because"}, "error kwargs")


async def no_such_procedure(c):
    caller = await c.session()
    await expect_call_error(caller.call(c.uri("nobody.home"), [1]), "wamp.error.no_such_procedure", "call unknown")


async def publish_acknowledged(c):
    pub, sub = await c.session(), await c.session()
    topic = c.uri("t")
    got = asyncio.get_running_loop().create_future()
    await sub.subscribe(topic, lambda a, kw: got.done() or got.set_result((a, kw)))
    await pub.publish(topic, ["hello", 1], {"k": "v"})  # returns on PUBLISHED
    args, kwargs = await wait(got, "event")
    check_equal(args, ["hello", 1], "event args")
    check_equal(kwargs, {"k": "v"}, "event kwargs")


async def exclude_me_default(c):
    a, b = await c.session(), await c.session()
    topic = c.uri("t")
    b_got = asyncio.get_running_loop().create_future()
    a_got = []
    await a.subscribe(topic, lambda x, kw: a_got.append(x))
    await b.subscribe(topic, lambda x, kw: b_got.done() or b_got.set_result(x))
    await a.publish(topic, ["one"])
    await wait(b_got, "event at the other subscriber")
    # An EVENT for the publisher would have been queued before its PUBLISHED; one more
    # acknowledged round trip makes sure anything in flight has arrived.
    await a.publish(c.uri("other"))
    check(not a_got, "publisher received %d event(s) of its own publication (exclude_me defaults to true)" % len(a_got))


async def exclude_me_false(c):
    a = await c.session()
    topic = c.uri("t")
    got = asyncio.get_running_loop().create_future()
    await a.subscribe(topic, lambda x, kw: got.done() or got.set_result(x))
    await a.publish(topic, ["mine"], exclude_me=False)
    check_equal(await wait(got, "own event with exclude_me=false"), ["mine"], "event args")


async def binary_call(c):
    callee, caller = await c.session(), await c.session()
    proc, b = c.uri("echo"), bytes256()

    def echo(a, kw):
        check(isinstance(a[0], bytes), "callee: args[0] is %s, not bytes" % type(a[0]).__name__)
        check(isinstance(kw.get("b"), bytes), "callee: kwargs.b is not bytes")
        check_equal(a[0], b, "callee args[0]")
        return [a[0], b""], {"b": kw["b"]}

    await callee.register(proc, echo)
    args, kwargs = await caller.call(proc, [b], {"b": b})
    check(isinstance(args[0], bytes) and isinstance(kwargs["b"], bytes), "caller: result is not bytes")
    check_equal(args, [b, b""], "result args")
    check_equal(kwargs, {"b": b}, "result kwargs")


async def binary_publish(c):
    pub, sub = await c.session(), await c.session()
    topic, b = c.uri("t"), bytes256()
    got = asyncio.get_running_loop().create_future()
    await sub.subscribe(topic, lambda a, kw: got.done() or got.set_result((a, kw)))
    await pub.publish(topic, [b], {"b": b})
    args, kwargs = await wait(got, "event")
    check(isinstance(args[0], bytes) and isinstance(kwargs.get("b"), bytes), "subscriber: payload is not bytes")
    check_equal(args, [b], "event args")
    check_equal(kwargs, {"b": b}, "event kwargs")


async def empty_call(c):
    callee, caller = await c.session(), await c.session()
    proc = c.uri("empty")
    seen = []

    def h(a, kw):
        seen.append((a, kw))
        return [], {}

    await callee.register(proc, h)
    r = await caller.call(proc)
    check_equal(seen, [([], {})], "callee saw")
    check_equal(r, ([], {}), "caller got")


async def empty_publish(c):
    pub, sub = await c.session(), await c.session()
    topic = c.uri("t")
    got = asyncio.get_running_loop().create_future()
    await sub.subscribe(topic, lambda a, kw: got.done() or got.set_result((a, kw)))
    await pub.publish(topic)
    check_equal(await wait(got, "event"), ([], {}), "event payload")


async def unregister_then_call(c):
    callee, caller = await c.session(), await c.session()
    proc = c.uri("gone")
    reg = await callee.register(proc, lambda a, kw: (["here"], {}))
    check_equal((await caller.call(proc))[0], ["here"], "before unregister")
    await reg.unregister()
    await expect_call_error(caller.call(proc), "wamp.error.no_such_procedure", "call after unregister")


async def unsubscribe_then_publish(c):
    pub, sub = await c.session(), await c.session()
    topic, marker = c.uri("t"), c.uri("marker")
    loop = asyncio.get_running_loop()
    events, first, mark = [], loop.create_future(), loop.create_future()

    def on_event(a, kw):
        events.append(a[0])
        first.done() or first.set_result(None)

    s = await sub.subscribe(topic, on_event)
    await sub.subscribe(marker, lambda a, kw: mark.done() or mark.set_result(None))
    await pub.publish(topic, [1])
    await wait(first, "event before unsubscribe")
    await s.unsubscribe()
    await pub.publish(topic, [2])
    # WAMP orders events of one publisher across topics: the marker comes after event 2.
    await pub.publish(marker)
    await wait(mark, "marker event")
    check_equal(events, [1], "events seen")


async def concurrent_calls(c):
    callee, caller = await c.session(), await c.session()
    proc, n = c.uri("slowecho"), 500

    async def h(a, kw):
        if a[0] % 3 == 0:
            await asyncio.sleep((a[0] % 7) / 1000)  # answer out of order
        return [a[0], "r%d" % a[0]], {}

    await callee.register(proc, h)
    res = await asyncio.gather(*(caller.call(proc, [i]) for i in range(n)))
    for i, (args, _) in enumerate(res):
        check_equal(args, [i, "r%d" % i], "call %d" % i)


async def callee_goes_away(c, how):
    callee, caller = await c.session(), await c.session()
    proc = c.uri("vanish")
    loop = asyncio.get_running_loop()
    invoked = loop.create_future()

    async def h(a, kw):
        invoked.done() or invoked.set_result(None)
        if how == "leave":
            loop.call_soon(callee.s.leave)
        else:
            loop.call_soon(callee.drop)
        await loop.create_future()  # never answers

    await callee.register(proc, h)
    call = asyncio.ensure_future(caller.call(proc, ["x"]))
    await wait(invoked, "invocation")
    try:
        await asyncio.wait_for(
            expect_call_error(call, "wamp.error.canceled", "call whose callee did %s" % how), STEP_TIMEOUT)
    except asyncio.TimeoutError:
        raise CheckFailed("no answer to the caller %.0f s after the callee did %s (the router left the call pending)"
                          % (STEP_TIMEOUT, how)) from None
    again = await c.session()
    await again.register(proc, lambda a, kw: (["back"], {}))
    check_equal((await caller.call(proc))[0], ["back"], "call after re-register")


async def callee_leaves(c):
    await callee_goes_away(c, "leave")


async def callee_drops(c):
    await callee_goes_away(c, "drop")


async def event_order(c):
    pub, sub = await c.session(), await c.session()
    topic, n = c.uri("t"), 200
    got = []
    done = asyncio.get_running_loop().create_future()

    def on_event(a, kw):
        got.append(a[0])
        if len(got) == n and not done.done():
            done.set_result(None)

    await sub.subscribe(topic, on_event)
    await wait(asyncio.gather(*(pub.publish(topic, [i]) for i in range(n))), "PUBLISHED for all %d publications" % n)
    await wait(done, lambda: "all %d events (got %d)" % (n, len(got)))
    for i in range(n):
        check(got[i] == i, "event %d arrived as %s: order %s" % (i, got[i], got[max(0, i - 3):i + 3]))


async def cross_serializer(c):
    others = [s for s in AVAILABLE if s != c.opts.serializer]
    if not others:
        return "only one serializer"
    b = bytes256()
    args = [1, -2, 3.5, "ü€ x", True, None, [1, [2]], {"a": {"b": "c"}}, b]
    kwargs = {"bin": b, "s": "x", "n": 12345678}
    callee, sub = await c.session(), await c.session()
    proc, fail, euri, topic = c.uri("echo"), c.uri("fail"), c.uri("error.x"), c.uri("t")
    me = c.opts.serializer

    def echo(a, kw):
        check_equal(a, args, "callee(%s) args" % me)
        check_equal(kw, kwargs, "callee(%s) kwargs" % me)
        check(isinstance(a[8], bytes), "callee: args[8] is not bytes")
        return a, kw

    def raise_it(a, kw):
        raise ApplicationError(euri, b, "e", k=[1, 2])

    await callee.register(proc, echo)
    await callee.register(fail, raise_it)
    nxt = [asyncio.get_running_loop().create_future()]
    await sub.subscribe(topic, lambda a, kw: nxt[0].done() or nxt[0].set_result((a, kw)))
    for s in others:
        caller = await c.session(s)
        r = await caller.call(proc, args, kwargs)
        check_equal(r, (args, kwargs), "caller(%s) result" % s)
        e = await expect_call_error(caller.call(fail), euri, "caller(%s) error" % s)
        check_equal((list(e.args), e.kwargs), ([b, "e"], {"k": [1, 2]}), "caller(%s) error payload" % s)
        nxt[0] = asyncio.get_running_loop().create_future()
        await caller.publish(topic, args, kwargs)
        ev = await wait(nxt[0], "event from publisher(%s) at subscriber(%s)" % (s, me))
        check_equal(ev, (args, kwargs), "event from %s" % s)


# ---- advanced pub/sub: broker features (black/white listing, publisher identification,
# pattern-based subscriptions, event retention) ----


async def pubsub_blackwhite(c):
    pub = await c.session()
    subs = [await c.session(), await c.session(), await c.session()]
    topic = c.uri("t")
    loop = asyncio.get_running_loop()
    got = [[] for _ in subs]
    ends = [loop.create_future() for _ in subs]

    def on(i):
        def h(a, kw, d):
            if a[0] == "end":
                ends[i].done() or ends[i].set_result(None)
            else:
                got[i].append(a[0])
        return h

    for i, s in enumerate(subs):
        await s.subscribe_detailed(topic, on(i))
    a, b, d = subs
    check(a.authid and b.authid and a.authid != b.authid, "authids from WELCOME: %s, %s" % (a.authid, b.authid))
    cases = [
        ("exclude", {"exclude": [a.id]}, [1, 2]),
        ("eligible", {"eligible": [a.id, d.id]}, [0, 2]),
        ("exclude_authid", {"exclude_authid": [b.authid]}, [0, 2]),
        ("eligible_authid", {"eligible_authid": [b.authid]}, [1]),
        ("eligible_authrole", {"eligible_authrole": ["anonymous"]}, [0, 1, 2]),
        ("exclude_authrole", {"exclude_authrole": ["anonymous"]}, []),
        ("eligible_minus_exclude", {"eligible": [a.id, b.id], "exclude": [a.id]}, [1]),
    ]
    want = [[] for _ in subs]
    for label, opts, to in cases:
        await pub.publish_opts(topic, [label], **opts)
        for i in to:
            want[i].append(label)
    await pub.publish(topic, ["end"])
    await wait(asyncio.gather(*ends), "the end event at every subscriber")
    for i in range(len(subs)):
        check_equal(got[i], want[i], "subscriber %d received" % i)


async def pubsub_disclose(c):
    pub, sub = await c.session(), await c.session()
    topic = c.uri("t")
    loop = asyncio.get_running_loop()
    nxt = [loop.create_future()]
    await sub.subscribe_detailed(topic, lambda a, kw, d: nxt[0].done() or nxt[0].set_result(d))
    pub.publish_disclosed(topic, ["who"])
    d = await wait(nxt[0], "event with disclose_me")
    check_equal([d["publisher"], d["publisher_authid"], d["publisher_authrole"]], [pub.id, pub.authid, "anonymous"],
                "publisher, publisher_authid, publisher_authrole")
    nxt[0] = loop.create_future()
    await pub.publish(topic, ["anonymous"])
    d = await wait(nxt[0], "event without disclose_me")
    check(d["publisher"] is None, "publisher disclosed without disclose_me: %s" % show(d))


async def pubsub_pattern(c):
    pub, sub = await c.session(), await c.session()
    base = c.uri("room")
    prefix_got, wild_got = [], []
    done = asyncio.get_running_loop().create_future()
    ends = [0]

    def on(lst):
        def h(a, kw, d):
            if a[0] == "end":
                ends[0] += 1
                if ends[0] == 2 and not done.done():
                    done.set_result(None)
                return
            lst.append([a[0], d["topic"]])
        return h

    await sub.subscribe_detailed(base, on(prefix_got), match="prefix")
    await sub.subscribe_detailed(base + "..temp", on(wild_got), match="wildcard")
    await pub.publish(base + ".1.temp", ["both"])
    await pub.publish(base + ".2.humidity", ["prefix"])
    await pub.publish(base + ".1.x.temp", ["prefix, too deep for the wildcard"])
    await pub.publish(c.uri("hall") + ".1.temp", ["nobody"])
    await pub.publish(base + ".3.temp", ["end"])
    await wait(done, "the end event on both subscriptions")
    check_equal(prefix_got, [["both", base + ".1.temp"], ["prefix", base + ".2.humidity"],
                             ["prefix, too deep for the wildcard", base + ".1.x.temp"]],
                "prefix subscription [event, details.topic]")
    check_equal(wild_got, [["both", base + ".1.temp"]], "wildcard subscription [event, details.topic]")


async def pubsub_retained(c):
    pub = await c.session()
    topic = c.uri("t")
    loop = asyncio.get_running_loop()
    await pub.publish_opts(topic, ["old"], retain=True)
    await pub.publish_opts(topic, ["latest"], {"k": 1}, retain=True)
    await pub.publish(topic, ["live only"])
    sub = await c.session()
    got = loop.create_future()
    await sub.subscribe_detailed(topic, lambda a, kw, d: got.done() or got.set_result((a, kw, d["retained"])),
                                 get_retained=True)
    ev = await wait(got, "retained event after SUBSCRIBE with get_retained")
    check_equal(list(ev), [["latest"], {"k": 1}, True], "[args, kwargs, details.retained]")
    # Without get_retained: no retained event before the next live one.
    plain = await c.session()
    seen, mark = [], loop.create_future()

    def on_plain(a, kw, d):
        seen.append(a[0])
        if a[0] == "marker" and not mark.done():
            mark.set_result(None)

    await plain.subscribe_detailed(topic, on_plain)
    await pub.publish(topic, ["marker"])
    await wait(mark, "marker event")
    check_equal(seen, ["marker"], "events at a subscriber without get_retained")


# -- advanced RPC (rpc_* scenarios): dealer features against Autobahn|Python's caller and
# callee code. Its callee announces call_canceling, so it gets progressive results and
# INTERRUPT; 22.7 has no disclose_me call option, so rpc_disclose sends that CALL itself.


def details_endpoint(fn):
    """An endpoint fn(args, kwargs, details) for RegisterOptions(details_arg="details")."""

    async def endpoint(*args, details=None, **kwargs):
        try:
            r = fn(list(args), kwargs, details)
            if asyncio.iscoroutine(r) or isinstance(r, asyncio.Future):
                r = await r
        except (ApplicationError, asyncio.CancelledError):
            raise
        except Exception as e:
            raise ApplicationError("interop.error.callee_check_failed", "%s: %s" % (type(e).__name__, e))
        return CallResult(*(r or []))

    return endpoint


async def rpc_progressive_results(c):
    callee, caller = await c.session(), await c.session()
    proc = c.uri("stream")

    def stream(args, kwargs, details):
        if details.progress:
            details.progress(1)
            details.progress(2)
        return ["done", details.progress is not None]

    await callee.s.register(details_endpoint(stream), proc, options=RegisterOptions(details_arg="details"))
    got = []
    # Not details=True: Autobahn|Python 22.7 then fails on a progressive RESULT without
    # ArgumentsKw (CallResult(**None)).
    r = await caller.s.call(proc, options=CallOptions(on_progress=lambda *a, **kw: got.append(a[0])))
    check_equal([list(r.results), got], [["done", True], [1, 2]], "[final result args, progressive results]")


async def rpc_cancel(c):
    callee, caller = await c.session(), await c.session()
    proc = c.uri("never")
    loop = asyncio.get_running_loop()
    invoked, interrupted = loop.create_future(), loop.create_future()

    async def never(args, kwargs, details):
        invoked.set_result(None)
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            interrupted.set_result(None)  # the library turns INTERRUPT into cancellation
            raise

    await callee.s.register(details_endpoint(never), proc, options=RegisterOptions(details_arg="details"))
    call = asyncio.ensure_future(caller.s.call(proc, "x"))
    await wait(invoked, "invocation")
    call.cancel()  # Autobahn sends CANCEL without a mode: the router uses killnowait
    try:
        await call
        raise CheckFailed("the canceled call succeeded")
    except asyncio.CancelledError:
        pass
    await wait(interrupted, "INTERRUPT at the callee (killnowait)")
    echo = c.uri("echo")
    await callee.register(echo, lambda a, kw: (a, {}))
    check_equal((await caller.call(echo, ["still"]))[0], ["still"], "call after cancel")


async def rpc_timeout(c):
    callee, caller = await c.session(), await c.session()
    proc = c.uri("slow")
    loop = asyncio.get_running_loop()
    interrupted = loop.create_future()

    async def slow(args, kwargs, details):
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            interrupted.set_result(None)
            raise

    await callee.s.register(details_endpoint(slow), proc, options=RegisterOptions(details_arg="details"))
    # The spec's unit, milliseconds (Autobahn|Python documents seconds, Crossbar's unit).
    await expect_call_error(caller.s.call(proc, options=CallOptions(timeout=100)), "wamp.error.timeout", "call with timeout 100 ms")
    await wait(interrupted, "INTERRUPT at the callee after the timeout")


async def rpc_disclose(c):
    callee, caller = await c.session(), await c.session()
    proc = c.uri("who")
    loop = asyncio.get_running_loop()
    seen = loop.create_future()

    def who(args, kwargs, details):
        if not seen.done():
            seen.set_result([details.caller, details.caller_authid])
        return []

    await callee.s.register(details_endpoint(who), proc, options=RegisterOptions(details_arg="details"))

    send = caller.s._transport.send

    class DisclosingCall(wmsg.Call):
        __slots__ = ()

        def marshal(self):
            m = super().marshal()
            m[2]["disclose_me"] = True
            return m

    def disclosing_send(msg):
        if type(msg) is wmsg.Call:
            msg.__class__ = DisclosingCall
        send(msg)

    caller.s._transport.send = disclosing_send
    await caller.call(proc)
    caller.s._transport.send = send
    check_equal(await wait(seen, "invocation with disclose_me"), [caller.id, caller.authid],
                "[details.caller, details.caller_authid] with disclose_me")
    seen = loop.create_future()
    await caller.call(proc)
    check_equal(await wait(seen, "invocation without disclose_me"), [None, None], "caller details without disclose_me")


async def rpc_pattern(c):
    callee, caller = await c.session(), await c.session()
    pfx, wc = c.uri("pfx"), c.uri("wc")

    def answer(which):
        return details_endpoint(lambda a, kw, d: [which, d.procedure])

    await callee.s.register(answer("prefix"), pfx, options=RegisterOptions(match="prefix", details_arg="details"))
    await callee.s.register(answer("wildcard"), wc + "..get", options=RegisterOptions(match="wildcard", details_arg="details"))
    await callee.s.register(answer("exact"), pfx + ".exact", options=RegisterOptions(details_arg="details"))
    for uri, which in [(pfx + ".exact", "exact"), (pfx + ".a.b", "prefix"), (wc + ".a.get", "wildcard")]:
        got = (await caller.call(uri))[0]
        # Autobahn fills details.procedure itself for exact registrations.
        check_equal(got, [which, uri], "call %s: [registration, details.procedure]" % uri)
    await expect_call_error(caller.call(wc + ".a.b.get"), "wamp.error.no_such_procedure", "too deep for the wildcard")


async def rpc_shared(c):
    a, b, caller = await c.session(), await c.session(), await c.session()
    proc = c.uri("shared")
    await a.s.register(lambda: "a", proc, options=RegisterOptions(invoke="roundrobin"))
    await b.s.register(lambda: "b", proc, options=RegisterOptions(invoke="roundrobin"))
    await expect_call_error(caller.s.register(lambda: None, proc, options=RegisterOptions(invoke="random")),
                            "wamp.error.procedure_exists_with_different_invocation_policy", "register with another invoke policy")
    got = [await caller.s.call(proc) for _ in range(4)]
    check_equal(got, ["a", "b", "a", "b"], "roundrobin callees")


# ---- meta API: session, registration and subscription meta procedures and events,
# testaments. Other clients run in parallel on the same realm, so every check looks only
# at the sessions and URIs of this scenario. ----


def waiter(pred):
    """A future and a push(value) that resolves it with the first value pred accepts."""
    fut = asyncio.get_running_loop().create_future()

    def push(v):
        if not fut.done() and pred(v):
            fut.set_result(v)

    return fut, push


async def meta_session(c):
    watcher = await c.session()
    events, pushes = [], []

    def on(a, kw, d):
        ev = (a, kw, d)
        events.append(ev)
        for p in list(pushes):
            p(ev)

    await watcher.subscribe_detailed("wamp.session", on, match="prefix")
    other = await c.session()
    join, push = waiter(lambda ev: ev[2]["topic"] == "wamp.session.on_join" and ev[0][0]["session"] == other.id)
    pushes.append(push)
    for ev in events:
        push(ev)
    a, _, _ = await wait(join, "wamp.session.on_join of the new session")
    check_equal([a[0]["authid"], a[0]["authrole"], a[0]["authmethod"]], [other.authid, "anonymous", "anonymous"],
                "on_join details [authid, authrole, authmethod]")
    got, _ = await watcher.call("wamp.session.get", [other.id])
    check(got[0]["session"] == other.id and got[0]["authid"] == other.authid, "wamp.session.get: %s" % show(got))
    ids, _ = await watcher.call("wamp.session.list")
    check(other.id in ids[0] and watcher.id in ids[0], "wamp.session.list %s lacks our sessions" % show(ids))
    n, _ = await watcher.call("wamp.session.count", [["anonymous"]])
    check(n[0] >= 2, "wamp.session.count(['anonymous']) = %s" % n)
    await expect_call_error(watcher.call("wamp.session.kill", [watcher.id]), "wamp.error.no_such_session",
                            "kill of the own session")
    leave, push = waiter(lambda ev: ev[2]["topic"] == "wamp.session.on_leave" and ev[0][0] == other.id)
    pushes.append(push)
    await other.leave()
    a, _, _ = await wait(leave, "wamp.session.on_leave of the session that left")
    check_equal([len(a), a[1], a[2]], [3, other.authid, "anonymous"], "on_leave [#args, authid, authrole]")


async def meta_registration(c):
    watcher, callee = await c.session(), await c.session()
    proc = c.uri("proc")
    created, push = waiter(lambda ev: len(ev[0]) > 1 and ev[0][1].get("uri") == proc)
    await watcher.subscribe_detailed("wamp.registration.on_create", lambda a, kw, d: push((a, kw, d)))
    await callee.register(proc, lambda a, kw: (["ok"], {}))
    a, _, _ = await wait(created, "wamp.registration.on_create")
    check(a[0] == callee.id, "on_create session %s, want %s" % (a[0], callee.id))
    check_equal([a[1]["match"], a[1]["invoke"]], ["exact", "single"], "on_create [match, invoke]")
    reg = (await watcher.call("wamp.registration.lookup", [proc]))[0][0]
    check(reg == a[1]["id"], "lookup %s, on_create id %s" % (reg, a[1]["id"]))
    check((await watcher.call("wamp.registration.match", [proc]))[0][0] == reg, "wamp.registration.match")
    callees = (await watcher.call("wamp.registration.list_callees", [reg]))[0][0]
    check_equal(callees, [callee.id], "list_callees")
    check_equal((await watcher.call("wamp.registration.get", [reg]))[0][0]["uri"], proc, "get(registration).uri")
    lists = (await watcher.call("wamp.registration.list"))[0][0]
    check(reg in lists["exact"], "registration.list exact lacks %s" % reg)
    # Absent ids answer null (the spec's "Nullable" results).
    check((await watcher.call("wamp.registration.lookup", [c.uri("none")]))[0] == [None], "lookup of nothing is null")
    await expect_call_error(watcher.call("wamp.registration.get", [1]), "wamp.error.no_such_registration",
                            "get of an unknown id")


async def meta_testament(c):
    watcher, dying = await c.session(), await c.session()
    topic = c.uri("will")
    will = asyncio.get_running_loop().create_future()
    await watcher.subscribe_detailed(topic, lambda a, kw, d: will.done() or will.set_result((a, kw)))
    await dying.call("wamp.session.add_testament", [topic, ["gone", dying.id], {"why": "dropped"}])
    await dying.call("wamp.session.add_testament", [topic, ["flushed"], {}], {"scope": "detached"})
    await dying.call("wamp.session.flush_testaments", [], {"scope": "detached"})
    await expect_call_error(dying.call("wamp.session.add_testament", [topic, [], {}], {"scope": "never"}),
                            "wamp.error.testament_error", "add_testament with an unknown scope")
    dying.drop()
    a, kw = await wait(will, "testament event after the connection dropped")
    check_equal([a, kw], [["gone", dying.id], {"why": "dropped"}], "testament [args, kwargs]")


# HISTORY_PREFIX is the topic prefix with event history in the test router.
HISTORY_PREFIX = "interop.history"


async def meta_history(c):
    # Cells run concurrently against one router: this run's topic is unique and
    # get_events filters by it.
    pub, reader = await c.session(), await c.session()
    topic = "%s.%s" % (HISTORY_PREFIX, c.prefix)
    other = topic + ".other"
    h = (await reader.call("wamp.subscription.lookup", [HISTORY_PREFIX, {"match": "prefix"}]))[0][0]
    check(h is not None, "wamp.subscription.lookup(%s, prefix) found no history subscription" % HISTORY_PREFIX)
    matched = (await reader.call("wamp.subscription.match", [topic]))[0][0] or []
    check(h in matched, "wamp.subscription.match(%s) = %s lacks %s" % (topic, show(matched), h))
    for i in range(3):
        await pub.publish(topic, [i], {"n": i})
        if i == 1:
            await pub.publish(other, ["other"])

    async def get(args, kwargs):
        return (await reader.call("wamp.subscription.get_events", args, kwargs))[0]

    evs = await get([h], {"topic": topic, "limit": 10})
    check_equal([[e["args"], e["kwargs"]] for e in evs], [[[0], {"n": 0}], [[1], {"n": 1}], [[2], {"n": 2}]],
                "get_events(topic) [args, kwargs], oldest first")
    for e in evs:
        check(e["subscription"] == h, "event subscription %s, want %s" % (e["subscription"], h))
        check(isinstance(e["timestamp"], str) and e["timestamp"], "event timestamp %s" % show(e["timestamp"]))
        check(e["publication"] and e["details"]["topic"] == topic, "event publication/details %s" % show(e))
    check_equal([e["args"][0] for e in await get([h], {"topic": topic, "limit": 2, "reverse": True})], [2, 1],
                "get_events reverse, limit 2")
    check_equal([e["args"][0] for e in await get([h, 2], {"topic": topic})], [0, 1], "get_events positional limit 2")
    check_equal([e["args"][0] for e in await get([h], {"topic": other})], ["other"], "get_events of the other topic")
    await expect_call_error(reader.call("wamp.subscription.get_events", [2 ** 53 - 1]), "wamp.error.no_such_subscription",
                            "get_events of an unknown id")


async def meta_revocation(c):
    return ("Autobahn|Python 22.7 announces subscription_revocation but treats UNSUBSCRIBED with request 0 "
            "as a protocol error (it looks the request up among its pending UNSUBSCRIBEs and fails the session)")


# ---- payload passthru mode ----
#
# Autobahn|Python 22.7 implements payload transparency as drafted before the spec's
# Payload Passthru Mode: its public hook is ISession.set_payload_codec (an IPayloadCodec
# turning args/kwargs into an EncodedPayload and back, used for CALL, PUBLISH and YIELD
# and for INVOCATION, EVENT and RESULT), and it announces payload_transparency (the older
# name, which the router accepts) for all four roles. But it puts the attributes on the
# wire as enc_algo/enc_serializer/enc_key, with the payload as a bare binary element
# instead of one binary item in Arguments|list, and reads only those names. PPTWireShim
# translates between that draft form and the spec's ppt_* form at the object serializer
# of the scenario's sessions, and nothing else: the session logic and the codec hook
# under test are the library's.

PPT_WIRE = [("ppt_scheme", "enc_algo"), ("ppt_serializer", "enc_serializer"), ("ppt_keyid", "enc_key")]
# message type: index of Options/Details, for CALL, PUBLISH, YIELD (out) and INVOCATION,
# EVENT, RESULT (in); the payload follows them.
PPT_OUT = {48: 2, 16: 2, 70: 2}
PPT_IN = {68: 3, 36: 3, 50: 2}


def ppt_out(m):
    """Draft form to spec form: [.., {enc_algo..}, (uri,) payload] -> [.., {ppt_scheme..}, (uri,) [payload]]."""
    if not (isinstance(m, list) and m and m[0] in PPT_OUT):
        return m
    i = PPT_OUT[m[0]]
    opts = m[i]
    if not isinstance(opts, dict) or "enc_algo" not in opts or not isinstance(m[-1], bytes):
        return m
    opts = dict(opts)
    for ppt, enc in PPT_WIRE:
        if enc in opts:
            opts[ppt] = opts.pop(enc)
    return m[:i] + [opts] + m[i + 1:-1] + [[m[-1]]]


def ppt_in(m):
    """Spec form to draft form, for a ppt message whose payload is one binary item."""
    if not (isinstance(m, list) and m and m[0] in PPT_IN):
        return m
    i = PPT_IN[m[0]]
    det = m[i]
    args = m[i + 1] if len(m) == i + 2 else None
    if not isinstance(det, dict) or not det.get("ppt_scheme") or not (
            isinstance(args, list) and len(args) == 1 and isinstance(args[0], bytes)):
        return m
    det = dict(det)
    for ppt, enc in PPT_WIRE:
        if ppt in det:
            det[enc] = det.pop(ppt)
    return m[:i] + [det, args[0]]


class PPTWireShim:
    """Wraps an Autobahn object serializer; see the comment above ppt_out."""

    def __init__(self, inner):
        self._inner = inner

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def serialize(self, obj):
        return self._inner.serialize(ppt_out(obj))

    def unserialize(self, payload):
        return [ppt_in(m) for m in self._inner.unserialize(payload)]


class PPTCodec:
    """An IPayloadCodec that passes one pre-encoded binary argument through: encode
    sends it with the ppt attributes given for the URI, decode records what came."""

    def __init__(self, send_attrs):
        self.send_attrs = send_attrs  # uri -> {ppt_scheme, ppt_serializer, ppt_keyid}
        self.got = []  # (uri, ppt attributes, payload) per decoded message

    def encode(self, is_originating, uri, args=None, kwargs=None):
        a = self.send_attrs.get(uri)
        if a is None:
            return None
        if not (args and len(args) == 1 and isinstance(args[0], bytes) and not kwargs):
            raise ValueError("ppt payload must be one binary argument")
        return EncodedPayload(args[0], a["ppt_scheme"], a.get("ppt_serializer"), a.get("ppt_keyid"))

    def decode(self, is_originating, uri, encoded_payload):
        ep = encoded_payload
        attrs = {"ppt_scheme": ep.enc_algo, "ppt_serializer": ep.enc_serializer, "ppt_keyid": ep.enc_key}
        self.got.append((uri, {k: v for k, v in attrs.items() if v is not None}, ep.payload))
        return uri, [ep.payload], {}


def ppt_attrs(keyid):
    return {"ppt_scheme": "x_edgebar_test", "ppt_serializer": "cbor", "ppt_keyid": keyid}


def ppt_blob(tag):
    """The one binary payload item: the CBOR item [tag, bytes 0x00..0xff] (array(2),
    text(3), bytes(256)), the same bytes as pptBlob in scenarios.mjs."""
    return bytes([0x82, 0x63]) + tag.encode() + bytes([0x59, 0x01, 0x00]) + bytes256()


def check_ppt_got(codec, uri, attrs, blob, what):
    check(len(codec.got) == 1, "%s: %d decoded ppt messages, want 1" % (what, len(codec.got)))
    u, a, p = codec.got[0]
    check_equal([u, a], [uri, attrs], "%s [uri, ppt attributes]" % what)
    check_equal(p, blob, "%s payload" % what)


async def ppt_passthru(c):
    proc, topic = c.uri("ppt.proc"), c.uri("ppt.topic")
    b_call, b_yield, b_pub = ppt_blob("cal"), ppt_blob("yld"), ppt_blob("pub")
    callee_codec = PPTCodec({proc: ppt_attrs("yield")})
    sub_codec = PPTCodec({})
    caller_codec = PPTCodec({proc: ppt_attrs("call"), topic: ppt_attrs("publish")})
    callee = await c.session(ppt_codec=callee_codec)
    sub = await c.session(ppt_codec=sub_codec)
    caller = await c.session(ppt_codec=caller_codec)

    seen = []
    await callee.register(proc, lambda a, kw: seen.append((a, kw)) or ([b_yield], {}))
    got = asyncio.get_running_loop().create_future()
    await sub.subscribe(topic, lambda a, kw: got.done() or got.set_result((a, kw)))

    args, kwargs = await caller.call(proc, [b_call])
    check_equal(seen, [([b_call], {})], "callee handler [args, kwargs]")
    check_ppt_got(callee_codec, proc, ppt_attrs("call"), b_call, "INVOCATION")
    check_equal([args, kwargs], [[b_yield], {}], "caller [args, kwargs]")
    check_ppt_got(caller_codec, proc, ppt_attrs("yield"), b_yield, "RESULT")

    await caller.publish(topic, [b_pub])
    a, kw = await wait(got, "ppt event")
    check_equal([a, kw], [[b_pub], {}], "subscriber handler [args, kwargs]")
    check_ppt_got(sub_codec, topic, ppt_attrs("publish"), b_pub, "EVENT")


SCENARIOS = [
    call_result, call_app_error, no_such_procedure, publish_acknowledged, exclude_me_default,
    exclude_me_false, binary_call, binary_publish, empty_call, empty_publish, unregister_then_call,
    unsubscribe_then_publish, concurrent_calls, callee_leaves, callee_drops, event_order, cross_serializer,
    # advanced pub/sub
    pubsub_blackwhite, pubsub_disclose, pubsub_pattern, pubsub_retained,
    # advanced RPC
    rpc_progressive_results, rpc_cancel, rpc_timeout, rpc_disclose, rpc_pattern, rpc_shared,
    # meta API
    meta_session, meta_registration, meta_testament, meta_history, meta_revocation,
    # payload passthru mode
    ppt_passthru,
]


def emit(line):
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def describe(e):
    if isinstance(e, ApplicationError):
        return "unexpected WAMP error %s args=%s kwargs=%s" % (e.error, show(list(e.args), False), show(e.kwargs, False))
    if isinstance(e, CheckFailed):
        return str(e)
    return "%s: %s" % (type(e).__name__, e)


async def run(opts):
    failed = 0
    for fn in SCENARIOS:
        if opts.only and fn.__name__ not in opts.only:
            continue
        opts.current = fn.__name__
        c = Ctx(opts, fn.__name__)
        line = {"scenario": fn.__name__, "ok": True}
        t0 = time.monotonic()
        try:
            skipped = await asyncio.wait_for(fn(c), SCENARIO_TIMEOUT)
            if skipped:
                line["skipped"] = skipped
        except asyncio.TimeoutError:
            line.update(ok=False, error="timeout after %.0f s: scenario %s" % (SCENARIO_TIMEOUT, fn.__name__))
        except Exception as e:
            line.update(ok=False, error=describe(e))
        if not line["ok"]:
            failed += 1
        try:
            await asyncio.wait_for(c.close_all(), 3)
        except Exception:
            pass
        line["ms"] = int((time.monotonic() - t0) * 1000)
        emit(line)
    return failed


def main():
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("realm")
    p.add_argument("serializer")
    p.add_argument("--only", type=lambda s: s.split(","), default=None)
    p.add_argument("--timeout", type=float, default=100)
    opts = p.parse_args()
    opts.current = None
    if opts.serializer not in AVAILABLE:
        for fn in SCENARIOS:
            emit({"scenario": fn.__name__, "ok": True,
                  "skipped": "Autobahn|Python has no %s serializer here" % opts.serializer})
        return 0
    opts.prefix = "interop.autobahn_py.%s.r%s" % (opts.serializer, secrets.token_hex(4))

    async def guarded():
        try:
            return await asyncio.wait_for(run(opts), opts.timeout)
        except asyncio.TimeoutError:
            emit({"scenario": opts.current or "overall", "ok": False,
                  "error": "overall timeout of %.0f s" % opts.timeout})
            return -1

    failed = asyncio.run(guarded())
    sys.stdout.flush()
    # os._exit: never wait for transports or threads the libraries left behind.
    os._exit(2 if failed < 0 else (1 if failed else 0))


if __name__ == "__main__":
    main()
