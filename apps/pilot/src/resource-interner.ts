// Translation runs per cache key and per push, and mostly produces what it
// produced before: the same clusters for every namespace, the same routes
// as the previous push but one. Encoding and hashing each resource again
// (to get its version) was most of a push's CPU. The interner hands back the
// VersionedResource already made for a resource with the same type, name and
// content (compared as JSON; route tables by their encoding), so each distinct resource is encoded once, and
// the same TypeResources map for the same set of resources, so type versions
// are hashed once and proxies with equal output share one map.
import { TYPE_URL } from '@sextant/proto';
import { resourceName, versioned, versionedEncoded, type TypeResources, type VersionedResource } from '@sextant/xds-server';
import { RouteEncoder } from './route-encoder';

interface Variant {
  /** The content's identity: its JSON, or for route tables the version (hash of the encoding). */
  id: string;
  entry: VersionedResource;
  used: number;
}

/** Variants kept per (type, name): outputs for different keys may differ (namespace-scoped rules). */
const MAX_VARIANTS = 8;

export interface InternStats {
  reused: number;
  encoded: number;
  resources: number;
  maps: number;
  /** Virtual hosts encoded, and reused from earlier route tables. */
  hostsEncoded: number;
  hostsReused: number;
}

export class ResourceInterner {
  private readonly resources = new Map<string, Variant[]>();
  private readonly maps = new Map<string, { map: TypeResources; used: number }>();
  private generation = 0;
  private readonly stats = { reused: 0, encoded: 0 };
  private readonly routes = new RouteEncoder();
  /** The variant each interned resource came from (to keep it alive when a map reuses the resource). */
  private readonly owners = new WeakMap<VersionedResource, Variant>();

  /** Starts a new push generation; forgets what the last two generations did not use. */
  nextGeneration(): void {
    this.generation++;
    this.routes.nextGeneration();
    const cutoff = this.generation - 2;
    for (const [k, variants] of this.resources) {
      const kept = variants.filter((v) => v.used >= cutoff);
      if (kept.length === 0) this.resources.delete(k);
      else if (kept.length !== variants.length) this.resources.set(k, kept);
    }
    for (const [k, m] of this.maps) if (m.used < cutoff) this.maps.delete(k);
  }

  /** One type's resources, keyed by name, reusing earlier identical resources and maps. */
  intern(typeUrl: string, objects: readonly object[]): TypeResources {
    const entries: [string, VersionedResource][] = [];
    for (const obj of objects) entries.push(this.internOne(typeUrl, obj));
    return this.internMap(typeUrl, entries);
  }

  /**
   * `base` with the resources `replaced` says were rebuilt swapped for
   * `rebuilt` (an incremental EDS push): every other entry stays the same
   * object (same encoding, same version), in the same order. undefined when
   * `rebuilt` names a resource `base` does not have, or misses one it
   * replaces (the set of names changed: build the whole type instead).
   */
  internReplacing(typeUrl: string, base: TypeResources, rebuilt: readonly object[], replaced: (name: string) => boolean): TypeResources | undefined {
    const fresh = new Map<string, VersionedResource>();
    for (const obj of rebuilt) {
      const [name, entry] = this.internOne(typeUrl, obj);
      if (!base.has(name) || !replaced(name)) return undefined;
      fresh.set(name, entry);
    }
    const entries: [string, VersionedResource][] = [];
    for (const [name, entry] of base) {
      if (!replaced(name)) {
        const owner = this.owners.get(entry);
        if (owner) owner.used = this.generation;
        entries.push([name, entry]);
        continue;
      }
      const next = fresh.get(name);
      if (!next) return undefined;
      entries.push([name, next]);
    }
    return this.internMap(typeUrl, entries);
  }

  private internOne(typeUrl: string, obj: object): [string, VersionedResource] {
    const name = resourceName(typeUrl, obj);
    // Route tables (1 MB of JSON in a full mesh) are told apart by their encoding, assembled from cached virtual hosts anyway.
    const route = typeUrl === TYPE_URL.route ? this.encodedRoute(obj) : undefined;
    const id = route ? `#${route.version}` : JSON.stringify(obj);
    const key = `${typeUrl}\u0000${name}`;
    let variants = this.resources.get(key);
    let hit = variants?.find((v) => v.id === id);
    if (hit) {
      this.stats.reused++;
    } else {
      this.stats.encoded++;
      hit = { id, entry: route ?? versioned(typeUrl, obj), used: this.generation };
      this.owners.set(hit.entry, hit);
      variants = [hit, ...(variants ?? [])].slice(0, MAX_VARIANTS);
      this.resources.set(key, variants);
    }
    hit.used = this.generation;
    return [name, hit.entry];
  }

  private internMap(typeUrl: string, entries: [string, VersionedResource][]): TypeResources {
    const signature = `${typeUrl}\u0000${entries.map(([n, e]) => `${n}\u0001${e.version}`).join('\u0002')}`;
    const known = this.maps.get(signature);
    if (known) {
      known.used = this.generation;
      return known.map;
    }
    const map: TypeResources = new Map(entries);
    this.maps.set(signature, { map, used: this.generation });
    return map;
  }

  internStats(): InternStats {
    return { ...this.stats, resources: this.resources.size, maps: this.maps.size, ...this.routes.stats };
  }

  /** Route tables are assembled from cached virtual hosts; anything that encoder cannot encode gets the full encoder (and its error). */
  private encodedRoute(obj: object): VersionedResource | undefined {
    try {
      return versionedEncoded(TYPE_URL.route, obj, this.routes.encode(obj));
    } catch {
      return undefined; /* versioned() reports it */
    }
  }
}
