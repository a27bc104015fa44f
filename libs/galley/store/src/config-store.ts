// The config store: validated Istio resources in the `sextant_config` KV
// bucket. Reads, atomic multi-resource writes with optimistic concurrency,
// history and rollback, status conditions, and batch-aware watches.
import { randomBytes } from 'node:crypto';
import type { KV } from '@nats-io/kv';
import { withCondition, type ConditionInput, type Resource, type ResourceRef } from '@sextant/config-model';
import { silentLogger, type Logger } from '@sextant/util';
import { watchConfig, DEFAULT_BATCH_TIMEOUT_MS, type ConfigWatch, type WatchOptions } from './batch-watcher';
import { writeBatch, type PlannedWrite } from './batch-writer';
import { buildDocument, sameUserParts, tombstoneOf, userResource, type ApplyAction } from './document-builder';
import { asResource, encodeDocument, refKey, sameContent, storageKey, withBatchMark, type ConfigEntry, type StoredDocument } from './entry-codec';
import { ConfigStoreError, isRevisionMismatch } from './errors';
import { readAllEntries, readEntry, readHistory } from './kv-reader';
import { Mutex } from './mutex';

export interface StoredResource {
  ref: ResourceRef;
  /** KV revision; also in resource.metadata.resourceVersion. */
  revision: number;
  resource: Resource;
}

/**
 * One change of a batch. An `apply` resource must be validated and normalised
 * already; its metadata.resourceVersion, when set, is the revision it must
 * still have. A `delete` may name the revision it must still have.
 */
export type BatchOp =
  | { op: 'apply'; resource: Resource }
  | { op: 'delete'; ref: ResourceRef; expectedRevision?: number; ignoreMissing?: boolean };

export interface WriteOptions {
  /** Check and compute everything, write nothing. */
  dryRun?: boolean;
  /** Who is writing; kept in the `sextant.io/field-manager` annotation. */
  fieldManager?: string;
}

export interface OpResult {
  ref: ResourceRef;
  action: ApplyAction | 'deleted' | 'not-found';
  /** Revision written (or current, when nothing was written; 0 for a dry-run create). */
  revision: number;
  /** What is (or would be) stored; for a delete, the last content. */
  resource?: Resource;
}

export interface WriteResult {
  /** Batch id when two or more entries were written together. */
  batch?: string;
  dryRun: boolean;
  results: OpResult[];
}

export interface HistoryItem {
  revision: number;
  operation: 'PUT' | 'DEL';
  created: Date;
  resource?: Resource;
}

export interface RollbackOptions extends WriteOptions {
  /** Revision to restore; default: the latest earlier revision whose spec, labels or annotations differ. */
  toRevision?: number;
}

export interface ConfigStoreOptions {
  kv: KV;
  logger?: Logger;
  /** Validates and normalises a resource about to be restored by rollback; throws to refuse it. */
  admit?: (resource: Resource) => Resource | Promise<Resource>;
  now?: () => Date;
  /** Default for watch(): how long a watcher waits for the rest of a batch. */
  batchTimeoutMs?: number;
  /** Testing seam: runs before each KV write of a batch; a throw there is a failed write. */
  beforeWrite?: (key: string, index: number) => void | Promise<void>;
}

const STATUS_RETRIES = 5;

export class ConfigStore {
  private readonly kv: KV;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly lock = new Mutex();

  constructor(private readonly opts: ConfigStoreOptions) {
    this.kv = opts.kv;
    this.logger = opts.logger ?? silentLogger();
    this.now = opts.now ?? (() => new Date());
  }

  async get(ref: ResourceRef): Promise<StoredResource | undefined> {
    const e = await readEntry(this.kv, storageKey(ref));
    return e && live(e) ? stored(e) : undefined;
  }

  /** Like get, but a missing resource is a STORE_NOT_FOUND error. */
  async require(ref: ResourceRef): Promise<StoredResource> {
    const found = await this.get(ref);
    if (!found) throw notFound(ref);
    return found;
  }

  /** Current resources, sorted by kind, namespace and name. */
  async list(filter: { kind?: string; namespace?: string } = {}): Promise<StoredResource[]> {
    const entries = await readAllEntries(this.kv);
    return entries
      .filter((e) => live(e) && (!filter.kind || e.ref.kind === filter.kind) && (!filter.namespace || e.ref.namespace === filter.namespace))
      .map(stored)
      .sort((a, b) => compareRefs(a.ref, b.ref));
  }

  /** Applies resources as one atomic batch. */
  apply(resources: readonly Resource[], opts: WriteOptions = {}): Promise<WriteResult> {
    return this.write(
      resources.map((resource) => ({ op: 'apply', resource })),
      opts,
    );
  }

