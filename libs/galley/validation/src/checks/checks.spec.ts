import { describe, expect, it } from 'vitest';
import { checkHeaderValue, checkMatchHeaderName, checkSetRequestHeaderName, isJwtClaimRoute } from './headers';
import { checkFqdn, checkNamespaceSlashHost, checkNoPartialWildcard, checkWildcardDomain } from './hosts';
import { checkQualifiedName } from './labels';
import { checkIpOrCidr, isCidr } from './net';
import { checkDuration, checkRegex, isPrime } from './values';

describe('hosts', () => {
  it.each(['example.com', '*', '*.example.com', '*x.example.com', 'reviews', 'istio.io.', 'a-b.c-d.io'])('accepts %s as a wildcard domain', (h) => {
    expect(checkWildcardDomain(h)).toBeUndefined();
  });
  it.each(['', 'foo.*.com', 'a..b', '-a.com', 'a.123', 'bad host', `${'a'.repeat(64)}.com`, 'x'.repeat(256)])('refuses %j as a wildcard domain', (h) => {
    expect(checkWildcardDomain(h)).toBeDefined();
  });
  it('FQDNs allow no wildcard; partial wildcards are only `*` and `*.x`', () => {
    expect(checkFqdn('*.example.com')).toBeDefined();
    expect(checkNoPartialWildcard('*foo.com')).toBeDefined();
    expect(checkNoPartialWildcard('*.foo.com')).toBeUndefined();
  });
  it('namespace/host pairs', () => {
    expect(checkNamespaceSlashHost('prod/*.example.com', true)).toEqual([]);
    expect(checkNamespaceSlashHost('./*', false)).toEqual([]);
    expect(checkNamespaceSlashHost('~prod/*', false)).toEqual([]);
    expect(checkNamespaceSlashHost('1.2.3.4', true)).toEqual([]); // gateways accept IPs
    expect(checkNamespaceSlashHost('example.com', false)).toEqual(['host must be of form namespace/dnsName (got "example.com")']);
    expect(checkNamespaceSlashHost('Bad_NS/a.com', true)).toEqual(['invalid namespace value "Bad_NS" in gateway']);
  });
});

describe('headers', () => {
  it('match names: tokens, pseudo-headers and JWT claim routes', () => {
    expect(checkMatchHeaderName('x-user')).toBeUndefined();
    expect(checkMatchHeaderName(':authority')).toBeUndefined();
    expect(checkMatchHeaderName('@request.auth.claims[groups]')).toBeUndefined();
    expect(checkMatchHeaderName('a b')).toBeDefined();
    expect(isJwtClaimRoute('@request.auth.claims')).toBe(false);
  });
  it('set names: no pseudo-headers except :authority', () => {
    expect(checkSetRequestHeaderName(':authority')).toBeUndefined();
    expect(checkSetRequestHeaderName(':method')).toMatch(/cannot have ":" prefix/);
  });
  it.each(['plain', '100%%', '%HOSTNAME%', 'pre %REQ(x-a)% post', '%START_TIME(%s)%', '%FILTER_STATE(["a", "b"])%'])('accepts header value %j', (v) => {
    expect(checkHeaderValue(v)).toBeUndefined();
  });
  it.each(['100%', '%UNCLOSED', 'a\nb', '%VAR(["a" x])%'])('refuses header value %j', (v) => {
    expect(checkHeaderValue(v)).toBeDefined();
  });
});

describe('addresses, labels, durations, regexes', () => {
  it('CIDR ranges and addresses', () => {
    expect(isCidr('10.0.0.0/8')).toBe(true);
    expect(isCidr('2001:db8::/32')).toBe(true);
    expect(isCidr('10.0.0.0/33')).toBe(false);
    expect(isCidr('10.0.0.0/08')).toBe(false);
    expect(checkIpOrCidr('fe80::1%eth0')).toBeUndefined();
    expect(checkIpOrCidr('01.2.3.4')).toBeDefined();
  });
  it('qualified names', () => {
    expect(checkQualifiedName('app.kubernetes.io/name')).toBeUndefined();
    expect(checkQualifiedName('Example.com/x')).toBeDefined();
    expect(checkQualifiedName('-x')).toBeDefined();
  });
  it('Istio durations: at least 1ms, whole milliseconds', () => {
    expect(checkDuration('1ms')).toBeUndefined();
    expect(checkDuration('0s')).toMatch(/at least 1ms/);
    expect(checkDuration('1.0005s')).toMatch(/ms precision/);
  });
  it('RE2 regexes', () => {
    expect(checkRegex('^(.*?;)?(user=dev-123)(;.*)?$')).toBeUndefined();
    expect(checkRegex('(?P<name>x)\\z')).toBeUndefined();
    expect(checkRegex('(?!a)b')).toMatch(/Perl syntax/);
    expect(checkRegex('(?<!a)b')).toMatch(/invalid named capture/);
    expect(checkRegex('x'.repeat(1025))).toMatch(/too large/);
  });
  it('maglev primes', () => {
    expect([2, 3, 65537, 5000011].map(isPrime)).toEqual([true, true, true, true]);
    expect([4, 1000, 65535].map(isPrime)).toEqual([false, false, false]);
  });
});
