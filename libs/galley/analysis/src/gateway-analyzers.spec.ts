import { describe, expect, it } from 'vitest';
import { analyze } from './all-analyzers';
import type { Analyzer } from './analyzer';
import { conflictingGatewayAnalyzer, gatewayCertificateAnalyzer, gatewaySecretAnalyzer, gatewayWorkloadAnalyzer } from './gateway-analyzers';
import type { AnalysisInput, WorkloadInfo } from './input';
import { digest, resources } from './spec-helpers';

const INGRESS: WorkloadInfo = { name: 'ingress-0', namespace: 'istio-system', labels: { istio: 'ingressgateway' }, ports: [{ port: 80 }, { port: 443 }] };

const run = (analyzer: Analyzer, yaml: string, input: Partial<Omit<AnalysisInput, 'resources'>> = { workloads: [INGRESS] }) =>
  analyze({ resources: resources(yaml), ...input }, { analyzers: [analyzer] });

const gateway = (name: string, servers: string, selector = '{ istio: ingressgateway }', namespace = 'default') => `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  selector: ${selector}
  servers:
${servers}
---`;

const http = (port: number, hosts = '["*"]') => `  - port: { number: ${port}, name: http-${port}, protocol: HTTP }\n    hosts: ${hosts}\n`;
const https = (port: number, hosts: string, credential: string) =>
  `  - port: { number: ${port}, name: https-${port}, protocol: HTTPS }\n    hosts: ${hosts}\n    tls: { mode: SIMPLE, credentialName: ${credential} }\n`;

describe('gateway.IngressGatewayPortAnalyzer', () => {
  it('reports a selector that selects no workload (IST0101)', () => {
    const m = run(gatewayWorkloadAnalyzer, gateway('gw', http(80), '{ istio: egressgateway }'));
    expect(digest(m)).toEqual(['IST0101 Gateway/default/gw spec.selector']);
    expect(m[0]!.text).toBe('Referenced selector not found: "istio=egressgateway"');
  });

  it('warns about a port the selected workloads do not serve (IST0104)', () => {
    const m = run(gatewayWorkloadAnalyzer, gateway('gw', http(80) + http(8080)));
    expect(digest(m)).toEqual(['IST0104 Gateway/default/gw spec.servers[1].port.number']);
    expect(m[0]).toMatchObject({ level: 'Warning', text: 'No workload selected by istio=ingressgateway serves port 8080 (they serve 80, 443)' });
  });

  it('does not check ports when the workloads’ ports are unknown', () => {
    const unknown = { ...INGRESS, ports: undefined };
    expect(run(gatewayWorkloadAnalyzer, gateway('gw', http(8080)), { workloads: [unknown] })).toEqual([]);
  });
});

describe('gateway.SecretAnalyzer', () => {
  it('reports a credentialName missing from the gateway workload’s namespace', () => {
    const yaml = gateway('gw', https(443, '[a.example.com]', 'a-cert') + https(8443, '[b.example.com]', 'b-cert'));
    const m = run(gatewaySecretAnalyzer, yaml, { workloads: [INGRESS], secrets: ['istio-system/a-cert', 'default/b-cert'] });
    expect(digest(m)).toEqual(['IST0101 Gateway/default/gw spec.servers[1].tls.credentialName']);
    expect(m[0]!.text).toBe('Referenced credentialName not found: "b-cert" (looked in namespace istio-system)');
  });

  it('accepts bare secret names from any namespace, and is skipped when secrets are unknown', () => {
    const yaml = gateway('gw', https(443, '[a.example.com]', 'a-cert'));
    expect(run(gatewaySecretAnalyzer, yaml, { workloads: [INGRESS], secrets: ['a-cert'] })).toEqual([]);
    expect(run(gatewaySecretAnalyzer, yaml, { workloads: [INGRESS] })).toEqual([]);
  });
});

describe('gateway.ConflictingGatewayAnalyzer', () => {
  it('reports TLS servers of two Gateways on the same workloads and port with overlapping hosts (IST0145)', () => {
    const m = run(conflictingGatewayAnalyzer, gateway('a', https(443, '["*.example.com"]', 'a-cert')) + gateway('b', https(443, '[shop.example.com]', 'b-cert')));
    expect(digest(m)).toEqual(['IST0145 Gateway/default/a spec.servers[0]', 'IST0145 Gateway/default/b spec.servers[0]']);
    expect(m[0]).toMatchObject({ level: 'Error', name: 'ConflictingGateways' });
    expect(m[0]!.text).toMatch(/^Conflict with gateways default\/b \(workload selector istio=ingressgateway, port 443, hosts \*\.example\.com\): /);
  });

  it('reports different protocols on one port, whatever the hosts', () => {
    const tcp = `  - port: { number: 80, name: tcp, protocol: TCP }\n    hosts: ["*"]\n`;
    expect(digest(run(conflictingGatewayAnalyzer, gateway('a', http(80, '[a.example.com]')) + gateway('b', tcp)))).toEqual([
      'IST0145 Gateway/default/a spec.servers[0]',
      'IST0145 Gateway/default/b spec.servers[0]',
    ]);
  });

  it('lets plain HTTP servers merge, and TLS servers with distinct hosts or selectors coexist', () => {
    expect(run(conflictingGatewayAnalyzer, gateway('a', http(80)) + gateway('b', http(80)))).toEqual([]);
    expect(run(conflictingGatewayAnalyzer, gateway('a', https(443, '[a.example.com]', 'a')) + gateway('b', https(443, '[b.example.com]', 'b')))).toEqual([]);
    expect(run(conflictingGatewayAnalyzer, gateway('a', https(443, '[a.example.com]', 'a')) + gateway('b', https(443, '[a.example.com]', 'b'), '{ istio: other }'))).toEqual([]);
  });
});

describe('gateway.CertificateAnalyzer', () => {
  it('warns when Gateways on the same workloads serve the same certificate (IST0138)', () => {
    const m = run(gatewayCertificateAnalyzer, gateway('a', https(443, '[a.example.com]', 'shared')) + gateway('b', https(443, '[b.example.com]', 'shared')));
    expect(digest(m)).toEqual(['IST0138 Gateway/default/a', 'IST0138 Gateway/default/b']);
    expect(m[0]!.text).toContain('Gateways default/a, default/b serve the same certificate');
    expect(run(gatewayCertificateAnalyzer, gateway('a', https(443, '[a.example.com]', 'one')) + gateway('b', https(443, '[b.example.com]', 'two')))).toEqual([]);
  });
});