  /** Deletes resources as one atomic batch. */
  delete(refs: readonly ResourceRef[], opts: WriteOptions & { expectedRevision?: number; ignoreMissing?: boolean } = {}): Promise<WriteResult> {
    return this.write(
      refs.map((ref) => ({ op: 'delete', ref, expectedRevision: opts.expectedRevision, ignoreMissing: opts.ignoreMissing })),
      opts,
    );
  }

  /**
   * Writes every op or none. Conflicts (a stale resourceVersion, a missing
   * resource to delete) are all checked before the first write; a failure
   * during the writes rolls back the ones made.
   */
  async write(ops: readonly BatchOp[], opts: WriteOptions = {}): Promise<WriteResult> {
    const refs = ops.map(opRef);
    const seen = new Set<string>();
    for (const ref of refs) {
      const k = storageKey(ref);
      if (seen.has(k)) throw new ConfigStoreError('STORE_INVALID', `${refKey(ref)} appears more than once in one batch`);
      seen.add(k);
    }
    return this.lock.run(async () => {
      const current = await Promise.all(refs.map((ref) => readEntry(this.kv, storageKey(ref))));
      const now = this.now();
      const results: OpResult[] = [];
      const plan: { index: number; write: PlannedWrite }[] = [];
      const stale: string[] = [];
      const missing: string[] = [];
      ops.forEach((op, i) => {
        const ref = refs[i]!;
        const entry = current[i];
        const have = entry && live(entry) ? entry : undefined;
        const previous = entry && entry.operation === 'PUT' ? { revision: entry.revision, doc: have?.resource as StoredDocument | undefined } : undefined;
        const key = storageKey(ref);
        if (op.op === 'apply') {
          const expected = op.resource.metadata.resourceVersion;
          if (expected && !have) stale.push(`${refKey(ref)}: resourceVersion ${expected} was given, but the resource does not exist`);
          else if (expected && have && String(have.revision) !== expected) stale.push(`${refKey(ref)}: resourceVersion ${expected} was given, but the stored one is ${have.revision}`);
          const built = buildDocument(op.resource, have?.resource, now, opts.fieldManager);
          results.push({ ref, action: built.action, revision: have?.revision ?? 0, resource: built.doc });
          if (built.action !== 'unchanged') plan.push({ index: i, write: { key, name: refKey(ref), doc: built.doc, previous } });
        } else {
          if (!have) {
            results.push({ ref, action: 'not-found', revision: 0 });
            if (!op.ignoreMissing) missing.push(`${refKey(ref)} not found`);
            return;
          }
          if (op.expectedRevision && op.expectedRevision !== have.revision) {
            stale.push(`${refKey(ref)}: resourceVersion ${op.expectedRevision} was given, but the stored one is ${have.revision}`);
          }
          results.push({ ref, action: 'deleted', revision: have.revision, resource: have.resource });
          plan.push({ index: i, write: { key, name: refKey(ref), doc: tombstoneOf(have.resource!, now), previous } });
        }
      });
      if (stale.length) throw new ConfigStoreError('STORE_STALE', `${plural(stale.length, 'conflict')}; nothing was written:\n${stale.join('\n')}`);
      if (missing.length) throw new ConfigStoreError('STORE_NOT_FOUND', `${missing.join('\n')}; nothing was deleted`);
      if (opts.dryRun || plan.length === 0) return { dryRun: !!opts.dryRun, results };

      const batch = plan.length > 1 ? newBatchId() : undefined;
      const revisions = await this.commit(plan.map((p) => p.write), batch ?? newBatchId());
      plan.forEach((p, j) => {
        const r = results[p.index]!;
        if (r.action === 'deleted') r.revision = revisions[j]!;
        else {
          r.revision = revisions[j]!;
          r.resource = asResource(p.write.doc, revisions[j]!);
        }
      });
      this.logger.info({ batch, writes: plan.length, fieldManager: opts.fieldManager }, 'config written');
      const out: WriteResult = { dryRun: false, results };
      if (batch) out.batch = batch;
      return out;
    });
  }

  /** Every revision the bucket keeps for the resource (64 by default), oldest first. */
  async history(ref: ResourceRef): Promise<HistoryItem[]> {
    const entries = await readHistory(this.kv, storageKey(ref));
    if (!entries.length) throw notFound(ref);
    return entries.map((e) => {
      const item: HistoryItem = { revision: e.revision, operation: e.operation, created: e.created };
      if (e.resource) item.resource = e.resource;
      return item;
    });
  }

