// Pilot's tunables, each declared once with its default and a description
// (Istio: pilot/pkg/features). Libraries get these values; they never read
// the environment themselves.
import { defineSettings } from '@sextant/util';

export const PILOT_SETTINGS = defineSettings({
  xdsPort: { kind: 'port', env: 'PILOT_XDS_PORT', flag: 'xds-port', default: 15010, description: 'xDS (ADS) over plaintext gRPC' },
  xdsTlsPort: { kind: 'port', env: 'PILOT_XDS_TLS_PORT', flag: 'xds-tls-port', default: 15012, description: 'xDS (ADS) over TLS (reserved)' },
  webhookPort: { kind: 'port', env: 'PILOT_WEBHOOK_PORT', flag: 'webhook-port', default: 15017, description: 'sidecar-injection webhook (reserved)' },
  debounceAfter: { kind: 'duration', env: 'PILOT_DEBOUNCE_AFTER', flag: 'debounce-after', default: 100, description: 'quiet time before a push' },
  debounceMax: { kind: 'duration', env: 'PILOT_DEBOUNCE_MAX', flag: 'debounce-max', default: 10_000, description: 'longest a push may be delayed' },
  batchTimeout: {
    kind: 'duration',
    env: 'PILOT_BATCH_TIMEOUT',
    flag: 'batch-timeout',
    default: 5_000,
    description: 'how long the config watch holds an incomplete batch before releasing what arrived',
  },
  validateConfig: {
    kind: 'bool',
    env: 'PILOT_VALIDATE_CONFIG',
    flag: 'validate-config',
    default: true,
    description: 'validate every resource read from the config bucket again; an invalid one is skipped (its last valid version stays)',
  },
  natsSettle: {
    kind: 'duration',
    env: 'PILOT_NATS_SETTLE',
    flag: 'nats-settle',
    default: 6_000,
    description: 'after NATS comes back, how long registry changes stay held (workloads re-announce) before they are pushed',
  },
  sendTimeout: {
    kind: 'duration',
    env: 'PILOT_XDS_SEND_TIMEOUT',
    flag: 'xds-send-timeout',
    default: 30_000,
    description: 'close an xDS stream whose client reads nothing for this long',
  },
  clusterWarmTimeout: {
    kind: 'duration',
    env: 'PILOT_CLUSTER_WARM_TIMEOUT',
    flag: 'cluster-warm-timeout',
    default: 5_000,
    description: 'longest a push holds listeners and routes while new clusters wait for their endpoints',
  },
  retiredClusterGrace: {
    kind: 'duration',
    env: 'PILOT_RETIRED_CLUSTER_GRACE',
    flag: 'retired-cluster-grace',
    default: 10_000,
    description: 'how long a cluster removed from a proxyless client\'s config stays served, for routes the client still uses (make-before-break)',
  },
  pushBatch: {
    kind: 'int',
    env: 'PILOT_PUSH_BATCH',
    flag: 'push-batch',
    default: 100,
    min: 1,
    max: 100_000,
    description: 'proxies served per event-loop turn during a push (Istio: PILOT_PUSH_THROTTLE); the rest follow in waves while responses flush',
  },
  pushHistory: { kind: 'int', env: 'PILOT_PUSH_HISTORY', flag: 'push-history', default: 50, min: 1, max: 10_000, description: 'pushes kept for /debug/push_status' },
  domainSuffix: { kind: 'string', env: 'PILOT_DOMAIN_SUFFIX', flag: 'domain-suffix', default: 'cluster.local', description: 'cluster domain of service host names' },
  trustDomain: { kind: 'string', env: 'PILOT_TRUST_DOMAIN', flag: 'trust-domain', default: 'cluster.local', description: 'SPIFFE trust domain' },
  rootNamespace: {
    kind: 'string',
    env: 'PILOT_ROOT_NAMESPACE',
    flag: 'root-namespace',
    default: 'istio-system',
    description: 'namespace whose Sidecar, DestinationRule and policies apply mesh-wide',
  },
  kubernetes: {
    kind: 'enum',
    env: 'PILOT_KUBERNETES',
    flag: 'kubernetes',
    default: 'auto',
    values: ['auto', 'on', 'off'],
    description: 'read Services, EndpointSlices and Pods from Kubernetes (auto: when in a cluster or --kubeconfig is set)',
  },
  kubeconfig: { kind: 'string', env: 'KUBECONFIG', flag: 'kubeconfig', default: '', description: 'kubeconfig file (empty: in-cluster service account)' },
  kubernetesServiceHost: {
    kind: 'string',
    env: 'KUBERNETES_SERVICE_HOST',
    flag: 'kubernetes-service-host',
    default: '',
    description: 'set by Kubernetes inside a pod; tells auto mode it runs in a cluster',
  },
});
