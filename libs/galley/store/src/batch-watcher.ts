// A watch on the config bucket: the state when it starts (one update), then
// every change, with the entries of one batch delivered together.
import { KvWatchInclude, type KV, type KvWatchEntry } from '@nats-io/kv';
import type { Resource, ResourceRef } from '@sextant/config-model';
import type { Logger } from '@sextant/util';
import { AsyncChannel } from './async-channel';
import { BatchAssembler, type ReleaseInfo } from './batch-assembler';
import { decodeEntry, sameContent, type ConfigEntry } from './entry-codec';
import { ConfigStoreError } from './errors';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ConfigChange {
  type: ChangeType;
  ref: ResourceRef;
  /** KV revision of the change (for DELETED: of the deletion). */
  revision: number;
  /** The resource; for DELETED, its last content. */
  resource: Resource;
}

export interface ConfigUpdate {
  /** true once, first: the state when the watch started, every change ADDED. */
  initial: boolean;
  /** Apply these together. */
  changes: ConfigChange[];
  /** The batch these changes were written in (two or more entries). */
  batch?: string;
  /** The batch timed out before all of it arrived (its writer died); this is what did. */
  partial?: boolean;
}

export interface WatchOptions {
  /** Only this kind / namespace (empty: all). */
  kind?: string;
  namespace?: string;
  /** Hold a batch's entries until all have arrived (default true). */
  atomic?: boolean;
  /** Give up waiting for the rest of a batch after this long (default 5000 ms). */
  batchTimeoutMs?: number;
  /** Put the starting state into the first update (default true); false: the first update is empty. */
  includeInitial?: boolean;
  /** Updates that may wait for the consumer; beyond that the watch ends with STORE_UNAVAILABLE (watch again). Default 10,000. */
  maxPending?: number;
}

export interface ConfigWatch extends AsyncIterable<ConfigUpdate> {
  /** Ends the watch; the iterator finishes. */
  stop(): void;
  /** Entries held back waiting for the rest of their batch. */
  readonly held: number;
}

export const DEFAULT_BATCH_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_PENDING = 10_000;

export function watchConfig(kv: KV, opts: WatchOptions, logger: Logger): ConfigWatch {
  return new KvConfigWatch(kv, opts, logger);
}

class KvConfigWatch implements ConfigWatch {
  private readonly channel = new AsyncChannel<ConfigUpdate>();
  private readonly known = new Map<string, Resource>();
  private readonly assembler: BatchAssembler;
  private iter: { stop(): void } | undefined;
  private stopped = false;
  private synced = false;
  private settled = false;
  private syncRevision = 0;
  private initial: ConfigChange[] = [];

  constructor(
    private readonly kv: KV,
    private readonly opts: WatchOptions,
    private readonly logger: Logger,
  ) {
    this.assembler = new BatchAssembler({
      atomic: opts.atomic ?? true,
      timeoutMs: opts.batchTimeoutMs ?? DEFAULT_BATCH_TIMEOUT_MS,
      now: Date.now,
      setTimer: (fn, ms) => {
        const t = setTimeout(fn, ms);
        return () => clearTimeout(t);
      },
      release: (entries, info) => this.release(entries, info),
      drop: (entries) => this.progress([], {}, maxRevision(entries)),
      onTimeout: (batch, have, want) => logger.warn({ batch, have, want }, 'batch incomplete after the timeout; releasing what arrived'),
    });
    void this.run();
  }

  get held(): number {
    return this.assembler.held;
  }

  [Symbol.asyncIterator](): AsyncIterator<ConfigUpdate> {
    return this.channel;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.iter?.stop();
    this.assembler.stop();
    this.channel.end();
  }

  private async run(): Promise<void> {
    try {
      this.syncRevision = (await this.kv.status()).streamInfo.state.last_seq;
      const iter = await this.kv.watch({ include: KvWatchInclude.LastValue });
      this.iter = iter;
      if (this.stopped) return iter.stop();
      if (this.syncRevision === 0) this.progress([], {}, 0);
      for await (const e of iter) {
        this.assembler.push(decodeEntry(e) ?? this.foreign(e));
        if (!this.settled && e.revision >= this.syncRevision) {
          this.settled = true;
          this.assembler.settle(this.syncRevision);
        }
      }
      if (!this.stopped) this.fail(new Error('the KV watch ended (NATS connection closed)'));
    } catch (err) {
      if (!this.stopped) this.fail(err);
    }
  }

  private fail(err: unknown): void {
    this.assembler.stop();
    this.channel.end(new ConfigStoreError('STORE_UNAVAILABLE', `watch on the config bucket failed: ${(err as Error).message}; watch again`, { cause: err }));
  }

  /** An entry the store did not write: skipped, but it still counts for reaching the initial state. */
  private foreign(e: KvWatchEntry): ConfigEntry {
    this.logger.warn({ key: e.key, revision: e.revision }, 'skipping a config entry that is not a stored resource');
    return { key: e.key, ref: { kind: '', namespace: '', name: '' }, revision: e.revision, created: e.created, operation: 'PUT' };
  }

  private matches(ref: ResourceRef): boolean {
    return (!this.opts.kind || ref.kind === this.opts.kind) && (!this.opts.namespace || ref.namespace === this.opts.namespace);
  }

  private toChange(e: ConfigEntry): ConfigChange | undefined {
    if (!e.ref.kind || !this.matches(e.ref)) return undefined;
    const prev = this.known.get(e.key);
    if (e.operation === 'DEL') {
      if (!prev) return undefined;
      this.known.delete(e.key);
      return { type: 'DELETED', ref: e.ref, revision: e.revision, resource: e.resource ?? prev };
    }
    if (!e.resource) return undefined;
    this.known.set(e.key, e.resource);
    // A rollback's restoring write puts back what watchers already have.
    if (prev && sameContent(prev, e.resource)) return undefined;
    return { type: prev ? 'MODIFIED' : 'ADDED', ref: e.ref, revision: e.revision, resource: e.resource };
  }

  private release(entries: ConfigEntry[], info: ReleaseInfo): void {
    const changes: ConfigChange[] = [];
    for (const e of entries) {
      const c = this.toChange(e);
      if (c) changes.push(c);
    }
    this.progress(changes, info, maxRevision(entries));
  }

  private progress(changes: ConfigChange[], info: ReleaseInfo, revision: number): void {
    if (!this.synced) {
      this.initial.push(...changes);
      if (revision < this.syncRevision) return;
      this.synced = true;
      const first = this.opts.includeInitial === false ? [] : this.initial;
      this.initial = [];
      this.channel.push({ initial: true, changes: first });
      return;
    }
    if (!changes.length) return;
    if (this.channel.size >= (this.opts.maxPending ?? DEFAULT_MAX_PENDING)) {
      // A consumer this far behind would hold everyone's memory; it starts again from the current state.
      this.logger.warn({ pending: this.channel.size }, 'config watcher fell behind; closing it');
      this.stopped = true;
      this.iter?.stop();
      this.assembler.stop();
      this.channel.end(new ConfigStoreError('STORE_UNAVAILABLE', `the watcher fell ${this.channel.size} updates behind and was closed; watch again`));
      return;
    }
    this.channel.push({ initial: false, changes, ...info });
  }
}

function maxRevision(entries: readonly ConfigEntry[]): number {
  return entries.reduce((m, e) => Math.max(m, e.revision), 0);
}
