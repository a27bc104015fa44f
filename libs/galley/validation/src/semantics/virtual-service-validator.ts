// VirtualService semantics: hosts and gateways, delegates, HTTP/TLS/TCP
// routes, exportTo, and warnings about rules that can never apply.
import { hostIsSubsetOf, hostsOverlap, type HTTPMatchRequest, type VirtualServiceSpec } from '@sextant/config-model';
import { checkExportTo, checkSelectorLabels } from '../checks/common';
import { isJwtClaimRoute } from '../checks/headers';
import { checkWildcardDomain } from '../checks/hosts';
import { checkIpOrCidr, isIpAddress } from '../checks/net';
import { checkPort } from '../checks/values';
import type { Findings } from '../findings';
import { fieldPath as at, itemPath, keyPath } from '../issue';
import { checkHttpRoute, checkRouteDestinations } from './http-route-validator';
import { analyzeRoutes } from './route-analysis';
import { checkGatewayNames } from './route-checks';
import type { SemanticInput } from './semantic-input';

const MESH_GATEWAY = 'mesh';

/** Hosts of a VirtualService bound to gateways; SNI hosts may use Istio's `outbound_.PORT_._.HOST` form. */
function checkGatewayBoundHost(host: string, sni: boolean): string | undefined {
  if (sni && host.startsWith('outbound_')) {
    const m = /^outbound_\.(\d+)_\._\.(.+)$/.exec(host);
    return m && /[a-zA-Z]/.test(m[2]!) ? undefined : `domain name ${JSON.stringify(host)} invalid, should follow 'outbound_.<port>_._.<hostname>' format`;
  }
  return checkWildcardDomain(host);
}

function checkJwtClaimRoutes(f: Findings, spec: VirtualServiceSpec): void {
  spec.http?.forEach((route, r) =>
    route.match?.forEach((m: HTTPMatchRequest, i) => {
      for (const field of ['headers', 'withoutHeaders'] as const) {
        for (const name of Object.keys(m[field] ?? {})) {
          if (!isJwtClaimRoute(name)) continue;
          f.error(keyPath(at(itemPath(at(itemPath('spec.http', r), 'match'), i), field), name), 'CONFLICT', `JWT claim based routing (key: ${name}) is only supported for gateway, found no gateways: [${(spec.gateways ?? []).join(' ')}]`);
        }
      }
    }),
  );
}

function checkHosts(f: Findings, spec: VirtualServiceSpec, appliesToGateway: boolean, appliesToMesh: boolean): void {
  const hosts = spec.hosts ?? [];
  const sni = (spec.tls ?? []).some((t) => t.match?.some((m) => m.sniHosts.length > 0));
  let allValid = true;
  hosts.forEach((host, i) => {
    const p = itemPath('spec.hosts', i);
    const invalid = appliesToGateway ? checkGatewayBoundHost(host, sni) : checkWildcardDomain(host);
    if (invalid) {
      if (!isIpAddress(host)) {
        f.error(p, 'INVALID_HOST', invalid);
        allValid = false;
      }
    } else if (appliesToMesh && host === '*') {
      f.error(p, 'INVALID_HOST', 'wildcard host * is not allowed for virtual services bound to the mesh gateway');
      allValid = false;
    }
  });
  if (!allValid) return;
  for (let i = 0; i < hosts.length; i++) {
    for (let j = i + 1; j < hosts.length; j++) {
      if (hostsOverlap(hosts[i]!, hosts[j]!)) f.error(itemPath('spec.hosts', j), 'DUPLICATE', `duplicate hosts in virtual service: ${hosts[i]} & ${hosts[j]}`);
    }
  }
}

