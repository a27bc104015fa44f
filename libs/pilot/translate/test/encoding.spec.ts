// Every output encodes under Envoy's real protos (strict: unknown fields,
// wrong types, unknown enum names and protoc-gen-validate rules fail), and
// what proxyless gRPC clients get passes @grpc/grpc-js-xds's own validation.
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, loadMoreEnvoyProtos, TYPE_URL } from '@sextant/proto';
import { ENVOY_PROTOS_FOR_TRANSLATION } from '../src/type-urls';
import type { ProxyConfig } from '../src/envoy-types';
import { encodeEnvoy, envoyProblems, RESOURCE_TYPES } from './envoy-proto';
import { grpcRejects } from './grpc-xds';
import { runScenario, SCENARIOS } from './scenarios';

const KINDS = ['listeners', 'routes', 'clusters', 'endpoints'] as const;

function resources(config: ProxyConfig) {
  return KINDS.flatMap((kind) => (config[kind] as object[]).map((r) => ({ kind, r, name: (r as { name?: string; clusterName?: string }).name ?? (r as { clusterName: string }).clusterName })));
}

describe('Envoy proto conformance of every golden output', () => {
  for (const scenario of SCENARIOS) {
    const { outputs } = runScenario(scenario);
    for (const { proxy, config } of outputs) {
      it(`${scenario.name} / ${proxy.name}: ${resources(config).length} resources encode`, () => {
        const problems = resources(config).flatMap(({ kind, r, name }) => envoyProblems(RESOURCE_TYPES[kind], r).map((p) => `${kind} ${name}: ${p}`));
        expect(problems).toEqual([]);
        for (const { kind, r } of resources(config)) expect(encodeEnvoy(RESOURCE_TYPES[kind], r).length).toBeGreaterThan(0);
      });
      if (config.listeners.some((l) => l.apiListener)) {
        it(`${scenario.name} / ${proxy.name}: @grpc/grpc-js-xds accepts every resource`, () => {
          const rejected = resources(config)
            .map(({ kind, r, name }) => ({ name, error: grpcRejects(kind, encodeEnvoy(RESOURCE_TYPES[kind], r)) }))
            .filter((x) => x.error);
          expect(rejected).toEqual([]);
        });
      }
    }
  }
});

describe('the ADS server path (@sextant/proto packing) takes the same output', () => {
  const URL = { listeners: TYPE_URL.listener, routes: TYPE_URL.route, clusters: TYPE_URL.cluster, endpoints: TYPE_URL.endpoint } as const;
  it('encodes (strict) and decodes every resource of every scenario', () => {
    loadMoreEnvoyProtos([...ENVOY_PROTOS_FOR_TRANSLATION]);
    let n = 0;
    for (const scenario of SCENARIOS) {
      for (const { config } of runScenario(scenario).outputs) {
        for (const { kind, r } of resources(config)) {
          const bytes = encodeMessage(URL[kind], r);
          const back = decodeMessage<Record<string, unknown>>(URL[kind], bytes);
          expect(back['name'] ?? back['clusterName']).toBe((r as { name?: string }).name ?? (r as { clusterName?: string }).clusterName);
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(500);
  });
});

describe('the conformance check itself', () => {
  it('catches unknown fields, bad enum names, wrong scalar types and PGV violations', () => {
    expect(envoyProblems(RESOURCE_TYPES.clusters, { name: 'x', lb_policy: 'ROUND_ROBIN' })).toEqual(['Cluster.lb_policy: no such field in Cluster']);
    expect(envoyProblems(RESOURCE_TYPES.clusters, { name: 'x', lbPolicy: 'ROUND_ROBINISH' })[0]).toMatch(/not a LbPolicy name/);
    expect(envoyProblems(RESOURCE_TYPES.clusters, { name: 'x', connectTimeout: { seconds: 'ten' } })[0]).toMatch(/is not a int64/);
    expect(envoyProblems(RESOURCE_TYPES.clusters, { name: '' })[0]).toMatch(/shorter than 1/);
    expect(envoyProblems(RESOURCE_TYPES.clusters, { name: 'x', connectTimeout: { seconds: '0' } })[0]).toMatch(/duration must be > /);
    expect(envoyProblems(RESOURCE_TYPES.routes, { name: 'r', virtualHosts: [{ name: 'v', domains: [], routes: [{ match: {} }] }] })).toEqual([
      'RouteConfiguration.virtualHosts[0].routes[0].match: oneof pathSpecifier is required',
      'RouteConfiguration.virtualHosts[0].routes[0]: oneof action is required',
      'RouteConfiguration.virtualHosts[0].domains: needs at least 1 item(s)',
    ]);
    expect(envoyProblems(RESOURCE_TYPES.endpoints, { clusterName: 'c', endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: 'a', portValue: 70000 } } } }] }] })[0]).toMatch(/70000 > 65535/);
  });

  it('and grpc-js-xds rejects what it cannot use', () => {
    expect(grpcRejects('clusters', encodeEnvoy(RESOURCE_TYPES.clusters, { name: 'x', type: 'EDS', lbPolicy: 'RANDOM', edsClusterConfig: { edsConfig: { ads: {} } } }))).toMatch(/lb_policy/);
  });
});
