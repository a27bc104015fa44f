import { describe, expect, it } from 'vitest';
import { type Clock, debounce } from './debounce';
import { type PushRequest, endpointPush, fullPush } from './push-request';

/** A clock whose time only moves when the test says so. */
class FakeClock implements Clock {
  t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private seq = 0;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.seq;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (h: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== h);
  };
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
}

function setup(options: { quietMs?: number; maxDelayMs?: number } = {}) {
  const clock = new FakeClock();
  const pushed: { at: number; req: PushRequest }[] = [];
  const d = debounce((req) => void pushed.push({ at: clock.now(), req }), { clock, ...options });
  return { clock, pushed, d };
}

describe('debounce', () => {
  it('pushes after 100 ms of quiet', () => {
    const { clock, pushed, d } = setup();
    d.enqueue(fullPush('a', { start: 0 }));
    clock.advance(99);
    expect(pushed).toEqual([]);
    clock.advance(1);
    expect(pushed.map((p) => p.at)).toEqual([100]);
  });

  it('restarts the quiet period on every change, and merges the burst into one push', () => {
    const { clock, pushed, d } = setup();
    for (let i = 0; i < 5; i++) {
      d.enqueue(endpointPush(`ep${i}`, { clusters: [`c${i}`], start: clock.now() }));
      clock.advance(60);
    }
    expect(pushed).toEqual([]);
    clock.advance(40); // 100 ms after the last change
    expect(pushed).toHaveLength(1);
    const req = pushed[0]!.req;
    expect(req.full).toBe(false);
    expect(req.start).toBe(0);
    expect(req.reason).toEqual(['ep0', 'ep1', 'ep2', 'ep3', 'ep4']);
    expect([...req.names!.get([...req.types!][0]!)!].sort()).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
  });

  it('pushes at the latest 10 s after the first change of an endless burst', () => {
    const { clock, pushed, d } = setup();
    for (let t = 0; t < 12_000; t += 50) {
      d.enqueue(endpointPush('churn', { start: clock.now() }));
      clock.advance(50);
    }
    expect(pushed[0]!.at).toBe(10_000);
    expect(pushed[0]!.req.start).toBe(0);
  });

  it('lets a full push win over endpoint-only and unions the changed types', () => {
    const { clock, pushed, d } = setup();
    d.enqueue(endpointPush('eds', { clusters: ['a'], start: 0 }));
    d.enqueue(fullPush('vs', { types: ['type.googleapis.com/envoy.config.route.v3.RouteConfiguration'], start: 1 }));
    clock.advance(100);
    const req = pushed[0]!.req;
    expect(req.full).toBe(true);
    expect([...req.types!].sort()).toEqual([
      'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
      'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
    ]);
    // A full push of all types absorbs everything.
    d.enqueue(endpointPush('eds'));
    d.enqueue(fullPush('all'));
    clock.advance(100);
    expect(pushed[1]!.req.types).toBeUndefined();
    expect(pushed[1]!.req.names).toBeUndefined();
  });

  it('runs one push at a time; changes during a push wait for the next', async () => {
    const clock = new FakeClock();
    const started: PushRequest[] = [];
    let finish!: () => void;
    const d = debounce(
      (req) => {
        started.push(req);
        return new Promise<void>((r) => (finish = r));
      },
      { clock },
    );
    d.enqueue(fullPush('one', { start: 0 }));
    clock.advance(100);
    expect(started).toHaveLength(1);
    expect(d.pushing).toBe(true);
    d.enqueue(fullPush('two', { start: 100 }));
    clock.advance(500);
    expect(started).toHaveLength(1);
    finish();
    await Promise.resolve();
    await Promise.resolve();
    expect(started.map((r) => r.reason)).toEqual([['one'], ['two']]);
  });

  it('flush() pushes now; stop() drops what is pending', () => {
    const { clock, pushed, d } = setup();
    d.enqueue(fullPush('now', { start: 0 }));
    d.flush();
    expect(pushed).toHaveLength(1);
    d.enqueue(fullPush('never', { start: 0 }));
    d.stop();
    clock.advance(20_000);
    expect(pushed).toHaveLength(1);
    expect(d.pending).toBeUndefined();
  });
});
