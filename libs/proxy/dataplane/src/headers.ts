// Header lists on the data path are flat arrays [name, value, name, value]
// with lower-case names (Envoy's normal form), as llhttp hands them over.
// Helpers here avoid objects per request.
import { STATUS_CODES } from 'node:http';

/** Hop-by-hop headers never forwarded (RFC 9110 §7.6.1, plus proxy-connection). */
export const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authenticate', 'proxy-authorization', 'http2-settings']);

export function getHeader(h: readonly string[], name: string): string | undefined {
  for (let i = 0; i < h.length; i += 2) if (h[i] === name) return h[i + 1];
  return undefined;
}

export function getHeaderAll(h: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < h.length; i += 2) if (h[i] === name) out.push(h[i + 1]!);
  return out;
}

export function removeHeader(h: string[], name: string): void {
  let w = 0;
  for (let r = 0; r < h.length; r += 2) {
    if (h[r] === name) continue;
    if (w !== r) {
      h[w] = h[r]!;
      h[w + 1] = h[r + 1]!;
    }
    w += 2;
  }
  h.length = w;
}

export function setHeader(h: string[], name: string, value: string): void {
  for (let i = 0; i < h.length; i += 2) {
    if (h[i] === name) {
      h[i + 1] = value;
      removeFrom(h, name, i + 2);
      return;
    }
  }
  h.push(name, value);
}

function removeFrom(h: string[], name: string, from: number): void {
  let w = from;
  for (let r = from; r < h.length; r += 2) {
    if (h[r] === name) continue;
    if (w !== r) {
      h[w] = h[r]!;
      h[w + 1] = h[r + 1]!;
    }
    w += 2;
  }
  h.length = w;
}

/** Lower-cases names in place (llhttp keeps the sender's case). */
export function lowerNames(h: string[]): string[] {
  for (let i = 0; i < h.length; i += 2) {
    const n = h[i]!;
    // Most names are already lower-case; toLowerCase returns the same string then.
    h[i] = n.toLowerCase();
  }
  return h;
}

/** Whether a comma-separated token list header holds a token (case-insensitive). */
export function hasToken(value: string | undefined, token: string): boolean {
  if (!value) return false;
  const v = value.toLowerCase();
  if (v === token) return true;
  for (const part of v.split(',')) if (part.trim() === token) return true;
  return false;
}

export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Unknown';
}

const statusLines = new Map<number, string>();
/** "HTTP/1.1 200 OK\r\n", cached per status. */
export function statusLine(status: number): string {
  let s = statusLines.get(status);
  if (s === undefined) {
    s = `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\n`;
    statusLines.set(status, s);
  }
  return s;
}

/** Node's http2 header object -> flat list with lower-case names (pseudo-headers kept). */
export function fromHeaderObject(obj: Record<string, string | string[] | undefined>): string[] {
  const out: string[] = [];
  for (const key in obj) {
    const v = obj[key];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) out.push(key, x);
    else out.push(key, String(v));
  }
  return out;
}

/** Flat list -> header object for node:http2 (repeated names joined the way http2 wants: arrays; cookies with "; "). */
export function toHeaderObject(h: readonly string[], into: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  for (let i = 0; i < h.length; i += 2) {
    const n = h[i]!;
    const v = h[i + 1]!;
    const prev = into[n];
    if (prev === undefined) into[n] = v;
    else if (n === 'cookie') into[n] = `${prev as string}; ${v}`;
    else if (Array.isArray(prev)) prev.push(v);
    else into[n] = [prev, v];
  }
  return into;
}
