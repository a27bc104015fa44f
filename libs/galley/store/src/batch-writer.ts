// Writes a planned batch to KV so that it is all or nothing. NATS 2.9 KV has
// no transactions, so:
//  - every write is conditional on the revision read when the batch was
//    planned (create for an absent key), so a concurrent writer fails the
//    batch instead of being overwritten; being conditional per key, the
//    writes of a batch go out in parallel;
//  - every entry of a batch of two or more carries `sextant.io/batch: <id>/<n>`
//    so that watchers can hold the entries until all n have arrived;
//  - a delete inside a batch is written as a tombstone (the last content with
//    metadata.deletionTimestamp), which can carry the mark, and is hard-deleted
//    once the whole batch is in;
//  - when a write fails, the writes already made are undone in reverse order
//    with the previous content marked `<id>/abort`, which tells watchers to
//    drop what they hold of the batch.
import type { KV } from '@nats-io/kv';
import type { Logger } from '@sextant/util';
import { ConfigStoreError, isRevisionMismatch } from './errors';
import { encodeDocument, withBatchMark, type BatchMark, type StoredDocument } from './entry-codec';
import { timestamp } from './document-builder';

export interface PlannedWrite {
  key: string;
  /** Human name for messages, e.g. VirtualService/default/reviews. */
  name: string;
  /** What to store: a resource, or a tombstone for a delete. */
  doc: StoredDocument;
  /** The stored entry this write replaces (undefined: absent). `revision` is what the write is conditional on. */
  previous?: { revision: number; doc?: StoredDocument };
}

export interface BatchWriteOptions {
  batchId: string;
  logger: Logger;
  now: () => Date;
  /** Testing seam: runs before each write; a throw there counts as a failed write. */
  beforeWrite?: (key: string, index: number) => void | Promise<void>;
}

/** Writes in flight at once; each is conditional on its own key, so their order does not matter. */
const PARALLEL_WRITES = 64;

/** Revisions written, in plan order. Throws ConfigStoreError after rolling back. */
export async function writeBatch(kv: KV, plan: readonly PlannedWrite[], opts: BatchWriteOptions): Promise<number[]> {
  const mark: BatchMark | undefined = plan.length > 1 ? { id: opts.batchId, size: plan.length } : undefined;
  const written: (number | undefined)[] = new Array(plan.length);
  let failure: { index: number; err: unknown } | undefined;
  let next = 0;
  const worker = async () => {
    while (!failure && next < plan.length) {
      const i = next++;
      const w = plan[i]!;
      try {
        await opts.beforeWrite?.(w.key, i);
        const value = encodeDocument(withBatchMark(w.doc, mark));
        written[i] = w.previous ? await kv.update(w.key, value, w.previous.revision) : await kv.create(w.key, value);
      } catch (err) {
        failure ??= { index: i, err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_WRITES, plan.length) }, worker));
  if (failure) {
    const done = plan.map((w, i) => ({ w, revision: written[i] })).filter((d): d is { w: PlannedWrite; revision: number } => d.revision !== undefined);
    const undone = await rollBack(kv, done, opts);
    const w = plan[failure.index]!;
    const what = plan.length > 1 ? `batch ${opts.batchId}: ` : '';
    const after = plan.length > 1 ? `; ${undone ? `the ${done.length} earlier write(s) were rolled back` : 'ROLLBACK INCOMPLETE (see the log)'}` : '';
    if (isRevisionMismatch(failure.err)) {
      throw new ConfigStoreError('STORE_STALE', `${what}${w.name} changed while it was being written${after}; read it again and retry`, { cause: failure.err });
    }
    throw new ConfigStoreError('STORE_UNAVAILABLE', `${what}writing ${w.name} failed: ${(failure.err as Error).message}${after}`, { cause: failure.err });
  }
  const revisions = written as number[];
  // Tombstones have done their job (watchers saw the batch); delete for real.
  await Promise.all(
    plan.map((w, i) =>
      w.doc.metadata.deletionTimestamp
        ? kv.delete(w.key, { previousSeq: revisions[i]! }).catch((err: Error) => opts.logger.warn({ key: w.key, err: err.message }, 'tombstone not removed; readers treat it as deleted'))
        : undefined,
    ),
  );
  return revisions;
}

async function rollBack(kv: KV, done: readonly { w: PlannedWrite; revision: number }[], opts: BatchWriteOptions): Promise<boolean> {
  const abort: BatchMark = { id: opts.batchId, abort: true };
  let complete = true;
  // Newest first, so that the bucket steps back the way it went forward.
  for (const { w, revision } of [...done].sort((a, b) => b.revision - a.revision)) {
    try {
      const before = w.previous?.doc;
      if (before) {
        await kv.update(w.key, encodeDocument(withBatchMark(before, abort)), revision);
      } else {
        // Absent before: a marked tombstone (so watchers learn of the abort), then the delete.
        const tomb: StoredDocument = { ...w.doc, metadata: { ...w.doc.metadata, deletionTimestamp: timestamp(opts.now()) } };
        const rev = await kv.update(w.key, encodeDocument(withBatchMark(tomb, abort)), revision);
        await kv.delete(w.key, { previousSeq: rev });
      }
    } catch (err) {
      complete = false;
      opts.logger.error({ key: w.key, batch: opts.batchId, err: (err as Error).message }, 'batch rollback could not restore an entry');
    }
  }
  return complete;
}
