// Writes a planned batch to KV so that it is all or nothing. NATS 2.9 KV has
// no transactions, so:
//  - every write is conditional on the revision read when the batch was
//    planned (create for an absent key), so a concurrent writer fails the
//    batch instead of being overwritten;
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

/** Revisions written, in plan order. Throws ConfigStoreError after rolling back. */
export async function writeBatch(kv: KV, plan: readonly PlannedWrite[], opts: BatchWriteOptions): Promise<number[]> {
  const mark: BatchMark | undefined = plan.length > 1 ? { id: opts.batchId, size: plan.length } : undefined;
  const written: number[] = [];
  for (const [i, w] of plan.entries()) {
    try {
      await opts.beforeWrite?.(w.key, i);
      const value = encodeDocument(withBatchMark(w.doc, mark));
      written.push(w.previous ? await kv.update(w.key, value, w.previous.revision) : await kv.create(w.key, value));
    } catch (err) {
      const undone = await rollBack(kv, plan.slice(0, written.length), written, opts);
      const what = plan.length > 1 ? `batch ${opts.batchId}: ` : '';
      const after = plan.length > 1 ? `; ${undone ? `the ${written.length} earlier write(s) were rolled back` : 'ROLLBACK INCOMPLETE (see the log)'}` : '';
      if (isRevisionMismatch(err)) {
        throw new ConfigStoreError('STORE_STALE', `${what}${w.name} changed while it was being written${after}; read it again and retry`, { cause: err });
      }
      throw new ConfigStoreError('STORE_UNAVAILABLE', `${what}writing ${w.name} failed: ${(err as Error).message}${after}`, { cause: err });
    }
  }
  // Tombstones have done their job (watchers saw the batch); delete for real.
  for (const [i, w] of plan.entries()) {
    if (!w.doc.metadata.deletionTimestamp) continue;
    await kv.delete(w.key, { previousSeq: written[i]! }).catch((err: Error) => opts.logger.warn({ key: w.key, err: err.message }, 'tombstone not removed; readers treat it as deleted'));
  }
  return written;
}

async function rollBack(kv: KV, done: readonly PlannedWrite[], revisions: readonly number[], opts: BatchWriteOptions): Promise<boolean> {
  const abort: BatchMark = { id: opts.batchId, abort: true };
  let complete = true;
  for (let i = done.length - 1; i >= 0; i--) {
    const w = done[i]!;
    try {
      const before = w.previous?.doc;
      if (before) {
        await kv.update(w.key, encodeDocument(withBatchMark(before, abort)), revisions[i]!);
      } else {
        // Absent before: a marked tombstone (so watchers learn of the abort), then the delete.
        const tomb: StoredDocument = { ...w.doc, metadata: { ...w.doc.metadata, deletionTimestamp: timestamp(opts.now()) } };
        const rev = await kv.update(w.key, encodeDocument(withBatchMark(tomb, abort)), revisions[i]!);
        await kv.delete(w.key, { previousSeq: rev });
      }
    } catch (err) {
      complete = false;
      opts.logger.error({ key: w.key, batch: opts.batchId, err: (err as Error).message }, 'batch rollback could not restore an entry');
    }
  }
  return complete;
}
