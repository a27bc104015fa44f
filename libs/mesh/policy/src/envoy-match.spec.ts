import { describe, expect, it } from 'vitest';
import { matchCidr, matchHeader, matchMetadata, matchString, matchUriTemplate, matchValue } from './envoy-match';
import { cidrRange, claimMatcher, headerMatcher, parseIp, quoteRegex, wildcardMatcher } from './matchers';

describe('Istio value syntax -> matchers -> Envoy semantics', () => {
  it('wildcards: * present/non-empty, prefix, suffix, exact; with a prefix for SPIFFE', () => {
    expect(wildcardMatcher('*')).toEqual({ safeRegex: { regex: '.+' } });
    expect(matchString(wildcardMatcher('*'), '')).toBe(false);
    expect(matchString(wildcardMatcher('/api/*'), '/api/v1')).toBe(true);
    expect(matchString(wildcardMatcher('*.js'), '/a.js')).toBe(true);
    expect(matchString(wildcardMatcher('*.js'), '/a.jsx')).toBe(false);
    expect(matchString(wildcardMatcher('*/sa/x', 'spiffe://'), 'spiffe://td/ns/a/sa/x')).toBe(true);
    expect(matchString(wildcardMatcher('a.b', 'spiffe://'), 'spiffe://a.b')).toBe(true);
    expect(matchString(wildcardMatcher('a.b', 'spiffe://'), 'spiffe://aXb')).toBe(false);
  });
  it('safe_regex matches the whole value; ignore_case applies to the literal forms', () => {
    expect(matchString({ safeRegex: { regex: 'a.c' } }, 'xabc')).toBe(false);
    expect(matchString({ exact: 'Host', ignoreCase: true }, 'hOST')).toBe(true);
    expect(quoteRegex('a.b*(c)')).toBe('a\\.b\\*\\(c\\)');
  });
  it('headers: case-insensitive names, repeated values joined with ",", * = present', () => {
    expect(matchHeader(headerMatcher('x-token', '*'), { 'X-Token': '' })).toBe(true);
    expect(matchHeader(headerMatcher('x-token', '*'), {})).toBe(false);
    expect(matchHeader(headerMatcher('x-a', 'b,c'), { 'x-a': ['b', 'c'] })).toBe(true);
    expect(matchHeader({ name: 'x', stringMatch: { exact: 'y' }, invertMatch: true }, { x: 'z' })).toBe(true);
  });
  it('CIDRs, IPv4 and IPv6; families never mix', () => {
    expect(cidrRange('10.1.2.3')).toEqual({ addressPrefix: '10.1.2.3', prefixLen: { value: 32 } });
    expect(cidrRange('::1')).toEqual({ addressPrefix: '::1', prefixLen: { value: 128 } });
    expect(cidrRange('10.0.0.0/33')).toBeUndefined();
    expect(cidrRange('01.2.3.4')).toBeUndefined();
    expect(cidrRange('1:2:3:4:5:6:7:8:9')).toBeUndefined();
    expect(parseIp('::ffff:10.0.0.1')!.slice(12)).toEqual([10, 0, 0, 1]);
    expect(matchCidr(cidrRange('10.1.0.0/16')!, '10.1.200.3')).toBe(true);
    expect(matchCidr(cidrRange('10.1.0.0/17')!, '10.1.200.3')).toBe(false);
    expect(matchCidr(cidrRange('fd00::/8')!, 'fd12::1')).toBe(true);
    expect(matchCidr(cidrRange('0.0.0.0/0')!, '::1')).toBe(false);
  });
  it('metadata: claims that are strings or lists (Istio extended JWT matcher), nested paths', () => {
    const m = claimMatcher('envoy.filters.http.jwt_authn', ['payload', 'realm', 'roles'], { stringMatch: { exact: 'admin' } });
    const md = (roles: unknown) => ({ 'envoy.filters.http.jwt_authn': { payload: { realm: { roles } } } });
    expect(matchMetadata(m, md(['x', 'admin']))).toBe(true);
    expect(matchMetadata(m, md('admin'))).toBe(true);
    expect(matchMetadata(m, md(['x']))).toBe(false);
    expect(matchMetadata(m, {})).toBe(false);
    expect(matchValue({ presentMatch: true }, 0)).toBe(true);
  });
  it('URI templates: * one segment, ** any number, named variables', () => {
    expect(matchUriTemplate('/v1/*/items', '/v1/a/items')).toBe(true);
    expect(matchUriTemplate('/v1/*/items', '/v1/a/b/items')).toBe(false);
    expect(matchUriTemplate('/v1/**', '/v1/a/b/c')).toBe(true);
    expect(matchUriTemplate('/v1/{id}/x.{ext=*}', '/v1/7/x.json')).toBe(true);
    expect(matchUriTemplate('/files/{path=**}', '/files/a/b.txt')).toBe(true);
  });
});
