// Listener-filter style inspection of a connection's first bytes, with a
// bounded wait: TLS ClientHello (SNI and ALPN, like tls_inspector), the
// HTTP/2 prior-knowledge preface (h2c) and an HTTP/1.x request line (like
// http_inspector). Bytes read here are handed on, never lost.
import type { Socket } from 'node:net';

export interface Sniffed {
  transport: 'tls' | 'raw_buffer';
  /** "h2c", "http/1.1", "http/1.0", or ALPN values from a ClientHello. */
  appProtocols: string[];
  serverName: string;
  /** Everything read so far. */
  initial: Buffer;
  timedOut: boolean;
}

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'PURGE', 'PRI'];
const MAX_SNIFF = 16 * 1024 + 5;

type Verdict = 'more' | Omit<Sniffed, 'initial' | 'timedOut'>;

export function classify(buf: Buffer): Verdict {
  if (buf.length === 0) return 'more';
  if (buf[0] === 0x16) {
    if (buf.length < 5) return 'more';
    const recLen = buf.readUInt16BE(3);
    if (buf.length < 5 + recLen && buf.length < MAX_SNIFF) return 'more';
    const hello = parseClientHello(buf.subarray(5, 5 + recLen));
    return { transport: 'tls', appProtocols: hello.alpn, serverName: hello.sni };
  }
  const n = Math.min(buf.length, H2_PREFACE.length);
  if (buf.subarray(0, n).equals(H2_PREFACE.subarray(0, n))) {
    return n === H2_PREFACE.length ? { transport: 'raw_buffer', appProtocols: ['h2c'], serverName: '' } : 'more';
  }
  // HTTP/1.x: a method token and a space; the version from the request line when complete.
  const space = buf.indexOf(0x20);
  if (space < 0) {
    const head = buf.toString('latin1');
    return buf.length < 10 && METHODS.some((m) => m.startsWith(head)) ? 'more' : { transport: 'raw_buffer', appProtocols: [], serverName: '' };
  }
  const method = buf.toString('latin1', 0, space);
  if (!METHODS.includes(method)) return { transport: 'raw_buffer', appProtocols: [], serverName: '' };
  const eol = buf.indexOf(0x0a);
  if (eol < 0) return buf.length < 8192 ? 'more' : { transport: 'raw_buffer', appProtocols: [], serverName: '' };
  const line = buf.toString('latin1', 0, eol).trimEnd();
  const version = line.endsWith('HTTP/1.0') ? 'http/1.0' : line.endsWith('HTTP/1.1') ? 'http/1.1' : '';
  return { transport: 'raw_buffer', appProtocols: version ? [version] : [], serverName: '' };
}

/** SNI and ALPN from a TLS handshake record body; empty when absent or malformed. */
export function parseClientHello(b: Buffer): { sni: string; alpn: string[] } {
  const out = { sni: '', alpn: [] as string[] };
  try {
    if (b[0] !== 0x01) return out;
    let p = 4 + 2 + 32; // handshake header, version, random
    p += 1 + b[p]!; // session id
    p += 2 + b.readUInt16BE(p); // cipher suites
    p += 1 + b[p]!; // compression methods
    if (p + 2 > b.length) return out;
    const end = p + 2 + b.readUInt16BE(p);
    p += 2;
    while (p + 4 <= end && p + 4 <= b.length) {
      const type = b.readUInt16BE(p);
      const len = b.readUInt16BE(p + 2);
      const body = b.subarray(p + 4, p + 4 + len);
      if (type === 0 && body.length >= 5) {
        const nameLen = body.readUInt16BE(3);
        out.sni = body.toString('latin1', 5, 5 + nameLen).toLowerCase();
      } else if (type === 16 && body.length >= 2) {
        let q = 2;
        while (q < body.length) {
          const l = body[q]!;
          out.alpn.push(body.toString('latin1', q + 1, q + 1 + l));
          q += 1 + l;
        }
      }
      p += 4 + len;
    }
  } catch {
    // truncated hello: what was found so far
  }
  return out;
}

/** Reads until the protocol is known or the wait ends; then pauses the socket. */
export function sniff(socket: Socket, timeoutMs: number): Promise<Sniffed> {
  return new Promise((resolve) => {
    let buf: Buffer = Buffer.alloc(0);
    let done = false;
    const finish = (v: Omit<Sniffed, 'initial' | 'timedOut'>, timedOut: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.pause();
      resolve({ ...v, initial: buf, timedOut });
    };
    const onData = (d: Buffer) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      const v = classify(buf);
      if (v !== 'more') finish(v, false);
      else if (buf.length >= MAX_SNIFF) finish({ transport: 'raw_buffer', appProtocols: [], serverName: '' }, false);
    };
    const onEnd = () => finish({ transport: 'raw_buffer', appProtocols: [], serverName: '' }, false);
    const timer = setTimeout(() => finish({ transport: 'raw_buffer', appProtocols: [], serverName: '' }, true), timeoutMs);
    socket.on('data', onData);
    socket.once('end', onEnd);
    // A socket handed on paused (a CONNECT tunnel) does not flow by itself when a 'data' listener is added.
    if (socket.isPaused()) socket.resume();
  });
}
