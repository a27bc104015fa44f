import { TYPE_URL, decodeMessage, encodeMessage } from '@sextant/proto';
import { describe, expect, it } from 'vitest';
import { packResource, resourcesOf } from './snapshot';
import { splitRoutes, vhdsNamespace, vhdsSnapshot, wantsVhds } from './vhds';

const host = (name: string, cluster: string) => ({ name, domains: [name.split(':')[0]!], routes: [{ match: { prefix: '/' }, route: { cluster } }] });

describe('splitRoutes', () => {
  it('cuts hosts out of the encoded table, renamed to <route>/<host>, decoding to the same hosts', () => {
    const routes = resourcesOf(TYPE_URL.route, [{ name: '80', virtualHosts: [host('a:80', 'ca'), host('b:80', 'cb')], ignorePortInHostMatching: true }]);
    const { routes: out, hosts } = splitRoutes(routes);
    expect([...hosts.keys()]).toEqual(['80/a:80', '80/b:80']);
    const a = hosts.get('80/a:80')!;
    // The cut-out bytes are what encoding the renamed host gives.
    expect(packResource(TYPE_URL.virtualHost, a).value).toEqual(encodeMessage(TYPE_URL.virtualHost, { ...host('a:80', 'ca'), name: '80/a:80' }));
    const rc = decodeMessage<{ virtualHosts?: unknown[]; vhds?: unknown; ignorePortInHostMatching?: boolean }>(TYPE_URL.route, packResource(TYPE_URL.route, out.get('80')!).value);
    expect(rc.virtualHosts ?? []).toEqual([]);
    expect(rc.vhds).toBeDefined();
    expect(rc.ignorePortInHostMatching).toBe(true);
    // Cached per map: every proxy sharing the table shares the split.
    expect(splitRoutes(routes)).toBe(splitRoutes(routes));
  });

  it('gives an unchanged host the same version when another host of its table changes', () => {
    const before = splitRoutes(resourcesOf(TYPE_URL.route, [{ name: '80', virtualHosts: [host('a:80', 'ca'), host('b:80', 'cb')] }])).hosts;
    const after = splitRoutes(resourcesOf(TYPE_URL.route, [{ name: '80', virtualHosts: [host('a:80', 'ca'), host('b:80', 'ca')] }])).hosts;
    expect(after.get('80/a:80')!.version).toBe(before.get('80/a:80')!.version);
    expect(after.get('80/b:80')!.version).not.toBe(before.get('80/b:80')!.version);
  });

  it('serves a table whole when its host names cannot be resource names', () => {
    const routes = resourcesOf(TYPE_URL.route, [
      { name: 'slash', virtualHosts: [host('a/b', 'c')] },
      { name: 'dup', virtualHosts: [host('a', 'c'), host('a', 'd')] },
    ]);
    const { routes: out, hosts } = splitRoutes(routes);
    expect(hosts.size).toBe(0);
    expect(out.get('slash')).toBe(routes.get('slash'));
    expect(out.get('dup')).toBe(routes.get('dup'));
  });
});

describe('vhdsSnapshot', () => {
  it('splits once, and leaves an already split snapshot (or a copy of its map) as it is', () => {
    const snap = new Map([[TYPE_URL.route, resourcesOf(TYPE_URL.route, [{ name: '80', virtualHosts: [host('a:80', 'ca')] }])]]);
    const split = vhdsSnapshot(snap);
    expect(split.get(TYPE_URL.virtualHost)!.size).toBe(1);
    expect(vhdsSnapshot(snap)).toBe(split);
    expect(vhdsSnapshot(split)).toBe(split);
    const copied = new Map(split);
    copied.set(TYPE_URL.route, new Map(split.get(TYPE_URL.route)!));
    expect(vhdsSnapshot(copied)).toBe(copied);
  });
});

describe('names and metadata', () => {
  it('reads the namespace from the right and the client flag from metadata', () => {
    expect(vhdsNamespace('http.8080/a.b:80')).toBe('http.8080');
    expect(vhdsNamespace('a/b/c:80')).toBe('a/b');
    expect(vhdsNamespace('plain')).toBeUndefined();
    expect(wantsVhds({ SEXTANT_VHDS: 'true' })).toBe(true);
    expect(wantsVhds({ SEXTANT_VHDS: 'false' })).toBe(false);
    expect(wantsVhds({})).toBe(false);
  });
});
