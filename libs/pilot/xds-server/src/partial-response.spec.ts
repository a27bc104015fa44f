import { TYPE_URL } from '@sextant/proto';
import { describe, expect, it } from 'vitest';
import { changedResources, clusterEndpointChanges } from './partial-response';
import { type TypeResources, resourcesOf } from './snapshot';

const cla = (name: string, host: string) => ({
  clusterName: name,
  endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: host, portValue: 80 } } } }] }],
});
const eds = (hosts: Record<string, string>) => resourcesOf(TYPE_URL.endpoint, Object.entries(hosts).map(([n, h]) => cla(n, h)));
const cluster = (name: string, serviceName: string, seconds = 1) => ({ name, type: 'EDS', edsClusterConfig: { edsConfig: { ads: {} }, serviceName }, connectTimeout: { seconds } });

describe('changedResources', () => {
  it('keeps the new, the changed and the re-sent names, and is one shared map per (before, after, resend)', () => {
    const before = eds({ a: '10.0.0.1', b: '10.0.0.1', c: '10.0.0.1' });
    const after = eds({ a: '10.0.0.1', b: '10.0.0.2', c: '10.0.0.1', d: '10.0.0.1' });
    const delta = changedResources(before, after);
    expect([...delta.keys()]).toEqual(['b', 'd']);
    expect(delta.get('b')).toBe(after.get('b'));
    expect(changedResources(before, after)).toBe(delta);
    const resend = new Set(['c', 'gone']);
    const withResend = changedResources(before, after, resend);
    expect([...withResend.keys()]).toEqual(['b', 'c', 'd']);
    expect(changedResources(before, after, resend)).toBe(withResend);
    // Removals alone change nothing the client must be sent.
    expect(changedResources(after, before).size).toBe(1); // b differs
    expect(changedResources(before, new Map([...before].slice(0, 2)) as TypeResources).size).toBe(0);
    // Everything new: the map itself (its encoded body is the full response's).
    expect(changedResources(new Map(), after)).toBe(after);
  });
});

describe('clusterEndpointChanges', () => {
  it('names the EDS services of new and changed clusters, shared per (now, before)', () => {
    const before = resourcesOf(TYPE_URL.cluster, [cluster('a', 'sa'), cluster('b', 'sb')]);
    const now = resourcesOf(TYPE_URL.cluster, [cluster('a', 'sa'), cluster('b', 'sb', 5), cluster('c', 'sc')]);
    const changes = clusterEndpointChanges(now, before);
    expect([...changes.changed].sort()).toEqual(['sb', 'sc']);
    expect([...changes.added]).toEqual(['sc']);
    expect(clusterEndpointChanges(now, before)).toBe(changes);
    expect(clusterEndpointChanges(now, now).changed.size).toBe(0);
  });
});
