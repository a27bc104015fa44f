// What callers may write for a kind and a resource, resolved the same way
// for gRPC, REST and the CLI: Istio's kind names (`vs`, `virtualservices`,
// `VirtualService`, `virtualservices.networking.istio.io`).
import { DEFAULT_NAMESPACE, ISTIO_KINDS, lookupKind, type KindInfo, type ResourceRef } from '@sextant/config-model';
import { requestInvalid } from './errors';
import { SECRET_KIND } from './secret-documents';

/** Resolves a kind name; `plural.group` (the CRD name) is accepted too. */
export function resolveKind(name: string): KindInfo | undefined {
  const direct = lookupKind(name);
  if (direct) return direct;
  // Core v1 Secrets: gateway credentials (`secret`, `secrets`, `Secret`).
  if ([SECRET_KIND.kind.toLowerCase(), SECRET_KIND.plural].includes(name.toLowerCase())) return SECRET_KIND;
  const dot = name.indexOf('.');
  if (dot > 0) {
    const info = lookupKind(name.slice(0, dot));
    if (info && info.group === name.slice(dot + 1).toLowerCase()) return info;
  }
  return undefined;
}

export function requireKind(name: string): KindInfo {
  const info = resolveKind(name);
  if (!info) {
    const known = [...ISTIO_KINDS.map((k) => k.kind), SECRET_KIND.kind].join(', ');
    throw requestInvalid(`unknown kind ${JSON.stringify(name)}; Sextant stores ${known}`);
  }
  return info;
}

/** A full reference: kind resolved, namespace defaulted, name required. */
export function resolveRef(ref: Partial<ResourceRef> | null | undefined): ResourceRef {
  const info = requireKind(ref?.kind ?? '');
  if (!ref?.name) throw requestInvalid(`a ${info.kind} reference needs a name`);
  return { kind: info.kind, namespace: info.namespaced ? ref.namespace || DEFAULT_NAMESPACE : '', name: ref.name };
}

/** A uint64 revision from the wire ('0' or '' = none). */
export function parseRevision(value: string | number | undefined | null, what = 'resource version'): number | undefined {
  if (value === undefined || value === null || value === '' || value === '0' || value === 0) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw requestInvalid(`${what} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}
