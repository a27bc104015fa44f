import { defineSettings } from '@sextant/util';

export const PROXY_SETTINGS = defineSettings({
  mode: { kind: 'enum', env: 'PROXY_MODE', flag: 'mode', default: 'sidecar', values: ['sidecar', 'ingress', 'egress'], description: 'sidecar, ingress gateway or egress gateway' },
  adminPort: { kind: 'port', env: 'SEXTANT_ADMIN_PORT', flag: 'admin-port', default: 15000, description: 'proxy admin: /ready /stats /stats/prometheus /clusters /config_dump /logging /drain_listeners /quitquitquit' },
  healthPort: { kind: 'port', env: 'PROXY_HEALTH_PORT', flag: 'health-port', default: 15021, description: 'health probe: /healthz/ready (and /stats/prometheus)' },
  outboundPort: { kind: 'port', env: 'PROXY_OUTBOUND_PORT', flag: 'outbound-port', default: 15001, description: 'outbound capture / explicit HTTP proxy port actually bound (config says 15001)' },
  inboundPort: { kind: 'port', env: 'PROXY_INBOUND_PORT', flag: 'inbound-port', default: 15006, description: 'inbound capture port actually bound (config says 15006)' },
  interceptionMode: {
    kind: 'enum',
    env: 'PROXY_INTERCEPTION_MODE',
    flag: 'interception-mode',
    default: 'NONE',
    values: ['NONE', 'REDIRECT'],
    description: "sidecars: NONE (explicit capture, no privileges) or REDIRECT (transparent: `sextant proxy iptables` rules in the workload's network namespace, original destination by SO_ORIGINAL_DST); Istio's INTERCEPTION_MODE",
  },
  pilotAddress: { kind: 'string', env: 'PILOT_ADDRESS', flag: 'pilot-address', default: '127.0.0.1:15010', description: 'Pilot xDS address host:port' },
  xdsProtocol: { kind: 'enum', env: 'PROXY_XDS_PROTOCOL', flag: 'xds-protocol', default: 'auto', values: ['auto', 'delta', 'sotw'], description: 'ADS flavour: delta with SotW fallback (auto), or one of them' },
  warmTimeout: { kind: 'duration', env: 'PROXY_WARM_TIMEOUT', flag: 'warm-timeout', default: 5_000, description: 'how long new clusters, routes and listeners wait for what they need before going in anyway' },
  listenerHost: {
    kind: 'string',
    env: 'PROXY_LISTENER_HOST',
    flag: 'listener-host',
    default: '',
    description: 'bind every listener on this address; empty: the workload address (sidecar) or the address in the config (gateways)',
  },
  drainDuration: { kind: 'duration', env: 'PROXY_DRAIN_DURATION', flag: 'drain-duration', default: 5_000, description: 'on SIGTERM: how long in-flight requests may take before connections are closed' },
  accessLog: { kind: 'enum', env: 'PROXY_ACCESS_LOG', flag: 'access-log', default: 'config', values: ['config', 'on', 'off'], description: 'JSON access log: as the config says (access_log in listeners/HCMs), always, or never' },
  sniffTimeout: { kind: 'duration', env: 'PROXY_SNIFF_TIMEOUT', flag: 'sniff-timeout', default: 1_000, description: 'longest wait for a client\'s first bytes when the protocol is not declared' },
  defaultRetries: { kind: 'enum', env: 'PROXY_DEFAULT_RETRIES', flag: 'default-retries', default: 'safe', values: ['safe', 'none'], description: 'retries for routes without a retry policy: safe (connect failures, refused streams, resets of idempotent requests, within a budget) or none' },
  peerMetadata: { kind: 'bool', env: 'PROXY_PEER_METADATA', flag: 'peer-metadata', default: true, description: "exchange Istio's x-envoy-peer-metadata headers with peers (source/destination workload labels in metrics)" },
  clusterId: { kind: 'string', env: 'PROXY_CLUSTER_ID', flag: 'cluster-id', default: 'Kubernetes', description: 'Istio CLUSTER_ID of this proxy' },
  trustDomain: { kind: 'string', env: 'PROXY_TRUST_DOMAIN', flag: 'trust-domain', default: 'cluster.local', description: 'SPIFFE trust domain (metric principals)' },
});
