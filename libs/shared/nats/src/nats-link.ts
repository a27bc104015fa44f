// A NATS connection that a service can start before NATS is reachable: it
// connects in the background, reconnects forever, and reports whether it is
// usable right now (for /readyz). Listeners hear every change.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { Logger } from 'pino';

export interface NatsLinkOptions {
  url: string;
  name: string;
  logger: Logger;
  /** Delay between attempts while NATS has never been reached. */
  retryMs?: number;
}

export type NatsListener = (connected: boolean, link: NatsLink) => void;

export class NatsLink {
  private conn: NatsConnection | undefined;
  private up = false;
  private stopping = false;
  private readonly listeners = new Set<NatsListener>();
  private readonly opts: Required<NatsLinkOptions>;
  private loop: Promise<void> | undefined;

  constructor(opts: NatsLinkOptions) {
    this.opts = { retryMs: 1000, ...opts };
  }

  get connected(): boolean {
    return this.up;
  }

  /** The live connection; throws when NATS is not connected now. */
  get nc(): NatsConnection {
    if (!this.conn || !this.up) throw new Error(`NATS at ${this.opts.url} is not connected`);
    return this.conn;
  }

  get js(): JetStreamClient {
    return jetstream(this.nc);
  }

  onChange(listener: NatsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts connecting in the background; resolves at once. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Resolves when connected (or rejects after timeoutMs). */
  async ready(timeoutMs = 30_000): Promise<void> {
    if (this.up) return;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        off();
        reject(new Error(`NATS at ${this.opts.url} not reachable after ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onChange((c) => {
        if (c) {
          clearTimeout(t);
          off();
          resolve();
        }
      });
    });
  }

  private set(connected: boolean): void {
    if (connected === this.up) return;
    this.up = connected;
    for (const l of this.listeners) {
      try {
        l(connected, this);
      } catch (err) {
        this.opts.logger.error({ err }, 'NATS listener failed');
      }
    }
  }

  private async run(): Promise<void> {
    const log = this.opts.logger;
    let attempt = 0;
    while (!this.stopping) {
      try {
        const nc = await connect({
          servers: this.opts.url,
          name: this.opts.name,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 500,
          pingInterval: 5_000,
          maxPingOut: 2,
        });
        this.conn = nc;
        log.info({ url: this.opts.url }, 'NATS connected');
        this.set(true);
        attempt = 0;
        void this.watchStatus(nc);
        const closedErr = await nc.closed();
        this.set(false);
        if (!this.stopping) log.warn({ err: closedErr }, 'NATS connection closed; connecting again');
      } catch (err) {
        if (attempt++ % 10 === 0) log.warn({ url: this.opts.url, err: (err as Error).message }, 'NATS not reachable yet; retrying');
        await new Promise((r) => setTimeout(r, this.opts.retryMs));
      }
    }
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        this.opts.logger.warn('NATS disconnected');
        this.set(false);
      } else if (s.type === 'reconnect') {
        this.opts.logger.info('NATS reconnected');
        this.set(true);
      }
    }
  }

  /** Drains (flushes subscriptions) and closes; safe to call twice. */
  async close(): Promise<void> {
    this.stopping = true;
    const nc = this.conn;
    this.conn = undefined;
    if (nc && !nc.isClosed()) {
      try {
        await Promise.race([nc.drain(), new Promise((r) => setTimeout(r, 2_000))]);
      } catch {
        /* already closing */
      }
      if (!nc.isClosed()) await nc.close();
    }
    this.set(false);
  }
}
