// Sidecar semantics: workload selector, ingress listeners (ports, binds,
// default endpoints, TLS, connection pools), egress listeners (ports, binds,
// capture modes, namespace/host lists) and the outbound traffic policy.
import type { IstioEgressListener, IstioIngressListener, OutboundTrafficPolicy, SidecarSpec } from '@sextant/config-model';
import { checkDestination, checkSelectorLabels } from '../checks/common';
import { checkFqdn, checkNamespaceSlashHost } from '../checks/hosts';
import { checkIpAddress } from '../checks/net';
import { checkPort, checkPortName, checkProtocol, checkUnixAddress, isHttpProtocol, isTlsProtocol, parseProtocol } from '../checks/values';
import type { Findings } from '../findings';
import { fieldPath as at, itemPath } from '../issue';
import type { SemanticInput } from './semantic-input';
import { checkServerTls } from './server-tls-validator';
import { checkConnectionPool } from './traffic-policy-validator';

const UNIX_PREFIX = 'unix://';
const LOCAL_HOSTS = new Set(['127.0.0.1', '0.0.0.0', '::1', '::']);

function checkDefaultEndpoint(f: Findings, path: string, endpoint: string): void {
  if (endpoint.startsWith(UNIX_PREFIX)) {
    f.check(path, 'INVALID_ADDRESS', checkUnixAddress(endpoint.slice(UNIX_PREFIX.length)));
    return;
  }
  // 127.0.0.1:port, 0.0.0.0:port, [::1]:port, [::]:port or :port
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):([^:]*)$/.exec(endpoint);
  if (!m) {
    f.error(path, 'INVALID_ADDRESS', `defaultEndpoint ${JSON.stringify(endpoint)} must be of form 127.0.0.1:<port>, 0.0.0.0:<port>, [::1]:<port>, [::]:<port>, :<port> or unix://<path>`);
    return;
  }
  const host = m[1] ?? m[2] ?? '';
  if (host !== '' && !LOCAL_HOSTS.has(host)) {
    f.error(path, 'INVALID_ADDRESS', 'sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,unix://filepath or unset');
  }
  const port = m[3]!;
  if (!/^[0-9]+$/.test(port)) f.error(path, 'INVALID_PORT', `defaultEndpoint port (${port}) is not a number`);
  else f.check(path, 'INVALID_PORT', checkPort(Number(port)));
}

function checkIngress(f: Findings, path: string, ingress: IstioIngressListener): void {
  const port = ingress.port;
  const portPath = at(path, 'port');
  if (port.targetPort !== undefined && port.targetPort > 0) f.warn(at(portPath, 'targetPort'), 'IGNORED', 'targetPort has no impact on Sidecars');
  if (port.name) f.check(at(portPath, 'name'), 'INVALID_PORT', checkPortName(port.name));
  f.check(at(portPath, 'protocol'), 'INVALID_PROTOCOL', checkProtocol(port.protocol));
  f.check(at(portPath, 'number'), 'INVALID_PORT', checkPort(port.number ?? 0));
  if (ingress.bind) f.check(at(path, 'bind'), 'INVALID_ADDRESS', checkIpAddress(ingress.bind));
  if (ingress.defaultEndpoint) checkDefaultEndpoint(f, at(path, 'defaultEndpoint'), ingress.defaultEndpoint);
  const tls = ingress.tls;
  if (tls) {
    const tp = at(path, 'tls');
    if ((tls.subjectAltNames?.length ?? 0) > 0) f.error(at(tp, 'subjectAltNames'), 'INVALID_TLS', 'sidecar: subjectAltNames is not supported in ingress tls');
    if (tls.httpsRedirect) f.error(at(tp, 'httpsRedirect'), 'INVALID_TLS', 'sidecar: httpsRedirect is not supported');
    if (tls.credentialName) f.error(at(tp, 'credentialName'), 'INVALID_TLS', 'sidecar: credentialName is not currently supported');
    if ((tls.credentialNames?.length ?? 0) > 0) f.error(at(tp, 'credentialNames'), 'INVALID_TLS', 'sidecar: credentialNames is not currently supported');
    if ((tls.tlsCertificates?.length ?? 0) > 0) f.error(at(tp, 'tlsCertificates'), 'INVALID_TLS', 'sidecar: tlsCertificates is not currently supported');
    if (tls.mode === 'ISTIO_MUTUAL' || tls.mode === 'AUTO_PASSTHROUGH') f.error(at(tp, 'mode'), 'INVALID_TLS', `cannot set mode to ${tls.mode} in sidecar ingress tls`);
    if (!isTlsProtocol(parseProtocol(port.protocol))) f.error(tp, 'INVALID_TLS', 'server cannot have TLS settings for non HTTPS/TLS ports');
    checkServerTls(f, tp, tls);
  }
  checkConnectionPool(f, at(path, 'connectionPool'), ingress.connectionPool);
  if (ingress.connectionPool?.http && !isHttpProtocol(parseProtocol(port.protocol))) {
    f.warn(at(at(path, 'connectionPool'), 'http'), 'IGNORED', `HTTP connection pool settings are configured for port ${port.number ?? 0} (${JSON.stringify(port.name ?? '')}) but its protocol is not HTTP (${port.protocol ?? ''}); only TCP settings will apply`);
  }
}

