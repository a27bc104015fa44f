import { describe, expect, it } from 'vitest';
import type { Resource } from '@sextant/config-model';
import type { ConfigChange, ConfigUpdate, ConfigWatch } from '@sextant/config-store';
import { silentLogger, waitFor } from '@sextant/util';
import { configAdmission } from './config-admission';
import { ConfigWatcher, type ConfigEvent } from './config-watcher';

const vs = (name: string, rv: string, weight: unknown = 100): Resource =>
  ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace: 'default', resourceVersion: rv },
    spec: { hosts: [`${name}.default.svc.cluster.local`], http: [{ route: [{ destination: { host: `${name}.default.svc.cluster.local` }, weight }] }] },
  }) as Resource;

const change = (type: ConfigChange['type'], r: Resource): ConfigChange => ({
  type,
  ref: { kind: r.kind, namespace: r.metadata.namespace!, name: r.metadata.name },
  revision: Number(r.metadata.resourceVersion),
  resource: r,
});

function watcher(open: () => Promise<ConfigWatch> = () => new Promise(() => undefined)) {
  const w = new ConfigWatcher({ open, logger: silentLogger(), admit: configAdmission(true), retryMs: 10 });
  const events: ConfigEvent[] = [];
  w.onChange((e) => events.push(e));
  return { w, events };
}

/** A ConfigWatch fed by the test. */
function fakeWatch(updates: ConfigUpdate[]): ConfigWatch & { push(u: ConfigUpdate): void } {
  const queue = [...updates];
  let wake: (() => void) | undefined;
  let stopped = false;
  return {
    held: 0,
    push(u) {
      queue.push(u);
      wake?.();
    },
    stop() {
      stopped = true;
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        while (queue.length) yield queue.shift()!;
        if (stopped) return;
        await new Promise<void>((r) => (wake = r));
      }
    },
  };
}

describe('ConfigWatcher', () => {
  it('loads the initial state, then applies each batch as one change', () => {
    const { w, events } = watcher();
    expect(w.loaded).toBe(false);
    w.apply({ initial: true, changes: [change('ADDED', vs('a', '1'))] });
    expect(w.loaded).toBe(true);
    expect(events).toHaveLength(1);
    expect([...events[0]!.keys]).toEqual(['VirtualService/default/a']);
    w.apply({ initial: false, batch: 'b1', changes: [change('MODIFIED', vs('a', '2')), change('ADDED', vs('b', '3'))] });
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ initial: false, batch: 'b1' });
    expect([...events[1]!.keys].sort()).toEqual(['VirtualService/default/a', 'VirtualService/default/b']);
    expect(w.configs().map((c) => c.metadata.resourceVersion)).toEqual(['2', '3']);
    w.apply({ initial: false, changes: [change('DELETED', vs('a', '4'))] });
    expect(w.configs().map((c) => c.metadata.name)).toEqual(['b']);
  });

  it('skips an invalid resource, keeps its last valid version and reports why', () => {
    const { w, events } = watcher();
    w.apply({ initial: true, changes: [change('ADDED', vs('a', '1'))] });
    w.apply({ initial: false, changes: [change('MODIFIED', vs('a', '2', 'lots')), change('ADDED', vs('c', '3', 'many'))] });
    expect(events).toHaveLength(1);
    expect(w.configs().map((c) => `${c.metadata.name}@${c.metadata.resourceVersion}`)).toEqual(['a@1']);
    expect(w.rejected().map((r) => [r.key, r.keptPrevious])).toEqual([
      ['VirtualService/default/a', true],
      ['VirtualService/default/c', false],
    ]);
    expect(w.rejected()[0]!.reason).toMatch(/weight/);
    w.apply({ initial: false, changes: [change('MODIFIED', vs('a', '5'))] });
    expect(w.rejected().map((r) => r.key)).toEqual(['VirtualService/default/c']);
  });

  it('diffs a restarted watch against what it holds', () => {
    const { w, events } = watcher();
    w.apply({ initial: true, changes: [change('ADDED', vs('a', '1')), change('ADDED', vs('b', '2'))] });
    w.apply({ initial: true, changes: [change('ADDED', vs('a', '1')), change('ADDED', vs('c', '3'))] });
    expect([...events[1]!.keys].sort()).toEqual(['VirtualService/default/b', 'VirtualService/default/c']);
    expect(w.configs().map((c) => c.metadata.name)).toEqual(['a', 'c']);
  });

  it('watches again after a failure or a restart, keeping its state meanwhile', async () => {
    const watches: ReturnType<typeof fakeWatch>[] = [];
    let attempts = 0;
    const { w, events } = watcher(async () => {
      if (attempts++ === 0) throw new Error('NATS not connected');
      const fw = fakeWatch([{ initial: true, changes: [change('ADDED', vs('a', String(attempts)))] }]);
      watches.push(fw);
      return fw;
    });
    w.start();
    await w.whenLoaded();
    expect(w.status()).toMatchObject({ loaded: true, restarts: 1, lastError: 'NATS not connected' });
    w.restart('test');
    await waitFor(() => events.length === 2, { timeoutMs: 2000, what: 'second initial state' });
    expect(w.configs()[0]!.metadata.resourceVersion).toBe('3');
    await w.stop();
  });
});
