// Retry decisions with Envoy's retry_on semantics, and the default policy
// used when a route has none: retry only what never reached the upstream
// application (connect failures, refused streams) for any method, and
// resets before a response for idempotent methods; never a 5xx answer. A
// POST whose handler ran and answered 503 therefore runs exactly once.
import type { RetryPolicyConfig } from '@sextant/xds-client';
import { compileHeaderMatchers, type HeaderPredicate, type MatchInput } from './matchers';
import { FAILURE, type Failure } from './upstream';

export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

export const DEFAULT_RETRY_POLICY: RetryPolicyConfig = {
  retryOn: ['connect-failure', 'refused-stream', 'reset-idempotent'],
  numRetries: 2,
  perTryTimeoutMs: 0,
  perTryIdleTimeoutMs: 0,
  retriableStatusCodes: [],
  backoff: { baseMs: 25, maxMs: 250 },
  retriableHeaders: [],
  retriableRequestHeaders: [],
  hostPredicates: ['envoy.retry_host_predicates.previous_hosts'],
  hostSelectionMaxAttempts: 3,
};

const GRPC_RETRY: Record<string, number> = { cancelled: 1, 'deadline-exceeded': 4, 'resource-exhausted': 8, internal: 13, unavailable: 14 };

/** A retry policy compiled into bit tests. */
export class CompiledRetryPolicy {
  readonly numRetries: number;
  readonly perTryTimeoutMs: number;
  readonly baseMs: number;
  readonly maxMs: number;
  readonly avoidPreviousHosts: boolean;
  readonly isDefault: boolean;
  private readonly on: Set<string>;
  private readonly codes: Set<number>;
  private readonly grpcCodes: Set<number>;
  private readonly retriableHeaders: HeaderPredicate[];
  private readonly requestHeaders: HeaderPredicate | undefined;

  constructor(readonly config: RetryPolicyConfig, isDefault = false) {
    this.isDefault = isDefault;
    this.on = new Set(config.retryOn);
    this.codes = new Set(config.retriableStatusCodes);
    this.grpcCodes = new Set(config.retryOn.filter((r) => r in GRPC_RETRY).map((r) => GRPC_RETRY[r]!));
    this.numRetries = config.numRetries;
    this.perTryTimeoutMs = config.perTryTimeoutMs;
    this.baseMs = config.backoff.baseMs;
    this.maxMs = config.backoff.maxMs;
    this.avoidPreviousHosts = config.hostPredicates.some((p) => p.endsWith('previous_hosts'));
    this.retriableHeaders = config.retriableHeaders.map((h) => compileHeaderMatchers([h])!);
    this.requestHeaders = compileHeaderMatchers(config.retriableRequestHeaders);
  }

  /** Whether this request may be retried at all (retriable_request_headers). */
  requestAllowed(input: MatchInput): boolean {
    return this.requestHeaders === undefined || this.requestHeaders(input);
  }

  /** Retry after a failure with no usable response? */
  onFailure(kind: Failure, method: string): boolean {
    const on = this.on;
    switch (kind) {
      case FAILURE.CONNECT:
      case FAILURE.CONNECT_TIMEOUT:
        return on.has('connect-failure') || on.has('5xx') || on.has('gateway-error') || on.has('reset') || on.has('reset-before-request');
      case FAILURE.REFUSED_STREAM:
        return on.has('refused-stream') || on.has('5xx') || on.has('reset') || on.has('gateway-error');
      case FAILURE.RESET:
      case FAILURE.PROTOCOL:
        if (on.has('reset-idempotent')) return IDEMPOTENT_METHODS.has(method);
        return on.has('reset') || on.has('5xx') || on.has('gateway-error');
      default:
        return false;
    }
  }

  /** Retry after a per-try timeout? (Envoy counts it as a 504.) */
  onPerTryTimeout(): boolean {
    return this.on.has('5xx') || this.on.has('gateway-error') || this.on.has('reset');
  }

  /** Retry after this response head? */
  onResponse(status: number, headers: readonly string[], grpcStatus: number): boolean {
    const on = this.on;
    if (status >= 500 && on.has('5xx')) return true;
    if ((status === 502 || status === 503 || status === 504) && on.has('gateway-error')) return true;
    if (status === 409 && on.has('retriable-4xx')) return true;
    if (this.codes.has(status) && on.has('retriable-status-codes')) return true;
    if (grpcStatus >= 0 && this.grpcCodes.has(grpcStatus)) return true;
    if (on.has('envoy-ratelimited')) {
      for (let i = 0; i < headers.length; i += 2) if (headers[i] === 'x-envoy-ratelimited') return true;
    }
    if (this.retriableHeaders.length > 0 && on.has('retriable-headers')) {
      const input: MatchInput = { headers, method: '', path: '', authority: '', scheme: '' };
      for (const p of this.retriableHeaders) if (p(input)) return true;
    }
    return false;
  }

  /** Envoy's jittered exponential back-off: random in [0, min(max, base x (2^n - 1))]. */
  backoffMs(retryNumber: number): number {
    const ceiling = Math.min(this.maxMs, this.baseMs * (2 ** Math.min(retryNumber, 20) - 1));
    return Math.floor(Math.random() * ceiling);
  }
}

const compiled = new WeakMap<RetryPolicyConfig, CompiledRetryPolicy>();
export const COMPILED_DEFAULT = new CompiledRetryPolicy(DEFAULT_RETRY_POLICY, true);

export function compileRetryPolicy(p: RetryPolicyConfig | undefined, fallback: CompiledRetryPolicy = COMPILED_DEFAULT): CompiledRetryPolicy {
  if (!p) return fallback;
  let c = compiled.get(p);
  if (!c) {
    c = new CompiledRetryPolicy(p);
    compiled.set(p, c);
  }
  return c;
}

/** grpc-status from a trailers-only response head; -1 when absent. */
export function grpcStatusOf(headers: readonly string[]): number {
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === 'grpc-status') return Number(headers[i + 1]);
  return -1;
}
