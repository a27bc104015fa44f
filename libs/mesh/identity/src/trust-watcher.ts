// The roots a workload trusts, from NATS KV sextant_trust (key "bundle"),
// which Citadel keeps current: during a root rotation it holds the old and
// the new root. The watch restarts after every reconnect; a document for
// another trust domain or of an unknown shape is logged and ignored (the
// last good roots stay).
import { BUCKETS, openBucket, type NatsLink } from '@sextant/nats';
import type { Logger } from '@sextant/util';
import { splitPem } from './chain';
import { decodeTrustBundle, TRUST_BUNDLE_KEY, type TrustBundleDocument } from './trust-bundle';

/** Where the agent gets the roots it trusts. */
export interface TrustSource {
  /** PEM roots trusted now (empty until known). */
  roots(): readonly string[];
  /** Bundle version, when known. */
  version(): number | undefined;
  /** Called after every change of roots; returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
}

/** Fixed roots (tests, or a workload given its roots in a file). */
export class StaticTrustSource implements TrustSource {
  private current: string[];
  private v = 0;
  private readonly listeners = new Set<() => void>();
  constructor(roots: readonly string[] = []) {
    this.current = splitPem(roots);
  }
  roots(): readonly string[] {
    return this.current;
  }
  version(): number | undefined {
    return this.v;
  }
  set(roots: readonly string[]): void {
    this.current = splitPem(roots);
    this.v++;
    for (const l of this.listeners) l();
  }
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface TrustBundleWatcherOptions {
  nats: NatsLink;
  trustDomain: string;
  logger: Logger;
  retryMs?: number;
}

export class TrustBundleWatcher implements TrustSource {
  private document: TrustBundleDocument | undefined;
  private readonly listeners = new Set<() => void>();
  private stopWatch: (() => void) | undefined;
  private offLink: (() => void) | undefined;
  private running = false;
  private closed = false;

  constructor(private readonly opts: TrustBundleWatcherOptions) {}

  start(): void {
    this.offLink = this.opts.nats.onChange((connected) => {
      if (connected) void this.watch();
    });
    if (this.opts.nats.connected) void this.watch();
  }

  roots(): readonly string[] {
    return this.document?.roots ?? [];
  }

  version(): number | undefined {
    return this.document?.version;
  }

  get bundle(): TrustBundleDocument | undefined {
    return this.document;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async watch(): Promise<void> {
    if (this.running || this.closed) return;
    this.running = true;
    try {
      while (!this.closed && this.opts.nats.connected) {
        try {
          const kv = await openBucket(this.opts.nats.nc, BUCKETS.trust);
          const iter = await kv.watch({ key: TRUST_BUNDLE_KEY });
          this.stopWatch = () => iter.stop();
          for await (const e of iter) {
            if (this.closed) break;
            if (e.operation === 'PUT') this.accept(e.value, e.revision);
          }
        } catch (err) {
          if (!this.closed) this.opts.logger.warn({ err }, 'trust bundle watch failed; watching again');
        }
        if (!this.closed) await new Promise((r) => setTimeout(r, this.opts.retryMs ?? 1000).unref());
      }
    } finally {
      this.running = false;
    }
  }

  private accept(value: Uint8Array, revision: number): void {
    let doc: TrustBundleDocument;
    try {
      doc = decodeTrustBundle(value);
    } catch (err) {
      this.opts.logger.error({ err, revision }, 'ignoring an unreadable trust bundle; keeping the last good roots');
      return;
    }
    if (doc.trustDomain !== this.opts.trustDomain) {
      this.opts.logger.error({ revision, published: doc.trustDomain, ours: this.opts.trustDomain }, 'ignoring a trust bundle of another trust domain');
      return;
    }
    if (doc.roots.length === 0) {
      this.opts.logger.error({ revision, version: doc.version }, 'ignoring a trust bundle without roots; keeping the last good roots');
      return;
    }
    const before = this.document;
    if (before && before.version === doc.version && JSON.stringify(before.roots) === JSON.stringify(doc.roots)) return;
    this.document = doc;
    this.opts.logger.info({ version: doc.version, roots: doc.roots.length, revision, fingerprints: doc.anchors.map((a) => a.fingerprint) }, 'trust bundle received');
    for (const l of this.listeners) l();
  }

  close(): void {
    this.closed = true;
    this.offLink?.();
    this.stopWatch?.();
  }
}
