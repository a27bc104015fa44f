import { describe, expect, it } from 'vitest';
import type { RequestAuthentication } from '@sextant/config-model';
import { jwksClusters, jwtAuthnConfig, parseJwksUri, UNRESOLVED_JWKS } from './jwt-authn-builder';

function ra(name: string, spec: RequestAuthentication['spec'], namespace = 'foo'): RequestAuthentication {
  return { apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: { name, namespace }, spec };
}

describe('parseJwksUri', () => {
  it('takes http and https with default or explicit ports', () => {
    expect(parseJwksUri('https://example.com/.well-known/jwks.json')).toEqual({ host: 'example.com', port: 443, tls: true });
    expect(parseJwksUri('http://jwks.istio-system.svc.cluster.local:8080/k')).toEqual({ host: 'jwks.istio-system.svc.cluster.local', port: 8080, tls: false });
    expect(parseJwksUri('HTTPS://Example.COM')).toEqual({ host: 'example.com', port: 443, tls: true });
    expect(parseJwksUri('https://[fd00::1]:9443/k')).toEqual({ host: 'fd00::1', port: 9443, tls: true });
    expect(parseJwksUri('file:///etc/jwks.json')).toBeUndefined();
    expect(parseJwksUri('https://x:70000/')).toBeUndefined();
  });
});

describe('jwtAuthnConfig', () => {
  it('no rules: no filter', () => {
    expect(jwtAuthnConfig([ra('empty', {})])).toBeUndefined();
  });
  it('one provider: {provider OR allow_missing} on every path, CORS preflight bypassed', () => {
    const cfg = jwtAuthnConfig([ra('a', { jwtRules: [{ issuer: 'i', jwks: '{"keys":[]}' }] })])!;
    expect(cfg.rules).toEqual([{ match: { prefix: '/' }, requires: { requiresAny: { requirements: [{ providerName: 'origins-0' }, { allowMissing: {} }] } } }]);
    expect(cfg.providers['origins-0']).toEqual({
      issuer: 'i',
      localJwks: { inlineString: '{"keys":[]}' },
      payloadInMetadata: 'payload',
      normalizePayloadInMetadata: { spaceDelimitedClaims: ['permission', 'scope'] },
    });
    expect(cfg.bypassCorsPreflight).toBe(true);
  });
  it('several providers (sorted by issuer): any single provider, or all present tokens valid', () => {
    const cfg = jwtAuthnConfig([ra('b', { jwtRules: [{ issuer: 'zeta', jwks: 'k' }] }), ra('a', { jwtRules: [{ issuer: 'alpha', jwks: 'k' }] })])!;
    expect(cfg.providers['origins-0']!.issuer).toBe('alpha');
    expect(cfg.rules[0]!.requires).toEqual({
      requiresAny: {
        requirements: [
          { providerName: 'origins-0' },
          { providerName: 'origins-1' },
          {
            requiresAll: {
              requirements: [
                { requiresAny: { requirements: [{ providerName: 'origins-0' }, { allowMissing: {} }] } },
                { requiresAny: { requirements: [{ providerName: 'origins-1' }, { allowMissing: {} }] } },
              ],
            },
          },
        ],
      },
    });
  });
  it('maps locations, forwarding, payload and claim headers, and fetches jwksUri through the host cluster', () => {
    const cfg = jwtAuthnConfig(
      [
        ra('a', {
          jwtRules: [
            {
              issuer: 'https://accounts.example.com',
              audiences: ['a1'],
              jwksUri: 'https://accounts.example.com/certs',
              timeout: '1.5s',
              fromHeaders: [{ name: 'x-jwt', prefix: 'Bearer ' }, { name: 'x-raw' }],
              fromParams: ['tok'],
              fromCookies: ['c'],
              forwardOriginalToken: true,
              outputPayloadToHeader: 'x-payload',
              outputClaimToHeaders: [{ header: 'x-sub', claim: 'sub' }],
              spaceDelimitedClaims: ['roles', 'scope'],
            },
          ],
        }),
      ],
      { clearRouteCache: true },
    )!;
    expect(cfg.providers['origins-0']).toEqual({
      issuer: 'https://accounts.example.com',
      audiences: ['a1'],
      remoteJwks: { httpUri: { uri: 'https://accounts.example.com/certs', cluster: 'outbound|443||accounts.example.com', timeout: { seconds: '1', nanos: 500_000_000 } }, cacheDuration: { seconds: '300', nanos: 0 } },
      forward: true,
      fromHeaders: [{ name: 'x-jwt', valuePrefix: 'Bearer ' }, { name: 'x-raw' }],
      fromParams: ['tok'],
      fromCookies: ['c'],
      forwardPayloadHeader: 'x-payload',
      payloadInMetadata: 'payload',
      normalizePayloadInMetadata: { spaceDelimitedClaims: ['permission', 'roles', 'scope'] },
      claimToHeaders: [{ headerName: 'x-sub', claimName: 'sub' }],
      clearRouteCache: true,
    });
  });
  it('fails closed with a warning when no JWKS can be used', () => {
    const warnings: string[] = [];
    const cfg = jwtAuthnConfig([ra('a', { jwtRules: [{ issuer: 'nokeys' }, { issuer: 'ftp', jwksUri: 'ftp://x/keys' }] })], { warn: (m) => warnings.push(m) })!;
    expect(Object.values(cfg.providers).map((p) => p.localJwks?.inlineString)).toEqual([UNRESOLVED_JWKS, UNRESOLVED_JWKS]);
    expect(warnings).toEqual([
      'RequestAuthentication foo/a: jwksUri "ftp://x/keys" is not an http(s) URL; tokens of issuer "ftp" will be rejected',
      'RequestAuthentication foo/a: issuer "nokeys" has neither jwks nor jwksUri (OpenID discovery is not supported); its tokens will be rejected',
    ]);
  });
  it('ignores targetRef policies with a warning', () => {
    const warnings: string[] = [];
    expect(jwtAuthnConfig([ra('t', { targetRef: { kind: 'Service', name: 's' }, jwtRules: [{ issuer: 'i', jwks: 'k' }] })], { warn: (m) => warnings.push(m) })).toBeUndefined();
    expect(warnings).toHaveLength(1);
  });
});

describe('jwksClusters', () => {
  const policies = [
    ra('a', { jwtRules: [{ issuer: 'x', jwksUri: 'https://keys.example.com/jwks' }, { issuer: 'y', jwksUri: 'http://jwks.istio-system.svc.cluster.local/k' }, { issuer: 'z', jwks: 'inline', jwksUri: 'https://ignored.example.com/' }] }),
    ra('b', { jwtRules: [{ issuer: 'w', jwksUri: 'https://keys.example.com/other' }] }),
  ];
  it('one cluster per JWKS host the proxy has no outbound cluster for', () => {
    const out = jwksClusters(policies, (n) => n === 'outbound|80||jwks.istio-system.svc.cluster.local');
    expect(out.map((c) => c.name)).toEqual(['outbound|443||keys.example.com']);
    expect(out[0]).toMatchObject({ type: 'STRICT_DNS', transportSocket: { typedConfig: { sni: 'keys.example.com' } } });
  });
  it('plain http hosts get no TLS', () => {
    const out = jwksClusters(policies, () => false);
    expect(out.map((c) => [c.name, c['transportSocket'] !== undefined])).toEqual([
      ['outbound|443||keys.example.com', true],
      ['outbound|80||jwks.istio-system.svc.cluster.local', false],
    ]);
  });
});
