// Holds the entries of an incomplete batch so that a watcher releases a batch
// all at once. Entries leave in the order they arrived: a batch that is still
// filling up holds back what came after it (batches are written in
// milliseconds; a batch whose writer died is released, marked partial, after
// the timeout). Pure: time and timers are injected.
import type { ConfigEntry } from './entry-codec';

export interface ReleaseInfo {
  batch?: string;
  /** The batch timed out before all its entries arrived. */
  partial?: boolean;
}

export interface AssemblerOptions {
  /** false: every entry is released on its own, marks are ignored. */
  atomic: boolean;
  timeoutMs: number;
  now: () => number;
  setTimer: (fn: () => void, ms: number) => () => void;
  release: (entries: ConfigEntry[], info: ReleaseInfo) => void;
  /** Entries of an aborted batch, never released (for revision tracking). */
  drop: (entries: ConfigEntry[]) => void;
  onTimeout?: (batch: string, have: number, want: number) => void;
}

interface Slot {
  entries: ConfigEntry[];
  batch?: string;
  size: number;
  keys: Set<string>;
  state: 'open' | 'ready' | 'aborted';
  partial?: boolean;
  cancel?: () => void;
}

const REMEMBERED = 1024;

export class BatchAssembler {
  private readonly queue: Slot[] = [];
  private readonly open = new Map<string, Slot>();
  /** Batches already released or aborted: a late entry of one is released on its own. */
  private readonly closed = new Set<string>();
  private stopped = false;

  constructor(private readonly opts: AssemblerOptions) {}

  push(entry: ConfigEntry): void {
    if (this.stopped) return;
    const mark = entry.batch;
    if (!this.opts.atomic || !mark || this.closed.has(mark.id)) {
      this.enqueueSingle(entry);
    } else if (mark.abort) {
      const slot = this.open.get(mark.id);
      if (slot) {
        slot.state = 'aborted';
        this.close(slot);
      } else {
        this.remember(mark.id);
      }
      this.enqueueSingle(entry);
    } else if (mark.size <= 1) {
      this.enqueueSingle(entry);
    } else {
      let slot = this.open.get(mark.id);
      if (!slot) {
        slot = { entries: [], batch: mark.id, size: mark.size, keys: new Set(), state: 'open' };
        this.open.set(mark.id, slot);
        this.queue.push(slot);
        // Measured from the entry's write time, so an old incomplete batch
        // found in the initial state (a member since overwritten, or a
        // writer that died) does not hold anything up.
        const deadline = Math.min(this.opts.now(), entry.created.getTime()) + this.opts.timeoutMs;
        const s = slot;
        s.cancel = this.opts.setTimer(() => this.expire(s), Math.max(0, deadline - this.opts.now()));
      }
      slot.entries.push(entry);
      slot.keys.add(entry.key);
      if (slot.keys.size >= slot.size) {
        slot.state = 'ready';
        this.close(slot);
      }
    }
    this.drain();
  }

  /**
   * Releases open batches whose entries are all older than `revision`. A
   * watcher calls it once it has read the whole starting state: a batch
   * found incomplete there, with something written after it, lost a member
   * to a later write (the store writes one batch at a time), so nothing
   * more of it will come.
   */
  settle(revision: number): void {
    for (const slot of this.open.values()) {
      if (slot.entries.every((e) => e.revision < revision)) {
        slot.state = 'ready';
        this.close(slot);
      }
    }
    this.drain();
  }

  /** Drops everything held and cancels timers. */
  stop(): void {
    this.stopped = true;
    for (const slot of this.queue) slot.cancel?.();
    this.queue.length = 0;
    this.open.clear();
  }

  /** Entries held right now (for diagnostics). */
  get held(): number {
    return this.queue.reduce((n, s) => n + s.entries.length, 0);
  }

  private enqueueSingle(entry: ConfigEntry): void {
    this.queue.push({ entries: [entry], size: 1, keys: new Set([entry.key]), state: 'ready' });
  }

  private expire(slot: Slot): void {
    if (slot.state !== 'open' || this.stopped) return;
    this.opts.onTimeout?.(slot.batch!, slot.keys.size, slot.size);
    slot.state = 'ready';
    slot.partial = true;
    this.close(slot);
    this.drain();
  }

  private close(slot: Slot): void {
    slot.cancel?.();
    if (slot.batch) {
      this.open.delete(slot.batch);
      this.remember(slot.batch);
    }
  }

  private remember(id: string): void {
    this.closed.add(id);
    if (this.closed.size > REMEMBERED) this.closed.delete(this.closed.values().next().value!);
  }

  private drain(): void {
    while (this.queue.length && this.queue[0]!.state !== 'open') {
      const slot = this.queue.shift()!;
      if (slot.state === 'aborted') {
        this.opts.drop(slot.entries);
        continue;
      }
      const info: ReleaseInfo = {};
      if (slot.batch) info.batch = slot.batch;
      if (slot.partial) info.partial = true;
      this.opts.release(slot.entries, info);
    }
  }
}
