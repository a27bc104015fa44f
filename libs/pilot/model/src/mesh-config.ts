// Mesh-wide settings translation reads (a subset of Istio's MeshConfig), with
// Istio's defaults. The pilot app fills it from its settings.
import type { HTTPRetry } from '@sextant/config-model';

export interface MeshConfig {
  /** Namespace whose Sidecar/DestinationRule/policies apply mesh-wide (Istio: istio-system). */
  rootNamespace: string;
  trustDomain: string;
  /** Kubernetes cluster domain used to expand short host names. */
  domainSuffix: string;
  /** What a sidecar does with traffic to unknown destinations. */
  outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /** Upstream connect timeout when a DestinationRule sets none (Istio: 10s). */
  connectTimeout: string;
  /** Send ISTIO_MUTUAL to endpoints that have a sidecar when no DestinationRule sets TLS. */
  enableAutoMtls: boolean;
  /** Retry policy of routes without VirtualService retries (undefined: Istio's default of 2 attempts). */
  defaultHttpRetryPolicy?: HTTPRetry;
  /** Outbound capture port (virtualOutbound). */
  proxyOutboundPort: number;
  /** Inbound capture port (virtualInbound). */
  proxyInboundPort: number;
  /** Enable locality-aware load balancing where a DestinationRule has outlier detection. */
  localityLbEnabled: boolean;
}

export const DEFAULT_MESH_CONFIG: Readonly<MeshConfig> = Object.freeze({
  rootNamespace: 'istio-system',
  trustDomain: 'cluster.local',
  domainSuffix: 'cluster.local',
  outboundTrafficPolicy: 'ALLOW_ANY',
  connectTimeout: '10s',
  enableAutoMtls: true,
  proxyOutboundPort: 15001,
  proxyInboundPort: 15006,
  localityLbEnabled: true,
});

export function meshConfig(overrides: Partial<MeshConfig> = {}): MeshConfig {
  return { ...DEFAULT_MESH_CONFIG, ...overrides };
}
