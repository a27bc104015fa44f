// What changed, as Pilot tells the server: a full push (config changed: the
// named types, or all) or an endpoint-only push (EDS). Bursts merge: full
// wins over endpoint-only, type and name sets union, the earliest start stays
// (convergence time is measured from it).
import { TYPE_URL } from '@sextant/proto';

export interface PushRequest {
  /** false: endpoints only (EDS); true: configuration changed. */
  readonly full: boolean;
  /** Changed types; undefined means all of them. */
  readonly types?: ReadonlySet<string>;
  /** Changed resource names per type (a hint for the generator); a type without an entry means all names. */
  readonly names?: ReadonlyMap<string, ReadonlySet<string>>;
  /** Only these proxy ids; undefined means every connected proxy. */
  readonly proxies?: ReadonlySet<string>;
  /** Why, for logs and debug (bounded). */
  readonly reason: readonly string[];
  /** When the first change merged into this request happened (ms, the clock's now()). */
  readonly start: number;
}

const MAX_REASONS = 32;

export function fullPush(reason: string, options: { types?: Iterable<string>; proxies?: Iterable<string>; start?: number } = {}): PushRequest {
  return {
    full: true,
    ...(options.types ? { types: new Set(options.types) } : {}),
    ...(options.proxies ? { proxies: new Set(options.proxies) } : {}),
    reason: [reason],
    start: options.start ?? Date.now(),
  };
}

/** An endpoint-only push; `clusters` names the ClusterLoadAssignments that changed (all when omitted). */
export function endpointPush(reason: string, options: { clusters?: Iterable<string>; start?: number } = {}): PushRequest {
  return {
    full: false,
    types: new Set([TYPE_URL.endpoint]),
    ...(options.clusters ? { names: new Map([[TYPE_URL.endpoint, new Set(options.clusters)]]) } : {}),
    reason: [reason],
    start: options.start ?? Date.now(),
  };
}

function unionSets<T>(a: ReadonlySet<T> | undefined, b: ReadonlySet<T> | undefined): ReadonlySet<T> | undefined {
  if (!a || !b) return undefined;
  if (a === b) return a;
  return new Set([...a, ...b]);
}

function mergeNames(a: PushRequest, b: PushRequest, types: ReadonlySet<string> | undefined): ReadonlyMap<string, ReadonlySet<string>> | undefined {
  if (!types) return undefined;
  const out = new Map<string, ReadonlySet<string>>();
  for (const t of types) {
    const inA = a.types?.has(t) ?? false;
    const inB = b.types?.has(t) ?? false;
    const namesA = a.names?.get(t);
    const namesB = b.names?.get(t);
    // A side that changed type t without naming names changed all of them.
    if ((inA && !namesA) || (inB && !namesB)) continue;
    const merged = unionSets<string>(namesA ?? new Set<string>(), namesB ?? new Set<string>());
    if (merged) out.set(t, merged);
  }
  return out.size > 0 ? out : undefined;
}

/** Merges two requests (either may be undefined). */
export function mergePushRequests(a: PushRequest | undefined, b: PushRequest): PushRequest {
  if (!a) return b;
  const types = unionSets(a.types, b.types);
  const names = mergeNames(a, b, types);
  const proxies = unionSets(a.proxies, b.proxies);
  const reason = [...new Set([...a.reason, ...b.reason])].slice(0, MAX_REASONS);
  return {
    full: a.full || b.full,
    ...(types ? { types } : {}),
    ...(names ? { names } : {}),
    ...(proxies ? { proxies } : {}),
    reason,
    start: Math.min(a.start, b.start),
  };
}
