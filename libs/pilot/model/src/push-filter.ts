// "Does this change matter to this proxy?" (Istio's ProxyNeedsPush), so a
// server skips proxies a change cannot affect. Conservative: unsure means yes.
import { parseConfigKey, type PushRequest } from './push-request';
import type { PushContext } from './push-context';
import type { ProxyInfo } from './proxy';

export function proxyNeedsPush(push: PushContext, proxy: ProxyInfo, request: PushRequest): boolean {
  if (request.forced || !request.configsUpdated) return true;
  const root = push.mesh.rootNamespace;
  for (const key of request.configsUpdated) {
    const { kind, namespace, name } = parseConfigKey(key);
    switch (kind) {
      case 'Service': {
        if (proxy.type === 'router') return true;
        if (push.sidecarScope(proxy).service(name)) return true;
        if (push.proxyEndpoints(proxy).some((e) => e.hostname === name)) return true;
        // A service that disappeared is no longer in the scope; a Sidecar-less proxy saw it.
        if (!push.service(name) && !push.sidecarFor(proxy)) return true;
        break;
      }
      case 'Gateway':
        if (proxy.type === 'router') return true;
        break;
      case 'Secret':
        // A credential (credentialName): a proxy reads Secrets of its own namespace only.
        if (namespace === proxy.namespace) return true;
        break;
      case 'Sidecar':
        if (proxy.type === 'sidecar' && (namespace === proxy.namespace || namespace === root)) return true;
        break;
      case 'PeerAuthentication':
        // Also changes what clients get: endpoint tlsMode (auto mTLS to DISABLE workloads) in every namespace.
        return true;
      case 'AuthorizationPolicy':
      case 'RequestAuthentication':
        if (namespace === proxy.namespace || namespace === root) return true;
        break;
      default:
        return true;
    }
  }
  return false;
}
