// Clusters (Istio's cluster_builder.go): per visible service port an
// `outbound|port||host` cluster and one per DestinationRule subset; inbound
// clusters for the ports a sidecar's workload serves; and BlackHoleCluster,
// PassthroughCluster and InboundPassthroughCluster.
import { isHttpProtocol, selectorMatches, type Service, type ServiceEndpoint, type ServicePort } from '@sextant/pilot-model';
import { connectionPoolFields, defaultThresholds, grpcOutlierFields, loadBalancerFields, outlierFields } from './cluster-policy';
import { subsetsOf } from './cluster-names';
import type { TranslateContext } from './context';
import { buildLoadAssignment, localityLbActive } from './endpoint-builder';
import type { ClusterObject, EnvoyObject } from './envoy-types';
import { BLACKHOLE_CLUSTER, INBOUND_PASSTHROUGH_CLUSTER, inboundCluster, istioMtlsSni, outboundCluster, PASSTHROUGH_CLUSTER } from './names';
import { autoMtlsMatches, upstreamTls } from './tls-builder';
import { effectivePolicy } from './traffic-policy';
import { FILTER, TYPED } from './type-urls';
import { duration, typed, ZERO_DURATION } from './values';

export const ADS_CONFIG_SOURCE = Object.freeze({ ads: {}, initialFetchTimeout: ZERO_DURATION, resourceApiVersion: 'V3' });

function discoveryFields(ctx: TranslateContext, name: string, service: Service, port: ServicePort, subsetLabels: Record<string, string> | undefined): EnvoyObject {
  switch (service.resolution) {
    case 'STATIC':
      return { type: 'EDS', edsClusterConfig: { edsConfig: ADS_CONFIG_SOURCE, serviceName: name } };
    case 'DNS':
    case 'DNS_ROUND_ROBIN': {
      const eps = ctx.push.endpoints(service, port.port).filter((e) => selectorMatches(subsetLabels, e.labels));
      const logical = service.resolution === 'DNS_ROUND_ROBIN' || ctx.proxy.proxyless;
      const assignment = buildLoadAssignment(ctx, name, logical ? eps.slice(0, 1) : eps, undefined, false);
      return { type: logical ? 'LOGICAL_DNS' : 'STRICT_DNS', loadAssignment: assignment, dnsLookupFamily: 'V4_ONLY', respectDnsTtl: true };
    }
    default:
      return { type: 'ORIGINAL_DST', lbPolicy: 'CLUSTER_PROVIDED' };
  }
}

function outbound(ctx: TranslateContext, service: Service, port: ServicePort, subset: string | undefined): ClusterObject | undefined {
  if (ctx.proxy.proxyless && service.resolution === 'NONE') return undefined;
  const name = outboundCluster(service.hostname, port.port, subset ?? '');
  const dr = ctx.destinationRule(service);
  const policy = effectivePolicy(dr?.spec, port.port, subset);
  const subsetLabels = subset ? dr?.spec.subsets?.find((s) => s.name === subset)?.labels : undefined;
  const pool = connectionPoolFields(ctx, policy.connectionPool, port.protocol, policy.retryBudget);
  const cluster: ClusterObject = { name, ...discoveryFields(ctx, name, service, port, subsetLabels) };
  if (cluster.type !== 'ORIGINAL_DST') Object.assign(cluster, loadBalancerFields(ctx, policy.loadBalancer));
  cluster['connectTimeout'] = pool.connectTimeout;
  cluster['circuitBreakers'] = pool.circuitBreakers;
  if (pool.typedExtensionProtocolOptions) cluster['typedExtensionProtocolOptions'] = pool.typedExtensionProtocolOptions;
  if (pool.upstreamConnectionOptions) cluster['upstreamConnectionOptions'] = pool.upstreamConnectionOptions;
  const common: EnvoyObject = {};
  // Proxyless gRPC enforces failure-percentage ejection only (see grpcOutlierFields).
  const od = ctx.proxy.proxyless ? grpcOutlierFields(policy.outlierDetection) : outlierFields(policy.outlierDetection);
  if (od.outlierDetection && cluster.type !== 'ORIGINAL_DST') {
    cluster['outlierDetection'] = od.outlierDetection;
    common['healthyPanicThreshold'] = { value: od.healthyPanicThreshold ?? 0 };
  }
  if (localityLbActive(ctx, policy) && policy.loadBalancer?.localityLbSetting?.distribute?.length) common['localityWeightedLbConfig'] = {};
  if (Object.keys(common).length > 0 && !ctx.proxy.proxyless) cluster['commonLbConfig'] = common;
  const http = isHttpProtocol(port.protocol);
  const sans = service.subjectAltNames?.length ? [...service.subjectAltNames] : ctx.push.serviceAccounts(service, port.port);
  const sni = istioMtlsSni(service.hostname, port.port, subset ?? '');
  const socket = upstreamTls(ctx, {
    tls: policy.tls,
    defaultSni: service.hostname.startsWith('*') ? undefined : service.hostname,
    istioSni: sni,
    serviceAccounts: sans,
    http,
  });
  if (socket) cluster['transportSocket'] = socket;
  else if (!policy.tls && ctx.push.mesh.enableAutoMtls && !service.meshExternal && !ctx.proxy.proxyless && cluster.type !== 'ORIGINAL_DST') {
    cluster['transportSocketMatches'] = autoMtlsMatches(ctx, sni, sans, http);
  }
  return cluster;
}

