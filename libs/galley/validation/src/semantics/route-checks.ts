// Checks shared by VirtualService routes: gateway names and retry policies.
import type { HTTPRetry } from '@sextant/config-model';
import { checkFqdn, isDns1123Label } from '../checks/hosts';
import { checkDuration } from '../checks/values';
import type { Findings } from '../findings';
import { fieldPath as at, itemPath } from '../issue';

/** `namespace/name`, `mesh`, or a legacy `name.namespace` FQDN (accepted with a warning). */
export function checkGatewayNames(f: Findings, path: string, names: readonly string[] | undefined): void {
  names?.forEach((name, i) => {
    const p = itemPath(path, i);
    const slash = name.indexOf('/');
    if (slash < 0) {
      if (name.includes('.')) {
        const [gw, ns] = name.split('.');
        f.warn(p, 'DEPRECATED', `using legacy gatewayName format ${JSON.stringify(name)}; prefer the <namespace>/<name> format: ${JSON.stringify(`${ns}/${gw}`)}`);
      }
      f.check(p, 'INVALID_HOST', checkFqdn(name));
      return;
    }
    const ns = name.slice(0, slash);
    const gw = name.slice(slash + 1);
    if (ns === '' || gw === '') f.error(p, 'INVALID_VALUE', 'config namespace and gateway name cannot be empty');
    else {
      if (!isDns1123Label(ns)) f.error(p, 'INVALID_VALUE', `invalid value for namespace: ${JSON.stringify(ns)}`);
      if (!isDns1123Label(gw)) f.error(p, 'INVALID_VALUE', `invalid value for gateway name: ${JSON.stringify(gw)}`);
    }
  });
}

// Envoy's x-envoy-retry-on and x-envoy-retry-grpc-on policies.
const RETRY_ON = new Set([
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'envoy-ratelimited',
  'http3-post-connect-failure',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
]);

// HTTP status codes with a standard name (what Go's http.StatusText knows).
const HTTP_STATUS_CODES = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402, 403, 404, 405,
  406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504,
  505, 506, 507, 508, 510, 511,
]);

export function checkRetries(f: Findings, path: string, retries: HTTPRetry | undefined): void {
  if (!retries) return;
  const attempts = retries.attempts ?? 0;
  if (attempts < 0) f.error(at(path, 'attempts'), 'OUT_OF_RANGE', `attempts cannot be negative (got ${attempts})`);
  if (attempts === 0 && (retries.perTryTimeout !== undefined || retries.retryOn || (retries.retryRemoteLocalities !== undefined && retries.retryRemoteLocalities !== null))) {
    f.error(path, 'CONFLICT', 'http retry policy configured when attempts are set to 0 (disabled)');
  }
  if (retries.perTryTimeout !== undefined) f.check(at(path, 'perTryTimeout'), 'INVALID_DURATION', checkDuration(retries.perTryTimeout));
  if (retries.backoff !== undefined) f.check(at(path, 'backoff'), 'INVALID_DURATION', checkDuration(retries.backoff));
  if (retries.retryOn) {
    for (const policy of retries.retryOn.split(',')) {
      const asStatus = /^[0-9]+$/.test(policy) ? Number(policy) : NaN;
      if (!RETRY_ON.has(policy) && !HTTP_STATUS_CODES.has(asStatus)) {
        f.error(at(path, 'retryOn'), 'INVALID_VALUE', `${JSON.stringify(policy)} is not a valid retryOn policy`);
      }
    }
  }
}
