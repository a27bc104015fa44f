// ClusterLoadAssignment decoder (EDS, and the inline load_assignment of
// STATIC and DNS clusters).
import type { ClusterLoadAssignment__Output } from '@sextant/proto';
import { structToJson } from '@sextant/proto';
import type { EndpointConfig, HealthStatus, LoadAssignment, LocalityEndpoints } from './cluster-types';
import { socketAddress, u32, Issues, type Decoded } from './decode-support';

const HEALTH: readonly HealthStatus[] = ['UNKNOWN', 'HEALTHY', 'UNHEALTHY', 'DRAINING', 'TIMEOUT', 'DEGRADED'];

export function decodeClusterLoadAssignment(msg: ClusterLoadAssignment__Output): Decoded<LoadAssignment> {
  const issues = new Issues();
  const value = decodeLoadAssignmentInto(msg, `ClusterLoadAssignment[${msg.clusterName}]`, issues);
  return issues.result(value);
}

function workloadOf(metadata: { filterMetadata: Record<string, unknown> } | null | undefined): string {
  const istio = metadata?.filterMetadata?.['istio'];
  if (!istio) return '';
  const json = structToJson(istio as never);
  return typeof json['workload'] === 'string' ? json['workload'] : '';
}

function socketMatchOf(metadata: { filterMetadata: Record<string, unknown> } | null | undefined): Record<string, string> | undefined {
  const m = metadata?.filterMetadata?.['envoy.transport_socket_match'];
  if (!m) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(structToJson(m as never))) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

export function decodeLoadAssignmentInto(msg: ClusterLoadAssignment__Output, path: string, issues: Issues): LoadAssignment {
  if (!msg.clusterName) issues.error(`${path}.clusterName`, 'empty cluster name');
  const localities: LocalityEndpoints[] = [];
  msg.endpoints.forEach((loc, i) => {
    const p = `${path}.endpoints[${i}]`;
    if (loc.lbConfig === 'ledsClusterLocalityConfig') issues.error(`${p}.ledsClusterLocalityConfig`, 'LEDS is not supported');
    const endpoints: EndpointConfig[] = [];
    loc.lbEndpoints.forEach((e, j) => {
      const ep = `${p}.lbEndpoints[${j}]`;
      if (e.hostIdentifier === 'endpointName') {
        issues.error(`${ep}.endpointName`, 'named endpoints are not supported');
        return;
      }
      const addr = socketAddress(e.endpoint?.address as never, `${ep}.endpoint.address`, issues);
      if (!addr) return;
      const health = HEALTH.includes(e.healthStatus as HealthStatus) ? (e.healthStatus as HealthStatus) : 'UNKNOWN';
      const weight = u32(e.loadBalancingWeight, 1);
      if (e.loadBalancingWeight && weight < 1) issues.error(`${ep}.loadBalancingWeight`, 'must be >= 1');
      const ec: EndpointConfig = { host: addr.host, port: addr.port, health, weight, hostname: e.endpoint?.hostname ?? '', workload: workloadOf(e.metadata) };
      const socketMatch = socketMatchOf(e.metadata);
      if (socketMatch) ec.socketMatch = socketMatch;
      endpoints.push(ec);
    });
    localities.push({
      locality: { region: loc.locality?.region ?? '', zone: loc.locality?.zone ?? '', subZone: loc.locality?.subZone ?? '' },
      priority: Number(loc.priority ?? 0),
      weight: u32(loc.loadBalancingWeight, 0),
      endpoints,
    });
  });
  const priorities = [...new Set(localities.map((l) => l.priority))].sort((a, b) => a - b);
  priorities.forEach((p, i) => p !== i && issues.error(`${path}.endpoints`, `priorities must be contiguous from 0; found ${priorities.join(', ')}`));
  if (msg.policy?.dropOverloads?.length) issues.warn(`${path}.policy.dropOverloads`, 'ignored: overload dropping is not supported');
  return { clusterName: msg.clusterName, localities, overprovisioningFactor: u32(msg.policy?.overprovisioningFactor, 140) };
}
