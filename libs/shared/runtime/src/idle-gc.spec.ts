import { afterEach, describe, expect, it } from 'vitest';
import { startIdleGc, type IdleGc } from './idle-gc';

let gc: IdleGc | undefined;
afterEach(() => gc?.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Allocates about `mb` MB that lives long enough to reach V8's old space, and is garbage once this returns. */
function litter(mb: number): number {
  const kept: unknown[] = [];
  for (let i = 0; i < mb; i++) kept.push(Buffer.alloc(1024 * 1024, 1), Array.from({ length: 5000 }, (_, j) => ({ j, s: `item ${j}` })));
  return kept.length;
}

describe('idle garbage collection', () => {
  it('collects once the process is idle and memory grew, and frees the garbage', async () => {
    const collected: number[] = [];
    gc = startIdleGc({ intervalMs: 50, minGrowthBytes: 16 * 1024 * 1024, onCollect: ({ freedBytes }) => collected.push(freedBytes) });
    litter(64);
    for (let i = 0; i < 60 && collected.length === 0; i++) await sleep(50);
    expect(gc.stats.collections).toBeGreaterThanOrEqual(1);
    expect(collected[0]).toBeGreaterThan(16 * 1024 * 1024);
  });

  it('does not collect while the event loop is busy, nor when memory did not grow', async () => {
    gc = startIdleGc({ intervalMs: 50, minGrowthBytes: 16 * 1024 * 1024 });
    litter(64);
    // Busy: the loop spins 45 ms of every 50.
    const until = Date.now() + 600;
    while (Date.now() < until) {
      const spin = Date.now() + 45;
      while (Date.now() < spin);
      await sleep(5);
    }
    expect(gc.stats.collections).toBe(0);
    for (let i = 0; i < 60 && gc.stats.collections === 0; i++) await sleep(50);
    expect(gc.stats.collections).toBe(1);
    // Idle, but nothing new to free: no second collection.
    await sleep(400);
    expect(gc.stats.collections).toBe(1);
  });
});
