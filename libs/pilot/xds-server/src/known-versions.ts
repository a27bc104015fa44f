// What a Delta client holds of one type: name -> version.
//
// 2000 full-mesh sidecars each hold ~1200 clusters, ~1200 endpoint sets and
// ~1000 virtual hosts; as plain maps that is millions of entries, most of
// them copies of the same snapshot. Here a client that is exactly in sync
// with a source map points at it (`rebase`), shared by every client of the
// cache key, and only what changed since is kept per client (`over`). What
// the base covers is fixed at rebase time (every name, or the names of a
// subscription set that must not change while it is the base: callers
// `materialize` before changing it).
import type { TypeResources } from './snapshot';

export class KnownVersions {
  private base: TypeResources | undefined;
  /** Which base names the client holds: all (undefined), or those `covers` accepts. */
  private covers: ((name: string) => boolean) | undefined;
  /** Per-client changes on top of the base: a version, or undefined for "not held". */
  private readonly over = new Map<string, string | undefined>();

  get(name: string): string | undefined {
    if (this.over.has(name)) return this.over.get(name);
    if (!this.base || (this.covers && !this.covers(name))) return undefined;
    return this.base.get(name)?.version;
  }

  /** Nothing held (a new stream, or one that held nothing yet). */
  get isEmpty(): boolean {
    if (this.base) return false;
    for (const v of this.over.values()) if (v !== undefined) return false;
    return true;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  set(name: string, version: string): void {
    this.over.set(name, version);
  }

  /** Marks a name not held unless the client's own entries say otherwise (a name whose coverage is about to begin). */
  unhold(name: string): void {
    if (!this.over.has(name) && this.base?.has(name)) this.over.set(name, undefined);
  }

  /** Forgets a name; true when it was held. */
  delete(name: string): boolean {
    const had = this.has(name);
    if (had) {
      if (this.base?.has(name)) this.over.set(name, undefined);
      else this.over.delete(name);
    }
    return had;
  }

  *keys(): IterableIterator<string> {
    if (this.base) {
      for (const name of this.base.keys()) {
        if (this.over.has(name) || (this.covers && !this.covers(name))) continue;
        yield name;
      }
    }
    for (const [name, v] of this.over) if (v !== undefined) yield name;
  }

  get size(): number {
    let n = 0;
    for (const _ of this.keys()) n++;
    return n;
  }

  /** The client holds exactly the names of `source` that `covers` accepts (all when undefined), at their versions. */
  rebase(source: TypeResources, covers?: (name: string) => boolean): void {
    this.base = source;
    this.covers = covers;
    this.over.clear();
  }

  /** Copies what the base covers into per-client entries (before what decides coverage changes). */
  materialize(): void {
    if (!this.base) return;
    const held = [...this.keys()].map((n) => [n, this.get(n)!] as const);
    this.base = undefined;
    this.covers = undefined;
    this.over.clear();
    for (const [n, v] of held) this.over.set(n, v);
  }
}
