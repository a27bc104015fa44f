// ClusterLoadAssignments (Istio's EDS): endpoints of a service port, the
// subset's labels selecting, grouped by locality with weights; health as
// Envoy health status; the tlsMode label for auto mTLS (the registry's, or
// the endpointTlsMode hook's: `disabled` where the server refuses mTLS). With locality load
// balancing (a DestinationRule with outlier detection, Istio's rule) endpoints
// get priorities by closeness to the proxy, or the `distribute` weights.
import { parseLocality, selectorMatches, type ServiceEndpoint } from '@sextant/pilot-model';
import { subsetsOf } from './cluster-names';
import { usesEds, type TranslateContext } from './context';
import type { ClusterLoadAssignmentObject, LbEndpointObject, LocalityLbEndpointsObject } from './envoy-types';
import { outboundCluster } from './names';
import { effectivePolicy, type EffectivePolicy } from './traffic-policy';
import { sortBy, struct } from './values';

/** Locality LB applies: enabled mesh-wide, not disabled by the rule, outlier detection present, proxy locality known. */
export function localityLbActive(ctx: TranslateContext, policy: EffectivePolicy | undefined): boolean {
  if (!ctx.push.mesh.localityLbEnabled || !policy?.outlierDetection || !ctx.proxy.locality) return false;
  return policy.loadBalancer?.localityLbSetting?.enabled !== false;
}

function localityMatches(pattern: string, locality: string): boolean {
  const p = pattern.split('/');
  const l = locality.split('/');
  return p.every((part, i) => part === '*' || part === (l[i] ?? ''));
}

function priorityOf(ctx: TranslateContext, policy: EffectivePolicy, locality: string): number {
  const me = parseLocality(ctx.proxy.locality);
  const it = parseLocality(locality);
  if (it.region !== me.region) {
    const failover = policy.loadBalancer?.localityLbSetting?.failover ?? [];
    return failover.some((f) => f.from === me.region && f.to === it.region) ? 3 : 4;
  }
  if (it.zone !== me.zone) return 2;
  if (it.subZone !== me.subZone) return 1;
  return 0;
}

/** Endpoints grouped by locality, sorted; weights summed per locality; priorities compacted (no gaps, as gRPC requires). */
export function buildLoadAssignment(
  ctx: TranslateContext,
  clusterName: string,
  endpoints: readonly ServiceEndpoint[],
  policy: EffectivePolicy | undefined,
  withMetadata = true,
): ClusterLoadAssignmentObject {
  const groups = new Map<string, LbEndpointObject[]>();
  const seen = new Set<string>();
  for (const e of endpoints) {
    const key = `${e.address}:${e.port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const lb: LbEndpointObject = {
      endpoint: { address: { socketAddress: { address: e.address, portValue: e.port } } },
      healthStatus: e.health === 'HEALTHY' ? 'HEALTHY' : 'UNHEALTHY',
      loadBalancingWeight: { value: e.weight && e.weight > 0 ? e.weight : 1 },
    };
    if (withMetadata && !ctx.proxy.proxyless) {
      const tlsMode = ctx.hooks.endpointTlsMode?.(ctx.push, e) ?? e.tlsMode;
      lb.metadata = { filterMetadata: { 'envoy.transport_socket_match': struct({ tlsMode }) } };
    }
    const loc = e.locality ?? '';
    groups.set(loc, [...(groups.get(loc) ?? []), lb]);
  }
  const active = policy !== undefined && localityLbActive(ctx, policy);
  const distribute = active ? policy.loadBalancer?.localityLbSetting?.distribute?.find((d) => d.from && localityMatches(d.from, ctx.proxy.locality ?? '')) : undefined;
  let localities: LocalityLbEndpointsObject[] = [...groups.entries()].map(([loc, lbEndpoints]) => {
    const { region, zone, subZone } = parseLocality(loc);
    const weight = lbEndpoints.reduce((n, l) => n + l.loadBalancingWeight.value, 0);
    const out: LocalityLbEndpointsObject = { locality: { region, zone, subZone }, lbEndpoints, loadBalancingWeight: { value: weight } };
    if (distribute) {
      const share = Object.entries(distribute.to ?? {}).find(([pattern]) => localityMatches(pattern, loc))?.[1] ?? 0;
      out.loadBalancingWeight = { value: share };
    } else if (active) out.priority = priorityOf(ctx, policy, loc);
    return out;
  });
  if (distribute) localities = localities.filter((l) => l.loadBalancingWeight.value > 0);
  const used = [...new Set(localities.map((l) => l.priority ?? 0))].sort((a, b) => a - b);
  for (const l of localities) {
    if (l.priority !== undefined) {
      const p = used.indexOf(l.priority);
      if (p > 0) l.priority = p;
      else delete l.priority;
    }
  }
  sortBy(localities, (l) => `${String(l.priority ?? 0).padStart(3, '0')}|${l.locality.region}/${l.locality.zone}/${l.locality.subZone}`);
  for (const l of localities) sortBy(l.lbEndpoints, (x) => `${x.endpoint.address.socketAddress.address}:${String(x.endpoint.address.socketAddress.portValue).padStart(5, '0')}`);
  return { clusterName, endpoints: localities };
}

/** A ClusterLoadAssignment for every EDS cluster the proxy gets (of the services `hostnames` only, when given: an incremental EDS push). */
export function buildEndpoints(ctx: TranslateContext, hostnames?: ReadonlySet<string>): ClusterLoadAssignmentObject[] {
  const out: ClusterLoadAssignmentObject[] = [];
  for (const service of ctx.services) {
    if (!usesEds(service) || (hostnames && !hostnames.has(service.hostname))) continue;
    const dr = ctx.destinationRule(service);
    for (const port of service.ports) {
      const eps = ctx.push.endpoints(service, port.port);
      out.push(buildLoadAssignment(ctx, outboundCluster(service.hostname, port.port), eps, effectivePolicy(dr?.spec, port.port)));
      for (const subset of subsetsOf(dr)) {
        const labels = dr?.spec.subsets?.find((s) => s.name === subset)?.labels;
        const selected = eps.filter((e) => selectorMatches(labels, e.labels));
        out.push(buildLoadAssignment(ctx, outboundCluster(service.hostname, port.port, subset), selected, effectivePolicy(dr?.spec, port.port, subset)));
      }
    }
  }
  return out;
}
