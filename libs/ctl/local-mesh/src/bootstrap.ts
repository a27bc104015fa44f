// The xDS bootstrap a proxyless gRPC client (@grpc/grpc-js-xds, grpc-go,
// grpc-java) reads from GRPC_XDS_BOOTSTRAP: where Pilot is and who the
// client is, in Istio's node form so Pilot treats it as a gRPC proxyless
// workload (metadata GENERATOR=grpc, as Istio does).
export interface ProxylessBootstrapInput {
  /** Pilot's xDS address host:port. */
  xdsAddress: string;
  workload: string;
  namespace: string;
  /** Instance (pod) name; defaults to the workload name. */
  instance?: string;
  ip?: string;
  serviceAccount?: string;
  labels?: Record<string, string>;
  trustDomain?: string;
}

export interface GrpcXdsBootstrap {
  xds_servers: { server_uri: string; channel_creds: { type: string }[]; server_features: string[] }[];
  node: { id: string; cluster: string; locality: Record<string, string>; metadata: Record<string, unknown> };
  server_listener_resource_name_template: string;
}

export function proxylessBootstrap(input: ProxylessBootstrapInput): GrpcXdsBootstrap {
  const ip = input.ip ?? '127.0.0.1';
  const instance = input.instance ?? input.workload;
  const domain = `${input.namespace}.svc.cluster.local`;
  return {
    xds_servers: [{ server_uri: input.xdsAddress, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
    node: {
      id: `sidecar~${ip}~${instance}.${input.namespace}~${domain}`,
      cluster: `${input.workload}.${input.namespace}`,
      locality: {},
      metadata: {
        GENERATOR: 'grpc',
        NAMESPACE: input.namespace,
        WORKLOAD_NAME: input.workload,
        INSTANCE_IPS: ip,
        SERVICE_ACCOUNT: input.serviceAccount ?? 'default',
        LABELS: input.labels ?? {},
        TRUST_DOMAIN: input.trustDomain ?? 'cluster.local',
      },
    },
    server_listener_resource_name_template: 'xds.istio.io/grpc/lds/inbound/%s',
  };
}
