// What Delta streams share between them (delta-stream.ts): at 2000
// full-mesh streams, per-stream copies of the same thing were most of
// Pilot's memory and much of its CPU. Each helper is memoized on the
// objects streams share (source maps of a cache key, pooled subscription
// sets), so streams that are alike get the same object back.
//   - deltaBody: a response's encoded body (version, resources, type), per
//     (source, names);
//   - wantedEntries: what a subscription wants of a source, per (source, set);
//   - sharedNames: one set per distinct subscription;
//   - sourceDiff: what changed between two source maps, per pair.
import type { TypeResources, VersionedResource } from './snapshot';
import { packResource } from './snapshot';
import { encodeDeltaBody } from './response-encoder';
import { vhdsNamespace } from './vhds';

/** Responses at least this large share their encoded body between streams sending the same resources of the same source. */
const SHARED_BODY_MIN = 32;

interface SharedBody {
  names: string[];
  body: Buffer;
  resourceBytes: number;
}
const bodies = new WeakMap<TypeResources, Map<string, SharedBody>>();
const bodiesByList = new WeakMap<object, SharedBody>();

/** Two 32-bit FNV-1a hashes over the names (a memo key without building a 100 KB string per stream). */
function namesHash(updates: readonly [string, VersionedResource][]): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ updates.length;
  for (const [name] of updates) {
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
    }
    a = Math.imul(a ^ 0x1f, 0x01000193);
    b = Math.imul(b ^ 0x1f, 0x5bd1e995);
  }
  return `${updates.length}:${(a >>> 0).toString(36)}:${(b >>> 0).toString(36)}`;
}

/**
 * A delta response's body (version, resources, type), shared by streams that
 * send the same names of the same source (a source's versions are fixed, so
 * the names decide the bytes). Throws ProtoError for a resource that cannot
 * be encoded.
 */
export function deltaBody(source: TypeResources, version: string, typeUrl: string, updates: readonly [string, VersionedResource][], strict: boolean): { body: Buffer; resourceBytes: number } {
  const encode = (): SharedBody => {
    let resourceBytes = 0;
    const resources = updates.map(([name, entry]) => {
      const any = packResource(typeUrl, entry, strict);
      resourceBytes += any.value.length;
      return { key: entry, name, version: entry.version, any };
    });
    return { names: updates.map(([n]) => n), body: encodeDeltaBody(version, resources, typeUrl), resourceBytes };
  };
  if (updates.length < SHARED_BODY_MIN || source.size === 0) return encode();
  const byList = bodiesByList.get(updates);
  if (byList) return byList;
  let memo = bodies.get(source);
  if (!memo) bodies.set(source, (memo = new Map()));
  const key = `${typeUrl}|${namesHash(updates)}`;
  const known = memo.get(key);
  if (known && known.names.length === updates.length && known.names.every((n, i) => n === updates[i]![0])) {
    bodiesByList.set(updates, known);
    return known;
  }
  const made = encode();
  if (memo.size >= 8) memo.delete(memo.keys().next().value!);
  memo.set(key, made);
  bodiesByList.set(updates, made);
  return made;
}


export type Entries = readonly [string, VersionedResource][];
const allEntries = new WeakMap<TypeResources, Entries>();
const subsetEntries = new WeakMap<TypeResources, WeakMap<ReadonlySet<string>, Entries>>();

/**
 * The entries of `source` a subscription wants (every one for a wildcard;
 * else the subscribed names, or for VHDS the hosts of the subscribed
 * namespaces), as one array per (source, subscription set): streams that
 * subscribe alike share the array, and the encoded response built from it.
 */
export function wantedEntries(source: TypeResources, explicit: ReadonlySet<string> | undefined, namespaced: boolean): Entries {
  if (!explicit) {
    let all = allEntries.get(source);
    if (!all) allEntries.set(source, (all = [...source]));
    return all;
  }
  let memo = subsetEntries.get(source);
  if (!memo) subsetEntries.set(source, (memo = new WeakMap()));
  let out = memo.get(explicit);
  if (!out) {
    const list: [string, VersionedResource][] = [];
    if (namespaced) {
      for (const [name, entry] of source) if (explicit.has(name) || explicit.has(vhdsNamespace(name) ?? '')) list.push([name, entry]);
    } else {
      for (const name of explicit) {
        const entry = source.get(name);
        if (entry) list.push([name, entry]);
      }
    }
    out = list;
    memo.set(explicit, out);
  }
  return out;
}

/**
 * Subscriptions with the same names, shared: 2000 sidecars of a full mesh
 * each subscribe to the same 1200 endpoint names, and a set (and its
 * strings) per stream was a large part of Pilot's memory.
 */
const subscriptionPool = new Map<string, ReadonlySet<string>>();

export function sharedNames(names: Set<string>): ReadonlySet<string> {
  // An order-independent hash of the names; a hit is checked name by name.
  let a = 0;
  let b = 0;
  for (const name of names) {
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c;
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    }
    a = (a + (h1 >>> 0)) % 0x100000000;
    b = (b ^ (h2 >>> 0)) >>> 0;
  }
  const key = `${names.size}:${a.toString(36)}:${b.toString(36)}`;
  const known = subscriptionPool.get(key);
  if (known && known.size === names.size && [...names].every((n) => known.has(n))) return known;
  if (subscriptionPool.size >= 4096) subscriptionPool.clear();
  subscriptionPool.set(key, names);
  return names;
}

export interface SourceDiff {
  changed: [string, VersionedResource][];
  gone: string[];
}

const sourceDiffs = new WeakMap<TypeResources, WeakMap<TypeResources, SourceDiff>>();

/** What changed from one source map to another (memoized per pair of objects). */
export function sourceDiff(from: TypeResources, to: TypeResources): SourceDiff {
  let memo = sourceDiffs.get(from);
  const known = memo?.get(to);
  if (known) return known;
  const out: SourceDiff = { changed: [], gone: [] };
  for (const [name, entry] of to) if (from.get(name)?.version !== entry.version) out.changed.push([name, entry]);
  for (const name of from.keys()) if (!to.has(name)) out.gone.push(name);
  if (!memo) {
    memo = new WeakMap();
    sourceDiffs.set(from, memo);
  }
  memo.set(to, out);
  return out;
}
