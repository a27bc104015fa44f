// Value checks for AuthorizationPolicy fields and `when` conditions.
import { checkIpOrCidr } from '../checks/net';
import type { Findings } from '../findings';
import { itemPath } from '../issue';

const MAX_SERVICE_ACCOUNTS = 16;
const MAX_SERVICE_ACCOUNT_LENGTH = 320;
// RFC 3986 pchar: what a literal path segment may hold next to a {*} or {**} template.
const PATH_LITERAL = /^[a-zA-Z0-9\-._~%!$&'()+,;:@=]+$/;

export function checkIpList(f: Findings, path: string, values: readonly string[] | undefined): void {
  values?.forEach((v, i) => {
    if (v === '') f.error(itemPath(path, i), 'INVALID_VALUE', 'empty value not allowed');
    else f.check(itemPath(path, i), 'INVALID_ADDRESS', checkIpOrCidr(v));
  });
}

export function checkPortList(f: Findings, path: string, values: readonly string[] | undefined): void {
  values?.forEach((v, i) => {
    if (!/^[0-9]+$/.test(v) || Number(v) > 65535) f.error(itemPath(path, i), 'INVALID_PORT', `bad port ${JSON.stringify(v)}: must be a number in 0-65535`);
  });
}

export function checkServiceAccounts(f: Findings, path: string, values: readonly string[] | undefined): void {
  if (!values) return;
  if (values.length > MAX_SERVICE_ACCOUNTS) f.error(path, 'TOO_LONG', `may not have more than ${MAX_SERVICE_ACCOUNTS} values (got ${values.length})`);
  values.forEach((v, i) => {
    const p = itemPath(path, i);
    if (v === '') f.error(p, 'INVALID_VALUE', 'empty value not allowed');
    else if (v.includes('*')) f.error(p, 'INVALID_VALUE', `wildcard not allowed in service accounts (got ${JSON.stringify(v)})`);
    else if (v.length > MAX_SERVICE_ACCOUNT_LENGTH) f.error(p, 'TOO_LONG', `value cannot exceed ${MAX_SERVICE_ACCOUNT_LENGTH} characters`);
    else {
      const parts = v.split('/');
      if (parts.length > 2 || parts.some((x) => x === '')) {
        f.error(p, 'INVALID_VALUE', `expected format 'serviceAccount' or 'namespace/serviceAccount', found ${JSON.stringify(v)}`);
      }
    }
  });
}

/** Values with at most one `*`, at the start or the end. */
function checkWildcards(f: Findings, path: string, values: readonly string[]): boolean {
  let ok = true;
  values.forEach((v, i) => {
    const p = itemPath(path, i);
    const stars = v.split('*').length - 1;
    if (v === '') {
      f.error(p, 'INVALID_VALUE', 'empty value not allowed');
      ok = false;
    } else if (stars > 1) {
      f.error(p, 'INVALID_VALUE', `at most one wildcard is allowed (got ${JSON.stringify(v)})`);
      ok = false;
    } else if (stars === 1 && v !== '*' && !v.startsWith('*') && !v.endsWith('*')) {
      f.error(p, 'INVALID_VALUE', `wildcard is only allowed at the start or end (got ${JSON.stringify(v)})`);
      ok = false;
    }
  });
  return ok;
}

export function checkTrustDomains(f: Findings, path: string, values: readonly string[] | undefined): void {
  if (!values || !checkWildcards(f, path, values)) return;
  values.forEach((v, i) => {
    if (v.includes('/')) f.error(itemPath(path, i), 'INVALID_VALUE', `trust domain must not contain '/' (got ${JSON.stringify(v)})`);
  });
}

/** Paths with `{*}` (one segment) and `{**}` (the rest, last only) templates. */
export function checkPathTemplates(f: Findings, path: string, values: readonly string[] | undefined): void {
  values?.forEach((raw, i) => {
    const p = itemPath(path, i);
    const templated = raw.includes('{*}') || raw.includes('{**}');
    let sawAny = false;
    for (const glob of raw.replace(/^\/+|\/+$/g, '').split('/')) {
      if (glob === '{*}' && !sawAny) continue;
      if (glob === '{**}' && !sawAny) {
        sawAny = true;
        continue;
      }
      if (glob === '{*}' || glob === '{**}') {
        f.error(p, 'INVALID_VALUE', `invalid or unsupported path ${raw}: {**} is not the last operator`);
        return;
      }
      if (/[{}]/.test(glob)) {
        f.error(p, 'INVALID_VALUE', `invalid or unsupported path ${raw}: contains '{' or '}' beyond a supported path template`);
        return;
      }
      if (templated && !PATH_LITERAL.test(glob)) {
        f.error(p, 'INVALID_VALUE', `invalid or unsupported path ${raw}: segment ${JSON.stringify(glob)} is not a valid literal`);
        return;
      }
    }
  });
}

const MAP_KEYS = ['request.headers', 'request.auth.claims', 'experimental.envoy.filters.'];
const PLAIN_KEYS = new Set([
  'source.ip',
  'remote.ip',
  'destination.ip',
  'destination.port',
  'source.serviceAccount',
  'source.trustDomain',
  'source.namespace',
  'source.principal',
  'request.auth.principal',
  'request.auth.audiences',
  'request.auth.presenter',
  'connection.sni',
]);

/** A `when` key must be a known attribute (`request.headers[name]` style for map attributes). */
export function checkAttributeKey(f: Findings, path: string, key: string): void {
  if (MAP_KEYS.some((k) => key.startsWith(k))) {
    const open = key.indexOf('[');
    if (!(key.endsWith(']') && open > 0 && open < key.length - 2)) f.error(path, 'INVALID_VALUE', `bad key (${key}): should have format a[b]`);
  } else if (key === 'destination.namespace') f.error(path, 'INVALID_VALUE', `attribute ${key} is replaced by the metadata.namespace`);
  else if (key === 'destination.name' || key === 'destination.user') f.error(path, 'INVALID_VALUE', `deprecated attribute ${key}: only supported in v1alpha1`);
  else if (key.startsWith('destination.labels')) f.error(path, 'INVALID_VALUE', `attribute ${key} is replaced by the workload selector`);
  else if (!PLAIN_KEYS.has(key)) f.error(path, 'INVALID_VALUE', `unknown attribute: ${key}`);
}

/** The values (or notValues) of a `when` condition, as suits the key. */
export function checkAttributeValues(f: Findings, path: string, key: string, values: readonly string[]): void {
  if (values.some((v) => v === '')) {
    f.error(path, 'INVALID_VALUE', `empty value not allowed, found in ${key}`);
    return;
  }
  switch (key) {
    case 'source.ip':
    case 'remote.ip':
    case 'destination.ip':
      checkIpList(f, path, values);
      return;
    case 'destination.port':
      checkPortList(f, path, values);
      return;
    case 'source.serviceAccount':
      checkServiceAccounts(f, path, values);
      return;
    case 'source.trustDomain':
      checkWildcards(f, path, values);
      return;
  }
}
