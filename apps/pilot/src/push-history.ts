// What /debug/push_status shows: the recent pushes (version, why, what they
// covered, how long building took, how many proxies were connected) and a
// rolling summary of convergence (change -> ACK) per xDS type.
import type { PushContext, PushRequest as ModelPushRequest } from '@sextant/pilot-model';
import { errorMessage } from '@sextant/util';
import type { PushRequest } from '@sextant/xds-server';

export interface PushRecord {
  version: string;
  at: string;
  full: boolean;
  types: string[] | 'all';
  reason: readonly string[];
  /** Config and service keys the push was about (bounded); undefined: everything. */
  configsUpdated?: string[];
  configsUpdatedCount?: number;
  debounceMs: number;
  buildMs: number;
  proxies: number;
  services: number;
  virtualServices: number;
  destinationRules: number;
  error?: string;
}

export interface ConvergenceSummary {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const MAX_KEYS = 50;
const SAMPLES = 2048;

const shortType = (typeUrl: string) => {
  const n = typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
  return ({ Listener: 'lds', RouteConfiguration: 'rds', Cluster: 'cds', ClusterLoadAssignment: 'eds', Secret: 'sds' } as Record<string, string>)[n] ?? n;
};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export class PushHistory {
  private readonly records: PushRecord[] = [];
  private readonly convergence = new Map<string, { samples: number[]; next: number }>();
  private readonly nacks = new Map<string, number>();
  private totalPushes = 0;

  constructor(
    private readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {}

  record(p: { version: string; request: PushRequest; model: ModelPushRequest | undefined; push: PushContext; builtMs: number; proxies: number }): void {
    const keys = p.model?.configsUpdated ? [...p.model.configsUpdated] : undefined;
    this.add({
      version: p.version,
      at: new Date(this.now()).toISOString(),
      full: p.request.full,
      types: p.request.types ? [...p.request.types].map(shortType) : 'all',
      reason: p.request.reason,
      ...(keys ? { configsUpdated: keys.slice(0, MAX_KEYS), configsUpdatedCount: keys.length } : {}),
      debounceMs: Math.max(0, this.now() - p.builtMs - p.request.start),
      buildMs: p.builtMs,
      proxies: p.proxies,
      services: p.push.services().length,
      virtualServices: p.push.virtualServices().length,
      destinationRules: p.push.destinationRules().length,
    });
  }

  failed(version: string, request: PushRequest, err: unknown): void {
    this.add({
      version,
      at: new Date(this.now()).toISOString(),
      full: request.full,
      types: request.types ? [...request.types].map(shortType) : 'all',
      reason: request.reason,
      debounceMs: Math.max(0, this.now() - request.start),
      buildMs: 0,
      proxies: 0,
      services: 0,
      virtualServices: 0,
      destinationRules: 0,
      error: errorMessage(err),
    });
  }

  /** One ACK: `ms` from the change to the proxy acknowledging it. */
  converged(typeUrl: string, ms: number): void {
    const t = shortType(typeUrl);
    let ring = this.convergence.get(t);
    if (!ring) {
      ring = { samples: [], next: 0 };
      this.convergence.set(t, ring);
    }
    // A ring of the last SAMPLES values: O(1) per ACK.
    if (ring.samples.length < SAMPLES) ring.samples.push(ms);
    else ring.samples[ring.next] = ms;
    ring.next = (ring.next + 1) % SAMPLES;
  }

  nacked(typeUrl: string): void {
    const t = shortType(typeUrl);
    this.nacks.set(t, (this.nacks.get(t) ?? 0) + 1);
  }

  get latest(): PushRecord | undefined {
    return this.records[this.records.length - 1];
  }

  summary(): { totalPushes: number; pushes: PushRecord[]; convergence: Record<string, ConvergenceSummary>; nacks: Record<string, number> } {
    const convergence: Record<string, ConvergenceSummary> = {};
    for (const [t, ring] of this.convergence) {
      const sorted = [...ring.samples].sort((a, b) => a - b);
      convergence[t] = { samples: sorted.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted[sorted.length - 1] ?? 0 };
    }
    return { totalPushes: this.totalPushes, pushes: [...this.records].reverse(), convergence, nacks: Object.fromEntries(this.nacks) };
  }

  private add(r: PushRecord): void {
    this.totalPushes++;
    this.records.push(r);
    if (this.records.length > this.limit) this.records.splice(0, this.records.length - this.limit);
  }
}