  /** Restores an earlier revision: validated again (admit), then applied on top of the current one. */
  async rollback(ref: ResourceRef, opts: RollbackOptions = {}): Promise<OpResult> {
    const entries = await readHistory(this.kv, storageKey(ref));
    if (!entries.length) throw notFound(ref);
    const last = entries[entries.length - 1]!;
    const current = live(last) ? last : undefined;
    let target: ConfigEntry | undefined;
    if (opts.toRevision) {
      target = entries.find((e) => e.revision === opts.toRevision);
      if (!target) {
        const kept = entries.map((e) => e.revision).join(', ');
        throw new ConfigStoreError('STORE_NOT_FOUND', `revision ${opts.toRevision} of ${refKey(ref)} is not in its history (kept: ${kept})`);
      }
      if (!live(target)) throw new ConfigStoreError('STORE_INVALID', `revision ${opts.toRevision} of ${refKey(ref)} is a deletion; pick a revision that stored the resource`);
    } else {
      target = [...entries].reverse().find((e) => e !== last && live(e) && (!current || !sameUserParts(e.resource!, current.resource!)));
      if (!target) throw new ConfigStoreError('STORE_NOT_FOUND', `${refKey(ref)} has no earlier revision that differs from the current one`);
    }
    const admitted = await (this.opts.admit ?? ((r: Resource) => r))(userResource(target.resource!));
    const resource: Resource = { ...admitted, metadata: { ...admitted.metadata, resourceVersion: current ? String(current.revision) : undefined } };
    const result = await this.write([{ op: 'apply', resource }], opts);
    return result.results[0]!;
  }

  /** Sets one status condition (replacing one of the same type); no generation change. */
  async setCondition(ref: ResourceRef, condition: ConditionInput): Promise<StoredResource> {
    const key = storageKey(ref);
    return this.lock.run(async () => {
      for (let attempt = 1; ; attempt++) {
        const e = await readEntry(this.kv, key);
        if (!e || !live(e)) throw notFound(ref);
        const next = withCondition(e.resource!, condition, this.now()) as StoredDocument;
        if (sameContent(next, e.resource!)) return stored(e);
        try {
          const revision = await this.kv.update(key, encodeDocument(withBatchMark(next, undefined)), e.revision);
          return { ref, revision, resource: asResource(withBatchMark(next, undefined), revision) };
        } catch (err) {
          if (!isRevisionMismatch(err) || attempt >= STATUS_RETRIES) {
            throw new ConfigStoreError(isRevisionMismatch(err) ? 'STORE_STALE' : 'STORE_UNAVAILABLE', `setting ${condition.type} on ${refKey(ref)}: ${(err as Error).message}`, { cause: err });
          }
        }
      }
    });
  }

  /** Watches the bucket; see ConfigUpdate for what arrives. */
  watch(opts: WatchOptions = {}): ConfigWatch {
    return watchConfig(this.kv, { batchTimeoutMs: this.opts.batchTimeoutMs ?? DEFAULT_BATCH_TIMEOUT_MS, ...opts }, this.logger);
  }

  private async commit(plan: PlannedWrite[], batchId: string): Promise<number[]> {
    const only = plan[0]!;
    if (plan.length === 1 && only.doc.metadata.deletionTimestamp) {
      // A lone delete needs no tombstone: nothing to keep together.
      try {
        await this.opts.beforeWrite?.(only.key, 0);
        await this.kv.delete(only.key, { previousSeq: only.previous!.revision });
        const after = await readEntry(this.kv, only.key);
        return [after?.revision ?? only.previous!.revision];
      } catch (err) {
        if (isRevisionMismatch(err)) throw new ConfigStoreError('STORE_STALE', `${only.name} changed while it was being deleted; read it again and retry`, { cause: err });
        throw new ConfigStoreError('STORE_UNAVAILABLE', `deleting ${only.name} failed: ${(err as Error).message}`, { cause: err });
      }
    }
    return writeBatch(this.kv, plan, { batchId, logger: this.logger, now: this.now, beforeWrite: this.opts.beforeWrite });
  }
}

function live(e: ConfigEntry): boolean {
  return e.operation === 'PUT' && !!e.resource;
}

function stored(e: ConfigEntry): StoredResource {
  return { ref: e.ref, revision: e.revision, resource: e.resource! };
}

function opRef(op: BatchOp): ResourceRef {
  if (op.op === 'delete') return op.ref;
  const m = op.resource.metadata;
  return { kind: op.resource.kind, namespace: m.namespace ?? '', name: m.name };
}

function notFound(ref: ResourceRef): ConfigStoreError {
  return new ConfigStoreError('STORE_NOT_FOUND', `${refKey(ref)} not found`);
}

function compareRefs(a: ResourceRef, b: ResourceRef): number {
  return a.kind.localeCompare(b.kind) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function newBatchId(): string {
  return `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
