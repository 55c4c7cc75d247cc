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
// }
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
