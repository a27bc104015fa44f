// The store over the service's NATS link: opened on connect (and again if
// the link ever hands out a new connection); GALLEY_UNAVAILABLE meanwhile.
import type { Resource } from '@sextant/config-model';
import { ConfigStore } from '@sextant/config-store';
import { BUCKETS, openBucket, type NatsConnection, type NatsLink } from '@sextant/nats';
import { errorMessage, type Logger } from '@sextant/util';
import { GalleyApiError } from './errors';

export interface StoreProviderOptions {
  link: NatsLink;
  logger: Logger;
  admit: (resource: Resource) => Resource;
  batchTimeoutMs?: number;
}

export class NatsStoreProvider {
  private store: ConfigStore | undefined;
  private nc: NatsConnection | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly opts: StoreProviderOptions) {
    opts.link.onChange((connected) => {
      if (connected) void this.open();
    });
    if (opts.link.connected) void this.open();
  }

  /** The store; throws GALLEY_UNAVAILABLE while NATS is not connected. */
  readonly get = (): ConfigStore => {
    if (!this.store || !this.opts.link.connected) throw new GalleyApiError('GALLEY_UNAVAILABLE', 'Galley is not connected to NATS (the config store); retry shortly');
    return this.store;
  };

  /** Resolves once the store is usable. */
  ready(): Promise<void> {
    if (this.store && this.opts.link.connected) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  private async open(): Promise<void> {
    const nc = this.opts.link.nc;
    if (nc === this.nc && this.store) return this.wake();
    try {
      const kv = await openBucket(nc, BUCKETS.config);
      this.nc = nc;
      this.store = new ConfigStore({ kv, logger: this.opts.logger, admit: this.opts.admit, batchTimeoutMs: this.opts.batchTimeoutMs });
      this.wake();
    } catch (err) {
      this.opts.logger.error({ err: errorMessage(err) }, 'opening the config bucket failed');
    }
  }

  private wake(): void {
    for (const w of this.waiters) w();
    this.waiters.clear();
  }
}
