import { describe, expect, it } from 'vitest';
import { TYPE_URL } from '@sextant/proto';
import { versioned } from '@sextant/xds-server';
import { ResourceInterner } from './resource-interner';

const table = (weight: number) => ({
  name: '8080',
  virtualHosts: [0, 1].map((i) => ({
    name: `svc-${i}.ns.svc.cluster.local:8080`,
    domains: [`svc-${i}.ns.svc.cluster.local`],
    routes: [{ match: { prefix: '/' }, route: { weightedClusters: { clusters: [{ name: `outbound|8080|v1|svc-${i}`, weight: { value: weight } }, { name: `outbound|8080|v2|svc-${i}`, weight: { value: 100 - weight } }] } } }],
  })),
});

describe('ResourceInterner', () => {
  it('hands back the entry and map of an equal route table (told apart by its encoding), a new version for a changed one', () => {
    const interner = new ResourceInterner();
    const a = interner.intern(TYPE_URL.route, [table(90)]);
    interner.nextGeneration();
    const b = interner.intern(TYPE_URL.route, [table(90)]);
    expect(b).toBe(a);
    const c = interner.intern(TYPE_URL.route, [table(50)]);
    expect(c.get('8080')!.version).not.toBe(a.get('8080')!.version);
    // Versions are what versioned() gives for the whole message.
    expect(c.get('8080')!.version).toBe(versioned(TYPE_URL.route, table(50)).version);
    expect(interner.intern(TYPE_URL.route, [table(90)]).get('8080')).toBe(a.get('8080'));
    expect(interner.internStats()).toMatchObject({ reused: 2, encoded: 2 });
  });

  it('interns other types by content and reports a resource that cannot be encoded', () => {
    const interner = new ResourceInterner();
    const cluster = (t: string) => ({ name: 'c', type: t, connectTimeout: { seconds: '1', nanos: 0 } });
    expect(interner.intern(TYPE_URL.cluster, [cluster('STATIC')])).toBe(interner.intern(TYPE_URL.cluster, [cluster('STATIC')]));
    expect(interner.intern(TYPE_URL.cluster, [cluster('EDS')])).not.toBe(interner.intern(TYPE_URL.cluster, [cluster('STATIC')]));
    expect(() => interner.intern(TYPE_URL.route, [{ name: 'bad', virtualHosts: [{ name: 'h', domains: ['x'], noSuchField: 1 }] }])).toThrow(/noSuchField/);
  });
});
