// Publishes the trust bundle to NATS KV (bucket sextant_trust, key "bundle")
// whenever NATS (re)connects and whenever the bundle changes. A put is skipped
// when the stored document already has this version and these roots, so
// reconnects do not grow the bucket's history. Publishes run one at a time;
// a failed one is retried with backoff while the link is up.
import { BUCKETS, openBucket, type KV, type NatsLink } from '@sextant/nats';
import { TRUST_BUNDLE_KEY, decodeTrustBundle, encodeTrustBundle, type TrustBundleDocument } from '@sextant/workload-identity';
import type { Logger } from '@sextant/util';

export interface TrustBundlePublisherOptions {
  nats: NatsLink;
  /** The document to publish now. */
  document: () => TrustBundleDocument;
  logger: Logger;
  /** Told after every successful publish (or confirmed no-op) and every failure. */
  onState?: (published: boolean, detail: string) => void;
  retryMs?: number;
}

export class TrustBundlePublisher {
  private chain: Promise<void> = Promise.resolve();
  private publishedVersion: number | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private offChange: (() => void) | undefined;
  private closed = false;

  constructor(private readonly opts: TrustBundlePublisherOptions) {}

  /** Publishes now if connected, and again on every reconnect. */
  start(): void {
    this.offChange = this.opts.nats.onChange((connected) => {
      if (connected) void this.publish();
      else this.opts.onState?.(false, 'NATS disconnected; the bundle will be published on reconnect');
    });
    if (this.opts.nats.connected) void this.publish();
  }

  /** True when the current document's version is in KV. */
  get upToDate(): boolean {
    return this.publishedVersion === this.opts.document().version;
  }

  /** Queues a publish of the current document; resolves when it (and any before it) is done. */
  publish(): Promise<void> {
    this.chain = this.chain.then(() => this.publishOnce()).catch(() => undefined);
    return this.chain;
  }

  private async publishOnce(): Promise<void> {
    if (this.closed || !this.opts.nats.connected) return;
    const doc = this.opts.document();
    try {
      const kv: KV = await openBucket(this.opts.nats.nc, BUCKETS.trust);
      const current = await kv.get(TRUST_BUNDLE_KEY);
      const stored = current?.value?.length ? readable(current.value) : undefined;
      const same = stored?.version === doc.version && JSON.stringify(stored.roots) === JSON.stringify(doc.roots) && stored.trustDomain === doc.trustDomain;
      let revision = current?.revision;
      if (!same) revision = await kv.put(TRUST_BUNDLE_KEY, encodeTrustBundle(doc));
      this.publishedVersion = doc.version;
      const detail = `bundle v${doc.version} (${doc.roots.length} root(s)) at ${BUCKETS.trust}/${TRUST_BUNDLE_KEY} revision ${revision}`;
      if (!same) this.opts.logger.info({ version: doc.version, roots: doc.roots.length, revision }, 'trust bundle published');
      this.opts.onState?.(this.upToDate, detail);
    } catch (err) {
      this.opts.logger.warn({ err, version: doc.version }, 'trust bundle publish failed; retrying');
      this.opts.onState?.(false, `publishing bundle v${doc.version} failed: ${(err as Error).message}`);
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.publish();
    }, this.opts.retryMs ?? 2_000);
    this.retryTimer.unref();
  }

  close(): void {
    this.closed = true;
    this.offChange?.();
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }
}

/** Reads the published bundle (consumers, tools, tests). */
export async function readTrustBundle(kv: KV): Promise<{ document: TrustBundleDocument; revision: number } | undefined> {
  const entry = await kv.get(TRUST_BUNDLE_KEY);
  if (!entry?.value?.length) return undefined;
  return { document: decodeTrustBundle(entry.value), revision: entry.revision };
}

/** A stored document to compare with, or undefined when it is unreadable (it gets overwritten). */
function readable(value: Uint8Array): TrustBundleDocument | undefined {
  try {
    return decodeTrustBundle(value);
  } catch {
    return undefined;
  }
}