function checkEgressPort(f: Findings, path: string, egress: IstioEgressListener): void {
  const port = egress.port!;
  const portPath = at(path, 'port');
  const bind = egress.bind ?? '';
  if (port.targetPort !== undefined && port.targetPort > 0) f.warn(at(portPath, 'targetPort'), 'IGNORED', 'targetPort has no impact on Sidecars');
  if (port.name) f.check(at(portPath, 'name'), 'INVALID_PORT', checkPortName(port.name));
  f.check(at(portPath, 'protocol'), 'INVALID_PROTOCOL', checkProtocol(port.protocol));
  if ((port.number ?? 0) === 0) {
    if (!bind.startsWith(UNIX_PREFIX)) f.error(at(path, 'bind'), 'INVALID_ADDRESS', 'sidecar: ports with 0 value must have a unix domain socket bind address');
    else f.check(at(path, 'bind'), 'INVALID_ADDRESS', checkUnixAddress(bind.slice(UNIX_PREFIX.length)));
    if (egress.captureMode && egress.captureMode !== 'DEFAULT' && egress.captureMode !== 'NONE') {
      f.error(at(path, 'captureMode'), 'CONFLICT', 'sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners');
    }
  } else {
    f.check(at(portPath, 'number'), 'INVALID_PORT', checkPort(port.number ?? 0));
    if (bind) f.check(at(path, 'bind'), 'INVALID_ADDRESS', checkIpAddress(bind));
  }
}

function checkEgressHosts(f: Findings, path: string, hosts: readonly string[], namespace: string): void {
  if (hosts.length === 0) {
    f.error(path, 'MISSING', 'sidecar: egress listener must contain at least one host');
    return;
  }
  const byNamespace = new Map<string, Set<string>>();
  hosts.forEach((host, i) => {
    const p = itemPath(path, i);
    const slash = host.indexOf('/');
    if (slash >= 0 && !host.startsWith('~')) {
      const ns = host.slice(0, slash) === '.' ? namespace : host.slice(0, slash);
      const svc = host.slice(slash + 1);
      const seen = byNamespace.get(ns) ?? new Set<string>();
      const duplicate = svc === '*' ? seen.size > 0 : seen.has(svc) || seen.has('*');
      if (duplicate) f.warn(p, 'DUPLICATE', `duplicated egress host: ${host}`);
      seen.add(svc);
      byNamespace.set(ns, seen);
    }
    for (const reason of checkNamespaceSlashHost(host, false)) f.error(p, 'INVALID_HOST', reason);
  });
  if (byNamespace.get('*')?.has('*') && byNamespace.size !== 1) f.warn(path, 'SUSPICIOUS', '`*/*` host select all resources, no other hosts can be added');
}

function checkOutbound(f: Findings, path: string, policy: OutboundTrafficPolicy | undefined): void {
  if (!policy?.egressProxy) return;
  const proxy = policy.egressProxy;
  if (policy.mode !== 'ALLOW_ANY') {
    f.error(at(path, 'egressProxy'), 'CONFLICT', 'sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode');
    return;
  }
  f.check(at(at(path, 'egressProxy'), 'host'), 'INVALID_HOST', checkFqdn(proxy.host));
  if (!proxy.port) f.error(at(at(path, 'egressProxy'), 'port'), 'REQUIRED', 'sidecar: egress_proxy port must be non-nil');
  else checkDestination(f, at(path, 'egressProxy'), proxy);
}

export function validateSidecar(f: Findings, { spec, namespace }: SemanticInput<SidecarSpec>): void {
  const selector = spec.workloadSelector;
  if (selector) {
    checkSelectorLabels(f, 'spec.workloadSelector.labels', selector.labels);
    if (Object.keys(selector.labels ?? {}).length === 0) f.warn('spec.workloadSelector', 'SUSPICIOUS', 'sidecar: workload selector specified without labels, will be applied to all services in namespace');
  }
  if ((spec.egress ?? []).length === 0 && (spec.ingress ?? []).length === 0 && !spec.outboundTrafficPolicy && !spec.inboundConnectionPool) {
    f.error('spec', 'MISSING', 'sidecar: empty configuration provided');
    return;
  }
  const ingressPorts = new Set<number>();
  spec.ingress?.forEach((ingress, i) => {
    const p = itemPath('spec.ingress', i);
    checkIngress(f, p, ingress);
    const n = ingress.port.number ?? 0;
    if (ingressPorts.has(n)) f.error(at(at(p, 'port'), 'number'), 'DUPLICATE', 'sidecar: ports on IP bound listeners must be unique');
    ingressPorts.add(n);
  });
  checkConnectionPool(f, 'spec.inboundConnectionPool', spec.inboundConnectionPool);

  const egressPorts = new Set<number>();
  const sockets = new Set<string>();
  let catchAll = false;
  const egress = spec.egress ?? [];
  egress.forEach((listener, i) => {
    const p = itemPath('spec.egress', i);
    if (!listener.port) {
      if (catchAll) {
        f.error(p, 'DUPLICATE', 'sidecar: egress can have only one listener with empty port');
        return;
      }
      if (i === egress.length - 1) catchAll = true;
      else f.error(p, 'CONFLICT', 'sidecar: the egress listener with empty port should be the last listener in the list');
    } else {
      checkEgressPort(f, p, listener);
      const n = listener.port.number ?? 0;
      if (n === 0) {
        if (sockets.has(listener.bind ?? '')) f.error(at(p, 'bind'), 'DUPLICATE', 'sidecar: unix domain socket values for listeners must be unique');
        sockets.add(listener.bind ?? '');
      } else {
        if (egressPorts.has(n)) f.error(at(at(p, 'port'), 'number'), 'DUPLICATE', 'sidecar: ports on IP bound listeners must be unique');
        egressPorts.add(n);
      }
    }
    checkEgressHosts(f, at(p, 'hosts'), listener.hosts, namespace);
  });
  checkOutbound(f, 'spec.outboundTrafficPolicy', spec.outboundTrafficPolicy);
}
