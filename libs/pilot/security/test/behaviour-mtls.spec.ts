// PeerAuthentication behaviour, as Istio's mutual TLS tasks describe it:
// clients with sidecars talk mTLS, legacy clients (no sidecar) plaintext;
// STRICT refuses plaintext, PERMISSIVE takes both, DISABLE only plaintext;
// precedence workload > namespace > mesh, port level over workload, UNSET
// inherits.
import { describe, expect, it } from 'vitest';
import { endpointMtlsDisabled, workloadMtlsMode } from '../src/security-hooks';
import { buildPush, loadConfigs } from './fixtures';
import { inboundListener, output } from './scenarios';
import { simulateSecurity, type SecurityConnection, type SecurityRequest } from '../src/security-simulator';
import { code, fromSidecar, plaintext } from './sim';

function send(scenario: string, proxy: string, port: number, conn: Omit<SecurityConnection, 'port'>, req: SecurityRequest | undefined = { path: '/ip' }) {
  return simulateSecurity(inboundListener(output(scenario, proxy)), { port, ...conn }, req);
}

const sleepFoo = fromSidecar('foo', 'sleep', { sourceIp: '10.20.0.2' });
const legacy = plaintext({ sourceIp: '10.40.0.2' });

describe('no PeerAuthentication: PERMISSIVE (Istio default)', () => {
  it('accepts mTLS from sidecars and plaintext from legacy workloads on HTTP ports', () => {
    const m = send('mtls-default', 'foo.httpbin-0', 8080, sleepFoo);
    expect(code(m)).toBe(200);
    expect(m.chain).toBe('inbound_0.0.0.0_8080-mtls');
    expect(m.peerPrincipal).toBe('spiffe://cluster.local/ns/foo/sa/sleep');
    const p = send('mtls-default', 'foo.httpbin-0', 8080, legacy);
    expect(code(p)).toBe(200);
    expect(p.chain).toBe('inbound_0.0.0.0_8080');
    expect(p.peerPrincipal).toBeUndefined();
  });
  it('passes application TLS through on TCP ports (not Istio mTLS: no istio ALPN)', () => {
    const o = send('mtls-default', 'foo.tcp-echo-0', 9000, { transport: 'tls', alpn: ['h2'], sourceIp: '10.40.0.2' }, undefined);
    expect(o).toMatchObject({ allowed: true, chain: 'inbound_0.0.0.0_9000-tls', reason: 'TLS passed through to the upstream' });
    expect(code(send('mtls-default', 'foo.tcp-echo-0', 9000, sleepFoo, undefined))).toBe(200);
    expect(code(send('mtls-default', 'foo.tcp-echo-0', 9000, legacy, undefined))).toBe(200);
  });
  it('still rejects a mesh-looking client whose certificate is not from the mesh CA', () => {
    expect(send('mtls-default', 'foo.httpbin-0', 8080, { ...sleepFoo, trustedPeer: false })).toMatchObject({ closed: true, stage: 'tls' });
  });
});

describe('mesh-wide STRICT', () => {
  it('refuses plaintext (connection reset, curl 000) and accepts sidecars', () => {
    expect(code(send('mtls-mesh-strict', 'foo.httpbin-0', 8080, legacy))).toBe(0);
    expect(code(send('mtls-mesh-strict', 'foo.httpbin-0', 8080, sleepFoo))).toBe(200);
    expect(code(send('mtls-mesh-strict', 'foo.tcp-echo-0', 9001, legacy, undefined))).toBe(0);
    expect(code(send('mtls-mesh-strict', 'foo.tcp-echo-0', 9001, sleepFoo, undefined))).toBe(200);
  });
  it('requires a client certificate from the mesh trust domain', () => {
    expect(send('mtls-mesh-strict', 'foo.httpbin-0', 8080, { transport: 'tls', alpn: ['istio-http/1.1'] })).toMatchObject({ closed: true, stage: 'tls', reason: 'client certificate required' });
    const foreign = send('mtls-mesh-strict', 'foo.httpbin-0', 8080, { transport: 'mtls', peerPrincipal: 'spiffe://other.domain/ns/foo/sa/sleep' });
    expect(foreign).toMatchObject({ closed: true, stage: 'tls' });
    expect(foreign.reason).toMatch(/outside the accepted trust domains/);
  });
  it('negotiates h2/http1.1 on HTTP chains and peer exchange on TCP chains (Istio ALPNs)', () => {
    const chains = inboundListener(output('mtls-mesh-strict', 'foo.tcp-echo-0')).filterChains!;
    const tcp = chains.find((c) => c.name === 'inbound_0.0.0.0_9000-mtls')!;
    const http = inboundListener(output('mtls-mesh-strict', 'foo.httpbin-0')).filterChains!.find((c) => c.name === 'inbound_0.0.0.0_8080-mtls')!;
    const alpn = (c: typeof tcp) => ((c.transportSocket as { typedConfig: { commonTlsContext: { alpnProtocols: string[] } } }).typedConfig.commonTlsContext.alpnProtocols);
    expect(alpn(tcp)).toEqual(['istio-peer-exchange', 'h2', 'http/1.1']);
    expect(alpn(http)).toEqual(['h2', 'http/1.1']);
    expect(tcp.filterChainMatch).toEqual({ destinationPort: { value: 9000 }, transportProtocol: 'tls' });
  });
});

