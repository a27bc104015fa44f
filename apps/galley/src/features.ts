import { defineSettings } from '@sextant/util';

export const GALLEY_SETTINGS = defineSettings({
  grpcPort: { kind: 'port', env: 'GALLEY_GRPC_PORT', flag: 'grpc-port', default: 9901, description: 'config API (sextant.galley.v1.ConfigService); its REST mirror is on the admin port under /apis/v1' },
  configDir: { kind: 'string', env: 'GALLEY_CONFIG_DIR', flag: 'config-dir', default: '', description: 'watch this directory of YAML (empty: off); each file is one atomic batch' },
  configDirDebounce: { kind: 'duration', env: 'GALLEY_CONFIG_DIR_DEBOUNCE', flag: 'config-dir-debounce', default: 200, description: 'quiet time after a file change before the directory is read again' },
  batchTimeout: { kind: 'duration', env: 'GALLEY_BATCH_TIMEOUT', flag: 'batch-timeout', default: 5_000, description: 'how long a watcher holds an incomplete batch before releasing what arrived' },
  kubernetes: { kind: 'enum', env: 'GALLEY_KUBERNETES', flag: 'kubernetes', default: 'auto', values: ['auto', 'on', 'off'], description: 'mirror Istio CRDs from the Kubernetes API (auto: when in a cluster or --kubeconfig is set)' },
  kubeconfig: { kind: 'string', env: 'KUBECONFIG', flag: 'kubeconfig', default: '', description: 'kubeconfig file (empty: in-cluster service account)' },
  kubernetesServiceHost: { kind: 'string', env: 'KUBERNETES_SERVICE_HOST', flag: 'kubernetes-service-host', default: '', description: 'set by Kubernetes inside a pod; tells auto mode it runs in a cluster' },
  webhookPort: { kind: 'port', env: 'GALLEY_WEBHOOK_PORT', flag: 'webhook-port', default: 15017, description: 'validating admission webhook (HTTPS, POST /validate); on when cert and key files are set' },
  webhookCertFile: { kind: 'string', env: 'GALLEY_WEBHOOK_CERT_FILE', flag: 'webhook-cert-file', default: '', description: 'PEM certificate (chain) of the webhook server; reloaded when it changes' },
  webhookKeyFile: { kind: 'string', env: 'GALLEY_WEBHOOK_KEY_FILE', flag: 'webhook-key-file', default: '', description: 'PEM private key of the webhook server' },
});
