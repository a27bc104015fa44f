import { decodeEnvoyResource, type RouteConfig } from '@sextant/xds-client';
import { describe, expect, it } from 'vitest';
import type { MatchInput } from './matchers';
import { CompiledRouteTable } from './route-matcher';
import { route, routeConfig, vhost } from './testing';

function table(vhosts: object[], extra: object = {}): CompiledRouteTable {
  const d = decodeEnvoyResource('route', routeConfig('r', vhosts, extra));
  if (!d.result.valid) throw new Error(d.result.errors.join('; '));
  return new CompiledRouteTable(d.result.value as RouteConfig);
}

function req(authority: string, path: string, headers: string[] = [], method = 'GET'): MatchInput {
  return { authority, path, headers, method, scheme: 'http' };
}

const named = (name: string) => ({ route: { cluster: name } });

describe('virtual host selection', () => {
  const t = table([
    vhost(['reviews', 'reviews:9080'], [{ name: 'exact', match: { prefix: '/' }, ...named('exact') }]),
    vhost(['*.example.com'], [{ name: 'suffix', match: { prefix: '/' }, ...named('s') }]),
    vhost(['*.b.example.com'], [{ name: 'longer-suffix', match: { prefix: '/' }, ...named('s2') }]),
    vhost(['api.*'], [{ name: 'prefix', match: { prefix: '/' }, ...named('p') }]),
    vhost(['*'], [{ name: 'any', match: { prefix: '/' }, ...named('any') }]),
  ]);
  it.each([
    ['reviews', 'exact'],
    ['REVIEWS:9080', 'exact'],
    ['x.example.com', 'suffix'],
    ['a.b.example.com', 'longer-suffix'],
    ['api.internal', 'prefix'],
    ['reviews:9081', 'any'],
  ])('%s -> %s', (host, name) => {
    expect(t.match(req(host, '/'))?.name).toBe(name);
  });

  it('ignores the port when the route configuration says so', () => {
    const t2 = table([vhost(['reviews'], [{ name: 'r', match: { prefix: '/' }, ...named('c') }])], { ignorePortInHostMatching: true });
    expect(t2.match(req('reviews:9080', '/'))?.name).toBe('r');
  });
});

describe('route matching', () => {
  const t = table([
    vhost(
      ['*'],
      [
        { name: 'exact', match: { path: '/exact' }, ...named('a') },
        { name: 'ci', match: { prefix: '/CI', caseSensitive: { value: false } }, ...named('a') },
        { name: 'regex', match: { safeRegex: { regex: '/api/v[0-9]+/items' } }, ...named('a') },
        { name: 'sep', match: { pathSeparatedPrefix: '/sep' }, ...named('a') },
        { name: 'header', match: { prefix: '/h', headers: [{ name: 'end-user', stringMatch: { exact: 'jason' } }] }, ...named('a') },
        { name: 'inverted', match: { prefix: '/h', headers: [{ name: 'x-block', presentMatch: true, invertMatch: true }] }, ...named('a') },
        { name: 'query', match: { prefix: '/q', queryParameters: [{ name: 'v', stringMatch: { prefix: '2' } }] }, ...named('a') },
        { name: 'method', match: { prefix: '/m', headers: [{ name: ':method', stringMatch: { exact: 'POST' } }] }, ...named('a') },
        { name: 'grpc', match: { prefix: '/g', grpc: {} }, ...named('a') },
        route('/', { cluster: 'fallback' }, { name: 'fallback' }),
      ],
    ),
  ]);
  it.each([
    ['/exact', 'exact'],
    ['/exact?x=1', 'exact'],
    ['/exact/more', 'fallback'],
    ['/ci/thing', 'ci'],
    ['/api/v12/items', 'regex'],
    ['/api/v12/items/extra', 'fallback'],
    ['/sep', 'sep'],
    ['/sep/x', 'sep'],
    ['/separate', 'fallback'],
    ['/q?v=20', 'query'],
    ['/q?v=1', 'fallback'],
  ])('%s -> %s', (path, name) => {
    expect(t.match(req('x', path))?.name).toBe(name);
  });

  it('matches headers, inverted matchers, pseudo-headers and gRPC', () => {
    expect(t.match(req('x', '/h', ['end-user', 'jason']))?.name).toBe('header');
    expect(t.match(req('x', '/h', ['end-user', 'bob']))?.name).toBe('inverted');
    expect(t.match(req('x', '/h', ['end-user', 'bob', 'x-block', '1']))?.name).toBe('fallback');
    expect(t.match(req('x', '/m', [], 'POST'))?.name).toBe('method');
    expect(t.match(req('x', '/m', [], 'GET'))?.name).toBe('fallback');
    expect(t.match(req('x', '/g', ['content-type', 'application/grpc+proto']))?.name).toBe('grpc');
    expect(t.match(req('x', '/g', ['content-type', 'text/plain']))?.name).toBe('fallback');
  });

  it('returns nothing when no virtual host or route matches', () => {
    const t2 = table([vhost(['only'], [route('/a', { cluster: 'c' })])]);
    expect(t2.match(req('other', '/a'))).toBeUndefined();
    expect(t2.match(req('only', '/b'))).toBeUndefined();
  });
});