describe('namespace-level policies override the mesh', () => {
  it('foo STRICT refuses plaintext; bar DISABLE takes only plaintext', () => {
    expect(code(send('mtls-namespace', 'foo.httpbin-0', 8080, legacy))).toBe(0);
    expect(code(send('mtls-namespace', 'foo.httpbin-0', 8080, sleepFoo))).toBe(200);
    expect(code(send('mtls-namespace', 'bar.httpbin-0', 8080, legacy))).toBe(200);
    expect(code(send('mtls-namespace', 'bar.httpbin-0', 8080, sleepFoo))).toBe(0);
  });
  it('so client auto mTLS must send plaintext to DISABLE workloads (endpointMtlsDisabled)', () => {
    const push = buildPush(loadConfigs('mtls-namespace.yaml'));
    const httpbin = (ns: string) => push.endpoints({ hostname: `httpbin.${ns}.svc.cluster.local`, namespace: ns }, 8000)[0]!;
    expect(endpointMtlsDisabled(push, httpbin('bar'))).toBe(true);
    expect(endpointMtlsDisabled(push, httpbin('foo'))).toBe(false);
    expect(endpointMtlsDisabled(push, httpbin('legacy'))).toBe(false); // no sidecar: plaintext anyway
  });
});

describe('workload and port level', () => {
  it('httpbin in bar: STRICT, with its 8080 workload port opened to plaintext', () => {
    expect(code(send('mtls-workload-port', 'bar.httpbin-0', 8080, legacy))).toBe(200);
    expect(code(send('mtls-workload-port', 'bar.httpbin-0', 8080, sleepFoo))).toBe(0);
  });
  it('tcp-echo in foo: UNSET inherits the namespace DISABLE (port 9000 too), port 9001 STRICT', () => {
    expect(code(send('mtls-workload-port', 'foo.tcp-echo-0', 9000, legacy, undefined))).toBe(200);
    expect(code(send('mtls-workload-port', 'foo.tcp-echo-0', 9000, sleepFoo, undefined))).toBe(0);
    expect(code(send('mtls-workload-port', 'foo.tcp-echo-0', 9001, legacy, undefined))).toBe(0);
    expect(code(send('mtls-workload-port', 'foo.tcp-echo-0', 9001, sleepFoo, undefined))).toBe(200);
  });
  it('the namespace policy beats the mesh one for workloads without their own', () => {
    expect(code(send('mtls-workload-port', 'foo.httpbin-0', 8080, legacy))).toBe(200);
    const push = buildPush(loadConfigs('mtls-workload-port.yaml'));
    expect(workloadMtlsMode(push, 'foo', { app: 'httpbin' }, 8080)).toBe('DISABLE');
    expect(workloadMtlsMode(push, 'default', { app: 'productpage' }, 9080)).toBe('STRICT');
    expect(workloadMtlsMode(push, 'bar', { app: 'httpbin' }, 8080)).toBe('DISABLE');
    expect(workloadMtlsMode(push, 'bar', { app: 'httpbin' }, 9999)).toBe('STRICT');
  });
});

describe('ports the workload does not declare (the passthrough chain)', () => {
  it('STRICT refuses plaintext there too; sidecars still get through over mTLS', () => {
    expect(send('mtls-mesh-strict', 'foo.httpbin-0', 7777, legacy, undefined)).toMatchObject({ closed: true });
    expect(send('mtls-mesh-strict', 'foo.httpbin-0', 7777, sleepFoo, undefined)).toMatchObject({ allowed: true, chain: 'virtualInbound-catchall-mtls' });
  });
  it('PERMISSIVE takes both; DISABLE only plaintext', () => {
    expect(send('mtls-default', 'foo.httpbin-0', 7777, legacy, undefined)).toMatchObject({ allowed: true, chain: 'virtualInbound-catchall' });
    expect(send('mtls-default', 'foo.httpbin-0', 7777, sleepFoo, undefined)).toMatchObject({ allowed: true, chain: 'virtualInbound-catchall-mtls' });
    expect(send('mtls-namespace', 'bar.httpbin-0', 7777, legacy, undefined)).toMatchObject({ allowed: true, chain: 'virtualInbound-catchall' });
    expect(code(send('mtls-namespace', 'bar.httpbin-0', 7777, sleepFoo, undefined))).toBe(0);
  });
});

describe('what clients see of a server mode (EDS tlsMode, secrets)', () => {
  type Lb = { endpoint: { address: { socketAddress: { address: string } } }; metadata?: { filterMetadata: Record<string, { fields: { tlsMode?: { stringValue: string } } }> } };
  const tlsModes = (scenario: string, proxy: string, cluster: string) =>
    output(scenario, proxy)
      .config.endpoints.find((e) => e.clusterName === cluster)!
      .endpoints.flatMap((l) => l.lbEndpoints as unknown as Lb[])
      .map((lb) => lb.metadata?.filterMetadata['envoy.transport_socket_match']?.fields.tlsMode?.stringValue);
  it('endpoints of DISABLE workloads are labelled tlsMode disabled, so client auto mTLS sends plaintext there', () => {
    expect(tlsModes('mtls-namespace', 'foo.httpbin-0', 'outbound|8000||httpbin.bar.svc.cluster.local')).toEqual(['disabled']);
    expect(tlsModes('mtls-namespace', 'foo.httpbin-0', 'outbound|8000||httpbin.foo.svc.cluster.local')).toEqual(['istio']);
    expect(tlsModes('mtls-default', 'foo.httpbin-0', 'outbound|8000||httpbin.bar.svc.cluster.local')).toEqual(['istio']);
  });
  it('the workload certificate and mesh roots the chains name are in the output secrets (the proxy resolves them locally)', () => {
    expect(output('mtls-mesh-strict', 'foo.httpbin-0').config.secrets).toEqual(['ROOTCA', 'default']);
  });
});
