// Shared scenario runner for the JavaScript interop clients (autobahn.mjs, wampy.mjs).
//
// Each client script supplies an adapter that maps one library's API onto the small
// interface below; the scenarios here only talk to that interface, so every scenario
// exercises the library's real session code against the router under test.
//
// adapter = {
//   name: string, serializers: string[], caps: { excludeMeFalse: bool },
//   connect({url, realm, serializer}) -> Promise<client>,
// }
// client = {
//   register(uri, fn({args, kwargs}) -> {args, kwargs} | Promise) -> Promise<reg>
//       fn throws AppError(uri, args, kwargs) to answer with an ERROR;
//   unregister(reg) -> Promise
//   call(uri, args?, kwargs?) -> Promise<{args, kwargs}>, rejects with {uri, args, kwargs}
//   subscribe(topic, fn({args, kwargs})) -> Promise<sub>;  unsubscribe(sub) -> Promise
//   publish(topic, args?, kwargs?, {exclude_me?}) -> Promise  (acknowledged: resolves on PUBLISHED)
//   leave() -> Promise  (GOODBYE, then close);  drop()  (close the transport, no GOODBYE)
//   -- advanced pub/sub (pubsub_* scenarios) --
//   id, authid  (session id and authid from WELCOME)
//   subscribeDetailed(topic, fn({args, kwargs, details}), opts?) -> Promise<sub>
//       details = {publisher, publisher_authid, publisher_authrole, topic, retained}
//       opts: SUBSCRIBE.Options (match, get_retained); publish's opts: any PUBLISH.Options
// }
// adapter.caps.retain: the library can send PUBLISH.Options.retain.
// adapter.caps.ppt, client.ppt: Payload Passthru Mode (see the ppt_passthru scenario).
//
// Output: one JSON line per scenario on stdout; everything the libraries log goes to stderr.

import { randomBytes } from 'node:crypto';

const out = process.stdout.write.bind(process.stdout);
// Libraries print to console; keep stdout for result lines only.
console.log = console.info = console.warn = console.debug = console.error;

export class AppError extends Error {
  constructor(uri, args, kwargs) {
    super(uri);
    this.uri = uri;
    this.args = args || [];
    this.kwargs = kwargs || {};
  }
}

const SCENARIO_TIMEOUT_MS = 10000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

