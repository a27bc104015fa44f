// The outbound cluster names a proxy gets (routes must name only these), as
// a set that answers `has` from the services and DestinationRules it is made
// of, and lists its members only when iterated. A push that rebuilds routes
// asks `has` for a few destinations; listing the 1000-service mesh's names
// for every cache key was a tenth of such a push.
import type { MergedDestinationRule, Service } from '@sextant/pilot-model';
import { outboundCluster, parseClusterName } from './names';

/** Subset names a DestinationRule defines for a service (as this proxy sees it). */
export function subsetsOf(dr: MergedDestinationRule | undefined): string[] {
  return (dr?.spec.subsets ?? []).map((s) => s.name).filter((n) => n !== '');
}

export class OutboundClusterNames implements ReadonlySet<string> {
  private members: Set<string> | undefined;

  /** `byHost`: the proxy's services, one per hostname; `skip`: services that get no cluster. */
  constructor(
    private readonly services: readonly Service[],
    private readonly byHost: ReadonlyMap<string, Service>,
    private readonly destinationRule: (s: Service) => MergedDestinationRule | undefined,
    private readonly skip: (s: Service) => boolean,
  ) {}

  has(name: string): boolean {
    if (this.members) return this.members.has(name);
    const parsed = parseClusterName(name);
    // Not of the outbound|port|subset|host form (e.g. a subset name holding "|"): ask the full list.
    if (!parsed || parsed.direction !== 'outbound' || outboundCluster(parsed.host, parsed.port, parsed.subset) !== name) return this.all().has(name);
    const s = this.byHost.get(parsed.host);
    if (!s || this.skip(s) || !s.ports.some((p) => p.port === parsed.port)) return false;
    return parsed.subset === '' || subsetsOf(this.destinationRule(s)).includes(parsed.subset);
  }

  private all(): Set<string> {
    if (!this.members) {
      const out = new Set<string>();
      for (const s of this.services) {
        if (this.skip(s)) continue;
        const subsets = subsetsOf(this.destinationRule(s));
        for (const p of s.ports) {
          out.add(outboundCluster(s.hostname, p.port));
          for (const sub of subsets) out.add(outboundCluster(s.hostname, p.port, sub));
        }
      }
      this.members = out;
    }
    return this.members;
  }

  get size(): number {
    return this.all().size;
  }
  forEach(fn: (value: string, key: string, set: ReadonlySet<string>) => void, thisArg?: unknown): void {
    for (const v of this.all()) fn.call(thisArg, v, v, this);
  }
  entries(): SetIterator<[string, string]> {
    return this.all().entries();
  }
  keys(): SetIterator<string> {
    return this.all().keys();
  }
  values(): SetIterator<string> {
    return this.all().values();
  }
  [Symbol.iterator](): SetIterator<string> {
    return this.all()[Symbol.iterator]();
  }
}
