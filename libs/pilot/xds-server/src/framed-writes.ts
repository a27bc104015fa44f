// Writes SotW responses without copying their shared part.
//
// grpc-js serializes every message into one new buffer and copies it again
// behind the 5-byte gRPC message prefix. A push sends the same resources to
// thousands of streams (600 KB of routes each in a 1000-service mesh), so
// those two copies per stream were most of a push's CPU, and the copies in
// flight most of Pilot's memory. Here an EncodedResponse goes out as three
// writes to the call's HTTP/2 stream, corked into one writev: the prefix,
// the body every stream shares (not copied), and the response's own tail
// (nonce). On the wire this is the same gRPC message.
//
// This replaces sendMessage on the call's innermost grpc-js object (the one
// that owns the HTTP/2 stream), for EncodedResponse messages only, and does
// what grpc-js's own sendMessage does around the write: cancellation check,
// response headers first, size limit, error status, message accounting. It
// is used only when that object has the expected shape (checked per call);
// otherwise messages take grpc-js's path and the serializer turns an
// EncodedResponse into body + tail (one copy).
import { EncodedResponse } from './response-encoder';

const INTERNAL = 13;
const RESOURCE_EXHAUSTED = 8;

interface Writable {
  cork(): void;
  uncork(): void;
  write(chunk: Buffer, cb?: (err?: Error | null) => void): boolean;
}

/** The parts of grpc-js's BaseServerInterceptingCall this relies on. */
interface BaseCall {
  stream: Writable;
  maxSendMessageSize: number;
  callEventTracker?: { addMessageSent(): void } | null;
  checkCancelled(): boolean;
  maybeSendMetadata(): void;
  sendStatus(status: { code: number; details: string; metadata: null }): void;
  sendMessage(message: unknown, callback: () => void): void;
  serializeMessage(value: unknown): Buffer;
}

function isBaseCall(c: unknown): c is BaseCall {
  const o = c as Partial<Record<keyof BaseCall, unknown>> | undefined;
  const stream = o?.stream as Partial<Record<keyof Writable, unknown>> | undefined;
  return (
    !!o &&
    typeof o.checkCancelled === 'function' &&
    typeof o.maybeSendMetadata === 'function' &&
    typeof o.sendStatus === 'function' &&
    typeof o.sendMessage === 'function' &&
    typeof o.serializeMessage === 'function' &&
    typeof o.maxSendMessageSize === 'number' &&
    !!stream &&
    typeof stream.write === 'function' &&
    typeof stream.cork === 'function' &&
    typeof stream.uncork === 'function'
  );
}

/** The grpc-js call object behind a server stream (through any interceptors), if it has the expected shape. */
function baseCallOf(call: object): BaseCall | undefined {
  let c: unknown = (call as { call?: unknown }).call;
  for (let depth = 0; c && depth < 16; depth++) {
    if (isBaseCall(c)) return c;
    c = (c as { nextCall?: unknown }).nextCall;
  }
  return undefined;
}

/** Lets `call` write EncodedResponse messages without copying their body. Returns whether it could. */
export function enableFramedWrites(call: object): boolean {
  const base = baseCallOf(call);
  if (!base) return false;
  const original = base.sendMessage.bind(base);
  base.sendMessage = (message: unknown, callback: () => void) => {
    if (!(message instanceof EncodedResponse)) {
      original(message, callback);
      return;
    }
    if (base.checkCancelled()) return;
    const length = message.length;
    if (base.maxSendMessageSize !== -1 && length > base.maxSendMessageSize) {
      base.sendStatus({ code: RESOURCE_EXHAUSTED, details: `Sent message larger than max (${length} vs. ${base.maxSendMessageSize})`, metadata: null });
      return;
    }
    base.maybeSendMetadata();
    const prefix = Buffer.allocUnsafe(5);
    prefix[0] = 0; // not compressed
    prefix.writeUInt32BE(length, 1);
    const stream = base.stream;
    stream.cork();
    stream.write(prefix);
    stream.write(message.body);
    stream.write(message.tail, (err) => {
      if (err) {
        base.sendStatus({ code: INTERNAL, details: 'Internal server error', metadata: null });
        return;
      }
      base.callEventTracker?.addMessageSent();
      callback();
    });
    stream.uncork();
  };
  return true;
}
