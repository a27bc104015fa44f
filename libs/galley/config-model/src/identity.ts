// Resource identity: keys, references, and Istio's host name resolution.
import { findKind } from './kinds';
import type { Resource, ResourceRef } from './resource';

/** Kubernetes' default cluster domain, as Istio assumes for short names. */
export const DEFAULT_DOMAIN_SUFFIX = 'cluster.local';

/**
 * A readable, reversible key: `Kind/namespace/name`, or `Kind/name` for
 * cluster-scoped kinds. Names and namespaces cannot contain `/`, so the key
 * parses back unambiguously. (Storage encodes it further for NATS KV.)
 */
export function resourceKey(kind: string, namespace: string | undefined, name: string): string {
  const namespaced = findKind(kind)?.namespaced ?? true;
  return namespaced ? `${kind}/${namespace ?? ''}/${name}` : `${kind}/${name}`;
}

export function parseResourceKey(key: string): ResourceRef | undefined {
  const parts = key.split('/');
  if (parts.length === 3 && parts.every((p, i) => p !== '' || i === 1)) {
    return { kind: parts[0]!, namespace: parts[1]!, name: parts[2]! };
  }
  if (parts.length === 2 && parts[0] && parts[1]) return { kind: parts[0], namespace: '', name: parts[1] };
  return undefined;
}

export function refOf(resource: Pick<Resource, 'kind' | 'metadata'>): ResourceRef {
  return { kind: resource.kind, namespace: resource.metadata.namespace ?? '', name: resource.metadata.name };
}

export function keyOf(resource: Pick<Resource, 'kind' | 'metadata'>): string {
  return resourceKey(resource.kind, resource.metadata.namespace, resource.metadata.name);
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function looksLikeIp(host: string): boolean {
  return IPV4.test(host) || host.includes(':');
}

/**
 * Resolves a host as Istio does for VirtualService, DestinationRule and
 * Sidecar hosts: a short name (no dot) is relative to the resource's
 * namespace, so `reviews` in `default` becomes
 * `reviews.default.svc.cluster.local`. Names with a dot, `*`, `*.suffix` and
 * IP addresses are returned unchanged.
 */
export function resolveHost(host: string, namespace: string, domainSuffix: string = DEFAULT_DOMAIN_SUFFIX): string {
  if (host === '*' || host.includes('.') || looksLikeIp(host)) return host;
  let out = host;
  if (namespace) out += `.${namespace}`;
  if (domainSuffix) out += `.svc.${domainSuffix}`;
  return out;
}

/** true when `host` is a short name that resolveHost would expand. */
export function isShortHost(host: string): boolean {
  return host !== '' && host !== '*' && !host.includes('.') && !looksLikeIp(host);
}

/** Istio host matching: does `a` match `b` (either may be a `*.` wildcard)? */
export function hostsOverlap(a: string, b: string): boolean {
  const aw = a.startsWith('*');
  const bw = b.startsWith('*');
  if (aw && bw) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
  if (aw) return b.endsWith(a.slice(1));
  if (bw) return a.endsWith(b.slice(1));
  return a === b;
}

/** Is every name `host` matches also matched by `of`? (`a.b.com` within `*.b.com`). */
export function hostIsSubsetOf(host: string, of: string): boolean {
  const hw = host.startsWith('*');
  const ow = of.startsWith('*');
  if (hw) return ow && host.length >= of.length && host.slice(1).endsWith(of.slice(1));
  if (ow) return host.endsWith(of.slice(1));
  return host === of;
}
