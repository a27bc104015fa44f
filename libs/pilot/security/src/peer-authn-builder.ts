// PeerAuthentication -> the inbound filter chains of a workload port
// (Istio's ComposePeerAuthentication + inbound filter chain match options).
//
// Effective mode: the oldest mesh-wide policy (root namespace, no selector),
// overridden by the oldest namespace-wide one, overridden by the oldest
// workload one (selector, not in the root namespace); UNSET inherits;
// portLevelMtls of the workload policy (keys are workload ports) overrides
// per port, UNSET there inherits the workload's mode. Nothing set:
// PERMISSIVE.
//
// Chains per mode (filter chain match on the virtual inbound listener, which
// has the TLS inspector):
// - STRICT: one chain, transportProtocol `tls`, terminating mTLS;
// - PERMISSIVE: mTLS chain (transportProtocol `tls` + Istio's in-mesh ALPNs)
//   and a plaintext chain (`raw_buffer`); TCP ports add a chain passing TLS
//   that is not Istio mTLS (app-level TLS) through untouched;
// - DISABLE: plaintext only (`raw_buffer`).
import type { PeerAuthentication, PeerAuthenticationMutualTLS } from '@sextant/config-model';
import type { EnvoyObject, FilterChainObject } from '@sextant/translate';
import { FILTER, ROOT_CA_SECRET, TYPED, WORKLOAD_CERT_SECRET } from '@sextant/translate';

export type MtlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';

export interface MergedPeerAuthentication {
  mode: MtlsMode;
  /** Workload port -> mode (from the workload policy's portLevelMtls). */
  perPort: ReadonlyMap<number, MtlsMode>;
}

function modeOf(m: PeerAuthenticationMutualTLS | undefined): MtlsMode | undefined {
  return m?.mode && m.mode !== 'UNSET' ? m.mode : undefined;
}

const hasSelector = (p: PeerAuthentication) => Object.keys(p.spec.selector?.matchLabels ?? {}).length > 0;

/**
 * The effective policy from the PeerAuthentications that apply to a workload
 * (as PushContext.securityPolicies returns them: oldest first).
 */
export function composePeerAuthentication(rootNamespace: string, policies: readonly PeerAuthentication[]): MergedPeerAuthentication {
  let mesh: PeerAuthentication | undefined;
  let namespace: PeerAuthentication | undefined;
  let workload: PeerAuthentication | undefined;
  for (const p of policies) {
    const inRoot = (p.metadata.namespace ?? 'default') === rootNamespace;
    if (!hasSelector(p)) {
      if (inRoot) mesh ??= p;
      else namespace ??= p;
    } else if (!inRoot) workload ??= p;
  }
  let mode: MtlsMode = 'PERMISSIVE';
  for (const p of [mesh, namespace, workload]) mode = modeOf(p?.spec.mtls) ?? mode;
  const perPort = new Map<number, MtlsMode>();
  for (const [port, m] of Object.entries(workload?.spec.portLevelMtls ?? {})) {
    const n = Number(port);
    if (Number.isInteger(n) && n > 0 && n <= 65535) perPort.set(n, modeOf(m) ?? mode);
  }
  return { mode, perPort };
}

export function mtlsModeForPort(merged: MergedPeerAuthentication, port: number): MtlsMode {
  return merged.perPort.get(port) ?? merged.mode;
}

