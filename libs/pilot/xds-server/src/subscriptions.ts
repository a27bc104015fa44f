// Subscription sets shared between streams.
//
// Envoy subscribes to EDS by name, one name per EDS cluster, and repeats the
// whole list in every ACK: in a 1000-service mesh each of 2000 streams holds
// 1000 names, decoded afresh from each request. Streams of proxies that see
// the same clusters subscribe to the same names, so the set is kept once
// (same strings, same Set object) for all of them, and the selection of
// resources a set makes from a snapshot map is computed once per (set, map)
// and shared too (which lets the response body be shared as well).
import type { TypeResources, VersionedResource } from './snapshot';

const sets = new Map<string, WeakRef<ReadonlySet<string>>>();
const collected = new FinalizationRegistry<string>((key) => {
  if (sets.get(key)?.deref() === undefined) sets.delete(key);
});

/** True when `names` (ignoring "*") are exactly the members of `set`. */
export function sameNames(set: ReadonlySet<string>, names: readonly string[]): boolean {
  let count = 0;
  for (const n of names) {
    if (n === '*') continue;
    if (!set.has(n)) return false;
    count++;
  }
  if (count === set.size) return true;
  // More names than members: duplicates (still the same set) or nothing else.
  return count > set.size && new Set(names.filter((n) => n !== '*')).size === set.size;
}

/**
 * The shared set of these names ("*" left out); the same object for every
 * stream asking for the same names in the same order (Envoys of one mesh
 * list them alike; another order gets an equal set of its own).
 */
export function sharedNameSet(names: readonly string[]): ReadonlySet<string> {
  const members = names.includes('*') ? names.filter((n) => n !== '*') : names;
  const key = members.join('\n');
  const existing = sets.get(key)?.deref();
  if (existing) return existing;
  const set: ReadonlySet<string> = new Set(members);
  sets.set(key, new WeakRef(set));
  collected.register(set, key);
  return set;
}

/** Selections per (set, source), both held weakly: a selection lives exactly as long as its source map. */
const selections = new WeakMap<ReadonlySet<string>, WeakMap<TypeResources, TypeResources>>();

/**
 * What a subscription selects from `source`: every resource when wildcard,
 * plus the named ones that exist. Returns `source` itself when that is all
 * of it. Cached per (set, source) while both live.
 */
export function selectResources(explicit: ReadonlySet<string>, wildcard: boolean, source: TypeResources): TypeResources {
  // Wildcard: everything there is (names cannot add what the source lacks).
  if (wildcard) return source;
  let memo = selections.get(explicit);
  const hit = memo?.get(source);
  if (hit) return hit;
  let out: TypeResources;
  if (explicit.size >= source.size && source.size > 0 && everyKeyIn(source, explicit)) {
    out = source;
  } else {
    const picked = new Map<string, VersionedResource>();
    for (const name of explicit) {
      const e = source.get(name);
      if (e) picked.set(name, e);
    }
    out = picked;
  }
  if (!memo) {
    memo = new WeakMap();
    selections.set(explicit, memo);
  }
  memo.set(source, out);
  return out;
}

function everyKeyIn(source: TypeResources, names: ReadonlySet<string>): boolean {
  for (const name of source.keys()) if (!names.has(name)) return false;
  return true;
}

