// Consistent hashing (Envoy's RING_HASH; MAGLEV is served by the same ring):
// each host owns points on a 32-bit ring in proportion to its weight; a
// request's hash key picks the first point at or after it. Removing a host
// moves only the keys it owned.
import type { Host } from './host';
import type { LoadBalancer } from './load-balancer';

/** MurmurHash3 (x86, 32-bit) of a string's UTF-16 code units. */
export function hash32(s: string, seed = 0): number {
  let h = seed >>> 0;
  const len = s.length;
  let i = 0;
  for (; i + 1 < len; i += 2) {
    let k = (s.charCodeAt(i) & 0xffff) | ((s.charCodeAt(i + 1) & 0xffff) << 16);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < len) {
    let k = s.charCodeAt(i) & 0xffff;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= len * 2;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Ring points are capped so a large max_ring_size cannot cost megabytes per cluster. */
const MAX_POINTS = 65_536;

export class RingHash implements LoadBalancer {
  private points = new Uint32Array(0);
  private owners: Host[] = [];
  private hosts: readonly Host[] = [];

  constructor(
    private readonly minRingSize: number,
    private readonly maxRingSize: number,
  ) {}

  refresh(hosts: readonly Host[]): void {
    this.hosts = hosts;
    if (hosts.length === 0) {
      this.points = new Uint32Array(0);
      this.owners = [];
      return;
    }
    // A fixed number of points per unit of weight (ketama style): adding or
    // removing a host never moves keys between the other hosts.
    const total = hosts.reduce((s, h) => s + h.weight, 0);
    let perWeight = Math.min(512, Math.max(16, Math.round(this.minRingSize / 8)));
    if (perWeight * total > Math.min(MAX_POINTS, this.maxRingSize)) perWeight = Math.max(1, Math.floor(Math.min(MAX_POINTS, this.maxRingSize) / total));
    const entries: [number, Host][] = [];
    for (const h of hosts) {
      const n = Math.max(1, h.weight * perWeight);
      for (let i = 0; i < n; i++) entries.push([hash32(`${h.key}_${i}`), h]);
    }
    entries.sort((a, b) => a[0] - b[0]);
    this.points = Uint32Array.from(entries.map((e) => e[0]));
    this.owners = entries.map((e) => e[1]);
  }

  pick(hash: number | undefined, exclude: Host | undefined): Host | undefined {
    const n = this.points.length;
    if (n === 0) return undefined;
    if (hash === undefined) {
      // No key: any host (Envoy picks randomly).
      const h = this.hosts[Math.floor(Math.random() * this.hosts.length)];
      return h === exclude && this.hosts.length > 1 ? this.hosts.find((x) => x !== exclude) : h;
    }
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid]! < hash) lo = mid + 1;
      else hi = mid;
    }
    let i = lo === n ? 0 : lo;
    let h = this.owners[i]!;
    // A retry avoiding the previous host walks the ring to the next owner.
    for (let steps = 0; h === exclude && steps < n; steps++) {
      i = (i + 1) % n;
      h = this.owners[i]!;
    }
    return h;
  }
}