/** ALPNs an Istio client offers over mesh mTLS (what a PERMISSIVE chain recognises as in-mesh traffic). */
export const ISTIO_MTLS_ALPNS: readonly string[] = ['istio', 'istio-peer-exchange', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2'];
/** ALPN the server side negotiates: HTTP chains speak h2 or HTTP/1.1; TCP chains also accept peer metadata exchange. */
export const SERVER_ALPN_HTTP: readonly string[] = ['h2', 'http/1.1'];
export const SERVER_ALPN_TCP: readonly string[] = ['istio-peer-exchange', 'h2', 'http/1.1'];
/** Istio's server-side cipher suites for mesh mTLS (TLS 1.2; TLS 1.3 suites are fixed). */
export const MESH_CIPHER_SUITES: readonly string[] = [
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'AES256-GCM-SHA384',
  'AES128-GCM-SHA256',
];

export interface InboundTlsOptions {
  trustDomain: string;
  /** Other trust domains whose workloads are accepted (Istio: trustDomainAliases). */
  trustDomainAliases?: readonly string[];
  /** SDS config source of the `default` and `ROOTCA` secrets (the same one translation uses). */
  sdsConfig: EnvoyObject;
}

/**
 * The DownstreamTlsContext of mesh mTLS: the workload certificate (SDS
 * `default`), client certificate required and verified against the mesh
 * roots (SDS `ROOTCA`), the peer's URI SAN restricted to the trust domain(s)
 * (`spiffe://<td>/` prefix), TLS 1.2-1.3.
 */
export function inboundMtlsSocket(protocol: 'http' | 'tcp', opts: InboundTlsOptions): EnvoyObject {
  const domains = [...new Set([opts.trustDomain, ...(opts.trustDomainAliases ?? [])])];
  return {
    name: FILTER.tlsTransportSocket,
    typedConfig: {
      '@type': TYPED.downstreamTls,
      commonTlsContext: {
        tlsParams: { tlsMinimumProtocolVersion: 'TLSv1_2', tlsMaximumProtocolVersion: 'TLSv1_3', cipherSuites: [...MESH_CIPHER_SUITES] },
        alpnProtocols: [...(protocol === 'http' ? SERVER_ALPN_HTTP : SERVER_ALPN_TCP)],
        tlsCertificateSdsSecretConfigs: [{ name: WORKLOAD_CERT_SECRET, sdsConfig: opts.sdsConfig }],
        combinedValidationContext: {
          defaultValidationContext: { matchSubjectAltNames: domains.map((td) => ({ prefix: `spiffe://${td}/` })) },
          validationContextSdsSecretConfig: { name: ROOT_CA_SECRET, sdsConfig: opts.sdsConfig },
        },
      },
      requireClientCertificate: { value: true },
    },
  };
}

/** HTTP when the chain ends in the HTTP connection manager, else TCP. */
export function chainProtocol(chain: FilterChainObject): 'http' | 'tcp' {
  return chain.filters.some((f) => f.name === FILTER.httpConnectionManager) ? 'http' : 'tcp';
}

/**
 * Rewrites the plaintext chains translation built for one workload port
 * into the chains of `mode`. Chain names: the plaintext chain keeps its name,
 * the mTLS one gets `-mtls`, TCP's TLS passthrough chain `-tls`.
 */
export function applyPeerAuthentication(chains: readonly FilterChainObject[], mode: MtlsMode, opts: InboundTlsOptions): FilterChainObject[] {
  const out: FilterChainObject[] = [];
  for (const chain of chains) {
    const protocol = chainProtocol(chain);
    const base = chain.filterChainMatch ?? {};
    const name = chain.name ?? '';
    const mtls: FilterChainObject = {
      ...chain,
      name: `${name}-mtls`,
      filterChainMatch: { ...base, transportProtocol: 'tls', ...(mode === 'PERMISSIVE' ? { applicationProtocols: [...ISTIO_MTLS_ALPNS] } : {}) },
      transportSocket: inboundMtlsSocket(protocol, opts),
    };
    const plain: FilterChainObject = { ...chain, filterChainMatch: { ...base, transportProtocol: 'raw_buffer' } };
    if (mode === 'STRICT') out.push(mtls);
    else if (mode === 'DISABLE') out.push(plain);
    else {
      out.push(mtls);
      if (protocol === 'tcp') out.push({ ...chain, name: `${name}-tls`, filterChainMatch: { ...base, transportProtocol: 'tls' } });
      out.push(plain);
    }
  }
  return out;
}
