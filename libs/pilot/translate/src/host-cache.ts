// Translation output shared between cache keys and between pushes.
//
// Without Sidecar scoping every proxy's outbound route table holds a virtual
// host per service, and proxies of 10 namespaces have 10 cache keys: a push
// built the same 1000 default virtual hosts 10 times, and again on the next
// push although one VirtualService changed. A VirtualHostCache hands back
// the object built before for the same inputs, so a host is built once per
// distinct content and keeps its identity (later stages, e.g. the route
// encoder, can then skip it by identity).
//
// The key of an entry must name every input of what it builds: a cache
// never changes what translation outputs, only whether it is built again
// (tests compare output with and without one). Entries are immutable once
// built; whoever reads them must copy before changing anything. Pilot's
// route encoder keeps the encoded bytes of virtual hosts in one too.

export class VirtualHostCache {
  private readonly entries = new Map<string, { value: unknown; used: number }>();
  private generation = 0;
  readonly stats = { built: 0, reused: 0 };

  /** Starts a generation (a push): forgets entries the last two generations did not use. */
  nextGeneration(): void {
    this.generation++;
    const cutoff = this.generation - 2;
    for (const [k, e] of this.entries) if (e.used < cutoff) this.entries.delete(k);
  }

  /** The value built for `key` (by `build` now, if nothing is cached under it). */
  get<T>(key: string, build: () => T): T {
    let e = this.entries.get(key);
    if (e) this.stats.reused++;
    else {
      this.stats.built++;
      e = { value: build(), used: this.generation };
      this.entries.set(key, e);
    }
    e.used = this.generation;
    return e.value as T;
  }

  get size(): number {
    return this.entries.size;
  }
}
