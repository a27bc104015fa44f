// The TranslateHooks seam as translation uses it: inbound chains (the
// passthrough catch-all too), extra clusters, endpoint tlsMode, warnings and
// SDS secret names from hook-built chains; and the outlier detection proxyless
// gRPC clients get, as @grpc/grpc-js-xds reads it.
import { describe, expect, it } from 'vitest';
import { generateProxyConfig } from '../src/configgen';
import type { ClusterObject, FilterChainObject } from '../src/envoy-types';
import type { TranslateHooks } from '../src/hooks';
import { danglingClusterReferences } from '../src/consistency';
import { encodeEnvoy, RESOURCE_TYPES } from './envoy-proto';
import { grpcClient, sidecar } from './fixtures';
import { grpcDecode } from './grpc-xds';
import { mesh } from './sim-helpers';

const FQDN = (s: string) => `${s}.default.svc.cluster.local`;

describe('TranslateHooks', () => {
  const m = mesh([]);
  const ports: number[] = [];
  const jwks: ClusterObject = { name: 'outbound|443||issuer.example.com', type: 'STRICT_DNS', connectTimeout: { seconds: '1', nanos: 0 }, loadAssignment: { clusterName: 'outbound|443||issuer.example.com', endpoints: [] } };
  const hooks: TranslateHooks = {
    inboundFilterChains(ctx, chains) {
      ports.push(ctx.port);
      if (ctx.port === 0) ctx.warn?.('passthrough chain rewritten');
      return chains.map((c): FilterChainObject => ({ ...c, transportSocket: { name: 'envoy.transport_sockets.tls', typedConfig: { commonTlsContext: { tlsCertificateSdsSecretConfigs: [{ name: 'hook-cert', sdsConfig: { ads: {} } }] } } } }));
    },
    clusters: (ctx) => (ctx.outboundClusters.has(jwks.name) ? [] : [jwks]),
    endpointTlsMode: (_push, e) => (e.hostname === FQDN('ratings') ? 'disabled' : undefined),
  };
  const reviews = m.push.endpoints({ hostname: FQDN('reviews'), namespace: 'default' }, 9080)[0]!;
  const cfg = generateProxyConfig(m.push, sidecar(m.push, reviews.address), { hooks });

  it('runs inboundFilterChains for every workload port and for the passthrough chain (port 0)', () => {
    expect(ports).toContain(0);
    expect(ports).toContain(9080);
    const inbound = cfg.listeners.find((l) => l.name === 'virtualInbound')!;
    const catchall = inbound.filterChains!.find((c) => c.name === 'virtualInbound-catchall')!;
    expect(JSON.stringify(catchall.transportSocket)).toContain('hook-cert');
  });

  it('collects SDS secret names of hook-built transport sockets, and the warnings hooks give', () => {
    expect(cfg.secrets).toContain('hook-cert');
    expect(cfg.warnings).toEqual(['passthrough chain rewritten']);
  });

  it('adds the clusters hooks ask for (sorted with the rest, nothing dangling)', () => {
    const names = cfg.clusters.map((c) => c.name);
    expect(names).toContain(jwks.name);
    expect(names).toEqual([...names].sort());
    expect(danglingClusterReferences(cfg)).toEqual([]);
    const proxyless = generateProxyConfig(m.push, grpcClient(), { hooks });
    expect(proxyless.clusters.map((c) => c.name)).not.toContain(jwks.name);
  });

  it('labels endpoints with the tlsMode the hook gives, else the registry one', () => {
    const tlsMode = (cluster: string) =>
      cfg.endpoints
        .find((e) => e.clusterName === cluster)!
        .endpoints.flatMap((l) => l.lbEndpoints)
        .map((lb) => (lb.metadata as { filterMetadata: Record<string, { fields: { tlsMode: { stringValue: string } } }> }).filterMetadata['envoy.transport_socket_match']!.fields.tlsMode.stringValue);
    expect(new Set(tlsMode(`outbound|9080||${FQDN('ratings')}`))).toEqual(new Set(['disabled']));
    expect(new Set(tlsMode(`outbound|9080||${FQDN('details')}`))).toEqual(new Set(['istio']));
  });
});

describe('outlier detection for proxyless gRPC (failure percentage, what gRPC enforces)', () => {
  const od = (spec: string) => {
    const m = mesh([], `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: { name: reviews, namespace: default }\nspec:\n  host: ${FQDN('reviews')}\n  trafficPolicy: { outlierDetection: ${spec} }\n`);
    const name = `outbound|9080||${FQDN('reviews')}`;
    const grpc = m.config(grpcClient()).clusters.find((c) => c.name === name)!;
    const envoy = m.config(sidecar(m.push, m.push.endpoints({ hostname: FQDN('details'), namespace: 'default' }, 9080)[0]!.address)).clusters.find((c) => c.name === name)!;
    const decoded = grpcDecode('clusters', encodeEnvoy(RESOURCE_TYPES.clusters, grpc)) as { outlierDetectionUpdate: Record<string, unknown> };
    return { grpc: grpc['outlierDetection'] as Record<string, unknown>, envoy: envoy['outlierDetection'] as Record<string, unknown>, decoded: decoded.outlierDetectionUpdate };
  };

  it('consecutive5xxErrors N: failure-percentage ejection with request volume N over at least 2 hosts, success rate off', () => {
    const { grpc, envoy, decoded } = od('{ consecutive5xxErrors: 3, interval: 1s, baseEjectionTime: 60s, maxEjectionPercent: 50 }');
    expect(decoded).toMatchObject({
      failure_percentage_ejection: { enforcement_percentage: 100, minimum_hosts: 2, request_volume: 3, threshold: 85 },
      interval: { seconds: 1, nanos: 0 },
      base_ejection_time: { seconds: 60, nanos: 0 },
      max_ejection_percent: 50,
    });
    expect(decoded['success_rate_ejection']).toBeUndefined();
    expect(grpc['consecutive_5xx']).toBeUndefined();
    // Envoy-like proxies keep Istio's consecutive-5xx mapping.
    expect(envoy).toMatchObject({ consecutive_5xx: { value: 3 }, enforcingConsecutive_5xx: { value: 100 }, enforcingSuccessRate: { value: 0 } });
    expect(envoy['enforcingFailurePercentage']).toBeUndefined();
  });

  it('N is the smallest positive consecutive limit (5xx defaults to 5); all zero: no ejection', () => {
    expect(od('{ consecutiveGatewayErrors: 2 }').grpc['failurePercentageRequestVolume']).toEqual({ value: 2 });
    expect(od('{ interval: 10s }').grpc['failurePercentageRequestVolume']).toEqual({ value: 5 });
    const none = od('{ consecutive5xxErrors: 0, consecutiveGatewayErrors: 0 }');
    expect(none.grpc['enforcingFailurePercentage']).toBeUndefined();
    expect(none.decoded['failure_percentage_ejection']).toBeUndefined();
    expect(none.decoded['success_rate_ejection']).toBeUndefined();
  });
});

