// Node's own llhttp binding (the parser behind node:http), used directly so
// the HTTP/1.1 path parses bytes straight off the socket: with consume(),
// libuv reads feed the C++ parser without a JS 'data' event per read, and
// only header, body and completion callbacks reach JavaScript.
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

const require = createRequire(import.meta.url);

/** The slice of node's HTTPParser this proxy uses. */
export interface HttpParser {
  initialize(type: number, resource: object, maxHeaderSize?: number, lenient?: number): void;
  execute(data: Buffer): number | ParserError;
  finish(): number | ParserError | undefined;
  consume(handle: unknown): void;
  unconsume(): void;
  getCurrentBuffer(): Buffer;
  pause(): void;
  resume(): void;
  close(): void;
  remove(): void;
  free(): void;
  [index: number]: unknown;
}

export interface ParserError extends Error {
  code: string;
  reason?: string;
  bytesParsed?: number;
}

interface HttpParserCtor {
  new (): HttpParser;
  REQUEST: number;
  RESPONSE: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kOnExecute: number;
  kLenientNone: number;
}

const common = require('_http_common') as { HTTPParser: HttpParserCtor; methods: string[] };

export const HTTPParser = common.HTTPParser;
/** Method names by llhttp's method index. */
export const METHODS: readonly string[] = common.methods;
export const K_ON_HEADERS = HTTPParser.kOnHeaders | 0;
export const K_ON_HEADERS_COMPLETE = HTTPParser.kOnHeadersComplete | 0;
export const K_ON_BODY = HTTPParser.kOnBody | 0;
export const K_ON_MESSAGE_COMPLETE = HTTPParser.kOnMessageComplete | 0;
export const K_ON_EXECUTE = HTTPParser.kOnExecute | 0;

/** onHeadersComplete's return: 0 parse the body, 1 no body (HEAD response), 2 upgrade (no body, stop). */
export const PARSE_BODY = 0;
export const SKIP_BODY = 1;
export const UPGRADE = 2;

export const MAX_HEADER_SIZE = 64 * 1024;

export function newParser(type: 'request' | 'response'): HttpParser {
  const p = new HTTPParser();
  p.initialize(type === 'request' ? HTTPParser.REQUEST : HTTPParser.RESPONSE, {}, MAX_HEADER_SIZE, HTTPParser.kLenientNone);
  return p;
}

/** Re-arms a parser for a new connection or a new message stream. */
export function resetParser(p: HttpParser, type: 'request' | 'response'): void {
  p.initialize(type === 'request' ? HTTPParser.REQUEST : HTTPParser.RESPONSE, {}, MAX_HEADER_SIZE, HTTPParser.kLenientNone);
}

/**
 * Lets the parser read the socket's handle directly. Returns false when the
 * socket cannot be consumed (no stream handle, e.g. a wrapped socket): the
 * caller then feeds 'data' chunks to execute().
 */
export function consumeSocket(p: HttpParser, socket: Socket): boolean {
  const handle = (socket as unknown as { _handle?: { isStreamBase?: boolean; _consumed?: boolean } })._handle;
  if (!handle || !handle.isStreamBase || handle._consumed) return false;
  handle._consumed = true;
  p.consume(handle);
  return true;
}

export function unconsumeSocket(p: HttpParser, socket: Socket): void {
  const handle = (socket as unknown as { _handle?: { _consumed?: boolean } })._handle;
  if (handle?._consumed) {
    handle._consumed = false;
    p.unconsume();
  }
}

export function isParserError(x: unknown): x is Error {
  return x instanceof Error;
}

/** Stops reading from a consumed socket (backpressure) and starts again. */
export function readStop(socket: Socket): void {
  const h = (socket as unknown as { _handle?: { readStop?: () => void; reading?: boolean } })._handle;
  if (h?.readStop) {
    h.reading = false;
    h.readStop();
  } else socket.pause();
}

export function readStart(socket: Socket): void {
  const h = (socket as unknown as { _handle?: { readStart?: () => void; reading?: boolean } })._handle;
  if (h?.readStart) {
    h.reading = true;
    h.readStart();
  } else socket.resume();
}
