import { EXTENSION_TYPE_URL } from '@sextant/proto';
import { describe, expect, it } from 'vitest';
import { decodeEnvoyResource } from './decode-envoy';
import type { Decoded } from './decode-support';
import { cla, edsCluster, httpListener } from './spec-fixtures';

const FAULT = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';
const CORS_POLICY = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy';
const CORS = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors';
const LRL = 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
const HTTP_OPTS = 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

function ok<T>(d: Decoded<T>): T {
  if (!d.valid) throw new Error(`expected valid, got ${d.errors.join('; ')}`);
  return d.value;
}
function errors<T>(d: Decoded<T>): string {
  if (d.valid) throw new Error('expected invalid');
  return d.errors.join('\n');
}

describe('listener decoder', () => {
  it('decodes an Istio-style inbound listener with filter chain matches and both terminal filters', () => {
    const l = ok(
      decodeEnvoyResource('listener', {
        name: 'virtualInbound',
        address: { socketAddress: { address: '0.0.0.0', portValue: 15006 } },
        useOriginalDst: { value: true },
        trafficDirection: 'INBOUND',
        listenerFilters: [{ name: 'envoy.filters.listener.tls_inspector' }, { name: 'envoy.filters.listener.http_inspector' }],
        listenerFiltersTimeout: { nanos: 100_000_000 },
        continueOnListenerFiltersTimeout: true,
        filterChains: [
          {
            name: '0.0.0.0_9080',
            filterChainMatch: { destinationPort: { value: 9080 }, transportProtocol: 'raw_buffer', applicationProtocols: ['http/1.1', 'h2c'] },
            filters: [
              { name: 'istio.metadata_exchange', typedConfig: { '@type': 'type.googleapis.com/udpa.type.v1.TypedStruct', typeUrl: 'x' } },
              {
                name: 'envoy.filters.network.http_connection_manager',
                typedConfig: {
                  '@type': EXTENSION_TYPE_URL.httpConnectionManager,
                  statPrefix: 'inbound_0.0.0.0_9080',
                  routeConfig: { name: 'inbound|9080||', virtualHosts: [{ name: 'inbound|http|9080', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'inbound|9080||', timeout: { seconds: 0 } } }] }] },
                  upgradeConfigs: [{ upgradeType: 'websocket' }],
                  httpFilters: [{ name: 'envoy.filters.http.router', typedConfig: { '@type': EXTENSION_TYPE_URL.router } }],
                },
              },
            ],
          },
          {
            name: '0.0.0.0_3306',
            filterChainMatch: { destinationPort: { value: 3306 } },
            filters: [{ name: 'envoy.filters.network.tcp_proxy', typedConfig: { '@type': EXTENSION_TYPE_URL.tcpProxy, statPrefix: 'x', cluster: 'inbound|3306||' } }],
          },
        ],
      }).result,
    );
    expect(l.useOriginalDst).toBe(true);
    expect(l.listenerFiltersTimeoutMs).toBe(100);
    expect(l.filterChains[0]!.match).toMatchObject({ destinationPort: 9080, transportProtocol: 'raw_buffer', applicationProtocols: ['http/1.1', 'h2c'] });
    const hcm = l.filterChains[0]!.filter;
    expect(hcm.kind).toBe('http');
    if (hcm.kind !== 'http' || hcm.routes.kind !== 'inline') throw new Error('inline HCM expected');
    expect(hcm.upgrades).toEqual(['websocket']);
    expect(hcm.routes.config.virtualHosts[0]!.routes[0]!.action).toMatchObject({ kind: 'route', timeoutMs: 0 });
    expect(l.filterChains[1]!.filter).toMatchObject({ kind: 'tcp', cluster: { kind: 'cluster', name: 'inbound|3306||' } });
  });

  it('rejects an unsupported security filter instead of silently skipping it', () => {
    const listener = httpListener(9080, '9080', [{ name: 'envoy.filters.http.rbac', typedConfig: { '@type': 'type.googleapis.com/envoy.config.route.v3.FilterConfig' } }]);
    const text = errors(decodeEnvoyResource('listener', listener).result);
    expect(text).toMatch(/Listener\[0.0.0.0_9080\]\.filterChains\[0\]\.filters\[0:envoy.filters.network.http_connection_manager\]\.typedConfig\.httpFilters\[0:envoy.filters.http.rbac\]/);
    expect(text).toMatch(/not supported/);
  });

  it('decodes fault, cors and local rate limit HTTP filters and flags a router that is not last', () => {
    const good = ok(
      decodeEnvoyResource(
        'listener',
        httpListener(9080, '9080', [
          { name: 'envoy.filters.http.fault', typedConfig: { '@type': FAULT } },
          { name: 'envoy.filters.http.cors', typedConfig: { '@type': CORS } },
          { name: 'envoy.filters.http.local_ratelimit', typedConfig: { '@type': LRL, statPrefix: 'rl', tokenBucket: { maxTokens: 5, tokensPerFill: { value: 5 }, fillInterval: { seconds: 1 } }, filterEnabled: { defaultValue: { numerator: 100 } }, filterEnforced: { defaultValue: { numerator: 100 } } } },
        ]),
      ).result,
    );
    const f = good.filterChains[0]!.filter;
    if (f.kind !== 'http') throw new Error('http expected');
    expect(f.httpFilters.map((x) => x.kind)).toEqual(['fault', 'cors', 'local-ratelimit', 'router']);
    expect(f.httpFilters[2]).toMatchObject({ config: { bucket: { maxTokens: 5, tokensPerFill: 5, fillIntervalMs: 1000 }, enabled: 1, enforced: 1, status: 429 } });
  });
});

