import { describe, expect, it } from 'vitest';
import { generateProxyConfig, type FilterHookContext } from '@sextant/translate';
import { buildPush, ingressGateway, parseConfigs, sidecarOf } from '../test/fixtures';
import { sdsConfigFor, securityClusters, securityHooks } from './security-hooks';

const ALLOW_ALL = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: all, namespace: istio-system }
spec: { rules: [{}] }
`;

describe('securityHooks', () => {
  const push = buildPush(parseConfigs(ALLOW_ALL));
  const proxy = sidecarOf('foo/tcp-echo-0');
  const ctx = (over: Partial<FilterHookContext>): FilterHookContext => ({ push, proxy, direction: 'inbound', port: 9000, policies: push.securityPolicies(proxy), ...over });
  const hooks = securityHooks();

  it('adds nothing on outbound chains or for proxyless clients', () => {
    expect(hooks.httpFilters!(ctx({ direction: 'outbound' }))).toEqual([]);
    expect(hooks.networkFilters!(ctx({ direction: 'outbound' }))).toEqual([]);
    expect(hooks.httpFilters!(ctx({ proxy: { ...proxy, proxyless: true } }))).toEqual([]);
  });
  it('network RBAC only on TCP chains (HTTP chains get HTTP RBAC)', () => {
    expect(hooks.networkFilters!(ctx({})).map((f) => f.name)).toEqual(['envoy.filters.network.rbac.allow']);
    expect(hooks.networkFilters!(ctx({ port: 0 })).map((f) => f.name)).toEqual(['envoy.filters.network.rbac.allow']);
    const httpbin = sidecarOf('foo/httpbin-0');
    expect(hooks.networkFilters!(ctx({ proxy: httpbin, port: 8080, policies: push.securityPolicies(httpbin) }))).toEqual([]);
    expect(hooks.httpFilters!(ctx({ proxy: httpbin, port: 8080, policies: push.securityPolicies(httpbin) })).map((f) => f.name)).toEqual(['envoy.filters.http.rbac.allow']);
  });
  it('leaves gateway chains alone in inboundFilterChains', () => {
    const chains = [{ name: 'c', filters: [] }];
    expect(hooks.inboundFilterChains!(ctx({ proxy: ingressGateway(), direction: 'gateway' }), chains)).toBe(chains);
  });
  it('uses the SDS source it is given for the mTLS secrets', () => {
    const src = { clusterName: 'sds-grpc' };
    const config = generateProxyConfig(push, proxy, { sdsSource: src, hooks: securityHooks({ sdsSource: src }) });
    const inbound = config.listeners.find((l) => l.name === 'virtualInbound')!;
    const tls = inbound.filterChains!.find((c) => c.transportSocket)!.transportSocket as { typedConfig: { commonTlsContext: { tlsCertificateSdsSecretConfigs: { sdsConfig: unknown }[] } } };
    expect(tls.typedConfig.commonTlsContext.tlsCertificateSdsSecretConfigs[0]!.sdsConfig).toEqual(sdsConfigFor(src));
  });
  it('reports each warning once per proxy and push', () => {
    const custom = buildPush(parseConfigs(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: ext, namespace: foo }
spec: { action: CUSTOM, provider: { name: p }, rules: [{}] }
`));
    const seen: string[] = [];
    const h = securityHooks({ onWarning: (m, p) => seen.push(`${p.workloadName}: ${m}`) });
    generateProxyConfig(custom, proxy, { hooks: h });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^tcp-echo-0: AuthorizationPolicy foo\/ext: action CUSTOM .* NOT SUPPORTED/);
  });
});

describe('gateway ports', () => {
  const gw = `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: gw, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers:
  - { port: { number: 443, name: https, protocol: HTTPS }, hosts: ["a.example.com"], tls: { mode: SIMPLE, credentialName: a } }
  - { port: { number: 443, name: tls, protocol: TLS }, hosts: ["b.example.com"], tls: { mode: PASSTHROUGH } }
  - { port: { number: 31400, name: tcp, protocol: TCP }, hosts: ["*"] }
  - { port: { number: 8443, name: https2, protocol: HTTPS }, hosts: ["c.example.com"], tls: { mode: SIMPLE, credentialName: c } }
`;
  const push = buildPush(parseConfigs(gw + '---' + ALLOW_ALL));
  const proxy = ingressGateway();
  const warnings: string[] = [];
  const hooks = securityHooks({ onWarning: (m) => warnings.push(m) });
  const net = (port: number) => hooks.networkFilters!({ push, proxy, direction: 'gateway', port, policies: push.securityPolicies(proxy) }).map((f) => f.name);
  it('TCP servers get network RBAC, HTTPS servers none; a port mixing both fails closed with a warning', () => {
    expect(net(31400)).toEqual(['envoy.filters.network.rbac.allow']);
    expect(net(8443)).toEqual([]);
    expect(net(443)).toEqual(['envoy.filters.network.rbac.allow']);
    expect(warnings).toEqual(['gateway port 443 serves both HTTPS and TLS/TCP: network RBAC applies to every chain of the port (fail closed)']);
  });
  it('securityClusters: nothing without RequestAuthentication', () => {
    expect(securityClusters(push, proxy)).toEqual([]);
  });
});
