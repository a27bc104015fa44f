// Passive outlier detection (Envoy's consecutive 5xx, consecutive gateway
// failure and consecutive local-origin failure): a host that fails N times
// in a row is ejected for base_ejection_time x (times ejected), never more
// than max_ejection_percent of the cluster (at least one host may go). The
// interval tick brings hosts back and slowly forgets past ejections.
import type { OutlierDetectionConfig } from '@sextant/xds-client';
import type { Host } from './host';

/** How an attempt ended, as the outlier detector sees it. */
export const OUTCOME = {
  SUCCESS: 0,
  /** The upstream answered 5xx (not 502/503/504). */
  HTTP_5XX: 1,
  /** The upstream answered 502, 503 or 504. */
  GATEWAY: 2,
  /** Connect failure, reset or timeout: the proxy saw no answer. */
  LOCAL_ORIGIN: 3,
} as const;
export type Outcome = (typeof OUTCOME)[keyof typeof OUTCOME];

export interface OutlierHostSet {
  readonly hosts: readonly Host[];
  /** Ejection state changed: rebuild balancer candidates. */
  hostsChanged(): void;
  readonly stats: { ejectionsActive: number; ejectionsTotal: number; ejectionsConsecutive5xx: number; ejectionsGateway: number; ejectionsLocalOrigin: number };
}

export class OutlierDetector {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private config: OutlierDetectionConfig,
    private readonly set: OutlierHostSet,
    private readonly now: () => number = Date.now,
  ) {
    this.arm();
  }

  update(config: OutlierDetectionConfig): void {
    const rearm = config.intervalMs !== this.config.intervalMs;
    this.config = config;
    if (rearm) this.arm();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  report(host: Host, outcome: Outcome): void {
    if (outcome === OUTCOME.SUCCESS) {
      if (host.consecutive5xx !== 0 || host.consecutiveGatewayFailure !== 0 || host.consecutiveLocalOriginFailure !== 0) {
        host.consecutive5xx = 0;
        host.consecutiveGatewayFailure = 0;
        host.consecutiveLocalOriginFailure = 0;
      }
      return;
    }
    if (host.ejected) return;
    const c = this.config;
    if (outcome === OUTCOME.LOCAL_ORIGIN && c.splitExternalLocalOriginErrors) {
      host.consecutiveLocalOriginFailure++;
      if (host.consecutiveLocalOriginFailure >= c.consecutiveLocalOriginFailure && this.roll(c.enforcingConsecutiveLocalOriginFailure)) {
        this.eject(host, 'local');
      }
      return;
    }
    // Without the split, local-origin failures count as 5xx gateway failures (Envoy maps them to 503).
    host.consecutive5xx++;
    if (outcome !== OUTCOME.HTTP_5XX) host.consecutiveGatewayFailure++;
    if (host.consecutiveGatewayFailure >= c.consecutiveGatewayFailure && c.enforcingConsecutiveGatewayFailure > 0 && this.roll(c.enforcingConsecutiveGatewayFailure)) {
      this.eject(host, 'gateway');
    } else if (host.consecutive5xx >= c.consecutive5xx && this.roll(c.enforcingConsecutive5xx)) {
      this.eject(host, '5xx');
    }
  }

  private roll(percent: number): boolean {
    return percent >= 100 || Math.random() * 100 < percent;
  }

  private eject(host: Host, why: '5xx' | 'gateway' | 'local'): void {
    const hosts = this.set.hosts;
    const ejected = hosts.reduce((n, h) => n + (h.ejected ? 1 : 0), 0);
    // Envoy: eject while the ejected share is below max_ejection_percent (so one host can always go).
    if (ejected > 0 && (ejected / hosts.length) * 100 >= this.config.maxEjectionPercent) {
      host.consecutive5xx = 0;
      host.consecutiveGatewayFailure = 0;
      host.consecutiveLocalOriginFailure = 0;
      return;
    }
    host.ejected = true;
    host.ejectedAt = this.now();
    host.ejectionCount++;
    host.ejectedInInterval = true;
    host.consecutive5xx = 0;
    host.consecutiveGatewayFailure = 0;
    host.consecutiveLocalOriginFailure = 0;
    const s = this.set.stats;
    s.ejectionsActive++;
    s.ejectionsTotal++;
    if (why === '5xx') s.ejectionsConsecutive5xx++;
    else if (why === 'gateway') s.ejectionsGateway++;
    else s.ejectionsLocalOrigin++;
    this.set.hostsChanged();
  }

  /** Brings back hosts whose ejection time passed; runs every interval. */
  tick(): void {
    const now = this.now();
    let changed = false;
    for (const h of this.set.hosts) {
      if (h.ejected) {
        const duration = Math.min(this.config.baseEjectionMs * h.ejectionCount, Math.max(this.config.maxEjectionMs, this.config.baseEjectionMs));
        if (now - h.ejectedAt >= duration) {
          h.ejected = false;
          this.set.stats.ejectionsActive--;
          changed = true;
        }
      } else if (!h.ejectedInInterval && h.ejectionCount > 0) {
        h.ejectionCount--;
      }
      h.ejectedInInterval = false;
    }
    if (changed) this.set.hostsChanged();
  }

  private arm(): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => this.tick(), this.config.intervalMs);
    this.timer.unref();
  }
}