// withTimeout rejects when promise has not settled after ms; what (a string, or a
// function for a message built when the time is up) names what was awaited.
function withTimeout(promise, ms, what) {
  let t;
  const timeout = new Promise((_, rej) => {
    t = setTimeout(() => rej(new Error(`timeout after ${ms} ms: ${typeof what === 'function' ? what() : what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(t));
}

// bytes256 is the binary payload of the binary scenarios: 0x00..0xff.
export function bytes256() {
  const b = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) b[i] = i;
  return b;
}

// canon turns a decoded value into a comparable form: binary becomes {"$bin": hex},
// object keys are sorted, so that equal WAMP payloads compare equal as JSON text.
export function canon(v) {
  if (v instanceof Uint8Array || v instanceof ArrayBuffer) {
    return { $bin: Buffer.from(v).toString('hex') };
  }
  if (Array.isArray(v)) return v.map(canon);
  if (v instanceof Map) v = Object.fromEntries(v);
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = canon(v[k]);
    return o;
  }
  if (typeof v === 'bigint') return Number(v);
  return v;
}

// show renders a value for a message, with long byte strings abbreviated.
function show(v, abbrevStrings = true) {
  return JSON.stringify(canon(v), (k, x) => {
    if (k === '$bin' && x.length > 24) return `${x.length / 2} bytes ${x.slice(0, 8)}..${x.slice(-8)}`;
    if (abbrevStrings && typeof x === 'string' && x.length > 48) return `${JSON.stringify(x.slice(0, 20)).slice(1, -1)}..(${x.length} chars)`;
    return x;
  });
}

function assertEqual(got, want, what) {
  if (JSON.stringify(canon(got)) !== JSON.stringify(canon(want))) {
    throw new Error(`${what}: got ${show(got)}, want ${show(want)}`);
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

function isBinary(v) {
  return v instanceof Uint8Array;
}

// The WAMP JSON binary convention (WAMP §"Binary Conversion of JSON Strings"): a byte
// string travels as a JSON string of "\0" followed by its base64. Client libraries hook
// these into their JSON serializers.
export function jsonReplacer(key, value) {
  const orig = this[key]; // before Buffer.prototype.toJSON
  if (orig instanceof Uint8Array) return '\u0000' + Buffer.from(orig).toString('base64');
  return value;
}

export function jsonReviver(key, value) {
  if (typeof value === 'string' && value.charCodeAt(0) === 0) {
    return Buffer.from(value.slice(1), 'base64');
  }
  return value;
}

// Scenario context: opens sessions and closes all of them when the scenario ends.
class Ctx {
  constructor(opts, adapter, name) {
    this.opts = opts;
    this.adapter = adapter;
    this.prefix = `${opts.prefix}.${name}`;
    this.clients = [];
  }
  uri(s) { return `${this.prefix}.${s}`; }
  async session(serializer) {
    const c = await this.adapter.connect({
      url: this.opts.url, realm: this.opts.realm, serializer: serializer || this.opts.serializer,
    });
    this.clients.push(c);
    // A failed check inside a handler answers the call with an error that names it.
    const register = c.register.bind(c);
    c.register = (uri, fn) => register(uri, async (inv) => {
      try {
        return await fn(inv);
      } catch (e) {
        if (e instanceof AppError) throw e;
        throw new AppError('interop.error.callee_check_failed', [describe(e)]);
      }
    });
    return c;
  }
  async closeAll() {
    await Promise.all(this.clients.map((c) => withTimeout(Promise.resolve().then(() => c.leave()), 2000, 'leave').catch(() => c.drop())));
  }
}

async function expectCallError(p, uri, what) {
  let res;
  try {
    res = await p;
  } catch (e) {
    if (!(e && typeof e.uri === 'string')) throw new Error(`${what}: rejected without a WAMP error: ${e && e.stack || e}`);
    if (e.uri !== uri) throw new Error(`${what}: error ${e.uri} args=${show(e.args)} kwargs=${show(e.kwargs)}, want ${uri}`);
    return e;
  }
  throw new Error(`${what}: succeeded with ${show(res)}, want error ${uri}`);
}

// ---- scenarios ----

const scenarios = {
  async call_result(c) {
    const callee = await c.session(), caller = await c.session();
    const proc = c.uri('add');
    await callee.register(proc, ({ args, kwargs }) => ({ args: [args[0] + args[1], 'sum'], kwargs: { echo: kwargs } }));
    const r = await caller.call(proc, [2, 3], { tag: 'x', n: [1, 2] });
    assertEqual(r.args, [5, 'sum'], 'result args');
    assertEqual(r.kwargs, { echo: { tag: 'x', n: [1, 2] } }, 'result kwargs');
  },

  async call_app_error(c) {
    const callee = await c.session(), caller = await c.session();
    const proc = c.uri('fail'), euri = c.uri('error.custom');
    await callee.register(proc, () => { throw new AppError(euri, [1, 'two', { three: 3 }], { code: 42, why: 'because' }); });
    const e = await expectCallError(caller.call(proc, ['x']), euri, 'call');
    assertEqual(e.args, [1, 'two', { three: 3 }], 'error args');
    assertEqual(e.kwargs, { code: 42, why: 'because' }, 'error kwargs');
  },

  async no_such_procedure(c) {
    const caller = await c.session();
    await expectCallError(caller.call(c.uri('nobody.home'), [1]), 'wamp.error.no_such_procedure', 'call unknown');
  },

  async publish_acknowledged(c) {
    const pub = await c.session(), sub = await c.session();
    const topic = c.uri('t');
    const got = deferred();
    await sub.subscribe(topic, (ev) => got.resolve(ev));
    await pub.publish(topic, ['hello', 1], { k: 'v' }); // resolves on PUBLISHED
    const ev = await withTimeout(got.promise, 5000, 'event');
    assertEqual(ev.args, ['hello', 1], 'event args');
    assertEqual(ev.kwargs, { k: 'v' }, 'event kwargs');
  },

  async exclude_me_default(c) {
    const a = await c.session(), b = await c.session();
    const topic = c.uri('t');
    const bGot = deferred();
    let aGot = 0;
    await a.subscribe(topic, () => { aGot++; });
    await b.subscribe(topic, () => bGot.resolve());
    await a.publish(topic, ['one']);
    await withTimeout(bGot.promise, 5000, 'event at the other subscriber');
    // An EVENT for the publisher would have been queued before its PUBLISHED; one more
    // acknowledged round trip makes sure anything in flight has arrived.
    await a.publish(c.uri('other'), []);
    assert(aGot === 0, `publisher received ${aGot} event(s) of its own publication (exclude_me defaults to true)`);
  },

  async exclude_me_false(c) {
    if (!c.adapter.caps.excludeMeFalse) return { skipped: `${c.adapter.name} cannot send exclude_me=false` };
    const a = await c.session();
    const topic = c.uri('t');
    const got = deferred();
    await a.subscribe(topic, (ev) => got.resolve(ev));
    await a.publish(topic, ['mine'], undefined, { exclude_me: false });
    const ev = await withTimeout(got.promise, 5000, 'own event with exclude_me=false');
    assertEqual(ev.args, ['mine'], 'event args');
  },

  async binary_call(c) {
    const callee = await c.session(), caller = await c.session();
    const proc = c.uri('echo');
    const bin = bytes256();
    await callee.register(proc, ({ args, kwargs }) => {
      assert(isBinary(args[0]), `callee: args[0] is ${typeof args[0]} ${show(args[0]).slice(0, 40)}, not bytes`);
      assert(isBinary(kwargs.b), 'callee: kwargs.b is not bytes');
      assertEqual(args[0], bin, 'callee args[0]');
      return { args: [args[0], Buffer.alloc(0)], kwargs: { b: kwargs.b } };
    });
    const r = await caller.call(proc, [bin], { b: bin });
    assert(isBinary(r.args[0]) && isBinary(r.kwargs.b), 'caller: result is not bytes');
    assertEqual(r.args, [bin, Buffer.alloc(0)], 'result args');
    assertEqual(r.kwargs, { b: bin }, 'result kwargs');
  },

  async binary_publish(c) {
    const pub = await c.session(), sub = await c.session();
    const topic = c.uri('t'), bin = bytes256();
    const got = deferred();
    await sub.subscribe(topic, (ev) => got.resolve(ev));
    await pub.publish(topic, [bin], { b: bin });
    const ev = await withTimeout(got.promise, 5000, 'event');
    assert(isBinary(ev.args[0]) && isBinary(ev.kwargs.b), 'subscriber: payload is not bytes');
    assertEqual(ev.args, [bin], 'event args');
    assertEqual(ev.kwargs, { b: bin }, 'event kwargs');
  },

  async empty_call(c) {
    const callee = await c.session(), caller = await c.session();
    const proc = c.uri('empty');
    let seen;
    await callee.register(proc, ({ args, kwargs }) => { seen = { args, kwargs }; return { args: [], kwargs: {} }; });
    const r = await caller.call(proc);
    assertEqual(seen, { args: [], kwargs: {} }, 'callee saw');
    assertEqual(r, { args: [], kwargs: {} }, 'caller got');
  },

  async empty_publish(c) {
    const pub = await c.session(), sub = await c.session();
    const topic = c.uri('t');
    const got = deferred();
    await sub.subscribe(topic, (ev) => got.resolve(ev));
    await pub.publish(topic);
    const ev = await withTimeout(got.promise, 5000, 'event');
    assertEqual(ev, { args: [], kwargs: {} }, 'event payload');
  },

  async unregister_then_call(c) {
    const callee = await c.session(), caller = await c.session();
    const proc = c.uri('gone');
    const reg = await callee.register(proc, () => ({ args: ['here'] }));
    assertEqual((await caller.call(proc)).args, ['here'], 'before unregister');
    await callee.unregister(reg);
    await expectCallError(caller.call(proc), 'wamp.error.no_such_procedure', 'call after unregister');
  },

  async unsubscribe_then_publish(c) {
    const pub = await c.session(), sub = await c.session();
    const topic = c.uri('t'), marker = c.uri('marker');
    const events = [];
    const first = deferred(), mark = deferred();
    const s = await sub.subscribe(topic, (ev) => { events.push(ev.args[0]); first.resolve(); });
    await sub.subscribe(marker, () => mark.resolve());
    await pub.publish(topic, [1]);
    await withTimeout(first.promise, 5000, 'event before unsubscribe');
    await sub.unsubscribe(s);
    await pub.publish(topic, [2]);
    // WAMP orders events of one publisher across topics: the marker comes after event 2.
    await pub.publish(marker, []);
    await withTimeout(mark.promise, 5000, 'marker event');
    assertEqual(events, [1], 'events seen');
  },

  async concurrent_calls(c) {
    const callee = await c.session(), caller = await c.session();
    const proc = c.uri('slowecho');
    const N = 500;
    await callee.register(proc, async ({ args }) => {
      if (args[0] % 3 === 0) await sleep(args[0] % 7); // answer out of order
      return { args: [args[0], `r${args[0]}`] };
    });
    const calls = [];
    for (let i = 0; i < N; i++) calls.push(caller.call(proc, [i]));
    const res = await Promise.all(calls);
    res.forEach((r, i) => assertEqual(r.args, [i, `r${i}`], `call ${i}`));
  },

  async callee_leaves(c) { await calleeGoesAway(c, 'leave'); },
  async callee_drops(c) { await calleeGoesAway(c, 'drop'); },

  async event_order(c) {
    const pub = await c.session(), sub = await c.session();
    const topic = c.uri('t');
    const N = 200;
    const got = [];
    const done = deferred();
    await sub.subscribe(topic, (ev) => { got.push(ev.args[0]); if (got.length === N) done.resolve(); });
    const acks = [];
    for (let i = 0; i < N; i++) acks.push(pub.publish(topic, [i]));
    await withTimeout(Promise.all(acks), 5000, `PUBLISHED for all ${N} publications`);
    await withTimeout(done.promise, 5000, () => `all ${N} events (got ${got.length})`);
    for (let i = 0; i < N; i++) assert(got[i] === i, `event ${i} arrived as ${got[i]}: order ${got.slice(Math.max(0, i - 3), i + 3)}`);
  },

  async cross_serializer(c) {
    const others = c.adapter.serializers.filter((s) => s !== c.opts.serializer);
    if (others.length === 0) return { skipped: 'only one serializer' };
    const bin = bytes256();
    const args = [1, -2, 3.5, 'ü€ x', true, null, [1, [2]], { a: { b: 'c' } }, bin];
    const kwargs = { bin, s: 'x', n: 12345678 };
    const callee = await c.session(), sub = await c.session();
    const proc = c.uri('echo'), fail = c.uri('fail'), euri = c.uri('error.x'), topic = c.uri('t');
    await callee.register(proc, (inv) => {
      assertEqual(inv.args, args, `callee(${c.opts.serializer}) args`);
      assertEqual(inv.kwargs, kwargs, `callee(${c.opts.serializer}) kwargs`);
      assert(isBinary(inv.args[8]), 'callee: args[8] not bytes');
      return inv;
    });
    await callee.register(fail, () => { throw new AppError(euri, [bin, 'e'], { k: [1, 2] }); });
    let next = deferred();
    await sub.subscribe(topic, (ev) => next.resolve(ev));
    for (const s of others) {
      const caller = await c.session(s);
      const r = await caller.call(proc, args, kwargs);
      assertEqual(r.args, args, `caller(${s}) result args`);
      assertEqual(r.kwargs, kwargs, `caller(${s}) result kwargs`);
      const e = await expectCallError(caller.call(fail), euri, `caller(${s}) error`);
      assertEqual(e.args, [bin, 'e'], `caller(${s}) error args`);
      assertEqual(e.kwargs, { k: [1, 2] }, `caller(${s}) error kwargs`);
      // publisher in s, subscriber in the run's serializer
      next = deferred();
      await caller.publish(topic, args, kwargs);
      const ev = await withTimeout(next.promise, 5000, `event from publisher(${s}) at subscriber(${c.opts.serializer})`);
      assertEqual(ev.args, args, `event from ${s} args`);
      assertEqual(ev.kwargs, kwargs, `event from ${s} kwargs`);
    }
  },
};

async function calleeGoesAway(c, how) {
  const callee = await c.session(), caller = await c.session();
  const proc = c.uri('vanish');
  const invoked = deferred();
  await callee.register(proc, () => {
    invoked.resolve();
    setImmediate(() => (how === 'leave' ? callee.leave().catch(() => {}) : callee.drop()));
    return new Promise(() => {}); // never answers
  });
  const p = caller.call(proc, ['x']);
  await withTimeout(invoked.promise, 5000, 'invocation');
  await withTimeout(expectCallError(p, 'wamp.error.canceled', `call whose callee did ${how}`), 5000,
    `caller's answer after the callee did ${how} (the router left the call pending)`);
  // The router must still route: a new callee on the same URI answers.
  const again = await c.session();
  await again.register(proc, () => ({ args: ['back'] }));
  assertEqual((await caller.call(proc)).args, ['back'], 'call after re-register');
}

function describe(e) {
  if (e && typeof e.uri === 'string') return `unexpected WAMP error ${e.uri} args=${show(e.args, false)} kwargs=${show(e.kwargs, false)}`;
  if (e instanceof Error) {
    // Library errors that carry a WAMP URI of their own (wampy: errorUri, error).
    const uri = e.errorUri || (typeof e.error === 'string' ? e.error : '');
    return uri ? `${e.name || 'Error'}: ${e.message}: ${uri} args=${show(e.argsList || [], false)}` : `${e.name || 'Error'}: ${e.message}`;
  }
  try { return JSON.stringify(e); } catch { return String(e); }
}

// ---- advanced pub/sub: broker features (black/white listing, publisher
// identification, pattern-based subscriptions, event retention) ----

const pubsubScenarios = {
  async pubsub_blackwhite(c) {
    const pub = await c.session();
    const subs = [await c.session(), await c.session(), await c.session()];
    const topic = c.uri('t');
    const got = subs.map(() => []);
    const ends = subs.map(() => deferred());
    await Promise.all(subs.map((s, i) => s.subscribeDetailed(topic, (ev) => {
      if (ev.args[0] === 'end') ends[i].resolve(); else got[i].push(ev.args[0]);
    })));
    const [a, b, d] = subs;
    assert(a.authid && b.authid && a.authid !== b.authid, `authids from WELCOME: ${a.authid}, ${b.authid}`);
    const cases = [
      ['exclude', { exclude: [a.id] }, [1, 2]],
      ['eligible', { eligible: [a.id, d.id] }, [0, 2]],
      ['exclude_authid', { exclude_authid: [b.authid] }, [0, 2]],
      ['eligible_authid', { eligible_authid: [b.authid] }, [1]],
      ['eligible_authrole', { eligible_authrole: ['anonymous'] }, [0, 1, 2]],
      ['exclude_authrole', { exclude_authrole: ['anonymous'] }, []],
      ['eligible_minus_exclude', { eligible: [a.id, b.id], exclude: [a.id] }, [1]],
    ];
    const want = subs.map(() => []);
    for (const [label, opts, to] of cases) {
      await pub.publish(topic, [label], undefined, opts);
      for (const i of to) want[i].push(label);
    }
    await pub.publish(topic, ['end']);
    await withTimeout(Promise.all(ends.map((e) => e.promise)), 5000, 'the end event at every subscriber');
    subs.forEach((s, i) => assertEqual(got[i], want[i], `subscriber ${i} received`));
  },

  async pubsub_disclose(c) {
    const pub = await c.session(), sub = await c.session();
    const topic = c.uri('t');
    let next = deferred();
    await sub.subscribeDetailed(topic, (ev) => next.resolve(ev));
    await pub.publish(topic, ['who'], undefined, { disclose_me: true });
    let ev = await withTimeout(next.promise, 5000, 'event with disclose_me');
    assertEqual([ev.details.publisher, ev.details.publisher_authid, ev.details.publisher_authrole],
      [pub.id, pub.authid, 'anonymous'], 'publisher, publisher_authid, publisher_authrole');
    next = deferred();
    await pub.publish(topic, ['anonymous']);
    ev = await withTimeout(next.promise, 5000, 'event without disclose_me');
    assert(ev.details.publisher == null, `publisher disclosed without disclose_me: ${show(ev.details)}`);
  },

  async pubsub_pattern(c) {
    const pub = await c.session(), sub = await c.session();
    const base = c.uri('room');
    const prefixGot = [], wildGot = [];
    const done = deferred();
    let ends = 0;
    const on = (list) => (ev) => {
      if (ev.args[0] === 'end') { if (++ends === 2) done.resolve(); return; }
      list.push([ev.args[0], ev.details.topic]);
    };
    await sub.subscribeDetailed(base, on(prefixGot), { match: 'prefix' });
    await sub.subscribeDetailed(`${base}..temp`, on(wildGot), { match: 'wildcard' });
    await pub.publish(`${base}.1.temp`, ['both']);
    await pub.publish(`${base}.2.humidity`, ['prefix']);
    await pub.publish(`${base}.1.x.temp`, ['prefix, too deep for the wildcard']);
    await pub.publish(`${c.uri('hall')}.1.temp`, ['nobody']);
    await pub.publish(`${base}.3.temp`, ['end']);
    await withTimeout(done.promise, 5000, 'the end event on both subscriptions');
    assertEqual(prefixGot, [['both', `${base}.1.temp`], ['prefix', `${base}.2.humidity`],
      ['prefix, too deep for the wildcard', `${base}.1.x.temp`]], 'prefix subscription [event, details.topic]');
    assertEqual(wildGot, [['both', `${base}.1.temp`]], 'wildcard subscription [event, details.topic]');
  },

  async pubsub_retained(c) {
    if (!c.adapter.caps.retain) return { skipped: `${c.adapter.name} cannot send retain` };
    const pub = await c.session();
    const topic = c.uri('t');
    await pub.publish(topic, ['old'], undefined, { retain: true });
    await pub.publish(topic, ['latest'], { k: 1 }, { retain: true });
    await pub.publish(topic, ['live only']);
    const sub = await c.session();
    const got = deferred();
    await sub.subscribeDetailed(topic, (ev) => got.resolve(ev), { get_retained: true });
    const ev = await withTimeout(got.promise, 5000, 'retained event after SUBSCRIBE with get_retained');
    assertEqual([ev.args, ev.kwargs, ev.details.retained], [['latest'], { k: 1 }, true], '[args, kwargs, details.retained]');
    // Without get_retained: no retained event before the next live one.
    const plain = await c.session();
    const seen = [];
    const mark = deferred();
    await plain.subscribeDetailed(topic, (e) => { seen.push(e.args[0]); if (e.args[0] === 'marker') mark.resolve(); });
    await pub.publish(topic, ['marker']);
    await withTimeout(mark.promise, 5000, 'marker event');
    assertEqual(seen, ['marker'], 'events at a subscriber without get_retained');
  },
};
Object.assign(scenarios, pubsubScenarios);

// ---- advanced RPC: dealer features (progressive results, canceling, timeouts,
// caller identification, pattern-based and shared registrations). Adapter part:
//   adapter.caps.rpc: null when the library lacks it, else
//       { calleeCancels: bool   (its callee announces call_canceling, so it gets INTERRUPT
//                                and, by the spec, progressive results),
//         cancelMode: string    (the CANCEL mode the library can use safely) }
//   client.rpc.register(uri, fn({args, kwargs, details}), opts?) -> Promise<reg>
//       details = {procedure, caller, caller_authid, progress: fn(args) | null}
//       opts: REGISTER.Options (match, invoke, disclose_caller, force_reregister)
//   client.rpc.call(uri, args, kwargs, opts, onProgress?) -> {promise, cancel(mode)}
//       opts: CALL.Options (receive_progress, timeout, disclose_me); onProgress({args, kwargs})
// ----

// rpcHandler makes a failed check inside an rpc.register handler the caller's error.
function rpcHandler(fn) {
  return async (inv) => {
    try {
      return await fn(inv);
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('interop.error.callee_check_failed', [describe(e)]);
    }
  };
}

const rpcScenarios = {
  async rpc_progressive_results(c) {
    const caps = c.adapter.caps.rpc;
    if (!caps) return { skipped: `${c.adapter.name} has no advanced RPC adapter` };
    const callee = await c.session(), caller = await c.session();
    const proc = c.uri('stream');
    await callee.rpc.register(proc, rpcHandler(async ({ details }) => {
      if (details.progress) {
        details.progress([1]);
        details.progress([2]);
      }
      return { args: ['done', Boolean(details.progress)] };
    }));
    const got = [];
    const r = await caller.rpc.call(proc, [], {}, { receive_progress: true }, (p) => got.push(p.args[0])).promise;
    // WAMP §"Progressive Call Results": a callee without call canceling is taken not to
    // support progressive results, so it is not asked for them.
    const streams = caps.calleeCancels;
    assertEqual([r.args, got], [['done', streams], streams ? [1, 2] : []], '[final result args, progressive results]');
  },

  async rpc_cancel(c) {
    const caps = c.adapter.caps.rpc;
    if (!caps) return { skipped: `${c.adapter.name} has no advanced RPC adapter` };
    const callee = await c.session(), caller = await c.session();
    const proc = c.uri('never');
    const invoked = deferred();
    await callee.rpc.register(proc, () => { invoked.resolve(); return new Promise(() => {}); });
    const call = caller.rpc.call(proc, ['x'], {}, {});
    await withTimeout(invoked.promise, 5000, 'invocation');
    call.cancel(caps.cancelMode);
    await withTimeout(expectCallError(call.promise, 'wamp.error.canceled', `call canceled with mode ${caps.cancelMode}`),
      5000, 'ERROR after CANCEL');
    const echo = c.uri('echo');
    await callee.rpc.register(echo, ({ args }) => ({ args }));
    assertEqual((await caller.rpc.call(echo, ['still'], {}, {}).promise).args, ['still'], 'call after cancel');
  },

  async rpc_timeout(c) {
    if (!c.adapter.caps.rpc) return { skipped: `${c.adapter.name} has no advanced RPC adapter` };
    const callee = await c.session(), caller = await c.session();
    const proc = c.uri('slow');
    await callee.rpc.register(proc, () => new Promise(() => {}));
    const call = caller.rpc.call(proc, [], {}, { timeout: 100 });
    await withTimeout(expectCallError(call.promise, 'wamp.error.timeout', 'call with timeout 100 ms'), 5000, 'timeout ERROR');
  },

  async rpc_disclose(c) {
    if (!c.adapter.caps.rpc) return { skipped: `${c.adapter.name} has no advanced RPC adapter` };
    const callee = await c.session(), caller = await c.session();
    const proc = c.uri('who');
    await callee.rpc.register(proc, rpcHandler(({ details }) => ({ args: [details.caller == null ? null : Number(details.caller), details.caller_authid || null] })));
    const r = await caller.rpc.call(proc, [], {}, { disclose_me: true }).promise;
    assertEqual(r.args, [caller.id, caller.authid], '[details.caller, details.caller_authid] with disclose_me');
    const anon = await caller.rpc.call(proc, [], {}, {}).promise;
    assertEqual(anon.args, [null, null], 'caller details without disclose_me');
  },

  async rpc_pattern(c) {
    if (!c.adapter.caps.rpc) return { skipped: `${c.adapter.name} has no advanced RPC adapter` };
    const callee = await c.session(), caller = await c.session();
    const pfx = c.uri('pfx'), wc = c.uri('wc');
    const answer = (which) => rpcHandler(({ details }) => ({ args: [which, details.procedure] }));
    await callee.rpc.register(pfx, answer('prefix'), { match: 'prefix' });
    await callee.rpc.register(`${wc}..get`, answer('wildcard'), { match: 'wildcard' });
    await callee.rpc.register(`${pfx}.exact`, answer('exact'));
    const cases = [
      [`${pfx}.exact`, 'exact'],
      [`${pfx}.a.b`, 'prefix'],
      [`${wc}.a.get`, 'wildcard'],
    ];
    for (const [uri, which] of cases) {
      assertEqual((await caller.rpc.call(uri, [], {}, {}).promise).args, [which, uri], `call ${uri}: [registration, details.procedure]`);
    }
    await expectCallError(caller.rpc.call(`${wc}.a.b.get`, [], {}, {}).promise, 'wamp.error.no_such_procedure', 'too deep for the wildcard');
  },

  async rpc_shared(c) {
    if (!c.adapter.caps.rpc) return { skipped: `${c.adapter.name} has no advanced RPC adapter` };
    const a = await c.session(), b = await c.session(), caller = await c.session();
    const proc = c.uri('shared');
    await a.rpc.register(proc, () => ({ args: ['a'] }), { invoke: 'roundrobin' });
    await b.rpc.register(proc, () => ({ args: ['b'] }), { invoke: 'roundrobin' });
    await expectCallError(caller.rpc.register(proc, () => ({}), { invoke: 'random' }),
      'wamp.error.procedure_exists_with_different_invocation_policy', 'register with another invoke policy');
    const got = [];
    for (let i = 0; i < 4; i++) got.push((await caller.rpc.call(proc, [], {}, {}).promise).args[0]);
    assertEqual(got, ['a', 'b', 'a', 'b'], 'roundrobin callees');
  },
};
Object.assign(scenarios, rpcScenarios);

// ---- meta API: session, registration and subscription meta procedures and events,
// testaments. Uses only call, subscribeDetailed (with Options.match), register, leave
// and drop. Other clients run in parallel on the same realm, so every check looks only
// at the sessions and URIs of this scenario. ----

// waitFor resolves with the first value pushed to the returned push(v) for which
// pred(v) holds.
function waitFor(pred) {
  const d = deferred();
  return { push: (v) => { if (pred(v)) d.resolve(v); }, promise: d.promise };
}

// HISTORY_PREFIX is the topic prefix with event history in the test router.
const HISTORY_PREFIX = 'interop.history';

const sameID = (a, b) => a != null && b != null && Number(a) === Number(b);

const metaScenarios = {
  async meta_session(c) {
    const watcher = await c.session();
    const events = [];
    const waiters = [];
    await watcher.subscribeDetailed('wamp.session', (ev) => {
      events.push(ev);
      waiters.forEach((w) => w.push(ev));
    }, { match: 'prefix' });
    const joinedOf = (id) => (ev) => ev.details.topic === 'wamp.session.on_join' && sameID(ev.args[0] && ev.args[0].session, id);
    const leftOf = (id) => (ev) => ev.details.topic === 'wamp.session.on_leave' && sameID(ev.args[0], id);
    const other = await c.session();
    const join = waitFor(joinedOf(other.id));
    waiters.push(join);
    events.forEach((ev) => join.push(ev));
    const j = await withTimeout(join.promise, 5000, 'wamp.session.on_join of the new session');
    assertEqual([j.args[0].authid, j.args[0].authrole, j.args[0].authmethod], [other.authid, 'anonymous', 'anonymous'],
      'on_join details [authid, authrole, authmethod]');
    const got = (await watcher.call('wamp.session.get', [other.id])).args[0];
    assert(sameID(got.session, other.id) && got.authid === other.authid, `wamp.session.get: ${show(got)}`);
    const ids = (await watcher.call('wamp.session.list')).args[0].map(Number);
    assert(ids.includes(Number(other.id)) && ids.includes(Number(watcher.id)), `wamp.session.list ${show(ids)} lacks our sessions`);
    const n = (await watcher.call('wamp.session.count', [['anonymous']])).args[0];
    assert(Number(n) >= 2, `wamp.session.count(['anonymous']) = ${n}`);
    await expectCallError(watcher.call('wamp.session.kill', [watcher.id]), 'wamp.error.no_such_session', 'kill of the own session');
    const leave = waitFor(leftOf(other.id));
    waiters.push(leave);
    await other.leave();
    const l = await withTimeout(leave.promise, 5000, 'wamp.session.on_leave of the session that left');
    assertEqual([l.args.length, l.args[1], l.args[2]], [3, other.authid, 'anonymous'], 'on_leave [#args, authid, authrole]');
  },

  async meta_registration(c) {
    const watcher = await c.session(), callee = await c.session();
    const proc = c.uri('proc');
    const created = waitFor((ev) => ev.args[1] && ev.args[1].uri === proc);
    await watcher.subscribeDetailed('wamp.registration.on_create', (ev) => created.push(ev));
    await callee.register(proc, () => ({ args: ['ok'] }));
    const ev = await withTimeout(created.promise, 5000, 'wamp.registration.on_create');
    assert(sameID(ev.args[0], callee.id), `on_create session ${ev.args[0]}, want ${callee.id}`);
    assertEqual([ev.args[1].match, ev.args[1].invoke], ['exact', 'single'], 'on_create [match, invoke]');
    const reg = (await watcher.call('wamp.registration.lookup', [proc])).args[0];
    assert(sameID(reg, ev.args[1].id), `lookup ${reg}, on_create id ${ev.args[1].id}`);
    assert(sameID((await watcher.call('wamp.registration.match', [proc])).args[0], reg), 'wamp.registration.match');
    const callees = (await watcher.call('wamp.registration.list_callees', [reg])).args[0];
    assertEqual(callees.map(Number), [Number(callee.id)], 'list_callees');
    assertEqual((await watcher.call('wamp.registration.get', [reg])).args[0].uri, proc, 'get(registration).uri');
    const lists = (await watcher.call('wamp.registration.list')).args[0];
    assert(lists.exact.map(Number).includes(Number(reg)), `registration.list exact lacks ${reg}`);
    await expectCallError(watcher.call('wamp.registration.get', [1]), 'wamp.error.no_such_registration', 'get of an unknown id');
  },

  async meta_testament(c) {
    const watcher = await c.session(), dying = await c.session();
    const topic = c.uri('will');
    const will = deferred();
    await watcher.subscribeDetailed(topic, (ev) => will.resolve(ev));
    await dying.call('wamp.session.add_testament', [topic, ['gone', dying.id], { why: 'dropped' }]);
    await dying.call('wamp.session.add_testament', [topic, ['flushed'], {}], { scope: 'detached' });
    await dying.call('wamp.session.flush_testaments', [], { scope: 'detached' });
    await expectCallError(dying.call('wamp.session.add_testament', [topic, [], {}], { scope: 'never' }),
      'wamp.error.testament_error', 'add_testament with an unknown scope');
    dying.drop();
    const ev = await withTimeout(will.promise, 5000, 'testament event after the connection dropped');
    assertEqual([ev.args[0], Number(ev.args[1]), ev.kwargs], ['gone', Number(dying.id), { why: 'dropped' }], 'testament [args, kwargs]');
  },

  // Event history: the test router keeps events of every topic under HISTORY_PREFIX
  // (prefix match). Cells run concurrently against one router, so this run's topic is
  // unique and get_events filters by it.
  async meta_history(c) {
    const pub = await c.session(), reader = await c.session();
    const topic = `${HISTORY_PREFIX}.${c.prefix}`, other = `${topic}.other`;
    const h = (await reader.call('wamp.subscription.lookup', [HISTORY_PREFIX, { match: 'prefix' }])).args[0];
    assert(h != null, `wamp.subscription.lookup(${HISTORY_PREFIX}, prefix) found no history subscription (is history configured?)`);
    const matched = (await reader.call('wamp.subscription.match', [topic])).args[0] || [];
    assert(matched.some((id) => sameID(id, h)), `wamp.subscription.match(${topic}) = ${show(matched)} lacks ${h}`);
    for (let i = 0; i < 3; i++) {
      await pub.publish(topic, [i], { n: i });
      if (i === 1) await pub.publish(other, ['other']);
    }
    const get = async (args, kwargs) => (await reader.call('wamp.subscription.get_events', args, kwargs)).args;
    const evs = await get([h], { topic, limit: 10 });
    assertEqual(evs.map((e) => [e.args, e.kwargs]), [[[0], { n: 0 }], [[1], { n: 1 }], [[2], { n: 2 }]],
      'get_events(topic) [args, kwargs], oldest first');
    for (const e of evs) {
      assert(sameID(e.subscription, h), `event subscription ${e.subscription}, want ${h}`);
      assert(typeof e.timestamp === 'string' && e.timestamp !== '', `event timestamp ${show(e.timestamp)}`);
      assert(e.publication != null && e.details && e.details.topic === topic, `event publication/details ${show(e)}`);
    }
    assertEqual((await get([h], { topic, limit: 2, reverse: true })).map((e) => e.args[0]), [2, 1], 'get_events reverse, limit 2');
    assertEqual((await get([h, 2], { topic })).map((e) => e.args[0]), [0, 1], 'get_events positional limit 2');
    assertEqual((await get([h], { topic: other })).map((e) => e.args[0]), ['other'], 'get_events of the other topic');
    await expectCallError(reader.call('wamp.subscription.get_events', [2 ** 53 - 1]), 'wamp.error.no_such_subscription', 'get_events of an unknown id');
  },

  // Revocation: another session removes a subscriber and a callee. A client that
  // announced subscription_revocation/registration_revocation is told (adapter.caps.
  // revocation, client.revoked(sub|reg) -> Promise<reason>); either way the removal
  // takes effect.
  async meta_revocation(c) {
    const admin = await c.session(), sub = await c.session(), callee = await c.session(), pub = await c.session();
    const topic = c.uri('t'), marker = c.uri('marker'), proc = c.uri('proc');
    const events = [];
    let first = deferred(), mark = deferred();
    const s = await sub.subscribe(topic, (ev) => { events.push(ev.args[0]); first.resolve(); });
    await sub.subscribe(marker, () => mark.resolve());
    const r = await callee.register(proc, () => ({ args: ['here'] }));
    await pub.publish(topic, ['before']);
    await withTimeout(first.promise, 5000, 'event before remove_subscriber');
    assertEqual((await pub.call(proc)).args, ['here'], 'call before remove_callee');

    const sid = (await admin.call('wamp.subscription.lookup', [topic])).args[0];
    const rid = (await admin.call('wamp.registration.lookup', [proc])).args[0];
    assert(sid != null && rid != null, `lookup: subscription ${sid}, registration ${rid}`);
    const told = c.adapter.caps.revocation;
    const subRevoked = told ? sub.revoked(s) : null, regRevoked = told ? callee.revoked(r) : null;
    await admin.call('wamp.subscription.remove_subscriber', [sid, sub.id], { reason: 'interop.reason.unsubscribed' });
    await admin.call('wamp.registration.remove_callee', [rid, callee.id], { reason: 'interop.reason.unregistered' });
    if (told) {
      assertEqual(await withTimeout(subRevoked, 5000, 'subscription revocation at the subscriber'), 'interop.reason.unsubscribed', 'subscription revocation reason');
      assertEqual(await withTimeout(regRevoked, 5000, 'registration revocation at the callee'), 'interop.reason.unregistered', 'registration revocation reason');
    }
    // The sole subscriber and callee are gone, and so are the subscription and registration.
    assert((await admin.call('wamp.subscription.lookup', [topic])).args[0] == null, 'subscription still there after remove_subscriber');
    assert((await admin.call('wamp.registration.lookup', [proc])).args[0] == null, 'registration still there after remove_callee');
    await pub.publish(topic, ['after']);
    // WAMP orders events of one publisher across topics: the marker comes after "after".
    await pub.publish(marker, []);
    await withTimeout(mark.promise, 5000, 'marker event at the removed subscriber (its session must live on)');
    assertEqual(events, ['before'], 'events at the removed subscriber');
    await expectCallError(pub.call(proc), 'wamp.error.no_such_procedure', 'call after remove_callee');
    await expectCallError(admin.call('wamp.registration.remove_callee', [rid, callee.id]), 'wamp.error.no_such_registration',
      'remove_callee of a removed registration');
  },
};
Object.assign(scenarios, metaScenarios);

// ---- Payload Passthru Mode (docs/advanced.md). Adapter part:
//   adapter.caps.ppt: null when the library cannot take part, else true; then
//   adapter.caps.pptSkip: why not (printed as the skip reason).
//   client.ppt.register(uri, fn({args, details}) -> {args, options}) -> Promise
//       details: the INVOCATION details; options: the YIELD options (ppt_*)
//   client.ppt.call(uri, args, options) -> Promise<{args, details}>  (CALL options ppt_*)
//   client.ppt.subscribe(topic, fn({args, details})) -> Promise
//   client.ppt.publish(topic, args, options) -> Promise  (acknowledged)
// ----

const PPT_KEYS = ['ppt_scheme', 'ppt_serializer', 'ppt_cipher', 'ppt_keyid'];

// pptAttrs is what the scenario sends: a custom scheme (x_ prefix), CBOR as the
// payload's serializer, and ppt_keyid telling the three messages apart.
function pptAttrs(keyid) {
  return { ppt_scheme: 'x_edgebar_test', ppt_serializer: 'cbor', ppt_keyid: keyid };
}

function pptOf(details) {
  const o = {};
  for (const k of PPT_KEYS) if (details && details[k] !== undefined) o[k] = details[k];
  return o;
}

// pptBlob is the one binary payload item: a real CBOR item, [tag, bytes 0x00..0xff],
// encoded by hand (array(2), text(3), bytes(256)) so that every client sends the same bytes.
export function pptBlob(tag) {
  assert(Buffer.byteLength(tag) === 3, 'pptBlob tag must be 3 bytes');
  return Buffer.concat([Buffer.from([0x82, 0x63]), Buffer.from(tag), Buffer.from([0x59, 0x01, 0x00]), bytes256()]);
}

const pptScenarios = {
  async ppt_passthru(c) {
    if (!c.adapter.caps.ppt) return { skipped: c.adapter.caps.pptSkip || `${c.adapter.name} has no ppt adapter` };
    const callee = await c.session(), sub = await c.session(), caller = await c.session();
    const proc = c.uri('ppt.proc'), topic = c.uri('ppt.topic');
    const [bCall, bYield, bPub] = [pptBlob('cal'), pptBlob('yld'), pptBlob('pub')];
    let inv = null;
    await callee.ppt.register(proc, ({ args, details }) => {
      inv = { args, ppt: pptOf(details) };
      return { args: [bYield], options: pptAttrs('yield') };
    });
    const ev = deferred();
    await sub.ppt.subscribe(topic, (e) => ev.resolve({ args: e.args, ppt: pptOf(e.details) }));

    const r = await caller.ppt.call(proc, [bCall], pptAttrs('call'));
    assert(inv !== null, 'RESULT without an INVOCATION at the callee');
    assertEqual(inv.ppt, pptAttrs('call'), 'INVOCATION.Details ppt_*');
    assert(inv.args.length === 1 && isBinary(inv.args[0]), `INVOCATION payload ${show(inv.args)}, want one binary item`);
    assertEqual(inv.args, [bCall], 'INVOCATION payload');
    assertEqual(pptOf(r.details), pptAttrs('yield'), 'RESULT.Details ppt_*');
    assert(r.args.length === 1 && isBinary(r.args[0]), `RESULT payload ${show(r.args)}, want one binary item`);
    assertEqual(r.args, [bYield], 'RESULT payload');

    await caller.ppt.publish(topic, [bPub], pptAttrs('publish'));
    const e = await withTimeout(ev.promise, 5000, 'ppt event');
    assertEqual(e.ppt, pptAttrs('publish'), 'EVENT.Details ppt_*');
    assert(e.args.length === 1 && isBinary(e.args[0]), `EVENT payload ${show(e.args)}, want one binary item`);
    assertEqual(e.args, [bPub], 'EVENT payload');
  },
};
Object.assign(scenarios, pptScenarios);

export const scenarioNames = Object.keys(scenarios);

function parseArgs(argv) {
  const o = { timeout: 100, only: null };
  const pos = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--timeout') o.timeout = Number(argv[++i]);
    else if (a === '--only') o.only = argv[++i].split(',');
    else pos.push(a);
  }
  if (pos.length !== 3) {
    throw new Error('usage: <script> URL REALM SERIALIZER [--only a,b] [--timeout SECONDS]');
  }
  [o.url, o.realm, o.serializer] = pos;
  return o;
}

// main runs the scenarios sequentially and exits: 0 all ok, 1 some failed, 2 usage or
// overall timeout.
export async function main(adapter) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  let failed = 0;
  let current = null;
  setTimeout(() => {
    out(JSON.stringify({ scenario: current || 'overall', ok: false, error: `overall timeout of ${opts.timeout}s` }) + '\n');
    process.exit(2);
  }, opts.timeout * 1000).unref();
  process.on('unhandledRejection', (e) => console.error('unhandled rejection:', e));

  if (!adapter.serializers.includes(opts.serializer)) {
    for (const name of scenarioNames) {
      out(JSON.stringify({ scenario: name, ok: true, skipped: `${adapter.name} has no ${opts.serializer} serializer` }) + '\n');
    }
    process.exit(0);
  }
  opts.prefix = `interop.${adapter.name.replace(/[^a-z0-9]/g, '_')}.${opts.serializer}.r${randomBytes(4).toString('hex')}`;
  for (const name of scenarioNames) {
    if (opts.only && !opts.only.includes(name)) continue;
    current = name;
    const c = new Ctx(opts, adapter, name);
    const line = { scenario: name, ok: true };
    const t0 = Date.now();
    try {
      const r = await withTimeout(scenarios[name](c), SCENARIO_TIMEOUT_MS, `scenario ${name}`);
      if (r && r.skipped) line.skipped = r.skipped;
    } catch (e) {
      line.ok = false;
      line.error = describe(e);
      failed++;
    }
    await c.closeAll().catch(() => {});
    line.ms = Date.now() - t0;
    out(JSON.stringify(line) + '\n');
  }
  process.exit(failed ? 1 : 0);
}