/** Outbound clusters for every service port the proxy sees, with DestinationRule subsets. */
export function buildOutboundClusters(ctx: TranslateContext): ClusterObject[] {
  const out: ClusterObject[] = [];
  for (const service of ctx.services) {
    const subsets = subsetsOf(ctx.destinationRule(service));
    for (const port of service.ports) {
      const base = outbound(ctx, service, port, undefined);
      if (base) out.push(base);
      for (const s of subsets) {
        const c = outbound(ctx, service, port, s);
        if (c) out.push(c);
      }
    }
  }
  return out;
}

/** Istio's INTERCEPTION_MODE=NONE: no iptables, the inbound cluster targets the workload's own address. */
export function interceptionNone(ctx: TranslateContext): boolean {
  return ctx.proxy.metadata['INTERCEPTION_MODE'] === 'NONE';
}

/** Distinct workload ports the sidecar's workload serves (endpoint port -> first endpoint). */
export function inboundPorts(ctx: TranslateContext): Map<number, ServiceEndpoint> {
  const out = new Map<number, ServiceEndpoint>();
  for (const e of ctx.push.proxyEndpoints(ctx.proxy)) if (!out.has(e.port)) out.set(e.port, e);
  return out;
}

/** `inbound|port||` clusters: ORIGINAL_DST bound from 127.0.0.6 (Istio), or STATIC to the workload with INTERCEPTION_MODE=NONE. */
export function buildInboundClusters(ctx: TranslateContext): ClusterObject[] {
  const out: ClusterObject[] = [];
  for (const [port, ep] of inboundPorts(ctx)) {
    const name = inboundCluster(port);
    const base: ClusterObject = { name, connectTimeout: duration(ctx.push.mesh.connectTimeout), circuitBreakers: { thresholds: [defaultThresholds()] } };
    // HTTP/2 and gRPC ports talk h2c to the app, as Istio's inbound clusters do.
    const protocol = ctx.push.service(ep.hostname, ep.namespace)?.ports.find((p) => p.port === ep.servicePort)?.protocol;
    if (protocol === 'HTTP2' || protocol === 'GRPC' || protocol === 'GRPC-Web') {
      base.typedExtensionProtocolOptions = { [FILTER.httpProtocolOptions]: typed(TYPED.httpProtocolOptions, { explicitHttpConfig: { http2ProtocolOptions: {} } }) };
    }
    if (interceptionNone(ctx)) {
      // As in a pod without iptables: the sidecar owns <podIP>:<port> and the
      // app listens on the workload's loopback (APP_ADDRESS overrides it).
      const md = ctx.proxy.metadata['APP_ADDRESS'];
      const address = typeof md === 'string' && md ? md : '127.0.0.1';
      out.push({ ...base, type: 'STATIC', lbPolicy: 'ROUND_ROBIN', loadAssignment: { clusterName: name, endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address, portValue: port } } } }] }] } });
    } else {
      out.push({ ...base, type: 'ORIGINAL_DST', lbPolicy: 'CLUSTER_PROVIDED', upstreamBindConfig: { sourceAddress: { address: '127.0.0.6', portValue: 0 } } });
    }
  }
  return out;
}

/** BlackHoleCluster, PassthroughCluster and (sidecars) InboundPassthroughCluster. */
export function buildSpecialClusters(ctx: TranslateContext): ClusterObject[] {
  const timeout = duration(ctx.push.mesh.connectTimeout);
  const out: ClusterObject[] = [
    { name: BLACKHOLE_CLUSTER, type: 'STATIC', connectTimeout: timeout },
    {
      name: PASSTHROUGH_CLUSTER,
      type: 'ORIGINAL_DST',
      lbPolicy: 'CLUSTER_PROVIDED',
      connectTimeout: timeout,
      typedExtensionProtocolOptions: { [FILTER.httpProtocolOptions]: typed(TYPED.httpProtocolOptions, { useDownstreamProtocolConfig: { httpProtocolOptions: {}, http2ProtocolOptions: {} } }) },
    },
  ];
  if (ctx.proxy.type === 'sidecar') {
    out.push({
      name: INBOUND_PASSTHROUGH_CLUSTER,
      type: 'ORIGINAL_DST',
      lbPolicy: 'CLUSTER_PROVIDED',
      connectTimeout: timeout,
      upstreamBindConfig: { sourceAddress: { address: '127.0.0.6', portValue: 0 } },
      typedExtensionProtocolOptions: { [FILTER.httpProtocolOptions]: typed(TYPED.httpProtocolOptions, { useDownstreamProtocolConfig: { httpProtocolOptions: {}, http2ProtocolOptions: {} } }) },
    });
  }
  return out;
}
