// Interop client: Autobahn|JS (npm "autobahn", Node, WebSocket transport).
// Usage: node autobahn.mjs ws://127.0.0.1:PORT/ REALM json|msgpack|cbor [--only a,b] [--timeout S]
import { createRequire } from 'node:module';
import { main, AppError, jsonReplacer, jsonReviver } from './scenarios.mjs';

const require = createRequire(import.meta.url);
const autobahn = require('autobahn');

function makeSerializer(name) {
  switch (name) {
    case 'json': return new autobahn.serializer.JSONSerializer(jsonReplacer, jsonReviver);
    case 'msgpack': return new autobahn.serializer.MsgpackSerializer();
    case 'cbor': return new autobahn.serializer.CBORSerializer();
  }
  throw new Error(`unknown serializer ${name}`);
}

// Autobahn|JS hands a single positional result over as a bare value and wraps
// anything else in autobahn.Result; normalize both to {args, kwargs}.
function normResult(r) {
  if (r instanceof autobahn.Result) return { args: r.args || [], kwargs: r.kwargs || {} };
  if (r === null || r === undefined) return { args: [], kwargs: {} };
  return { args: [r], kwargs: {} };
}

function normError(e) {
  if (e instanceof autobahn.Error) return { uri: e.error, args: e.args || [], kwargs: e.kwargs || {} };
  return e;
}

function connect({ url, realm, serializer }) {
  return new Promise((resolve, reject) => {
    const conn = new autobahn.Connection({
      url, realm, serializers: [makeSerializer(serializer)],
      max_retries: 0, retry_if_unreachable: false,
      use_deferred: progressDeferred,
    });
    let opened = false;
    const closed = new Promise((res) => {
      conn.onclose = (reason, details) => {
        if (!opened) reject(new Error(`connect ${url}: ${reason} ${JSON.stringify(details)}`));
        res();
        return true; // never retry
      };
    });
    conn.onopen = (session, welcome) => {
      opened = true;
      const proto = conn._transport && conn._transport.info && conn._transport.info.protocol;
      if (proto !== `wamp.2.${serializer}`) {
        reject(new Error(`negotiated subprotocol ${proto}, want wamp.2.${serializer}`));
        conn.close();
        return;
      }
      resolve(client(conn, session, closed, welcome));
    };
    conn.open();
  });
}

function client(conn, session, closed, welcome) {
  return {
    id: session.id,
    authid: welcome && welcome.authid,
    subscribeDetailed(topic, fn, opts) {
      return session.subscribe(topic, (args, kwargs, ev) => fn({
        args: args || [], kwargs: kwargs || {},
        details: {
          publisher: ev.publisher, publisher_authid: ev.publisher_authid, publisher_authrole: ev.publisher_authrole,
          topic: ev.topic, retained: ev.retained,
        },
      }), opts);
    },
    async register(uri, fn) {
      return session.register(uri, async (args, kwargs) => {
        let r;
        try {
          r = await fn({ args: args || [], kwargs: kwargs || {} });
        } catch (e) {
          if (e instanceof AppError) throw new autobahn.Error(e.uri, e.args, e.kwargs);
          throw e;
        }
        // A Result with empty args and kwargs makes a YIELD without payload.
        return new autobahn.Result((r && r.args) || [], (r && r.kwargs) || {});
      });
    },
    unregister(reg) { return session.unregister(reg); },
    async call(uri, args, kwargs) {
      try {
        return normResult(await session.call(uri, args, kwargs));
      } catch (e) {
        throw normError(e);
      }
    },
    subscribe(topic, fn) {
      return session.subscribe(topic, (args, kwargs) => fn({ args: args || [], kwargs: kwargs || {} }));
    },
    unsubscribe(sub) { return session.unsubscribe(sub); },
    async publish(topic, args, kwargs, opts) {
      try {
        await session.publish(topic, args, kwargs, { acknowledge: true, ...(opts || {}) });
      } catch (e) {
        throw normError(e);
      }
    },
    async leave() {
      if (session.isOpen) conn.close();
      await closed;
    },
    drop() {
      if (conn._transport) conn._transport.close();
    },
    rpc: rpcClient(session),
    // revoked resolves with the reason of a router-initiated UNSUBSCRIBED/UNREGISTERED
    // (request 0): Autobahn|JS resolves Subscription.on_unsubscribe and
    // Registration.on_unregister with it.
    revoked(x) { return x.on_unsubscribe || x.on_unregister; },
  };
}

// ---- advanced RPC adapter (rpc_* scenarios) ----

// progressDeferred is the deferred factory of the connection: ES6 promises plus the
// notify() that Autobahn calls for each progressive RESULT (it has no other hook
// without when.js); notify hands the result to the promise's onProgress.
function progressDeferred() {
  const d = {};
  d.promise = new Promise((res, rej) => { d.resolve = res; d.reject = rej; });
  d.notify = (r) => { if (d.promise.onProgress) d.promise.onProgress(normResult(r)); };
  return d;
}

function rpcClient(session) {
  return {
    async register(uri, fn, opts) {
      try {
        return await session.register(uri, async (args, kwargs, details) => {
          let r;
          try {
            r = await fn({
              args: args || [], kwargs: kwargs || {},
              details: {
                procedure: details.procedure, caller: details.caller, caller_authid: details.caller_authid,
                progress: details.progress ? (a) => details.progress(a) : null,
              },
            });
          } catch (e) {
            if (e instanceof AppError) throw new autobahn.Error(e.uri, e.args, e.kwargs);
            throw e;
          }
          return new autobahn.Result((r && r.args) || [], (r && r.kwargs) || {});
        }, opts);
      } catch (e) {
        throw normError(e);
      }
    },
    call(uri, args, kwargs, opts, onProgress) {
      const p = session.call(uri, args, kwargs, opts);
      p.onProgress = onProgress;
      return {
        promise: p.then(normResult, (e) => { throw normError(e); }),
        cancel: (mode) => p.cancel({ mode }),
      };
    },
  };
}

main({
  name: 'autobahn-js',
  serializers: ['json', 'msgpack', 'cbor'].filter((s) => {
    const cls = { json: 'JSONSerializer', msgpack: 'MsgpackSerializer', cbor: 'CBORSerializer' }[s];
    return typeof autobahn.serializer[cls] === 'function';
  }),
  // rpc: Autobahn|JS's callee does not announce call_canceling; its cancel() drops the
  // pending call for any mode but kill and then fails its transport on the router's
  // ERROR (a protocol violation to it), so the scenarios cancel with kill.
  caps: {
    // Autobahn|JS announces subscription_revocation and registration_revocation.
    revocation: true,
    excludeMeFalse: true, retain: true, rpc: { calleeCancels: false, cancelMode: 'kill' },
    // Autobahn|JS 22.11.1 has no Payload Passthru Mode: lib/ has no ppt_* code, and its
    // HELLO (the module-private WAMP_FEATURES in lib/session.js) announces neither
    // payload_passthru_mode nor payload_transparency for any role. By the spec it may then
    // neither send a ppt CALL/PUBLISH/YIELD (the router aborts it) nor receive a ppt
    // INVOCATION or RESULT (the router answers feature_not_supported).
    ppt: false,
    pptSkip: 'Autobahn|JS 22.11.1 has no payload passthru mode and announces no payload_passthru_mode/payload_transparency in HELLO, so by the spec it may neither send nor receive ppt calls or publications',
  },
  connect,
});
