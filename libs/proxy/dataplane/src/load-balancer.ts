// Load balancers over a candidate host list: weighted round robin (smooth,
// like nginx), least request (power of two choices, weighted), random
// (weighted), and ring hash / Maglev (see ring-hash.ts). Candidate lists are
// rebuilt only when hosts change; picking allocates nothing.
import type { LbPolicy } from '@sextant/xds-client';
import type { Host } from './host';
import { RingHash } from './ring-hash';

export interface LoadBalancer {
  /** New candidate list (healthy hosts of a priority, or all in panic). */
  refresh(hosts: readonly Host[]): void;
  /** hash: the request's hash key (ring hash); exclude: hosts to avoid (retries). */
  pick(hash: number | undefined, exclude: Host | undefined): Host | undefined;
}

function uniformWeights(hosts: readonly Host[]): boolean {
  for (let i = 1; i < hosts.length; i++) if (hosts[i]!.weight !== hosts[0]!.weight) return false;
  return true;
}

class RoundRobin implements LoadBalancer {
  private hosts: readonly Host[] = [];
  private uniform = true;
  private next = 0;
  private current: number[] = [];
  private total = 0;

  refresh(hosts: readonly Host[]): void {
    this.hosts = hosts;
    this.uniform = uniformWeights(hosts);
    this.current = hosts.map(() => 0);
    this.total = hosts.reduce((s, h) => s + h.weight, 0);
    // Start at a random place so many proxies do not all hit the first host.
    this.next = hosts.length > 0 ? Math.floor(Math.random() * hosts.length) : 0;
  }

  pick(_hash: number | undefined, exclude: Host | undefined): Host | undefined {
    const n = this.hosts.length;
    if (n === 0) return undefined;
    if (this.uniform) {
      let h = this.hosts[this.next++ % n]!;
      if (h === exclude && n > 1) h = this.hosts[this.next++ % n]!;
      return h;
    }
    // Smooth weighted round robin.
    let best = -1;
    for (let i = 0; i < n; i++) {
      this.current[i]! += this.hosts[i]!.weight;
      if (this.hosts[i] === exclude && n > 1) continue;
      if (best < 0 || this.current[i]! > this.current[best]!) best = i;
    }
    this.current[best]! -= this.total;
    return this.hosts[best];
  }
}

class RandomLb implements LoadBalancer {
  private hosts: readonly Host[] = [];
  private cumulative: number[] = [];
  private total = 0;
  private uniform = true;

  refresh(hosts: readonly Host[]): void {
    this.hosts = hosts;
    this.uniform = uniformWeights(hosts);
    let s = 0;
    this.cumulative = hosts.map((h) => (s += h.weight));
    this.total = s;
  }

  pick(_hash: number | undefined, exclude: Host | undefined): Host | undefined {
    const n = this.hosts.length;
    if (n === 0) return undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      let h: Host;
      if (this.uniform) h = this.hosts[Math.floor(Math.random() * n)]!;
      else {
        const r = Math.random() * this.total;
        let i = 0;
        while (this.cumulative[i]! <= r) i++;
        h = this.hosts[i]!;
      }
      if (h !== exclude || n === 1) return h;
    }
    return this.hosts.find((h) => h !== exclude);
  }
}

class LeastRequest implements LoadBalancer {
  private hosts: readonly Host[] = [];
  private uniform = true;

  constructor(private readonly choices: number) {}

  refresh(hosts: readonly Host[]): void {
    this.hosts = hosts;
    this.uniform = uniformWeights(hosts);
  }

  pick(_hash: number | undefined, exclude: Host | undefined): Host | undefined {
    const n = this.hosts.length;
    if (n === 0) return undefined;
    if (n === 1) return this.hosts[0];
    let best: Host | undefined;
    let bestScore = Infinity;
    for (let c = 0; c < this.choices; c++) {
      const h = this.hosts[Math.floor(Math.random() * n)]!;
      if (h === exclude) continue;
      // Envoy: with unequal weights, weight / (active + 1).
      const score = this.uniform ? h.activeRequests : (h.activeRequests + 1) / h.weight;
      if (score < bestScore) {
        best = h;
        bestScore = score;
      }
    }
    return best ?? this.hosts.find((h) => h !== exclude);
  }
}

export function createLoadBalancer(policy: LbPolicy, opts: { choiceCount: number; minRingSize: number; maxRingSize: number }): LoadBalancer {
  switch (policy) {
    case 'LEAST_REQUEST':
      return new LeastRequest(opts.choiceCount);
    case 'RANDOM':
      return new RandomLb();
    case 'RING_HASH':
    case 'MAGLEV':
      return new RingHash(opts.minRingSize, opts.maxRingSize);
    default:
      return new RoundRobin();
  }
}
