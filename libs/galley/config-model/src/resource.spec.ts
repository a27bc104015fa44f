import { describe, expect, it } from 'vitest';
import { ConditionType, getCondition, withCondition, withRejected, type Resource } from './resource';

const base: Resource = { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'g', namespace: 'd', generation: 3 }, spec: {} };

describe('status conditions', () => {
  it('marks a resource Rejected with a reason, without modifying it', () => {
    const at = new Date('2024-05-01T00:00:00Z');
    const rejected = withRejected(base, 'ValidationFailed', 'spec.servers: gateway must have at least one server', at);
    expect(base.status).toBeUndefined();
    expect(getCondition(rejected, ConditionType.Rejected)).toEqual({
      type: 'Rejected',
      status: 'True',
      reason: 'ValidationFailed',
      message: 'spec.servers: gateway must have at least one server',
      observedGeneration: 3,
      lastTransitionTime: '2024-05-01T00:00:00.000Z',
    });
  });

  it('replaces a condition of the same type, moving the transition time only when the status changes', () => {
    const t1 = new Date('2024-05-01T00:00:00Z');
    const t2 = new Date('2024-05-02T00:00:00Z');
    const a = withCondition(base, { type: 'Accepted', status: 'True', reason: 'Valid' }, t1);
    const b = withCondition(a, { type: 'Accepted', status: 'True', reason: 'StillValid' }, t2);
    const c = withCondition(b, { type: 'Accepted', status: 'False', reason: 'Invalid' }, t2);
    expect(b.status?.conditions).toEqual([{ type: 'Accepted', status: 'True', reason: 'StillValid', lastTransitionTime: t1.toISOString() }]);
    expect(c.status?.conditions?.[0]?.lastTransitionTime).toBe(t2.toISOString());
    expect(withCondition(c, { type: 'Reconciled', status: 'True' }, t2).status?.conditions?.map((x) => x.type)).toEqual(['Accepted', 'Reconciled']);
  });
});
