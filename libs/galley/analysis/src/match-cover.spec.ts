import { describe, expect, it } from 'vitest';
import { findCovering, httpMatchCovers, l4MatchCovers, stringCovers } from './match-cover';

describe('stringCovers', () => {
  it.each([
    [{ prefix: '/' }, undefined, { universalPrefix: '/' }, true],
    [{ prefix: '/' }, undefined, {}, false],
    [{ prefix: '/api' }, { prefix: '/api/v1' }, {}, true],
    [{ prefix: '/api' }, { exact: '/api' }, {}, true],
    [{ prefix: '/api/v1' }, { prefix: '/api' }, {}, false],
    [{ exact: '/a' }, { exact: '/a' }, {}, true],
    [{ exact: '/a' }, { prefix: '/a' }, {}, false],
    [{ regex: '.*' }, { exact: 'x' }, {}, true],
    [{ regex: '/v[0-9]+' }, { exact: '/v2' }, {}, true],
    [{ regex: '/v[0-9]+' }, { exact: '/vx' }, {}, false],
    [{ regex: '/v[0-9]+' }, { prefix: '/v1' }, {}, false],
    [{ regex: '(' }, { exact: '(' }, {}, false],
    [undefined, { exact: 'x' }, {}, true],
    [{ exact: '/API' }, { exact: '/api' }, { aIgnoreCase: true }, true],
    [{ exact: '/api' }, { exact: '/api' }, { bIgnoreCase: true }, false],
  ] as const)('%j covers %j (%j): %s', (a, b, opts, want) => {
    expect(stringCovers(a, b, opts)).toBe(want);
  });
});

describe('httpMatchCovers', () => {
  it('needs every constraint of the earlier match to hold for the later one', () => {
    expect(httpMatchCovers({ headers: { user: { exact: 'jason' } } }, { headers: { user: { exact: 'jason' } }, uri: { prefix: '/x' } })).toBe(true);
    expect(httpMatchCovers({ headers: { user: {} } }, { headers: { user: { prefix: 'j' } } })).toBe(true);
    expect(httpMatchCovers({ headers: { user: { exact: 'jason' } } }, { uri: { prefix: '/x' } })).toBe(false);
    expect(httpMatchCovers({ method: { exact: 'GET' } }, {})).toBe(false);
    expect(httpMatchCovers({ port: 80 }, { port: 80, sourceNamespace: 'a' })).toBe(true);
    expect(httpMatchCovers({ sourceNamespace: 'a' }, { port: 80 })).toBe(false);
    expect(httpMatchCovers({ gateways: ['g1', 'g2'] }, { gateways: ['g1'] })).toBe(true);
    expect(httpMatchCovers({ gateways: ['g1'] }, {})).toBe(false);
    expect(httpMatchCovers({ queryParams: { q: { exact: '1' } } }, { queryParams: { q: { exact: '1' } } })).toBe(true);
  });

  it('treats withoutHeaders as exclusions the later match must also make', () => {
    expect(httpMatchCovers({ withoutHeaders: { x: { exact: 'a' } } }, { withoutHeaders: { x: {} } })).toBe(true);
    expect(httpMatchCovers({ withoutHeaders: { x: { exact: 'a' } } }, { withoutHeaders: { x: { prefix: '' } } })).toBe(true);
    expect(httpMatchCovers({ withoutHeaders: { x: {} } }, { withoutHeaders: { x: { exact: 'a' } } })).toBe(false);
  });

  it('answers false for fields it does not know', () => {
    expect(httpMatchCovers({ future: { exact: 'x' } } as never, { future: { exact: 'x' } } as never)).toBe(false);
  });
});

describe('l4MatchCovers and findCovering', () => {
  it('compares ports, subnets and SNI hosts', () => {
    expect(l4MatchCovers({ port: 443, sniHosts: ['*.a.com'] }, { port: 443, sniHosts: ['x.a.com', 'y.a.com'] })).toBe(true);
    expect(l4MatchCovers({ sniHosts: ['*.a.com'] }, { sniHosts: ['x.a.com', 'b.com'] })).toBe(false);
    expect(l4MatchCovers({ destinationSubnets: ['10.0.0.0/8'] }, { destinationSubnets: ['10.0.0.0/8'], port: 1 })).toBe(true);
    expect(l4MatchCovers({ destinationSubnets: ['10.0.0.0/8'] }, {})).toBe(false);
  });

  it('finds the first earlier rule that covers a match; a rule without matches covers everything', () => {
    const rules = [{ match: [{ port: 1 }] }, {}, { match: [{ port: 2 }] }];
    expect(findCovering(rules, 2, { port: 2 }, l4MatchCovers)).toEqual({ rule: 1, match: -1 });
    expect(findCovering(rules, 1, { port: 1, sourceNamespace: 'x' }, l4MatchCovers)).toEqual({ rule: 0, match: 0 });
    expect(findCovering(rules, 1, { port: 2 }, l4MatchCovers)).toBeUndefined();
  });
});
