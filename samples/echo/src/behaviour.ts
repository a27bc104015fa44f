// What a request asks the echo workload to do, read from x-echo-* control
// headers (HTTP) or metadata (gRPC), and the per-instance request counters
// that fail-first and /_echo/stats share. Protocol-independent: the servers
// translate the outcome into their own status codes.

export const CONTROL_HEADERS = {
  status: 'x-echo-status',
  delayMs: 'x-echo-delay-ms',
  bodyBytes: 'x-echo-body-bytes',
  failFirst: 'x-echo-fail-first',
  id: 'x-echo-id',
  call: 'x-echo-call',
} as const;

export const LIMITS = {
  minStatus: 200,
  maxStatus: 599,
  maxDelayMs: 300_000,
  maxBodyBytes: 64 * 1024 * 1024,
  maxFailFirst: 1_000_000,
  maxIdLength: 256,
} as const;

export interface EchoControls {
  /** Status to answer with (HTTP status; mapped to a gRPC code on gRPC). */
  status?: number;
  delayMs?: number;
  /** Exact size of the response body. */
  bodyBytes?: number;
  /** Fail this many requests carrying `id` (per instance) before succeeding. */
  failFirst?: number;
  /** Request id used for counting (stats) and fail-first. */
  id?: string;
  /** Absolute http:// URL to call through the mesh before answering. */
  call?: string;
}

/** A control header with a value the echo workload cannot act on. */
export class ControlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlError';
  }
}

export type HeaderBag = Record<string, string | string[] | undefined>;

function single(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined ? undefined : s.trim();
}

function integer(headers: HeaderBag, name: string, min: number, max: number): number | undefined {
  const raw = single(headers, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ControlError(`invalid ${name} header ${JSON.stringify(raw)}: want an integer from ${min} to ${max}`);
  }
  return Number(raw);
}

/** Reads the control headers; throws ControlError naming the header and the reason. */
export function parseControls(headers: HeaderBag): EchoControls {
  const c: EchoControls = {};
  const status = integer(headers, CONTROL_HEADERS.status, LIMITS.minStatus, LIMITS.maxStatus);
  if (status !== undefined) c.status = status;
  const delay = integer(headers, CONTROL_HEADERS.delayMs, 0, LIMITS.maxDelayMs);
  if (delay !== undefined) c.delayMs = delay;
  const bodyBytes = integer(headers, CONTROL_HEADERS.bodyBytes, 0, LIMITS.maxBodyBytes);
  if (bodyBytes !== undefined) c.bodyBytes = bodyBytes;
  const id = single(headers, CONTROL_HEADERS.id);
  if (id !== undefined) {
    if (id.length === 0 || id.length > LIMITS.maxIdLength) {
      throw new ControlError(`invalid ${CONTROL_HEADERS.id} header: want 1 to ${LIMITS.maxIdLength} characters`);
    }
    c.id = id;
  }
  const failFirst = integer(headers, CONTROL_HEADERS.failFirst, 0, LIMITS.maxFailFirst);
  if (failFirst !== undefined) {
    if (c.id === undefined) {
      throw new ControlError(`${CONTROL_HEADERS.failFirst} needs an ${CONTROL_HEADERS.id} header to count requests by`);
    }
    c.failFirst = failFirst;
  }
  const call = single(headers, CONTROL_HEADERS.call);
  if (call !== undefined) {
    let url: URL;
    try {
      url = new URL(call);
    } catch {
      throw new ControlError(`invalid ${CONTROL_HEADERS.call} header ${JSON.stringify(call)}: want an absolute http:// URL`);
    }
    if (url.protocol !== 'http:') {
      throw new ControlError(`invalid ${CONTROL_HEADERS.call} header ${JSON.stringify(call)}: only http:// URLs can be called`);
    }
    c.call = url.href;
  }
  return c;
}

export interface CounterSnapshot {
  total: number;
  byMethod: Record<string, number>;
  byProtocol: Record<string, number>;
}

export interface StatsSnapshot extends CounterSnapshot {
  since: string;
  byId: Record<string, CounterSnapshot>;
}

class Counter {
  total = 0;
  readonly byMethod = new Map<string, number>();
  readonly byProtocol = new Map<string, number>();

  add(method: string, protocol: string): number {
    this.total += 1;
    this.byMethod.set(method, (this.byMethod.get(method) ?? 0) + 1);
    this.byProtocol.set(protocol, (this.byProtocol.get(protocol) ?? 0) + 1);
    return this.total;
  }

  snapshot(): CounterSnapshot {
    return { total: this.total, byMethod: Object.fromEntries(this.byMethod), byProtocol: Object.fromEntries(this.byProtocol) };
  }
}

/** Outcome of admitting one request. */
export interface Admission {
  /** How many requests with this id this instance has seen, this one included (0 without an id). */
  attempt: number;
  /** True when fail-first says this request must fail with 503 / UNAVAILABLE. */
  failing: boolean;
}

/** Per-instance request counters, shared by every port of the process. */
export class EchoStats {
  private all = new Counter();
  private ids = new Map<string, Counter>();
  private since = new Date();

  /** Counts a request and decides fail-first. */
  admit(controls: EchoControls, method: string, protocol: string): Admission {
    this.all.add(method, protocol);
    if (controls.id === undefined) return { attempt: 0, failing: false };
    let counter = this.ids.get(controls.id);
    if (!counter) {
      counter = new Counter();
      this.ids.set(controls.id, counter);
    }
    const attempt = counter.add(method, protocol);
    return { attempt, failing: controls.failFirst !== undefined && attempt <= controls.failFirst };
  }

  snapshot(): StatsSnapshot {
    const byId: Record<string, CounterSnapshot> = {};
    for (const [id, c] of this.ids) byId[id] = c.snapshot();
    return { since: this.since.toISOString(), ...this.all.snapshot(), byId };
  }

  reset(): void {
    this.all = new Counter();
    this.ids = new Map();
    this.since = new Date();
  }
}

/**
 * A body of exactly `bytes` bytes: the JSON text padded with trailing spaces
 * (still valid JSON) when it fits, otherwise `bytes` filler characters ('.')
 * sent as text/plain.
 */
export function padBody(json: string, bytes: number): { body: Buffer; contentType: string } {
  const text = Buffer.from(json, 'utf8');
  if (text.length <= bytes) {
    const body = Buffer.alloc(bytes, 0x20);
    text.copy(body);
    return { body, contentType: 'application/json' };
  }
  return { body: Buffer.alloc(bytes, '.'), contentType: 'text/plain; charset=utf-8' };
}

/**
 * HTTP status -> gRPC status code, following gRPC's documented mapping
 * (http-grpc-status-mapping.md); 2xx means OK.
 */
export function grpcCodeForHttpStatus(status: number): number {
  if (status >= 200 && status < 300) return 0; // OK
  switch (status) {
    case 400:
      return 13; // INTERNAL
    case 401:
      return 16; // UNAUTHENTICATED
    case 403:
      return 7; // PERMISSION_DENIED
    case 404:
      return 12; // UNIMPLEMENTED
    case 429:
    case 502:
    case 503:
    case 504:
      return 14; // UNAVAILABLE
    default:
      return 2; // UNKNOWN
  }
}