describe('route decoder', () => {
  const route = (routes: object[], vh: object = {}) => decodeEnvoyResource('route', { name: '9080', virtualHosts: [{ name: 'vh', domains: ['reviews', '*.example.com'], routes, ...vh }] }).result;

  it('decodes matches, rewrites, retries, mirrors, hashing and per-filter fault/cors', () => {
    const rc = ok(
      route([
        {
          match: { safeRegex: { regex: '/api/v[0-9]+/.*' }, caseSensitive: { value: false }, headers: [{ name: 'End-User', stringMatch: { exact: 'jason' } }], queryParameters: [{ name: 'debug', presentMatch: true }] },
          route: {
            weightedClusters: { clusters: [{ name: 'a', weight: { value: 80 } }, { name: 'b', weight: { value: 20 } }] },
            regexRewrite: { pattern: { regex: '^/api/(.*)$' }, substitution: '/\\1' },
            hostRewriteLiteral: 'reviews.internal',
            timeout: { seconds: 2 },
            retryPolicy: { retryOn: '5xx,connect-failure,retriable-status-codes', numRetries: { value: 3 }, perTryTimeout: { nanos: 500_000_000 }, retriableStatusCodes: [503], retryHostPredicate: [{ name: 'envoy.retry_host_predicates.previous_hosts' }] },
            requestMirrorPolicies: [{ cluster: 'shadow', runtimeFraction: { defaultValue: { numerator: 50 } } }],
            hashPolicy: [{ cookie: { name: 'user', ttl: { seconds: 60 }, path: '/' } }, { connectionProperties: { sourceIp: true } }],
          },
          typedPerFilterConfig: {
            'envoy.filters.http.fault': { '@type': FAULT, delay: { fixedDelay: { seconds: 1 }, percentage: { numerator: 10 } }, abort: { httpStatus: 503, percentage: { numerator: 5 } } },
            'envoy.filters.http.cors': { '@type': CORS_POLICY, allowOriginStringMatch: [{ exact: 'https://a.example' }], allowMethods: 'GET,POST', maxAge: '60' },
          },
        },
      ]),
    );
    const r = rc.virtualHosts[0]!.routes[0]!;
    expect(r.match).toMatchObject({ path: { kind: 'regex', regex: '/api/v[0-9]+/.*' }, caseSensitive: false, headers: [{ name: 'end-user', match: { kind: 'exact', value: 'jason' } }], queryParameters: [{ name: 'debug', match: { kind: 'present' } }] });
    expect(r.action).toMatchObject({
      kind: 'route',
      cluster: { kind: 'weighted', total: 100 },
      regexRewrite: { regex: '^/api/(.*)$', substitution: '/\\1' },
      hostRewrite: { kind: 'literal', value: 'reviews.internal' },
      timeoutMs: 2000,
      retryPolicy: { retryOn: ['5xx', 'connect-failure', 'retriable-status-codes'], numRetries: 3, perTryTimeoutMs: 500, retriableStatusCodes: [503], backoff: { baseMs: 25, maxMs: 250 } },
      mirrors: [{ cluster: 'shadow', fraction: 0.5 }],
      hashPolicy: [{ kind: 'cookie', name: 'user', ttlMs: 60_000, path: '/' }, { kind: 'source-ip' }],
    });
    expect(r.perFilter.fault).toMatchObject({ delay: { fixedMs: 1000, fraction: 0.1 }, abort: { httpStatus: 503, fraction: 0.05 } });
    expect(r.perFilter.cors).toMatchObject({ allowOrigins: [{ kind: 'exact', value: 'https://a.example' }], allowMethods: 'GET,POST', maxAge: '60' });
  });

  it('applies Envoy defaults: 15 s timeout, one retry, case-sensitive matching', () => {
    const rc = ok(route([{ match: { prefix: '/' }, route: { cluster: 'a', retryPolicy: { retryOn: 'gateway-error' } } }]));
    expect(rc.virtualHosts[0]!.routes[0]!.action).toMatchObject({ timeoutMs: 15_000, retryPolicy: { numRetries: 1 } });
    expect(rc.virtualHosts[0]!.routes[0]!.match.caseSensitive).toBe(true);
  });

  it('decodes redirects and direct responses', () => {
    const rc = ok(
      route([
        { match: { path: '/old' }, redirect: { pathRedirect: '/new', responseCode: 'FOUND', hostRedirect: 'b.example' } },
        { match: { pathSeparatedPrefix: '/health' }, directResponse: { status: 200, body: { inlineString: 'ok' } } },
      ]),
    );
    expect(rc.virtualHosts[0]!.routes[0]!.action).toEqual({ kind: 'redirect', status: 302, stripQuery: false, host: 'b.example', path: { kind: 'path', value: '/new' } });
    expect(rc.virtualHosts[0]!.routes[1]!.action).toEqual({ kind: 'direct', status: 200, body: 'ok' });
  });

  it('rejects with field paths: duplicate domains, bad wildcards, zero weights, Host mutation', () => {
    const text = errors(
      decodeEnvoyResource('route', {
        name: 'r',
        virtualHosts: [
          { name: 'a', domains: ['x', 'a*b'], routes: [{ match: { prefix: '/' }, route: { weightedClusters: { clusters: [{ name: 'c', weight: { value: 0 } }] } } }] },
          { name: 'b', domains: ['X'], requestHeadersToAdd: [{ header: { key: 'Host', value: 'h' } }], routes: [] },
        ],
      }).result,
    );
    expect(text).toMatch(/virtualHosts\[0:a\]\.domains\[1\]: domain "a\*b"/);
    expect(text).toMatch(/virtualHosts\[0:a\]\.routes\[0\]\.route\.weightedClusters\.clusters: the weights sum to 0/);
    expect(text).toMatch(/virtualHosts\[1:b\]\.domains: domain "X" is also in virtual host a/);
    expect(text).toMatch(/requestHeadersToAdd\[0\]\.header\.key: header host may not be modified/);
  });
});

