// Interop client: wampy (npm "wampy", Node, WebSocket transport through the "ws" package).
// Usage: node wampy.mjs ws://127.0.0.1:PORT/ REALM json|msgpack|cbor [--only a,b] [--timeout S]
import WebSocket from 'ws';
import { Wampy } from 'wampy';
import { MsgpackSerializer } from 'wampy/MsgpackSerializer.js';
import { CborSerializer } from 'wampy/CborSerializer.js';
import { main, AppError, jsonReplacer, jsonReviver } from './scenarios.mjs';

// wampy's own JsonSerializer is plain JSON.stringify/parse; this one adds the WAMP
// binary convention so that byte strings survive JSON (wampy's documented custom
// serializer interface: protocol, isBinary, encode, decode).
class JsonBinSerializer {
  protocol = 'json';
  isBinary = false;
  encode(data) { return JSON.stringify(data, jsonReplacer); }
  decode(data) { return JSON.parse(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'), jsonReviver); }
}

function makeSerializer(name) {
  switch (name) {
    case 'json': return new JsonBinSerializer();
    case 'msgpack': return new MsgpackSerializer();
    case 'cbor': return new CborSerializer();
  }
  throw new Error(`unknown serializer ${name}`);
}

// PreEncodedPayload is wampy's payload serializer for ppt_serializer "cbor" (its documented
// payloadSerializers option, the same interface as its message serializers): the
// scenario hands wampy the already CBOR-encoded item as the one argument, and this
// passes those bytes through both ways, so that the test sees the exact bytes on each side.
class PreEncodedPayload {
  protocol = 'cbor';
  isBinary = true;
  encode({ args, kwargs }) {
    if (!args || args.length !== 1 || !(args[0] instanceof Uint8Array) || kwargs) {
      throw new Error('ppt payload must be one binary argument');
    }
    return args[0];
  }
  decode(data) { return { args: [Buffer.from(data)] }; }
}

// payload builds wampy's call/publish/yield payload form from args and kwargs.
function payload(args, kwargs) {
  const hasK = kwargs && Object.keys(kwargs).length > 0;
  if ((!args || args.length === 0) && !hasK) return undefined;
  return { argsList: args || [], ...(hasK ? { argsDict: kwargs } : {}) };
}

function normError(e) {
  // wampy's WampError subclasses carry the URI as errorUri.
  if (e && typeof e.errorUri === 'string') return { uri: e.errorUri, args: e.argsList || [], kwargs: e.argsDict || {} };
  return e;
}

async function connect({ url, realm, serializer }) {
  const w = new Wampy(url, {
    realm, ws: WebSocket, serializer: makeSerializer(serializer),
    payloadSerializers: { cbor: new PreEncodedPayload() },
    autoReconnect: false, debug: false,
  });
  await w.connect();
  const proto = w._ws && w._ws.protocol;
  if (proto !== `wamp.2.${serializer}`) {
    await w.disconnect();
    throw new Error(`negotiated subprotocol ${proto}, want wamp.2.${serializer}`);
  }
  return {
    id: w.getSessionId(),
    authid: w._cache.server_wamp_features && w._cache.server_wamp_features.authid,
    async subscribeDetailed(topic, fn, opts) {
      const r = await w.subscribe(topic, ({ details, argsList, argsDict }) => fn({
        args: argsList || [], kwargs: argsDict || {},
        details: {
          publisher: details.publisher, publisher_authid: details.publisher_authid,
          publisher_authrole: details.publisher_authrole, topic: details.topic, retained: Boolean(details.retained),
        },
      }), opts);
      return r.subscriptionId;
    },
    async register(uri, fn) {
      await w.register(uri, async ({ argsList, argsDict }) => {
        let r;
        try {
          r = await fn({ args: argsList || [], kwargs: argsDict || {} });
        } catch (e) {
          if (e instanceof AppError) throw { error: e.uri, argsList: e.args, argsDict: e.kwargs };
          throw e;
        }
        return payload(r && r.args, r && r.kwargs);
      });
      return uri; // wampy unregisters by URI
    },
    unregister(uri) { return w.unregister(uri); },
    async call(uri, args, kwargs) {
      try {
        const r = await w.call(uri, payload(args, kwargs));
        return { args: r.argsList || [], kwargs: r.argsDict || {} };
      } catch (e) {
        throw normError(e);
      }
    },
    async subscribe(topic, fn) {
      const r = await w.subscribe(topic, ({ argsList, argsDict }) => fn({ args: argsList || [], kwargs: argsDict || {} }));
      return r.subscriptionId;
    },
    unsubscribe(id) { return w.unsubscribe(id); },
    async publish(topic, args, kwargs, opts) {
      // wampy always asks for acknowledge and resolves on PUBLISHED.
      try {
        await w.publish(topic, payload(args, kwargs), opts);
      } catch (e) {
        throw normError(e);
      }
    },
    // wampy 8 has Payload Passthru Mode in its public API: ppt_* in the CALL, PUBLISH
    // and (returned by the callee) YIELD options, the payload packed by payloadSerializers.
    ppt: {
      async register(uri, fn) {
        await w.register(uri, ({ argsList, details }) => {
          const r = fn({ args: argsList || [], details });
          return { argsList: r.args, options: r.options };
        });
      },
      async call(uri, args, options) {
        try {
          const r = await w.call(uri, { argsList: args }, options);
          return { args: r.argsList || [], details: r.details };
        } catch (e) {
          throw normError(e);
        }
      },
      async subscribe(topic, fn) {
        await w.subscribe(topic, ({ argsList, details }) => fn({ args: argsList || [], details }));
      },
      async publish(topic, args, options) {
        try {
          await w.publish(topic, { argsList: args }, options);
        } catch (e) {
          throw normError(e);
        }
      },
    },
    leave() { return w.disconnect(); },
    drop() { w._ws.close(); },
  };
}

main({
  name: 'wampy',
  serializers: ['json', 'msgpack', 'cbor'],
  // wampy 8 copies exclude_me into PUBLISH options only when it is true.
  // wampy 8 reads PUBLISH retain but leaves it out of the message.
  // wampy 8 announces neither subscription_revocation nor registration_revocation (nor
  // handles UNSUBSCRIBED/UNREGISTERED with request 0), so the router removes it without
  // a message; meta_revocation checks only that the removal takes effect.
  caps: { excludeMeFalse: false, retain: false, ppt: true, revocation: false },
  connect,
});
