// Small value checks shared by several kinds: ports, protocols, durations,
// regular expressions, percentages, status codes.
import { RE2JS } from 're2js';
import { formatDuration, NANOS_PER_MILLI, parseDuration } from '../duration';
import { isDns1123Label } from './hosts';

export function checkPort(port: number): string | undefined {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? undefined : `port number ${port} must be in the range 1..65535`;
}

export function checkPortName(name: string): string | undefined {
  return isDns1123Label(name) ? undefined : `invalid port name ${JSON.stringify(name)}: must be a DNS-1123 label`;
}

export type Protocol = 'GRPC' | 'GRPC-Web' | 'HTTP' | 'HTTP_PROXY' | 'HTTP2' | 'HTTPS' | 'TCP' | 'TLS' | 'UDP' | 'Mongo' | 'Redis' | 'MySQL';

const PROTOCOLS: Record<string, Protocol> = {
  grpc: 'GRPC',
  'grpc-web': 'GRPC-Web',
  http: 'HTTP',
  http_proxy: 'HTTP_PROXY',
  http2: 'HTTP2',
  https: 'HTTPS',
  tcp: 'TCP',
  tls: 'TLS',
  udp: 'UDP',
  mongo: 'Mongo',
  redis: 'Redis',
  mysql: 'MySQL',
};

/** Istio's protocol names, case-insensitive; undefined when unknown. */
export function parseProtocol(name: string | undefined): Protocol | undefined {
  return name === undefined ? undefined : PROTOCOLS[name.toLowerCase()];
}

export const isHttpProtocol = (p: Protocol | undefined) => p === 'HTTP' || p === 'HTTP2' || p === 'HTTP_PROXY' || p === 'GRPC' || p === 'GRPC-Web';
export const isTlsProtocol = (p: Protocol | undefined) => p === 'HTTPS' || p === 'TLS';
export const isTcpProtocol = (p: Protocol | undefined) =>
  p === 'TCP' || p === 'HTTPS' || p === 'TLS' || p === 'Mongo' || p === 'Redis' || p === 'MySQL';

/** Empty means "detect the protocol"; otherwise it must be a known name. */
export function checkProtocol(name: string | undefined): string | undefined {
  if (name === undefined || name === '' || parseProtocol(name)) return undefined;
  return `unsupported protocol ${JSON.stringify(name)}; supported: HTTP, HTTPS, HTTP2, GRPC, GRPC-Web, HTTP_PROXY, TCP, TLS, UDP, Mongo, Redis, MySQL`;
}

/** Istio's ValidateDuration: at least 1ms, whole milliseconds. */
export function checkDuration(text: string): string | undefined {
  const nanos = parseDuration(text);
  if (nanos === undefined) return `invalid duration ${JSON.stringify(text)} (write e.g. 500ms, 10s, 1m, 1h30m)`;
  if (nanos < NANOS_PER_MILLI) return `duration must be at least 1ms (got ${text})`;
  if (nanos % NANOS_PER_MILLI !== 0n) return `only durations to ms precision are supported (got ${formatDuration(nanos)})`;
  return undefined;
}

/** Envoy limits regex program size; Istio approximates it by length. */
export const MAX_REGEX_LENGTH = 1024;

/**
 * A regular expression Envoy accepts: RE2 syntax (no lookaround, no
 * backreferences, no possessive quantifiers...), at most MAX_REGEX_LENGTH long.
 */
export function checkRegex(pattern: string): string | undefined {
  if (pattern.length > MAX_REGEX_LENGTH) return `regex is too large (${pattern.length} characters), max length allowed is ${MAX_REGEX_LENGTH}`;
  const cached = regexVerdicts.get(pattern);
  if (cached !== undefined) return cached || undefined;
  let verdict = '';
  try {
    RE2JS.compile(pattern);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    verdict = `${detail}; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)`;
  }
  // Compiling costs ~0.2 ms and the same patterns recur across resources: remember recent verdicts.
  if (regexVerdicts.size >= REGEX_CACHE_SIZE) regexVerdicts.delete(regexVerdicts.keys().next().value!);
  regexVerdicts.set(pattern, verdict);
  return verdict || undefined;
}

const REGEX_CACHE_SIZE = 2048;
/** pattern -> '' (valid) or the reason it is not; oldest entries leave first. */
const regexVerdicts = new Map<string, string>();

/** Istio's Percent: 0, or 0.0001-100. */
export function checkPercentage(value: number): string | undefined {
  if (value < 0 || value > 100 || (value > 0 && value < 0.0001)) return `percentage ${value} is neither 0.0, nor in range [0.0001, 100.0]`;
  return undefined;
}

export function checkPercent(value: number): string | undefined {
  return value < 0 || value > 100 ? `percentage ${value} is not in range 0..100` : undefined;
}

export function checkHttpStatus(status: number): string | undefined {
  return status < 200 || status > 600 ? `HTTP status ${status} is not in range 200-599` : undefined;
}

const GRPC_STATUS = new Set([
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
]);

export function checkGrpcStatus(status: string): string | undefined {
  if (GRPC_STATUS.has(status)) return undefined;
  return `gRPC status ${JSON.stringify(status)} is not supported; use a name such as NOT_FOUND or UNAVAILABLE`;
}

/** Go's strconv.ParseBool. */
export function isGoBool(text: string): boolean {
  return ['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text);
}

/** Absolute path to a unix socket file (`/a/b`), or an abstract socket (`@name`). */
export function checkUnixAddress(path: string): string | undefined {
  if (path === '') return 'unix address must not be empty';
  if (path.startsWith('@')) return undefined;
  if (!path.startsWith('/') || path.endsWith('/')) return `${JSON.stringify(path)} is not an absolute path to a file`;
  return undefined;
}

/** Istio's isPrime for maglev table sizes (mirrors Envoy's check). */
export function isPrime(n: number): boolean {
  if (n !== 0 && n < 4) return true;
  if (n % 2 === 0) return false;
  for (let f = 3; f * f <= n; f += 2) if (n % f === 0) return false;
  return true;
}