describe('cluster and endpoint decoders', () => {
  it('decodes load balancing, circuit breakers, outlier detection and HTTP/2 upstreams', () => {
    const c = ok(
      decodeEnvoyResource(
        'cluster',
        edsCluster('outbound|7070||echo.default.svc.cluster.local', {
          lbPolicy: 'RING_HASH',
          ringHashLbConfig: { minimumRingSize: { value: 256 } },
          circuitBreakers: { thresholds: [{ maxConnections: { value: 1 }, maxPendingRequests: { value: 2 }, maxRequests: { value: 3 }, maxRetries: { value: 4 } }] },
          outlierDetection: { consecutive_5xx: { value: 2 }, interval: { nanos: 100_000_000 }, baseEjectionTime: { seconds: 1 }, maxEjectionPercent: { value: 100 } },
          maxRequestsPerConnection: { value: 10 },
          typedExtensionProtocolOptions: { 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { '@type': HTTP_OPTS, explicitHttpConfig: { http2ProtocolOptions: {} } } },
          commonLbConfig: { healthyPanicThreshold: { value: 0 } },
        }),
      ).result,
    );
    expect(c).toMatchObject({
      lbPolicy: 'RING_HASH',
      ringHash: { minRingSize: 256 },
      thresholds: { maxConnections: 1, maxPendingRequests: 2, maxRequests: 3, maxRetries: 4 },
      outlierDetection: { consecutive5xx: 2, intervalMs: 100, baseEjectionMs: 1000, maxEjectionPercent: 100 },
      maxRequestsPerConnection: 10,
      upstreamProtocol: 'http2',
      healthyPanicThreshold: 0,
    });
  });

  it('uses Envoy default thresholds', () => {
    expect(ok(decodeEnvoyResource('cluster', edsCluster('c')).result)).toMatchObject({ thresholds: { maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3 } });
  });

  it('decodes endpoints with health, weight and priority, and rejects gaps in priorities', () => {
    const v = ok(
      decodeEnvoyResource('endpoint', {
        clusterName: 'c',
        endpoints: [
          { locality: { region: 'r1', zone: 'z1' }, lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '10.0.0.1', portValue: 80 } } }, healthStatus: 'UNHEALTHY', loadBalancingWeight: { value: 3 } }] },
          { priority: 1, lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '10.0.0.2', portValue: 80 } } } }] },
        ],
      }).result,
    );
    expect(v.localities[0]).toMatchObject({ locality: { region: 'r1', zone: 'z1' }, priority: 0, endpoints: [{ host: '10.0.0.1', health: 'UNHEALTHY', weight: 3 }] });
    expect(v.localities[1]!.priority).toBe(1);
    const bad = cla('c', [['10.0.0.1', 80]]) as { endpoints: object[] };
    expect(errors(decodeEnvoyResource('endpoint', { ...bad, endpoints: [{ ...(bad.endpoints[0] as object), priority: 2 }] }).result)).toMatch(/priorities must be contiguous/);
  });
});
