import { describe, expect, it } from 'vitest';
import { BatchAssembler, type ReleaseInfo } from './batch-assembler';
import type { BatchMark, ConfigEntry } from './entry-codec';

function entry(key: string, revision: number, batch?: BatchMark, created = 1_000): ConfigEntry {
  const e: ConfigEntry = { key, ref: { kind: 'VirtualService', namespace: 'default', name: key }, revision, created: new Date(created), operation: 'PUT' };
  if (batch) e.batch = batch;
  return e;
}

function harness(atomic = true) {
  let now = 1_000;
  const timers: { at: number; fn: () => void; live: boolean }[] = [];
  const out: string[] = [];
  const asm = new BatchAssembler({
    atomic,
    timeoutMs: 500,
    now: () => now,
    setTimer: (fn, ms) => {
      const t = { at: now + ms, fn, live: true };
      timers.push(t);
      return () => (t.live = false);
    },
    release: (entries: ConfigEntry[], info: ReleaseInfo) => out.push(`${entries.map((e) => e.key).join(',')}${info.batch ? ` [${info.batch}${info.partial ? ' partial' : ''}]` : ''}`),
    drop: (entries) => out.push(`dropped ${entries.map((e) => e.key).join(',')}`),
  });
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers) {
      if (!t.live || t.at > now) continue;
      t.live = false;
      t.fn();
    }
  };
  return { asm, out, advance };
}

describe('BatchAssembler', () => {
  it('releases a batch at once when its last entry arrives, keeping later entries behind it', () => {
    const { asm, out } = harness();
    asm.push(entry('x', 1, { id: 'B', size: 3 }));
    asm.push(entry('y', 2, { id: 'B', size: 3 }));
    asm.push(entry('other', 3));
    expect(out).toEqual([]);
    expect(asm.held).toBe(3);
    asm.push(entry('z', 4, { id: 'B', size: 3 }));
    expect(out).toEqual(['x,y,z [B]', 'other']);
  });

  it('ignores marks in non-atomic mode', () => {
    const { asm, out } = harness(false);
    asm.push(entry('x', 1, { id: 'B', size: 2 }));
    expect(out).toEqual(['x']);
  });

  it('drops an aborted batch and passes the restoring writes on', () => {
    const { asm, out } = harness();
    asm.push(entry('x', 1, { id: 'B', size: 3 }));
    asm.push(entry('y', 2, { id: 'B', size: 3 }));
    asm.push(entry('y', 3, { id: 'B', abort: true }));
    asm.push(entry('x', 4, { id: 'B', abort: true }));
    expect(out).toEqual(['dropped x,y', 'y', 'x']);
  });

  it('releases what arrived, marked partial, after the timeout; a late member goes alone', () => {
    const { asm, out, advance } = harness();
    asm.push(entry('x', 1, { id: 'B', size: 2 }));
    advance(499);
    expect(out).toEqual([]);
    advance(1);
    expect(out).toEqual(['x [B partial]']);
    asm.push(entry('y', 2, { id: 'B', size: 2 }));
    expect(out).toEqual(['x [B partial]', 'y']);
  });

  it('settle releases incomplete batches older than the starting state, not the one in flight', () => {
    const { asm, out } = harness();
    asm.push(entry('a', 1, { id: 'OLD', size: 2 })); // its other member was overwritten later
    asm.push(entry('b', 5, { id: 'NEW', size: 2 }));
    asm.settle(5);
    expect(out).toEqual(['a [OLD]']);
    asm.push(entry('c', 6, { id: 'NEW', size: 2 }));
    expect(out).toEqual(['a [OLD]', 'b,c [NEW]']);
  });

  it('measures the timeout from the write time of an old entry', () => {
    const { asm, out, advance } = harness();
    asm.push(entry('a', 1, { id: 'B', size: 2 }, 0));
    advance(0);
    expect(out).toEqual(['a [B partial]']);
  });
});
