// Shared pieces of the resource decoders: the result union with field paths,
// protobuf well-known-type readers (Duration, wrappers, percentages) and
// nested Any unpacking. Decoders never throw for bad input.
import { ENVOY_PROTOS_FOR_SECURITY } from '@sextant/policy';
import { createRequire } from 'node:module';
import { decodeMessage, loadMoreEnvoyProtos } from '@sextant/proto';
import type { RE2JS } from 're2js';

// re2js is required on the first regex to check (most configurations carry
// none; the import costs a proxy about 1 MB of RSS). CommonJS build: sync.
const require = createRequire(import.meta.url);
let re2js: typeof RE2JS | undefined;

export type Decoded<T> = { valid: true; value: T; warnings: string[] } | { valid: false; errors: string[]; warnings: string[] };

/** Collects errors (the resource is rejected) and warnings (accepted, something ignored) with field paths. */
export class Issues {
  readonly errors: string[] = [];
  readonly warnings: string[] = [];

  error(path: string, message: string): void {
    this.errors.push(`${path}: ${message}`);
  }

  warn(path: string, message: string): void {
    this.warnings.push(`${path}: ${message}`);
  }

  result<T>(value: T): Decoded<T> {
    return this.errors.length === 0 ? { valid: true, value, warnings: this.warnings } : { valid: false, errors: this.errors, warnings: this.warnings };
  }
}

/** Envoy's extension protos the decoders unpack beyond the resource types themselves. */
const EXTRA_PROTOS = [
  'envoy/extensions/filters/http/fault/v3/fault.proto',
  'envoy/extensions/filters/http/cors/v3/cors.proto',
  'envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/extensions/access_loggers/file/v3/file.proto',
  'envoy/extensions/transport_sockets/raw_buffer/v3/raw_buffer.proto',
  'udpa/type/v1/typed_struct.proto',
  'xds/type/v3/typed_struct.proto',
];
let extraLoaded = false;
export function ensureExtensionProtos(): void {
  if (extraLoaded) return;
  loadMoreEnvoyProtos([...EXTRA_PROTOS, ...ENVOY_PROTOS_FOR_SECURITY]);
  extraLoaded = true;
}

type Long = string | number | { toString(): string };
export interface DurationLike {
  seconds: Long;
  nanos: number;
}

/** Duration in milliseconds; `dflt` when unset. */
export function durationMs(d: DurationLike | null | undefined, dflt: number): number {
  if (!d) return dflt;
  return Number(d.seconds) * 1000 + Math.round((d.nanos ?? 0) / 1e6);
}

export function u32(w: { value: number } | null | undefined, dflt: number): number {
  return w ? Number(w.value) : dflt;
}

export function u64(w: { value: Long } | null | undefined, dflt: number): number {
  return w ? Number(w.value.toString()) : dflt;
}

export function bool(w: { value: boolean } | null | undefined, dflt: boolean): boolean {
  return w ? Boolean(w.value) : dflt;
}

/** envoy.type.v3.Percent (0..100) as given, `dflt` when unset. */
export function percent(p: { value: number | string } | null | undefined, dflt: number): number {
  return p ? Number(p.value) : dflt;
}

const DENOMINATORS: Record<string, number> = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 };

/** FractionalPercent as a fraction 0..1; `dflt` when unset. */
export function fractionalPercent(fp: { numerator: number; denominator: string | number } | null | undefined, dflt: number): number {
  if (!fp) return dflt;
  const denominator = typeof fp.denominator === 'number' ? [100, 10_000, 1_000_000][fp.denominator] ?? 100 : DENOMINATORS[fp.denominator] ?? 100;
  return Math.min(1, Math.max(0, Number(fp.numerator) / denominator));
}

/** A nested google.protobuf.Any as decoding gives it. */
export interface AnyLike {
  type_url?: string;
  typeUrl?: string;
  value?: Uint8Array;
  '@type'?: string;
}

export function anyTypeUrl(any: AnyLike | null | undefined): string {
  if (!any) return '';
  return any.type_url ?? any.typeUrl ?? any['@type'] ?? '';
}

/** Decodes a nested Any into the plain message; records an error and returns undefined on failure. */
export function unpack<T>(any: AnyLike | null | undefined, path: string, issues: Issues): T | undefined {
  const typeUrl = anyTypeUrl(any);
  if (!any || !typeUrl) {
    issues.error(path, 'missing typed config');
    return undefined;
  }
  ensureExtensionProtos();
  try {
    if (any.value instanceof Uint8Array) return decodeMessage<T>(typeUrl, any.value);
    issues.error(path, `typed config ${typeUrl} is not packed bytes`);
  } catch (err) {
    issues.error(path, `cannot decode ${typeUrl}: ${(err as Error).message}`);
  }
  return undefined;
}

/** The short message name of a type URL ("type.googleapis.com/a.b.C" -> "a.b.C"). */
export function typeName(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
}

/** Checks a regular expression with RE2's syntax (what Envoy's google_re2 engine accepts). */
export function checkRegex(regex: string, path: string, issues: Issues): boolean {
  try {
    (re2js ??= (require('re2js') as typeof import('re2js')).RE2JS).compile(regex);
    return true;
  } catch (err) {
    issues.error(path, `invalid RE2 regex ${JSON.stringify(regex)}: ${(err as Error).message}`);
    return false;
  }
}

export function socketAddress(
  address: { socketAddress?: { address: string; portValue?: number; namedPort?: string } | null; pipe?: unknown; address?: string } | null | undefined,
  path: string,
  issues: Issues,
): { host: string; port: number } | undefined {
  const sa = address?.socketAddress;
  if (!sa) {
    issues.error(path, address ? 'only socket_address is supported (pipes and internal addresses are not)' : 'missing address');
    return undefined;
  }
  if (sa.namedPort) {
    issues.error(`${path}.socketAddress.namedPort`, 'named ports are not supported');
    return undefined;
  }
  const port = Number(sa.portValue ?? 0);
  if (!sa.address) issues.error(`${path}.socketAddress.address`, 'empty address');
  if (!Number.isInteger(port) || port < 0 || port > 65535) issues.error(`${path}.socketAddress.portValue`, `port ${port} out of range`);
  return { host: sa.address, port };
}
