// Whether Citadel checks Kubernetes service-account tokens, and with which
// API server credentials. The app decides (it may read the environment);
// the lib only receives a KubeConfig.
import { KubeConfig } from '@kubernetes/client-node';

export function kubernetesAuth(mode: string, audiences: string[], env: Record<string, string | undefined> = process.env): { kubeConfig: KubeConfig; audiences: string[] } | undefined {
  const inCluster = Boolean(env['KUBERNETES_SERVICE_HOST']);
  if (mode === 'off' || (mode === 'auto' && !inCluster)) return undefined;
  const kubeConfig = new KubeConfig();
  if (inCluster) kubeConfig.loadFromCluster();
  else kubeConfig.loadFromDefault();
  return { kubeConfig, audiences };
}