function checkTlsRoutes(f: Findings, spec: VirtualServiceSpec, appliesToGateway: boolean): void {
  spec.tls?.forEach((route, r) => {
    const p = itemPath('spec.tls', r);
    if ((route.match ?? []).length === 0) f.error(at(p, 'match'), 'MISSING', 'TLS route must have at least one match condition');
    route.match?.forEach((m, i) => {
      const mp = itemPath(at(p, 'match'), i);
      if (m.sniHosts.length === 0) f.error(at(mp, 'sniHosts'), 'MISSING', 'TLS match must have at least one SNI host');
      m.sniHosts.forEach((sni, k) => {
        const sp = itemPath(at(mp, 'sniHosts'), k);
        const invalid = appliesToGateway ? checkGatewayBoundHost(sni, true) : checkWildcardDomain(sni);
        if (invalid) {
          if (isIpAddress(sni)) f.warn(sp, 'SUSPICIOUS', `using an IP address (${JSON.stringify(sni)}) goes against SNI spec and most clients do not support this`);
          else f.error(sp, 'INVALID_HOST', invalid);
        } else if (!(spec.hosts ?? []).some((h) => hostIsSubsetOf(sni, h))) {
          f.error(sp, 'INVALID_HOST', `SNI host ${JSON.stringify(sni)} is not a compatible subset of any of the virtual service hosts: [${(spec.hosts ?? []).join(', ')}]`);
        }
      });
      m.destinationSubnets?.forEach((s, k) => f.check(itemPath(at(mp, 'destinationSubnets'), k), 'INVALID_ADDRESS', checkIpOrCidr(s)));
      if (m.port !== undefined && m.port !== 0) f.check(at(mp, 'port'), 'INVALID_PORT', checkPort(m.port));
      checkSelectorLabels(f, at(mp, 'sourceLabels'), m.sourceLabels);
      checkGatewayNames(f, at(mp, 'gateways'), m.gateways);
    });
    if ((route.route ?? []).length === 0) f.error(at(p, 'route'), 'MISSING', 'TLS route is required');
    checkRouteDestinations(f, at(p, 'route'), route.route);
  });
}

function checkTcpRoutes(f: Findings, spec: VirtualServiceSpec): void {
  spec.tcp?.forEach((route, r) => {
    const p = itemPath('spec.tcp', r);
    route.match?.forEach((m, i) => {
      const mp = itemPath(at(p, 'match'), i);
      m.destinationSubnets?.forEach((s, k) => f.check(itemPath(at(mp, 'destinationSubnets'), k), 'INVALID_ADDRESS', checkIpOrCidr(s)));
      if (m.sourceSubnet !== undefined) f.check(at(mp, 'sourceSubnet'), 'INVALID_ADDRESS', checkIpOrCidr(m.sourceSubnet));
      if (m.port !== undefined && m.port !== 0) f.check(at(mp, 'port'), 'INVALID_PORT', checkPort(m.port));
      checkSelectorLabels(f, at(mp, 'sourceLabels'), m.sourceLabels);
      checkGatewayNames(f, at(mp, 'gateways'), m.gateways);
    });
    if ((route.route ?? []).length === 0) f.error(at(p, 'route'), 'MISSING', 'TCP route is required');
    checkRouteDestinations(f, at(p, 'route'), route.route);
  });
}

export function validateVirtualService(f: Findings, { spec, namespace }: SemanticInput<VirtualServiceSpec>): void {
  const hosts = spec.hosts ?? [];
  const gateways = spec.gateways ?? [];
  const isDelegate = hosts.length === 0;
  if (isDelegate) {
    if (gateways.length > 0) f.error('spec.gateways', 'CONFLICT', 'delegate virtual service must have no gateways specified');
    if ((spec.tls ?? []).length > 0) f.error('spec.tls', 'CONFLICT', 'delegate virtual service must have no tls route specified');
    if ((spec.tcp ?? []).length > 0) f.error('spec.tcp', 'CONFLICT', 'delegate virtual service must have no tcp route specified');
  }
  checkGatewayNames(f, 'spec.gateways', gateways);
  const appliesToGateway = gateways.length > 0 && !gateways.includes(MESH_GATEWAY);
  const appliesToMesh = !appliesToGateway;
  if (!appliesToGateway) checkJwtClaimRoutes(f, spec);
  checkHosts(f, spec, appliesToGateway, appliesToMesh);

  if ((spec.http ?? []).length === 0 && (spec.tcp ?? []).length === 0 && (spec.tls ?? []).length === 0) {
    f.error('spec', 'MISSING', 'http, tcp or tls must be provided in virtual service');
  }
  spec.http?.forEach((route, i) => checkHttpRoute(f, itemPath('spec.http', i), route, isDelegate));
  checkTlsRoutes(f, spec, appliesToGateway);
  checkTcpRoutes(f, spec);
  checkExportTo(f, 'spec.exportTo', namespace, spec.exportTo, false);

  analyzeRoutes(f, 'spec.http', spec.http, true);
  analyzeRoutes(f, 'spec.tcp', spec.tcp, false);
  analyzeRoutes(f, 'spec.tls', spec.tls, false);
}
