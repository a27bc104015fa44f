import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@sextant/util';
import { ConfigStore } from './config-store';
import { collect, startNats, vs, type NatsFixture } from './spec-helpers';

let fx: NatsFixture;
beforeAll(async () => {
  fx = await startNats();
});
afterAll(async () => fx?.close());

const names = (u: { changes: { type: string; ref: { name: string } }[] }) => u.changes.map((c) => `${c.type} ${c.ref.name}`);

describe('ConfigStore.watch', () => {
  it('sends the starting state as one initial update, then changes; filters by kind and namespace', async () => {
    const store = new ConfigStore({ kv: await fx.bucket() });
    await store.apply([vs('a'), vs('b', ['x'], {}, 'other')]);
    await store.delete([{ kind: 'VirtualService', namespace: 'default', name: 'a' }]);
    await store.apply([vs('c')]);
    const all = store.watch();
    const only = store.watch({ namespace: 'default' });
    const a = collect(all);
    const o = collect(only);
    await waitFor(() => a.updates.length === 1 && o.updates.length === 1, { timeoutMs: 5_000, what: 'initial updates' });
    expect(a.updates[0]).toMatchObject({ initial: true });
    expect(names(a.updates[0]!).sort()).toEqual(['ADDED b', 'ADDED c']);
    expect(names(o.updates[0]!)).toEqual(['ADDED c']);
    await store.apply([vs('c', ['changed'])]);
    await store.delete([{ kind: 'VirtualService', namespace: 'other', name: 'b' }]);
    await waitFor(() => a.updates.length === 3, { timeoutMs: 5_000, what: 'changes' });
    expect(a.updates.slice(1).map(names)).toEqual([['MODIFIED c'], ['DELETED b']]);
    expect(a.updates[2]!.changes[0]!.resource.spec).toEqual(vs('b', ['x']).spec);
    await waitFor(() => o.updates.length === 2, { timeoutMs: 5_000, what: 'filtered change' });
    expect(o.updates.map(names)).toEqual([['ADDED c'], ['MODIFIED c']]);
    all.stop();
    only.stop();
    await a.done;
  });

  it('sends an empty initial update for an empty bucket, and can leave the initial state out', async () => {
    const store = new ConfigStore({ kv: await fx.bucket() });
    const w = collect(store.watch());
    await waitFor(() => w.updates.length === 1, { timeoutMs: 5_000, what: 'initial' });
    expect(w.updates[0]).toEqual({ initial: true, changes: [] });
    await store.apply([vs('a')]);
    const quiet = collect(store.watch({ includeInitial: false }));
    await waitFor(() => quiet.updates.length === 1, { timeoutMs: 5_000, what: 'initial' });
    expect(quiet.updates[0]).toEqual({ initial: true, changes: [] });
    await store.apply([vs('a', ['z'])]);
    await waitFor(() => quiet.updates.length === 2, { timeoutMs: 5_000, what: 'change' });
    expect(names(quiet.updates[1]!)).toEqual(['MODIFIED a']);
  });

  it('delivers a batch as one update in atomic mode, and entry by entry otherwise', async () => {
    const store = new ConfigStore({ kv: await fx.bucket() });
    await store.apply([vs('old')]);
    const atomic = store.watch();
    const loose = store.watch({ atomic: false });
    const a = collect(atomic);
    const l = collect(loose);
    await waitFor(() => a.updates.length === 1 && l.updates.length === 1, { timeoutMs: 5_000, what: 'initial' });
    const { batch } = await store.apply([vs('x'), vs('y'), vs('z')]);
    expect(batch).toBeTruthy();
    await waitFor(() => l.updates.length === 4, { timeoutMs: 5_000, what: 'three single updates' });
    await waitFor(() => a.updates.length === 2, { timeoutMs: 5_000, what: 'one batch update' });
    expect(a.updates[1]).toMatchObject({ initial: false, batch });
    expect(names(a.updates[1]!)).toEqual(['ADDED x', 'ADDED y', 'ADDED z']);
    // A batch that mixes deletes and changes: deletes travel as tombstones, then vanish from KV.
    const second = await store.write([
      { op: 'delete', ref: { kind: 'VirtualService', namespace: 'default', name: 'x' } },
      { op: 'delete', ref: { kind: 'VirtualService', namespace: 'default', name: 'old' } },
      { op: 'apply', resource: vs('y', ['new']) },
    ]);
    await waitFor(() => a.updates.length === 3, { timeoutMs: 5_000, what: 'second batch' });
    expect(a.updates[2]).toMatchObject({ batch: second.batch });
    expect(names(a.updates[2]!)).toEqual(['DELETED x', 'DELETED old', 'MODIFIED y']);
    expect((await store.list()).map((s) => s.ref.name)).toEqual(['y', 'z']);
    await waitFor(async () => (await store.history({ kind: 'VirtualService', namespace: 'default', name: 'x' })).at(-1)?.operation === 'DEL', { timeoutMs: 2_000 });
    // No further updates for the hard deletes of the tombstones.
    await new Promise((r) => setTimeout(r, 200));
    expect(a.updates.length).toBe(3);
    atomic.stop();
    loose.stop();
  });

  it('never shows a watcher any part of a batch that was rolled back', async () => {
    let failAt = -1;
    const store = new ConfigStore({ kv: await fx.bucket(), beforeWrite: (_k, i) => { if (i === failAt) throw new Error('boom'); } });
    await store.apply([vs('a', ['one'])]);
    const watch = store.watch();
    const w = collect(watch);
    await waitFor(() => w.updates.length === 1, { timeoutMs: 5_000, what: 'initial' });
    failAt = 2;
    await expect(store.apply([vs('a', ['two']), vs('b'), vs('c')])).rejects.toThrow(/rolled back/);
    failAt = -1;
    await store.apply([vs('marker')]);
    await waitFor(() => w.updates.length >= 2, { timeoutMs: 5_000, what: 'marker' });
    expect(w.updates.slice(1).map(names)).toEqual([['ADDED marker']]);
    expect(watch.held).toBe(0);
    watch.stop();
  });

  it('holds a batch whose writer stalls and releases it when the last entry arrives', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const store = new ConfigStore({ kv: await fx.bucket(), beforeWrite: async (_k, i) => { if (i === 2) await gate; } });
    const watch = store.watch();
    const w = collect(watch);
    await waitFor(() => w.updates.length === 1, { timeoutMs: 5_000, what: 'initial' });
    const applying = store.apply([vs('x'), vs('y'), vs('z')]);
    await waitFor(() => watch.held === 2, { timeoutMs: 5_000, what: 'two entries held' });
    expect(w.updates.length).toBe(1);
    release();
    await applying;
    await waitFor(() => w.updates.length === 2, { timeoutMs: 5_000, what: 'batch' });
    expect(names(w.updates[1]!)).toEqual(['ADDED x', 'ADDED y', 'ADDED z']);
    watch.stop();
  });

  it('releases an incomplete batch as partial after the timeout (writer died)', async () => {
    const gate = new Promise<void>(() => undefined);
    const store = new ConfigStore({ kv: await fx.bucket(), batchTimeoutMs: 300, beforeWrite: async (_k, i) => { if (i === 1) await gate; } });
    const w = collect(store.watch());
    await waitFor(() => w.updates.length === 1, { timeoutMs: 5_000, what: 'initial' });
    void store.apply([vs('x'), vs('y')]);
    await waitFor(() => w.updates.length === 2, { timeoutMs: 5_000, what: 'partial batch' });
    expect(w.updates[1]).toMatchObject({ partial: true });
    expect(names(w.updates[1]!)).toEqual(['ADDED x']);
  });
});

describe('a watcher that falls behind', () => {
  it('is closed with STORE_UNAVAILABLE after maxPending updates instead of growing without bound', async () => {
    const store = new ConfigStore({ kv: await fx.bucket() });
    const watch = store.watch({ maxPending: 3 });
    const it = watch[Symbol.asyncIterator]();
    expect((await it.next()).value).toMatchObject({ initial: true });
    for (let i = 0; i < 5; i++) await store.apply([vs(`n${i}`)]);
    await new Promise((r) => setTimeout(r, 300));
    const got: string[] = [];
    const err = await (async () => {
      for (;;) {
        const r = await it.next();
        if (r.done) return undefined;
        got.push(r.value.changes[0]!.ref.name);
      }
    })().catch((e: Error) => e);
    expect(got).toEqual(['n0', 'n1', 'n2']);
    expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});
