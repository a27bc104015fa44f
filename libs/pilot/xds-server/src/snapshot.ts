// The snapshot model. A generator hands the server, per proxy, a map from
// type URL to that type's resources by name; each resource carries its own
// version, and a type's version is derived from its resources' versions.
//
// Sharing: proxies that get the same snapshot should get the same objects
// (same maps, same resource objects). The server never copies them; caches
// here (packed bytes, type versions) are keyed by object identity, so shared
// objects are encoded and hashed once for every proxy that uses them.
import { createHash } from 'node:crypto';
import { type PackedAny, TYPE_URL, encodeMessage, isPackedAny } from '@sextant/proto';
import type { ProxyInfo } from './proxy-id';
import type { PushRequest } from './push-request';

/** A resource: a plain object (camelCase, as in @sextant/proto's types) or an Any already packed. */
export interface VersionedResource {
  readonly version: string;
  readonly resource: object | PackedAny;
}
export type TypeResources = ReadonlyMap<string, VersionedResource>;
export type Snapshot = ReadonlyMap<string, TypeResources>;

export const EMPTY_RESOURCES: TypeResources = new Map();
export const EMPTY_SNAPSHOT: Snapshot = new Map();

function shortHash(parts: Iterable<string | Uint8Array>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('base64url').slice(0, 16);
}

const packed = new WeakMap<object, PackedAny>();

/** The Any for a resource; encodes a plain object once (cached by identity). Throws ProtoError. */
export function packResource(typeUrl: string, entry: VersionedResource, strict = true): PackedAny {
  const { resource } = entry;
  if (isPackedAny(resource)) return resource;
  let any = packed.get(resource);
  if (!any) {
    any = { type_url: typeUrl, value: encodeMessage(typeUrl, resource, { strict }) };
    packed.set(resource, any);
  }
  return any;
}

/** A resource whose version is a hash of its encoded bytes (same content, same version). */
export function versioned(typeUrl: string, resource: object | PackedAny, version?: string): VersionedResource {
  if (version !== undefined) return { version, resource };
  const any = isPackedAny(resource) ? resource : { type_url: typeUrl, value: encodeMessage(typeUrl, resource) };
  if (!isPackedAny(resource)) packed.set(resource, any);
  return { version: shortHash([any.value]), resource };
}

/**
 * A plain resource whose encoding the caller already has (e.g. assembled from
 * cached parts): the bytes are used as its Any and its version is their hash,
 * as versioned() would make them. The bytes must be what encodeMessage gives.
 */
export function versionedEncoded(typeUrl: string, resource: object, bytes: Buffer): VersionedResource {
  packed.set(resource, { type_url: typeUrl, value: bytes });
  return { version: shortHash([bytes]), resource };
}

/** The name a resource is known by: `name`, or `clusterName` for a ClusterLoadAssignment. */
export function resourceName(typeUrl: string, resource: object): string {
  const r = resource as { name?: unknown; clusterName?: unknown };
  const name = typeUrl === TYPE_URL.endpoint ? r.clusterName : r.name;
  if (typeof name !== 'string' || name === '') throw new Error(`resource of ${typeUrl} has no name`);
  return name;
}

/** Builds one type's map from plain objects, keyed by their names; versions hash the content. */
export function resourcesOf(typeUrl: string, resources: Iterable<object>): TypeResources {
  const out = new Map<string, VersionedResource>();
  for (const r of resources) out.set(resourceName(typeUrl, r), versioned(typeUrl, r));
  return out;
}

/** A snapshot from { typeUrl: resources }. */
export function snapshotOf(types: Record<string, TypeResources | Iterable<object>>): Snapshot {
  const out = new Map<string, TypeResources>();
  for (const [typeUrl, value] of Object.entries(types)) {
    out.set(typeUrl, value instanceof Map ? value : resourcesOf(typeUrl, value as Iterable<object>));
  }
  return out;
}

const typeVersions = new WeakMap<TypeResources, string>();

/** A type's version: a hash of its (name, version) pairs. Cached per map object. */
export function typeVersion(resources: TypeResources): string {
  let v = typeVersions.get(resources);
  if (v === undefined) {
    v = versionOf(resources);
    typeVersions.set(resources, v);
  }
  return v;
}

/** The version of any set of resources (a SotW response's version_info). */
export function versionOf(resources: TypeResources): string {
  if (resources.size === 0) return 'empty';
  const names = [...resources.keys()].sort();
  return shortHash(names.flatMap((n) => [n, resources.get(n)!.version]));
}

/** Merged snapshots per (current, update): streams that share both share the result (and its consistency check). */
const merges = new WeakMap<Snapshot, WeakMap<Snapshot, Snapshot>>();

/**
 * Applies a (possibly partial) snapshot on top of the current one: types in
 * `update` replace the current ones, types it omits stay. Returns `update`
 * itself when it covers every current type, so shared snapshots stay shared;
 * a partial update of a shared snapshot (an EDS push to every stream of a
 * cache key) gives the same merged object to every stream.
 */
export function mergeSnapshot(current: Snapshot, update: Snapshot): Snapshot {
  let memo = merges.get(current);
  const known = memo?.get(update);
  if (known) return known;
  const merged = merge(current, update);
  if (!memo) {
    memo = new WeakMap();
    merges.set(current, memo);
  }
  memo.set(update, merged);
  return merged;
}

function merge(current: Snapshot, update: Snapshot): Snapshot {
  let coversAll = true;
  for (const t of current.keys()) {
    if (!update.has(t)) {
      coversAll = false;
      break;
    }
  }
  if (coversAll) return update;
  const out = new Map(current);
  for (const [t, r] of update) out.set(t, r);
  return out;
}

/** True when two resource sets hold the same names at the same versions. */
export function sameResources(a: TypeResources, b: TypeResources): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [name, entry] of a) {
    const other = b.get(name);
    if (!other || other.version !== entry.version) return false;
  }
  return true;
}

/** What the caller (Pilot) implements: per-proxy snapshots. */
export interface SnapshotSource {
  /**
   * The snapshot for a proxy. `changedTypes` undefined: everything (a new
   * stream, or a full push of all types); the result replaces the proxy's
   * snapshot. Otherwise the result may hold only the changed types: types it
   * contains replace the current ones, types it omits stay as they are (give
   * an empty map to empty a type). Return shared objects for proxies that
   * would get the same output; the server never copies them.
   */
  snapshotFor(proxy: ProxyInfo, changedTypes?: ReadonlySet<string>, request?: PushRequest): Snapshot | Promise<Snapshot>;
  /** Optional fast filter: does this change matter to this proxy at all? */
  affects?(proxy: ProxyInfo, request: PushRequest): boolean;
}
