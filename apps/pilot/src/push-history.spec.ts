import { describe, expect, it } from 'vitest';
import { TYPE_URL } from '@sextant/proto';
import { PushHistory } from './push-history';

describe('PushHistory', () => {
  it('summarises convergence over the most recent ACKs per type, and counts NACKs', () => {
    const h = new PushHistory(5);
    for (let i = 1; i <= 3000; i++) h.converged(TYPE_URL.route, i);
    h.converged(TYPE_URL.cluster, 7);
    h.nacked(TYPE_URL.route);
    const s = h.summary();
    expect(s.convergence['rds']).toMatchObject({ samples: 2048, maxMs: 3000 });
    expect(s.convergence['rds']!.p50Ms).toBeGreaterThan(1900);
    expect(s.convergence['cds']).toEqual({ samples: 1, p50Ms: 7, p99Ms: 7, maxMs: 7 });
    expect(s.nacks).toEqual({ rds: 1 });
  });

  it('keeps the last pushes, newest first', () => {
    const h = new PushHistory(2);
    for (const v of ['a', 'b', 'c']) h.failed(v, { full: true, reason: [v], start: 0 }, new Error(`no ${v}`));
    expect(h.summary().pushes.map((p) => [p.version, p.error])).toEqual([
      ['c', 'no c'],
      ['b', 'no b'],
    ]);
    expect(h.summary().totalPushes).toBe(3);
  });
});
